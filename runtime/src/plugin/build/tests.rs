//! Tests of plugin building: file names, cargo's messages, installing.
use lensmith_testkit::TempDir;

use super::*;

#[test]
fn library_file_names_follow_each_platform() {
    let names: Vec<String> = Platform::ALL
        .iter()
        .map(|&platform| library_file_name("plugins/never_blink", platform, "aarch64").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "plugins/linux-aarch64/libnever_blink.so",
            "plugins/android-aarch64/libnever_blink.so",
            "plugins/macos-aarch64/libnever_blink.dylib",
            "plugins/ios-aarch64/libnever_blink.dylib",
            "plugins/windows-aarch64/never_blink.dll",
        ]
    );
    assert_eq!(
        library_file_name("glow", Platform::Windows, "x86_64").unwrap(),
        "windows-x86_64/glow.dll"
    );
    assert_eq!(
        library_file_name("a/b/glow", Platform::MacOs, "x86_64").unwrap(),
        "a/b/macos-x86_64/libglow.dylib"
    );
    // A name that merely starts with `lib` is a name like any other.
    assert_eq!(
        library_file_name("plugins/library_fx", Platform::Linux, "x86_64").unwrap(),
        "plugins/linux-x86_64/liblibrary_fx.so"
    );
    let current = current_library_file_name("plugins/x").unwrap();
    assert!(current.ends_with(Platform::current().extension()));
}

#[test]
fn keys_with_an_extension_or_a_bad_path_are_refused() {
    let problem = |key: &str| library_file_name(key, Platform::Linux, "x86_64").unwrap_err();
    let error = problem("plugins/libglow.so");
    assert_eq!(error.key, "plugins/libglow.so");
    assert!(error.problem.contains("`.so`"), "{error}");
    assert!(error.problem.contains("\"plugins/glow\""), "{error}");
    assert!(
        problem("plugins/glow.DLL")
            .problem
            .contains("\"plugins/glow\"")
    );
    assert!(problem("libglow.dylib").problem.contains("\"glow\""));
    for bad in [
        "",
        "/plugins/glow",
        "../glow",
        "plugins//glow",
        "plugins\\glow",
    ] {
        let error = problem(bad);
        assert!(error.to_string().contains(&format!("{bad:?}")), "{error}");
    }
    // A dot that is not a library extension is part of the name.
    assert_eq!(
        library_file_name("plugins/glow.v2", Platform::Linux, "x86_64").unwrap(),
        "plugins/linux-x86_64/libglow.v2.so"
    );
}

