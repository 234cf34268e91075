//! The faces catalogue's files (`distill/faces.toml`), which `cargo xtask test` fetches into
//! `$LENSMITH_HOME/faces` before it runs the tests, for tests that play them.

use std::path::PathBuf;

use lensmith_runtime::models::AssetCache;

/// The asset cache and the fetched faces folder; `None` (the test skipped, saying why)
/// when either is missing, or ffmpeg, which decodes the catalogue's files.
pub fn faces_or_skip(test: &str) -> Option<(AssetCache, PathBuf)> {
    let cache = lensmith_testkit::cache_or_skip(test)?;
    // `cargo xtask setup` does not fetch the faces.
    let remedy = "Run `cargo xtask test`, or fetch the catalogue's faces alone: cd distill && \
                  PYTHONPATH=src python -m lensmith_distill faces fetch";
    lensmith_testkit::cached_file_or_skip_with(test, &cache, "faces/index.json", remedy)?;
    if !lensmith_testkit::ffmpeg_or_skip(test) {
        return None;
    }
    let faces = cache.root().join("faces");
    Some((cache, faces))
}
