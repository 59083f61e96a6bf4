//! The report emails: HTML (inline styles, table-based bars, no images, one column that reads on
//! a phone) and a plain-text part with the same figures.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::org::Perspective;
use domain::report::{ExecutiveSummary, Kpis, OrgWeek, dollars, headline};
use mail::{escape, layout};
use std::fmt::Write;

/// One rendered report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// What a report is about.
pub enum Subject<'a> {
    /// One org's week, one perspective (the executive summary of a single org included).
    Org {
        week: &'a OrgWeek,
        last: &'a OrgWeek,
        perspective: Perspective,
    },
    /// The portfolio roll-up: every org side by side.
    Portfolio {
        week: &'a str,
        summary: &'a ExecutiveSummary,
    },
}

const BLUE: &str = "#0b4f8a";
const GREY: &str = "#e3e8ef";
const RED: &str = "#a4161a";
const MUTED: &str = "#46566b";

struct Doc {
    html: String,
    text: String,
}

impl Doc {
    fn new() -> Self {
        Self {
            html: String::new(),
            text: String::new(),
        }
    }

    fn heading(&mut self, title: &str) {
        let _ = write!(
            self.html,
            "<h2 style=\"margin:20px 0 8px 0;font-size:18px;\">{}</h2>",
            escape(title)
        );
        let _ = write!(
            self.text,
            "\n{title}\n{}\n",
            "-".repeat(title.chars().count())
        );
    }

    fn muted(&mut self, text: &str) {
        let _ = write!(
            self.html,
            "<p style=\"margin:0 0 8px 0;color:{MUTED};font-size:14px;\">{}</p>",
            escape(text)
        );
        let _ = writeln!(self.text, "{text}");
    }

    /// Label/value pairs, two columns.
    fn figures(&mut self, rows: &[(&str, String)]) {
        self.html.push_str("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"margin:0 0 8px 0;\">");
        for (label, value) in rows {
            let _ = write!(
                self.html,
                "<tr><td style=\"padding:6px 0;border-bottom:1px solid {GREY};\">{}</td>\
<td align=\"right\" style=\"padding:6px 0;border-bottom:1px solid {GREY};font-weight:bold;\">{}</td></tr>",
                escape(label),
                escape(value)
            );
            let _ = writeln!(self.text, "  {label}: {value}");
        }
        self.html.push_str("</table>");
    }

    /// Horizontal bars as nested tables (mail clients render them without images or CSS).
    fn bars(&mut self, rows: &[(String, String, f64)]) {
        let max = rows.iter().map(|r| r.2).fold(0.0_f64, f64::max);
        self.html.push_str("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"margin:0 0 8px 0;\">");
        for (label, value, amount) in rows {
            let width = if max > 0.0 {
                ((amount / max) * 100.0).round().clamp(1.0, 100.0)
            } else {
                1.0
            };
            let _ = write!(
                self.html,
                "<tr><td width=\"32%\" style=\"padding:4px 8px 4px 0;font-size:14px;\">{label}</td>\
<td width=\"43%\" style=\"padding:4px 0;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>\
<td width=\"{width}%\" style=\"background:{BLUE};height:12px;font-size:1px;line-height:1px;\">&nbsp;</td>\
<td width=\"{rest}%\" style=\"background:{GREY};height:12px;font-size:1px;line-height:1px;\">&nbsp;</td></tr></table></td>\
<td width=\"25%\" align=\"right\" style=\"padding:4px 0 4px 8px;font-size:14px;white-space:nowrap;\">{value}</td></tr>",
                label = escape(label),
                rest = 100.0 - width,
                value = escape(value),
            );
            let _ = writeln!(self.text, "  {label}: {value}");
        }
        self.html.push_str("</table>");
    }

    /// A table with a header row.
    fn table(&mut self, head: &[&str], rows: &[Vec<String>]) {
        self.html.push_str("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"margin:0 0 8px 0;font-size:14px;\"><tr>");
        for (i, h) in head.iter().enumerate() {
            let align = if i == 0 { "left" } else { "right" };
            let _ = write!(
                self.html,
                "<th align=\"{align}\" style=\"padding:6px 4px;border-bottom:2px solid {GREY};color:{MUTED};\">{}</th>",
                escape(h)
            );
        }
        self.html.push_str("</tr>");
        let _ = writeln!(self.text, "  {}", head.join(" | "));
        for row in rows {
            self.html.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let align = if i == 0 { "left" } else { "right" };
                let _ = write!(
                    self.html,
                    "<td align=\"{align}\" style=\"padding:6px 4px;border-bottom:1px solid {GREY};\">{}</td>",
                    escape(cell)
                );
            }
            self.html.push_str("</tr>");
            let _ = writeln!(self.text, "  {}", row.join(" | "));
        }
        self.html.push_str("</table>");
    }

    /// A list of items, each optionally linked.
    fn list(&mut self, items: &[(String, Option<String>)], danger: bool) {
        let color = if danger { RED } else { "#0b1a2b" };
        self.html
            .push_str("<ul style=\"margin:0 0 8px 20px;padding:0;\">");
        for (text, href) in items {
            match href {
                Some(h) => {
                    let _ = write!(
                        self.html,
                        "<li style=\"margin:0 0 6px 0;color:{color};\"><a href=\"{}\" style=\"color:{BLUE};\">{}</a></li>",
                        escape(h),
                        escape(text)
                    );
                    let _ = writeln!(self.text, "  - {text}: {h}");
                }
                None => {
                    let _ = write!(
                        self.html,
                        "<li style=\"margin:0 0 6px 0;color:{color};\">{}</li>",
                        escape(text)
                    );
                    let _ = writeln!(self.text, "  - {text}");
                }
            }
        }
        self.html.push_str("</ul>");
    }
}

