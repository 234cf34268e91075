//! A plugin layer's libraries: each build in the bundle sits in a platform folder Lensmith
//! knows, under the name that platform gives it, and is a library for that platform (its
//! headers say which format, CPU and word size); the build for this machine is also loaded
//! and handshaken, as a player would. At least one build must be there.

use std::collections::BTreeMap;

use crate::plugin::binary_header::{BinaryKind, read_header};
use crate::plugin::build::{current_library_file_name, library_file_name};
use crate::plugin::platform_folder::PlatformFolder;
use crate::plugin::{PluginError, PluginLibrary};

use super::super::usage::library_candidates;

/// One problem with a plugin layer's libraries, for the manifest line that names them.
pub(super) struct LibraryProblem {
    /// What is wrong, naming the file.
    pub message: String,
    /// What to do, when the message does not say it.
    pub hint: Option<String>,
}

/// How to put a build for `folder` in place.
fn build_hint(folder: &PlatformFolder, key_folder: &str) -> String {
    format!(
        "build the plugin crate for {} (`cargo build --release --target {}`) and copy its \
         library into {key_folder}{}/; for this machine's folder `lensmith plugin build \
         CRATE --into BUNDLE` does both",
        folder.name(),
        folder.rust_target(),
        folder.name()
    )
}

/// Checks every build of the plugin library `key` in `files`; `label` names the bundle in
/// the loader's messages, and `handshake` says whether this machine's build is loaded and
/// handshaken (a player does that itself, right after validating).
pub(super) fn check(
    files: &BTreeMap<String, Vec<u8>>,
    key: &str,
    label: &str,
    handshake: bool,
) -> Vec<LibraryProblem> {
    let mut problems = Vec::new();
    let expected = match current_library_file_name(key) {
        Ok(name) => name,
        Err(error) => {
            return vec![LibraryProblem {
                message: error.to_string(),
                hint: None,
            }];
        }
    };
    let key_folder = match key.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/"),
        None => String::new(),
    };
    let mut any_build = false;
    for file in library_candidates(key, files.keys().map(String::as_str)) {
        let Some(bytes) = files.get(file) else {
            continue; // a candidate is one of the files' own paths
        };
        let folder_name = file.rsplit('/').nth(1).unwrap_or_default();
        let header = read_header(bytes);
        let Some(folder) = PlatformFolder::parse(folder_name) else {
            let belongs = header
                .as_ref()
                .ok()
                .map(PlatformFolder::folders_for)
                .unwrap_or_default();
            problems.push(LibraryProblem {
                message: format!(
                    "plugin library \"{file}\" is in \"{key_folder}{folder_name}/\", which is \
                     not a platform folder; plugin libraries go in one of {}",
                    PlatformFolder::known_names()
                ),
                hint: Some(match belongs.as_slice() {
                    [] => "move it to the folder of the platform it was built for".to_owned(),
                    folders => format!(
                        "it is {}: move it to {}",
                        header.as_ref().map(|h| h.describe()).unwrap_or_default(),
                        folders
                            .iter()
                            .map(|folder| format!("{key_folder}{}/", folder.name()))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                }),
            });
            continue;
        };
        let wanted = match library_file_name(key, folder.platform, folder.arch) {
            Ok(wanted) => wanted,
            Err(_) => continue, // the key itself was refused above
        };
        if wanted != file {
            problems.push(LibraryProblem {
                message: format!(
                    "plugin library \"{file}\" is misnamed: a {} library in {}/ is named \"{}\"",
                    folder.platform.name(),
                    folder.name(),
                    wanted.rsplit('/').next().unwrap_or(&wanted)
                ),
                hint: Some(format!("rename it to \"{wanted}\"")),
            });
            continue;
        }
        any_build = true;
        let needs = format!("{key_folder}{}/ needs {}", folder.name(), folder.needs());
        match header {
            Err(error) => problems.push(LibraryProblem {
                message: format!("plugin library \"{file}\" is {error}; {needs}"),
                hint: Some(build_hint(&folder, &key_folder)),
            }),
            Ok(header) if !folder.accepts(&header) => {
                let elsewhere: Vec<String> = PlatformFolder::folders_for(&header)
                    .iter()
                    .map(|folder| format!("{key_folder}{}/", folder.name()))
                    .collect();
                let hint = if header
                    .images
                    .iter()
                    .all(|image| image.kind != BinaryKind::Library)
                {
                    format!(
                        "a plugin is built as a library (`crate-type = [\"cdylib\"]` in its \
                         Cargo.toml): {}",
                        build_hint(&folder, &key_folder)
                    )
                } else if elsewhere.is_empty() {
                    build_hint(&folder, &key_folder)
                } else {
                    format!(
                        "if it was built for another platform, move it to {}; either way, {}",
                        elsewhere.join(" or "),
                        build_hint(&folder, &key_folder)
                    )
                };
                problems.push(LibraryProblem {
                    message: format!(
                        "plugin library \"{file}\" is {}; {needs}",
                        header.describe()
                    ),
                    hint: Some(hint),
                });
            }
            Ok(_) if handshake && PlatformFolder::current() == Some(folder) => {
                if let Some(problem) = load_and_handshake(bytes, file, label) {
                    problems.push(problem);
                }
            }
            Ok(_) => {}
        }
    }
    if !any_build {
        problems.push(LibraryProblem {
            message: format!(
                "the bundle holds no build of plugin \"{key}\" (for this machine it would be \
                 \"{expected}\")"
            ),
            hint: Some(
                "build the plugin crate into the bundle: `lensmith plugin build CRATE --into \
                 BUNDLE`"
                    .to_owned(),
            ),
        });
    }
    problems
}

/// Loads this machine's build and runs the plugin ABI's handshake, as a player would
/// before playing it. The library stays loaded, like every library the host loads (see
/// [`PluginLibrary::load`]: unloading is unsound, and loading the same bytes again reuses
/// it). The handshake calls only the entry function, which returns a static table: a
/// plugin's own code runs later, in calls the export macro wraps in `catch_unwind`.
fn load_and_handshake(bytes: &[u8], file: &str, label: &str) -> Option<LibraryProblem> {
    let error = PluginLibrary::load(bytes, &format!("{label}{file}")).err()?;
    let (PluginError::Load { message, .. }
    | PluginError::Abi { message, .. }
    | PluginError::Call { message, .. }) = error;
    let hint = message.contains("lensmith_plugin_entry").then(|| {
        "a Rust plugin exports it with `effect_api::export_effect!(MyPlugin);` in its lib.rs \
         and `crate-type = [\"cdylib\"]` in its Cargo.toml; a C plugin defines \
         `const LsPluginTable *lensmith_plugin_entry(void)` (docs/plugins.md)"
            .to_owned()
    });
    Some(LibraryProblem {
        message: format!("plugin library \"{file}\": {message}"),
        hint,
    })
}
