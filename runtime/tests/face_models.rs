//! The real MediaPipe models through ONNX Runtime, on a real photo.

use effect_api::{DetectionKeypoint, FaceDetection, Frame, PixelFormat};
use lensmith_runtime::detection::{DetectorSettings, FaceDetector};
use lensmith_runtime::landmarks::{FaceRoi, LANDMARK_COUNT, LandmarkModel};
use lensmith_runtime::models::{AssetCache, Model, ModelKind, ModelOptions};

fn detector(cache: &AssetCache) -> FaceDetector {
    let model = Model::load(cache, ModelKind::FaceDetector, ModelOptions::default()).unwrap();
    FaceDetector::new(model, DetectorSettings::default()).unwrap()
}

fn landmarks(cache: &AssetCache) -> LandmarkModel {
    LandmarkModel::new(
        Model::load(cache, ModelKind::FaceLandmarks, ModelOptions::default()).unwrap(),
    )
    .unwrap()
}

/// The `width`×`height` part of `frame` whose top-left corner is (`left`, `top`).
fn crop(frame: &Frame, left: u32, top: u32, width: u32, height: u32) -> Frame {
    let view = frame.view();
    let mut data = Vec::with_capacity((width * height * 3) as usize);
    for y in top..top + height {
        data.extend_from_slice(&view.row(y)[(left * 3) as usize..((left + width) * 3) as usize]);
    }
    Frame::from_packed(data, width, height, PixelFormat::Rgb8).unwrap()
}

/// Places `inner` at (`left`, `top`) on a grey canvas.
fn paste_on_canvas(inner: &Frame, width: u32, height: u32, left: u32, top: u32) -> Frame {
    let mut data = [90u8, 90, 90].repeat((width * height) as usize);
    let view = inner.view();
    for y in 0..inner.height() {
        let start = (((top + y) * width + left) * 3) as usize;
        data[start..start + view.row(y).len()].copy_from_slice(view.row(y));
    }
    Frame::from_packed(data, width, height, PixelFormat::Rgb8).unwrap()
}

fn only_face(faces: Vec<FaceDetection>) -> FaceDetection {
    assert_eq!(faces.len(), 1, "expected exactly one face, got {faces:?}");
    faces.into_iter().next().unwrap()
}

#[test]
fn detector_holds_a_confident_anchor_on_the_astronaut() {
    let Some(cache) =
        lensmith_testkit::cache_or_skip("detector_holds_a_confident_anchor_on_the_astronaut")
    else {
        return;
    };
    let mut detector = detector(&cache);
    let face = only_face(
        detector
            .detect(lensmith_testkit::astronaut(&cache).view())
            .unwrap(),
    );
    assert!(
        detector.last_max_score() > 0.9,
        "best anchor scored {}",
        detector.last_max_score()
    );
    assert!(face.score > 0.9);
    // The face is in the upper middle of the 512×512 portrait, eyes level-ish, the subject's
    // right eye on the image's left.
    let center = face.bounds.center();
    assert!(
        (150.0..300.0).contains(&center.x) && (60.0..200.0).contains(&center.y),
        "{face:?}"
    );
    assert!((60.0..160.0).contains(&face.bounds.width), "{face:?}");
    let right_eye = face.keypoint(DetectionKeypoint::RightEye);
    let left_eye = face.keypoint(DetectionKeypoint::LeftEye);
    assert!(
        right_eye.x < left_eye.x && (right_eye.y - left_eye.y).abs() < 20.0,
        "{face:?}"
    );
}

#[test]
fn detector_finds_no_face_in_blank_frames() {
    let Some(cache) = lensmith_testkit::cache_or_skip("detector_finds_no_face_in_blank_frames")
    else {
        return;
    };
    let mut detector = detector(&cache);
    for colour in [[0, 0, 0], [128, 128, 128], [255, 255, 255]] {
        let blank = Frame::filled(640, 480, colour).unwrap();
        assert!(detector.detect(blank.view()).unwrap().is_empty());
        assert!(
            detector.last_max_score() < 0.5,
            "a {colour:?} frame scored {}",
            detector.last_max_score()
        );
    }
}

