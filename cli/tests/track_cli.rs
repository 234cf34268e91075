//! `lensmith track` run as a user runs it: the built binary on the sample photo, on files
//! it cannot read and on a picture with no face, checking the JSON it writes, its overlay
//! and its errors.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use effect_api::{Frame, PixelFormat};
use lensmith_runtime::video::create_sink;
use lensmith_testkit::TempDir;
use serde_json::Value;

/// Runs `lensmith track` with `args`.
fn track(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lensmith"))
        .arg("track")
        .args(args)
        .output()
        .expect("the lensmith binary cargo built runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "lensmith track failed ({}):\n{}",
        output.status,
        stderr(output)
    );
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("{} was not written: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// `value` as a number, or a panic naming `what`.
fn number(value: &Value, what: &str) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{what} should be a number, got {value}"))
}

/// `value` as an array of `len` numbers, or a panic naming `what`.
fn numbers(value: &Value, len: usize, what: &str) -> Vec<f64> {
    let array = value
        .as_array()
        .unwrap_or_else(|| panic!("{what} should be an array, got {value}"));
    assert_eq!(array.len(), len, "{what}: {value}");
    array.iter().map(|item| number(item, what)).collect()
}

/// Width and height from a PNG's header, after checking its signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path)
        .unwrap_or_else(|error| panic!("{} was not written: {error}", path.display()));
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        path.display()
    );
    let side = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (side(16), side(20))
}

#[test]
fn tracks_the_astronaut_into_json_and_an_overlay() {
    let Some(cache) =
        lensmith_testkit::cache_or_skip("tracks_the_astronaut_into_json_and_an_overlay")
    else {
        return;
    };
    let photo = lensmith_testkit::astronaut_path(&cache);
    let dir = TempDir::new("astronaut");
    let (json, overlay) = (dir.join("faces.json"), dir.join("overlay.png"));
    let output = track(&[
        photo.as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
        "--overlay".as_ref(),
        overlay.as_os_str(),
    ]);
    assert_success(&output);

    let report = read_json(&json);
    assert_eq!(
        report["source"].as_str(),
        photo.to_str(),
        "{}",
        report["source"]
    );
    assert_eq!(report["width"].as_u64(), Some(512));
    assert_eq!(report["height"].as_u64(), Some(512));
    let frames = report["frames"].as_array().expect("frames is an array");
    assert_eq!(frames.len(), 1, "one photo, one frame");
    let frame = &frames[0];
    assert_eq!(frame["index"].as_u64(), Some(0));

    let faces = frame["faces"].as_array().expect("faces is an array");
    assert_eq!(faces.len(), 1, "the astronaut is one face: {faces:?}");
    let face = &faces[0];
    assert!(face["id"].is_u64(), "id: {}", face["id"]);
    let score = number(&face["score"], "score");
    assert!(score > 0.0 && score <= 1.0, "score {score}");
    let inside = |x: f64, y: f64| (0.0..=512.0).contains(&x) && (0.0..=512.0).contains(&y);
    let [x, y, width, height] = numbers(&face["box"], 4, "box")[..] else {
        unreachable!("numbers checked the length");
    };
    assert!(width > 0.0 && height > 0.0, "box {x} {y} {width} {height}");
    assert!(
        inside(x, y) && inside(x + width, y + height),
        "box {x} {y} {width} {height} leaves the 512x512 image"
    );
    let landmarks = face["landmarks"].as_array().expect("landmarks is an array");
    assert_eq!(landmarks.len(), 468);
    for (index, point) in landmarks.iter().enumerate() {
        let xyz = numbers(point, 3, "a landmark");
        assert!(
            inside(xyz[0], xyz[1]),
            "landmark {index} {xyz:?} leaves the image"
        );
    }
    for angle in ["yaw", "pitch", "roll"] {
        let degrees = number(&face["pose"][angle], angle);
        assert!(degrees.abs() <= 180.0, "{angle} {degrees}");
    }
    // The face crop: centred near the face, about four eye-distances wide, upright here.
    let crop = &face["crop"];
    assert_eq!(crop["side"].as_u64(), Some(256));
    let center = numbers(&crop["center"], 2, "the crop centre");
    assert!(inside(center[0], center[1]), "crop centre {center:?}");
    let size = number(&crop["size"], "crop size");
    assert!(
        size > width && size < 4.0 * width,
        "crop size {size}, face box width {width}"
    );
    assert!(number(&crop["rotation_deg"], "crop rotation").abs() < 15.0);

    let timings = &frame["timings_ms"];
    let total = number(&timings["total"], "total");
    for stage in ["detect", "landmarks"] {
        let ms = number(&timings[stage], stage);
        assert!(ms >= 0.0 && ms <= total, "{stage} took {ms} ms of {total}");
    }

    assert_eq!(png_size(&overlay), (512, 512));
    assert_eq!(
        dir.names(),
        ["faces.json", "overlay.png"],
        "no temporary file is left"
    );
}

