//! Small text helpers shared by every stage: slugs, offsets to line/column, human durations,
//! and the page URLs and dates that both the pages and the search index show.

use chrono::{Datelike, NaiveDate};

/// A URL- and file-name-safe slug: lowercase ASCII letters and digits separated by single `-`.
/// Other scripts are transliterated first ([deunicode]: `Zürich-Ops` is `zurich-ops`, `Платежи`
/// `platezhi`, `決済` `jue-ji`); what has no transliteration is left out, and an empty result
/// becomes `"x"`.
pub(crate) fn slugify(s: &str) -> String {
    let latin: std::borrow::Cow<'_, str> = if s.is_ascii() {
        s.into()
    } else {
        deunicode::deunicode(s).into()
    };
    let mut out = String::with_capacity(latin.len());
    let mut dash = false;
    for c in latin.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        out.push('x');
    }
    out.truncate(120);
    out
}

/// 1-based (line, column) of byte `offset` in `text`; the column counts characters.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, text[line_start..offset].chars().count() + 1)
}

/// A duration in minutes as people write it: `7 min`, `1 h 38 min`, `2 d 3 h`.
pub(crate) fn human_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    let (d, h, mm) = (m / 1440, (m % 1440) / 60, m % 60);
    let s = match (d, h, mm) {
        (0, 0, mm) => format!("{mm} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, mm) => format!("{h} h {mm} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    };
    format!("{sign}{s}")
}

/// Collapses runs of whitespace into single spaces and trims.
pub(crate) fn squash_ws(s: &str) -> String {
    // What `split_whitespace().join(" ")` gives, without the list of words: a whole body's
    // text goes through here.
    // Bytes below 0x80 are whole characters, tested without decoding (most text is ASCII).
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut word: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let (space, len) = match bytes[i] {
            b if b.is_ascii() => (matches!(b, b' ' | b'\t'..=b'\r'), 1),
            _ => s[i..]
                .chars()
                .next()
                .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
        };
        match (space, word) {
            (true, Some(start)) => {
                push_word(&mut out, &s[start..i]);
                word = None;
            }
            (false, None) => word = Some(i),
            _ => {}
        }
        i += len;
    }
    if let Some(start) = word {
        push_word(&mut out, &s[start..]);
    }
    out
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// URL of a postmortem page, relative to the root.
pub(crate) fn postmortem_url(id: &str) -> String {
    format!("postmortems/{id}/")
}

/// `3 Feb 2025`.
pub(crate) fn date_display(d: NaiveDate) -> String {
    // What `%-d %b %Y` gives, without parsing the format for each of the hundreds of
    // thousands of dates a large archive shows.
    match d.year() {
        y @ 0..=9999 => format!("{} {} {y:04}", d.day(), MONTHS[d.month0() as usize]),
        _ => d.format("%-d %b %Y").to_string(),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The year of `d` as `%Y` gives it.
pub(crate) fn year_display(d: NaiveDate) -> String {
    match d.year() {
        y @ 0..=9999 => format!("{y:04}"),
        _ => d.format("%Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squashing_joins_the_words_with_single_spaces() {
        for s in [
            "",
            "   ",
            "one",
            "  one  two\t\nthree  ",
            "a\u{a0}b\u{2003}\u{3000}c",
            "é  ✓\r\n x",
        ] {
            assert_eq!(
                squash_ws(s),
                s.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
        assert_eq!(squash_ws(" a \n b "), "a b");
        // Every ASCII character, and the other whitespace (NEL, ogham space mark...).
        let all: String = (0u8..128)
            .map(char::from)
            .chain(['\u{85}', '\u{1680}', '\u{2028}', 'é'])
            .flat_map(|c| ['a', c, 'b'])
            .collect();
        assert_eq!(
            squash_ws(&all),
            all.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Config Change"), "config-change");
        assert_eq!(slugify("  --DNS__ "), "dns");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("Zürich-Ops"), "zurich-ops");
        assert_eq!(slugify("Платежи"), "platezhi");
        assert_eq!(slugify("決済"), "jue-ji");
        assert_eq!(slugify("\u{202e}"), "x");
    }

    #[test]
    fn offsets() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 7), (2, 4));
        assert_eq!(line_col(t, 999), (3, 2));
    }

    #[test]
    fn durations() {
        assert_eq!(human_minutes(7), "7 min");
        assert_eq!(human_minutes(98), "1 h 38 min");
        assert_eq!(human_minutes(120), "2 h");
        assert_eq!(human_minutes(3060), "2 d 3 h");
    }

    #[test]
    fn dates_read_as_chrono_formats_them() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        let mut checked = 0;
        while d.year() < 2003 {
            assert_eq!(date_display(d), d.format("%-d %b %Y").to_string());
            assert_eq!(year_display(d), d.format("%Y").to_string());
            d = d.succ_opt().unwrap();
            checked += 1;
        }
        assert!(checked > 1000);
        for y in [-5, 0, 7, 999, 9999, 10000, 262000] {
            let d = NaiveDate::from_ymd_opt(y, 3, 1).unwrap();
            assert_eq!(date_display(d), d.format("%-d %b %Y").to_string(), "{y}");
            assert_eq!(year_display(d), d.format("%Y").to_string(), "{y}");
        }
    }
}
