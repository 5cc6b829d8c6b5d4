//! The configuration file: TOML read into the settings the server runs with
//! (`tessera::config::resolve_common`, from a file as `--config` gives it),
//! then the pools, clients, groups and users it declares created over a real
//! store (`tessera::declared::apply`), as `tessera serve` does at start.
//!
//! Input: the file's text. (A `secret_file` naming anything but a regular
//! file is skipped: reading /dev/zero is the operator's choice, not a bug.)
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tessera::cli::CommonArgs;
use tessera::config::{FileConfig, resolve_common};
use tessera_core::clock::Timestamp;
use tessera_fuzz::world::{World, scratch_dir};

struct Setup {
    world: World,
    file: PathBuf,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| Setup {
    world: World::new(Timestamp(1_800_000_000_000)),
    file: scratch_dir("config").join("tessera.toml"),
});

fn only_regular_secret_files(file: &FileConfig) -> bool {
    let paths = file
        .access_keys
        .iter()
        .filter_map(|k| k.secret_file.as_ref())
        .chain(file.smtp.as_ref().and_then(|s| s.password_file.as_ref()))
        .chain(
            file.triggers
                .iter()
                .filter_map(|t| t.secret_access_key_file.as_ref()),
        );
    paths.into_iter().all(|p| p.is_file())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // What the file says, before it is applied: refused keys are named.
    let parsed = toml::from_str::<FileConfig>(text);
    if let Ok(file) = &parsed
        && !only_regular_secret_files(file)
    {
        return;
    }
    let setup = &*SETUP;
    std::fs::write(&setup.file, data).expect("writing the config file");
    let resolved = resolve_common(&CommonArgs {
        data_dir: None,
        store: None,
        config: Some(setup.file.clone()),
    });
    let Ok(config) = resolved else {
        return;
    };
    assert!(parsed.is_ok(), "resolved a file that does not parse");
    let _ = format!("{config:?}");
    let world = &setup.world;
    let _ = world.runtime.block_on(tessera::declared::apply(
        &world.services,
        &config.region,
        &config.pools,
    ));
});
