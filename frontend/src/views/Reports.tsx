// Weekly reports (executives and admins): the five perspectives of the Monday email, for any
// week. The address holds the choice (`/reports?perspective=safety&week=2026-W47`), so Back,
// reload and shared links work. Loaded on demand: crew never download it.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { change, formatCount, formatFigure, formatHours, formatMoney, formatPercent, type FigureKind } from '../charts';
import { Loading, Notice, PageTitle } from '../components';
import { useTitle } from '../hooks';
import { appPath, navigate, queryParam } from '../router';
import { sessions, type Session } from '../session';
import { syncNow } from '../sync/engine';
import { formatDateTime, instant, localDate, serverClock } from '../time';
import {
  PERSPECTIVES,
  PERSPECTIVE_LABELS,
  STATUS_LABELS,
  kindLabel,
  roleLabel,
  type CrewReport,
  type ExecutiveSummary,
  type Finance,
  type Kpis,
  type Operations,
  type Perspective,
  type Safety,
  type WeeklyReport,
} from '../types';
import { isWeek, isoWeek, lastCompleteWeek, recentWeeks, addWeeks, weekNumber, weekRange } from '../weeks';
import { BarChart, PairBars } from './charts';
import './reports.css';

/** Weeks offered in the picker, before the current one. */
const WEEKS_BACK = 12;

function parsePerspective(raw: string | null): Perspective {
  return PERSPECTIVES.includes(raw as Perspective) ? (raw as Perspective) : 'executive_summary';
}

export function reportHref(perspective: Perspective, week?: string | null): string {
  const q = new URLSearchParams({ perspective });
  if (week) q.set('week', week);
  return `/reports?${q}`;
}

/** The last answers seen, so going back to a perspective or week shows at once while it refreshes. */
const seen = new Map<string, WeeklyReport>();

