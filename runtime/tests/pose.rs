//! Head pose from the tracked mesh against MediaPipe's canonical face.

use effect_api::Frame;
use lensmith_runtime::models::ModelOptions;
use lensmith_runtime::pose::{CanonicalFace, HeadPose, PoseEstimator};
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};

fn pose_of(
    tracker: &mut FaceTracker,
    estimator: &mut PoseEstimator,
    frame: &Frame,
) -> (HeadPose, f32) {
    tracker.reset();
    let found = tracker.process(frame.view(), 0.0).unwrap();
    assert_eq!(found.faces.len(), 1);
    let face = &found.faces[0];
    let (right, left) = (face.point(33).unwrap(), face.point(263).unwrap());
    // The eye line's angle as seen in the image, counter-clockwise positive (y is down).
    let eye_line = (-(left.y - right.y)).atan2(left.x - right.x).to_degrees();
    (estimator.estimate(&face.landmarks).unwrap(), eye_line)
}

#[test]
fn pose_of_the_astronaut_and_of_her_mirror_image() {
    let Some(cache) =
        lensmith_testkit::cache_or_skip("pose_of_the_astronaut_and_of_her_mirror_image")
    else {
        return;
    };
    let geometry = CanonicalFace::load(&cache.face_geometry().unwrap()).unwrap();
    assert_eq!(geometry.vertices.len(), 468);
    assert!(
        geometry.triangles.len() > 800,
        "{} triangles",
        geometry.triangles.len()
    );
    let mut estimator = PoseEstimator::new(&geometry);
    let mut tracker = FaceTracker::load(
        &cache,
        ModelOptions::default(),
        TrackerSettings::still_images(),
    )
    .unwrap();
    let photo = lensmith_testkit::astronaut(&cache);

    let (pose, eye_line) = pose_of(&mut tracker, &mut estimator, &photo);
    println!("astronaut: {pose:?}, eye line {eye_line:.1}°");
    // A near-frontal portrait, head tilted slightly clockwise.
    assert!(pose.yaw.abs() < 20.0 && pose.pitch.abs() < 25.0, "{pose:?}");
    assert!(
        (pose.roll - eye_line).abs() < 4.0,
        "roll {} vs eye line {eye_line}",
        pose.roll
    );
    assert!(pose.roll < 0.0);

    // Mirroring the image turns yaw and roll the other way and keeps pitch.
    let (mirror, _) = pose_of(
        &mut tracker,
        &mut estimator,
        &lensmith_testkit::mirrored(&photo),
    );
    println!("mirror: {mirror:?}");
    assert!(
        (mirror.yaw + pose.yaw).abs() < 4.0,
        "yaw {} vs {}",
        mirror.yaw,
        pose.yaw
    );
    assert!(
        (mirror.roll + pose.roll).abs() < 4.0,
        "roll {} vs {}",
        mirror.roll,
        pose.roll
    );
    assert!(
        (mirror.pitch - pose.pitch).abs() < 4.0,
        "pitch {} vs {}",
        mirror.pitch,
        pose.pitch
    );
}

#[test]
fn a_truncated_geometry_file_is_a_clear_error() {
    let Some(cache) = lensmith_testkit::cache_or_skip("a_truncated_geometry_file_is_a_clear_error")
    else {
        return;
    };
    let bytes = std::fs::read(cache.face_geometry().unwrap()).unwrap();
    let path =
        std::env::temp_dir().join(format!("lensmith-geometry-{}.binarypb", std::process::id()));
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    let message = CanonicalFace::load(&path).unwrap_err().to_string();
    std::fs::remove_file(&path).unwrap();
    assert!(
        message.contains(&path.display().to_string()) && message.contains("cargo xtask setup"),
        "{message}"
    );
}
