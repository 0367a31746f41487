//! The integration test binary: builds fixture sites with the real `pmarchive` binary and
//! asserts on the output.

mod browser;
mod build;
mod check;
mod check_ci;
mod config_errors;
mod corpus;
mod editor;
mod fuzzed;
mod generator;
mod harness;
mod hostile;
mod inject;
mod insights;
mod interrupt;
mod invalid;
mod leak;
mod paths;
mod search;
mod serve;
mod similar;
mod structure;
mod trust;