export function Reports({ session }: { session: Session }) {
  const zone = session.org.zone ?? 'America/Los_Angeles';
  const perspective = parsePerspective(queryParam('perspective'));
  const rawWeek = queryParam('week');
  const weekParam = isWeek(rawWeek) ? rawWeek : null;
  const today = localDate(serverClock.now(), zone);
  const current = isoWeek(today);
  const key = `${session.email}|${session.org.id}|${perspective}|${weekParam ?? ''}`;
  const [report, setReport] = useState<WeeklyReport | null>(() => seen.get(key) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [switching, setSwitching] = useState<string | null>(null);
  useTitle(`${PERSPECTIVE_LABELS[perspective]} report`);

  useEffect(() => {
    let live = true;
    setReport(seen.get(key) ?? null);
    setError(null);
    setLoading(true);
    api
      .weeklyReport(perspective, weekParam ?? undefined)
      .then((r) => {
        seen.set(key, r);
        if (live) setReport(r);
      })
      .catch((e) => {
        if (!live || (e instanceof api.ApiError && e.status === 401)) return;
        setError(
          e instanceof api.ApiError && e.status === 403
            ? 'Reports are for executives and admins.'
            : e instanceof api.OfflineError
              ? "You're offline: reports open when you have signal."
              : api.describe(e),
        );
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [key, session.token]);

  const week = weekParam ?? (report && report.perspective === perspective ? report.week : null) ?? lastCompleteWeek(today);
  const weeks = recentWeeks(current, WEEKS_BACK + 1);
  if (!weeks.includes(week)) weeks.push(week);
  const shown = report && report.perspective === perspective ? report : null;
  const go = (p: Perspective, w: string) => navigate(reportHref(p, w));
  const orgs = session.memberships.filter((m) => m.role === 'executive' || m.role === 'admin');

  const switchOrg = async (orgId: string) => {
    setSwitching(orgId);
    setError(null);
    try {
      await syncNow();
      sessions.signIn(await api.switchOrg(orgId));
    } catch (e) {
      setError(api.describe(e));
    } finally {
      setSwitching(null);
    }
  };

  return (
    <div class="reports">
      <PageTitle>Reports</PageTitle>
      <p class="subtle">
        {perspective === 'executive_summary' ? 'Every org you report on' : session.org.name} · weeks run Monday to Sunday,{' '}
        {zone.replace(/_/g, ' ')} time
      </p>

      <nav class="tabs" aria-label="Perspective">
        {PERSPECTIVES.map((p) => (
          <a key={p} href={reportHref(p, week)} aria-current={p === perspective ? 'page' : undefined}>
            {PERSPECTIVE_LABELS[p]}
          </a>
        ))}
      </nav>

      <div class="report-controls">
        <label for="report-week">Week</label>
        <div class="week-picker">
          <button
            type="button"
            class="btn btn-secondary"
            aria-label="Previous week"
            title="Previous week"
            onClick={() => go(perspective, addWeeks(week, -1))}
          >
            ←
          </button>
          <select id="report-week" value={week} onChange={(e) => go(perspective, (e.target as HTMLSelectElement).value)}>
            {weeks.map((w) => (
              <option key={w} value={w}>
                {weekRange(w, undefined, false)} ({w === current ? 'so far' : weekNumber(w).replace('Week ', 'W')})
              </option>
            ))}
          </select>
          <button
            type="button"
            class="btn btn-secondary"
            aria-label="Next week"
            title="Next week"
            disabled={week >= current}
            onClick={() => go(perspective, addWeeks(week, 1))}
          >
            →
          </button>
        </div>
        {perspective !== 'executive_summary' && orgs.length > 1 && (
          <>
            <label for="report-org">Org</label>
            <select
              id="report-org"
              value={session.org.id}
              disabled={switching !== null}
              onChange={(e) => void switchOrg((e.target as HTMLSelectElement).value)}
            >
              {orgs.map((m) => (
                <option key={m.org_id} value={m.org_id}>
                  {m.org_name} ({roleLabel(m.role)})
                </option>
              ))}
            </select>
          </>
        )}
      </div>

      <h2 class="report-heading">
        {PERSPECTIVE_LABELS[perspective]} · {weekNumber(week)}
        <span class="report-range">
          {weekRange(week)}
          {week === current ? ', so far' : ''}
        </span>
      </h2>
      {error && <Notice kind="error">{error}</Notice>}
      {loading && shown && (
        <p class="small" role="status">
          Refreshing…
        </p>
      )}
      {!shown && !error && <Loading what="the report" />}
      {shown && <ReportBody report={shown} zone={zone} />}
    </div>
  );
}

function ReportBody({ report, zone }: { report: WeeklyReport; zone: string }) {
  switch (report.perspective) {
    case 'executive_summary':
      return <SummaryView data={report.data as ExecutiveSummary} />;
    case 'operations':
      return <OperationsView data={report.data as Operations} kpis={report.kpis} last={report.last_week_kpis} />;
    case 'safety':
      return <SafetyView data={report.data as Safety} kpis={report.kpis} last={report.last_week_kpis} zone={zone} />;
    case 'crew':
      return <CrewView data={report.data as CrewReport} kpis={report.kpis} last={report.last_week_kpis} />;
    case 'finance':
      return <FinanceView data={report.data as Finance} kpis={report.kpis} last={report.last_week_kpis} />;
  }
}

// ---- pieces -----------------------------------------------------------------------------------

interface KpiSpec {
  label: string;
  now: number | null | undefined;
  last?: number | null | undefined;
  kind: FigureKind;
  /** Which way is good news (`neither` for plain volume). */
  better?: 'up' | 'down' | 'neither';
  /** Without last week's figure: a line of context instead. */
  note?: string;
}

const ARROWS = { up: '▲', down: '▼', same: '=', none: '' } as const;

function KpiTiles({ items, label }: { items: KpiSpec[]; label: string }) {
  return (
    <ul class="plain kpis" aria-label={label}>
      {items.map((k) => {
        const nowText = formatFigure(k.now, k.kind);
        const compare = 'last' in k;
        const lastText = formatFigure(k.last, k.kind);
        const c = compare ? change(k.now, k.last, k.kind, k.better ?? 'up') : null;
        return (
          <li key={k.label} class="kpi">
            <span class="kpi-label">{k.label}</span>
            <span class="kpi-value">{nowText}</span>
            {c ? (
              <>
                <span class={`kpi-change tone-${c.tone}`}>
                  <span aria-hidden="true">{ARROWS[c.direction]} </span>
                  {c.text}
                  {c.tone !== 'neutral' && <span class="visually-hidden">{c.tone === 'good' ? ', better' : ', worse'}</span>}
                </span>
                <span class="kpi-last">last week {lastText}</span>
                <PairBars
                  now={k.now}
                  last={k.last}
                  nowText={nowText}
                  lastText={lastText}
                  kind={k.kind === 'percent' ? 'percent' : 'amount'}
                />
              </>
            ) : (
              k.note && <span class="kpi-last">{k.note}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = `sec-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class="panel report-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function EventLink({ link, title }: { link: string; title: string }) {
  return <a href={appPath(link)}>{title}</a>;
}

// ---- executive summary ----------------------------------------------------------------------

function total(orgs: ExecutiveSummary['orgs'], week: 'this_week' | 'last_week', f: (k: Kpis) => number): number {
  return orgs.reduce((s, o) => s + f(o[week]), 0);
}

function severityLabel(severity: number): string {
  if (severity >= 100) return 'Critical';
  if (severity >= 80) return 'High';
  if (severity >= 60) return 'Medium';
  return 'Low';
}

function SummaryView({ data }: { data: ExecutiveSummary }) {
  const orgs = data.orgs;
  const names = new Map(orgs.map((o) => [o.org_id, o.org_name]));
  const both = (f: (k: Kpis) => number) => ({ now: total(orgs, 'this_week', f), last: total(orgs, 'last_week', f) });
  const kpiCols: { label: string; get: (k: Kpis) => number | null | undefined; kind: FigureKind; better: 'up' | 'down' | 'neither' }[] = [
    { label: 'Events', get: (k) => k.events, kind: 'count', better: 'neither' },
    { label: 'Revenue', get: (k) => k.revenue_cents, kind: 'money', better: 'up' },
    { label: 'On time', get: (k) => k.on_time_percent, kind: 'percent', better: 'up' },
    { label: 'Checklist', get: (k) => k.checklist_percent, kind: 'percent', better: 'up' },
    { label: 'Safety misses', get: (k) => k.safety_misses, kind: 'count', better: 'down' },
    { label: 'Short of crew', get: (k) => k.short_of_crew, kind: 'count', better: 'down' },
    { label: 'Cancellations', get: (k) => k.cancellations, kind: 'count', better: 'down' },
  ];
  return (
    <>
      <KpiTiles
        label={`Totals across ${orgs.length} ${orgs.length === 1 ? 'org' : 'orgs'}`}
        items={[
          { label: 'Revenue', ...both((k) => k.revenue_cents), kind: 'money', better: 'up' },
          { label: 'Events', ...both((k) => k.events), kind: 'count', better: 'neither' },
          { label: 'Safety misses', ...both((k) => k.safety_misses), kind: 'count', better: 'down' },
          { label: 'Short of crew', ...both((k) => k.short_of_crew), kind: 'count', better: 'down' },
          { label: 'Hours underway', ...both((k) => k.hours_underway), kind: 'hours', better: 'up' },
          { label: 'Cancellations', ...both((k) => k.cancellations), kind: 'count', better: 'down' },
        ]}
      />

      <Section title="Top exceptions">
        {data.exceptions.length === 0 ? (
          <p>Nothing out of the ordinary this week.</p>
        ) : (
          <ol class="plain exceptions">
            {data.exceptions.map((x, i) => (
              <li key={i} class={`exception sev-${x.severity >= 80 ? 'high' : 'mid'}`}>
                <span class="sev">{severityLabel(x.severity)}</span>
                <span class="exception-org">{names.get(x.org_id) ?? x.org_id}</span>
                <span>{x.summary}</span>
                {x.link && (
                  <a class="open-link" href={appPath(x.link)}>
                    Open the event
                  </a>
                )}
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section title="By org">
        <BarChart
          title="Revenue by org"
          labelHeader="Org"
          rows={orgs.map((o) => ({
            label: o.org_name,
            value: o.this_week.revenue_cents,
            text: formatMoney(o.this_week.revenue_cents),
            previous: o.last_week.revenue_cents,
            previousText: formatMoney(o.last_week.revenue_cents),
          }))}
        />
        <BarChart
          title="On-time departures by org"
          labelHeader="Org"
          kind="percent"
          rows={orgs.map((o) => ({
            label: o.org_name,
            value: o.this_week.on_time_percent,
            text: formatPercent(o.this_week.on_time_percent),
            previous: o.last_week.on_time_percent,
            previousText: formatPercent(o.last_week.on_time_percent),
          }))}
        />
        <BarChart
          title="Safety misses by org"
          labelHeader="Org"
          rows={orgs.map((o) => ({
            label: o.org_name,
            value: o.this_week.safety_misses,
            text: formatCount(o.this_week.safety_misses),
            previous: o.last_week.safety_misses,
            previousText: formatCount(o.last_week.safety_misses),
          }))}
        />
        <p class="table-title" id="org-table-title">
          Every figure by org, with the change from last week
        </p>
        <div class="table-scroll" role="region" aria-labelledby="org-table-title" tabIndex={0}>
          <table class="figures" aria-labelledby="org-table-title">
            <thead>
              <tr>
                <th scope="col">Org</th>
                {kpiCols.map((c) => (
                  <th key={c.label} scope="col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {orgs.map((o) => (
                <tr key={o.org_id}>
                  <th scope="row">{o.org_name}</th>
                  {kpiCols.map((c) => {
                    const now = c.get(o.this_week);
                    const ch = change(now, c.get(o.last_week), c.kind, c.better);
                    return (
                      <td key={c.label}>
                        {formatFigure(now, c.kind)}
                        <span class={`cell-change tone-${ch.tone}`}>{ch.direction === 'none' ? '' : ch.text}</span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}

// ---- operations -------------------------------------------------------------------------------

function OperationsView({ data, kpis, last }: { data: Operations; kpis: Kpis; last: Kpis }) {
  return (
    <>
      <KpiTiles
        label="Operations figures"
        items={[
          { label: 'Events', now: kpis.events, last: last.events, kind: 'count', better: 'neither' },
          { label: 'On time', now: kpis.on_time_percent, last: last.on_time_percent, kind: 'percent', better: 'up' },
          { label: 'Checklist done', now: kpis.checklist_percent, last: last.checklist_percent, kind: 'percent', better: 'up' },
          { label: 'Cancellations', now: kpis.cancellations, last: last.cancellations, kind: 'count', better: 'down' },
        ]}
      />
      <p>
        {data.departed} of {data.events} {data.events === 1 ? 'event' : 'events'} went out, {data.on_time} on time (no more
        than 10 minutes late).
        {data.average_delay_minutes != null && ` Average delay ${formatCount(data.average_delay_minutes)} min.`}
      </p>
      <Section title="Checklists">
        <BarChart
          title="Checklist completion by kind"
          labelHeader="Kind"
          valueHeader="Done"
          kind="percent"
          rows={data.checklist_by_kind.map((c) => ({
            label: kindLabel(c.kind),
            value: c.percent,
            text: formatPercent(c.percent),
            note: `${c.done} of ${c.total} tasks`,
          }))}
        />
      </Section>
      <Section title="Events">
        <BarChart
          title="Events by kind and status"
          labelHeader="Kind and status"
          valueHeader="Events"
          rows={data.by_kind_and_status.map((c) => ({
            label: `${kindLabel(c.kind)}, ${STATUS_LABELS[c.status].toLowerCase()}`,
            value: c.count,
            text: formatCount(c.count),
          }))}
          empty="No events departed this week."
        />
      </Section>
    </>
  );
}

// ---- safety -----------------------------------------------------------------------------------

function SafetyView({ data, kpis, last, zone }: { data: Safety; kpis: Kpis; last: Kpis; zone: string }) {
  const when = (iso: string | null | undefined) => (iso ? formatDateTime(instant(iso), zone) : '–');
  const overdue = data.overdue_returns ?? [];
  return (
    <>
      <KpiTiles
        label="Safety figures"
        items={[
          { label: 'Safety misses', now: kpis.safety_misses, last: last.safety_misses, kind: 'count', better: 'down' },
          { label: 'Never done', now: data.never, kind: 'count', note: 'due, never ticked' },
          { label: 'Done late', now: data.late, kind: 'count', note: 'ticked after due' },
          {
            label: 'Left with tasks open',
            now: data.departed_with_open_tasks.length,
            kind: 'count',
            note: 'pre-departure safety items',
          },
          { label: 'Overdue returns', now: overdue.length, kind: 'count', note: 'not back by return + grace' },
        ]}
      />
      <Section title="Safety-critical tasks missed or late">
        {data.misses.length === 0 ? (
          <p>Every safety-critical task was done on time.</p>
        ) : (
          <ul class="plain report-list">
            {data.misses.map((m) => (
              <li key={`${m.event_id}-${m.task_id}`}>
                <span class={`outcome outcome-${m.outcome}`}>{m.outcome === 'never' ? 'Never done' : 'Done late'}</span>
                <strong>{m.task_title}</strong>
                <EventLink link={m.link} title={m.event_title} />
                <span class="small">
                  Due {when(m.due)}
                  {m.done_at ? `; done ${when(m.done_at)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Departed with safety tasks open">
        {data.departed_with_open_tasks.length === 0 ? (
          <p>No event left with a pre-departure safety task open.</p>
        ) : (
          <ul class="plain report-list">
            {data.departed_with_open_tasks.map((d) => (
              <li key={d.event_id}>
                <EventLink link={d.link} title={d.event_title} />
                <span class="small">Left {when(d.departed_at)} with open:</span>
                <ul class="open-tasks">
                  {d.open_tasks.map((t) => (
                    <li key={t}>{t}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Overdue returns">
        {overdue.length === 0 ? (
          <p>Every trip was back, or marked returned, before its overdue alert.</p>
        ) : (
          <ul class="plain report-list">
            {overdue.map((o) => (
              <li key={o.event_id}>
                <EventLink link={o.link} title={o.event_title} />
                <span class="small">
                  Due back {when(o.due_back)}; {o.returned_at ? `marked returned ${when(o.returned_at)}` : 'not marked returned by the end of the week'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

// ---- crew -------------------------------------------------------------------------------------

function CrewView({ data, kpis, last }: { data: CrewReport; kpis: Kpis; last: Kpis }) {
  const hours = data.members.reduce((s, m) => s + m.hours_on_duty, 0);
  const name = (m: CrewReport['members'][number]) => m.name || m.email;
  return (
    <>
      <KpiTiles
        label="Crew figures"
        items={[
          { label: 'People', now: data.members.length, kind: 'count', note: 'on events, ticking or nudged' },
          { label: 'Hours on duty', now: Math.round(hours * 10) / 10, kind: 'hours', note: 'all people together' },
          { label: 'Short of crew', now: kpis.short_of_crew, last: last.short_of_crew, kind: 'count', better: 'down' },
        ]}
      />
      <Section title="Hours on duty">
        <BarChart
          title="Hours on duty per person"
          labelHeader="Person"
          valueHeader="Hours"
          rows={data.members.map((m) => ({
            label: name(m),
            value: m.hours_on_duty,
            text: formatHours(m.hours_on_duty),
            note: `${m.events} events, ${m.tasks_done} tasks done, ${m.nudges_received} nudges`,
          }))}
          empty="Nobody was on duty this week."
        />
        {data.members.length > 0 && (
          <>
          <p class="table-title" id="crew-table-title">
            Per person
          </p>
          <div class="table-scroll" role="region" aria-labelledby="crew-table-title" tabIndex={0}>
            <table class="figures" aria-labelledby="crew-table-title">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Events</th>
                  <th scope="col">Hours</th>
                  <th scope="col">Tasks done</th>
                  <th scope="col">Nudges</th>
                </tr>
              </thead>
              <tbody>
                {data.members.map((m) => (
                  <tr key={m.email}>
                    <th scope="row">{name(m)}</th>
                    <td>{m.events}</td>
                    <td>{formatHours(m.hours_on_duty)}</td>
                    <td>{m.tasks_done}</td>
                    <td>{m.nudges_received}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          </>
        )}
      </Section>
      <Section title="Events short of crew">
        {data.short_of_crew.length === 0 ? (
          <p>Every event had its minimum crew.</p>
        ) : (
          <ul class="plain report-list">
            {data.short_of_crew.map((s) => (
              <li key={s.event_id}>
                <EventLink link={s.link} title={s.event_title} />
                <span class="small">
                  {s.assigned} of {s.needed} crew assigned
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

// ---- finance ----------------------------------------------------------------------------------

function FinanceView({ data, kpis, last }: { data: Finance; kpis: Kpis; last: Kpis }) {
  const kinds = Object.entries(data.by_kind) as [string, number][];
  const vessels = Object.entries(data.by_vessel);
  return (
    <>
      <KpiTiles
        label="Finance figures"
        items={[
          { label: 'Revenue', now: kpis.revenue_cents, last: last.revenue_cents, kind: 'money', better: 'up' },
          { label: 'Hours underway', now: kpis.hours_underway, last: last.hours_underway, kind: 'hours', better: 'up' },
          {
            label: 'Revenue per hour out',
            now: data.revenue_per_hour_underway_cents,
            kind: 'money',
            note: 'events that went out',
          },
        ]}
      />
      <Section title="Revenue">
        <BarChart
          title="Revenue by kind"
          labelHeader="Kind"
          valueHeader="Revenue"
          rows={kinds.map(([k, cents]) => ({ label: kindLabel(k), value: cents, text: formatMoney(cents) }))}
          empty="No revenue this week."
        />
        <BarChart
          title="Revenue by vessel"
          labelHeader="Vessel"
          valueHeader="Revenue"
          rows={vessels.map(([v, cents]) => ({ label: v, value: cents, text: formatMoney(cents) }))}
          empty="No revenue this week."
        />
      </Section>
      <Section title="Utilisation">
        <BarChart
          title="Vessel utilisation (hours out of the week's hours)"
          labelHeader="Vessel"
          valueHeader="Utilisation"
          kind="percent"
          rows={data.utilisation.map((u) => ({
            label: u.vessel,
            value: u.percent,
            text: formatPercent(u.percent),
            note: `${formatHours(u.hours_underway)} of ${formatHours(data.week_hours)}`,
          }))}
          empty="Nothing went out this week."
        />
      </Section>
    </>
  );
}
