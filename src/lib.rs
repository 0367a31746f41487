//! pmarchive compiles a folder of blameless postmortems into a static site.
//!
//! Data flows one way (see `ARCHITECTURE.md`): [`content`] reads and parses the files into the
//! [`model`]; [`enrich`] keeps what may be published and derives taxonomies and recurrence
//! links; [`search`] indexes it and [`similar`] links each incident to the ones like it; [`render`] turns that into files as data; [`output`] writes them. The [`cli`] resolves
//! arguments and configuration once and drives [`build`].

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
pub mod search;
pub mod serve;
pub mod similar;
pub mod swap;
pub mod text;
pub mod weburl;
