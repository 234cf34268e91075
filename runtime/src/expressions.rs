//! Expression scores per face and frame: eye closure, smile, open mouth, raised brows, a
//! pucker, and head gestures, each in 0..=1.
//!
//! Features are measured in the canonical face's frame (see [`metrics`]), so scores do not
//! change with the face's size, position or rotation in the image. Each score compares a
//! measurement with the face's own *neutral* value: people's resting eye openness and
//! mouth width differ, so one threshold only works across faces relative to each face's
//! rest. The neutral values start from typical ones and adapt, while the face looks
//! neutral in that feature, with a time constant of a few seconds. Left and right are the
//! subject's own, as in MediaPipe.

mod gestures;
pub mod metrics;

use effect_api::ExpressionScores;

use crate::pose::HeadPose;
use crate::tracking::TrackedFace;
pub use gestures::{GestureHistory, GestureScores};
pub use metrics::{FaceMetrics, Frontalized};

/// What may be tuned in expression scoring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpressionSettings {
    /// Time constant of the neutral baseline's adaptation, in seconds; `None` keeps the
    /// canonical face's values (for unrelated still images).
    pub adaptation_s: Option<f32>,
}

impl Default for ExpressionSettings {
    fn default() -> Self {
        Self {
            adaptation_s: Some(4.0),
        }
    }
}

impl ExpressionSettings {
    /// Settings for unrelated still images: no adaptation, no history.
    pub fn still_images() -> Self {
        Self { adaptation_s: None }
    }
}

/// How far each measurement must move from neutral to score 0 and to score 1: a score
/// crosses 0.5 halfway. Fitted on the labelled video frames of
/// `runtime/tests/expression_accuracy.rs`; the mesh model never closes an eye fully (a
/// closed eye measures about 65% of the open one), hence the narrow eye range.
mod response {
    /// Eye openness as a fraction of neutral.
    pub const EYE_OPEN_FRACTION: (f32, f32) = (0.90, 0.64);
    /// Inner-lip gap above neutral, in canonical cm.
    pub const MOUTH_GAP_CM: (f32, f32) = (0.08, 0.48);
    /// Mouth widening as a fraction of neutral width.
    pub const SMILE_WIDTH_FRACTION: (f32, f32) = (0.04, 0.14);
    /// Mouth corners raised above neutral (relative to the lips' midline), in cm; counted
    /// only while the mouth is closed, since opening it drops the midline too.
    pub const SMILE_LIFT_CM: (f32, f32) = (0.10, 0.40);
    /// Brow rise above neutral, in cm.
    pub const BROW_RISE_CM: (f32, f32) = (0.04, 0.22);
    /// Mouth narrowing as a fraction of neutral width, for a pucker.
    pub const KISS_NARROWING_FRACTION: (f32, f32) = (0.06, 0.20);
}

fn ramp(value: f32, (start, full): (f32, f32)) -> f32 {
    ((value - start) / (full - start)).clamp(0.0, 1.0)
}

/// One face's neutral measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeutralBaseline {
    /// The neutral values.
    pub metrics: FaceMetrics,
}

impl NeutralBaseline {
    /// Typical neutral measurements of real faces through this mesh model: the medians
    /// over the neutral labelled frames (eyes open, mouth closed, no smile) of the
    /// expression test set. MediaPipe's canonical face itself is not used: the mesh model
    /// draws a resting mouth closed where the canonical one is parted, and eyes wider.
    pub fn typical() -> Self {
        Self {
            metrics: FaceMetrics {
                eye_openness: [0.28, 0.28],
                mouth_width: 5.08,
                mouth_gap: 0.07,
                corner_lift: -0.17,
                lip_roundness: 0.355,
                brow_height: 1.68,
            },
        }
    }

    /// Moves each neutral value towards `now` by `rate` (0..=1), but only for features
    /// that look neutral in `scores`: a long smile must not become the neutral mouth.
    fn adapt(&mut self, now: &FaceMetrics, scores: &ExpressionScores, rate: f32) {
        let step = |neutral: &mut f32, value: f32, active: f32| {
            if active < 0.2 {
                *neutral += (value - *neutral) * rate;
            }
        };
        let neutral = &mut self.metrics;
        step(
            &mut neutral.eye_openness[0],
            now.eye_openness[0],
            scores.blink_right,
        );
        step(
            &mut neutral.eye_openness[1],
            now.eye_openness[1],
            scores.blink_left,
        );
        let mouth_busy = scores.smile.max(scores.mouth_open).max(scores.kiss);
        step(&mut neutral.mouth_width, now.mouth_width, mouth_busy);
        step(&mut neutral.mouth_gap, now.mouth_gap, mouth_busy);
        step(&mut neutral.corner_lift, now.corner_lift, mouth_busy);
        step(&mut neutral.lip_roundness, now.lip_roundness, mouth_busy);
        step(
            &mut neutral.brow_height,
            now.brow_height,
            scores.brows_raised,
        );
    }

