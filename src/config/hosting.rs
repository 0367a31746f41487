//! The settings about where the site lives and what it links to outside itself: `[links]`
//! (the action-item tracker) and `[site]` (what crawlers may do).

use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;
use crate::weburl::{is_web_url, percent_encode};

/// The placeholder a ticket template must hold.
pub(crate) const TICKET_PLACEHOLDER: &str = "{ticket}";

/// `[links]`: addresses built from ids in the front matter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinksConfig {
    /// The address of an action item's `ticket` in the tracker, with `{ticket}` where the id
    /// goes (`https://tracker.example.com/browse/{ticket}`); empty: tickets are shown unlinked.
    pub ticket: String,
}

impl LinksConfig {
    /// The tracker link of an action item: its own `url`, else its `ticket` through the
    /// template (the id percent-encoded), else none.
    pub fn action_link(&self, url: &str, ticket: &str) -> Option<String> {
        if !url.is_empty() {
            return Some(url.to_string());
        }
        if ticket.is_empty() || self.ticket.is_empty() {
            return None;
        }
        Some(
            self.ticket
                .replace(TICKET_PLACEHOLDER, &percent_encode(ticket)),
        )
    }
}

/// What robots may do with the site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Robots {
    /// `robots.txt` disallows everything and every page says `noindex` (an internal archive).
    #[default]
    Disallow,
    /// `robots.txt` allows everything (and names the sitemap when there is one).
    Allow,
}

/// `[site]`: hosting settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// `disallow` (default) or `allow`.
    pub robots: Robots,
    /// When set, the whole text of `robots.txt` instead of the generated one.
    pub robots_txt: String,
}

/// Validates `[links]`; `at` locates a setting in the file.
pub(super) fn validate_links(
    links: &LinksConfig,
    file: &std::path::Path,
    at: &dyn Fn(&str) -> (usize, usize),
    out: &mut Vec<Diagnostic>,
) {
    let t = &links.ticket;
    if t.is_empty() {
        return;
    }
    if !t.contains(TICKET_PLACEHOLDER) {
        out.push(
            Diagnostic::error(
                file,
                at("ticket"),
                "config/links",
                "`[links] ticket` must contain `{ticket}` where the ticket id goes",
            )
            .suggest("for example \"https://tracker.example.com/browse/{ticket}\""),
        );
    }
    if !is_web_url(t) {
        out.push(
            Diagnostic::error(
                file,
                at("ticket"),
                "config/links",
                "`[links] ticket` must be an http:// or https:// address",
            )
            .suggest("for example \"https://tracker.example.com/browse/{ticket}\""),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_prefer_the_url_then_the_template() {
        let l = LinksConfig {
            ticket: "https://t.example.com/browse/{ticket}".into(),
        };
        assert_eq!(
            l.action_link("https://x.example.com/1", "PAY-1").as_deref(),
            Some("https://x.example.com/1")
        );
        assert_eq!(
            l.action_link("", "PAY 1").as_deref(),
            Some("https://t.example.com/browse/PAY%201")
        );
        assert_eq!(l.action_link("", ""), None);
        assert_eq!(LinksConfig::default().action_link("", "PAY-1"), None);
    }
}
