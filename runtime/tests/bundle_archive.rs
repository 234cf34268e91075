//! Effect bundle archives end to end: packing, reading (from a file and from memory),
//! signing, unpacking, and damaged members refused by name. The corpus of hostile archives
//! is in `hostile_archives.rs`.

#[path = "support/archives.rs"]
mod archives;

use archives::*;

use std::io::{Cursor, Write};

use lensmith_runtime::bundle::signing::{self, SigningKey};
use lensmith_runtime::bundle::{
    ArchiveLimits, BundleError, Provenance, pack, read, read_bytes, read_dir, unpack,
};
use lensmith_testkit::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

#[test]
fn pack_then_read_gives_the_same_files_and_is_deterministic() {
    let tmp = TempDir::new("bundle-round-trip");
    let dir = make_bundle(tmp.path());
    std::fs::write(dir.join(".DS_Store"), b"junk").unwrap();
    // What a designer's folder gathers besides the effect: none of it is content.
    std::fs::create_dir_all(dir.join(".git/objects")).unwrap();
    std::fs::write(dir.join(".git/objects/ab"), b"history").unwrap();
    std::fs::create_dir_all(dir.join("__MACOSX")).unwrap();
    std::fs::write(dir.join("__MACOSX/._effect.toml"), b"resource fork").unwrap();
    for junk in ["effect.toml~", ".effect.toml.swp", "._effect.toml", ".env"] {
        std::fs::write(dir.join(junk), b"junk").unwrap();
    }
    let out = tmp.join("warm.effect");
    let summary = pack(&dir, &out, None).unwrap();
    assert_eq!(
        summary.skipped,
        [
            ".DS_Store",
            "._effect.toml",
            ".effect.toml.swp",
            ".env",
            ".git/",
            "__MACOSX/",
            "effect.toml~"
        ]
    );
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

    // A file that is not a bundle (the secret key it is signed with, given as -o by a slip
    // of the keyboard) is never written over; an earlier .effect is.
    let key_path = tmp.join("studio.key");
    let key = signing::generate_key().unwrap();
    signing::write_secret_key(&key_path, &key).unwrap();
    let key_bytes = std::fs::read(&key_path).unwrap();
    let message = pack(&dir, &key_path, Some(&key)).unwrap_err().to_string();
    assert!(
        message.contains("studio.key already exists and is not an effect bundle"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&key_path).unwrap(),
        key_bytes,
        "the key is kept"
    );
    pack(&dir, &out, None).unwrap();
    pack(&dir, &out, Some(&key)).unwrap();
    std::fs::remove_file(&out).unwrap();
    std::fs::remove_file(&key_path).unwrap();

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
