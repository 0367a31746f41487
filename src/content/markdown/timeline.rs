//! The timeline section's bullets as timestamped events.

use super::*;

/// Parses timeline bullets (`- 14:02 UTC: text`, `- 2024-03-01 23:50 UTC: text`,
/// `- **14:02** text`). Times are resolved against the incident date and roll over midnight
/// when they go back by more than 12 hours.
pub(crate) fn parse_timeline(
    markdown: &str,
    first_line: usize,
    date: Option<When>,
) -> Vec<TimelineEvent> {
    let mut out = Vec::new();
    let mut day: Option<NaiveDate> = date.map(|d| d.date());
    let mut prev: Option<DateTime<Utc>> = None;
    for (n, line) in markdown.lines().enumerate() {
        let t = line.trim_start();
        let Some(rest) = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))
            .or_else(|| t.strip_prefix("+ "))
        else {
            continue;
        };
        if line.len() - t.len() >= 2 {
            continue; // nested bullet: part of the previous event
        }
        let (label, explicit_date, time, text) = split_time(rest.trim());
        let mut at = None;
        if let Some(time) = time {
            if let Some(d) = explicit_date {
                day = Some(d);
            }
            if let Some(d) = day {
                let mut candidate = d.and_time(time).and_utc();
                if explicit_date.is_none() {
                    if let Some(p) = prev {
                        while candidate < p - Duration::hours(12) {
                            candidate += Duration::days(1);
                        }
                    }
                }
                day = Some(candidate.date_naive());
                prev = Some(candidate);
                at = Some(candidate);
            }
        }
        out.push(TimelineEvent {
            label,
            at,
            text: plain_text(text),
            line: first_line + n,
        });
    }
    out
}

/// Splits a bullet into (label, date, time, rest).
pub(super) fn split_time(s: &str) -> (String, Option<NaiveDate>, Option<NaiveTime>, &str) {
    let unbold = s.strip_prefix("**").unwrap_or(s);
    let mut rest = unbold;
    let mut date = None;
    if rest.len() >= 11 && rest.is_char_boundary(10) {
        if let Ok(d) = NaiveDate::parse_from_str(&rest[..10], "%Y-%m-%d") {
            if matches!(rest.as_bytes()[10], b' ' | b'T') {
                date = Some(d);
                rest = &rest[11..];
            }
        }
    }
    let digits: usize = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) || rest.as_bytes().get(digits) != Some(&b':') {
        return (String::new(), None, None, s);
    }
    let mut end = digits + 1;
    let mins = rest[end..].bytes().take_while(u8::is_ascii_digit).count();
    if mins != 2 {
        return (String::new(), None, None, s);
    }
    end += 2;
    if rest.as_bytes().get(end) == Some(&b':')
        && rest[end + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count()
            == 2
    {
        end += 3;
    }
    let Ok(time) =
        NaiveTime::parse_from_str(&rest[..end], if end > 5 { "%H:%M:%S" } else { "%H:%M" })
    else {
        return (String::new(), None, None, s);
    };
    let mut after = &rest[end..];
    for zone in [" UTC", "Z", " GMT"] {
        if let Some(a) = after.strip_prefix(zone) {
            after = a;
            break;
        }
    }
    let label_len = unbold.len() - after.len();
    let label = unbold[..label_len].trim().to_string();
    let after = after.trim_start_matches("**").trim_start();
    let after = after
        .strip_prefix(':')
        .or_else(|| after.strip_prefix('-'))
        .or_else(|| after.strip_prefix('–'))
        .or_else(|| after.strip_prefix('—'))
        .unwrap_or(after)
        .trim_start();
    (label, date, Some(time), after)
}
