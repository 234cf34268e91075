//! One debounced batch of changes to a bundle, and what it means for a reload.

use crate::bundle::MANIFEST_MEMBER;

/// The file extensions of native plugin libraries on the platforms Lensmith runs on.
const LIBRARY_EXTENSIONS: [&str; 3] = ["so", "dylib", "dll"];

/// One debounced batch: which files changed, as paths relative to the bundle folder (for a
/// `.effect` file, its file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleChange {
    /// The files that changed (written, created, removed or renamed), relative to the
    /// bundle folder with `/` between names, sorted and without duplicates. A folder
    /// removed or moved away appears as one path, the folder's; a folder created or moved
    /// in appears as the files inside it. For a packed `.effect` bundle, the one path is
    /// the archive's file name.
    pub paths: Vec<String>,
}

impl BundleChange {
    /// Whether the manifest (`effect.toml` at the bundle's root) changed. A packed `.effect`
    /// archive holds the manifest, so a change to one counts.
    pub fn touches_manifest(&self) -> bool {
        self.paths
            .iter()
            .any(|path| path == MANIFEST_MEMBER || is_archive(path))
    }

    /// Whether a native plugin library (`.so`, `.dylib`, `.dll`) changed, so the host must
    /// load a fresh copy. A packed `.effect` archive may hold libraries, so a change to one
    /// counts.
    pub fn touches_plugin_library(&self) -> bool {
        self.paths.iter().any(|path| {
            is_archive(path)
                || extension(path).is_some_and(|ext| {
                    LIBRARY_EXTENSIONS
                        .iter()
                        .any(|library| ext.eq_ignore_ascii_case(library))
                })
        })
    }
}

/// Whether `path` names a packed bundle (only ever the watched `.effect` file itself: a
/// bundle folder holds no archives).
fn is_archive(path: &str) -> bool {
    !path.contains('/') && extension(path).is_some_and(|ext| ext.eq_ignore_ascii_case("effect"))
}

/// The extension of the last name in a `/`-separated path, if it has one.
fn extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => Some(ext),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(paths: &[&str]) -> BundleChange {
        BundleChange {
            paths: paths.iter().map(|path| (*path).to_owned()).collect(),
        }
    }

    #[test]
    fn the_manifest_is_only_the_root_effect_toml() {
        assert!(change(&["assets/a.png", "effect.toml"]).touches_manifest());
        assert!(!change(&["sub/effect.toml", "effect.toml.bak"]).touches_manifest());
        assert!(change(&["cartoon.effect"]).touches_manifest());
    }

    #[test]
    fn plugin_libraries_are_found_by_extension_in_any_case() {
        assert!(change(&["plugins/libglitter.so"]).touches_plugin_library());
        assert!(change(&["plugins/glitter.DLL"]).touches_plugin_library());
        assert!(change(&["libx.dylib"]).touches_plugin_library());
        assert!(change(&["cartoon.effect"]).touches_plugin_library());
        assert!(!change(&["plugins/.so", "so", "models/a.onnx"]).touches_plugin_library());
        assert!(!change(&["plugins.so/readme.txt"]).touches_plugin_library());
    }
}
