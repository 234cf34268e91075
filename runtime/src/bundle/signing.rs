//! Ed25519 keys as small text files, and the bundle's `signature` member: a signature over
//! the exact bytes of `checksums.toml`, with the signer's public key beside it.
//!
//! Key files hold one line, `lensmith-secret-key-v1 <64 hex digits>` (the 32-byte seed)
//! or `lensmith-public-key-v1 <64 hex digits>`. The `signature` member holds three lines:
//! `lensmith-signature-v1`, `public-key <64 hex digits>` and `signature <128 hex digits>`.
//! A key's id is the first 8 bytes of the sha256 of its public key, in hex.

use std::io::{Read, Write};
use std::path::Path;

use super::BundleError;
use super::checksums::{from_hex, sha256, to_hex};
use crate::atomic_file::PendingFile;

pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

const SECRET_TAG: &str = "lensmith-secret-key-v1";
const PUBLIC_TAG: &str = "lensmith-public-key-v1";
const SIGNATURE_TAG: &str = "lensmith-signature-v1";
/// Key files are one short line; anything much longer is the wrong file.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// Who signed a bundle, and whether the reader trusts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The signer's public key.
    pub key: VerifyingKey,
    /// Its short id ([`key_id`]).
    pub key_id: String,
    /// True when the reader named trusted keys and this is one of them; false when it
    /// named none (a signer outside a non-empty list is refused, never reported).
    pub trusted: bool,
}

/// A new key from the operating system's randomness.
pub fn generate_key() -> Result<SigningKey, BundleError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| BundleError::Randomness {
        message: error.to_string(),
    })?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    Ok(key)
}

/// The short id of a public key: 16 hex digits of its sha256.
pub fn key_id(key: &VerifyingKey) -> String {
    to_hex(&sha256(key.as_bytes())[..8])
}

/// The short ids of `keys` ([`key_id`]), in order.
pub fn key_ids(keys: &[VerifyingKey]) -> Vec<String> {
    keys.iter().map(key_id).collect()
}

/// The one-line text of a public key file.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("{PUBLIC_TAG} {}\n", to_hex(key.as_bytes()))
}

/// A public key from the text of a public key file (so a host can embed its trusted key
/// as a string). The error says what is wrong.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes = parse_key_line(text, PUBLIC_TAG, SECRET_TAG)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| {
        "the key is not a valid ed25519 public key; the file is damaged, export it again".to_owned()
    })
}

/// Writes `key`'s secret to a new file at `path`, readable by its owner only (0600 on
/// Unix), atomically. Refuses to replace an existing file: losing a secret key is losing
/// the ability to sign updates.
pub fn write_secret_key(path: &Path, key: &SigningKey) -> Result<(), BundleError> {
    let text = format!("{SECRET_TAG} {}\n", to_hex(&key.to_bytes()));
    write_new(path, text.as_bytes(), true)
}

/// Writes a public key file at `path` atomically; refuses to replace an existing file.
pub fn write_public_key(path: &Path, key: &VerifyingKey) -> Result<(), BundleError> {
    write_new(path, public_key_text(key).as_bytes(), false)
}

