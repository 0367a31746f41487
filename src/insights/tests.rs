//! Unit tests of the aggregation, on small sites built in memory (numbers worked out by hand).

use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};

use super::actions::{self, Dimension};
use super::*;
use crate::config::Config;
use crate::enrich::enrich;
use crate::model::{ActionItem, Status, Timing, Visibility, When};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str, hh: u32, mm: u32) -> When {
    let d = day(s);
    When {
        at: Utc.from_utc_datetime(&d.and_hms_opt(hh, mm, 0).unwrap()),
        has_time: true,
    }
}

fn pm(id: &str, date: Option<&str>) -> Postmortem {
    Postmortem {
        id: id.into(),
        source: PathBuf::from(format!("content/{id}.md")),
        title: id.into(),
        date: date.map(|d| at(d, 10, 0)),
        severity: Some("SEV2".into()),
        status: Status::Published,
        visibility: Visibility::Internal,
        summary: String::new(),
        services: vec![],
        teams: vec![],
        authors: vec![],
        factors: vec![],
        tags: vec![],
        recurrence_of: vec![],
        similar_pinned: vec![],
        similar_hidden: vec![],
        near_miss: false,
        timing: Timing::default(),
        impact: vec![],
        action_items: vec![],
        participants: vec![],
        reviewers: vec![],
        source_url: None,
        body: Default::default(),
        locations: Default::default(),
        front_keys: vec![],
        unknown_keys: vec![],
        lint_allow: vec![],
        files: vec![],
    }
}

fn item(status: &str, priority: &str, due: Option<&str>, closed: Option<&str>) -> ActionItem {
    ActionItem {
        id: "AI".into(),
        title: "t".into(),
        owner: "o".into(),
        due: due.map(day),
        status: crate::model::ItemStatus::parse(status),
        kind: Some(crate::model::ItemKind::Prevent),
        priority: crate::model::Priority::parse(priority),
        closed: closed.map(day),
        line: 1,
        ..ActionItem::default()
    }
}

#[test]
fn quarters_and_ranges() {
    assert_eq!(Quarter::of(day("2025-03-31")).to_string(), "2025-Q1");
    assert_eq!(Quarter::of(day("2025-04-01")).to_string(), "2025-Q2");
    assert_eq!(Quarter::of(day("2024-12-31")).to_string(), "2024-Q4");
    let r = Quarter::range(
        Quarter::of(day("2024-08-01")),
        Quarter::of(day("2025-02-01")),
    );
    let names: Vec<String> = r.iter().map(|q| q.to_string()).collect();
    assert_eq!(names, ["2024-Q3", "2024-Q4", "2025-Q1"]);
}

#[test]
fn business_days_skip_weekends() {
    // 2025-02-03 is a Monday.
    assert_eq!(business_days(day("2025-02-03"), day("2025-02-03")), 0);
    assert_eq!(business_days(day("2025-02-03"), day("2025-02-06")), 3);
    // Friday 2025-02-07 to Monday 2025-02-10: 3 calendar days, 1 business day.
    assert_eq!(business_days(day("2025-02-07"), day("2025-02-10")), 1);
    // Saturday to Sunday: none.
    assert_eq!(business_days(day("2025-02-08"), day("2025-02-09")), 0);
    // Two full weeks.
    assert_eq!(business_days(day("2025-02-03"), day("2025-02-17")), 10);
    assert_eq!(business_days(day("2025-02-06"), day("2025-02-03")), -3);
}

#[test]
fn medians_and_means() {
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 2.0, 10.0]), Some(3.0));
    assert_eq!(mean(&[]), None);
    assert_eq!(mean(&[1.0, 2.0]), Some(1.5));
}

#[test]
fn trends() {
    assert_eq!(trend(&[(0.0, 1.0)]), None);
    assert_eq!(trend(&[(0.0, 0.0), (1.0, 0.5), (3.0, 0.2)]), Some("rising"));
    assert_eq!(trend(&[(0.0, 0.5), (2.0, 0.0)]), Some("falling"));
    assert_eq!(trend(&[(0.0, 0.5), (2.0, 0.5)]), Some("flat"));
}

