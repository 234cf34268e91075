//! `lensmith test` as an effect designer runs it, on a copy of the shipped face paint: a
//! case without expected frames fails and shows what it rendered; `--update` writes them
//! and the test then passes; an edit that changes the look fails with the frame named and
//! a picture of where it differs; frames no longer chosen are removed on update;
//! `--keep-frames` keeps exactly the frames compared or written; a broken
//! suite is reported at its line; and packing leaves the tests out.

#[path = "support/bundle.rs"]
mod bundle;

use std::ffi::OsStr;
use std::path::Path;

use bundle::{lensmith, printed};
use lensmith_testkit::TempDir;

fn test_bundle(bundle: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&OsStr> = vec!["test".as_ref(), bundle.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    lensmith(&args)
}

/// A copy of `effects/face-paint` whose suite is `suite`, with no expected frames.
fn face_paint_with_suite(work: &TempDir, suite: &str) -> std::path::PathBuf {
    let bundle = work.join("face-paint");
    let shipped = lensmith_testkit::workspace_root().join("effects/face-paint");
    lensmith_testkit::copy_folder(&shipped, &bundle, &["tests"]);
    std::fs::create_dir_all(bundle.join("tests")).unwrap();
    std::fs::write(bundle.join("tests/golden.toml"), suite).unwrap();
    bundle
}

/// A copy of the face paint with the two-case suite, in its own scratch folder; `None`
/// (the skip announced) without the asset cache.
fn two_case_face_paint(test: &str) -> Option<(TempDir, std::path::PathBuf)> {
    lensmith_testkit::cache_or_skip(test)?;
    let work = TempDir::new(test);
    let bundle = face_paint_with_suite(&work, TWO_CASES);
    Some((work, bundle))
}

const TWO_CASES: &str = r#"
[[case]]
name = "still"
input = "sample:astronaut.png"

[[case]]
name = "sway"
input = "sample:astronaut.png"
motion = "sway"
motion_frames = 8
frames = [0, 7]
"#;

#[test]
fn a_suite_is_written_then_passes_then_catches_a_changed_look() {
    let test = "a_suite_is_written_then_passes_then_catches_a_changed_look";
    let Some((_work, bundle)) = two_case_face_paint(test) else {
        return;
    };
    let expected = bundle.join("tests/expected");
    let report = bundle.join("tests/report");

    // No expected frames yet: a failure that shows what was rendered.
    let first = test_bundle(&bundle, &[]);
    let text = printed(&first);
    assert!(!first.status.success(), "{text}");
    assert!(
        text.contains("3 have no expected frame") && text.contains("--update"),
        "{text}"
    );
    assert!(
        report.join("still/frame_000000.actual.png").is_file(),
        "{text}"
    );
    assert!(report.join(".gitignore").is_file());

    // Written, then passing, with the report's old pictures gone.
    let update = test_bundle(&bundle, &["--update"]);
    assert!(update.status.success(), "{}", printed(&update));
    for frame in [
        "still/frame_000000.png",
        "sway/frame_000000.png",
        "sway/frame_000007.png",
    ] {
        assert!(expected.join(frame).is_file(), "{frame} was not written");
    }
    let passing = test_bundle(&bundle, &[]);
    let text = printed(&passing);
    assert!(passing.status.success(), "{text}");
    assert!(text.contains("all 3 frame(s) of 2 case(s) match"), "{text}");
    assert!(!report.join("still/frame_000000.actual.png").exists());

    // A designer lowers the paint's opacity: every frame now differs, and says where.
    let manifest = std::fs::read_to_string(bundle.join("effect.toml")).unwrap();
    let faded = manifest
        .replace("opacity = 0.85", "opacity = 0.3")
        .replace("default = 0.85", "default = 0.3");
    assert_ne!(faded, manifest);
    std::fs::write(bundle.join("effect.toml"), faded).unwrap();
    let failing = test_bundle(&bundle, &["--case", "sway"]);
    let text = printed(&failing);
    assert!(!failing.status.success(), "{text}");
    assert!(text.contains("frame    7 (1 face(s)) DIFFERS"), "{text}");
    assert!(text.contains("2 of 2 frame(s) differ"), "{text}");
    assert!(
        !text.contains("case still"),
        "--case ran another case: {text}"
    );
    let picture = report.join("sway/frame_000007.diff.png");
    let marked = image::open(&picture).unwrap().to_rgb8();
    let red = marked
        .pixels()
        .filter(|pixel| pixel[0] > 128 && pixel[1] == 0)
        .count();
    let share = red as f64 / (marked.width() * marked.height()) as f64;
    // The paint covers about 3 % of the photo; a fade of most of it is marked.
    assert!(
        (0.003..0.05).contains(&share),
        "{share} of the picture is marked"
    );
    assert!(report.join("sway/frame_000007.actual.png").is_file());
}

#[test]
fn frames_no_longer_chosen_are_removed_on_update() {
    let test = "frames_no_longer_chosen_are_removed_on_update";
    let Some((_work, bundle)) = two_case_face_paint(test) else {
        return;
    };
    assert!(test_bundle(&bundle, &["--update"]).status.success());
    let note = bundle.join("tests/expected/sway/notes.txt");
    std::fs::write(&note, "mine").unwrap();
    std::fs::write(
        bundle.join("tests/golden.toml"),
        TWO_CASES.replace("frames = [0, 7]", "frames = [3]"),
    )
    .unwrap();
    let update = test_bundle(&bundle, &["--update", "--case", "sway"]);
    let text = printed(&update);
    assert!(update.status.success(), "{text}");
    assert!(
        text.contains("removed") && text.contains("frame_000007.png"),
        "{text}"
    );
    let sway = bundle.join("tests/expected/sway");
    assert!(sway.join("frame_000003.png").is_file());
    assert!(!sway.join("frame_000000.png").exists() && !sway.join("frame_000007.png").exists());
    assert!(note.is_file(), "a file that is not a frame was removed");
}

#[test]
fn kept_frames_are_the_frames_compared_in_both_modes() {
    let test = "kept_frames_are_the_frames_compared_in_both_modes";
    let Some((work, bundle)) = two_case_face_paint(test) else {
        return;
    };
    let written = work.join("kept-on-update");
    let update = test_bundle(
        &bundle,
        &["--update", "--keep-frames", written.to_str().unwrap()],
    );
    assert!(update.status.success(), "{}", printed(&update));
    let checked = work.join("kept-on-check");
    let check = test_bundle(
        &bundle,
        &["--case", "sway", "--keep-frames", checked.to_str().unwrap()],
    );
    assert!(check.status.success(), "{}", printed(&check));
    let expected = bundle.join("tests/expected");
    for frame in [
        "still/frame_000000.png",
        "sway/frame_000000.png",
        "sway/frame_000007.png",
    ] {
        assert_eq!(
            std::fs::read(written.join(frame)).unwrap(),
            std::fs::read(expected.join(frame)).unwrap(),
            "{frame}: the kept frame is not the one written as expected"
        );
    }
    let kept: Vec<_> = std::fs::read_dir(checked.join("sway"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(
        !checked.join("still").exists(),
        "a case not run kept frames"
    );
    assert_eq!(
        std::fs::read(checked.join("sway/frame_000007.png")).unwrap(),
        std::fs::read(expected.join("sway/frame_000007.png")).unwrap()
    );
}

#[test]
fn a_broken_suite_a_missing_one_and_a_wrong_case_are_explained() {
    let work = TempDir::new("golden-cli-broken");
    let bundle = face_paint_with_suite(
        &work,
        "[[case]]\nname = \"still\"\ninput = \"sample:astronaut.png\"\nframes = [2, 1]\n",
    );
    let broken = test_bundle(&bundle, &[]);
    let text = printed(&broken);
    assert!(!broken.status.success());
    assert!(
        text.contains("golden.toml:4:10") && text.contains("ascending"),
        "{text}"
    );

    std::fs::remove_file(bundle.join("tests/golden.toml")).unwrap();
    let missing = test_bundle(&bundle, &[]);
    let text = printed(&missing);
    assert!(!missing.status.success());
    assert!(
        text.contains("has no golden tests") && text.contains("golden.toml"),
        "{text}"
    );

    std::fs::write(bundle.join("tests/golden.toml"), TWO_CASES).unwrap();
    let wrong = test_bundle(&bundle, &["--case", "stil"]);
    let text = printed(&wrong);
    assert!(!wrong.status.success());
    assert!(
        text.contains("--case stil: no such case; the suite has still, sway"),
        "{text}"
    );

    let packed = work.join("paint.effect");
    let pack = lensmith(&[
        "pack".as_ref(),
        bundle.as_os_str(),
        "-o".as_ref(),
        packed.as_os_str(),
    ]);
    assert!(pack.status.success(), "{}", printed(&pack));
    let of_file = test_bundle(&packed, &[]);
    let text = printed(&of_file);
    assert!(!of_file.status.success());
    assert!(text.contains("give the folder"), "{text}");
}

#[test]
fn packing_leaves_the_tests_out_and_says_so() {
    let work = TempDir::new("golden-cli-pack");
    let bundle = face_paint_with_suite(&work, TWO_CASES);
    std::fs::create_dir_all(bundle.join("tests/expected/still")).unwrap();
    std::fs::write(
        bundle.join("tests/expected/still/frame_000000.png"),
        b"not shipped",
    )
    .unwrap();
    let packed = work.join("paint.effect");
    let pack = lensmith(&[
        "pack".as_ref(),
        bundle.as_os_str(),
        "-o".as_ref(),
        packed.as_os_str(),
    ]);
    let text = printed(&pack);
    assert!(pack.status.success(), "{text}");
    assert!(text.contains("left out tests/"), "{text}");
    let inspect = lensmith(&["inspect".as_ref(), packed.as_os_str()]);
    let listing = printed(&inspect);
    assert!(inspect.status.success(), "{listing}");
    assert!(listing.contains("textures/face_paint.png"), "{listing}");
    assert!(
        !listing.contains("tests/"),
        "the archive holds the tests: {listing}"
    );

    // A manifest may not point into tests/, since it is never shipped.
    let manifest = std::fs::read_to_string(bundle.join("effect.toml")).unwrap();
    std::fs::write(
        bundle.join("effect.toml"),
        manifest.replace(
            "textures/face_paint.png",
            "tests/expected/still/frame_000000.png",
        ),
    )
    .unwrap();
    let validate = lensmith(&["validate".as_ref(), bundle.as_os_str()]);
    let text = printed(&validate);
    assert!(!validate.status.success());
    assert!(text.contains("is under tests/"), "{text}");
}

#[test]
fn an_update_with_an_unreadable_case_changes_nothing_and_out_of_range_values_are_refused() {
    let test = "an_update_with_an_unreadable_case_changes_nothing";
    let Some((work, bundle)) = two_case_face_paint(test) else {
        return;
    };
    assert!(test_bundle(&bundle, &["--update"]).status.success());
    let expected = bundle.join("tests/expected/still/frame_000000.png");
    let before = std::fs::read(&expected).unwrap();
    // A third case whose sample is misspelt, and a look that changed meanwhile: the update
    // must stop before it rewrites the first case.
    let suite =
        format!("{TWO_CASES}\n[[case]]\nname = \"typo\"\ninput = \"sample:astronot.png\"\n");
    std::fs::write(bundle.join("tests/golden.toml"), suite).unwrap();
    let manifest = std::fs::read_to_string(bundle.join("effect.toml")).unwrap();
    std::fs::write(
        bundle.join("effect.toml"),
        manifest.replace("default = 0.85", "default = 0.3"),
    )
    .unwrap();
    let output = test_bundle(&bundle, &["--update"]);
    let text = printed(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("astronot.png"), "{text}");
    assert_eq!(
        std::fs::read(&expected).unwrap(),
        before,
        "the still case was not rewritten"
    );
    // A parameter value outside what effect.toml declares would be clamped: refused.
    let suite = format!(
        "{TWO_CASES}\n[[case]]\nname = \"bright\"\ninput = \"sample:astronaut.png\"\nparameters = {{ paint = {{ opacity = 5.0 }} }}\n"
    );
    std::fs::write(bundle.join("tests/golden.toml"), suite).unwrap();
    let output = test_bundle(&bundle, &["--case", "bright", "--update"]);
    let text = printed(&output);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains("`paint.opacity` = 5 is outside the range effect.toml declares"),
        "{text}"
    );
    drop(work);
}
