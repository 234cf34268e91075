//! How closed a face's eyes are, from the mesh's lids and, where the eye model refined
//! the eyes, the refined lids, each against the face's neutral eyes.

use super::metrics::FaceMetrics;
use super::ramp;

/// How closed the eyes are, 0..=1: each eye, and both together.
///
/// Each eye's closure is its lids' openness as a fraction of neutral, ramped: the mesh's
/// lids, and where the eye model refined the eyes, the mean of the mesh's score and the
/// refined lids' score. The mesh never closes an eye fully but is not fooled by a downward
/// glance; the refined lids close fully but drop when the eyes look down, and one eye's
/// can stay open behind a glasses rim or a hand. A blink closes both eyes, so `both` reads
/// the two eyes' mean fraction, where one eye's noise counts half, and is capped at twice
/// the more open eye's closure, so a wink is no blink.
pub(super) struct EyeClosure {
    /// The subject's right eye.
    pub right: f32,
    /// The subject's left eye.
    pub left: f32,
    /// Both together: a blink.
    pub both: f32,
}

impl EyeClosure {
    /// Reads `now`'s eyes against the `neutral` face's.
    pub fn measure(now: &FaceMetrics, neutral: &FaceMetrics) -> Self {
        use super::response::{EYE_OPEN_FRACTION, REFINED_EYE_OPEN_FRACTION};
        // Falling openness raises the score: ramp on the negated fraction.
        let closure = |fraction: f32, (open, closed): (f32, f32)| ramp(-fraction, (-open, -closed));
        let fractions =
            |now: [f32; 2], neutral: [f32; 2]| [0, 1].map(|eye| now[eye] / neutral[eye].max(1e-3));
        let mesh = fractions(now.eye_openness, neutral.eye_openness);
        let refined = now
            .refined_eyes
            .zip(neutral.refined_eyes)
            .map(|(now, neutral)| fractions(now.openness, neutral.openness));
        let score = |mesh: f32, refined: Option<f32>| {
            let mesh = closure(mesh, EYE_OPEN_FRACTION);
            match refined {
                Some(refined) => (mesh + closure(refined, REFINED_EYE_OPEN_FRACTION)) / 2.0,
                None => mesh,
            }
        };
        let [right, left] = [0, 1].map(|eye| score(mesh[eye], refined.map(|r| r[eye])));
        let mean = |[a, b]: [f32; 2]| (a + b) / 2.0;
        let both = score(mean(mesh), refined.map(mean)).min(2.0 * right.min(left));
        Self { right, left, both }
    }
}