#[test]
fn targets() {
    assert_eq!(Target::AtLeast(0.8).met(Some(0.8)), Some(true));
    assert_eq!(Target::AtLeast(0.8).met(Some(0.79)), Some(false));
    assert_eq!(Target::Below(5.0).met(Some(5.0)), Some(false));
    assert_eq!(Target::Below(5.0).met(Some(4.5)), Some(true));
    assert_eq!(Target::Zero.met(Some(0.0)), Some(true));
    assert_eq!(Target::Zero.met(None), None);
    assert_eq!(Target::Rising.met(Some(1.0)), None);
}

/// A, 2024-07-15 (Mon): near miss false, published 2024-07-19 (4 calendar, 4 business days),
///   resolved after 60 min; items: done on time (P1, closed 07-20), done late, open overdue.
/// B, 2025-01-06 (Mon): recurrence of A, near miss, published 2025-01-13 (7 cal, 5 bd),
///   resolved after 120 min; no items.
/// U: undated, one done item without a due date.
/// R: restricted, names A: must not count anywhere.
fn site_config() -> Config {
    Config {
        undated: crate::config::Undated::List,
        ..Config::default()
    }
}

fn archive() -> Vec<Postmortem> {
    let mut a = pm("a", Some("2024-07-15"));
    a.factors = vec!["dns".into()];
    a.timing.published = Some(at("2024-07-19", 0, 0));
    a.timing.resolved = Some(at("2024-07-15", 11, 0));
    a.action_items = vec![
        item("done", "P1", Some("2024-07-30"), Some("2024-07-20")),
        item("done", "P2", Some("2024-08-01"), Some("2024-08-10")),
        item("open", "P3", Some("2024-09-01"), None),
    ];
    let mut b = pm("b", Some("2025-01-06"));
    b.factors = vec!["dns".into(), "config-change".into()];
    b.recurrence_of = vec!["a".into()];
    b.near_miss = true;
    b.severity = None;
    b.timing.published = Some(at("2025-01-13", 0, 0));
    b.timing.resolved = Some(at("2025-01-06", 12, 0));
    let mut u = pm("u", None);
    u.action_items = vec![item("done", "P0", None, Some("2025-01-01"))];
    let mut r = pm("r", Some("2025-03-01"));
    r.visibility = Visibility::Restricted;
    r.recurrence_of = vec!["a".into()];
    r.action_items = vec![item("open", "P0", Some("2025-03-02"), None)];
    vec![a, b, u, r]
}