#[test]
fn detection_in_a_wide_or_tall_frame_lands_on_the_same_face() {
    let Some(cache) =
        lensmith_testkit::cache_or_skip("detection_in_a_wide_or_tall_frame_lands_on_the_same_face")
    else {
        return;
    };
    let mut detector = detector(&cache);
    // A square crop around the face, so that the face stays large enough for the
    // short-range model once the crop shares the input with bars.
    let photo = crop(&lensmith_testkit::astronaut(&cache), 80, 0, 300, 300);
    let alone = only_face(detector.detect(photo.view()).unwrap());
    for (width, height, left, top) in [(420, 300, 110, 0), (300, 420, 0, 100), (400, 400, 50, 60)] {
        let canvas = paste_on_canvas(&photo, width, height, left, top);
        let placed = only_face(detector.detect(canvas.view()).unwrap());
        let shifted_center = placed.bounds.center();
        let expected = alone.bounds.center();
        // The letterboxed input is coarser here, so allow a few pixels.
        let error = ((shifted_center.x - left as f32 - expected.x).powi(2)
            + (shifted_center.y - top as f32 - expected.y).powi(2))
        .sqrt();
        assert!(
            error < 0.1 * alone.bounds.width,
            "{width}x{height}: centre off by {error} px"
        );
        assert!((placed.bounds.width / alone.bounds.width - 1.0).abs() < 0.15);
    }
}

#[test]
fn mesh_fits_the_astronauts_face() {
    let Some(cache) = lensmith_testkit::cache_or_skip("mesh_fits_the_astronauts_face") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let face = only_face(detector(&cache).detect(photo.view()).unwrap());
    let mut model = landmarks(&cache);
    let mesh = model
        .run(photo.view(), &FaceRoi::from_detection(&face))
        .unwrap();
    assert!(mesh.presence > 0.9, "presence {}", mesh.presence);
    assert_eq!(mesh.points.len(), LANDMARK_COUNT);
    // The eye-corner midpoints (33/133 right eye, 362/263 left eye) sit on the detector's eyes.
    let interocular = face
        .keypoint(DetectionKeypoint::RightEye)
        .distance(face.keypoint(DetectionKeypoint::LeftEye));
    for (corners, keypoint) in [
        ((33, 133), DetectionKeypoint::RightEye),
        ((362, 263), DetectionKeypoint::LeftEye),
    ] {
        let (a, b) = (
            mesh.point(corners.0).unwrap(),
            mesh.point(corners.1).unwrap(),
        );
        let middle = effect_api::Point2::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let distance = middle.distance(face.keypoint(keypoint));
        assert!(
            distance < 0.2 * interocular,
            "{keypoint:?}: mesh eye {distance} px from the detector's"
        );
    }
    // Upper lip (13) above lower lip (14) above chin (152); nose tip (1) between eyes and mouth.
    let y = |index| mesh.point(index).unwrap().y;
    assert!(
        y(13) <= y(14) && y(14) < y(152) && y(1) < y(13),
        "mesh is not upright"
    );
}

#[test]
fn mesh_reports_no_face_in_a_blank_region() {
    let Some(cache) = lensmith_testkit::cache_or_skip("mesh_reports_no_face_in_a_blank_region")
    else {
        return;
    };
    let blank = Frame::filled(400, 400, [200, 190, 180]).unwrap();
    let roi = FaceRoi {
        center: effect_api::Point2::new(200.0, 200.0),
        size: 200.0,
        rotation: 0.0,
    };
    let mut model = landmarks(&cache);
    let mesh = model.run(blank.view(), &roi).unwrap();
    assert!(
        mesh.presence < 0.5,
        "presence {} on a blank region",
        mesh.presence
    );
}

#[test]
fn thread_count_does_not_change_results() {
    let Some(cache) = lensmith_testkit::cache_or_skip("thread_count_does_not_change_results")
    else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let mut results = Vec::new();
    for threads in [1, 2] {
        let options = ModelOptions {
            intra_threads: threads,
        };
        let model = Model::load(&cache, ModelKind::FaceDetector, options).unwrap();
        let mut detector = FaceDetector::new(model, DetectorSettings::default()).unwrap();
        results.push(only_face(detector.detect(photo.view()).unwrap()));
    }
    assert!((results[0].score - results[1].score).abs() < 1e-4);
    assert!(results[0].bounds.iou(&results[1].bounds) > 0.99);
}
