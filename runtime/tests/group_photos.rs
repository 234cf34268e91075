//! Faces found on group photos (the shared data's `dlib-faces`: PASCAL VOC photos with
//! hand-drawn face boxes, faces from about 37 px), with each detector, against what
//! MediaPipe's own FaceMesh found on the same photos (`tests/data/dlib_faces_mediapipe.json`,
//! made by `xtask/python/mediapipe_faces_found.py`). Every face reported must lie on a
//! labelled face: no mesh is reported on anything else.

use std::collections::BTreeMap;
use std::path::Path;

use effect_api::Rect;
use lensmith_runtime::detection::{DetectorRange, DetectorSettings};
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::models::{AssetCache, ModelOptions};
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};

const MEDIAPIPE: &str = include_str!("data/dlib_faces_mediapipe.json");

/// The labelled face boxes per photo, from dlib's `training.xml` and `testing.xml`.
fn labelled_faces(folder: &Path) -> BTreeMap<String, Vec<Rect>> {
    let mut faces: BTreeMap<String, Vec<Rect>> = BTreeMap::new();
    for list in ["training.xml", "testing.xml"] {
        let text = std::fs::read(folder.join(list)).unwrap();
        let text = String::from_utf8_lossy(&text);
        let mut image = None;
        for line in text.lines() {
            if let Some(name) = attribute(line, "<image file") {
                image = Some(name.to_owned());
            }
            if line.trim_start().starts_with("<box ") {
                let number = |key| attribute(line, key).unwrap().parse::<f32>().unwrap();
                let name = image.clone().expect("boxes follow their image");
                faces.entry(name).or_default().push(Rect {
                    x: number(" left"),
                    y: number("<box top"),
                    width: number(" width"),
                    height: number(" height"),
                });
            }
        }
    }
    faces
}

/// The value of `key='...'` in `line`.
fn attribute<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("{key}='"))? + key.len() + 2;
    let length = line[start..].find('\'')?;
    Some(&line[start..start + length])
}

/// Whether a face reported in `found` lies on the labelled face `label`: it covers most of
/// the labelled box and is not far larger than the face.
fn on_face(found: &Rect, label: &Rect) -> bool {
    let overlap = found.intersection_area(label);
    overlap > 0.5 * label.width * label.height
        && found.width * found.height < 6.0 * label.width * label.height
}

/// What one detector found over the labelled photos.
#[derive(Debug, Default)]
struct Found {
    labelled_found: usize,
    off_face: Vec<String>,
}

/// A tracker for still photos of up to 32 faces with the `range` detector.
fn still_tracker(cache: &AssetCache, range: DetectorRange) -> FaceTracker {
    let settings = TrackerSettings {
        max_faces: 32,
        detector: DetectorSettings {
            range,
            ..DetectorSettings::default()
        },
        ..TrackerSettings::still_images()
    };
    FaceTracker::load(cache, ModelOptions::default(), settings).unwrap()
}

fn run(
    cache: &AssetCache,
    folder: &Path,
    labels: &BTreeMap<String, Vec<Rect>>,
    range: DetectorRange,
) -> (Found, BTreeMap<String, usize>) {
    let mut tracker = still_tracker(cache, range);
    let mut found = Found::default();
    let mut per_photo = BTreeMap::new();
    for (name, boxes) in labels {
        let frame = read_rgb_frame(&folder.join(name)).unwrap();
        tracker.reset();
        let faces = &tracker.process(frame.view(), 0.0).unwrap().faces;
        let mut hit = vec![false; boxes.len()];
        for face in faces {
            let bounds = face.bounds();
            match boxes.iter().position(|label| on_face(&bounds, label)) {
                Some(index) => hit[index] = true,
                None => found.off_face.push(format!("{name}: {bounds:?}")),
            }
        }
        let count = hit.iter().filter(|&&hit| hit).count();
        found.labelled_found += count;
        per_photo.insert(name.clone(), count);
    }
    (found, per_photo)
}

#[test]
fn the_full_range_detector_finds_the_faces_of_group_photos_and_nothing_else() {
    let test = "the_full_range_detector_finds_the_faces_of_group_photos_and_nothing_else";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let Some(folder) = lensmith_testkit::shared_data_or_skip(test, "dlib-faces") else {
        return;
    };
    let labels = labelled_faces(&folder);
    let labelled: usize = labels.values().map(Vec::len).sum();
    let mediapipe: serde_json::Value = serde_json::from_str(MEDIAPIPE).unwrap();
    let mut mediapipe_found = 0;
    for (name, boxes) in &labels {
        let reported = mediapipe["images"][name]
            .as_array()
            .expect("every photo is in the fixture");
        mediapipe_found += reported
            .iter()
            .filter_map(|found| {
                let value = |index: usize| found[index].as_f64().unwrap() as f32;
                let bounds = Rect {
                    x: value(0),
                    y: value(1),
                    width: value(2),
                    height: value(3),
                };
                boxes.iter().position(|label| on_face(&bounds, label))
            })
            .collect::<std::collections::BTreeSet<_>>()
            .len();
    }
    let (short, _) = run(&cache, &folder, &labels, DetectorRange::Short);
    let (full, per_photo) = run(&cache, &folder, &labels, DetectorRange::Full);
    println!(
        "dlib-faces: {labelled} labelled faces in {} photos",
        labels.len()
    );
    println!("  MediaPipe 0.10.21 FaceMesh (static): {mediapipe_found} found");
    println!(
        "  short-range detector: {} found, {} off any face",
        short.labelled_found,
        short.off_face.len()
    );
    println!(
        "  full-range detector:  {} found, {} off any face",
        full.labelled_found,
        full.off_face.len()
    );
    println!("  full range, per photo: {per_photo:?}");
    for (what, found) in [("short-range", &short), ("full-range", &full)] {
        assert!(
            found.off_face.is_empty(),
            "{what}: faces reported off every labelled face: {:?}",
            found.off_face
        );
    }
    assert!(
        full.labelled_found * 10 >= labelled * 9,
        "the full-range detector found {} of {labelled} labelled faces (at least 90% expected)",
        full.labelled_found
    );
    assert!(full.labelled_found > mediapipe_found && full.labelled_found >= short.labelled_found);

    // A photo of dogs has no face for either detector.
    let dogs = read_rgb_frame(&folder.join("dogs.jpg")).unwrap();
    for range in [DetectorRange::Short, DetectorRange::Full] {
        let mut tracker = still_tracker(&cache, range);
        let faces = tracker.process(dogs.view(), 0.0).unwrap().faces.len();
        assert_eq!(faces, 0, "{range:?}: {faces} face(s) on dogs.jpg");
    }
}
