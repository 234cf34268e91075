//! Writing the command's JSON results atomically: under a temporary name, renamed into
//! place once complete, so a failure never leaves a half-written file under the user's name.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use lensmith_runtime::atomic_file::PendingFile;
use serde::Serialize;

/// Writes `value` as JSON to `path`, replacing any file there only once it is complete.
pub fn write_json_atomically(path: &Path, value: &impl Serialize) -> Result<()> {
    let pending = PendingFile::new(path);
    let result = (|| -> Result<()> {
        let mut file = std::io::BufWriter::new(pending.create()?);
        serde_json::to_writer(&mut file, value)?;
        file.flush()?;
        Ok(())
    })();
    result
        .and_then(|()| Ok(pending.commit()?))
        .with_context(|| format!("writing {}", path.display()))
}
