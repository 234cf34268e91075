//! Files nothing uses: `lensmith validate` warns about each with its size and still
//! passes, `lensmith pack` leaves them out and says so, and `--include-unused` keeps them.
//! Documents (README, LICENSE, model cards) are kept either way.

#[path = "support/bundle.rs"]
mod bundle;

use std::ffi::OsStr;

use bundle::{cube, lensmith, printed};
use lensmith_runtime::bundle::archive::{self, ArchiveLimits};
use lensmith_testkit::TempDir;
use serde_json::Value;

const MANIFEST: &str = r#"[effect]
id = "com.example.warm"
name = "Warm"
version = "0.1.0"
api_version = "1.0"

[[layer]]
kind = "lut"
name = "warm"
file = "luts/warm.cube"
"#;

/// A bundle whose layer uses `luts/warm.cube`, beside an unused `luts/cold.cube` of 3,000
/// bytes and a README.
fn write_bundle(dir: &std::path::Path) {
    bundle::write_bundle(dir, MANIFEST);
    std::fs::remove_dir_all(dir.join("images")).unwrap();
    let mut cold = cube();
    while cold.len() < 3000 {
        cold.push_str("# padding\n");
    }
    cold.truncate(3000);
    cold.replace_range(2999.., "\n");
    std::fs::write(dir.join("luts/cold.cube"), cold).unwrap();
    std::fs::write(dir.join("README.md"), "# Warm\n").unwrap();
}

/// The member paths of a packed bundle.
fn members(archive: &std::path::Path) -> Vec<String> {
    archive::read(archive, &ArchiveLimits::default())
        .unwrap()
        .files
        .into_keys()
        .collect()
}

#[test]
fn an_unused_file_is_a_warning_with_its_size_and_validation_passes() {
    let work = TempDir::new("unused-validate");
    let bundle = work.join("warm");
    write_bundle(&bundle);
    let validated = lensmith(&[OsStr::new("validate"), bundle.as_os_str()]);
    let text = printed(&validated);
    assert!(validated.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "warning: {}/luts/cold.cube: not used by any layer (2.9 KiB); `lensmith pack` \
             leaves it out (use --include-unused to keep it)",
            bundle.display()
        )),
        "{text}"
    );
    assert!(text.contains("valid, 1 warning(s)"), "{text}");
    assert!(!text.contains("warm.cube: not used"), "{text}");
    assert!(!text.contains("README.md"), "{text}");

    let json = lensmith(&[
        OsStr::new("validate"),
        bundle.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert!(json.status.success(), "{}", printed(&json));
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0);
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{json}");
    assert!(
        warnings[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("/luts/cold.cube")
    );
}

#[test]
fn pack_leaves_unused_files_out_unless_asked_to_keep_them() {
    let work = TempDir::new("unused-pack");
    let bundle = work.join("warm");
    write_bundle(&bundle);

    let lean = work.join("lean.effect");
    let packed = lensmith(&[
        OsStr::new("pack"),
        bundle.as_os_str(),
        OsStr::new("-o"),
        lean.as_os_str(),
    ]);
    let text = printed(&packed);
    assert!(packed.status.success(), "{text}");
    assert!(
        text.contains(
            "left out luts/cold.cube (2.9 KiB): not used by any layer; --include-unused keeps it"
        ),
        "{text}"
    );
    assert_eq!(
        members(&lean),
        ["README.md", "effect.toml", "luts/warm.cube"]
    );

    let whole = work.join("whole.effect");
    let packed = lensmith(&[
        OsStr::new("pack"),
        bundle.as_os_str(),
        OsStr::new("-o"),
        whole.as_os_str(),
        OsStr::new("--include-unused"),
    ]);
    let text = printed(&packed);
    assert!(packed.status.success(), "{text}");
    assert!(!text.contains("left out luts/cold.cube"), "{text}");
    assert!(
        text.contains("kept luts/cold.cube, which no layer uses"),
        "{text}"
    );
    assert_eq!(
        members(&whole),
        [
            "README.md",
            "effect.toml",
            "luts/cold.cube",
            "luts/warm.cube"
        ]
    );
}

#[test]
fn a_large_unused_source_file_does_not_count_against_the_budget() {
    let work = TempDir::new("unused-budget");
    let bundle = work.join("warm");
    write_bundle(&bundle);
    let manifest = format!("{MANIFEST}\n[budget]\nmax_total_mb = 0.5\n");
    std::fs::write(bundle.join("effect.toml"), manifest).unwrap();
    // A designer's layered source, 2 MiB, beside what ships.
    std::fs::create_dir_all(bundle.join("source")).unwrap();
    std::fs::write(bundle.join("source/warm.psd"), vec![7u8; 2 << 20]).unwrap();
    let validated = lensmith(&[OsStr::new("validate"), bundle.as_os_str()]);
    let text = printed(&validated);
    assert!(validated.status.success(), "{text}");
    assert!(
        text.contains("source/warm.psd: not used by any layer"),
        "{text}"
    );
    // What ships is what counts: a used file over the budget still fails.
    std::fs::rename(
        bundle.join("source/warm.psd"),
        bundle.join("luts/warm.cube"),
    )
    .unwrap();
    let validated = lensmith(&[OsStr::new("validate"), bundle.as_os_str()]);
    let text = printed(&validated);
    assert_eq!(validated.status.code(), Some(1), "{text}");
    assert!(text.contains("over its budget of 0.5 MiB"), "{text}");
}

#[test]
fn a_layer_field_that_a_parameter_sets_is_a_warning_where_they_differ() {
    let work = TempDir::new("overridden-field");
    let bundle = work.join("warm");
    write_bundle(&bundle);
    let with = |field: &str| {
        format!(
            "{MANIFEST}{field}\n[[layer.parameter]]\nname = \"strength\"\ntype = \"float\"\nmin = 0.0\nmax = 1.0\ndefault = 0.9\n"
        )
    };
    for (field, warned) in [
        ("strength = 0.5", true),
        ("strength = 0.9", false),
        ("", false),
    ] {
        std::fs::write(bundle.join("effect.toml"), with(field)).unwrap();
        let validated = lensmith(&[OsStr::new("validate"), bundle.as_os_str()]);
        let text = printed(&validated);
        assert!(validated.status.success(), "{field:?}: {text}");
        let warning = "layer `warm`: `strength = 0.5` is not what plays: its parameter \
                       `strength` sets it, starting from its default 0.9";
        assert_eq!(text.contains(warning), warned, "{field:?}: {text}");
        if warned {
            assert!(
                text.contains("effect.toml:11:12:"),
                "the line is named: {text}"
            );
        }
    }
}
