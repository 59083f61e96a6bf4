//! The portfolio file: the repo's own file is valid, broken files are refused whole with the line
//! and field of every problem, and the plan that makes a store match it.

use chrono::{TimeZone, Utc};
use domain::org::Member;
use domain::portfolio::{Change, Portfolio, Stored, plan};
use domain::{Email, OrgId, Role};
use std::collections::{BTreeMap, BTreeSet};

const REPO_FILE: &str = include_str!("../../../config/portfolio.toml");

const GOOD: &str = r#"
[[org]]
id = "jada"
name = "JADA"
zone = "America/Los_Angeles"
enabled_kinds = ["sunset_sail", "charter"]

[org.home_port]
name = "San Diego"
latitude = 32.7157
longitude = -117.1611

[org.report_recipients]
safety = ["safety@example.com"]

[[org.member]]
email = "Office@Example.com"
name = "Office"
role = "admin"
"#;

#[test]
fn the_repo_portfolio_names_the_four_businesses() {
    let portfolio = Portfolio::parse(REPO_FILE, "config/portfolio.toml").expect("valid");
    let ids: Vec<&str> = portfolio.orgs.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "jada",
            "queenofsandiego",
            "quickdumpnow",
            "dangerouscentaur"
        ]
    );
    for org in &portfolio.orgs {
        assert!(
            org.members.iter().any(|m| m.role == Role::Admin),
            "{} has a first admin",
            org.id
        );
        assert_eq!(
            org.report_recipients.len(),
            5,
            "{}: every perspective",
            org.id
        );
    }
}

#[test]
fn a_good_file_goes_through_the_domain_types() {
    let p = Portfolio::parse(GOOD, "p.toml").expect("valid");
    let org = &p.orgs[0];
    assert_eq!(org.zone, chrono_tz::America::Los_Angeles);
    assert_eq!(org.members[0].email.as_str(), "office@example.com");
    assert_eq!(org.members[0].role, Role::Admin);
}

/// (what is broken, the replacement applied to GOOD, expected line, expected field)
const BROKEN: &[(&str, &str, &str, usize, &str)] = &[
    (
        "bad zone",
        "zone = \"America/Los_Angeles\"",
        "zone = \"Mars/Olympus\"",
        5,
        "org[jada].zone",
    ),
    (
        "bad org id",
        "id = \"jada\"",
        "id = \"Jada Yachts\"",
        3,
        "org[0].id",
    ),
    (
        "unknown kind",
        "\"charter\"]",
        "\"kayak\"]",
        6,
        "org[jada].enabled_kinds",
    ),
    (
        "no kinds",
        "enabled_kinds = [\"sunset_sail\", \"charter\"]",
        "enabled_kinds = []",
        6,
        "org[jada].enabled_kinds",
    ),
    (
        "latitude out of range",
        "latitude = 32.7157",
        "latitude = 132.7",
        10,
        "org[jada].home_port.latitude",
    ),
    (
        "empty name",
        "name = \"JADA\"",
        "name = \"  \"",
        4,
        "org[jada].name",
    ),
    (
        "bad recipient",
        "\"safety@example.com\"",
        "\"safety@@example.com\"",
        14,
        "org[jada].report_recipients.safety",
    ),
    (
        "unknown perspective",
        "safety = [",
        "marketing = [",
        14,
        "org[jada].report_recipients.marketing",
    ),
    (
        "bad member email",
        "\"Office@Example.com\"",
        "\"office\"",
        17,
        "org[jada].member[0].email",
    ),
    (
        "unknown role",
        "role = \"admin\"",
        "role = \"boss\"",
        19,
        "org[jada].member[0].role",
    ),
    ("typo in a key", "zone = ", "zon = ", 5, "(file)"),
    (
        "wrong type",
        "latitude = 32.7157",
        "latitude = \"north\"",
        10,
        "(file)",
    ),
    ("not toml", "[org.home_port]", "[org.home_port", 8, "(file)"),
];

#[test]
fn broken_files_are_refused_with_line_and_field() {
    for (what, from, to, line, field) in BROKEN {
        assert!(GOOD.contains(from), "{what}: the fixture has {from}");
        let text = GOOD.replacen(from, to, 1);
        let err = Portfolio::parse(&text, "p.toml").expect_err(what);
        let hit = err.problems.iter().find(|p| p.field == *field);
        let Some(hit) = hit else {
            panic!("{what}: no problem at {field}: {err}");
        };
        assert_eq!(hit.line, *line, "{what}: {err}");
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("p.toml:{line}: {field}")),
            "{what}: {shown}"
        );
        assert!(shown.contains("nothing was written"), "{what}: {shown}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = GOOD
        .replacen("Mars", "x", 0)
        .replacen("America/Los_Angeles", "Nowhere", 1)
        .replacen("role = \"admin\"", "role = \"crew\"", 1);
    let err = Portfolio::parse(&text, "p.toml").expect_err("two problems");
    let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
    assert!(fields.contains(&"org[jada].zone"), "{err}");
    assert!(
        fields.contains(&"org[jada].member"),
        "needs an admin: {err}"
    );
}

