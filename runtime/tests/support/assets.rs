//! Finding the asset cache for tests: tests that need the real models skip with a loud
//! reason when `cargo xtask setup` has not run, and fail instead when
//! `LENSMITH_REQUIRE_ASSETS=1` (as `cargo xtask test` and CI set it).
//! Each test file includes this module and uses part of it.
#![allow(dead_code)]

use effect_api::Frame;
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::models::{AssetCache, ModelKind};

/// The cache with every model and the sample photo, or `None` after printing why not.
pub fn cache_or_skip(test: &str) -> Option<AssetCache> {
    let problem = match AssetCache::locate() {
        Ok(cache) => {
            let checks = [
                cache.onnxruntime_library().err(),
                cache.model(ModelKind::FaceDetector).err(),
                cache.model(ModelKind::FaceLandmarks).err(),
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
    eprintln!(
        "\n*** SKIPPED {test}: {problem}\n*** Run `cargo xtask setup` (or `cargo xtask test`) to run it.\n"
    );
    None
}

/// The astronaut portrait from the cache.
pub fn astronaut(cache: &AssetCache) -> Frame {
    let path = cache.sample_photo().expect("checked by cache_or_skip");
    read_rgb_frame(&path).expect("the sample photo in the cache is verified by setup")
}
