//! Effect bundles on disk: packing a bundle directory into a `.effect` archive, reading one
//! back safely (hostile archives included), checksums over every member and ed25519
//! signatures over the checksums.
//!
//! A bundle is a directory with `effect.toml` at its root plus its assets. Packed, it is a
//! zip holding those files, `checksums.toml` (the sha256 of every other member) and, when
//! signed, `signature` (ed25519 over the exact bytes of `checksums.toml`). Whoever reads a
//! bundle through [`archive::read`], [`archive::read_bytes`], [`archive::read_dir`] or
//! [`archive::unpack`] gets either every file verified or an error naming what is wrong.

pub mod archive;
pub mod checksums;
pub mod manifest_edit;
pub mod member_path;
pub mod signing;
pub mod usage;
pub mod validate;

use std::path::PathBuf;

pub use archive::{
    ArchiveLimits, BundleFiles, PackOptions, PackSummary, Provenance, pack, pack_with, read,
    read_bytes, read_dir, unpack,
};
pub use checksums::{ChecksumReport, Checksums};
pub use signing::{SigningKey, VerifyingKey};
pub use validate::{BundleReport, validate, validate_for};

/// The bundle's manifest, required at the root of every bundle.
pub const MANIFEST_MEMBER: &str = "effect.toml";
/// The member listing the sha256 of every other member; written by [`archive::pack`].
pub const CHECKSUMS_MEMBER: &str = "checksums.toml";
/// The optional member holding the ed25519 signature over `checksums.toml`.
pub const SIGNATURE_MEMBER: &str = "signature";

/// Everything that can go wrong packing, reading, verifying or signing a bundle. Each
/// message names the file or member and says what to do; the enum is `Clone` so it can
/// travel in GUI messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// A file system operation failed.
    #[error("could not {action} {}: {message}", path.display())]
    Io {
        /// What was being done ("read", "create", ...).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The file is not a zip archive that can be read at all.
    #[error(
        "{} is not a readable .effect archive: {reason}. It is damaged or not a bundle; \
         download it again or re-pack it with `lensmith pack`",
        path.display()
    )]
    NotAnArchive {
        /// The archive.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A member (or, when packing, a file) is refused; the reason says why.
    #[error(
        "{}: member {member:?} is refused: {reason}",
        bundle.display()
    )]
    Member {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// The member's path inside the bundle (lossy if it was not UTF-8).
        member: String,
        /// Why, and what to do.
        reason: String,
    },
    /// The archive or directory has more entries than the limit.
    #[error(
        "{} holds {count} entries, more than the limit of {limit}; a bundle this large is \
         refused (split the effect, or raise the limit if it is trusted)",
        bundle.display()
    )]
    TooManyEntries {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// Entries found (at least).
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// A required member is missing.
    #[error("{} has no {member} at its root: {advice}", bundle.display())]
    Missing {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// The missing member.
        member: &'static str,
        /// What to do.
        advice: &'static str,
    },
    /// `checksums.toml` cannot be parsed.
    #[error(
        "checksums.toml line {line}: {message}; the file is written by `lensmith pack`, \
         re-pack the bundle instead of editing it"
    )]
    ChecksumsSyntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The members do not match `checksums.toml`.
    #[error(
        "{} does not match its checksums.toml: {report}. The bundle was changed or damaged \
         after it was packed; get a fresh copy or re-pack it",
        bundle.display()
    )]
    ChecksumMismatch {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// Every changed, missing and unlisted member.
        report: ChecksumReport,
    },
    /// A key file cannot be used.
    #[error("key file {}: {message}", path.display())]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The operating system gave no randomness for a new key.
    #[error("could not get randomness from the operating system for a new key: {message}")]
    Randomness {
        /// The operating system's message.
        message: String,
    },
    /// The `signature` member cannot be parsed.
    #[error(
        "{}: the signature member is malformed: {message}; re-sign the bundle with \
         `lensmith pack --sign`",
        bundle.display()
    )]
    SignatureMalformed {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The signature does not verify over `checksums.toml`.
    #[error(
        "{}: the signature by key {key_id} does not match checksums.toml: the bundle was \
         tampered with or damaged after it was signed; do not use it",
        bundle.display()
    )]
    SignatureInvalid {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// The key id the signature claims.
        key_id: String,
    },
    /// The bundle is signed, but not by any of the trusted keys.
    #[error(
        "{}: signed by key {key_id}, which is not {}; only bundles signed by a trusted key \
         are accepted here, so get a copy signed with one (or trust key {key_id} too, if you \
         know whose it is)",
        bundle.display(),
        trusted_keys_phrase(trusted_ids)
    )]
    UntrustedSigner {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// The signer's key id.
        key_id: String,
        /// The ids of the keys the reader trusts, in the order it gave them.
        trusted_ids: Vec<String>,
    },
    /// The bundle is unsigned, but a signature by a trusted key is required.
    #[error(
        "{} is not signed, but a signature by {} is required here; pack it with \
         `lensmith pack --sign` and a trusted key's secret",
        bundle.display(),
        trusted_keys_phrase(trusted_ids)
    )]
    Unsigned {
        /// The archive or bundle directory.
        bundle: PathBuf,
        /// The ids of the keys the reader trusts, in the order it gave them.
        trusted_ids: Vec<String>,
    },
    /// A path to be written already exists.
    #[error("{} already exists; {advice}", path.display())]
    AlreadyExists {
        /// The path.
        path: PathBuf,
        /// What to do.
        advice: &'static str,
    },
    /// The arguments cannot work together (for example, packing a bundle into itself).
    #[error("{message}")]
    Usage {
        /// What is wrong and what to do.
        message: String,
    },
}

/// The trusted keys as an error message names them: "the trusted key A" for one, "one of
/// the trusted keys A, B" for several.
fn trusted_keys_phrase(ids: &[String]) -> String {
    match ids {
        [] => "a trusted key (none was named)".to_owned(),
        [id] => format!("the trusted key {id}"),
        ids => format!("one of the trusted keys {}", ids.join(", ")),
    }
}

impl BundleError {
    /// An [`BundleError::Io`] from a `std::io::Error`.
    pub(crate) fn io(action: &'static str, path: &std::path::Path, error: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            message: error.to_string(),
        }
    }

    /// A [`BundleError::Member`].
    pub(crate) fn member(
        bundle: &std::path::Path,
        member: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::Member {
            bundle: bundle.to_owned(),
            member: member.into(),
            reason: reason.into(),
        }
    }
}
