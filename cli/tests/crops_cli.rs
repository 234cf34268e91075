//! `lensmith crops`: the crops a student trains on are the runtime's own stable crops, and
//! their landmarks are in crop pixels: tracking the written crop again finds the face
//! where its JSON says. Bad arguments and a picture without a face are refused.

#[path = "support/bundle.rs"]
mod bundle;

use std::ffi::OsStr;

use bundle::{lensmith, printed, write_png};
use lensmith_testkit::TempDir;

#[test]
fn a_crop_holds_the_face_where_its_landmarks_say() {
    let test = "a_crop_holds_the_face_where_its_landmarks_say";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let work = TempDir::new("crops");
    let out = work.join("crops");
    let photo = lensmith_testkit::astronaut_path(&cache);
    let made = lensmith(&[
        "crops".as_ref(),
        photo.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--size".as_ref(),
        "192".as_ref(),
    ]);
    assert!(made.status.success(), "{}", printed(&made));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("astronaut_000000_face0.json")).unwrap())
            .unwrap();
    let image = image::open(out.join("astronaut_000000_face0.png")).unwrap();
    assert_eq!((image.width(), image.height()), (192, 192));
    assert_eq!(record["transform"]["side"], 192);
    let written: Vec<[f64; 2]> = record["landmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|point| [point[0].as_f64().unwrap(), point[1].as_f64().unwrap()])
        .collect();
    assert_eq!(written.len(), 468);
    let summary = out.join("astronaut.crops.json");
    assert!(summary.is_file(), "{}", printed(&made));

    // Track the crop itself: the mesh found there matches the one the JSON carries.
    let tracked = work.join("track.json");
    let crop = out.join("astronaut_000000_face0.png");
    let track = lensmith(&[
        "track".as_ref(),
        crop.as_os_str(),
        "--json".as_ref(),
        tracked.as_os_str(),
    ]);
    assert!(track.status.success(), "{}", printed(&track));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&tracked).unwrap()).unwrap();
    let found = &report["frames"][0]["faces"][0]["landmarks"];
    let centre = |points: &[[f64; 2]], pair: [usize; 2]| {
        [
            (points[pair[0]][0] + points[pair[1]][0]) / 2.0,
            (points[pair[0]][1] + points[pair[1]][1]) / 2.0,
        ]
    };
    let again: Vec<[f64; 2]> = found
        .as_array()
        .expect("a face in the crop")
        .iter()
        .map(|point| [point[0].as_f64().unwrap(), point[1].as_f64().unwrap()])
        .collect();
    let (right, left) = (centre(&written, [33, 133]), centre(&written, [362, 263]));
    let interocular = ((left[0] - right[0]).powi(2) + (left[1] - right[1]).powi(2)).sqrt();
    let mean_error = written
        .iter()
        .zip(&again)
        .map(|(a, b)| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt())
        .sum::<f64>()
        / 468.0;
    assert!(
        mean_error / interocular < 0.03,
        "the crop's landmarks are {:.1} % of the eye distance from where tracking finds them",
        100.0 * mean_error / interocular
    );
    // FFHQ framing: the eyes level, a quarter of the crop apart, above its middle.
    assert!((right[1] - left[1]).abs() < 3.0 && (0.2..0.35).contains(&(interocular / 192.0)));
    assert!(right[1] < 96.0 && right[0] < 96.0 && left[0] > 96.0);
}

#[test]
fn bad_arguments_and_a_faceless_picture_are_refused() {
    let work = TempDir::new("crops-refused");
    let blank = work.join("blank.png");
    write_png(&blank, 320, 240);
    let out = work.join("out");
    let run = |extra: &[&str]| {
        let mut args: Vec<&OsStr> = vec![
            "crops".as_ref(),
            blank.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        lensmith(&args)
    };
    for (extra, said) in [
        (&["--size", "8"][..], "--size 8 is outside 16..=1024"),
        (&["--every", "0"][..], "--every must be at least 1"),
        (&["--max-upscale", "0"][..], "0 is below 1: give 1 or more"),
        (
            &["--max-faces", "0"][..],
            "0 would do nothing: give 1 or more",
        ),
    ] {
        let refused = run(extra);
        assert!(!refused.status.success());
        assert!(printed(&refused).contains(said), "{}", printed(&refused));
    }
    if lensmith_testkit::cache_or_skip("bad_arguments_and_a_faceless_picture_are_refused").is_none()
    {
        return;
    }
    let faceless = run(&[]);
    assert!(!faceless.status.success());
    assert!(
        printed(&faceless).contains("no face crop was written: no face was found"),
        "{}",
        printed(&faceless)
    );
    // A face found but too small for the crop is not called missing.
    let Some(cache) = lensmith_testkit::cache_or_skip("a small face") else {
        return;
    };
    let small = work.join("small.png");
    image::imageops::resize(
        &image::open(lensmith_testkit::astronaut_path(&cache))
            .unwrap()
            .to_rgb8(),
        200,
        200,
        image::imageops::FilterType::Triangle,
    )
    .save(&small)
    .unwrap();
    let too_small = lensmith(&[
        "crops".as_ref(),
        small.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let text = printed(&too_small);
    assert!(!too_small.status.success(), "{text}");
    assert!(
        text.contains("the 1 face(s) found in") && text.contains("give a smaller --size"),
        "{text}"
    );
}

#[test]
fn crops_of_another_input_of_the_same_name_are_not_written_over() {
    let test = "crops_of_another_input_of_the_same_name_are_not_written_over";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let work = TempDir::new("crops-same-name");
    let out = work.join("crops");
    let png = work.join("face.png");
    std::fs::copy(lensmith_testkit::astronaut_path(&cache), &png).unwrap();
    let jpg = work.join("face.jpg");
    image::open(&png).unwrap().to_rgb8().save(&jpg).unwrap();
    let crops = |input: &std::path::Path| {
        lensmith(&[
            "crops".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ])
    };
    assert!(crops(&png).status.success());
    let first = std::fs::read(out.join("face_000000_face0.png")).unwrap();
    // The same input again makes its crops again.
    assert!(crops(&png).status.success());
    let refused = crops(&jpg);
    let text = printed(&refused);
    assert!(!refused.status.success(), "{text}");
    assert!(
        text.contains("already holds the crops of") && text.contains("face.png"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(out.join("face_000000_face0.png")).unwrap(),
        first
    );
}
