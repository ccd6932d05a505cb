//! The `recto` command: a thin shell around the library.
//!
//! Everything here is about files, flags and terminals; the repair itself is
//! `recto::Pipeline`, and what is printed comes from `recto::report`.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
