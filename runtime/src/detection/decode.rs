//! Turning the detector's raw tensors into scored boxes with keypoints, as MediaPipe's
//! `TensorsToDetectionsCalculator` does (x/y/w/h order, scaled by the input's side,
//! sigmoid scores clipped at ±100).

use super::anchors::Anchor;

const VALUES_PER_ANCHOR: usize = 16;
const SCORE_CLIPPING: f32 = 100.0;

/// A decoded box in detector-input coordinates normalised to 0..1.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Face score after sigmoid.
    pub score: f32,
    /// Left, top, right, bottom.
    pub bounds: [f32; 4],
    /// The six keypoints as (x, y).
    pub keypoints: [[f32; 2]; 6],
}

/// The face probability for a raw logit.
pub fn score_from_logit(logit: f32) -> f32 {
    let clipped = logit.clamp(-SCORE_CLIPPING, SCORE_CLIPPING);
    1.0 / (1.0 + (-clipped).exp())
}

/// Decodes every anchor whose score reaches `min_score`; offsets are in pixels of the
/// detector's `input_size`-wide input.
pub fn decode(
    regressors: &[f32],
    logits: &[f32],
    anchors: &[Anchor],
    input_size: u32,
    min_score: f32,
) -> Vec<Candidate> {
    let scale = input_size as f32;
    let mut candidates = Vec::new();
    for (index, (anchor, &logit)) in anchors.iter().zip(logits).enumerate() {
        let score = score_from_logit(logit);
        if score < min_score {
            continue;
        }
        let Some(raw) = regressors.get(index * VALUES_PER_ANCHOR..(index + 1) * VALUES_PER_ANCHOR)
        else {
            break;
        };
        let center_x = raw[0] / scale + anchor.x;
        let center_y = raw[1] / scale + anchor.y;
        let half_width = raw[2] / scale / 2.0;
        let half_height = raw[3] / scale / 2.0;
        let mut keypoints = [[0.0; 2]; 6];
        for (keypoint, offset) in keypoints.iter_mut().zip(raw[4..].chunks_exact(2)) {
            *keypoint = [offset[0] / scale + anchor.x, offset[1] / scale + anchor.y];
        }
        candidates.push(Candidate {
            score,
            bounds: [
                center_x - half_width,
                center_y - half_height,
                center_x + half_width,
                center_y + half_height,
            ],
            keypoints,
        });
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_relative_to_the_anchor_in_input_pixels() {
        let anchors = [Anchor { x: 0.25, y: 0.5 }];
        let mut raw = [0.0f32; 16];
        raw[0] = 12.8; // +0.1 in x
        raw[2] = 64.0; // width 0.5
        raw[3] = 32.0; // height 0.25
        raw[4] = -12.8; // first keypoint at x 0.15
        let candidates = decode(&raw, &[10.0], &anchors, 128, 0.5);
        assert_eq!(candidates.len(), 1);
        let [left, top, right, bottom] = candidates[0].bounds;
        assert!((left - 0.1).abs() < 1e-6 && (right - 0.6).abs() < 1e-6);
        assert!((top - 0.375).abs() < 1e-6 && (bottom - 0.625).abs() < 1e-6);
        assert!((candidates[0].keypoints[0][0] - 0.15).abs() < 1e-6);
        assert!((candidates[0].keypoints[1][1] - 0.5).abs() < 1e-6);
    }

    #[test]
    fn weak_anchors_are_dropped_and_scores_are_sigmoids() {
        let anchors = [Anchor { x: 0.5, y: 0.5 }; 2];
        let candidates = decode(&[0.0; 32], &[0.0, -3.0], &anchors, 128, 0.5);
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0].score, 0.5);
        assert_eq!(score_from_logit(1e9), 1.0);
    }
}
