//! Reading every member of a zip into memory without trusting it: names, entry types,
//! compression, declared sizes and ratios are checked before decompressing, and the bytes
//! actually produced are counted against the declared size while decompressing. The zip
//! may be a file or a buffer in memory: anything seekable, read the same way.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek};
use std::path::Path;

use zip::{CompressionMethod, ZipArchive};

use super::super::BundleError;
use super::super::member_path::{self, MemberSet};
use super::{ArchiveLimits, central_directory, count_bytes};

/// The file type bits of a Unix mode, and the two types a member may have.
const TYPE_MASK: u32 = 0o170_000;
const REGULAR: u32 = 0o100_000;
const FOLDER: u32 = 0o040_000;
/// The most memory reserved up front for a member, whatever its header declares.
const MAX_RESERVE: u64 = 1 << 20;

/// Every file member of the archive in `source` (folder entries are checked and dropped),
/// by member path. `path` names the archive in errors: its file, or a buffer's label.
pub(super) fn read_members<R: Read + Seek>(
    mut source: R,
    path: &Path,
    limits: &ArchiveLimits,
) -> Result<BTreeMap<String, Vec<u8>>, BundleError> {
    let raw_names = central_directory::entry_names(&mut source, path, limits.max_entries)?;
    let names = utf8_names(path, raw_names)?;
    let mut archive = ZipArchive::new(source).map_err(|error| BundleError::NotAnArchive {
        path: path.to_owned(),
        reason: error.to_string(),
    })?;
    if archive.len() != names.len() || archive.offset() != 0 {
        return Err(BundleError::NotAnArchive {
            path: path.to_owned(),
            reason: "its entries cannot be read consistently (conflicting directory records)"
                .into(),
        });
    }
    let mut set = MemberSet::new();
    let mut members = BTreeMap::new();
    let mut total = 0;
    for (index, name) in names.iter().enumerate() {
        let refuse = |reason: String| BundleError::member(path, name.as_str(), reason);
        let entry = archive
            .by_index_raw(index)
            .map_err(|error| refuse(format!("its header cannot be read: {error}")))?;
        if entry.name_raw() != name.as_bytes() {
            return Err(refuse(
                "its name differs between its header and its Unicode path field".into(),
            ));
        }
        if entry.encrypted() {
            return Err(refuse(
                "it is encrypted; bundles are never encrypted, re-pack it".into(),
            ));
        }
        let kind = entry.unix_mode().map_or(0, |mode| mode & TYPE_MASK);
        if let Some(folder) = name.strip_suffix('/') {
            if kind != 0 && kind != FOLDER {
                return Err(refuse("it is a folder entry of another file type".into()));
            }
            if entry.size() != 0 || entry.compressed_size() > 2 {
                return Err(refuse("it is a folder entry that holds data".into()));
            }
            member_path::check(folder)
                .and_then(|()| set.add_folder(folder))
                .map_err(refuse)?;
            continue;
        }
        match kind {
            0 | REGULAR => {}
            0o120_000 => {
                return Err(refuse(
                    "it is a symbolic link; bundles hold plain files only".into(),
                ));
            }
            other => {
                return Err(refuse(format!(
                    "it is not a plain file (Unix file type {other:o})"
                )));
            }
        }
        member_path::check(name)
            .and_then(|()| set.add_file(name))
            .map_err(refuse)?;
        let method = entry.compression();
        if !matches!(
            method,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return Err(refuse(format!(
                "it is compressed with {method}; bundles use only deflate or no compression"
            )));
        }
        let declared = entry.size();
        let compressed = entry.compressed_size();
        count_bytes(path, name, declared, &mut total, limits)?;
        if declared >= limits.ratio_exempt_bytes && declared / compressed.max(1) > limits.max_ratio
        {
            return Err(refuse(format!(
                "it expands {compressed} bytes to {declared}, a ratio over the limit of {}: \
                 it looks like a zip bomb",
                limits.max_ratio
            )));
        }
        drop(entry);
        let bytes = decompress(&mut archive, index, declared).map_err(refuse)?;
        members.insert(name.clone(), bytes);
    }
    Ok(members)
}

/// The names as UTF-8, refusing names that are not and names that appear twice.
fn utf8_names(path: &Path, raw_names: Vec<Vec<u8>>) -> Result<Vec<String>, BundleError> {
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(raw_names.len());
    for raw in raw_names {
        let name = String::from_utf8(raw).map_err(|error| {
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            BundleError::member(
                path,
                lossy,
                "its name is not UTF-8; bundles use UTF-8 names only",
            )
        })?;
        if !seen.insert(name.clone()) {
            return Err(BundleError::member(
                path,
                name,
                "it appears twice in the archive; which copy is meant is ambiguous",
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// Entry `index`'s bytes, reading at most one byte past `declared` to catch a header that
/// lies about the size; the zip crate checks the CRC at the end.
fn decompress<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
    declared: u64,
) -> Result<Vec<u8>, String> {
    let entry = archive
        .by_index(index)
        .map_err(|error| format!("it cannot be opened: {error}"))?;
    let mut bytes = Vec::with_capacity(declared.min(MAX_RESERVE) as usize);
    entry
        .take(declared.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| format!("it is damaged and cannot be decompressed: {error}"))?;
    let actual = bytes.len() as u64;
    if actual > declared {
        return Err(format!(
            "it declares {declared} bytes but holds more; the archive is damaged or hostile"
        ));
    }
    if actual < declared {
        return Err(format!(
            "it declares {declared} bytes but holds only {actual}; the archive is damaged"
        ));
    }
    Ok(bytes)
}
