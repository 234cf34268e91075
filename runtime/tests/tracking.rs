//! Face tracking on real pixels: agreement with MediaPipe's own FaceMesh, stillness on a
//! still face, following known motion, several faces, and no face.

use effect_api::{Frame, PixelFormat, Point2};
use lensmith_runtime::tracking::{FaceTracker, TrackedFace, TrackerSettings};
use lensmith_testkit::Motion;

/// Outer eye corners, whose distance normalises every landmark error.
const RIGHT_EYE_OUTER: usize = 33;
const LEFT_EYE_OUTER: usize = 263;

fn interocular(landmarks: &[[f32; 3]]) -> f32 {
    let [ax, ay, _] = landmarks[RIGHT_EYE_OUTER];
    let [bx, by, _] = landmarks[LEFT_EYE_OUTER];
    (ax - bx).hypot(ay - by)
}

fn mean_distance(a: &[[f32; 3]], b: &[[f32; 3]]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p[0] - q[0]).hypot(p[1] - q[1]))
        .sum::<f32>()
        / a.len() as f32
}

fn tracker(settings: TrackerSettings) -> Option<(FaceTracker, Frame)> {
    lensmith_testkit::tracker_or_skip("tracking", settings)
}

fn single_face(faces: &[TrackedFace]) -> &TrackedFace {
    assert_eq!(faces.len(), 1, "expected one face, found {}", faces.len());
    &faces[0]
}

#[test]
fn landmarks_agree_with_mediapipe_facemesh_on_the_astronaut() {
    let Some((mut tracker, photo)) = tracker(TrackerSettings::still_images()) else {
        return;
    };
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("data/astronaut_mediapipe_landmarks.json")).unwrap();
    let expected: Vec<[f32; 3]> = reference["faces"][0]["landmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|point| std::array::from_fn(|axis| point[axis].as_f64().unwrap() as f32))
        .collect();
    assert_eq!(expected.len(), 468);
    let found = tracker.process(photo.view(), 0.0).unwrap();
    let face = single_face(&found.faces);
    let error = mean_distance(&face.landmarks, &expected) / interocular(&expected);
    println!(
        "mean landmark distance to MediaPipe: {:.2}% of the inter-ocular distance",
        error * 100.0
    );
    assert!(
        error <= 0.015,
        "mean distance is {:.2}% of the inter-ocular distance",
        error * 100.0
    );
}

#[test]
fn a_still_face_stays_still_after_smoothing() {
    let Some((mut tracker, photo)) = tracker(TrackerSettings::default()) else {
        return;
    };
    let mut previous: Option<Vec<[f32; 3]>> = None;
    let mut squared_motion = Vec::new();
    for index in 0..60 {
        let frame = tracker.process(photo.view(), index as f64 / 30.0).unwrap();
        let face = single_face(&frame.faces);
        assert_eq!(face.id, 0, "the one face keeps its id");
        if let Some(previous) = &previous {
            for (p, q) in face.landmarks.iter().zip(previous) {
                squared_motion.push((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2));
            }
        }
        previous = Some(face.landmarks.clone());
    }
    let rms = (squared_motion.iter().sum::<f32>() / squared_motion.len() as f32).sqrt();
    println!("still-face RMS landmark motion: {rms:.4} px per frame");
    assert!(rms < 0.5, "RMS motion {rms} px");
}

#[test]
fn tracking_follows_known_rotation_scale_and_translation() {
    let Some((mut tracker, photo)) = tracker(TrackerSettings::default()) else {
        return;
    };
    // The reference is what tracking settles on for the still photo; the mesh from the
    // detector's first, coarser region differs slightly from it.
    let settle_frames = 10;
    let mut reference = Vec::new();
    for index in 0..settle_frames {
        let frame = tracker.process(photo.view(), index as f64 / 30.0).unwrap();
        reference = single_face(&frame.faces).landmarks.clone();
    }
    let iod = interocular(&reference);
    let face_centre = Point2::new(
        reference.iter().map(|p| p[0]).sum::<f32>() / reference.len() as f32,
        reference.iter().map(|p| p[1]).sum::<f32>() / reference.len() as f32,
    );

    let frames = 90;
    let mut worst = 0.0f32;
    for index in 0..frames {
        let motion = Motion::sweep(index, frames, face_centre);
        let frame = motion.render(&photo);
        let time = (settle_frames + index) as f64 / 30.0;
        let tracked = tracker.process(frame.view(), time).unwrap();
        let face = single_face(&tracked.faces);
        assert_eq!(
            face.id, 0,
            "frame {index}: the face was lost and found again"
        );
        let expected: Vec<[f32; 3]> = reference
            .iter()
            .map(|&[x, y, z]| {
                let (mx, my) = motion.apply(x, y);
                [mx, my, z]
            })
            .collect();
        let error = mean_distance(&face.landmarks, &expected) / (iod * motion.scale);
        worst = worst.max(error);
        assert!(
            error <= 0.02,
            "frame {index} ({motion:?}): landmarks are {:.2}% of the inter-ocular distance off",
            error * 100.0
        );
    }
    println!(
        "known motion: worst frame {:.2}% of the inter-ocular distance",
        worst * 100.0
    );
}