/// Reads a secret key file written by [`write_secret_key`].
pub fn read_secret_key(path: &Path) -> Result<SigningKey, BundleError> {
    let text = read_key_file(path)?;
    let seed =
        parse_key_line(&text, SECRET_TAG, PUBLIC_TAG).map_err(|message| BundleError::KeyFile {
            path: path.to_owned(),
            message,
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key file written by [`write_public_key`].
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, BundleError> {
    let text = read_key_file(path)?;
    parse_public_key(&text).map_err(|message| BundleError::KeyFile {
        path: path.to_owned(),
        message,
    })
}

/// The `signature` member for the exact bytes of `checksums.toml`.
pub fn sign(checksums: &[u8], key: &SigningKey) -> Vec<u8> {
    use ed25519_dalek::Signer as _;
    let signature = key.sign(checksums);
    format!(
        "{SIGNATURE_TAG}\npublic-key {}\nsignature {}\n",
        to_hex(key.verifying_key().as_bytes()),
        to_hex(&signature.to_bytes())
    )
    .into_bytes()
}

/// Checks the `signature` member of `bundle` over the exact bytes of `checksums.toml`.
/// With `trusted` keys, the signer must be one of them; with none, any valid signature
/// passes and the result says the signer is untrusted.
pub fn verify(
    bundle: &Path,
    checksums: &[u8],
    signature: &[u8],
    trusted: &[VerifyingKey],
) -> Result<Signer, BundleError> {
    let malformed = |message: &str| BundleError::SignatureMalformed {
        bundle: bundle.to_owned(),
        message: message.to_owned(),
    };
    let text = std::str::from_utf8(signature).map_err(|_| malformed("it is not UTF-8 text"))?;
    let mut lines = text.strip_suffix('\n').unwrap_or(text).split('\n');
    if lines.next() != Some(SIGNATURE_TAG) {
        return Err(malformed(&format!(
            "its first line is not {SIGNATURE_TAG:?}"
        )));
    }
    let key_hex = field(lines.next(), "public-key")
        .ok_or_else(|| malformed("its second line is not `public-key <64 hex digits>`"))?;
    let signature_hex = field(lines.next(), "signature")
        .ok_or_else(|| malformed("its third line is not `signature <128 hex digits>`"))?;
    if lines.next().is_some() {
        return Err(malformed("it has lines after the signature"));
    }
    let key = from_hex::<32>(key_hex)
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .ok_or_else(|| malformed("its public key is not a valid ed25519 key in hex"))?;
    let signature_bytes = from_hex::<64>(signature_hex)
        .ok_or_else(|| malformed("its signature is not 128 lowercase hex digits"))?;
    let key_id = key_id(&key);
    if !trusted.is_empty() && !trusted.contains(&key) {
        return Err(BundleError::UntrustedSigner {
            bundle: bundle.to_owned(),
            key_id,
            trusted_ids: key_ids(trusted),
        });
    }
    key.verify_strict(checksums, &Signature::from_bytes(&signature_bytes))
        .map_err(|_| BundleError::SignatureInvalid {
            bundle: bundle.to_owned(),
            key_id: key_id.clone(),
        })?;
    Ok(Signer {
        key,
        key_id,
        trusted: !trusted.is_empty(),
    })
}

/// The value of a `name value` line.
fn field<'a>(line: Option<&'a str>, name: &str) -> Option<&'a str> {
    line?.strip_prefix(name)?.strip_prefix(' ')
}

/// The 32 bytes of a `tag <hex>` key line; `other` is the other kind's tag, named in the
/// error when the wrong kind of key file was given.
fn parse_key_line(text: &str, tag: &str, other: &str) -> Result<[u8; 32], String> {
    let mut words = text.split_whitespace();
    let (found_tag, hex) = (words.next(), words.next());
    if found_tag == Some(other) {
        let (wanted, given) = if tag == SECRET_TAG {
            ("secret", "public")
        } else {
            ("public", "secret")
        };
        return Err(format!(
            "this is a {given} key file, but a {wanted} key is needed here; give the other \
             file of the pair"
        ));
    }
    if found_tag != Some(tag) || words.next().is_some() {
        return Err(format!(
            "not a Lensmith key file: expected one line `{tag} <64 hex digits>`"
        ));
    }
    hex.and_then(from_hex::<32>).ok_or_else(|| {
        "the key is not 64 lowercase hex digits; the file is damaged, restore it from a backup"
            .to_owned()
    })
}

/// The text of a key file, refusing files too large or not UTF-8.
fn read_key_file(path: &Path) -> Result<String, BundleError> {
    let file = std::fs::File::open(path).map_err(|error| BundleError::io("open", path, error))?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| BundleError::io("read", path, error))?;
    let wrong = |message: &str| BundleError::KeyFile {
        path: path.to_owned(),
        message: message.to_owned(),
    };
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(wrong(
            "it is far too large to be a key file; check the path",
        ));
    }
    String::from_utf8(bytes).map_err(|_| wrong("it is not text, so not a key file; check the path"))
}

