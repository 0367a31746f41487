//! The `pmarchive` binary: everything lives in the library; this only runs the CLI.

fn main() -> std::process::ExitCode {
    pmarchive::cli::run()
}