#[test]
fn figures_over_a_small_archive() {
    let config = site_config();
    let site = enrich(archive(), &config, day("2025-11-30"), false);
    let ins = Insights::compute(&site);
    let o = &ins.overall;
    assert_eq!(ins.undated_postmortems, 1);
    assert_eq!(o.postmortems, 3, "restricted r is not counted");
    assert_eq!((o.near_misses, o.near_miss_share), (1, Some(1.0 / 3.0)));
    assert_eq!((o.recurrences, o.recurrence_rate), (1, Some(1.0 / 3.0)));
    assert_eq!(o.action_items, 4);
    assert_eq!(o.action_items_done, 3);
    assert_eq!(o.action_items_done_on_time, 1);
    assert_eq!(o.action_items_due, 3);
    assert_eq!(o.action_items_without_due, 1);
    assert_eq!(o.action_items_overdue, 1);
    assert_eq!(o.action_items_stale, 1);
    assert_eq!(o.completion_on_time_rate, Some(1.0 / 3.0));
    assert_eq!(o.median_days_to_publish, Some(5.5)); // (4 + 7) / 2
    assert_eq!(o.median_business_days_to_publish, Some(4.5)); // (4 + 5) / 2
    assert_eq!(o.published_within_target, 1); // 4 < 5, 5 is not
                                              // Only a has a closed P0/P1 item with a date (u's is undated): 5 days.
    assert_eq!(o.median_days_to_close_first_high_priority, Some(5.0));
    assert_eq!(o.mean_minutes_to_resolve, Some(90.0));
    assert_eq!(o.median_minutes_to_resolve, Some(90.0));
    assert_eq!(o.mean_minutes_to_detect, None);
    assert_eq!(o.by_severity["SEV2"], 2);
    assert_eq!(o.by_severity[NO_SEVERITY], 1);
    assert_eq!(o.by_factor["dns"], 2);

    let names: Vec<String> = ins.quarters.iter().map(|q| q.quarter.to_string()).collect();
    assert_eq!(names, ["2024-Q3", "2024-Q4", "2025-Q1"]);
    let empty = &ins.quarters[1].figures;
    assert_eq!(empty.postmortems, 0);
    assert_eq!(empty.near_miss_share, None);
    assert_eq!(empty.completion_on_time_rate, None);
    assert_eq!(
        empty.by_factor["dns"], 0,
        "every factor has a key, zero included"
    );
    let q1 = &ins.quarters[2].figures;
    assert_eq!(q1.recurrence_rate, Some(1.0));
    assert_eq!(q1.action_items, 0);
    assert_eq!(q1.completion_on_time_rate, None);

    let near = ins
        .metrics
        .iter()
        .find(|m| m.def.key == "near_miss_share")
        .unwrap();
    let meets: Vec<Option<bool>> = near.quarters.iter().map(|v| v.meets_target).collect();
    assert_eq!(meets, [None, None, Some(true)]); // 0 -> (none) -> 1: rising
    assert_eq!(near.trend, Some("rising"));
    assert_eq!(near.overall_meets_target, Some(true));
    let publish = &ins.metrics[1];
    assert_eq!(publish.def.key, "median_business_days_to_publish");
    assert_eq!(publish.quarters[0].meets_target, Some(true)); // 4 < 5
    assert_eq!(publish.quarters[2].meets_target, Some(false)); // 5 is not under 5

    let f: Vec<(&str, usize, usize, usize)> = ins
        .factors
        .iter()
        .map(|f| (f.slug.as_str(), f.incidents, f.quarters, f.recurrences))
        .collect();
    assert_eq!(f, [("dns", 2, 2, 1), ("config-change", 1, 1, 1)]);
}

#[test]
fn an_empty_archive_has_no_quarters_and_no_rates() {
    let config = Config::default();
    let site = enrich(Vec::new(), &config, day("2025-11-30"), false);
    let ins = Insights::compute(&site);
    assert!(ins.quarters.is_empty());
    assert_eq!(ins.overall.postmortems, 0);
    assert_eq!(ins.overall.recurrence_rate, None);
    assert!(ins.metrics.iter().all(|m| m.overall.is_none()));
}

#[test]
fn the_register_flags_overdue_stale_and_recurred_items() {
    let config = site_config();
    let site = enrich(archive(), &config, day("2025-11-30"), false);
    let reg = actions::register(&site);
    assert_eq!(reg.len(), 4, "r's item is not listed");
    // Site order: b (no items), a, u.
    let a_open = &reg[2];
    assert_eq!(a_open.pm.id, "a");
    assert!(a_open.overdue && a_open.stale && a_open.recurred());
    let recurred: Vec<&str> = a_open
        .recurred_in
        .iter()
        .map(|&j| site.postmortems[j].id.as_str())
        .collect();
    assert_eq!(recurred, ["b"], "only the published recurrence");
    assert_eq!(a_open.days_open, Some(503));
    assert!(!reg[0].stale && !reg[0].overdue && reg[0].done_on_time);
    assert!(
        reg[0].recurred(),
        "every item of a recurred incident is flagged"
    );
    let u = &reg[3];
    assert!(!u.recurred() && !u.stale && u.date().is_none());
    let status: Vec<(String, usize)> = actions::groups(&reg, Dimension::Status)
        .into_iter()
        .map(|g| (g.name, g.members.len()))
        .collect();
    assert_eq!(status, [("open".into(), 1), ("done".into(), 3)]);
    let teams = actions::groups(&reg, Dimension::Team);
    assert_eq!(teams[0].name, actions::UNSPECIFIED);
}

