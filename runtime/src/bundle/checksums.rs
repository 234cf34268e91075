//! `checksums.toml`: the sha256 of every member of a bundle but itself and `signature`,
//! written deterministically (sorted, one line per member) so that the same files always
//! give the same bytes, and a signature over those bytes vouches for every member.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::member_path::{self, MemberSet};
use super::{BundleError, CHECKSUMS_MEMBER, SIGNATURE_MEMBER};

/// The sha256 of each member, by member path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checksums {
    files: BTreeMap<String, [u8; 32]>,
}

/// What differs between a bundle's members and its `checksums.toml`; every list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChecksumReport {
    /// Members whose bytes do not match their checksum.
    pub changed: Vec<String>,
    /// Members listed in `checksums.toml` but absent.
    pub missing: Vec<String>,
    /// Members present but not listed in `checksums.toml`.
    pub unlisted: Vec<String>,
}

impl fmt::Display for ChecksumReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            ("changed", &self.changed),
            ("missing", &self.missing),
            ("not listed", &self.unlisted),
        ];
        let mut first = true;
        for (label, names) in parts {
            if names.is_empty() {
                continue;
            }
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            let quoted: Vec<String> = names.iter().map(|name| format!("{name:?}")).collect();
            write!(f, "{label}: {}", quoted.join(", "))?;
        }
        Ok(())
    }
}

/// The sha256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl Checksums {
    /// The checksums of `files` (member path, bytes).
    pub fn compute<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        Self {
            files: files
                .into_iter()
                .map(|(path, bytes)| (path.to_owned(), sha256(bytes)))
                .collect(),
        }
    }

    /// The checksums of a map of members, as [`super::BundleFiles::files`] holds them.
    pub fn of(files: &BTreeMap<String, Vec<u8>>) -> Self {
        Self::compute(
            files
                .iter()
                .map(|(path, bytes)| (path.as_str(), bytes.as_slice())),
        )
    }

    /// The sha256 of each member, by member path.
    pub fn files(&self) -> &BTreeMap<String, [u8; 32]> {
        &self.files
    }

    /// The `checksums.toml` text: a comment, then a `[files]` table with one
    /// `"path" = "hex"` line per member, sorted by path. The same checksums always give
    /// the same bytes.
    pub fn to_toml(&self) -> String {
        let mut text = String::from(
            "# Written by `lensmith pack`: the sha256 of every other member of this bundle.\n\
             # A signature, when present, covers the exact bytes of this file.\n\n[files]\n",
        );
        for (path, digest) in &self.files {
            text.push_str(&toml_string(path));
            text.push_str(" = \"");
            text.push_str(&to_hex(digest));
            text.push_str("\"\n");
        }
        text
    }

    /// Parses `checksums.toml` text. Refuses anything but a `[files]` table of member
    /// paths to 64 lowercase hex digits: unknown keys or sections, duplicate or
    /// case-clashing paths, unsafe paths, the reserved names, and malformed hex, each
    /// with its line.
    pub fn parse(text: &str) -> Result<Self, BundleError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Document {
            files: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
        }
        let document: Document = toml::from_str(text).map_err(|error| {
            let line = error.span().map_or(1, |span| line_of(text, span.start));
            BundleError::ChecksumsSyntax {
                line,
                message: error.message().trim_end().to_owned(),
            }
        })?;
        let mut set = MemberSet::new();
        let mut files = BTreeMap::new();
        // In the order of the text, so a clash is reported on the later line.
        let mut entries: Vec<_> = document.files.into_iter().collect();
        entries.sort_by_key(|(path, _)| path.span().start);
        for (path, hex) in entries {
            let line = line_of(text, path.span().start);
            let syntax = |message: String| BundleError::ChecksumsSyntax { line, message };
            let path = path.into_inner();
            if path == CHECKSUMS_MEMBER || path == SIGNATURE_MEMBER {
                return Err(syntax(format!("{path:?} must not list itself")));
            }
            member_path::check(&path)
                .and_then(|()| set.add_file(&path))
                .map_err(|reason| syntax(format!("member {path:?} is refused: {reason}")))?;
            let digest = from_hex(hex.get_ref()).ok_or_else(|| {
                syntax(format!(
                    "the checksum of {path:?} is {:?}, not 64 lowercase hex digits",
                    hex.get_ref()
                ))
            })?;
            files.insert(path, digest);
        }
        Ok(Self { files })
    }

    /// Compares `files` (every member but `checksums.toml` and `signature`) with these
    /// checksums; the report names every changed, missing and unlisted member.
    pub fn verify(&self, files: &BTreeMap<String, Vec<u8>>) -> Result<(), ChecksumReport> {
        let mut report = ChecksumReport::default();
        for (path, expected) in &self.files {
            match files.get(path) {
                None => report.missing.push(path.clone()),
                Some(bytes) if sha256(bytes) != *expected => report.changed.push(path.clone()),
                Some(_) => {}
            }
        }
        report.unlisted = files
            .keys()
            .filter(|path| !self.files.contains_key(*path))
            .cloned()
            .collect();
        if report == ChecksumReport::default() {
            Ok(())
        } else {
            Err(report)
        }
    }
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `bytes` as lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}

