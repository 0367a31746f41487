//! pmarchive compiles a folder of blameless postmortems into a static site.
//!
//! Data flows one way (see `ARCHITECTURE.md`): [`content`] reads and parses the files into the
//! [`model`]; [`enrich`] keeps what may be published and derives taxonomies and recurrence
//! links; [`search`] indexes it and [`similar`] links each incident to the ones like it; [`render`] turns that into files as data; [`output`] writes them. The [`cli`] resolves
//! arguments and configuration once and drives [`build`].

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
pub(crate) mod init;
pub(crate) mod insights;
pub(crate) mod model;
pub(crate) mod output;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod scaffold;
pub(crate) mod search;
pub(crate) mod serve;
pub(crate) mod similar;
pub(crate) mod swap;
pub(crate) mod text;
pub(crate) mod weburl;

/// What the integration tests (`tests/suite`) reach inside the crate: the search index and the
/// analyzer they compare the browser client with. Not an API.
#[doc(hidden)]
pub mod testing {
    pub use crate::config::Config;
    pub use crate::content::{read_archive, Highlighter};
    pub use crate::enrich::enrich;
    pub use crate::search::analyzer::{analyzer, terms};
    pub use crate::search::query::{parse_query, ParsedQuery};
    pub use crate::search::{SearchIndex, FACETS};
}
