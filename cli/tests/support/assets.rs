//! Finding the asset cache for the CLI's tests, where the `lensmith` binary will look
//! (`$LENSMITH_HOME`, else `~/.cache/lensmith`). Tests that need the real models skip with
//! a loud reason when `cargo xtask setup` has not run, and fail instead when
//! `LENSMITH_REQUIRE_ASSETS=1` (as `cargo xtask test` and CI set it).
//! Each test file includes this module and uses part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

use lensmith_runtime::models::{AssetCache, ModelKind};

/// The cache with every file `lensmith track` needs, or `None` after printing why not.
pub fn cache_or_skip(test: &str) -> Option<AssetCache> {
    // The binary finds its cache through the same lookup, so both agree on the folder.
    let problem = match AssetCache::locate() {
        Ok(cache) => {
            let checks = [
                cache.onnxruntime_library().err(),
                cache.model(ModelKind::FaceDetector).err(),
                cache.model(ModelKind::FaceLandmarks).err(),
                cache.face_geometry().err(),
                cache.sample_photo().err(),
            ];
            match checks.into_iter().flatten().next() {
                None => return Some(cache),
                Some(error) => error.to_string(),
            }
        }
        Err(error) => error.to_string(),
    };
    if std::env::var_os("LENSMITH_REQUIRE_ASSETS").is_some_and(|value| value == "1") {
        panic!(
            "{test}: the model cache is required here (LENSMITH_REQUIRE_ASSETS=1) but {problem}"
        );
    }
    // Straight to stderr, not `eprintln!`, which the test harness captures and hides for
    // passing tests: a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED {test}: {problem}\n*** Run `cargo xtask setup` (or `cargo xtask test`) to run it.\n"
    );
    None
}

/// The astronaut portrait (512x512) in the cache.
pub fn astronaut(cache: &AssetCache) -> PathBuf {
    cache.sample_photo().expect("checked by cache_or_skip")
}
