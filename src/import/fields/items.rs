//! An action item's table: its columns, or for an item of a list the owner and due date its
//! text gives, read as our `[[action_items]]` fields.

use super::*;

pub(super) fn item_status(raw: &str) -> Option<&'static str> {
    let t = norm_key(raw);
    Some(match t.as_str() {
        "done" | "complete" | "completed" | "closed" | "fixed" | "resolved" | "shipped" | "yes" => {
            "done"
        }
        "in progress" | "started" | "doing" | "wip" | "ongoing" | "in review" => "in-progress",
        "won t fix" | "wontfix" | "won t do" | "declined" | "cancelled" | "canceled"
        | "rejected" | "obsolete" => "wontfix",
        "open" | "todo" | "to do" | "not started" | "new" | "backlog" | "planned" | "no" => "open",
        _ => return None,
    })
}

pub(super) fn priority(raw: &str) -> Option<&'static str> {
    let t = norm_key(raw);
    Some(match t.as_str() {
        "p0" | "critical" | "urgent" | "highest" => "P0",
        "p1" | "high" => "P1",
        "p2" | "medium" | "normal" => "P2",
        "p3" | "low" | "lowest" => "P3",
        _ => return None,
    })
}

pub(super) fn kind(raw: &str) -> Option<&'static str> {
    let t = norm_key(raw);
    Some(match t.split(' ').next().unwrap_or("") {
        "prevent" | "prevention" | "preventive" | "preventative" => "prevent",
        "mitigate" | "mitigation" | "repair" => "mitigate",
        "detect" | "detection" | "monitoring" => "detect",
        "process" => "process",
        _ => return None,
    })
}

/// A ticket id such as `PAY-12`.
pub(super) fn ticket_id(s: &str) -> Option<&str> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .find(|w| {
            let Some((a, b)) = w.split_once('-') else {
                return false;
            };
            a.len() >= 2
                && a.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && a.starts_with(|c: char| c.is_ascii_uppercase())
                && !b.is_empty()
                && b.chars().all(|c| c.is_ascii_digit())
        })
}

/// The owner and due date an action item of a list gives in its text (when no column does):
/// "Add an alert (owner: sre, due: 2024-04-01)" (the parenthesis is taken off the title),
/// "@sre", "by 2024-04-01".
pub(super) fn from_list_text(
    title: &mut String,
    owner: &mut Option<String>,
    due: &mut Option<String>,
) {
    if let Some(open) = title.rfind(" (") {
        let inner = title[open + 2..].trim_end_matches(')').to_string();
        if title.ends_with(')') && (inner.contains("owner") || inner.contains("due")) {
            for part in inner.split([',', ';']) {
                if let Some((k, v)) = part.split_once(':') {
                    match norm_key(k).as_str() {
                        "owner" | "assignee" => {
                            *owner = Some(v.trim().trim_start_matches('@').to_string())
                        }
                        "due" | "due date" | "by" => *due = Some(v.trim().to_string()),
                        _ => {}
                    }
                }
            }
            title.truncate(open);
        }
    }
    if owner.is_none() {
        *owner = title
            .split_whitespace()
            .find(|w| w.starts_with('@') && w.len() > 1)
            .map(|w| {
                w.trim_start_matches('@')
                    .trim_end_matches([',', '.', ')'])
                    .to_string()
            });
    }
    if due.is_none() {
        *due = title
            .split_whitespace()
            .find(|w| {
                NaiveDate::parse_from_str(w.trim_end_matches([',', '.', ')']), "%Y-%m-%d").is_ok()
            })
            .map(|w| w.trim_end_matches([',', '.', ')']).to_string());
    }
}

/// One action item's table: `id`, `title` and whatever its columns or text give.
pub(super) fn action_item(n: usize, item: &RawItem, notes: &mut Vec<String>) -> toml::Table {
    let mut t = toml::Table::new();
    t.insert("id".into(), Toml::String(format!("AI-{n}")));
    let cell = |name: &str| item.cells.iter().find(|(c, _)| *c == name).map(|(_, v)| v);
    let empty = Text::default();
    let title = cell("title").unwrap_or(&empty);
    let mut title_text = title.text.clone();
    let mut owner = cell("owner").map(|o| o.text.trim_start_matches('@').to_string());
    let mut due = cell("due").map(|d| d.text.clone());
    let is_list = item.cells.len() == 1;
    if is_list {
        from_list_text(&mut title_text, &mut owner, &mut due);
    }
    t.insert("title".into(), Toml::String(title_text.trim().to_string()));
    if let Some(o) = owner.filter(|o| !o.is_empty()) {
        t.insert("owner".into(), Toml::String(o));
    }
    if let Some(d) = due.filter(|d| !d.trim().is_empty()) {
        match when(&d) {
            Some((day, _)) => {
                t.insert("due".into(), date(day));
            }
            None => notes.push(format!(
                "action item {n}: due `{d}` is not a date pmarchive reads"
            )),
        }
    }
    let status = match (cell("status"), item.checked) {
        (Some(s), _) if !s.text.is_empty() => {
            let st = item_status(&s.text);
            if st.is_none() {
                notes.push(format!(
                    "action item {n}: status `{}` is none of open, in-progress, done, wontfix",
                    s.text
                ));
            }
            st
        }
        (_, Some(true)) => Some("done"),
        (_, Some(false)) => Some("open"),
        _ => None,
    };
    if let Some(s) = status {
        t.insert("status".into(), Toml::String(s.into()));
    }
    if let Some(k) = cell("kind").and_then(|k| kind(&k.text)) {
        t.insert("kind".into(), Toml::String(k.into()));
    }
    if let Some(p) = cell("priority").and_then(|p| priority(&p.text)) {
        t.insert("priority".into(), Toml::String(p.into()));
    }
    let link = cell("ticket")
        .and_then(|c| c.link.clone())
        .or_else(|| is_list.then(|| title.link.clone()).flatten())
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"));
    if let Some(l) = link {
        t.insert("url".into(), Toml::String(l));
    }
    let ticket_text = cell("ticket").map(|c| c.text.clone()).unwrap_or_else(|| {
        if is_list {
            title.text.clone()
        } else {
            String::new()
        }
    });
    if let Some(id) = ticket_id(&ticket_text) {
        t.insert("ticket".into(), Toml::String(id.to_string()));
    }
    t
}
