//! The rendered HTML and text of one week, compared with files reviewed by eye once
//! (tests/golden/). `UPDATE_GOLDEN=1 cargo test -p report --test golden` rewrites them.

mod common;

use common::{LA, names, org, week_events};
use domain::org::Perspective;
use domain::report::{Week, WeekInput, executive_summary, org_week};
use report::render::{Subject, render};

const UNSUBSCRIBE: &str = "https://app.example.com/api/unsubscribe?token=golden";

fn check(name: &str, got: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&path, got).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        want == got,
        "{name} differs from its golden file; review and run with UPDATE_GOLDEN=1"
    );
}

#[test]
fn one_week_rendered() {
    let o = org("jada", &[]);
    let events = week_events(&o);
    let names = names();
    let week = Week::parse("2026-W27").expect("week");
    let as_of = week.range(LA).1;
    let input = |w| WeekInput {
        org: &o,
        week: w,
        events: &events,
        names: &names,
        vessels: &[],
        app_url: "https://app.example.com",
    };
    let this = org_week(&input(week), as_of);
    let last = org_week(&input(week.previous()), as_of);
    for perspective in Perspective::ALL {
        let r = render(
            &Subject::Org {
                week: &this,
                last: &last,
                perspective,
            },
            UNSUBSCRIBE,
        );
        assert!(r.html.len() < 100 * 1024, "under Gmail's clipping size");
        assert!(
            !r.html.contains("<img") && !r.html.contains("<style") && !r.html.contains("<script")
        );
        assert!(r.html.contains(UNSUBSCRIBE) && r.text.contains(UNSUBSCRIBE));
        assert!(r.subject.starts_with("JADA "), "{}", r.subject);
        check(&format!("{}.html", perspective.as_str()), &r.html);
        check(&format!("{}.txt", perspective.as_str()), &r.text);
    }
    let summary = executive_summary(&[(this.clone(), last.clone())]);
    let portfolio = render(
        &Subject::Portfolio {
            week: "2026-W27",
            summary: &summary,
        },
        UNSUBSCRIBE,
    );
    check("portfolio.html", &portfolio.html);
    check("portfolio.txt", &portfolio.text);
    // The headline figures in the subjects.
    let subject = |p| {
        render(
            &Subject::Org {
                week: &this,
                last: &last,
                perspective: p,
            },
            UNSUBSCRIBE,
        )
        .subject
    };
    assert_eq!(
        subject(Perspective::Operations),
        "JADA operations · 4 events, 66.7% on time"
    );
    assert_eq!(
        subject(Perspective::Safety),
        "JADA safety · 2 safety-critical tasks missed or late"
    );
    assert_eq!(
        subject(Perspective::Finance),
        "JADA finance · $6,000 revenue"
    );
    assert_eq!(
        portfolio.subject,
        "Portfolio 2026-W27 · 4 events, $6,000 revenue, 2 safety misses"
    );
}
