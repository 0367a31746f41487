//! pmarchive compiles a folder of blameless postmortems into a static site.
//!
//! Data flows one way (see `ARCHITECTURE.md`): [`content`] reads and parses the files into the
//! [`model`]; [`enrich`] keeps what may be published and derives taxonomies and recurrence
//! links; [`search`] indexes it and [`similar`] links each incident to the ones like it; [`render`] turns that into files as data; [`output`] writes them. The [`cli`] resolves
//! arguments and configuration once and drives [`build`].

/// The version `--version` prints: the package version, and the commit it was built from when
/// it was built from a git checkout (`build.rs`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("PMARCHIVE_COMMIT_SUFFIX"));

pub(crate) mod annotations;
pub(crate) mod audience;
pub(crate) mod build;
pub(crate) mod check;
pub mod cli;
pub(crate) mod config;
pub(crate) mod content;
pub(crate) mod enrich;
pub(crate) mod error;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod insights;
pub(crate) mod model;
pub(crate) mod output;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod scaffold;
pub(crate) mod schema;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod similar;
pub(crate) mod swap;
pub(crate) mod text;
pub(crate) mod weburl;

/// What the integration tests (`tests/suite`) reach inside the crate: the search index and the
/// analyzer they compare the browser client with, the front-matter reader the schema test
/// validates documents through. Not an API.
#[doc(hidden)]
pub mod testing {
    pub use crate::config::Config;
    /// The front matter of a document as JSON (what the editors' schema describes).
    pub fn front_matter_json(text: &str) -> serde_json::Value {
        let split = crate::content::frontmatter::split(text).expect("front matter");
        let front = crate::content::frontmatter::parse(&split).expect("readable front matter");
        serde_json::to_value(&front.map).expect("JSON")
    }
    pub use crate::content::{read_archive, Highlighter};
    pub use crate::enrich::enrich;
    pub use crate::search::analyzer::{analyzer, terms};
    pub use crate::search::query::{parse_query, ParsedQuery};
    pub use crate::search::{SearchIndex, FACETS};
}
