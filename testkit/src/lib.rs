//! What Lensmith's integration tests share: finding the model cache or skipping with a
//! loud reason, the sample photo, temporary folders and known motion of a photo. A
//! dev-dependency only; nothing here ships.

pub mod memcheck;
mod motion;
pub mod plugins;
mod temp_dir;

pub use motion::{Motion, mirrored};
pub use temp_dir::TempDir;

use std::io::Write;
use std::path::PathBuf;

use effect_api::Frame;
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::models::{AssetCache, ModelKind, ModelOptions};
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};

/// The workspace's root folder, where `effects/`, `examples/` and each crate are.
pub fn workspace_root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the testkit crate sits in the workspace root")
        .to_owned()
}

/// Says on the terminal that `test` did not run and why. It writes to stderr directly:
/// the test harness captures `eprintln!` and shows it only for failing tests, and a skip
/// must be seen.
pub fn announce_skip(test: &str, reason: &str, remedy: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED {test}: {reason}\n*** {remedy}\n"
    );
}

/// True when the environment variable `name` is `1`: the test must run here, so a missing
/// prerequisite is a failure rather than a skip.
pub fn required(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| value == "1")
}

/// The cache with the ONNX Runtime library, the face models (both detectors, the mesh, the
/// eye model), the face geometry and the
/// sample photo; or `None` after announcing the skip. With `LENSMITH_REQUIRE_ASSETS=1` (as
/// `cargo xtask test` and CI set it) a missing file fails the test instead.
pub fn cache_or_skip(test: &str) -> Option<AssetCache> {
    let problem = match AssetCache::locate() {
        Ok(cache) => {
            let checks = [
                cache.onnxruntime_library().err(),
                cache.model(ModelKind::FaceDetector).err(),
                cache.model(ModelKind::FaceDetectorFullRange).err(),
                cache.model(ModelKind::FaceLandmarks).err(),
                cache.model(ModelKind::IrisLandmarks).err(),
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
    if required("LENSMITH_REQUIRE_ASSETS") {
        panic!(
            "{test}: the model cache is required here (LENSMITH_REQUIRE_ASSETS=1) but {problem}"
        );
    }
    announce_skip(
        test,
        &problem,
        "Run `cargo xtask setup` (or `cargo xtask test`) to run it.",
    );
    None
}

/// True when every one of `tools` runs here: each is a program and arguments that make it
/// exit at once with success (`ffmpeg -version`). Otherwise announces why `test` is
/// skipped, naming the missing ones and `install` (how to get them); fails instead when
/// the environment variable `require` is `1` (as CI sets it), so a missing tool cannot go
/// unnoticed.
pub fn tools_or_skip(test: &str, tools: &[(&str, &[&str])], require: &str, install: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(program, arguments)| {
            !std::process::Command::new(program)
                .args(*arguments)
                .output()
                .is_ok_and(|output| output.status.success())
        })
        .map(|(program, _)| *program)
        .collect();
    if missing.is_empty() {
        return true;
    }
    let reason = format!(
        "`{}` cannot be run here (install with `{install}`)",
        missing.join("` and `")
    );
    if required(require) {
        panic!("{test}: required here ({require}=1) but {reason}");
    }
    announce_skip(
        test,
        &reason,
        &format!("Install {} to run it.", missing.join(" and ")),
    );
    false
}

/// True when `ffmpeg` runs; otherwise announces why `test` is skipped. Fails instead when
/// `LENSMITH_REQUIRE_FFMPEG=1` (as CI sets it), so a missing ffmpeg cannot go unnoticed.
pub fn ffmpeg_or_skip(test: &str) -> bool {
    tools_or_skip(
        test,
        &[("ffmpeg", &["-version"])],
        "LENSMITH_REQUIRE_FFMPEG",
        "apt-get install -y ffmpeg",
    )
}

/// A file `cargo xtask setup` puts in the cache (`relative` to its root), or `None` after
/// announcing the skip; with `LENSMITH_REQUIRE_ASSETS=1` a missing file fails the test.
pub fn cached_file_or_skip(test: &str, cache: &AssetCache, relative: &str) -> Option<PathBuf> {
    cached_file_or_skip_with(
        test,
        cache,
        relative,
        "Run `cargo xtask setup` (or `cargo xtask test`) to fetch it.",
    )
}

/// A file in the cache (`relative` to its root) that something other than `cargo xtask
/// setup` puts there, as `remedy` says, or `None` after announcing the skip; with
/// `LENSMITH_REQUIRE_ASSETS=1` a missing file fails the test.
pub fn cached_file_or_skip_with(
    test: &str,
    cache: &AssetCache,
    relative: &str,
    remedy: &str,
) -> Option<PathBuf> {
    let path = cache.root().join(relative);
    if path.is_file() {
        return Some(path);
    }
    let problem = format!("{} is missing", path.display());
    if required("LENSMITH_REQUIRE_ASSETS") {
        panic!(
            "{test}: the test data is required here (LENSMITH_REQUIRE_ASSETS=1) but {problem}; \
             {remedy}"
        );
    }
    announce_skip(test, &problem, remedy);
    None
}

/// A folder of the project's shared test data (`../shared/data/<relative>` beside the
/// workspace, or under `$LENSMITH_SHARED_DATA`), or `None` after announcing the skip. The
/// shared data is there for developers and CI, not on a user's fresh machine; with
/// `LENSMITH_REQUIRE_SHARED_DATA=1` a missing folder fails the test instead.
pub fn shared_data_or_skip(test: &str, relative: &str) -> Option<PathBuf> {
    let root = std::env::var_os("LENSMITH_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("..").join("shared").join("data"));
    let path = root.join(relative);
    if path.is_dir() {
        return Some(path);
    }
    let problem = format!("the shared test data {} is not here", path.display());
    if required("LENSMITH_REQUIRE_SHARED_DATA") {
        panic!("{test}: required here (LENSMITH_REQUIRE_SHARED_DATA=1) but {problem}");
    }
    announce_skip(
        test,
        &problem,
        "Point LENSMITH_SHARED_DATA at the project's shared data folder to run it.",
    );
    None
}

/// The path of the astronaut portrait (512×512) in a cache `cache_or_skip` checked.
pub fn astronaut_path(cache: &AssetCache) -> PathBuf {
    cache.sample_photo().expect("checked by cache_or_skip")
}

/// The astronaut portrait, decoded.
pub fn astronaut(cache: &AssetCache) -> Frame {
    read_rgb_frame(&astronaut_path(cache))
        .expect("the sample photo in the cache is verified by setup")
}

/// A tracker with `settings` and the astronaut portrait, or `None` after announcing why
/// `test` is skipped (see [`cache_or_skip`]).
pub fn tracker_or_skip(test: &str, settings: TrackerSettings) -> Option<(FaceTracker, Frame)> {
    let cache = cache_or_skip(test)?;
    let photo = astronaut(&cache);
    let tracker = FaceTracker::load(&cache, ModelOptions::default(), settings)
        .expect("the models in a cache cache_or_skip accepted load");
    Some((tracker, photo))
}

/// Copies the folder `from` into `to` (made if missing), leaving out the entries named in
/// `skip` at its top. Panics on an I/O error: a test cannot go on without its files.
pub fn copy_folder(from: &std::path::Path, to: &std::path::Path, skip: &[&str]) {
    std::fs::create_dir_all(to)
        .unwrap_or_else(|error| panic!("creating {}: {error}", to.display()));
    let entries = std::fs::read_dir(from)
        .unwrap_or_else(|error| panic!("listing {}: {error}", from.display()));
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|skipped| name == *skipped) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target, &[]);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|error| panic!("copying {}: {error}", entry.path().display()));
        }
    }
}
