//! Effect bundle archives end to end: packing, reading (from a file and from memory),
//! signing, unpacking, and a corpus of hostile and damaged archives built here with the zip
//! writer (and byte patches where the writer refuses to write something hostile), each of
//! which must be refused by name, the same way from a file and from memory.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use lensmith_runtime::bundle::signing::{self, SigningKey};
use lensmith_runtime::bundle::{
    ArchiveLimits, BundleError, BundleFiles, Checksums, Provenance, pack, read, read_bytes,
    read_dir, unpack,
};
use lensmith_testkit::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// A small bundle folder: manifest, a binary model, a LUT, an image in a subfolder and an
/// empty file.
fn make_bundle(root: &Path) -> PathBuf {
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
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    read_dir(dir, &ArchiveLimits::default()).unwrap().files
}

/// A zip of `entries` (name, bytes), deflated, in the given order.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// `members` plus a matching `checksums.toml`, as a zip.
fn checksummed_zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let checksums = Checksums::compute(members.iter().copied()).to_toml();
    let mut entries = members.to_vec();
    entries.push(("checksums.toml", checksums.as_bytes()));
    zip_of(&entries)
}

/// Overwrites bytes of the local and central headers of the entry named `name`: `local`
/// and `central` are the offsets within each header.
fn patch_headers(zip: &mut [u8], name: &[u8], local: usize, central: usize, bytes: &[u8]) {
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
fn read_both(
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
fn memory_label(bytes: &[u8]) -> PathBuf {
    PathBuf::from(format!("<memory: {} bytes>", bytes.len()))
}

#[test]
fn pack_then_read_gives_the_same_files_and_is_deterministic() {
    let tmp = TempDir::new("bundle-round-trip");
    let dir = make_bundle(tmp.path());
    std::fs::write(dir.join(".DS_Store"), b"junk").unwrap();
    let out = tmp.join("warm.effect");
    let summary = pack(&dir, &out, None).unwrap();
    assert_eq!(summary.skipped, [".DS_Store"]);
    assert_eq!(summary.files.len(), 5);
    assert_eq!(summary.signer, None);
    let first = std::fs::read(&out).unwrap();
    assert_eq!(summary.archive_bytes, first.len() as u64);

    let bundle = read(&out, &ArchiveLimits::default()).unwrap();
    assert_eq!(bundle.provenance, Provenance::Unsigned);
    let expected = files_of(&dir);
    assert!(!expected.contains_key(".DS_Store"));
    assert_eq!(bundle.files, expected);

    // Same files, new timestamps: the same bytes.
    std::fs::write(dir.join("effect.toml"), &expected["effect.toml"]).unwrap();
    pack(&dir, &out, None).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), first);
    assert_eq!(
        tmp.names(),
        ["bundle", "warm.effect"],
        "no temporary file is left"
    );

    // A source folder reads back unverified.
    let source = read_dir(&dir, &ArchiveLimits::default()).unwrap();
    assert_eq!(source.provenance, Provenance::Unverified);
}