#[test]
fn two_faces_side_by_side_get_two_ids() {
    let settings = TrackerSettings {
        max_faces: 2,
        ..TrackerSettings::still_images()
    };
    let Some((mut tracker, photo)) = tracker(settings) else {
        return;
    };
    // A tight crop of the portrait and its mirror image, side by side, so that each face
    // keeps a size the short-range detector is made for.
    let (left, top, width, height) = (135, 25, 180, 200);
    let mut data = Vec::with_capacity((width * 2 * height * 3) as usize);
    for y in top..top + height {
        let row = &photo.view().row(y)[left as usize * 3..(left + width) as usize * 3];
        data.extend_from_slice(row);
        for x in (0..width as usize).rev() {
            data.extend_from_slice(&row[x * 3..x * 3 + 3]);
        }
    }
    let pair = Frame::from_packed(data, width * 2, height, PixelFormat::Rgb8).unwrap();
    let found = tracker.process(pair.view(), 0.0).unwrap().clone();
    assert_eq!(found.faces.len(), 2, "expected both faces");
    assert_ne!(found.faces[0].id, found.faces[1].id);
    let centres: Vec<f32> = found
        .faces
        .iter()
        .map(|face| face.bounds().center().x)
        .collect();
    assert!(centres.iter().any(|&x| x < width as f32) && centres.iter().any(|&x| x > width as f32));
    // Tracked on the next frame, both keep their ids.
    let again = tracker.process(pair.view(), 1.0 / 30.0).unwrap();
    let ids = |faces: &[TrackedFace]| faces.iter().map(|face| face.id).collect::<Vec<_>>();
    assert_eq!(ids(&again.faces), ids(&found.faces));
}

#[test]
fn a_frame_without_a_face_yields_no_faces() {
    let Some((mut tracker, _)) = tracker(TrackerSettings::default()) else {
        return;
    };
    let blank = Frame::filled(1280, 720, [30, 60, 90]).unwrap();
    for index in 0..3 {
        let found = tracker.process(blank.view(), index as f64 / 30.0).unwrap();
        assert!(found.faces.is_empty());
        assert!(
            found.detector_ran,
            "with no face tracked the detector runs every frame"
        );
    }
}

/// An EXIF block whose only entry is orientation 6: "turn a quarter clockwise to show",
/// what a phone held upright writes.
const EXIF_ORIENTATION_6: [u8; 26] = [
    b'I', b'I', 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, // TIFF header, IFD at 8
    0x01, 0x00, // one entry
    0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, // orientation
    0x00, 0x00, 0x00, 0x00, // no next IFD
];

#[test]
fn a_phone_photo_stored_sideways_is_tracked_upright() {
    use image::ImageEncoder;
    let Some((mut tracker, photo)) = tracker(TrackerSettings::still_images()) else {
        return;
    };
    let upright = image::RgbImage::from_raw(photo.width(), photo.height(), photo.data().to_vec())
        .expect("the photo is packed RGB");
    // Stored as the sensor held it: a quarter turn anticlockwise of what is shown.
    let stored = image::imageops::rotate270(&upright);
    let path = std::env::temp_dir().join(format!("lensmith-{}-phone.jpg", std::process::id()));
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
    encoder
        .set_exif_metadata(EXIF_ORIENTATION_6.to_vec())
        .unwrap();
    encoder
        .write_image(
            stored.as_raw(),
            stored.width(),
            stored.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    std::fs::write(&path, bytes).unwrap();
    let source = lensmith_runtime::video::open_source(&path).and_then(|mut source| {
        source
            .next_frame()
            .map(|frame| frame.expect("a still has one frame"))
    });
    std::fs::remove_file(&path).unwrap();
    let shown = source.unwrap().frame;
    assert_eq!(
        (shown.width(), shown.height()),
        (photo.width(), photo.height())
    );

    let expected = single_face(&tracker.process(photo.view(), 0.0).unwrap().faces).clone();
    let found = single_face(&tracker.process(shown.view(), 0.0).unwrap().faces).clone();
    let error =
        mean_distance(&found.landmarks, &expected.landmarks) / interocular(&expected.landmarks);
    println!(
        "sideways JPEG against the upright photo: {:.2}% of the inter-ocular distance",
        error * 100.0
    );
    assert!(
        error < 0.02,
        "landmarks moved by {:.2}% of the inter-ocular distance",
        error * 100.0
    );
}
