//! Unpacking a `.effect` archive into a new folder: read and verify everything in memory
//! first, write into a fresh temporary folder beside the destination, then rename it into
//! place, so a failure leaves nothing behind and nothing lands outside the destination.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::super::{BundleError, CHECKSUMS_MEMBER, SIGNATURE_MEMBER};
use super::{ArchiveLimits, BundleFiles, read_verified};
use crate::atomic_file::folder_of;

/// Tells apart the temporary folders of unpacks running at once in one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// Unpacks the archive at `path` into the new folder `dest`, after reading and verifying
/// it fully under `limits` (see [`super::read`]). `checksums.toml` and `signature` are
/// written too, so [`super::read_dir`] can verify the folder again later. Refuses an
/// existing `dest`; creates its parent folders if needed.
pub fn unpack(
    path: &Path,
    dest: &Path,
    limits: &ArchiveLimits,
) -> Result<BundleFiles, BundleError> {
    if dest.symlink_metadata().is_ok() {
        return Err(BundleError::AlreadyExists {
            path: dest.to_owned(),
            advice: "unpacking never writes into an existing folder; remove it or choose a \
                     new destination",
        });
    }
    let verified = read_verified(path, limits)?;
    let parent = folder_of(dest);
    std::fs::create_dir_all(parent)
        .map_err(|error| BundleError::io("create the folder", parent, error))?;
    let name = dest
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| BundleError::Usage {
            message: format!(
                "{} does not name a folder to create; give a path ending in the new \
                 folder's name",
                dest.display()
            ),
        })?;
    let unique = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    let mut temp = TempFolder::create(
        parent.join(format!(".{name}.partial-{}-{unique}", std::process::id())),
    )?;
    let vouchers = [
        verified
            .checksums
            .as_deref()
            .map(|bytes| (CHECKSUMS_MEMBER, bytes)),
        verified
            .signature
            .as_deref()
            .map(|bytes| (SIGNATURE_MEMBER, bytes)),
    ];
    let members = verified
        .files
        .files
        .iter()
        .map(|(member, bytes)| (member.as_str(), bytes.as_slice()))
        .chain(vouchers.into_iter().flatten());
    for (member, bytes) in members {
        write_member(&temp.path, member, bytes)?;
    }
    std::fs::rename(&temp.path, dest)
        .map_err(|error| BundleError::io("move into place", dest, error))?;
    temp.kept = true;
    // Best effort: the folder is in place; flushing its parent only makes the rename
    // durable sooner.
    let _ = std::fs::File::open(parent).and_then(|folder| folder.sync_all());
    Ok(verified.files)
}

/// Writes one member (a path already checked against the member path rules, so it stays
/// inside `root`) as a new file.
fn write_member(root: &Path, member: &str, bytes: &[u8]) -> Result<(), BundleError> {
    let target = member
        .split('/')
        .fold(root.to_owned(), |path, part| path.join(part));
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|error| BundleError::io("create the folder", folder, error))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(|error| BundleError::io("create", &target, error))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|error| BundleError::io("write", &target, error))
}

/// A temporary folder, removed with everything in it on drop unless kept.
struct TempFolder {
    path: PathBuf,
    kept: bool,
}

impl TempFolder {
    fn create(path: PathBuf) -> Result<Self, BundleError> {
        std::fs::create_dir(&path)
            .map_err(|error| BundleError::io("create the folder", &path, error))?;
        Ok(Self { path, kept: false })
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        if !self.kept {
            // Best effort: an error has already been returned to the caller.
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
