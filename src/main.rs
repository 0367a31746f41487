//! The `pmarchive` binary: everything lives in the library; this only runs the CLI.

/// mimalloc reuses freed memory across the rayon workers instead of handing fresh (zeroed)
/// pages back and forth with the kernel, which glibc's allocator did for every large page
/// buffer (a fifth of a 10,000-postmortem build was the kernel clearing pages).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (libmimalloc-sys names only some
/// options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Memory freed between phases is kept for the next one rather than returned to the kernel
    // after 10 ms: a build frees and re-allocates hundreds of megabytes as it goes from phase to
    // phase and page to page, and each return cost a page fault and a cleared (huge) page on
    // the next allocation, a tenth of a 10,000-postmortem build's CPU time. The peak is
    // unchanged: the process holds what it held at its largest either way.
    // SAFETY: sets an integer option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    pmarchive::cli::run()
}
