//! Expression scores respond to the feature they name and to nothing else: a real neutral
//! face's mesh is warped step by step (an eyelid closed, the mouth corners raised, the jaw
//! dropped, the lips drawn in, the brows lifted), and the matching score must rise
//! monotonically to near 1
//! while every other score stays within 0.1 of where it started.

use effect_api::{Expression, ExpressionScores, Point2};
use lensmith_runtime::expressions::{ExpressionAnalyzer, ExpressionSettings};
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::pose::{CanonicalFace, PoseEstimator};
use lensmith_runtime::tracking::{FaceTracker, TrackedFace, TrackerSettings};

/// Upper-lid points and the lower-lid points below them (subject's right eye).
const RIGHT_LIDS: [(usize, usize); 7] = [
    (246, 7),
    (161, 163),
    (160, 144),
    (159, 145),
    (158, 153),
    (157, 154),
    (173, 155),
];
/// The same for the subject's left eye.
const LEFT_LIDS: [(usize, usize); 7] = [
    (466, 249),
    (388, 390),
    (387, 373),
    (386, 374),
    (385, 380),
    (384, 381),
    (398, 382),
];
/// Mouth corners, outer and inner.
const MOUTH_CORNERS: [usize; 4] = [61, 291, 78, 308];
/// The lower lip, inner and outer edge.
const LOWER_LIP: [usize; 18] = [
    14, 87, 178, 88, 95, 317, 402, 318, 324, 17, 84, 181, 91, 146, 314, 405, 321, 375,
];
/// Both eyebrows.
const BROWS: [usize; 20] = [
    70, 63, 105, 66, 107, 46, 53, 52, 65, 55, 300, 293, 334, 296, 336, 276, 283, 282, 295, 285,
];

struct NeutralFace {
    face: TrackedFace,
    poses: PoseEstimator,
    /// Unit vector from the chin towards the forehead, in the image.
    up: Point2,
    /// Distance between the outer eye corners, in pixels.
    interocular: f32,
}

impl NeutralFace {
    fn load() -> Option<Self> {
        let test = "expression_geometry";
        let cache = lensmith_testkit::cache_or_skip(test)?;
        let photo = lensmith_testkit::cached_file_or_skip(
            test,
            &cache,
            "data/expressions/franck_01829.jpg",
        )?;
        let frame = read_rgb_frame(&photo).unwrap();
        let mut tracker =
            FaceTracker::load(&cache, Default::default(), TrackerSettings::still_images()).unwrap();
        let face = tracker.process(frame.view(), 0.0).unwrap().faces[0].clone();
        let canonical = CanonicalFace::load(&cache.face_geometry().unwrap()).unwrap();
        let [right, left] = [33, 263].map(|index| face.point(index).unwrap());
        let across = Point2::new(left.x - right.x, left.y - right.y);
        let interocular = right.distance(left);
        Some(Self {
            up: Point2::new(across.y / interocular, -across.x / interocular),
            interocular,
            poses: PoseEstimator::new(&canonical),
            face,
        })
    }

    /// Scores of the mesh after `warp`, as a fresh still (no history, typical neutral).
    fn scores(&mut self, warp: impl Fn(&mut [[f32; 3]], &Self)) -> ExpressionScores {
        let mut face = self.face.clone();
        warp(&mut face.landmarks, self);
        let pose = self.poses.estimate(&face.landmarks);
        let mut analyzer = ExpressionAnalyzer::new(ExpressionSettings::still_images());
        analyzer.update(&[face], &[pose], &[], 0.0)[0].scores
    }

    /// Moves `points` along the face's up direction by `amount` inter-ocular distances.
    fn lift(&self, landmarks: &mut [[f32; 3]], points: &[usize], amount: f32) {
        for &index in points {
            landmarks[index][0] += self.up.x * amount * self.interocular;
            landmarks[index][1] += self.up.y * amount * self.interocular;
        }
    }
}

/// Draws the mouth corners towards the mouth's centre by `fraction` of the way.
fn pucker(landmarks: &mut [[f32; 3]], fraction: f32) {
    let center: [f32; 2] =
        std::array::from_fn(|axis| (landmarks[61][axis] + landmarks[291][axis]) / 2.0);
    for index in MOUTH_CORNERS {
        for axis in 0..2 {
            landmarks[index][axis] += fraction * (center[axis] - landmarks[index][axis]);
        }
    }
}

fn close_lids(landmarks: &mut [[f32; 3]], lids: &[(usize, usize)], fraction: f32) {
    for &(upper, lower) in lids {
        let below = landmarks[lower];
        for (value, target) in landmarks[upper].iter_mut().zip(below).take(2) {
            *value += fraction * (target - *value);
        }
    }
}