fn percent(p: Option<f64>) -> String {
    p.map_or("–".into(), |p| format!("{p:.1}%"))
}

fn local(at: Option<DateTime<Utc>>, zone: Tz) -> String {
    at.map_or("–".into(), |t| {
        t.with_timezone(&zone)
            .format("%a %-d %b %-I:%M %p")
            .to_string()
    })
}

fn kind_name(kind: domain::EventKind) -> &'static str {
    match kind {
        domain::EventKind::SunsetSail => "Sunset sails",
        domain::EventKind::Charter => "Charters",
        domain::EventKind::Delivery => "Deliveries",
        domain::EventKind::Haul => "Hauls",
    }
}

fn change(this: f64, last: f64, money: bool) -> String {
    let d = this - last;
    if d.abs() < 1e-9 {
        return "=".into();
    }
    let sign = if d > 0.0 { "▲" } else { "▼" };
    if money {
        format!("{sign} {}", dollars(d.abs() as i64))
    } else if d.fract().abs() < 1e-9 {
        format!("{sign} {}", d.abs())
    } else {
        format!("{sign} {:.1}", d.abs())
    }
}

fn kpi_rows(this: &Kpis, last: &Kpis) -> Vec<Vec<String>> {
    let opt = |p: Option<f64>| p.unwrap_or(0.0);
    vec![
        vec![
            "Events".into(),
            this.events.to_string(),
            last.events.to_string(),
            change(this.events as f64, last.events as f64, false),
        ],
        vec![
            "On time".into(),
            percent(this.on_time_percent),
            percent(last.on_time_percent),
            change(opt(this.on_time_percent), opt(last.on_time_percent), false),
        ],
        vec![
            "Checklists done".into(),
            percent(this.checklist_percent),
            percent(last.checklist_percent),
            change(
                opt(this.checklist_percent),
                opt(last.checklist_percent),
                false,
            ),
        ],
        vec![
            "Safety misses".into(),
            this.safety_misses.to_string(),
            last.safety_misses.to_string(),
            change(this.safety_misses as f64, last.safety_misses as f64, false),
        ],
        vec![
            "Revenue".into(),
            dollars(this.revenue_cents),
            dollars(last.revenue_cents),
            change(this.revenue_cents as f64, last.revenue_cents as f64, true),
        ],
        vec![
            "Hours underway".into(),
            format!("{:.1}", this.hours_underway),
            format!("{:.1}", last.hours_underway),
            change(this.hours_underway, last.hours_underway, false),
        ],
        vec![
            "Cancellations".into(),
            this.cancellations.to_string(),
            last.cancellations.to_string(),
            change(this.cancellations as f64, last.cancellations as f64, false),
        ],
        vec![
            "Short of crew".into(),
            this.short_of_crew.to_string(),
            last.short_of_crew.to_string(),
            change(this.short_of_crew as f64, last.short_of_crew as f64, false),
        ],
    ]
}

fn operations(doc: &mut Doc, w: &OrgWeek) {
    let o = &w.operations;
    doc.figures(&[
        ("Events", o.events.to_string()),
        ("Departed", o.departed.to_string()),
        (
            "On time (within 10 minutes)",
            format!(
                "{} of {} ({})",
                o.on_time,
                o.departed,
                percent(o.on_time_percent)
            ),
        ),
        (
            "Average delay",
            o.average_delay_minutes
                .map_or("–".into(), |m| format!("{m:.1} min")),
        ),
        ("Checklists done", percent(o.checklist_percent)),
        ("Cancellations", o.cancellations.to_string()),
    ]);
    doc.heading("Events by kind and status");
    if o.by_kind_and_status.is_empty() {
        doc.muted("No events this week.");
    } else {
        let rows: Vec<Vec<String>> = o
            .by_kind_and_status
            .iter()
            .map(|k| {
                vec![
                    kind_name(k.kind).into(),
                    k.status.as_str().into(),
                    k.count.to_string(),
                ]
            })
            .collect();
        doc.table(&["Kind", "Status", "Events"], &rows);
    }
    doc.heading("Checklist completion by kind");
    if o.checklist_by_kind.is_empty() {
        doc.muted("No checklists this week.");
    } else {
        let rows: Vec<(String, String, f64)> = o
            .checklist_by_kind
            .iter()
            .map(|c| {
                (
                    kind_name(c.kind).to_string(),
                    format!("{} ({}/{})", percent(c.percent), c.done, c.total),
                    c.percent.unwrap_or(0.0),
                )
            })
            .collect();
        doc.bars(&rows);
    }
}

