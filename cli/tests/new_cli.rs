//! `lensmith new` as a designer runs it: every template becomes a folder that validates and
//! renders without editing (the mask and the plugin's glow on the sample photo, the plugin
//! crate passing its own test; the smile-triggered sticker on a clip of it, long enough for
//! the trigger's hold time); and the refusals: an unknown
//! template, a folder that exists, an id that is not one. A refused run leaves nothing.
//! Each new effect carries golden tests that record and then pass with `lensmith test`.

#[path = "support/bundle.rs"]
mod bundle;
// Only some of the rendering helpers serve here.
#[allow(dead_code)]
#[path = "support/render.rs"]
mod render;

use std::ffi::OsStr;
use std::path::Path;

use bundle::{lensmith, printed};
use lensmith_runtime::video::create_sink;
use lensmith_testkit::TempDir;
use render::{assert_success, changed_share, read_frames};

fn new(args: &[&str], folder: &Path) -> std::process::Output {
    let mut all: Vec<&OsStr> = vec!["new".as_ref()];
    all.extend(args.iter().map(OsStr::new));
    all.extend(["-o".as_ref(), folder.as_os_str()]);
    lensmith(&all)
}

#[test]
fn every_template_makes_an_effect_that_validates_and_renders() {
    let test = "every_template_makes_an_effect_that_validates_and_renders";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let work = TempDir::new("new-templates");
    let photo = lensmith_testkit::astronaut(&cache);
    let photo_path = lensmith_testkit::astronaut_path(&cache);
    // Six frames of the photo at 10 fps: the sticker's smile trigger holds 100 ms first.
    let clip = work.join("smiling.y4m");
    let mut sink = create_sink(&clip, 10.0).unwrap();
    for _ in 0..6 {
        sink.write_frame(photo.view()).unwrap();
    }
    sink.finish().unwrap();

    for (template, name, source, output_name) in [
        ("mask", "Neon \"Night\" Mask", &photo_path, "mask.png"),
        ("sticker", "Party Hat", &clip, "sticker-frames"),
        ("plugin", "Glow Up", &photo_path, "plugin.png"),
        ("generative", "Toon Me", &photo_path, "generative.png"),
    ] {
        let made = work.join(template);
        // A plugin template holds the bundle in `effect/`, beside the plugin crate.
        let folder = if template == "plugin" {
            made.join("effect")
        } else {
            made.clone()
        };
        let id = format!("com.example.{template}-test");
        let output = new(&[name, "--template", template, "--id", &id], &made);
        assert_success(&output);
        assert!(
            printed(&output).contains("it validates"),
            "{}",
            printed(&output)
        );
        let manifest = std::fs::read_to_string(folder.join("effect.toml")).unwrap();
        assert!(manifest.contains(&format!("id = \"{id}\"")), "{manifest}");
        assert!(
            !manifest.contains("{{"),
            "every placeholder filled:\n{manifest}"
        );

        let output = lensmith(&["validate".as_ref(), folder.as_os_str()]);
        assert_success(&output);
        if template == "plugin" {
            // The plugin crate passes its own test, as generated.
            let tested = std::process::Command::new(env!("CARGO"))
                .args(["test", "--quiet"])
                .current_dir(made.join("plugin"))
                .output()
                .unwrap();
            assert!(tested.status.success(), "{}", printed(&tested));
        }

        let out = work.join(output_name);
        let output = lensmith(&[
            "render".as_ref(),
            folder.as_os_str(),
            source.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert_success(&output);
        let rendered = read_frames(&out);
        let last = rendered.last().expect("frames were written");
        let everywhere = (0, 0, photo.width(), photo.height());
        let share = changed_share(&photo, last, everywhere);
        assert!(
            share > 0.005,
            "{template}: the effect should show on the face ({:.2}% changed)",
            share * 100.0
        );

        // Its golden tests: nothing recorded yet, then recorded, then passing.
        let suite = std::fs::read_to_string(folder.join("tests/golden.toml")).unwrap();
        assert!(!suite.contains("{{"), "every placeholder filled:\n{suite}");
        let golden = |extra: &[&str]| {
            let mut args: Vec<&OsStr> = vec!["test".as_ref(), folder.as_os_str()];
            args.extend(extra.iter().map(OsStr::new));
            lensmith(&args)
        };
        let unrecorded = golden(&[]);
        assert!(
            !unrecorded.status.success() && printed(&unrecorded).contains("have no expected frame"),
            "{}",
            printed(&unrecorded)
        );
        assert_success(&golden(&["--update"]));
        let recorded = golden(&[]);
        assert_success(&recorded);
        assert!(
            printed(&recorded).contains("all 4 frame(s) of 2 case(s) match"),
            "{}",
            printed(&recorded)
        );
    }
}

#[test]
fn refusals_name_the_problem_and_leave_nothing_behind() {
    let work = TempDir::new("new-refusals");
    let unknown = new(&["Hat", "--template", "hat"], &work.join("hat"));
    assert!(!unknown.status.success());
    assert!(
        printed(&unknown)
            .contains("no template `hat`: choose one of generative, mask, plugin, sticker"),
        "{}",
        printed(&unknown)
    );

    let taken = work.join("taken");
    std::fs::create_dir_all(&taken).unwrap();
    std::fs::write(taken.join("keep.txt"), "mine").unwrap();
    let exists = new(&["Taken", "--template", "mask"], &taken);
    assert!(!exists.status.success());
    assert!(
        printed(&exists).contains("already exists"),
        "{}",
        printed(&exists)
    );
    assert_eq!(
        std::fs::read_to_string(taken.join("keep.txt")).unwrap(),
        "mine"
    );

    let bad_id = new(
        &["Bad", "--template", "mask", "--id", "not an id"],
        &work.join("bad"),
    );
    assert!(!bad_id.status.success());
    let said = printed(&bad_id);
    assert!(
        said.contains("bad/effect.toml:") && said.contains("reverse-DNS"),
        "the problem is named at its line in the folder it would have been: {said}"
    );
    let mut left = work.names();
    left.sort();
    assert_eq!(left, ["taken"], "nothing else was created");
}

#[test]
fn names_in_any_script_make_an_effect_and_the_folder_names_its_id() {
    let work = TempDir::new("new-names");
    // A name with no ASCII letter, in a folder of the designer's choosing.
    let folder = work.join("glow dir");
    let made = new(&["Ёлка", "--template", "mask"], &folder);
    let text = printed(&made);
    assert!(made.status.success(), "{text}");
    let manifest = std::fs::read_to_string(folder.join("effect.toml")).unwrap();
    assert!(manifest.contains("name = \"Ёлка\""), "{manifest}");
    assert!(
        manifest.contains("id = \"com.example.glow-dir\""),
        "{manifest}"
    );
    // The commands printed can be pasted into a shell.
    assert!(
        text.contains(&format!("lensmith render '{}'", folder.display())),
        "{text}"
    );
    // A name on two lines is refused before anything is made.
    let two_lines = new(&["Two\nLines", "--template", "mask"], &work.join("two"));
    assert!(!two_lines.status.success());
    assert!(
        printed(&two_lines).contains("line break"),
        "{}",
        printed(&two_lines)
    );
    assert!(!work.join("two").exists());
}
