//! The `recto` command: a thin shell around the library.
//!
//! Everything here is about files, flags and terminals; the repair itself is
//! `recto::Pipeline`, and what is printed comes from `recto::report`.

mod cli;

/// The allocator of the `recto` command (the library leaves the choice to its users).
///
/// Cleaning allocates and frees small strings and vectors at a high rate (fixes, edits,
/// change records, per-document tables), across rayon's threads. mimalloc takes the
/// 120 dev documents in 2.9% fewer instructions than glibc's allocator (callgrind) and
/// the in-process pipeline benchmark in about 4% less CPU time (`RUNS=10
/// examples/stage_speed default` with this allocator: 213-229 ms against 227-232 ms,
/// interleaved, four pairs). The price is a larger resident set while idle memory is
/// kept for reuse (README, Measured).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::main());
}
