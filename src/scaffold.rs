//! `new`: the text of a fresh postmortem from the template (every field and section, each with
//! a short prompt). Pure; the CLI decides the file name and writes it.

use chrono::NaiveDate;

use crate::config::Config;

/// Escapes a string for a TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Prompts per section key; sections without one get a generic prompt.
fn prompt(key: &str) -> &'static str {
    match key {
        "summary" => "One paragraph: what broke, who was affected, for how long, and how it ended.",
        "timeline" => "Bullets with times, in UTC, from the trigger to resolution. Include how the incident was detected.\n\n- 14:02 UTC: The change that triggered the incident starts rolling out.\n- 14:09 UTC: An alert fires; the on-call engineer is paged.",
        "impact" => "Who was affected and how much: users, requests, revenue, SLO budget, data.",
        "root_cause" => "What in the system made this possible: the trigger and the conditions (contributing factors) that let it become an incident. Describe systems, not people.",
        "went_well" => "What helped: detection, tooling, coordination, luck (name it).",
        "went_poorly" => "What made it worse or slower.",
        "lessons" => "What we learned about our systems and how we work.",
        "action_items" => "Each action item is specific, owned and dated; list them in the front matter as [[action_items]] too.",
        _ => "Fill in this section, or write why it does not apply.",
    }
}

/// The file text of a new postmortem.
pub(crate) fn new_postmortem(
    title: &str,
    date: NaiveDate,
    severity: &str,
    config: &Config,
) -> String {
    let mut out = String::new();
    out.push_str("+++\n");
    out.push_str(&format!("title = {}\n", toml_str(title)));
    out.push_str(&format!(
        "date = {date}T00:00:00Z  # when the incident started (UTC)\n"
    ));
    out.push_str(&format!(
        "severity = {}  # {}\n",
        toml_str(severity),
        config.severities.join(", ")
    ));
    out.push_str("status = \"draft\"  # draft | review | published\n");
    out.push_str("visibility = \"internal\"  # internal | restricted\n");
    out.push_str("summary = \"\"\n");
    out.push_str("services = []\nteams = []\nauthors = []\n");
    let vocab: Vec<&str> = config
        .factors
        .themes
        .keys()
        .map(String::as_str)
        .take(12)
        .collect();
    if vocab.is_empty() {
        out.push_str("contributing_factors = []\n");
    } else {
        out.push_str(&format!(
            "contributing_factors = []  # e.g. {}\n",
            vocab.join(", ")
        ));
    }
    out.push_str("tags = []\nrecurrence_of = []  # ids of earlier incidents of the same class\nnear_miss = false\n");
    out.push_str("reviewers = []  # who reviewed this postmortem (the peer review)\n\n");
    out.push_str(&format!("[timing]\n# detected = {date}T00:00:00Z\n# mitigated = {date}T00:00:00Z\n# resolved = {date}T00:00:00Z\n# published = {date}\n\n"));
    out.push_str("[impact]\n# users_affected = 0\n\n");
    out.push_str("# [[action_items]]\n# id = \"AI-1\"\n# title = \"Specific change, where, and how we will know it is done\"\n# owner = \"team\"\n# due = 2025-01-31\n# status = \"open\"  # open | in-progress | done | wontfix\n# kind = \"prevent\"  # prevent | mitigate | detect | process\n# priority = \"P2\"  # P0..P3\n");
    out.push_str("\n# Who took part in the analysis, one table each (roles are free text, compared ignoring case).\n# [[participants]]\n# name = \"\"\n# role = \"Incident commander\"\n");
    out.push_str("+++\n");
    for s in &config.sections.known {
        out.push_str(&format!(
            "\n## {}\n\n<!-- {} -->\n",
            s.title,
            prompt(&s.key)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_postmortem_parses_and_has_every_section() {
        let config = Config::default();
        let text = new_postmortem(
            "DNS \"outage\"",
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            "SEV2",
            &config,
        );
        let front = text.split("+++").nth(1).unwrap();
        let t: toml::Table = toml::from_str(front).unwrap();
        assert_eq!(t["title"].as_str(), Some("DNS \"outage\""));
        assert_eq!(t["reviewers"].as_array().map(Vec::len), Some(0));
        assert!(text.contains("# [[participants]]\n# name = \"\"\n# role = "));
        for s in &config.sections.known {
            assert!(text.contains(&format!("## {}\n", s.title)));
        }
    }
}