#[test]
fn unreadable_inputs_are_named_and_leave_no_json() {
    // Inputs are opened before the models load, so this needs no asset cache.
    let dir = TempDir::new("unreadable");
    let broken = dir.join("broken.png");
    std::fs::write(&broken, "this is a text file, not a PNG\n").unwrap();
    let missing = dir.join("missing.png");
    let json = dir.join("faces.json");
    for input in [&broken, &missing] {
        let output = track(&[input.as_os_str(), "--json".as_ref(), json.as_os_str()]);
        let message = stderr(&output);
        assert!(
            !output.status.success(),
            "{} should fail:\n{message}",
            input.display()
        );
        assert!(
            message.contains(&input.display().to_string()),
            "the error should name {}: {message}",
            input.display()
        );
        assert_eq!(
            dir.names(),
            ["broken.png"],
            "no JSON, not even a temporary one"
        );
    }
}

#[test]
fn a_blank_grey_image_has_no_faces() {
    if lensmith_testkit::cache_or_skip("a_blank_grey_image_has_no_faces").is_none() {
        return;
    }
    let dir = TempDir::new("grey");
    let grey = dir.join("grey.png");
    let frame = Frame::from_packed(vec![128; 96 * 64 * 3], 96, 64, PixelFormat::Rgb8).unwrap();
    let mut sink = create_sink(&grey, 30.0).unwrap();
    sink.write_frame(frame.view()).unwrap();
    sink.finish().unwrap();
    let json = dir.join("faces.json");

    let output = track(&[grey.as_os_str(), "--json".as_ref(), json.as_os_str()]);
    assert_success(&output);
    let report = read_json(&json);
    assert_eq!(
        (report["width"].as_u64(), report["height"].as_u64()),
        (Some(96), Some(64))
    );
    let frames = report["frames"].as_array().expect("frames is an array");
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0]["faces"].as_array().map(Vec::len), Some(0));
}

/// The sample rule file shipped in `examples/`.
fn example_rules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/triggers.toml")
}

#[test]
fn expressions_face_events_and_triggers_reach_the_json() {
    let Some(cache) = lensmith_testkit::cache_or_skip("expressions_and_triggers") else {
        return;
    };
    let dir = TempDir::new("cli-triggers");
    let json = dir.join("faces.json");
    let photo = lensmith_testkit::astronaut_path(&cache);
    let rules = example_rules();
    let output = track(&[
        photo.as_os_str(),
        OsStr::new("--triggers"),
        rules.as_os_str(),
        OsStr::new("--json"),
        json.as_os_str(),
    ]);
    assert_success(&output);
    let report = read_json(&json);
    let names: Vec<&str> = report["trigger_rules"]
        .as_array()
        .expect("trigger_rules lists the rules")
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    assert_eq!(names, ["eyes_shut", "mask", "smile_burst", "hello"]);
    let frame = &report["frames"][0];
    let expressions = frame["faces"][0]["expressions"]
        .as_object()
        .expect("each face has its expression scores");
    assert_eq!(
        expressions.len(),
        effect_api::Expression::ALL.len(),
        "{expressions:?}"
    );
    for (name, score) in expressions {
        let score = number(score, name);
        assert!((0.0..=1.0).contains(&score), "{name} = {score}");
    }
    // Both eyes refined: five iris points each, open, looking about ahead.
    let eyes = frame["faces"][0]["eyes"]
        .as_array()
        .expect("track refines the eyes");
    assert_eq!(eyes.len(), 2);
    for eye in eyes {
        assert_eq!(eye["iris"].as_array().map(Vec::len), Some(5), "{eye}");
        assert!(number(&eye["openness"], "openness") > 0.2, "{eye}");
        assert!(number(&eye["gaze"][0], "gaze").abs() < 0.1, "{eye}");
    }
    // What the scores were measured from, in the canonical face's centimetres: a mouth
    // about 5-8 cm wide, eyes open by a fifth to two fifths of their width.
    let measurements = &frame["faces"][0]["measurements"];
    let mouth_width = number(&measurements["mouth_width"], "mouth_width");
    assert!((5.0..8.0).contains(&mouth_width), "{measurements}");
    for openness in measurements["eye_openness"].as_array().expect("both eyes") {
        assert!(
            (0.2..0.4).contains(&number(openness, "eye_openness")),
            "{measurements}"
        );
    }
    // The astronaut smiles broadly with her eyes open.
    assert!(number(&expressions["smile"], "smile") > 0.5);
    assert!(number(&expressions["blink"], "blink") < 0.5);
    assert_eq!(frame["face_events"][0]["event"], "face_found");
    let triggers = frame["triggers"]
        .as_array()
        .expect("triggers lists this frame's events");
    let fired: Vec<(&str, &str)> = triggers
        .iter()
        .map(|event| {
            (
                event["rule"].as_str().unwrap(),
                event["phase"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(fired.contains(&("hello", "started")), "{fired:?}");
}

#[test]
fn a_broken_rule_file_is_named_with_its_line() {
    let dir = TempDir::new("cli-bad-triggers");
    let rules = dir.join("rules.toml");
    std::fs::write(&rules, "[[trigger]]\nname = \"wink\"\nwhen = \"smiel\"\n").unwrap();
    let json = dir.join("faces.json");
    let photo = dir.join("unused.png");
    let output = track(&[
        photo.as_os_str(),
        OsStr::new("--triggers"),
        rules.as_os_str(),
        OsStr::new("--json"),
        json.as_os_str(),
    ]);
    assert!(!output.status.success());
    let message = stderr(&output);
    for expected in [
        rules.display().to_string().as_str(),
        "line 3",
        "smiel",
        "smile",
    ] {
        assert!(
            message.contains(expected),
            "`{expected}` missing from:\n{message}"
        );
    }
    assert!(!json.exists());
}