/// Warps the face in ten steps; `target` must rise monotonically to at least 0.8 while the
/// scores not in `allowed` stay within 0.1 of their start.
fn check(
    face: &mut NeutralFace,
    target: Expression,
    allowed: &[Expression],
    warp: impl Fn(&mut [[f32; 3]], &NeutralFace, f32),
) {
    let start = face.scores(|landmarks, face| warp(landmarks, face, 0.0));
    let mut previous = start.get(target);
    let mut trace = vec![previous];
    for step in 1..=10 {
        let amount = step as f32 / 10.0;
        let scores = face.scores(|landmarks, face| warp(landmarks, face, amount));
        let score = scores.get(target);
        trace.push(score);
        assert!(
            score >= previous - 0.02,
            "{target}: fell from {previous:.3} to {score:.3} at step {step} ({trace:?})"
        );
        previous = score;
        for (other, value) in scores.iter() {
            if other == target || allowed.contains(&other) {
                continue;
            }
            let drift = (value - start.get(other)).abs();
            assert!(
                drift <= 0.1,
                "{target} step {step}: {other} moved by {drift:.3} ({:.3} -> {value:.3})",
                start.get(other)
            );
        }
    }
    println!(
        "{target}: {}",
        trace
            .iter()
            .map(|score| format!("{score:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert!(
        previous >= 0.8,
        "{target} reached only {previous:.3} ({trace:?})"
    );
}

#[test]
fn each_warp_moves_its_own_score_and_no_other() {
    let Some(mut face) = NeutralFace::load() else {
        return;
    };
    let neutral = face.scores(|_, _| {});
    for (expression, score) in neutral.iter() {
        assert!(
            score < 0.5,
            "the neutral face already shows {expression} ({score:.2})"
        );
    }
    check(
        &mut face,
        Expression::BlinkRight,
        &[],
        |landmarks, _, amount| close_lids(landmarks, &RIGHT_LIDS, amount),
    );
    check(
        &mut face,
        Expression::BlinkLeft,
        &[],
        |landmarks, _, amount| close_lids(landmarks, &LEFT_LIDS, amount),
    );
    check(
        &mut face,
        Expression::Blink,
        &[Expression::BlinkLeft, Expression::BlinkRight],
        |landmarks, _, amount| {
            close_lids(landmarks, &RIGHT_LIDS, amount);
            close_lids(landmarks, &LEFT_LIDS, amount);
        },
    );
    check(
        &mut face,
        Expression::Smile,
        &[],
        |landmarks, face, amount| face.lift(landmarks, &MOUTH_CORNERS, 0.12 * amount),
    );
    check(
        &mut face,
        Expression::MouthOpen,
        &[],
        |landmarks, face, amount| face.lift(landmarks, &LOWER_LIP, -0.12 * amount),
    );
    check(&mut face, Expression::Kiss, &[], |landmarks, _, amount| {
        pucker(landmarks, 0.3 * amount)
    });
    check(
        &mut face,
        Expression::BrowsRaised,
        &[],
        |landmarks, face, amount| face.lift(landmarks, &BROWS, 0.05 * amount),
    );
}

#[test]
fn scores_ignore_the_face_size_position_and_in_plane_rotation() {
    let test = "scores_ignore_the_face_size_position_and_in_plane_rotation";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let Some(photo) =
        lensmith_testkit::cached_file_or_skip(test, &cache, "data/expressions/franck_01829.jpg")
    else {
        return;
    };
    let photo = read_rgb_frame(&photo).unwrap();
    let canonical = CanonicalFace::load(&cache.face_geometry().unwrap()).unwrap();
    let mut poses = PoseEstimator::new(&canonical);
    let mut tracker =
        FaceTracker::load(&cache, Default::default(), TrackerSettings::still_images()).unwrap();
    let mut scores_of = |frame: &effect_api::Frame| {
        tracker.reset();
        let face = tracker.process(frame.view(), 0.0).unwrap().faces[0].clone();
        let pose = poses.estimate(&face.landmarks);
        let mut analyzer = ExpressionAnalyzer::new(ExpressionSettings::still_images());
        analyzer.update(&[face], &[pose], &[], 0.0)[0].scores
    };
    let centre = Point2::new(photo.width() as f32 / 2.0, photo.height() as f32 / 2.0);
    // The reference is resampled too (moved by a few pixels), so that every image
    // compared went through the same bilinear filtering.
    let reference = lensmith_testkit::Motion {
        angle: 0.0,
        scale: 1.0,
        shift: Point2::new(5.5, 3.5),
        centre,
    };
    let upright = scores_of(&reference.render(&photo));
    for (angle, scale, shift) in [
        (25.0f32, 0.7f32, 40.0f32),
        (-25.0, 1.2, -30.0),
        (10.0, 0.85, 0.0),
    ] {
        let motion = lensmith_testkit::Motion {
            angle: angle.to_radians(),
            scale,
            shift: Point2::new(shift, shift / 2.0),
            centre,
        };
        let moved = scores_of(&motion.render(&photo));
        let drifts: Vec<String> = moved
            .iter()
            .map(|(expression, value)| {
                format!("{expression} {:+.2}", value - upright.get(expression))
            })
            .collect();
        println!("turned {angle}°, scaled {scale}: {}", drifts.join(", "));
        for (expression, value) in moved.iter() {
            let drift = (value - upright.get(expression)).abs();
            // The mesh places the brows of one still face within about ±0.04 cm from one
            // resampling to the next, a fifth of the brow score's range; on video the
            // smoothing evens that out. Every other feature holds to 0.1.
            let limit = if matches!(
                expression,
                Expression::BrowsRaised | Expression::BrowsLowered
            ) {
                0.2
            } else {
                0.1
            };
            assert!(
                drift <= limit,
                "turned {angle}°, scaled {scale}: {expression} moved by {drift:.3}"
            );
        }
    }
}
