//! What the face detector reports for one face.

use serde::{Deserialize, Serialize};

use crate::geometry::{Point2, Rect};

/// The six keypoints of the short-range face detector, in the detector's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DetectionKeypoint {
    /// The eye on the right side of the image subject (left side of a mirror-free image).
    RightEye = 0,
    /// The eye on the left side of the subject.
    LeftEye = 1,
    /// The tip of the nose.
    NoseTip = 2,
    /// The centre of the mouth.
    Mouth = 3,
    /// The right ear tragion.
    RightEarTragion = 4,
    /// The left ear tragion.
    LeftEarTragion = 5,
}

impl DetectionKeypoint {
    /// Every keypoint, in the detector's output order.
    pub const ALL: [DetectionKeypoint; 6] = [
        Self::RightEye,
        Self::LeftEye,
        Self::NoseTip,
        Self::Mouth,
        Self::RightEarTragion,
        Self::LeftEarTragion,
    ];
}

/// One detected face, in frame pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceDetection {
    /// Confidence in `0..=1` (the sigmoid of the detector's logit).
    pub score: f32,
    /// The face box.
    pub bounds: Rect,
    /// Keypoints indexed by [`DetectionKeypoint`] as `usize`.
    pub keypoints: [Point2; 6],
}

impl FaceDetection {
    /// The position of one keypoint.
    pub fn keypoint(&self, which: DetectionKeypoint) -> Point2 {
        self.keypoints[which as usize]
    }
}