/// Exactly `N` bytes from `2 * N` lowercase hex digits, or `None`.
pub fn from_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    let digits = hex.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let value = |digit: u8| match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    };
    let mut bytes = [0; N];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (value(pair[0])? << 4) | value(pair[1])?;
    }
    Some(bytes)
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([
            ("effect.toml".to_owned(), b"name = \"x\"\n".to_vec()),
            ("models/b.onnx".to_owned(), vec![1, 2, 3]),
            ("a.png".to_owned(), vec![]),
        ])
    }

    #[test]
    fn text_is_sorted_deterministic_and_parses_back() {
        let checksums = Checksums::of(&sample());
        let text = checksums.to_toml();
        assert_eq!(text, Checksums::of(&sample()).to_toml());
        let a = text.find("\"a.png\"").unwrap();
        let e = text.find("\"effect.toml\"").unwrap();
        let m = text.find("\"models/b.onnx\"").unwrap();
        assert!(a < e && e < m, "{text}");
        assert!(text.contains(
            "\"a.png\" = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"\n"
        ));
        assert_eq!(Checksums::parse(&text).unwrap(), checksums);
        assert_eq!(checksums.verify(&sample()), Ok(()));
    }

    #[test]
    fn verify_names_every_changed_missing_and_unlisted_member() {
        let checksums = Checksums::of(&sample());
        let mut files = sample();
        files.get_mut("models/b.onnx").unwrap()[0] ^= 1;
        files.remove("a.png");
        files.insert("extra.bin".into(), vec![0]);
        let report = checksums.verify(&files).unwrap_err();
        assert_eq!(report.changed, ["models/b.onnx"]);
        assert_eq!(report.missing, ["a.png"]);
        assert_eq!(report.unlisted, ["extra.bin"]);
        let message = report.to_string();
        assert!(message.contains("changed: \"models/b.onnx\""), "{message}");
        assert!(message.contains("missing: \"a.png\""), "{message}");
        assert!(message.contains("not listed: \"extra.bin\""), "{message}");
    }

    #[test]
    fn malformed_text_fails_with_its_line() {
        let good = "0".repeat(64);
        let cases = [
            (
                format!("[files]\n\"a\" = \"{}\"\n", "0".repeat(63)),
                2,
                "hex",
            ),
            (
                format!("[files]\n\"a\" = \"{}\"\n", "A".repeat(64)),
                2,
                "hex",
            ),
            (
                format!("[files]\n\"a\" = \"{good}\"\n\"a\" = \"{good}\"\n"),
                3,
                "duplicate",
            ),
            (
                format!("[files]\n\"a\" = \"{good}\"\n\"A\" = \"{good}\"\n"),
                3,
                "case",
            ),
            (
                format!("[files]\n\"a\" = \"{good}\"\n[extra]\nx = 1\n"),
                3,
                "unknown field",
            ),
            (format!("[files]\n\"../a\" = \"{good}\"\n"), 2, "refused"),
            (
                format!("[files]\n\"signature\" = \"{good}\"\n"),
                2,
                "itself",
            ),
            ("[files]\n\"a\" = 3\n".to_owned(), 2, "string"),
            ("[files\n".to_owned(), 1, ""),
            ("".to_owned(), 1, "files"),
        ];
        for (text, line, needle) in cases {
            match Checksums::parse(&text) {
                Err(BundleError::ChecksumsSyntax { line: got, message }) => {
                    assert_eq!(got, line, "{text:?}: {message}");
                    assert!(message.contains(needle), "{text:?}: {message}");
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn hex_round_trips() {
        let bytes = [0x00, 0x7f, 0xff, 0x10];
        assert_eq!(from_hex::<4>(&to_hex(&bytes)), Some(bytes));
        assert_eq!(from_hex::<2>("0g00"), None);
        assert_eq!(from_hex::<2>("000"), None);
        assert_eq!(toml_string("a\"b\\c\u{1}"), "\"a\\\"b\\\\c\\u0001\"");
    }
}
