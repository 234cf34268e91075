//! Packing a bundle directory into a `.effect` archive, and reading an archive (a file or
//! a buffer in memory) or an unpacked directory back into verified files in memory,
//! safely, whatever the input.
//!
//! Every way in ([`read`], [`read_bytes`], [`read_dir`], [`unpack`]) applies the same
//! member path rules ([`super::member_path`]), the same [`ArchiveLimits`] and the same
//! verification: every member but `checksums.toml` and `signature` must be listed in
//! `checksums.toml` and match it, and a signature, when present (or required), must
//! verify over it.

mod central_directory;
mod directory;
mod unpack;
mod writer;
mod zip_reader;

use std::collections::BTreeMap;
use std::io::{BufReader, Cursor};
use std::path::Path;

use super::checksums::Checksums;
use super::signing::{self, Signer, VerifyingKey};
use super::{BundleError, CHECKSUMS_MEMBER, MANIFEST_MEMBER, SIGNATURE_MEMBER};

pub use directory::{SKIPPED_FOLDERS, is_clutter, read_dir};
pub use unpack::unpack;
pub use writer::{PackOptions, PackSummary, pack, pack_with};

/// How much a bundle may hold, and whose signature it needs. The defaults suit any real
/// effect; lower them for untrusted downloads on small devices if need be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// The most entries (files and folders) an archive or directory may hold.
    pub max_entries: u64,
    /// The largest member, uncompressed, in bytes.
    pub max_member_bytes: u64,
    /// The most bytes all members may hold together, uncompressed.
    pub max_total_bytes: u64,
    /// The highest compression ratio (uncompressed / compressed size) of a member of at
    /// least [`ArchiveLimits::ratio_exempt_bytes`]; higher means a zip bomb.
    pub max_ratio: u64,
    /// Members smaller than this are not held to `max_ratio`: small text compresses very
    /// well, and `max_total_bytes` bounds what many small members can add up to.
    pub ratio_exempt_bytes: u64,
    /// When not empty, the bundle must be signed by one of these keys: unsigned bundles
    /// and bundles signed by any other key are refused. When empty, a signature is still
    /// verified if present and its signer reported as untrusted.
    pub trusted_keys: Vec<VerifyingKey>,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_entries: 4096,
            max_member_bytes: 256 << 20,
            max_total_bytes: 512 << 20,
            max_ratio: 200,
            ratio_exempt_bytes: 1 << 20,
            trusted_keys: Vec::new(),
        }
    }
}

impl ArchiveLimits {
    /// The default limits, requiring a signature by `key`.
    pub fn requiring_signature_by(key: VerifyingKey) -> Self {
        Self::requiring_signature_by_any([key])
    }

    /// The default limits, requiring a signature by any one of `keys` (an app's own
    /// studio key and a partner's, say); a key given twice counts once.
    ///
    /// With no keys at all this is [`ArchiveLimits::default`], which requires no
    /// signature: a host that loads its trusted keys from configuration should refuse an
    /// empty list itself rather than silently accept unsigned bundles.
    pub fn requiring_signature_by_any(keys: impl IntoIterator<Item = VerifyingKey>) -> Self {
        let mut trusted_keys = Vec::new();
        for key in keys {
            if !trusted_keys.contains(&key) {
                trusted_keys.push(key);
            }
        }
        Self {
            trusted_keys,
            ..Self::default()
        }
    }
}

/// What vouches for a bundle's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// A source directory without `checksums.toml`: nothing to verify against.
    Unverified,
    /// Every member matches `checksums.toml`; there is no signature.
    Unsigned,
    /// Every member matches `checksums.toml` and its signature verifies; the signer says
    /// whether it is one of the trusted keys.
    Signed(Box<Signer>),
}

/// A bundle's verified files in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFiles {
    /// `effect.toml` and the assets by member path (`/` between folders); without
    /// `checksums.toml` and `signature`, which vouch for them.
    pub files: BTreeMap<String, Vec<u8>>,
    /// What vouches for them.
    pub provenance: Provenance,
}

/// A bundle after verification, with the members that vouch for it.
#[derive(Debug)]
struct Verified {
    files: BundleFiles,
    checksums: Option<Vec<u8>>,
    signature: Option<Vec<u8>>,
}

/// Reads a `.effect` archive into memory and verifies it: member paths, sizes, ratios
/// and entry types are checked before and while decompressing (declared sizes are never
/// trusted), then every member against `checksums.toml` and the signature against
/// `limits.trusted_keys`.
pub fn read(path: &Path, limits: &ArchiveLimits) -> Result<BundleFiles, BundleError> {
    read_verified(path, limits).map(|verified| verified.files)
}

