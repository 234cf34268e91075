//! `cargo xtask setup` against a copy of a filled cache: a second run does nothing and
//! says so; corrupt or missing files, cached downloads included, are found and remade.
//! Needs a filled cache (`cargo xtask setup`) and the package registries.

use std::path::{Path, PathBuf};
use std::process::Command;

fn real_cache() -> PathBuf {
    match std::env::var_os("LENSMITH_HOME").filter(|value| !value.is_empty()) {
        Some(home) => PathBuf::from(home),
        None => {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/lensmith")
        }
    }
}

fn run_setup(home: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("setup")
        .env("LENSMITH_HOME", home)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("xtask runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "setup failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn setup_verifies_a_filled_cache_and_repairs_what_was_damaged() {
    let real = real_cache();
    let filled = ["lib", "models", "data", "downloads", "tools"]
        .iter()
        .all(|folder| real.join(folder).is_dir());
    if !filled {
        if std::env::var_os("LENSMITH_REQUIRE_ASSETS").is_some_and(|value| value == "1") {
            panic!(
                "the filled cache at {} is required here but incomplete",
                real.display()
            );
        }
        eprintln!(
            "\n*** SKIPPED setup_verifies_a_filled_cache_and_repairs_what_was_damaged: no filled cache at {}; run `cargo xtask setup`\n",
            real.display()
        );
        return;
    }
    let home = std::env::temp_dir().join(format!("lensmith-setup-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    for folder in ["lib", "models", "data", "downloads"] {
        copy_tree(&real.join(folder), &home.join(folder));
    }
    // The converter's virtualenv is large and not relocatable: share it.
    std::os::unix::fs::symlink(real.join("tools"), home.join("tools")).unwrap();

    let first = run_setup(&home);
    assert!(first.contains("nothing to do"), "{first}");

    // Damage one file of each kind: a converted model, a generated model, an extracted
    // library, a photo taken from a wheel, and a cached download whose asset must be made
    // again.
    for damaged in ["models/face_landmark.onnx", "models/student_bench_256.onnx"] {
        let mut model = std::fs::read(home.join(damaged)).unwrap();
        model[1000] ^= 0xff;
        std::fs::write(home.join(damaged), model).unwrap();
    }
    std::fs::remove_file(home.join("lib/libonnxruntime.so.1.31.1")).unwrap();
    std::fs::write(home.join("data/astronaut.png"), b"truncated").unwrap();
    std::fs::write(
        home.join("downloads/mediapipe-face_mesh-0.4.1657299874.tgz"),
        b"not a tarball",
    )
    .unwrap();
    std::fs::remove_file(home.join("models/face_detection_short_range.tflite")).unwrap();

    let repair = run_setup(&home);
    for expected in [
        "models/face_landmark.onnx: corrupt",
        "models/student_bench_256.onnx: corrupt",
        "lib/libonnxruntime.so.1.31.1: missing",
        "data/astronaut.png: corrupt",
        "models/face_detection_short_range.tflite: missing",
        "mediapipe-face_mesh-0.4.1657299874.tgz is corrupt",
        "2 made, 3 repaired",
    ] {
        assert!(
            repair.contains(expected),
            "expected `{expected}` in:\n{repair}"
        );
    }
    let again = run_setup(&home);
    assert!(again.contains("nothing to do"), "{again}");
    std::fs::remove_dir_all(&home).unwrap();
}