/// Cargo's stdout for a workspace of a plugin (`never-blink`, a cdylib and an rlib)
/// beside an rlib dependency, trimmed to the fields cargo always writes.
const CARGO_OUTPUT: &str = r#"{"reason":"compiler-artifact","package_id":"path+file:///home/dev/shared#0.1.0","manifest_path":"/home/dev/shared/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"shared","src_path":"/home/dev/shared/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/home/dev/target/release/deps/libshared-1f2e3d4c.rlib","/home/dev/target/release/deps/libshared-1f2e3d4c.rmeta"],"executable":null,"fresh":true}
{"reason":"compiler-message","package_id":"path+file:///home/dev/never-blink#never-blink@0.1.0","manifest_path":"/home/dev/never-blink/Cargo.toml","target":{"kind":["cdylib","rlib"],"crate_types":["cdylib","rlib"],"name":"never_blink","src_path":"/home/dev/never-blink/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"message":{"rendered":"warning: unused variable","level":"warning"}}
{"reason":"compiler-artifact","package_id":"path+file:///home/dev/never-blink#never-blink@0.1.0","manifest_path":"/home/dev/never-blink/Cargo.toml","target":{"kind":["cdylib","rlib"],"crate_types":["cdylib","rlib"],"name":"never_blink","src_path":"/home/dev/never-blink/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"3","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":["fast"],"filenames":["/home/dev/target/release/libnever_blink.so","/home/dev/target/release/libnever_blink.rlib","/home/dev/target/release/never_blink.dll"],"executable":null,"fresh":false}
not json at all
{"reason":"build-finished","success":true}"#;

fn artifacts() -> Vec<Artifact> {
    CARGO_OUTPUT.lines().filter_map(parse_artifact).collect()
}

#[test]
fn cargo_messages_yield_the_plugin_library() {
    let artifacts = artifacts();
    assert_eq!(artifacts.len(), 2, "only compiler-artifact messages count");
    let manifest = Path::new("/home/dev/never-blink/Cargo.toml");
    let built = select_plugin(manifest, &artifacts, Platform::Linux).unwrap();
    assert_eq!(
        built,
        BuiltPlugin {
            library: PathBuf::from("/home/dev/target/release/libnever_blink.so"),
            lib_name: "never_blink".to_owned(),
        }
    );
    let built = select_plugin(manifest, &artifacts, Platform::Windows).unwrap();
    assert_eq!(
        built.library,
        Path::new("/home/dev/target/release/never_blink.dll")
    );
    let error = select_plugin(manifest, &artifacts, Platform::MacOs).unwrap_err();
    assert!(
        matches!(&error, PluginBuildError::LibraryMissing { expected, .. }
            if expected == "libnever_blink.dylib"),
        "{error}"
    );
}

#[test]
fn a_crate_without_a_cdylib_is_refused_with_the_fix() {
    let artifacts = artifacts();
    let error = select_plugin(
        Path::new("/home/dev/shared/Cargo.toml"),
        &artifacts,
        Platform::Linux,
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("`shared` (lib)"), "{message}");
    assert!(message.contains("crate-type = [\"cdylib\"]"), "{message}");
    let error = select_plugin(
        Path::new("/home/dev/elsewhere/Cargo.toml"),
        &artifacts,
        Platform::Linux,
    )
    .unwrap_err();
    assert!(error.to_string().contains("built nothing"), "{error}");
}

#[test]
fn a_folder_without_cargo_toml_or_a_missing_cargo_is_explained() {
    let dir = TempDir::new("plugin-build-no-manifest");
    let error = build_plugin_crate(dir.path(), &BuildOptions::default()).unwrap_err();
    assert!(
        matches!(error, PluginBuildError::NoManifest { .. }),
        "{error}"
    );
    std::fs::write(dir.join("Cargo.toml"), "").unwrap();
    let options = BuildOptions {
        cargo: Some(dir.join("no-such-cargo")),
        ..BuildOptions::default()
    };
    let error = build_plugin_crate(dir.path(), &options).unwrap_err();
    assert!(
        matches!(error, PluginBuildError::CargoNotFound { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("CARGO"), "{error}");
}

#[test]
fn install_replaces_the_library_atomically() {
    let dir = TempDir::new("plugin-build-install");
    let built = dir.join("built-library");
    std::fs::write(&built, b"\x7fELF new library").unwrap();
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();

    let destination = install_library(&built, &bundle, "plugins/glow").unwrap();
    let expected = current_library_file_name("plugins/glow").unwrap();
    assert_eq!(destination, bundle.join(&expected));
    assert_eq!(std::fs::read(&destination).unwrap(), b"\x7fELF new library");

    std::fs::write(&built, b"\x7fELF newer library").unwrap();
    let again = install_library(&built, &bundle, "plugins/glow").unwrap();
    assert_eq!(again, destination);
    assert_eq!(
        std::fs::read(&destination).unwrap(),
        b"\x7fELF newer library"
    );
    let names: Vec<_> = std::fs::read_dir(bundle.join("plugins"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");

    let error = install_library(&built, &bundle, "plugins/glow.so").unwrap_err();
    assert!(matches!(error, PluginBuildError::Key(_)), "{error}");
    let error = install_library(&dir.join("missing"), &bundle, "plugins/glow").unwrap_err();
    assert!(matches!(error, PluginBuildError::Install { .. }), "{error}");
    assert_eq!(
        std::fs::read(&destination).unwrap(),
        b"\x7fELF newer library"
    );
    let names = std::fs::read_dir(bundle.join("plugins")).unwrap().count();
    assert_eq!(names, 1, "a failed copy leaves nothing behind");
}