/// Writes `bytes` to a new file at `path` through a temporary file and a rename.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), BundleError> {
    if path.symlink_metadata().is_ok() {
        return Err(BundleError::AlreadyExists {
            path: path.to_owned(),
            advice: "key files are never overwritten; choose another name or move the old \
                     file away first",
        });
    }
    let pending = PendingFile::new(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options
        .open(pending.temp())
        .map_err(|error| BundleError::io("create", pending.temp(), error))?;
    file.write_all(bytes)
        .map_err(|error| BundleError::io("write", pending.temp(), error))?;
    drop(file);
    pending
        .commit()
        .map_err(|error| BundleError::io("write", path, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_name_their_signer() {
        let key = generate_key().unwrap();
        let other = generate_key().unwrap();
        let bundle = Path::new("b.effect");
        let member = sign(b"checksums", &key);
        let signer = verify(bundle, b"checksums", &member, &[]).unwrap();
        assert_eq!(signer.key_id, key_id(&key.verifying_key()));
        assert_eq!(signer.key_id.len(), 16);
        assert!(!signer.trusted);
        let public = key.verifying_key();
        assert!(
            verify(bundle, b"checksums", &member, &[public])
                .unwrap()
                .trusted
        );
        assert!(matches!(
            verify(bundle, b"checksums", &member, &[other.verifying_key()]),
            Err(BundleError::UntrustedSigner { .. })
        ));
        assert!(matches!(
            verify(bundle, b"checksumz", &member, &[]),
            Err(BundleError::SignatureInvalid { .. })
        ));
        // A trusted signer does not excuse a signature that does not verify.
        assert!(matches!(
            verify(bundle, b"checksumz", &member, &[public]),
            Err(BundleError::SignatureInvalid { .. })
        ));
        let mut broken = member.clone();
        broken.truncate(member.len() - 3);
        assert!(matches!(
            verify(bundle, b"checksums", &broken, &[]),
            Err(BundleError::SignatureMalformed { .. })
        ));
    }

    #[test]
    fn any_of_several_trusted_keys_may_sign() {
        let [first, second, third] = [(); 3].map(|()| generate_key().unwrap());
        let trusted = [first.verifying_key(), second.verifying_key()];
        let bundle = Path::new("partner.effect");
        let by_second = sign(b"checksums", &second);
        let signer = verify(bundle, b"checksums", &by_second, &trusted).unwrap();
        assert!(signer.trusted);
        assert_eq!(signer.key, second.verifying_key());

        let by_third = sign(b"checksums", &third);
        let error = verify(bundle, b"checksums", &by_third, &trusted).unwrap_err();
        let BundleError::UntrustedSigner {
            key_id: signer_id,
            trusted_ids,
            ..
        } = &error
        else {
            panic!("a third key is refused: {error}");
        };
        assert_eq!(signer_id, &key_id(&third.verifying_key()));
        assert_eq!(trusted_ids, &key_ids(&trusted));
        let message = error.to_string();
        let expected = format!(
            "partner.effect: signed by key {signer_id}, which is not one of the trusted keys \
             {}, {};",
            trusted_ids[0], trusted_ids[1]
        );
        assert!(message.starts_with(&expected), "{message}");
    }

    #[test]
    fn key_lines_refuse_the_wrong_kind_and_bad_hex() {
        let key = generate_key().unwrap();
        let public = public_key_text(&key.verifying_key());
        assert_eq!(parse_public_key(&public), Ok(key.verifying_key()));
        let secret = format!("{SECRET_TAG} {}\n", to_hex(&key.to_bytes()));
        assert!(
            parse_public_key(&secret)
                .unwrap_err()
                .contains("secret key file")
        );
        assert!(
            parse_key_line(&public, SECRET_TAG, PUBLIC_TAG)
                .unwrap_err()
                .contains("public key file")
        );
        assert!(
            parse_public_key("hello")
                .unwrap_err()
                .contains("not a Lensmith key")
        );
        assert!(
            parse_public_key(&format!("{PUBLIC_TAG} abc"))
                .unwrap_err()
                .contains("hex")
        );
    }
}
