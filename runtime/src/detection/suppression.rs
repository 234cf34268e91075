//! Weighted non-maximum suppression, MediaPipe's `WEIGHTED` algorithm: each strongest
//! remaining box absorbs the boxes that overlap it, and takes their score-weighted
//! average position while keeping its own score. It steadies boxes from frame to frame
//! better than plain suppression.

use super::decode::Candidate;

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let overlap_width = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let overlap_height = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let overlap = overlap_width * overlap_height;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - overlap;
    if union <= 0.0 { 0.0 } else { overlap / union }
}

/// Merges overlapping candidates; the result is strongest first.
pub fn weighted_suppression(mut candidates: Vec<Candidate>, min_iou: f32) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut merged = Vec::new();
    while let Some(strongest) = candidates.first().cloned() {
        let (cluster, rest): (Vec<_>, Vec<_>) = candidates
            .into_iter()
            .partition(|candidate| iou(&strongest.bounds, &candidate.bounds) > min_iou);
        candidates = rest;
        let total: f32 = cluster.iter().map(|candidate| candidate.score).sum();
        if cluster.is_empty() || total <= 0.0 {
            // A degenerate (zero-area) strongest box overlaps nothing, not even itself.
            candidates.remove(0);
            merged.push(strongest);
            continue;
        }
        let mut average = Candidate {
            score: strongest.score,
            bounds: [0.0; 4],
            keypoints: [[0.0; 2]; 6],
        };
        for candidate in &cluster {
            let weight = candidate.score / total;
            for (sum, value) in average.bounds.iter_mut().zip(candidate.bounds) {
                *sum += value * weight;
            }
            for (sum, point) in average.keypoints.iter_mut().zip(candidate.keypoints) {
                sum[0] += point[0] * weight;
                sum[1] += point[1] * weight;
            }
        }
        merged.push(average);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(score: f32, left: f32) -> Candidate {
        Candidate {
            score,
            bounds: [left, 0.0, left + 1.0, 1.0],
            keypoints: [[left, 0.0]; 6],
        }
    }

    #[test]
    fn overlapping_boxes_merge_by_score_and_distant_ones_stay() {
        let merged = weighted_suppression(
            vec![
                candidate(0.6, 0.1),
                candidate(0.9, 0.0),
                candidate(0.8, 5.0),
            ],
            0.3,
        );
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].score, 0.9);
        // Weighted left edge: (0.9·0 + 0.6·0.1) / 1.5 = 0.04.
        assert!((merged[0].bounds[0] - 0.04).abs() < 1e-6);
        assert!((merged[0].keypoints[3][0] - 0.04).abs() < 1e-6);
        assert_eq!(merged[1].bounds[0], 5.0);
    }

    #[test]
    fn degenerate_boxes_do_not_loop_forever() {
        let flat = Candidate {
            score: 0.9,
            bounds: [0.0, 0.0, 0.0, 0.0],
            keypoints: [[0.0; 2]; 6],
        };
        let merged = weighted_suppression(vec![flat.clone(), flat], 0.3);
        assert_eq!(merged.len(), 2);
    }
}
