//! What the bundle archive tests share: a small bundle folder, zips built member by member
//! (with `checksums.toml`, or patched where the zip writer refuses something hostile), and
//! reading one archive both from its file and from memory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use lensmith_runtime::bundle::{
    ArchiveLimits, BundleError, BundleFiles, Checksums, read, read_bytes, read_dir,
};
use lensmith_testkit::TempDir;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// A small bundle folder: manifest, a binary model, a LUT, an image in a subfolder and an
/// empty file.
pub fn make_bundle(root: &Path) -> PathBuf {
    let dir = root.join("bundle");
    let files: [(&str, Vec<u8>); 5] = [
        (
            "effect.toml",
            b"name = \"Warm glow\"\nversion = \"1.0.0\"\n".to_vec(),
        ),
        (
            "models/style.onnx",
            (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        (
            "luts/warm.cube",
            b"LUT_3D_SIZE 2\n0 0 0\n1 1 1\n".repeat(20),
        ),
        (
            "images/stickers/star.png",
            vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4],
        ),
        ("empty.txt", Vec::new()),
    ];
    for (member, bytes) in files {
        let path = dir.join(member);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// The files of a bundle folder as `read` returns them.
pub fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    read_dir(dir, &ArchiveLimits::default()).unwrap().files
}

/// A zip of `entries` (name, bytes), deflated, in the given order.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// `members` plus a matching `checksums.toml`, as a zip.
pub fn checksummed_zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let checksums = Checksums::compute(members.iter().copied()).to_toml();
    let mut entries = members.to_vec();
    entries.push(("checksums.toml", checksums.as_bytes()));
    zip_of(&entries)
}

/// Overwrites bytes of the local and central headers of the entry named `name`: `local`
/// and `central` are the offsets within each header.
pub fn patch_headers(zip: &mut [u8], name: &[u8], local: usize, central: usize, bytes: &[u8]) {
    let mut patched = 0;
    for (signature, name_at, offset) in [(b"PK\x03\x04", 30, local), (b"PK\x01\x02", 46, central)] {
        for at in 0..zip.len().saturating_sub(name_at + name.len()) {
            if &zip[at..at + 4] == signature
                && &zip[at + name_at..at + name_at + name.len()] == name
            {
                zip[at + offset..at + offset + bytes.len()].copy_from_slice(bytes);
                patched += 1;
            }
        }
    }
    assert_eq!(patched, 2, "both headers of {name:?} found");
}

/// Reads `bytes` as an archive under `limits` both ways: written to `case.effect` in `tmp`
/// and read from there, and read from memory under that file's path as its label. The two
/// must agree exactly, files or error.
pub fn read_both(
    tmp: &TempDir,
    bytes: &[u8],
    limits: &ArchiveLimits,
) -> Result<BundleFiles, BundleError> {
    let path = tmp.join("case.effect");
    std::fs::write(&path, bytes).unwrap();
    let from_file = read(&path, limits);
    let from_memory = read_bytes(bytes, &path, limits);
    assert_eq!(
        from_memory, from_file,
        "reading from memory and from the file differ"
    );
    from_file
}

/// The label the C API gives a buffer, as in `<memory: 12345 bytes>`.
pub fn memory_label(bytes: &[u8]) -> PathBuf {
    PathBuf::from(format!("<memory: {} bytes>", bytes.len()))
}

/// Rebuilds the archive at `path` with one byte of `member` flipped (by the zip writer, so
/// the zip itself stays valid and only the bundle's own checks can notice).
pub fn flip_member(path: &Path, member: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        if entry.name() == member {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x01;
        }
        entries.push((entry.name().to_owned(), bytes));
    }
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    zip_of(&borrowed)
}
