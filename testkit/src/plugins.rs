//! Building plugin crates for tests: the test plugins under `testkit/plugins/` and the
//! shipped effects' plugins, each feature set in its own target folder so that tests
//! running at once never load a library another test is rebuilding.

use std::path::{Path, PathBuf};

use lensmith_runtime::plugin::build::{BuildOptions, build_plugin_crate};

use crate::workspace_root;

/// Builds the plugin crate in `crate_dir` (a path from the workspace root) with `features`
/// (debug profile) and returns its library. Panics with cargo's error: a test cannot go
/// on without its plugin.
pub fn build_plugin(crate_dir: &str, features: &[&str]) -> PathBuf {
    let root = workspace_root();
    let flavour = if features.is_empty() {
        "default".to_owned()
    } else {
        features.join("+")
    };
    let options = BuildOptions {
        release: false,
        features: features.iter().map(|&feature| feature.to_owned()).collect(),
        target_dir: Some(root.join("target").join("plugin-tests").join(flavour)),
        cargo: None,
    };
    build_plugin_crate(&root.join(crate_dir), &options)
        .unwrap_or_else(|error| panic!("building the plugin {crate_dir}: {error}"))
        .library
}

/// Builds `testkit/plugins/<name>` (see [`build_plugin`]).
pub fn build_test_plugin(name: &str, features: &[&str]) -> PathBuf {
    build_plugin(&format!("testkit/plugins/{name}"), features)
}

/// The bytes of a built library.
pub fn library_bytes(library: &Path) -> Vec<u8> {
    std::fs::read(library).unwrap_or_else(|error| panic!("reading {}: {error}", library.display()))
}