fn safety(doc: &mut Doc, w: &OrgWeek, zone: Tz) {
    let s = &w.safety;
    doc.figures(&[
        ("Safety-critical tasks done late", s.late.to_string()),
        ("Safety-critical tasks never done", s.never.to_string()),
        ("Overdue returns", s.overdue_returns.len().to_string()),
        (
            "Departures confirmed with safety tasks open",
            s.departures_confirmed_with_open_tasks.to_string(),
        ),
    ]);
    doc.heading("Missed or late");
    if s.misses.is_empty() {
        doc.muted("Every safety-critical task was done on time.");
    } else {
        let items: Vec<(String, Option<String>)> = s
            .misses
            .iter()
            .map(|m| {
                let what = if m.outcome == "late" {
                    format!("done late ({})", local(m.done_at, zone))
                } else {
                    "never done".into()
                };
                (
                    format!(
                        "{}: {}, due {}, {what}",
                        m.event_title,
                        m.task_title,
                        local(m.due, zone)
                    ),
                    Some(m.link.clone()),
                )
            })
            .collect();
        doc.list(&items, true);
    }
    doc.heading("Overdue returns");
    if s.overdue_returns.is_empty() {
        doc.muted("Every trip was back in time.");
    } else {
        let items: Vec<(String, Option<String>)> = s
            .overdue_returns
            .iter()
            .map(|o| {
                let back = match o.returned_at {
                    Some(r) => format!("back {}", local(Some(r), zone)),
                    None => "not marked returned".into(),
                };
                (
                    format!(
                        "{}: due back {}, {back}",
                        o.event_title,
                        local(Some(o.due_back), zone)
                    ),
                    Some(o.link.clone()),
                )
            })
            .collect();
        doc.list(&items, true);
    }
    doc.heading("Departed with safety-critical tasks open");
    if s.departed_with_open_tasks.is_empty() {
        doc.muted("None.");
    } else {
        let items: Vec<(String, Option<String>)> = s
            .departed_with_open_tasks
            .iter()
            .map(|d| {
                (
                    format!(
                        "{} (left {}{}): {}",
                        d.event_title,
                        local(Some(d.departed_at), zone),
                        if d.confirmed {
                            ", confirmed with these open"
                        } else {
                            ""
                        },
                        d.open_tasks.join("; ")
                    ),
                    Some(d.link.clone()),
                )
            })
            .collect();
        doc.list(&items, true);
    }
}

fn crew(doc: &mut Doc, w: &OrgWeek) {
    let c = &w.crew;
    doc.heading("Hours on duty");
    if c.members.is_empty() {
        doc.muted("Nobody was out this week.");
    } else {
        let bars: Vec<(String, String, f64)> = c
            .members
            .iter()
            .map(|m| {
                (
                    m.name.clone().unwrap_or_else(|| m.email.clone()),
                    format!("{:.1} h", m.hours_on_duty),
                    m.hours_on_duty,
                )
            })
            .collect();
        doc.bars(&bars);
        let rows: Vec<Vec<String>> = c
            .members
            .iter()
            .map(|m| {
                vec![
                    m.name.clone().unwrap_or_else(|| m.email.clone()),
                    m.events.to_string(),
                    m.tasks_done.to_string(),
                    m.nudges_received.to_string(),
                ]
            })
            .collect();
        doc.table(&["Person", "Events", "Tasks done", "Nudges"], &rows);
    }
    doc.heading("Events short of crew");
    if c.short_of_crew.is_empty() {
        doc.muted("None.");
    } else {
        let items: Vec<(String, Option<String>)> = c
            .short_of_crew
            .iter()
            .map(|s| {
                (
                    format!("{}: {} of {} assigned", s.event_title, s.assigned, s.needed),
                    Some(s.link.clone()),
                )
            })
            .collect();
        doc.list(&items, true);
    }
}

