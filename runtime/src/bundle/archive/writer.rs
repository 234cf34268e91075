//! Packing a bundle directory into a deterministic `.effect` archive: the same files give
//! the same bytes (sorted entries, fixed timestamps and permissions, fixed deflate level),
//! written atomically and read back under the default limits before it takes the target
//! name, so a bundle that a phone would refuse can never be shipped by accident. Files
//! nothing uses can be left out ([`PackOptions`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::super::checksums::Checksums;
use super::super::signing::{self, SigningKey};
use super::super::usage::unused_files;
use super::super::{BundleError, CHECKSUMS_MEMBER, MANIFEST_MEMBER, SIGNATURE_MEMBER};
use super::directory::{read_files, walk};
use super::{ArchiveLimits, Provenance, read};
use crate::atomic_file::PendingFile;
use crate::atomic_file::folder_of;

/// The deflate level: fixed, so the output does not change with the crate's default.
const DEFLATE_LEVEL: i64 = 6;

/// What [`pack`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSummary {
    /// The archive written.
    pub out: PathBuf,
    /// Each packed file's member path and size, sorted (without `checksums.toml` and
    /// `signature`).
    pub files: Vec<(String, u64)>,
    /// Members stored uncompressed because deflate shrank them past
    /// [`ArchiveLimits::max_ratio`] (a reader would take them for zip bombs).
    pub stored: Vec<String>,
    /// Files and folders skipped as never content (`.DS_Store`, `._hat.png`, `.git/`, ...).
    pub skipped: Vec<String>,
    /// True when the bundle's `tests/` folder (its golden-frame tests) was left out.
    pub tests_left_out: bool,
    /// Files nothing uses (see [`crate::bundle::usage`]) that were left out, with their
    /// sizes in bytes, sorted; empty when [`PackOptions::include_unused`] kept them.
    pub unused_left_out: Vec<(String, u64)>,
    /// The size of the archive in bytes.
    pub archive_bytes: u64,
    /// The signing key's id, when signed.
    pub signer: Option<String>,
}

/// How [`pack_with`] packs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackOptions {
    /// Keep the files nothing uses (see [`crate::bundle::usage`]); by default they are
    /// left out and listed in [`PackSummary::unused_left_out`].
    pub include_unused: bool,
}

/// Packs the bundle directory `dir` into the archive `out`, signed with `key` if given,
/// keeping every file (files nothing uses included): [`pack_with`] with
/// [`PackOptions::include_unused`] set. `lensmith pack` leaves unused files out.
pub fn pack(dir: &Path, out: &Path, key: Option<&SigningKey>) -> Result<PackSummary, BundleError> {
    let options = PackOptions {
        include_unused: true,
    };
    pack_with(dir, out, key, &options)
}

/// Packs the bundle directory `dir` into the archive `out`, signed with `key` if given.
///
/// Every file is packed but OS junk and the root's `tests/` folder (skipped and
/// reported) and, unless `options` keeps them, the files that neither the manifest names
/// nor are documents (left out and reported; see [`crate::bundle::usage`]: a manifest that
/// does not parse leaves nothing out); symbolic links, special
/// files, unportable names and bundles over [`ArchiveLimits::default`] are refused, and
/// `effect.toml` must be at the root. `checksums.toml` and `signature` at the root are
/// refused too: `pack` writes them, and a stale copy would be confusing. `out` must lie
/// outside `dir`; an existing file there is replaced atomically, and only once the new
/// archive has been read back and verified.
pub fn pack_with(
    dir: &Path,
    out: &Path,
    key: Option<&SigningKey>,
    options: &PackOptions,
) -> Result<PackSummary, BundleError> {
    let limits = ArchiveLimits::default();
    // Leave room for what pack adds (checksums.toml, about 100 bytes a file, and
    // signature), so the archive stays within the limits it is read back under.
    let walk_limits = ArchiveLimits {
        max_entries: limits.max_entries - 2,
        max_total_bytes: limits.max_total_bytes - (1 << 20),
        ..limits.clone()
    };
    let walk = walk(dir, &walk_limits)?;
    check_output(dir, out)?;
    for reserved in [CHECKSUMS_MEMBER, SIGNATURE_MEMBER] {
        if walk.files.iter().any(|file| file.member == reserved) {
            return Err(BundleError::member(
                dir,
                reserved,
                "this name is reserved: `pack` writes it itself; delete it from the bundle \
                 folder (it is left over from an unpacked bundle)",
            ));
        }
    }
    if !walk.files.iter().any(|file| file.member == MANIFEST_MEMBER) {
        return Err(BundleError::Missing {
            bundle: dir.to_owned(),
            member: MANIFEST_MEMBER,
            advice: "every bundle needs its manifest there; add it, or point at the bundle's \
                     own folder rather than its parent",
        });
    }
    let mut files = read_files(dir, &walk.files, &walk_limits)?;
    let mut unused_left_out = Vec::new();
    if !options.include_unused {
        let manifest = files
            .get(MANIFEST_MEMBER)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .and_then(|text| effect_api::manifest::check(MANIFEST_MEMBER, text).manifest);
        for unused in manifest.map_or_else(Vec::new, |manifest| unused_files(&manifest, &files)) {
            files.remove(&unused.path);
            unused_left_out.push((unused.path, unused.bytes));
        }
    }
    let checksums = Checksums::of(&files).to_toml().into_bytes();
    let signature = key.map(|key| signing::sign(&checksums, key));

    let pending = PendingFile::new(out);
    let stored = write_zip(&pending, &files, &checksums, signature.as_deref(), &limits)?;
    let check_limits = ArchiveLimits {
        trusted_keys: key.map(SigningKey::verifying_key).into_iter().collect(),
        ..limits
    };
    let read_back = read(pending.temp(), &check_limits)?;
    let provenance_as_packed = match (&read_back.provenance, key) {
        (Provenance::Signed(signer), Some(_)) => signer.trusted,
        (Provenance::Unsigned, None) => true,
        _ => false,
    };
    if read_back.files != files || !provenance_as_packed {
        return Err(BundleError::Usage {
            message: format!(
                "the archive written for {} did not read back identical; nothing was \
                 written to {} (please report this)",
                dir.display(),
                out.display()
            ),
        });
    }
    let archive_bytes = std::fs::metadata(pending.temp())
        .map_err(|error| BundleError::io("inspect", pending.temp(), error))?
        .len();
    pending
        .commit()
        .map_err(|error| BundleError::io("write", out, error))?;
    Ok(PackSummary {
        out: out.to_owned(),
        files: files
            .iter()
            .map(|(member, bytes)| (member.clone(), bytes.len() as u64))
            .collect(),
        stored,
        skipped: walk.skipped,
        tests_left_out: walk.tests_left_out,
        unused_left_out,
        archive_bytes,
        signer: key.map(|key| signing::key_id(&key.verifying_key())),
    })
}

