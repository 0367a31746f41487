//! The integration test binary: builds fixture sites with the real `pmarchive` binary and
//! asserts on the output.

mod browser;
mod build;
mod check;
mod check_ci;
mod config_errors;
mod corpus;
mod editor;
mod files;
mod fuzzed;
mod generator;
mod harness;
mod hostile;
mod hosting;
mod import;
mod init;
mod inject;
mod insights;
mod interrupt;
mod invalid;
mod leak;
mod listings;
mod names;
mod paths;
mod search;
mod semantic;
mod serve;
mod serve_http;
mod similar;
mod strict;
mod structure;
mod tracker;
mod trust;
