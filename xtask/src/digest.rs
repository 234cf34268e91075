//! Checksums and atomic file writes: a file in the cache is either whole and verified
//! or absent, never half-written.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// The sha256 of a file, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file
            .read(&mut buffer)
            .with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The sha256 of bytes, lowercase hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What a file on disk is, compared with its pinned sha256.
#[derive(Debug, PartialEq, Eq)]
pub enum FileCheck {
    /// Present with the expected content.
    Verified,
    /// Not there.
    Missing,
    /// There with other content.
    Corrupt {
        /// The sha256 actually found.
        found: String,
    },
}

/// Compares a file with the sha256 it should have.
pub fn check_file(path: &Path, expected_sha256: &str) -> Result<FileCheck> {
    if !path.exists() {
        return Ok(FileCheck::Missing);
    }
    let found = sha256_file(path)?;
    Ok(if found == expected_sha256 {
        FileCheck::Verified
    } else {
        FileCheck::Corrupt { found }
    })
}

/// Fails unless `bytes` hash to `expected_sha256`, naming `what` and where it came from.
pub fn verify_bytes(bytes: &[u8], expected_sha256: &str, what: &str, fix: &str) -> Result<()> {
    let found = sha256_bytes(bytes);
    if found != expected_sha256 {
        bail!("{what}: sha256 mismatch\n  expected {expected_sha256}\n  got      {found}\n{fix}");
    }
    Ok(())
}

/// A temporary path beside `target`, in the same folder so that a rename is atomic.
pub fn temporary_sibling(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Writes `bytes` to `target` atomically: into a sibling temporary file, flushed to disk,
/// then renamed over the target. Creates missing parent folders.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(target, |file| file.write_all(bytes))
}

/// Like [`write_atomically`], with the content produced by `fill`.
pub fn write_atomically_with(
    target: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let temporary = temporary_sibling(target);
    let result = (|| -> io::Result<()> {
        let mut file = File::create(&temporary)?;
        fill(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&temporary, target)
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(error).with_context(|| format!("writing {}", target.display()));
    }
    Ok(())
}

/// Moves a finished file into place atomically (same file system), verifying it first.
pub fn install_verified(
    candidate: &Path,
    target: &Path,
    expected_sha256: &str,
    fix: &str,
) -> Result<()> {
    let found = sha256_file(candidate)?;
    if found != expected_sha256 {
        bail!(
            "{}: sha256 mismatch\n  expected {expected_sha256}\n  got      {found}\n{fix}",
            target.display()
        );
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::rename(candidate, target)
        .with_context(|| format!("moving {} to {}", candidate.display(), target.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("lensmith-xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn sha256_matches_the_known_vector() {
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn check_file_tells_missing_verified_and_corrupt_apart() {
        let dir = scratch_dir("check");
        let path = dir.join("f");
        let abc = sha256_bytes(b"abc");
        assert_eq!(check_file(&path, &abc).unwrap(), FileCheck::Missing);
        write_atomically(&path, b"abc").unwrap();
        assert_eq!(check_file(&path, &abc).unwrap(), FileCheck::Verified);
        write_atomically(&path, b"abd").unwrap();
        assert!(matches!(
            check_file(&path, &abc).unwrap(),
            FileCheck::Corrupt { .. }
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn failed_write_leaves_the_old_file_and_no_partial() {
        let dir = scratch_dir("atomic");
        let path = dir.join("kept");
        write_atomically(&path, b"old").unwrap();
        let result = write_atomically_with(&path, |file| {
            file.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "a partial file was left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
