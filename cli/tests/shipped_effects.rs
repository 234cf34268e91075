//! Every bundle the repository ships (`effects/*` and `examples/effects/*`) validates and
//! plays: `lensmith validate` finds nothing, and `lensmith render` on the sample photo
//! changes pixels on the face and leaves the photo's corners alone, or, for an effect
//! that only acts on something the photo does not show, leaves the photo as it was.
//!
//! A bundle with plugin layers ships without its libraries (`effects/*/plugins/` is
//! git-ignored): it is copied into a temporary folder and its plugin crate built into the
//! copy, never into the repository's own folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use effect_api::LayerKind;
use lensmith_runtime::plugin::build::install_library;
use lensmith_testkit::TempDir;

/// Bundles whose every layer waits for something the sample photo (a still portrait with
/// open eyes) does not show, each with why: on the photo they must render without error
/// and change nothing, which is all a still can show of them.
const UNCHANGED_ON_THE_PHOTO: [(&str, &str); 1] = [(
    "never-blink",
    "it covers eyes only while they blink, and the astronaut's eyes are open",
)];

/// The bundle folders under `effects/` and `examples/effects/`.
fn shipped_bundles() -> Vec<PathBuf> {
    let mut bundles = Vec::new();
    for parent in ["effects", "examples/effects"] {
        let entries = std::fs::read_dir(lensmith_testkit::workspace_root().join(parent))
            .unwrap_or_else(|error| panic!("reading {parent}: {error}"));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.join("effect.toml").is_file() {
                bundles.push(path);
            }
        }
    }
    bundles.sort();
    bundles
}

fn lensmith(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lensmith"))
        .args(args)
        .output()
        .expect("the lensmith binary cargo built runs")
}

/// The `library` keys of the bundle's plugin layers.
fn plugin_keys(bundle: &Path) -> Vec<String> {
    let label = bundle.join("effect.toml").display().to_string();
    let text = std::fs::read_to_string(bundle.join("effect.toml")).unwrap();
    let checked = effect_api::manifest::check(&label, &text);
    let manifest = checked
        .manifest
        .unwrap_or_else(|| panic!("{label} does not parse: {:?}", checked.diagnostics));
    manifest
        .layers
        .iter()
        .filter_map(|layer| match &layer.kind {
            LayerKind::Plugin(plugin) => Some(plugin.library.clone()),
            _ => None,
        })
        .collect()
}