    /// Scores the features of `now` against this baseline (gestures left at zero).
    pub fn score(&self, now: &FaceMetrics) -> ExpressionScores {
        use response::*;
        let neutral = &self.metrics;
        let closure = |eye: usize| {
            let fraction = now.eye_openness[eye] / neutral.eye_openness[eye].max(1e-3);
            // Falling openness raises the score: ramp on the negated fraction.
            ramp(-fraction, (-EYE_OPEN_FRACTION.0, -EYE_OPEN_FRACTION.1))
        };
        let (blink_right, blink_left) = (closure(0), closure(1));
        let width_change = now.mouth_width / neutral.mouth_width.max(1e-3) - 1.0;
        let mouth_open = ramp(now.mouth_gap - neutral.mouth_gap, MOUTH_GAP_CM);
        // A wide smile widens the mouth; a closed-lip smile may mostly raise the corners.
        let smile = ramp(width_change, SMILE_WIDTH_FRACTION)
            .max(ramp(now.corner_lift - neutral.corner_lift, SMILE_LIFT_CM) * (1.0 - mouth_open));
        // A pucker narrows the mouth with the lips closed; an open mouth also narrows it.
        let kiss = ramp(-width_change, KISS_NARROWING_FRACTION) * (1.0 - mouth_open);
        ExpressionScores {
            blink_left,
            blink_right,
            blink: blink_left.min(blink_right),
            smile,
            mouth_open,
            brows_raised: ramp(now.brow_height - neutral.brow_height, BROW_RISE_CM),
            kiss,
            ..ExpressionScores::default()
        }
    }
}

/// One face's scores in one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceExpressions {
    /// The tracked face's id.
    pub face_id: u32,
    /// Its scores.
    pub scores: ExpressionScores,
    /// The raw measurements the scores came from.
    pub metrics: FaceMetrics,
}

#[derive(Debug, Clone)]
struct FaceState {
    face_id: u32,
    baseline: NeutralBaseline,
    gestures: GestureHistory,
    last_time_s: Option<f64>,
    seen: bool,
}

/// Scores every tracked face's expressions, frame after frame, with a baseline per face.
#[derive(Debug, Clone)]
pub struct ExpressionAnalyzer {
    settings: ExpressionSettings,
    prior: NeutralBaseline,
    faces: Vec<FaceState>,
    results: Vec<FaceExpressions>,
}

impl ExpressionAnalyzer {
    /// An analyzer whose baselines start from [`NeutralBaseline::typical`].
    pub fn new(settings: ExpressionSettings) -> Self {
        Self {
            settings,
            prior: NeutralBaseline::typical(),
            faces: Vec::new(),
            results: Vec::new(),
        }
    }

    /// Forgets every face's baseline and history (for a cut, or unrelated stills).
    pub fn reset(&mut self) {
        self.faces.clear();
        self.results.clear();
    }

    /// Scores this frame's faces, with each face's pose (`None` where it could not be
    /// estimated: that face is left out). Faces no longer present are forgotten.
    pub fn update(
        &mut self,
        faces: &[TrackedFace],
        poses: &[Option<HeadPose>],
        time_s: f64,
    ) -> &[FaceExpressions] {
        self.results.clear();
        for state in &mut self.faces {
            state.seen = false;
        }
        for (face, pose) in faces.iter().zip(poses) {
            let Some(pose) = pose else { continue };
            let Some(frontal) = Frontalized::new(&face.landmarks, pose) else {
                continue;
            };
            let metrics = FaceMetrics::measure(&frontal);
            let index = match self.faces.iter().position(|state| state.face_id == face.id) {
                Some(index) => index,
                None => {
                    self.faces.push(FaceState {
                        face_id: face.id,
                        baseline: self.prior,
                        gestures: GestureHistory::default(),
                        last_time_s: None,
                        seen: false,
                    });
                    self.faces.len() - 1
                }
            };
            let state = &mut self.faces[index];
            state.seen = true;
            let mut scores = state.baseline.score(&metrics);
            let gestures = state.gestures.update(time_s, pose.yaw, pose.pitch);
            scores.nod = gestures.nod;
            scores.shake = gestures.shake;
            scores.turn_left = gestures.turn_left;
            scores.turn_right = gestures.turn_right;
            if let (Some(time_constant), Some(last)) =
                (self.settings.adaptation_s, state.last_time_s)
            {
                let elapsed = (time_s - last).max(0.0) as f32;
                let rate = 1.0 - (-elapsed / time_constant.max(1e-3)).exp();
                state.baseline.adapt(&metrics, &scores, rate);
            }
            state.last_time_s = Some(time_s);
            self.results.push(FaceExpressions {
                face_id: face.id,
                scores,
                metrics,
            });
        }
        self.faces.retain(|state| state.seen);
        &self.results
    }
}
