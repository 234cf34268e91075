//! What a watcher watches, how it names the files it sees (relative to the bundle, `/`
//! between names), and which of them are editor or operating-system junk that must never
//! cause a reload.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// Folder names whose whole contents are build output, never bundle content (a plugin's
/// cargo build inside the bundle).
const JUNK_FOLDERS: &[&str] = &["target"];

/// File names that operating systems and editors drop into folders on their own: Finder's
/// and Explorer's metadata and vim's write probe (besides what the packer skips,
/// [`crate::bundle::archive::is_clutter`]).
const JUNK_NAMES: &[&str] = &[".DS_Store", "Thumbs.db", "desktop.ini", "4913"];

/// Endings of editor swap, backup and lock files: vim's swap files and `~` backups.
const JUNK_SUFFIXES: &[&str] = &[".swp", ".swo", ".swx", "~"];

/// Beginnings of editor lock files (emacs's `.#name`) and of the temporary files Lensmith
/// tools may write before renaming them into place.
const JUNK_PREFIXES: &[&str] = &[".#", ".lensmith-tmp"];

/// The marker in the hidden temporary names [`crate::atomic_file::PendingFile`] writes:
/// `.{stem}.partial-{pid}-{n}{.ext}`.
const PARTIAL_MARKER: &str = ".partial-";

/// A bundle folder, watched recursively, or a packed `.effect` file, watched through its
/// folder with events kept only for that file.
#[derive(Debug)]
pub(super) enum Target {
    /// A bundle folder.
    Folder {
        /// The folder, canonical so that it matches the paths the watcher reports.
        root: PathBuf,
    },
    /// A packed `.effect` file.
    File {
        /// The folder holding the file, canonical.
        parent: PathBuf,
        /// The file, canonical.
        file: PathBuf,
        /// The file's name, as changes report it.
        name: String,
    },
}

impl Target {
    /// The folder the operating system watches: the bundle folder, or the `.effect` file's.
    pub(super) fn watched_folder(&self) -> &Path {
        match self {
            Self::Folder { root } => root,
            Self::File { parent, .. } => parent,
        }
    }

    /// Whether the watch on the folder covers its subfolders.
    pub(super) fn recursive(&self) -> bool {
        matches!(self, Self::Folder { .. })
    }

    /// `path` as a change reports it: relative to the bundle folder with `/` between names,
    /// or the `.effect` file's name. `None` for paths that are not part of the bundle (the
    /// folder itself, paths outside it, siblings of the `.effect` file).
    pub(super) fn relative(&self, path: &Path) -> Option<String> {
        match self {
            Self::Folder { root } => relative_to(root, path),
            Self::File { file, name, .. } => (path == file).then(|| name.clone()),
        }
    }

    /// Adds every file in the bundle to `paths` (for a `.effect` file, its name).
    pub(super) fn all_files(&self, paths: &mut BTreeSet<String>) {
        match self {
            Self::Folder { root } => self.files_under(root, paths),
            Self::File { name, .. } => {
                paths.insert(name.clone());
            }
        }
    }