/// Reads a `.effect` archive that is already in memory (downloaded, or from an app's
/// assets) and verifies it exactly as [`read`] verifies a file. `label` stands for the
/// archive in every error message, where [`read`] would give its path: the bundle's
/// name, its URL, or something like `<memory: 12345 bytes>`.
pub fn read_bytes(
    bytes: &[u8],
    label: &Path,
    limits: &ArchiveLimits,
) -> Result<BundleFiles, BundleError> {
    let members = zip_reader::read_members(Cursor::new(bytes), label, limits)?;
    verify(label, members, limits, true).map(|verified| verified.files)
}

/// [`read`], keeping `checksums.toml` and `signature` (for [`unpack`]).
fn read_verified(path: &Path, limits: &ArchiveLimits) -> Result<Verified, BundleError> {
    if path
        .file_name()
        .is_some_and(|name| name == super::MANIFEST_MEMBER)
        && path.is_file()
    {
        let folder = crate::atomic_file::folder_of(path);
        return Err(BundleError::Usage {
            message: format!(
                "{} is a bundle's manifest; give the bundle: its folder, {}",
                path.display(),
                folder.display()
            ),
        });
    }
    let file = std::fs::File::open(path).map_err(|error| BundleError::io("open", path, error))?;
    let members = zip_reader::read_members(BufReader::new(file), path, limits)?;
    verify(path, members, limits, true)
}

/// Splits `members` into files and the members that vouch for them, and verifies them.
/// `archive` says whether `checksums.toml` is required (it is in a `.effect`; a source
/// directory has none).
fn verify(
    bundle: &Path,
    mut members: BTreeMap<String, Vec<u8>>,
    limits: &ArchiveLimits,
    archive: bool,
) -> Result<Verified, BundleError> {
    let checksums = members.remove(CHECKSUMS_MEMBER);
    let signature = members.remove(SIGNATURE_MEMBER);
    if !members.contains_key(MANIFEST_MEMBER) {
        return Err(BundleError::Missing {
            bundle: bundle.to_owned(),
            member: MANIFEST_MEMBER,
            advice: "every bundle needs its manifest there; add it, or point at the bundle's \
                     own folder rather than its parent",
        });
    }
    let Some(checksums_bytes) = checksums else {
        if archive || signature.is_some() {
            return Err(BundleError::Missing {
                bundle: bundle.to_owned(),
                member: CHECKSUMS_MEMBER,
                advice: "it is written by `lensmith pack`; this bundle was not packed by it \
                         or was damaged, so re-pack it",
            });
        }
        if !limits.trusted_keys.is_empty() {
            return Err(BundleError::Unsigned {
                bundle: bundle.to_owned(),
                trusted_ids: signing::key_ids(&limits.trusted_keys),
            });
        }
        return Ok(Verified {
            files: BundleFiles {
                files: members,
                provenance: Provenance::Unverified,
            },
            checksums: None,
            signature: None,
        });
    };
    // The signature first: if it holds, checksums.toml is authentic and any mismatch
    // below is in the member it names.
    let provenance = match &signature {
        Some(signature) => Provenance::Signed(Box::new(signing::verify(
            bundle,
            &checksums_bytes,
            signature,
            &limits.trusted_keys,
        )?)),
        None if !limits.trusted_keys.is_empty() => {
            return Err(BundleError::Unsigned {
                bundle: bundle.to_owned(),
                trusted_ids: signing::key_ids(&limits.trusted_keys),
            });
        }
        None => Provenance::Unsigned,
    };
    let text = std::str::from_utf8(&checksums_bytes)
        .map_err(|_| BundleError::member(bundle, CHECKSUMS_MEMBER, "it is not UTF-8 text"))?;
    let listed = Checksums::parse(text)
        .map_err(|error| BundleError::member(bundle, CHECKSUMS_MEMBER, error.to_string()))?;
    listed
        .verify(&members)
        .map_err(|report| BundleError::ChecksumMismatch {
            bundle: bundle.to_owned(),
            report,
        })?;
    Ok(Verified {
        files: BundleFiles {
            files: members,
            provenance,
        },
        checksums: Some(checksums_bytes),
        signature,
    })
}

/// Adds `size` bytes of `member` to `total`, refusing a member or a total over the limits.
fn count_bytes(
    bundle: &Path,
    member: &str,
    size: u64,
    total: &mut u64,
    limits: &ArchiveLimits,
) -> Result<(), BundleError> {
    if size > limits.max_member_bytes {
        return Err(BundleError::member(
            bundle,
            member,
            format!(
                "it holds {size} bytes, more than the limit of {} per member",
                limits.max_member_bytes
            ),
        ));
    }
    *total = total.saturating_add(size);
    if *total > limits.max_total_bytes {
        return Err(BundleError::member(
            bundle,
            member,
            format!(
                "with it the bundle holds over {} bytes, more than the limit of {} in all",
                *total, limits.max_total_bytes
            ),
        ));
    }
    Ok(())
}
