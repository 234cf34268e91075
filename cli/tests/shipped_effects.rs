//! Every bundle the repository ships (`effects/*` and `examples/effects/*`) validates and
//! plays: `lensmith validate` finds nothing, and `lensmith render` on the sample photo
//! changes pixels on the face and leaves the photo's corners alone.

use std::path::PathBuf;
use std::process::Command;

use lensmith_testkit::TempDir;

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

#[test]
fn every_shipped_bundle_validates_and_renders_on_the_sample_photo() {
    let bundles = shipped_bundles();
    assert!(
        bundles.len() >= 3,
        "expected face-paint and the examples, found {bundles:?}"
    );
    let Some(cache) = lensmith_testkit::cache_or_skip("shipped_effects") else {
        return;
    };
    let photo = lensmith_testkit::astronaut_path(&cache);
    let original = lensmith_testkit::astronaut(&cache);
    let out = TempDir::new("shipped_effects");
    for bundle in bundles {
        let name = bundle.file_name().unwrap().to_string_lossy().into_owned();
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
        let image = image::open(&target).unwrap().to_rgb8();
        let changed = image
            .as_raw()
            .chunks_exact(3)
            .zip(original.data().chunks_exact(3))
            .filter(|(a, b)| a != b)
            .count();
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
