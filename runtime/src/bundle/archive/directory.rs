//! Walking a bundle directory under the same rules as an archive: plain files and folders
//! only (no symbolic links, devices, sockets or pipes), portable UTF-8 names, and the same
//! limits. The walk is sorted, so packing is deterministic.
//!
//! Files that are never an effect's content are skipped and reported, never packed: what
//! operating systems drop into folders on their own (`.DS_Store`, `Thumbs.db`,
//! `desktop.ini`, macOS's `._` companions and `__MACOSX/`), editors' backups and swap
//! files, version control's folders (`.git/`) and `.env` secrets. So is the bundle's own
//! `tests/` folder at its root ([`effect_api::manifest::TESTS_FOLDER`]): its golden-frame
//! tests are for `lensmith test`, not for phones. Empty folders hold nothing and are not
//! recorded.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::super::BundleError;
use super::super::member_path::{self, MemberSet};
use super::{ArchiveLimits, BundleFiles, count_bytes, verify};

/// File names skipped wherever they appear: written by Finder and Explorer (`Icon\r` is a
/// folder's custom icon on macOS), or secrets a tool keeps beside its work.
pub(super) const OS_JUNK: &[&str] = &[".DS_Store", "Thumbs.db", "desktop.ini", "Icon\r", ".env"];

/// Folders skipped whole wherever they appear: version control's, and the one macOS's
/// Archive Utility leaves beside what it unzipped.
pub const SKIPPED_FOLDERS: &[&str] = &[".git", ".hg", ".svn", "__MACOSX"];

/// Whether a file called `name` is never content: see the module's documentation.
pub fn is_clutter(name: &str) -> bool {
    OS_JUNK.contains(&name)
        // macOS's AppleDouble companion of `name`, written on disks without its metadata.
        || name.starts_with("._")
        // Editors' backups (`effect.toml~`) and Vim's swap files (`.effect.toml.swp`).
        || name.ends_with('~')
        || (name.starts_with('.') && (name.ends_with(".swp") || name.ends_with(".swo")))
}

/// A plain file found in a bundle directory.
#[derive(Debug)]
pub(super) struct DirFile {
    /// Its member path.
    pub member: String,
    /// Its path on disk.
    pub path: PathBuf,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(super) struct Walk {
    /// The plain files, sorted by member path.
    pub files: Vec<DirFile>,
    /// The member paths of the OS junk files skipped.
    pub skipped: Vec<String>,
    /// True when the root held a `tests/` folder, which was left out.
    pub tests_left_out: bool,
}

/// Reads an unpacked bundle directory into memory under the same rules as [`super::read`].
/// If it holds `checksums.toml` (as [`super::unpack`] writes it), every file is verified
/// against it and the signature checked as for an archive; a source directory without it
/// comes back [`super::Provenance::Unverified`], unless `limits` requires a signature.
pub fn read_dir(dir: &Path, limits: &ArchiveLimits) -> Result<BundleFiles, BundleError> {
    let walk = walk(dir, limits)?;
    let members = read_files(dir, &walk.files, limits)?;
    verify(dir, members, limits, false).map(|verified| verified.files)
}

/// Every plain file under `dir`, checked against the path rules and `limits` by the size
/// the file system reports.
pub(super) fn walk(dir: &Path, limits: &ArchiveLimits) -> Result<Walk, BundleError> {
    let metadata = dir
        .metadata()
        .map_err(|error| BundleError::io("open the bundle folder", dir, error))?;
    if !metadata.is_dir() {
        return Err(BundleError::Usage {
            message: format!(
                "{} is not a folder; give the bundle's folder (the one holding effect.toml)",
                dir.display()
            ),
        });
    }
    let mut walk = Walk::default();
    let mut set = MemberSet::new();
    let mut entries = 0u64;
    let mut total = 0u64;
    let mut pending = vec![(dir.to_owned(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        let listing =
            std::fs::read_dir(&folder).map_err(|error| BundleError::io("list", &folder, error))?;
        for entry in listing {
            let entry = entry.map_err(|error| BundleError::io("list", &folder, error))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                return Err(BundleError::member(
                    dir,
                    format!("{prefix}{}", entry.file_name().to_string_lossy()),
                    "its name is not UTF-8; rename it",
                ));
            };
            let member = format!("{prefix}{name}");
            let refuse = |reason: String| BundleError::member(dir, member.as_str(), reason);
            let file_type = entry
                .file_type()
                .map_err(|error| BundleError::io("inspect", &entry.path(), error))?;
            let skipped_folder = file_type.is_dir() && SKIPPED_FOLDERS.contains(&name.as_str());
            if skipped_folder || (file_type.is_file() && is_clutter(&name)) {
                walk.skipped.push(if skipped_folder {
                    format!("{member}/")
                } else {
                    member
                });
                continue;
            }
            if file_type.is_dir() && member == effect_api::manifest::TESTS_FOLDER {
                walk.tests_left_out = true;
                continue;
            }
            entries += 1;
            if entries > limits.max_entries {
                return Err(BundleError::TooManyEntries {
                    bundle: dir.to_owned(),
                    count: entries,
                    limit: limits.max_entries,
                });
            }
            member_path::check(&member).map_err(refuse)?;
            if file_type.is_symlink() {
                return Err(refuse(
                    "it is a symbolic link; bundles hold plain files only, so copy the file \
                     it points to into the bundle instead"
                        .into(),
                ));
            } else if file_type.is_dir() {
                set.add_folder(&member).map_err(refuse)?;
                pending.push((entry.path(), format!("{member}/")));
            } else if file_type.is_file() {
                set.add_file(&member).map_err(refuse)?;
                let size = entry
                    .metadata()
                    .map_err(|error| BundleError::io("inspect", &entry.path(), error))?
                    .len();
                count_bytes(dir, &member, size, &mut total, limits)?;
                walk.files.push(DirFile {
                    member,
                    path: entry.path(),
                });
            } else {
                return Err(refuse(
                    "it is not a plain file (a device, socket or pipe); remove it".into(),
                ));
            }
        }
    }
    walk.files.sort_by(|a, b| a.member.cmp(&b.member));
    walk.skipped.sort();
    Ok(walk)
}

/// The bytes of `files`, counted again as read (a file may grow after the walk).
pub(super) fn read_files(
    dir: &Path,
    files: &[DirFile],
    limits: &ArchiveLimits,
) -> Result<BTreeMap<String, Vec<u8>>, BundleError> {
    let mut members = BTreeMap::new();
    let mut total = 0;
    for file in files {
        let opened = std::fs::File::open(&file.path)
            .map_err(|error| BundleError::io("open", &file.path, error))?;
        let mut bytes = Vec::new();
        opened
            .take(limits.max_member_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|error| BundleError::io("read", &file.path, error))?;
        count_bytes(dir, &file.member, bytes.len() as u64, &mut total, limits)?;
        members.insert(file.member.clone(), bytes);
    }
    Ok(members)
}
