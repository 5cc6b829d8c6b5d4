//! What the fuzz targets share: splitting an input into the fields a target
//! feeds its parser, the fixed test keys, and a world of services over a real
//! temporary SQLite store, built once per process.
//!
//! - [`text`]: inputs as lines, headers and bodies.
//! - [`keys`]: the SigV4 and JWT test keys the seed corpus is signed with.
//! - [`world`]: services with a pool, a client and users, on a fixed clock.

use std::sync::LazyLock;

pub mod keys;
pub mod text;
pub mod world;

/// `TESSERA_FUZZ_VERBOSE` set: targets print what each input got (for
/// writing seeds; off while fuzzing).
pub static VERBOSE: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("TESSERA_FUZZ_VERBOSE").is_some());
