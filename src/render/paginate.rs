//! Pagination of listings: page 1 at a listing's path, page n at `path/page/n/`, with the
//! links templates show.

use serde::Serialize;

/// Postmortems per page of a listing.
pub(crate) const PER_PAGE: usize = 50;

/// One page link of a paginated listing.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageLink {
    /// 1-based page number.
    pub number: usize,
    /// URL relative to the root.
    pub url: String,
}

/// Where a page sits in a paginated listing (`null` in templates when there is one page).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Paginator {
    /// 1-based current page.
    pub current: usize,
    /// Number of pages.
    pub pages: usize,
    /// Previous page URL.
    pub prev: Option<String>,
    /// Next page URL.
    pub next: Option<String>,
    /// The first and last pages and those near the current one.
    pub links: Vec<PageLink>,
}

/// Splits `cards` into pages of [`PER_PAGE`]: page 1 at `path`, page n at `path/page/n/`.
pub(crate) fn paginate<T>(path: &str, cards: Vec<T>) -> Vec<(String, Vec<T>, Option<Paginator>)> {
    paginate_by(path, cards, PER_PAGE)
}

/// [`paginate`] with `per_page` items a page.
pub(crate) fn paginate_by<T>(
    path: &str,
    cards: Vec<T>,
    per_page: usize,
) -> Vec<(String, Vec<T>, Option<Paginator>)> {
    let per_page = per_page.max(1);
    let pages = cards.len().div_ceil(per_page).max(1);
    if pages == 1 {
        return vec![(path.to_string(), cards, None)];
    }
    let url = |n: usize| {
        if n == 1 {
            path.to_string()
        } else {
            format!("{path}page/{n}/")
        }
    };
    let mut out = Vec::with_capacity(pages);
    // Each page gets its own exactly sized list: splitting the tail off one list would leave
    // every page holding the capacity of all the pages after it (quadratic memory: 3.6 GB for
    // the action register of 50,000 postmortems).
    let mut rest = cards.into_iter();
    for n in 1..=pages {
        let page: Vec<T> = rest.by_ref().take(per_page).collect();
        out.push((
            url(n),
            page,
            Some(Paginator {
                current: n,
                pages,
                prev: (n > 1).then(|| url(n - 1)),
                next: (n < pages).then(|| url(n + 1)),
                links: (1..=pages)
                    .filter(|&k| k == 1 || k == pages || k.abs_diff(n) <= 3)
                    .map(|k| PageLink {
                        number: k,
                        url: url(k),
                    })
                    .collect(),
            }),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_hold_only_their_own_items() {
        let pages = paginate_by("actions/", (0..1000).collect::<Vec<u32>>(), 10);
        assert_eq!(pages.len(), 100);
        assert_eq!(pages[99].1, (990..1000).collect::<Vec<u32>>());
        assert_eq!(pages[1].0, "actions/page/2/");
        // Not the capacity of the rest of the list: that made memory quadratic.
        assert!(pages.iter().all(|(_, items, _)| items.capacity() <= 10));
    }
}
