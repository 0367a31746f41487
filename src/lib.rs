//! pmarchive compiles a folder of blameless postmortems into a static site.
//!
//! Data flows one way (see `ARCHITECTURE.md`): [`content`] reads and parses the files into the
//! [`model`]; [`enrich`] keeps what may be published and derives taxonomies and recurrence
//! links; [`search`] indexes it and [`similar`] links each incident to the ones like it; [`render`] turns that into files as data; [`output`] writes them. The [`cli`] resolves
//! arguments and configuration once and drives [`build`].

/// The version `--version` prints: the package version, and the commit it was built from when
/// it was built from a git checkout (`build.rs`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("PMARCHIVE_COMMIT_SUFFIX"));

pub mod annotations;
pub mod audience;
pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod enrich;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod init;
pub mod insights;
pub mod model;
pub mod output;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod similar;
pub mod swap;
pub mod text;
pub mod weburl;