/// Refuses an output inside the bundle folder (it would pack itself) or one that is a
/// folder.
fn check_output(dir: &Path, out: &Path) -> Result<(), BundleError> {
    if out.is_dir() {
        return Err(BundleError::Usage {
            message: format!(
                "{} is a folder; give the path of the .effect file to write",
                out.display()
            ),
        });
    }
    if let Some(first_bytes) = existing_file_start(out)
        && !first_bytes.is_empty()
        && !first_bytes.starts_with(b"PK")
    {
        return Err(BundleError::Usage {
            message: format!(
                "{} already exists and is not an effect bundle (a .effect file is a zip \
                 archive), so pack will not write over it: give another output name, or \
                 delete that file first if you no longer need it",
                out.display()
            ),
        });
    }
    let parent = folder_of(out);
    let canonical_dir = dir
        .canonicalize()
        .map_err(|error| BundleError::io("resolve", dir, error))?;
    let canonical_parent = parent
        .canonicalize()
        .map_err(|error| BundleError::io("open the output folder", parent, error))?;
    if canonical_parent.starts_with(&canonical_dir) {
        return Err(BundleError::Usage {
            message: format!(
                "{} is inside the bundle folder {}; write the .effect file somewhere else",
                out.display(),
                dir.display()
            ),
        });
    }
    Ok(())
}

/// The first bytes (up to 4) of the file at `path`, or `None` when there is no readable
/// file there.
fn existing_file_start(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut start = Vec::with_capacity(4);
    std::fs::File::open(path)
        .ok()?
        .take(4)
        .read_to_end(&mut start)
        .ok()?;
    Some(start)
}

/// Writes the archive to `pending`'s temporary file; returns the members stored
/// uncompressed.
fn write_zip(
    pending: &PendingFile,
    files: &BTreeMap<String, Vec<u8>>,
    checksums: &[u8],
    signature: Option<&[u8]>,
    limits: &ArchiveLimits,
) -> Result<Vec<String>, BundleError> {
    let temp = pending.temp();
    let zip_error = |error: zip::result::ZipError| BundleError::io("write", temp, error.into());
    let file = pending
        .create()
        .map_err(|error| BundleError::io("create", temp, error))?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
    let mut stored = Vec::new();
    let vouchers = [
        Some((CHECKSUMS_MEMBER, checksums)),
        signature.map(|s| (SIGNATURE_MEMBER, s)),
    ];
    let members = files
        .iter()
        .map(|(member, bytes)| (member.as_str(), bytes.as_slice()))
        .chain(vouchers.into_iter().flatten());
    for (member, bytes) in members {
        let method = if too_compressible(bytes, limits) {
            stored.push(member.to_owned());
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level((method == CompressionMethod::Deflated).then_some(DEFLATE_LEVEL))
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644);
        zip.start_file(member, options).map_err(zip_error)?;
        zip.write_all(bytes)
            .map_err(|error| BundleError::io("write", temp, error))?;
    }
    let writer = zip.finish().map_err(zip_error)?;
    writer
        .into_inner()
        .map_err(|error| BundleError::io("write", temp, error.into_error()))?;
    Ok(stored)
}

/// True when deflate would shrink `bytes` so far that a reader under `limits` would
/// refuse it. Measured with flate2 at the same level; the margin of two covers the small
/// difference between deflate implementations.
fn too_compressible(bytes: &[u8], limits: &ArchiveLimits) -> bool {
    if (bytes.len() as u64) < limits.ratio_exempt_bytes {
        return false;
    }
    let mut encoder =
        flate2::write::DeflateEncoder::new(ByteCounter(0), flate2::Compression::new(6));
    // Writing to a counter cannot fail; if it somehow did, storing is the safe choice.
    let Ok(counter) = encoder.write_all(bytes).and_then(|()| encoder.finish()) else {
        return true;
    };
    (bytes.len() as u64) / counter.0.max(1) > limits.max_ratio / 2
}

/// A writer that only counts bytes.
struct ByteCounter(u64);

impl Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