#[test]
fn signed_bundles_need_the_trusted_key() {
    let tmp = TempDir::new("bundle-signed");
    let dir = make_bundle(tmp.path());
    let key = signing::generate_key().unwrap();
    let other = signing::generate_key().unwrap();
    let signed = tmp.join("signed.effect");
    let unsigned = tmp.join("unsigned.effect");
    let summary = pack(&dir, &signed, Some(&key)).unwrap();
    assert_eq!(summary.signer, Some(signing::key_id(&key.verifying_key())));
    pack(&dir, &unsigned, None).unwrap();

    let trusted = ArchiveLimits::requiring_signature_by(key.verifying_key());
    let bundle = read(&signed, &trusted).unwrap();
    assert_eq!(bundle.files, files_of(&dir));
    let Provenance::Signed(signer) = bundle.provenance else {
        panic!("a signed bundle reads as signed");
    };
    assert!(signer.trusted);

    let open = read(&signed, &ArchiveLimits::default()).unwrap();
    assert!(matches!(open.provenance, Provenance::Signed(ref s) if !s.trusted));

    let wrong = ArchiveLimits::requiring_signature_by(other.verifying_key());
    let error = read(&signed, &wrong).unwrap_err();
    assert!(
        matches!(error, BundleError::UntrustedSigner { .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&signing::key_id(&key.verifying_key()))
            && message.contains(&format!(
                "not the trusted key {}",
                signing::key_id(&other.verifying_key())
            )),
        "{message}"
    );

    let error = read(&unsigned, &trusted).unwrap_err();
    assert!(matches!(error, BundleError::Unsigned { .. }), "{error}");
    assert!(error.to_string().contains("unsigned.effect"), "{error}");
}

/// Rebuilds the archive at `path` with one byte of `member` flipped (by the zip writer, so
/// the zip itself stays valid and only the bundle's own checks can notice).
fn flip_member(path: &Path, member: &str) -> Vec<u8> {
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

#[test]
fn a_flipped_byte_in_any_member_is_refused_by_name() {
    let tmp = TempDir::new("bundle-flip");
    let dir = make_bundle(tmp.path());
    let key = signing::generate_key().unwrap();
    for signed in [false, true] {
        let out = tmp.join("flip.effect");
        pack(&dir, &out, signed.then_some(&key)).unwrap();
        let limits = if signed {
            ArchiveLimits::requiring_signature_by(key.verifying_key())
        } else {
            ArchiveLimits::default()
        };
        let mut members: Vec<String> = files_of(&dir)
            .into_iter()
            .filter(|(_, b)| !b.is_empty())
            .map(|(m, _)| m)
            .collect();
        members.push("checksums.toml".into());
        if signed {
            members.push("signature".into());
        }
        for member in &members {
            let error = read_both(&tmp, &flip_member(&out, member), &limits).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(member.as_str()), "{member}: {message}");
        }
    }
}

#[test]
fn a_damaged_archive_byte_fails_the_crc_by_name() {
    let tmp = TempDir::new("bundle-crc");
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    zip.start_file("effect.toml", stored).unwrap();
    zip.write_all(b"name = \"crc-check-marker\"\n").unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    let at = bytes
        .windows(16)
        .position(|w| w == b"crc-check-marker")
        .unwrap();
    bytes[at] ^= 0x20;
    let error = read_both(&tmp, &bytes, &ArchiveLimits::default()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("\"effect.toml\"") && message.contains("damaged"),
        "{message}"
    );
}

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
fn a_signed_archive_reads_the_same_from_memory_as_from_disk() {
    let tmp = TempDir::new("bundle-memory-good");
    let dir = make_bundle(tmp.path());
    let key = signing::generate_key().unwrap();
    let out = tmp.join("warm.effect");
    pack(&dir, &out, Some(&key)).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    let limits = ArchiveLimits::requiring_signature_by(key.verifying_key());

    let from_disk = read(&out, &limits).unwrap();
    let from_memory = read_bytes(&bytes, &memory_label(&bytes), &limits).unwrap();
    assert_eq!(from_memory, from_disk);
    assert_eq!(from_memory.files, files_of(&dir));
    assert!(matches!(from_memory.provenance, Provenance::Signed(ref s) if s.trusted));
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

#[test]
fn any_one_of_several_trusted_keys_may_sign() {
    let tmp = TempDir::new("bundle-trusted-keys");
    let dir = make_bundle(tmp.path());
    let [studio, partner, stranger] = [(); 3].map(|()| signing::generate_key().unwrap());
    let by_partner = tmp.join("partner.effect");
    let by_stranger = tmp.join("stranger.effect");
    let unsigned = tmp.join("unsigned.effect");
    pack(&dir, &by_partner, Some(&partner)).unwrap();
    pack(&dir, &by_stranger, Some(&stranger)).unwrap();
    pack(&dir, &unsigned, None).unwrap();
    let trusted = ArchiveLimits::requiring_signature_by_any([
        studio.verifying_key(),
        partner.verifying_key(),
        studio.verifying_key(),
    ]);
    assert_eq!(
        trusted.trusted_keys,
        [studio.verifying_key(), partner.verifying_key()],
        "a key given twice counts once"
    );
    let trusted_ids = [studio, partner].map(|key| signing::key_id(&key.verifying_key()));
    let both = format!(
        "one of the trusted keys {}, {}",
        trusted_ids[0], trusted_ids[1]
    );

    let bundle = read(&by_partner, &trusted).unwrap();
    assert_eq!(bundle.files, files_of(&dir));
    let Provenance::Signed(signer) = bundle.provenance else {
        panic!("a signed bundle reads as signed");
    };
    assert!(signer.trusted);
    assert_eq!(signer.key_id, trusted_ids[1]);

    let error = read_both(&tmp, &std::fs::read(&by_stranger).unwrap(), &trusted).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, BundleError::UntrustedSigner { trusted_ids: ref ids, .. } if *ids == trusted_ids),
        "{message}"
    );
    assert!(
        message.contains(&signing::key_id(&stranger.verifying_key())) && message.contains(&both),
        "{message}"
    );

    let error = read(&unsigned, &trusted).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, BundleError::Unsigned { .. })
            && message.contains("unsigned.effect")
            && message.contains(&both),
        "{message}"
    );
    let error = read_dir(&dir, &trusted).unwrap_err();
    assert!(matches!(error, BundleError::Unsigned { .. }), "{error}");
}

