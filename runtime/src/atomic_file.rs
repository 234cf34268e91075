//! Writing a file under a temporary name beside its target and renaming it into place, so
//! a crash, a power cut or an error never leaves a half-written file under the final name.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Tells apart the temporary files of writers running at once in one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// The temporary paths of the [`PendingFile`]s alive in this process, for
/// [`remove_unfinished`].
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn unfinished() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A poisoned lock only means a thread panicked while holding it; the list is whole.
    UNFINISHED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes the temporary file of every [`PendingFile`] not yet committed, and returns how
/// many there were: for a program stopped by a signal (Ctrl-C), whose destructors will not
/// run, so that it leaves no hidden partial files behind.
pub fn remove_unfinished() -> usize {
    let paths = std::mem::take(&mut *unfinished());
    for path in &paths {
        // Not there yet (nothing written) or already gone: nothing to remove.
        let _ = std::fs::remove_file(path);
    }
    paths.len()
}

/// A temporary path beside `target`, removed on drop unless [`PendingFile::commit`] ran.
#[derive(Debug)]
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PendingFile {
    /// Reserves a hidden temporary name in `target`'s folder. It keeps `target`'s
    /// extension, so tools that infer the format from the name (ffmpeg) still can.
    pub fn new(target: &Path) -> Self {
        let stem = target
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let extension = target
            .extension()
            .map(|ext| format!(".{}", ext.to_string_lossy()))
            .unwrap_or_default();
        let unique = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
        let name = format!(".{stem}.partial-{}-{unique}{extension}", std::process::id());
        let temp = target.with_file_name(name);
        unfinished().push(temp.clone());
        Self {
            temp,
            target: target.to_owned(),
            committed: false,
        }
    }

    /// Where to write the data.
    pub fn temp(&self) -> &Path {
        &self.temp
    }

    /// The final name.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Creates the temporary file for writing.
    pub fn create(&self) -> std::io::Result<std::fs::File> {
        std::fs::File::create(&self.temp)
    }

    /// Moves the finished temporary file to the final name, replacing any old file there.
    ///
    /// The temporary file's data is flushed to disk first, and on Unix the folder is
    /// flushed after the rename, so after a crash the final name holds either the old file
    /// or the whole new one, never an empty or partial file. Whoever wrote the temporary
    /// file (this process or another, such as ffmpeg) must have closed or flushed it.
    /// An error from flushing the folder comes after the rename: the file is then in
    /// place, only its durability is in doubt, and the message says so.
    pub fn commit(mut self) -> std::io::Result<()> {
        // fsync applies to the file, not to the handle that wrote it, so a fresh handle
        // covers data written by another process too. Write access because Windows needs
        // it to flush a file.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&self.temp)?
            .sync_all()?;
        std::fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        forget_unfinished(&self.temp);
        sync_parent(&self.target)
    }
}

/// Writes `bytes` to `path` through a [`PendingFile`]: the file at `path` is the old one
/// or the whole new one, never a part of it.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> std::io::Result<()> {
    let pending = PendingFile::new(path);
    std::fs::write(pending.temp(), bytes)?;
    pending.commit()
}

/// The folder that holds `path`: its parent, or `.` for a bare file name (whose parent is
/// the empty path).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Flushes the folder holding `path`, so a rename into it survives a power cut.
#[cfg(unix)]
fn sync_parent(path: &Path) -> std::io::Result<()> {
    let parent = folder_of(path);
    match std::fs::File::open(parent).and_then(|folder| folder.sync_all()) {
        // Some file systems (certain network and FUSE mounts) refuse to fsync a folder
        // with EINVAL; their renames are as durable as they can be made, so that is no
        // reason to fail a write whose file is already in place.
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        Err(error) => Err(std::io::Error::new(
            error.kind(),
            format!(
                "the file is in place, but flushing its folder {} failed: {error}",
                parent.display()
            ),
        )),
        Ok(()) => Ok(()),
    }
}

/// Elsewhere (Windows) a folder cannot be opened as a file to flush it; the rename is as
/// durable as the file system's own metadata journal makes it.
#[cfg(not(unix))]
fn sync_parent(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the file may never have been created.
            let _ = std::fs::remove_file(&self.temp);
            forget_unfinished(&self.temp);
        }
    }
}

/// Takes `temp` off the list [`remove_unfinished`] works through.
fn forget_unfinished(temp: &Path) {
    let mut paths = unfinished();
    if let Some(index) = paths.iter().position(|path| path == temp) {
        paths.swap_remove(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfinished_files_are_listed_until_committed_or_dropped() {
        // (Removing them all is left to `lensmith`'s Ctrl-C test: here it would pull the
        // files from under the tests running beside this one.)
        let dir = std::env::temp_dir().join(format!("lensmith-unfinished-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (kept, committed) = (
            PendingFile::new(&dir.join("a.y4m")),
            PendingFile::new(&dir.join("b.y4m")),
        );
        std::fs::write(committed.temp(), b"whole").unwrap();
        let (kept_temp, committed_temp) = (kept.temp().to_owned(), committed.temp().to_owned());
        assert!(unfinished().contains(&kept_temp) && unfinished().contains(&committed_temp));
        committed.commit().unwrap();
        assert!(
            !unfinished().contains(&committed_temp),
            "committed: off the list"
        );
        drop(kept);
        assert!(!unfinished().contains(&kept_temp), "dropped: off the list");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn commit_replaces_the_target_and_drop_cleans_up() {
        let dir = std::env::temp_dir().join(format!("lensmith-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.json");
        std::fs::write(&target, "old").unwrap();

        let abandoned = PendingFile::new(&target);
        std::fs::write(abandoned.temp(), "half").unwrap();
        drop(abandoned);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");

        let pending = PendingFile::new(&target);
        assert!(pending.temp().extension().is_some_and(|ext| ext == "json"));
        std::io::Write::write_all(&mut pending.create().unwrap(), b"new").unwrap();
        pending.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.json"], "no temporary file is left");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn committing_a_file_never_written_fails_and_keeps_the_target() {
        let dir = std::env::temp_dir();
        let target = dir.join(format!(
            "lensmith-atomic-missing-{}.txt",
            std::process::id()
        ));
        let error = PendingFile::new(&target).commit().unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
        assert!(!target.exists());
    }
}