fn finance(doc: &mut Doc, w: &OrgWeek) {
    let f = &w.finance;
    doc.figures(&[
        ("Revenue", dollars(f.revenue_cents)),
        ("Hours underway", format!("{:.1}", f.hours_underway)),
        (
            "Revenue per hour underway",
            f.revenue_per_hour_underway_cents
                .map_or("–".into(), dollars),
        ),
    ]);
    doc.heading("Revenue by kind");
    let by_kind: Vec<(String, String, f64)> = f
        .by_kind
        .iter()
        .map(|(k, c)| (kind_name(*k).to_string(), dollars(*c), *c as f64))
        .collect();
    if by_kind.is_empty() {
        doc.muted("No revenue this week.");
    } else {
        doc.bars(&by_kind);
    }
    doc.heading("Revenue by vessel");
    let by_vessel: Vec<(String, String, f64)> = f
        .by_vessel
        .iter()
        .map(|(v, c)| (v.clone(), dollars(*c), *c as f64))
        .collect();
    if by_vessel.is_empty() {
        doc.muted("No revenue this week.");
    } else {
        doc.bars(&by_vessel);
    }
    doc.heading(&format!(
        "Vessel utilisation (of {:.0} hours)",
        f.week_hours
    ));
    let util: Vec<(String, String, f64)> = f
        .utilisation
        .iter()
        .map(|u| {
            (
                u.vessel.clone(),
                format!("{:.1}% ({:.1} h)", u.percent, u.hours_underway),
                u.percent,
            )
        })
        .collect();
    if util.is_empty() {
        doc.muted("No vessel went out.");
    } else {
        doc.bars(&util);
    }
}

fn summary(doc: &mut Doc, summary: &ExecutiveSummary) {
    for org in &summary.orgs {
        doc.heading(&org.org_name);
        doc.table(
            &["", "This week", "Last week", "Change"],
            &kpi_rows(&org.this_week, &org.last_week),
        );
    }
    doc.heading("Largest exceptions");
    if summary.exceptions.is_empty() {
        doc.muted("Nothing stood out.");
    } else {
        let items: Vec<(String, Option<String>)> = summary
            .exceptions
            .iter()
            .map(|e| (format!("{}: {}", e.org_id, e.summary), e.link.clone()))
            .collect();
        doc.list(&items, true);
    }
}

/// Renders one report; `unsubscribe_url` goes in the footer (and, by the caller, the headers).
pub fn render(subject: &Subject<'_>, unsubscribe_url: &str) -> Rendered {
    let mut doc = Doc::new();
    let (title, subject_line) = match subject {
        Subject::Org {
            week,
            last,
            perspective,
        } => {
            let zone: Tz = week.zone.parse().unwrap_or(chrono_tz::UTC);
            let range = format!(
                "{} to {}",
                week.starts.with_timezone(&zone).format("%a %-d %b"),
                (week.ends - chrono::Duration::seconds(1))
                    .with_timezone(&zone)
                    .format("%a %-d %b %Y")
            );
            doc.muted(&format!("{} · week {} · {range}", week.org_name, week.week));
            match perspective {
                Perspective::Operations => operations(&mut doc, week),
                Perspective::Safety => safety(&mut doc, week, zone),
                Perspective::Crew => crew(&mut doc, week),
                Perspective::Finance => finance(&mut doc, week),
                Perspective::ExecutiveSummary => {
                    let s =
                        domain::report::executive_summary(&[((*week).clone(), (*last).clone())]);
                    summary(&mut doc, &s);
                }
            }
            let title = format!("{}: {}", week.org_name, perspective.title());
            let subject_line = format!(
                "{} {} · {}",
                week.org_name,
                perspective.title().to_lowercase(),
                headline(*perspective, week)
            );
            (title, subject_line)
        }
        Subject::Portfolio { week, summary: s } => {
            doc.muted(&format!("All businesses · week {week}"));
            summary(&mut doc, s);
            let events: usize = s.orgs.iter().map(|o| o.this_week.events).sum();
            let revenue: i64 = s.orgs.iter().map(|o| o.this_week.revenue_cents).sum();
            let misses: usize = s.orgs.iter().map(|o| o.this_week.safety_misses).sum();
            let title = "Portfolio: executive summary".to_string();
            let subject_line = format!(
                "Portfolio {week} · {}",
                domain::report::summary_headline(events, revenue, misses)
            );
            (title, subject_line)
        }
    };
    let _ = write!(
        doc.html,
        "<p style=\"margin:24px 0 0 0;color:{MUTED};font-size:13px;\">You get this report because your office listed you for it. \
<a href=\"{u}\" style=\"color:{MUTED};\">Unsubscribe from this report</a>.</p>",
        u = escape(unsubscribe_url)
    );
    let _ = write!(
        doc.text,
        "\nUnsubscribe from this report: {unsubscribe_url}\n"
    );
    Rendered {
        subject: subject_line,
        html: layout(&title, &doc.html),
        text: format!(
            "{title}\n{}\n{}",
            "=".repeat(title.chars().count()),
            doc.text
        ),
    }
}
