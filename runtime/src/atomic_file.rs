//! Writing a file under a temporary name beside its target and renaming it into place, so
//! a crash or an error never leaves a half-written file under the final name.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Tells apart the temporary files of writers running at once in one process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

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
        Self {
            temp: target.with_file_name(name),
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
    pub fn commit(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the file may never have been created.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