fn with_roles(id: &str, date: &str, roles: &[&str]) -> Postmortem {
    let mut p = pm(id, Some(date));
    p.participants = roles
        .iter()
        .enumerate()
        .map(|(k, role)| crate::model::Participant {
            name: format!("{id}{k}"),
            role: role.to_string(),
        })
        .collect();
    p
}

/// Participation with `min_roles = 2` and an alias: a (2025-Q1) has 2 roles once folded,
/// b (2025-Q1) 1, c (2025-Q2) none recorded, d (2025-Q2) 3, e draft (never counted).
/// Document quality with the template and action-item rules switched off for the archive:
/// consistent means reviewed (a, d).
#[test]
fn participation_and_document_quality_follow_the_configuration() {
    let mut config = site_config();
    config.insights.min_roles = 2;
    config.insights.template_target = 0.5;
    config
        .roles
        .aliases
        .insert("Site reliability".into(), vec!["SRE".into()]);
    for group in ["template", "action-item"] {
        config
            .check
            .rules
            .insert(group.into(), crate::config::RuleSetting::Off);
    }
    let mut a = with_roles("a", "2025-01-10", &["sre", "Site  Reliability", "Support"]);
    a.reviewers = vec!["lee".into()];
    let b = with_roles("b", "2025-02-10", &["DBA", "dba"]);
    let c = pm("c", Some("2025-04-10"));
    let mut d = with_roles("d", "2025-05-10", &["SRE", "DBA", "Comms"]);
    d.reviewers = vec!["kim".into()];
    let mut e = with_roles("e", "2025-05-11", &["a", "b", "c"]);
    e.status = Status::Draft;
    e.reviewers = vec!["x".into()];
    assert_eq!(distinct_roles(&a, &config), 2);
    let site = enrich(vec![a, b, c, d, e], &config, day("2025-11-30"), false);
    let ins = Insights::compute(&site);
    let o = &ins.overall;
    assert_eq!(o.postmortems, 4);
    assert_eq!(
        (o.participation_recorded, o.participation_not_recorded),
        (3, 1)
    );
    assert_eq!(o.participation_min_roles, 2); // a, d
    assert_eq!(o.participation_min_roles_share, Some(2.0 / 3.0));
    assert_eq!(o.median_roles, Some(2.0)); // 1 2 3
    assert_eq!((o.reviewed, o.template_consistent), (2, 2));
    assert_eq!(o.template_consistent_share, Some(0.5));
    assert_eq!(o.template_misses[NO_REVIEWER], 2);
    assert_eq!(
        o.template_misses["template/missing-section"], 0,
        "switched off"
    );
    let q1 = &ins.quarters[0].figures;
    assert_eq!(q1.median_roles, Some(1.5));
    assert_eq!(q1.participation_min_roles_share, Some(0.5));
    let q2 = &ins.quarters[1].figures;
    assert_eq!(
        (q2.participation_recorded, q2.participation_not_recorded),
        (1, 1)
    );
    assert_eq!(q2.participation_min_roles_share, Some(1.0));
    let quality = ins
        .metrics
        .iter()
        .find(|m| m.def.key == "template_consistent_share")
        .unwrap();
    assert_eq!(quality.def.target, Target::AtLeast(0.5));
    assert_eq!(quality.def.target_text, "at least 50%");
    assert_eq!(quality.overall_meets_target, Some(true));
    let breadth = ins
        .metrics
        .iter()
        .find(|m| m.def.key == "participation_min_roles_share")
        .unwrap();
    assert!(breadth.def.definition.contains("at least 2 distinct roles"));

    // With the archive's default levels, the empty bodies miss the template too.
    let config = site_config();
    let mut a = pm("a", Some("2025-01-10"));
    a.reviewers = vec!["lee".into()];
    let site = enrich(vec![a], &config, day("2025-11-30"), false);
    let o = Insights::compute(&site).overall;
    assert_eq!(o.template_consistent, 0);
    assert_eq!(o.template_misses["template/missing-section"], 1);
    assert_eq!(o.template_misses[NO_REVIEWER], 0);
    assert_eq!(o.participation_min_roles_share, None, "nothing recorded");
    assert_eq!(o.median_roles, None);
}