#[test]
fn unpack_writes_a_folder_that_reads_back_verified() {
    let tmp = TempDir::new("bundle-unpack");
    let dir = make_bundle(tmp.path());
    let key = signing::generate_key().unwrap();
    let out = tmp.join("warm.effect");
    pack(&dir, &out, Some(&key)).unwrap();
    let limits = ArchiveLimits::requiring_signature_by(key.verifying_key());

    let dest = tmp.join("installed/warm");
    let unpacked = unpack(&out, &dest, &limits).unwrap();
    assert_eq!(unpacked.files, files_of(&dir));
    assert!(dest.join("checksums.toml").is_file() && dest.join("signature").is_file());
    let again = read_dir(&dest, &limits).unwrap();
    assert_eq!(again, unpacked);
    assert_eq!(std::fs::read_dir(tmp.join("installed")).unwrap().count(), 1);

    let error = unpack(&out, &dest, &limits).unwrap_err();
    assert!(
        matches!(error, BundleError::AlreadyExists { .. }),
        "{error}"
    );

    // Tampering with the unpacked folder is caught, by name.
    std::fs::write(dest.join("luts/warm.cube"), b"LUT_3D_SIZE 2\n").unwrap();
    let message = read_dir(&dest, &limits).unwrap_err().to_string();
    assert!(message.contains("luts/warm.cube"), "{message}");

    // A source folder is unsigned, so refused where a signature is required.
    let error = read_dir(&dir, &limits).unwrap_err();
    assert!(matches!(error, BundleError::Unsigned { .. }), "{error}");
}

#[test]
fn pack_refuses_what_would_make_a_broken_bundle() {
    let tmp = TempDir::new("bundle-pack-refusals");
    let dir = make_bundle(tmp.path());
    let out = tmp.join("x.effect");

    std::fs::write(dir.join("checksums.toml"), b"[files]\n").unwrap();
    let message = pack(&dir, &out, None).unwrap_err().to_string();
    assert!(
        message.contains("checksums.toml") && message.contains("reserved"),
        "{message}"
    );
    std::fs::remove_file(dir.join("checksums.toml")).unwrap();

    let message = pack(&dir, &dir.join("inside.effect"), None)
        .unwrap_err()
        .to_string();
    assert!(message.contains("inside the bundle folder"), "{message}");

    std::fs::write(dir.join("Effect.TOML"), b"x").unwrap();
    let message = pack(&dir, &out, None).unwrap_err().to_string();
    assert!(
        message.contains("Effect.TOML") && message.contains("case"),
        "{message}"
    );
    std::fs::remove_file(dir.join("Effect.TOML")).unwrap();

    std::fs::write(dir.join("aux.png"), b"x").unwrap();
    let message = pack(&dir, &out, None).unwrap_err().to_string();
    assert!(
        message.contains("aux.png") && message.contains("device"),
        "{message}"
    );
    std::fs::remove_file(dir.join("aux.png")).unwrap();

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", dir.join("models/link.onnx")).unwrap();
        let message = pack(&dir, &out, None).unwrap_err().to_string();
        assert!(
            message.contains("models/link.onnx") && message.contains("symbolic"),
            "{message}"
        );
        std::fs::remove_file(dir.join("models/link.onnx")).unwrap();
    }

    std::fs::remove_file(dir.join("effect.toml")).unwrap();
    let message = pack(&dir, &out, None).unwrap_err().to_string();
    assert!(message.contains("effect.toml"), "{message}");
    assert!(!out.exists());
    assert_eq!(tmp.names(), ["bundle"], "a failed pack leaves no file");
}

#[test]
fn pack_stores_members_that_deflate_would_make_look_like_bombs() {
    let tmp = TempDir::new("bundle-pack-stored");
    let dir = make_bundle(tmp.path());
    std::fs::write(dir.join("models/blank.bin"), vec![0u8; 3 << 20]).unwrap();
    let out = tmp.join("blank.effect");
    let summary = pack(&dir, &out, None).unwrap();
    assert_eq!(summary.stored, ["models/blank.bin"]);
    let bundle = read(&out, &ArchiveLimits::default()).unwrap();
    assert_eq!(bundle.files, files_of(&dir));
}

#[test]
fn key_files_round_trip_and_refuse_the_wrong_file() {
    let tmp = TempDir::new("bundle-keys");
    let key: SigningKey = signing::generate_key().unwrap();
    let secret = tmp.join("me.secret");
    let public = tmp.join("me.pub");
    signing::write_secret_key(&secret, &key).unwrap();
    signing::write_public_key(&public, &key.verifying_key()).unwrap();
    assert_eq!(
        signing::read_secret_key(&secret).unwrap().to_bytes(),
        key.to_bytes()
    );
    assert_eq!(
        signing::read_public_key(&public).unwrap(),
        key.verifying_key()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let error = signing::write_secret_key(&secret, &key).unwrap_err();
    assert!(
        matches!(error, BundleError::AlreadyExists { .. }),
        "{error}"
    );

    let message = signing::read_secret_key(&public).unwrap_err().to_string();
    assert!(
        message.contains("me.pub") && message.contains("public key file"),
        "{message}"
    );
    let message = signing::read_public_key(&secret).unwrap_err().to_string();
    assert!(
        message.contains("me.secret") && message.contains("secret key file"),
        "{message}"
    );

    let corrupt = tmp.join("corrupt.pub");
    std::fs::write(&corrupt, "lensmith-public-key-v1 12345\n").unwrap();
    let message = signing::read_public_key(&corrupt).unwrap_err().to_string();
    assert!(
        message.contains("corrupt.pub") && message.contains("hex"),
        "{message}"
    );
    let missing = signing::read_public_key(&tmp.join("none.pub"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("none.pub"), "{missing}");
    assert_eq!(tmp.names(), ["corrupt.pub", "me.pub", "me.secret"]);
}
