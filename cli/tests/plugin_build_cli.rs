//! `lensmith plugin build` run as a plugin developer runs it: a real cdylib crate is built
//! with cargo and its library lands in the bundle under the platform's file name; a
//! bundle whose layers name another library is refused with both names in the message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lensmith_testkit::{TempDir, workspace_root};

/// A plugin layer whose library key is `{KEY}`; the rest is a plain valid manifest.
const MANIFEST: &str = r#"[effect]
id = "com.example.probe"
name = "Probe"
version = "0.1.0"
api_version = "1.0"

[[layer]]
kind = "plugin"
name = "probe_layer"
library = "{KEY}"
"#;

/// Writes the probe plugin crate, a dependency-free cdylib named `crate_name`, into
/// `dir`. Files are written only when they differ, so cargo sees nothing new on a rerun.
fn write_plugin_crate(dir: &Path, crate_name: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    // Its own `[workspace]`: the crate sits under this workspace's target/, and must not
    // be taken for one of its members.
    let manifest = format!(
        "[package]\nname = \"{crate_name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n[workspace]\n"
    );
    let source = "//! A plugin that only answers a probe.\n\n\
                  /// Returns 7, so a loader can tell the library works.\n\
                  #[unsafe(no_mangle)]\n\
                  pub extern \"C\" fn lensmith_probe() -> u32 {\n    7\n}\n";
    write_if_changed(&dir.join("Cargo.toml"), &manifest);
    write_if_changed(&dir.join("src/lib.rs"), source);
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

/// A folder of its own under the workspace's `target/` for test `name`: the crate and
/// cargo's target folder live there, so a rerun builds incrementally (nothing, usually),
/// and tests running at once never share cargo's output files.
fn scratch(name: &str) -> PathBuf {
    workspace_root()
        .join("target/plugin-build-tests")
        .join(name)
}

/// Runs `lensmith plugin build CRATE --into BUNDLE` with cargo building under `target`.
fn plugin_build(crate_dir: &Path, bundle: &Path, target: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lensmith"))
        .args(["plugin", "build"])
        .arg(crate_dir)
        .arg("--into")
        .arg(bundle)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("the lensmith binary cargo built runs")
}

/// Everything a run printed, stdout then stderr.
fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn write_bundle(dir: &Path, key: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("effect.toml"), MANIFEST.replace("{KEY}", key)).unwrap();
}

#[test]
fn the_built_library_is_installed_at_the_layers_key() {
    let scratch = scratch("installs");
    let crate_dir = scratch.join("probe");
    write_plugin_crate(&crate_dir, "probe");
    let temp = TempDir::new("plugin-build-installs");
    let bundle = temp.join("bundle");
    write_bundle(&bundle, "plugins/probe");

    let output = plugin_build(&crate_dir, &bundle, &scratch.join("target"));
    let text = printed(&output);
    assert!(output.status.success(), "{text}");

    let name = if cfg!(target_os = "windows") {
        "probe.dll"
    } else if cfg!(any(target_os = "macos", target_os = "ios")) {
        "libprobe.dylib"
    } else {
        "libprobe.so"
    };
    let library = bundle
        .join("plugins")
        .join(format!(
            "{}-{}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ))
        .join(name);
    let bytes = std::fs::read(&library)
        .unwrap_or_else(|error| panic!("{} was not written ({error}): {text}", library.display()));
    assert!(text.contains(name), "it says what it wrote: {text}");
    assert!(
        text.contains("layer `probe_layer`"),
        "it names the layer: {text}"
    );
    if cfg!(target_os = "linux") {
        assert!(bytes.starts_with(b"\x7fELF"), "{name} is not an ELF file");
        // e_type at offset 16, little-endian on every Linux target this runs on:
        // 3 is ET_DYN, a shared object.
        assert_eq!(
            bytes.get(16..18),
            Some(&[3u8, 0][..]),
            "not a shared object"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(bundle.join("plugins"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "only the library: {leftovers:?}");
}

#[test]
fn a_key_that_names_another_library_is_refused_with_both_names() {
    let scratch = scratch("mismatch");
    let crate_dir = scratch.join("probe_other");
    write_plugin_crate(&crate_dir, "probe_other");
    let temp = TempDir::new("plugin-build-mismatch");
    let bundle = temp.join("bundle");
    write_bundle(&bundle, "plugins/probe");

    let output = plugin_build(&crate_dir, &bundle, &scratch.join("target"));
    let text = printed(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("\"plugins/probe\""), "names the key: {text}");
    assert!(text.contains("`probe_other`"), "names the library: {text}");
    assert!(
        text.contains("library = \"plugins/probe_other\""),
        "says what to write: {text}"
    );
    assert!(
        !bundle.join("plugins").exists(),
        "nothing is installed: {text}"
    );
}
