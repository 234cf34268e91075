//! The bundle commands run as a designer runs them: validate, keygen, pack (signed),
//! verify, inspect; and the refusals: a broken bundle is neither valid nor packed, a
//! tampered archive fails verification, a foreign key is refused.

#[path = "support/bundle.rs"]
mod bundle;

use std::ffi::OsStr;
use std::path::Path;

use bundle::{lensmith, printed};
use lensmith_testkit::TempDir;
use serde_json::Value;

const MANIFEST: &str = r#"[effect]
id = "com.example.hat"
name = "Party hat"
version = "0.1.0"
api_version = "1.0"
thumbnail = "images/hat.png"

[[trigger]]
name = "smiling"
when = "smile"

[[layer]]
kind = "sticker"
name = "hat"
image = "images/hat.png"
anchor = [10]
trigger = "smiling"

[[layer]]
kind = "lut"
name = "warm"
file = "luts/warm.cube"
"#;

fn write_bundle(dir: &Path) {
    bundle::write_bundle(dir, MANIFEST);
}

#[test]
fn a_valid_bundle_packs_signed_and_verifies_with_its_key_only() {
    let work = TempDir::new("bundle-cli-round-trip");
    let bundle = work.join("hat");
    write_bundle(&bundle);
    let (key, archive) = (work.join("me.key"), work.join("hat.effect"));
    let validated = lensmith(&[OsStr::new("validate"), bundle.as_os_str()]);
    assert!(validated.status.success(), "{}", printed(&validated));

    let keygen = lensmith(&[OsStr::new("keygen"), OsStr::new("-o"), key.as_os_str()]);
    assert!(keygen.status.success(), "{}", printed(&keygen));
    let public = work.join("me.key.pub");
    assert!(public.is_file());

    let pack = lensmith(&[
        OsStr::new("pack"),
        bundle.as_os_str(),
        OsStr::new("-o"),
        archive.as_os_str(),
        OsStr::new("--sign"),
        key.as_os_str(),
    ]);
    assert!(pack.status.success(), "{}", printed(&pack));
    let verify = lensmith(&[
        OsStr::new("verify"),
        archive.as_os_str(),
        OsStr::new("--key"),
        public.as_os_str(),
    ]);
    assert!(verify.status.success(), "{}", printed(&verify));
    assert!(
        printed(&verify).contains("the trusted key"),
        "{}",
        printed(&verify)
    );

    let inspect = lensmith(&[OsStr::new("inspect"), archive.as_os_str()]);
    let listing = printed(&inspect);
    assert!(inspect.status.success(), "{listing}");
    for expected in [
        "com.example.hat",
        "sticker",
        "images/hat.png",
        "luts/warm.cube",
    ] {
        assert!(
            listing.contains(expected),
            "`{expected}` missing from:\n{listing}"
        );
    }

    // Another key is refused, naming both.
    let other = work.join("other.key");
    lensmith(&[OsStr::new("keygen"), OsStr::new("-o"), other.as_os_str()]);
    let foreign = lensmith(&[
        OsStr::new("verify"),
        archive.as_os_str(),
        OsStr::new("--key"),
        work.join("other.key.pub").as_os_str(),
    ]);
    assert!(!foreign.status.success());
    assert!(
        printed(&foreign).contains("not the trusted key"),
        "{}",
        printed(&foreign)
    );

    // A changed byte anywhere in the archive is caught.
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    let tampered = work.join("tampered.effect");
    std::fs::write(&tampered, bytes).unwrap();
    let refused = lensmith(&[OsStr::new("verify"), tampered.as_os_str()]);
    assert!(!refused.status.success(), "a tampered archive verified");
    assert!(
        printed(&refused).contains("tampered.effect"),
        "{}",
        printed(&refused)
    );
}

#[test]
fn a_broken_bundle_is_listed_in_full_and_not_packed() {
    let work = TempDir::new("bundle-cli-broken");
    let bundle = work.join("hat");
    write_bundle(&bundle);
    let broken = MANIFEST
        .replace("thumbnail =", "thumbnial =")
        .replace("trigger = \"smiling\"", "trigger = \"smilng\"")
        .replace("luts/warm.cube", "luts/cold.cube");
    std::fs::write(bundle.join("effect.toml"), broken).unwrap();

    let output = lensmith(&[
        OsStr::new("validate"),
        bundle.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert!(!output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).expect("--json prints JSON");
    assert_eq!(report["valid"], false);
    let found: Vec<(u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["line"].as_u64().unwrap(),
                entry["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let has = |line: u64, words: &str| {
        found
            .iter()
            .any(|(at, message)| *at == line && message.contains(words))
    };
    assert!(has(6, "unknown key `effect.thumbnial`"), "{found:?}");
    assert!(has(17, "refers to trigger \"smilng\""), "{found:?}");
    assert!(
        has(22, "\"luts/cold.cube\" is not in the bundle"),
        "{found:?}"
    );

    let archive = work.join("hat.effect");
    let pack = lensmith(&[
        OsStr::new("pack"),
        bundle.as_os_str(),
        OsStr::new("-o"),
        archive.as_os_str(),
    ]);
    assert!(!pack.status.success());
    assert!(printed(&pack).contains("not packed"), "{}", printed(&pack));
    assert!(!archive.exists(), "a broken bundle was packed");
}

#[test]
fn validate_names_a_manifest_given_for_its_bundle_and_answers_json_when_it_cannot_read() {
    let work = TempDir::new("bundle-cli-paths");
    let bundle = work.join("hat");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(bundle.join("effect.toml"), "[effect]\n").unwrap();
    let manifest = bundle.join("effect.toml");
    let output = lensmith(&[OsStr::new("validate"), manifest.as_os_str()]);
    let text = printed(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("effect.toml is a bundle's manifest; give the bundle: its folder"),
        "{text}"
    );
    // --json answers in JSON even when nothing can be read.
    let missing = work.join("missing.effect");
    let output = lensmith(&[
        OsStr::new("validate"),
        missing.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(json["valid"], Value::Bool(false));
    let message = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("missing.effect"), "{message}");
}
