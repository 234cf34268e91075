//! Faces found on the faces catalogue's photos, turned faces included, against what MediaPipe's
//! own FaceMesh finds on the same photos (`tests/data/catalogue_faces_mediapipe.json`, made by
//! `xtask/python/mediapipe_faces_found.py`): each photo as it is and mirrored, so a face
//! turned one way counts turned the other way too. The runtime must find every face MediaPipe
//! finds, and report no face MediaPipe does not: its check that a new mesh has settled must
//! not drop a turned face, which the mesh's narrower outline makes move more.

#[path = "support/catalogue_faces.rs"]
mod catalogue_faces;

use std::collections::BTreeMap;

use effect_api::Rect;
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::models::ModelOptions;
use lensmith_runtime::pose::{CanonicalFace, PoseEstimator};
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};

const TEST: &str = "every_face_mediapipe_finds_on_the_catalogues_photos_turned_or_not";
const MEDIAPIPE: &str = include_str!("data/catalogue_faces_mediapipe.json");
/// How the fixture names a photo turned left to right.
const MIRRORED: &str = " (mirrored)";
/// A face of ours is MediaPipe's when their landmark boxes overlap this much (IoU).
const SAME_FACE_IOU: f32 = 0.5;
/// Upper ends of the head-turn ranges reported, in degrees of yaw either way.
const YAW_RANGES: [f32; 4] = [15.0, 30.0, 45.0, 90.0];

/// The faces MediaPipe found, per photo name, as landmark boxes in pixels.
fn mediapipe_faces() -> BTreeMap<String, Vec<Rect>> {
    let document: serde_json::Value = serde_json::from_str(MEDIAPIPE).unwrap();
    let images = document["images"].as_object().expect("an images map");
    images
        .iter()
        .map(|(name, boxes)| {
            let boxes = boxes.as_array().expect("a list of boxes per photo");
            let boxes = boxes
                .iter()
                .map(|found| {
                    let value = |index: usize| found[index].as_f64().unwrap() as f32;
                    Rect {
                        x: value(0),
                        y: value(1),
                        width: value(2),
                        height: value(3),
                    }
                })
                .collect();
            (name.clone(), boxes)
        })
        .collect()
}

/// Counts of faces in one range of head turn.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    mediapipe: usize,
    found: usize,
}

#[test]
fn every_face_mediapipe_finds_on_the_catalogues_photos_turned_or_not() {
    let Some((cache, faces)) = catalogue_faces::faces_or_skip(TEST) else {
        return;
    };
    let settings = TrackerSettings {
        max_faces: 8,
        ..TrackerSettings::still_images()
    };
    let mut tracker = FaceTracker::load(&cache, ModelOptions::default(), settings).unwrap();
    let canonical = CanonicalFace::load(&cache.face_geometry().unwrap()).unwrap();
    let mut poses = PoseEstimator::new(&canonical);

    let expected = mediapipe_faces();
    let mut by_yaw = [Counts::default(); YAW_RANGES.len()];
    let (mut missed, mut extra) = (Vec::new(), Vec::new());
    let mut largest_yaw: f32 = 0.0;
    for (name, mediapipe) in &expected {
        let (file, mirrored) = match name.strip_suffix(MIRRORED) {
            Some(file) => (file, true),
            None => (name.as_str(), false),
        };
        let path = faces.join(file);
        let photo = read_rgb_frame(&path).unwrap_or_else(|error| {
            panic!(
                "{error}. The fixture names photos of distill/faces.toml; fetch them again \
                 (python -m lensmith_distill faces fetch) or, if the catalogue changed, \
                 regenerate tests/data/catalogue_faces_mediapipe.json \
                 (xtask/python/mediapipe_faces_found.py)"
            )
        });
        let photo = if mirrored {
            lensmith_testkit::mirrored(&photo)
        } else {
            photo
        };
        tracker.reset();
        let ours = &tracker.process(photo.view(), 0.0).unwrap().faces;
        let mut matched = vec![false; ours.len()];
        for face in mediapipe {
            let best = ours
                .iter()
                .enumerate()
                .filter(|(index, _)| !matched[*index])
                .map(|(index, ours)| (index, ours.bounds().iou(face)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .filter(|(_, iou)| *iou >= SAME_FACE_IOU);
            let yaw = best.and_then(|(index, _)| poses.estimate(&ours[index].landmarks));
            // A face we missed has no yaw of ours: it counts in the most turned range, so a
            // miss is never hidden among frontal faces.
            let yaw = yaw.map_or(f32::INFINITY, |pose| pose.yaw.abs());
            let range = YAW_RANGES
                .iter()
                .position(|&end| yaw < end)
                .unwrap_or(YAW_RANGES.len() - 1);
            by_yaw[range].mediapipe += 1;
            match best {
                Some((index, _)) => {
                    matched[index] = true;
                    by_yaw[range].found += 1;
                    largest_yaw = largest_yaw.max(yaw);
                }
                None => missed.push(format!("{name}: {face:?}")),
            }
        }
        for (face, _) in ours.iter().zip(&matched).filter(|(_, matched)| !**matched) {
            extra.push(format!("{name}: {:?}", face.bounds()));
        }
    }

    let photos = expected.len();
    let total: usize = by_yaw.iter().map(|counts| counts.mediapipe).sum();
    println!(
        "faces catalogue: {total} faces that MediaPipe 0.10.21's FaceMesh (static) finds on {photos} \
         photos ({} photos and their mirror images)",
        photos / 2
    );
    println!("| head turn (|yaw|, ours) | MediaPipe | Lensmith |");
    println!("|---|---|---|");
    let mut start = 0.0;
    for (end, counts) in YAW_RANGES.iter().zip(by_yaw) {
        println!(
            "| {start:.0}-{end:.0}° | {} | {} |",
            counts.mediapipe, counts.found
        );
        start = *end;
    }
    println!("most turned face found: {largest_yaw:.1}° of yaw");
    println!("missed: {missed:?}");
    println!("reported where MediaPipe found no face: {extra:?}");
    assert!(
        missed.is_empty(),
        "{} face(s) that MediaPipe finds were not found: {missed:?}",
        missed.len()
    );
    assert!(
        extra.is_empty(),
        "{} face(s) reported where MediaPipe finds none: {extra:?}",
        extra.len()
    );
    assert!(total >= 100, "only {total} faces in the fixture");
}