    /// Adds every file in folder `dir` of the bundle, recursively, to `paths`, skipping
    /// junk and not following symbolic links. Folders that cannot be read are skipped: a
    /// listing races with the very changes it follows, and the change already says
    /// something happened here.
    pub(super) fn files_under(&self, dir: &Path, paths: &mut BTreeSet<String>) {
        let Self::Folder { root } = self else {
            return;
        };
        let mut folders = vec![dir.to_owned()];
        while let Some(folder) = folders.pop() {
            let Ok(listing) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in listing.flatten() {
                let path = entry.path();
                let Some(relative) = relative_to(root, &path) else {
                    continue;
                };
                if is_junk(&relative) {
                    continue;
                }
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => folders.push(path),
                    Ok(_) => {
                        paths.insert(relative);
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

/// `path` relative to `root`, with `/` between names; `None` for `root` itself and for
/// paths outside it.
fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let rest = path.strip_prefix(root).ok()?;
    let mut relative = String::new();
    for component in rest.components() {
        let Component::Normal(name) = component else {
            return None;
        };
        if !relative.is_empty() {
            relative.push('/');
        }
        relative.push_str(&name.to_string_lossy());
    }
    (!relative.is_empty()).then_some(relative)
}

/// Whether a changed path (relative, `/`-separated) is editor or operating-system junk
/// that must not cause a reload: anything under a `target/` folder or the bundle's own
/// `tests/` folder (golden frames, never part of what plays), swap, backup and lock
/// files, Finder's and Explorer's metadata, and temporary files of atomic writes.
pub(super) fn is_junk(relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if relative.split('/').next() == Some(effect_api::manifest::TESTS_FOLDER) {
        return true;
    }
    if relative.split('/').any(|component| {
        JUNK_FOLDERS.contains(&component)
            || crate::bundle::archive::SKIPPED_FOLDERS.contains(&component)
    }) {
        return true;
    }
    JUNK_NAMES
        .iter()
        .any(|junk| name.eq_ignore_ascii_case(junk))
        || JUNK_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
        || JUNK_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
        || is_emacs_autosave(name)
        || is_partial_file(name)
        || crate::bundle::archive::is_clutter(name)
}

/// Emacs's auto-save files, `#name#`.
fn is_emacs_autosave(name: &str) -> bool {
    name.len() > 2 && name.starts_with('#') && name.ends_with('#')
}

/// The temporary names of [`crate::atomic_file::PendingFile`]:
/// `.{stem}.partial-{pid}-{n}` followed by nothing or the target's `.extension`.
fn is_partial_file(name: &str) -> bool {
    let Some(hidden) = name.strip_prefix('.') else {
        return false;
    };
    let Some((_stem, tail)) = hidden.split_once(PARTIAL_MARKER) else {
        return false;
    };
    let Some((pid, rest)) = tail.split_once('-') else {
        return false;
    };
    let digits = rest.find('.').map_or(rest, |dot| &rest[..dot]);
    let all_digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    all_digits(pid) && all_digits(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic_file::PendingFile;

    #[test]
    fn editor_and_os_junk_is_recognised() {
        for junk in [
            ".effect.toml.swp",
            "assets/.mask.png.swx",
            ".effect.toml.swo",
            "effect.toml~",
            ".#effect.toml",
            "#effect.toml#",
            "4913",
            "assets/4913",
            ".DS_Store",
            "assets/.DS_Store",
            "Thumbs.db",
            "thumbs.db",
            "desktop.ini",
            "target",
            "target/debug/foo",
            "plugins/glitter/target/release/libglitter.so",
            ".lensmith-tmp-1234",
            "assets/.lensmith-tmp.png",
            ".effect.partial-4242-0.toml",
            ".noext.partial-1-17",
            "tests/golden.toml",
            "tests/expected/astronaut/frame_000000.png",
        ] {
            assert!(is_junk(junk), "{junk} is junk");
        }
    }

    #[test]
    fn bundle_content_is_not_junk() {
        for content in [
            "effect.toml",
            "effect.toml.tmp",
            "assets/mask.png",
            "models/cartoon.onnx",
            "luts/warm.cube",
            "plugins/libglitter.so",
            "targets/a.png",
            "my-target.png",
            ".hidden.png",
            "a.partial-1-2.png",
            ".a.partial-x-2.png",
            "#",
            "##",
            "swp",
            "49130",
            "textures/tests/a.png",
            "tests.png",
        ] {
            assert!(!is_junk(content), "{content} is content");
        }
    }

    #[test]
    fn the_atomic_writers_temporary_names_are_junk() {
        for target in ["effect.toml", "out.mp4", "noext", "assets/a.b.png"] {
            let pending = PendingFile::new(Path::new(target));
            let name = pending
                .temp()
                .file_name()
                .map(|name| name.to_string_lossy());
            let name = name.expect("a temporary path has a file name");
            assert!(is_junk(&name), "{name} (for {target}) is junk");
        }
    }

    #[test]
    fn folder_paths_are_made_relative_with_slashes() {
        let root = std::env::temp_dir().join("bundle");
        let target = Target::Folder { root: root.clone() };
        assert_eq!(
            target.relative(&root.join("effect.toml")).as_deref(),
            Some("effect.toml")
        );
        assert_eq!(
            target
                .relative(&root.join("plugins").join("libx.so"))
                .as_deref(),
            Some("plugins/libx.so")
        );
        assert_eq!(target.relative(&root), None, "the folder itself");
        assert_eq!(
            target.relative(&std::env::temp_dir().join("other/a.png")),
            None
        );
        assert_eq!(
            target.relative(&std::env::temp_dir().join("bundle2/a.png")),
            None
        );
    }

    #[test]
    fn a_packed_file_keeps_only_its_own_events() {
        let parent = std::env::temp_dir();
        let file = parent.join("cartoon.effect");
        let target = Target::File {
            parent: parent.clone(),
            file: file.clone(),
            name: "cartoon.effect".to_owned(),
        };
        assert_eq!(target.relative(&file).as_deref(), Some("cartoon.effect"));
        assert_eq!(target.relative(&parent.join("other.effect")), None);
        assert_eq!(target.relative(&parent), None);
        assert_eq!(target.watched_folder(), parent);
        assert!(!target.recursive());
    }
}
