//! The integration test binary: builds fixture sites with the real `pmarchive` binary and
//! asserts on the output.

mod browser;
mod build;
mod check;
mod config_errors;
mod corpus;
mod files;
mod fuzzed;
mod harness;
mod hostile;
mod hosting;
mod init;
mod inject;
mod insights;
mod interrupt;
mod invalid;
mod leak;
mod names;
mod paths;
mod search;
mod serve;
mod similar;
mod strict;
mod structure;
mod tracker;
mod trust;
