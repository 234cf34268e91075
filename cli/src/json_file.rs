//! Writing the command's JSON results atomically: under a temporary name, renamed into
//! place once complete, so a failure never leaves a half-written file under the user's name.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
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

/// Refuses, before any work is done, a JSON destination that could not be written at the
/// end: a path whose folder does not exist, or a folder itself. `option` names the flag.
pub fn check_json_destination(option: &str, path: &Path) -> Result<()> {
    if path.is_dir() {
        bail!(
            "{option} {}: that is a folder; give the path of the JSON file to write",
            path.display()
        );
    }
    let folder = lensmith_runtime::atomic_file::folder_of(path);
    if !folder.is_dir() {
        bail!(
            "{option} {}: the folder {} does not exist; create it first or write the JSON \
             elsewhere",
            path.display(),
            folder.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_path_in_a_missing_folder_or_naming_a_folder_is_refused_up_front() {
        let tmp = lensmith_testkit::TempDir::new("json-destination");
        assert!(check_json_destination("--json", &tmp.join("out.json")).is_ok());
        assert!(check_json_destination("--json", Path::new("bare.json")).is_ok());
        let missing = check_json_destination("--json", &tmp.join("nodir/out.json")).unwrap_err();
        assert!(
            missing.to_string().contains("nodir does not exist"),
            "{missing}"
        );
        let folder = check_json_destination("--json-report", tmp.path()).unwrap_err();
        assert!(folder.to_string().contains("that is a folder"), "{folder}");
    }
}