/// The bundle to validate and render: the repository's folder itself, or, for a bundle
/// with plugin layers, a copy in `scratch` with each plugin built from its crate (the
/// folder `<bundle>-plugin` beside it, as `effects/never-blink-plugin` is beside
/// `effects/never-blink`) and installed as `lensmith plugin build` would.
fn playable(bundle: &Path, scratch: &TempDir) -> PathBuf {
    let keys = plugin_keys(bundle);
    if keys.is_empty() {
        return bundle.to_owned();
    }
    let name = bundle.file_name().unwrap().to_string_lossy().into_owned();
    let root = lensmith_testkit::workspace_root();
    let crate_dir = bundle.with_file_name(format!("{name}-plugin"));
    assert!(
        crate_dir.join("Cargo.toml").is_file(),
        "{name} has plugin layers ({keys:?}) but no plugin crate at {}",
        crate_dir.display()
    );
    let relative = crate_dir
        .strip_prefix(&root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let library = lensmith_testkit::plugins::build_plugin(&relative, &[]);
    let copy = scratch.join(&format!("bundle-{name}"));
    // Whatever a developer built into the repository's folder is left out: the test plays
    // what the crate builds now.
    lensmith_testkit::copy_folder(bundle, &copy, &["plugins"]);
    for key in &keys {
        install_library(&library, &copy, key)
            .unwrap_or_else(|error| panic!("{name}: installing {key}: {error}"));
    }
    copy
}

#[test]
fn every_shipped_bundle_validates_and_renders_on_the_sample_photo() {
    let bundles = shipped_bundles();
    assert!(
        bundles.len() >= 4,
        "expected face-paint, never-blink and the examples, found {bundles:?}"
    );
    let Some(cache) = lensmith_testkit::cache_or_skip("shipped_effects") else {
        return;
    };
    let photo = lensmith_testkit::astronaut_path(&cache);
    let original = lensmith_testkit::astronaut(&cache);
    let out = TempDir::new("shipped_effects");
    for repository_bundle in bundles {
        let name = repository_bundle
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bundle = playable(&repository_bundle, &out);
        let validated = lensmith(&["validate".as_ref(), bundle.as_os_str()]);
        assert!(
            validated.status.success(),
            "{name} does not validate:\n{}{}",
            String::from_utf8_lossy(&validated.stdout),
            String::from_utf8_lossy(&validated.stderr)
        );
        let target = out.join(&format!("{name}.png"));
        let rendered = lensmith(&[
            "render".as_ref(),
            bundle.as_os_str(),
            photo.as_os_str(),
            "-o".as_ref(),
            target.as_os_str(),
        ]);
        assert!(
            rendered.status.success(),
            "{name} does not render:\n{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        // A failing plugin only disables its layer and warns: that is a failure here.
        let stderr = String::from_utf8_lossy(&rendered.stderr);
        assert!(
            !stderr.contains("was disabled") && !stderr.contains("Error ["),
            "{name} rendered with a failing layer:\n{stderr}"
        );
        let image = image::open(&target).unwrap().to_rgb8();
        let changed = image
            .as_raw()
            .chunks_exact(3)
            .zip(original.data().chunks_exact(3))
            .filter(|(a, b)| a != b)
            .count();
        if let Some((_, why)) = UNCHANGED_ON_THE_PHOTO
            .iter()
            .find(|(quiet, _)| *quiet == name)
        {
            assert_eq!(changed, 0, "{name} changed {changed} pixels, yet {why}");
            // ... and its layers did see the face.
            let stdout = String::from_utf8_lossy(&rendered.stdout);
            assert!(stdout.contains(" 1 face(s) drawn on"), "{name}: {stdout}");
            continue;
        }
        assert!(changed > 1000, "{name} changed only {changed} pixels");
        // The photo is 512×512 with the face in its upper middle: a face effect leaves the
        // bottom corners as they were.
        for (x, y) in [(5u32, 505u32), (505, 505)] {
            let index = ((y * 512 + x) * 3) as usize;
            assert_eq!(
                image.get_pixel(x, y).0,
                original.data()[index..index + 3],
                "{name} changed the corner ({x}, {y})"
            );
        }
    }
}

/// The bundle folders under `effects/`: the effects Lensmith ships, each of which must
/// carry golden tests.
fn shipped_effects() -> Vec<PathBuf> {
    let effects = lensmith_testkit::workspace_root().join("effects");
    shipped_bundles()
        .into_iter()
        .filter(|bundle| bundle.parent() == Some(effects.as_path()))
        .collect()
}

#[test]
fn every_shipped_effect_passes_its_golden_tests() {
    let test = "every_shipped_effect_passes_its_golden_tests";
    let effects = shipped_effects();
    assert!(
        effects.len() >= 2,
        "expected face-paint and never-blink, found {effects:?}"
    );
    // Some cases play real clips (ffmpeg decodes them).
    if lensmith_testkit::cache_or_skip(test).is_none() || !lensmith_testkit::ffmpeg_or_skip(test) {
        return;
    }
    let scratch = TempDir::new("shipped_golden");
    for repository_bundle in effects {
        let name = repository_bundle
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let suite = repository_bundle.join("tests/golden.toml");
        let text = std::fs::read_to_string(&suite).unwrap_or_else(|error| {
            panic!(
                "{name} ships without golden tests ({}: {error})",
                suite.display()
            )
        });
        // Every effect is shown on the sample photo, still and in motion.
        let suite = lensmith_runtime::golden::suite::parse(&suite.display().to_string(), &text)
            .unwrap_or_else(|problems| panic!("{name}: {problems:?}"));
        let on_photo = |moving: bool| {
            suite.cases.iter().any(|case| {
                case.input == lensmith_runtime::golden::CaseInput::Sample("astronaut.png".into())
                    && case.motion.is_some() == moving
            })
        };
        assert!(
            on_photo(false) && on_photo(true),
            "{name}: its golden tests must play the sample photo still and swayed"
        );
        // A copy, so that a failure's pictures land outside the repository.
        let bundle = playable(&repository_bundle, &scratch);
        let bundle = match bundle == repository_bundle {
            true => {
                let copy = scratch.join(&format!("golden-{name}"));
                lensmith_testkit::copy_folder(&repository_bundle, &copy, &["plugins"]);
                copy
            }
            false => bundle,
        };
        let run = lensmith(&["test".as_ref(), bundle.as_os_str()]);
        assert!(
            run.status.success(),
            "{name} fails its golden tests (pictures of the failed frames are in {}):\n{}{}",
            bundle.join("tests/report").display(),
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
}
