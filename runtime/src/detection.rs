//! Face detection with MediaPipe's BlazeFace short-range model: the frame is letterboxed
//! to 128×128, the model scores 896 SSD anchors, and boxes with six keypoints are decoded,
//! merged by weighted non-maximum suppression and mapped back to frame pixels.

mod anchors;
mod decode;
mod letterbox;
mod suppression;

pub use anchors::{Anchor, short_range_anchors};
pub use decode::score_from_logit;
pub use letterbox::Letterbox;

use effect_api::{FaceDetection, FrameView};

use crate::models::{Model, ModelError, ModelKind};

/// What a designer may tune in detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorSettings {
    /// Minimum face score (after sigmoid) for an anchor to count.
    pub min_score: f32,
    /// Boxes overlapping a stronger one by more than this IoU are merged into it.
    pub suppression_iou: f32,
}

impl Default for DetectorSettings {
    /// MediaPipe's values for the short-range model.
    fn default() -> Self {
        Self {
            min_score: 0.5,
            suppression_iou: 0.3,
        }
    }
}

/// Detects faces in frames, reusing its buffers from frame to frame.
#[derive(Debug)]
pub struct FaceDetector {
    model: Model,
    anchors: Vec<Anchor>,
    settings: DetectorSettings,
    input: Vec<f32>,
    regressors: Vec<f32>,
    logits: Vec<f32>,
}

impl FaceDetector {
    /// Wraps a loaded detector model.
    pub fn new(model: Model, settings: DetectorSettings) -> Result<Self, ModelError> {
        model.expect_kind(ModelKind::FaceDetector)?;
        let spec = ModelKind::FaceDetector.spec();
        Ok(Self {
            model,
            anchors: short_range_anchors(),
            settings,
            input: vec![0.0; spec.inputs[0].len()],
            regressors: vec![0.0; spec.outputs[0].len()],
            logits: vec![0.0; spec.outputs[1].len()],
        })
    }

    /// Changes the settings for the following frames.
    pub fn set_settings(&mut self, settings: DetectorSettings) {
        self.settings = settings;
    }

    /// Finds the faces in `frame`, strongest first, in frame pixels.
    pub fn detect(&mut self, frame: FrameView<'_>) -> Result<Vec<FaceDetection>, ModelError> {
        let letterbox = Letterbox::fit(frame.width(), frame.height(), anchors::INPUT_SIZE);
        letterbox.fill_tensor(frame, &mut self.input);
        self.model
            .run(&self.input, &mut [&mut self.regressors, &mut self.logits])?;
        let candidates = decode::decode(
            &self.regressors,
            &self.logits,
            &self.anchors,
            self.settings.min_score,
        );
        let merged = suppression::weighted_suppression(candidates, self.settings.suppression_iou);
        Ok(merged
            .into_iter()
            .map(|detection| letterbox.detection_in_frame(&detection))
            .collect())
    }

    /// The highest face score (after sigmoid) over all anchors in the last frame, whether
    /// or not it passed `min_score`; 0 before the first frame.
    pub fn last_max_score(&self) -> f32 {
        self.logits
            .iter()
            .copied()
            .map(decode::score_from_logit)
            .fold(0.0, f32::max)
    }
}
