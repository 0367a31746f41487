//! Web addresses the site links to or is served from: which are safe to link (`http(s)` only),
//! a tracker ticket's address from its template, and the path part of the base URL.

/// Only http(s) addresses are shown as links; anything else (`javascript:`) is not a link.
pub(crate) fn is_web_url(u: &str) -> bool {
    let l = u.trim().to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://")
}

/// `text` with every byte outside the unreserved set (`A-Z a-z 0-9 - . _ ~`) percent-encoded,
/// so a ticket id can only ever fill its one place in a URL template.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A URL path with every byte outside printable ASCII (and space, `"`, `<`, `>`) percent-encoded:
/// a page of a name in any script (`teams/платежи/`) as a sitemap must list it.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'%') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path of an absolute base URL, with one leading and one trailing slash
/// (`https://pm.example.com/eng/pm` -> `/eng/pm/`); `/` without a base URL or path.
pub(crate) fn base_path(base_url: &str) -> String {
    let rest = base_url
        .trim()
        .split_once("://")
        .map_or("", |(_, rest)| rest);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    // No query or fragment belongs in a base.
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.trim_matches('/');
    if path.is_empty() {
        "/".into()
    } else {
        format!("/{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_only() {
        assert!(is_web_url("https://example.com"));
        assert!(is_web_url(" HTTP://example.com/x"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("PAY-12"));
    }

    #[test]
    fn encoding_keeps_ids_and_escapes_the_rest() {
        assert_eq!(percent_encode("PAY-12"), "PAY-12");
        assert_eq!(percent_encode("a b/c?d#é"), "a%20b%2Fc%3Fd%23%C3%A9");
    }

    #[test]
    fn paths_are_encoded_outside_ascii() {
        assert_eq!(encode_path("teams/payments/"), "teams/payments/");
        assert_eq!(encode_path("teams/é x/"), "teams/%C3%A9%20x/");
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path(""), "/");
        assert_eq!(base_path("https://pm.example.com"), "/");
        assert_eq!(base_path("https://pm.example.com/"), "/");
        assert_eq!(base_path("https://pm.example.com/eng/pm"), "/eng/pm/");
        assert_eq!(base_path("http://h:8080/a/?q=1"), "/a/");
    }
}
