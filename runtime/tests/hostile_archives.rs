//! A corpus of hostile and broken archives built here with the zip writer (and byte patches
//! where the writer refuses to write something hostile), each of which must be refused by
//! name, the same way from a file and from memory, with `unpack` leaving nothing behind.

#[path = "support/archives.rs"]
mod archives;

use archives::*;

use std::io::{Cursor, Write};

use lensmith_runtime::bundle::signing;
use lensmith_runtime::bundle::{ArchiveLimits, pack, read_bytes, unpack};
use lensmith_testkit::TempDir;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// A hostile or broken archive, the entry its error must name, and the limits to use.
struct Case {
    label: &'static str,
    bytes: Vec<u8>,
    names: &'static str,
    limits: ArchiveLimits,
}

fn case(label: &'static str, bytes: Vec<u8>, names: &'static str) -> Case {
    Case {
        label,
        bytes,
        names,
        limits: ArchiveLimits::default(),
    }
}

/// Every hostile archive in the corpus.
fn hostile_corpus() -> Vec<Case> {
    let manifest: (&str, &[u8]) = ("effect.toml", b"name = \"x\"\n");
    let with = |name: &'static str| checksummed_zip(&[manifest, (name, b"payload")]);
    let mut cases = vec![
        case("parent", with("../evil"), "../evil"),
        case("absolute", with("/abs"), "/abs"),
        case("escaping", with("a/../../b"), "a/../../b"),
        case("backslash", with("a\\b.png"), "a\\\\b.png"),
        case("drive letter", with("C:/windows/x"), "C:/windows/x"),
        case("device name", with("CON"), "CON"),
        case(
            "device with extension",
            with("models/nul.onnx"),
            "models/nul.onnx",
        ),
        case("case duplicate", with("EFFECT.toml"), "EFFECT.toml"),
        case(
            "file and folder",
            checksummed_zip(&[manifest, ("a", b"1"), ("a/b", b"2")]),
            "a",
        ),
        case(
            "missing manifest",
            checksummed_zip(&[("other.toml", b"x")]),
            "effect.toml",
        ),
        case("missing checksums", zip_of(&[manifest]), "checksums.toml"),
        case("empty file", Vec::new(), "case.effect"),
        case(
            "garbage",
            b"this is not a zip file at all, just text".repeat(10),
            "case.effect",
        ),
    ];

    let mut unlisted = checksummed_zip(&[manifest]);
    let mut writer = ZipWriter::new_append(Cursor::new(std::mem::take(&mut unlisted))).unwrap();
    writer
        .start_file("extra.bin", SimpleFileOptions::default())
        .unwrap();
    writer.write_all(b"smuggled").unwrap();
    cases.push(case(
        "unlisted member",
        writer.finish().unwrap().into_inner(),
        "extra.bin",
    ));

    let good = checksummed_zip(&[manifest, ("model.onnx", &[7; 3000])]);
    cases.push(case(
        "truncated",
        good[..good.len() / 2].to_vec(),
        "case.effect",
    ));
    let mut prefixed = b"MZ-prepended-bytes".to_vec();
    prefixed.extend_from_slice(&good);
    cases.push(case("data before the archive", prefixed, "case.effect"));

    let mut symlink = ZipWriter::new(Cursor::new(Vec::new()));
    symlink
        .start_file("effect.toml", SimpleFileOptions::default())
        .unwrap();
    symlink.write_all(manifest.1).unwrap();
    symlink
        .add_symlink("link.png", "/etc/passwd", SimpleFileOptions::default())
        .unwrap();
    cases.push(case(
        "symlink",
        symlink.finish().unwrap().into_inner(),
        "link.png",
    ));

    let mut duplicate = checksummed_zip(&[manifest, ("dup1.bin", b"one"), ("dup2.bin", b"two")]);
    patch_headers(&mut duplicate, b"dup2.bin", 30, 46, b"dup1.bin");
    cases.push(case("duplicate", duplicate, "dup1.bin"));

    // The writer takes only `str` names; patch one byte of the name to invalid UTF-8.
    let mut non_utf8 = checksummed_zip(&[manifest, ("name-X.bin", b"x")]);
    patch_headers(&mut non_utf8, b"name-X.bin", 35, 51, &[0xff]);
    cases.push(case("non-UTF-8 name", non_utf8, "name-"));

    let mut encrypted = checksummed_zip(&[manifest, ("secret.bin", b"x")]);
    patch_headers(&mut encrypted, b"secret.bin", 6, 8, &[0x01]);
    cases.push(case("encrypted flag", encrypted, "secret.bin"));

    // A megabyte and a half of zeros that claims to be 1000 bytes.
    let zeros = vec![0u8; 1_500_000];
    let mut liar = checksummed_zip(&[manifest, ("liar.bin", &zeros)]);
    patch_headers(&mut liar, b"liar.bin", 22, 24, &1000u32.to_le_bytes());
    cases.push(case("declared small, actually large", liar, "liar.bin"));

    cases.push(case(
        "high ratio",
        checksummed_zip(&[manifest, ("zeros.bin", &zeros)]),
        "zeros.bin",
    ));

    let many: Vec<String> = (0..20).map(|i| format!("f{i:02}.txt")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![manifest];
    entries.extend(many.iter().map(|name| (name.as_str(), &b"x"[..])));
    let mut too_many = case("too many entries", checksummed_zip(&entries), "case.effect");
    too_many.limits.max_entries = 10;
    cases.push(too_many);

    let big_zip = checksummed_zip(&[manifest, ("big.bin", &[9; 100])]);
    let mut big = case("member too large", big_zip, "big.bin");
    big.limits.max_member_bytes = 50;
    cases.push(big);

    let mut total = case(
        "total too large",
        checksummed_zip(&[manifest, ("a.bin", &[1; 40])]),
        "a.bin",
    );
    total.limits.max_total_bytes = 30;
    cases.push(total);
    cases
}

#[test]
fn hostile_archives_are_refused_by_name_from_file_and_memory_and_unpack_leaves_nothing() {
    let tmp = TempDir::new("bundle-hostile");
    let corpus = hostile_corpus();
    assert!(corpus.len() >= 15, "{} cases", corpus.len());
    for Case {
        label,
        bytes,
        names,
        limits,
    } in corpus
    {
        let path = tmp.join("case.effect");
        let error = read_both(&tmp, &bytes, &limits).expect_err(label);
        let message = error.to_string();
        eprintln!("{label}: {message}");
        assert!(
            message.contains(names),
            "{label}: {message:?} should name {names:?}"
        );

        let dest = tmp.join("unpacked");
        let unpack_error = unpack(&path, &dest, &limits).expect_err(label);
        assert_eq!(unpack_error, error, "{label}");
        assert_eq!(
            tmp.names(),
            ["case.effect"],
            "{label}: unpack left something behind"
        );
    }
}

#[test]
fn archives_in_memory_are_refused_under_their_label() {
    let tmp = TempDir::new("bundle-memory-hostile");
    let dir = make_bundle(tmp.path());
    let key = signing::generate_key().unwrap();
    let unsigned = tmp.join("unsigned.effect");
    pack(&dir, &unsigned, None).unwrap();
    let packed = std::fs::read(&unsigned).unwrap();

    let manifest: (&str, &[u8]) = ("effect.toml", b"name = \"x\"\n");
    // Deterministic noise (a linear congruential generator): no test needs true randomness.
    let mut state = 0x2545_f491_u32;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 24) as u8
        })
        .collect();
    let zeros = vec![0u8; 4 << 20];
    let required = ArchiveLimits::requiring_signature_by(key.verifying_key());
    let cases: [(&str, Vec<u8>, &str, &ArchiveLimits); 7] = [
        (
            "empty buffer",
            Vec::new(),
            "too short",
            &ArchiveLimits::default(),
        ),
        (
            "random bytes",
            noise,
            "no end-of-archive record",
            &ArchiveLimits::default(),
        ),
        (
            "truncated",
            packed[..packed.len() * 2 / 3].to_vec(),
            "truncated",
            &ArchiveLimits::default(),
        ),
        (
            "zip bomb",
            checksummed_zip(&[manifest, ("zeros.bin", &zeros)]),
            "zip bomb",
            &ArchiveLimits::default(),
        ),
        (
            "path traversal",
            checksummed_zip(&[manifest, ("../../etc/passwd", b"x")]),
            "../../etc/passwd",
            &ArchiveLimits::default(),
        ),
        (
            "bad checksum",
            flip_member(&unsigned, "luts/warm.cube"),
            "luts/warm.cube",
            &ArchiveLimits::default(),
        ),
        ("unsigned", packed.clone(), "is not signed", &required),
    ];
    for (case, bytes, names, limits) in cases {
        let label = memory_label(&bytes);
        let error = read_bytes(&bytes, &label, limits).expect_err(case);
        let message = error.to_string();
        eprintln!("{case}: {message}");
        assert!(
            message.contains(&*label.to_string_lossy()) && message.contains(names),
            "{case}: {message:?} should name {label:?} and {names:?}"
        );
    }
}
