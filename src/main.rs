//! The `pmarchive` binary: everything lives in the library; this only runs the CLI.

/// mimalloc reuses freed memory across the rayon workers instead of handing fresh (zeroed)
/// pages back and forth with the kernel, which glibc's allocator did for every large page
/// buffer (a fifth of a 10,000-postmortem build was the kernel clearing pages).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pmarchive::cli::run()
}