#[test]
fn duplicates_are_refused() {
    let twice = format!("{GOOD}\n{}", &GOOD[GOOD.find("[[org]]").unwrap_or(0)..]);
    let err = Portfolio::parse(&twice, "p.toml").expect_err("duplicate org");
    let second = line_of(&twice, "[[org]]", 2);
    assert!(
        err.problems
            .iter()
            .any(|p| p.line == second && p.message.contains("twice")),
        "{err}"
    );

    let member =
        "\n[[org.member]]\nemail = \"office@example.com\"\nname = \"Again\"\nrole = \"crew\"\n";
    let text = format!("{GOOD}{member}");
    let err = Portfolio::parse(&text, "p.toml").expect_err("duplicate member");
    let again = line_of(&text, "email = \"office@example.com\"", 1);
    assert!(
        err.problems
            .iter()
            .any(|p| p.field == "org[jada].member[1].email" && p.line == again),
        "{err}"
    );
    assert!(
        Portfolio::parse("", "p.toml").is_err(),
        "an empty file names no org"
    );
}

/// The 1-based line of the `nth` line containing `needle`.
fn line_of(text: &str, needle: &str, nth: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth - 1)
        .map(|(i, _)| i + 1)
        .expect("present")
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid")
}

#[test]
fn the_plan_creates_updates_and_prunes_only_when_asked() {
    let now = Utc
        .with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .expect("valid");
    let p = Portfolio::parse(GOOD, "p.toml").expect("valid");
    let jada = OrgId::parse("jada").expect("valid");

    // Empty store: create the org and its member.
    let empty = plan(&p, &BTreeMap::new(), &BTreeSet::new(), false, now);
    assert_eq!(empty.summary(), "2 to add, 0 to change, 0 to remove");
    assert!(
        matches!(&empty.changes[0], Change::CreateOrg(o) if o.id == jada && o.created_at == now)
    );

    // The store as apply leaves it: nothing to do.
    let mut stored = BTreeMap::new();
    let org = p.orgs[0].to_org(now);
    let office = Member {
        email: email("office@example.com"),
        name: "Office".into(),
        role: Role::Admin,
        added_at: now,
        sessions_valid_from: None,
    };
    stored.insert(
        jada.clone(),
        Stored {
            org: org.clone(),
            members: vec![office.clone()],
        },
    );
    let later = now + chrono::Duration::days(3);
    assert!(plan(&p, &stored, &BTreeSet::new(), false, later).is_empty());

    // Drift: a renamed org, a demoted admin, someone invited from the app, an org not in the file.
    let mut drifted = org.clone();
    drifted.name = "Jada Yachts".into();
    drifted.version = 4;
    let mut demoted = office.clone();
    demoted.role = Role::Crew;
    let invited = Member {
        email: email("deck@example.com"),
        name: "Deck".into(),
        role: Role::Crew,
        added_at: now,
        sessions_valid_from: None,
    };
    stored.insert(
        jada.clone(),
        Stored {
            org: drifted,
            members: vec![demoted, invited.clone()],
        },
    );
    let others: BTreeSet<OrgId> = [OrgId::parse("oldco").expect("valid")].into();
    let kept = plan(&p, &stored, &others, false, later);
    assert_eq!(kept.summary(), "0 to add, 2 to change, 0 to remove");
    let Change::UpdateOrg {
        org: updated,
        fields,
    } = &kept.changes[0]
    else {
        panic!("{:?}", kept.changes);
    };
    assert_eq!(fields, &["name"]);
    assert_eq!(updated.created_at, now, "creation time kept");
    assert_eq!(
        updated.version, 4,
        "the update names the version it was planned on, so apply cannot overwrite a later edit"
    );
    assert!(matches!(
        &kept.changes[1],
        Change::UpdateMember {
            from: Role::Crew,
            role: Role::Admin,
            ..
        }
    ));
    assert!(kept.changes[1].to_string().contains("signs them out"));
    assert_eq!(kept.kept.len(), 2, "{:?}", kept.kept);
    assert!(kept.kept.iter().any(|k| k.contains("--prune")));
    assert!(kept.kept.iter().any(|k| k.contains("oldco")));

    let pruned = plan(&p, &stored, &others, true, later);
    assert_eq!(pruned.summary(), "0 to add, 2 to change, 1 to remove");
    assert!(
        pruned
            .changes
            .iter()
            .any(|c| matches!(c, Change::RemoveMember { email, .. } if email == &invited.email))
    );
    assert!(
        pruned.kept.iter().any(|k| k.contains("oldco")),
        "orgs are never deleted"
    );
}
