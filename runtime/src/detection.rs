//! Face detection with MediaPipe's BlazeFace models: the frame is letterboxed to the
//! model's square input, the model scores its SSD anchors, and boxes with six keypoints are
//! decoded, merged by weighted non-maximum suppression and mapped back to frame pixels.
//! The short-range model (128×128, 896 anchors) is MediaPipe's for selfies, faces within
//! about 2 m; the full-range one (192×192, 2304 anchors) finds faces down to about 5% of
//! the frame's width, for group photos and selfie sticks, at two to three times the cost.

mod anchors;
mod decode;
mod letterbox;
mod opencv_bilinear;
mod suppression;

pub use anchors::{Anchor, full_range_anchors, short_range_anchors};
pub use decode::score_from_logit;
pub use letterbox::Letterbox;

use effect_api::{FaceDetection, FrameView};

use crate::models::{Model, ModelError, ModelKind};

/// Which of MediaPipe's two detectors runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DetectorRange {
    /// Faces within about 2 m of the camera (selfies): MediaPipe FaceMesh's own detector.
    #[default]
    Short,
    /// Faces down to about 5% of the frame's width (group photos, selfie sticks).
    Full,
}

impl DetectorRange {
    /// The model this range runs.
    pub fn model_kind(self) -> ModelKind {
        match self {
            Self::Short => ModelKind::FaceDetector,
            Self::Full => ModelKind::FaceDetectorFullRange,
        }
    }

    fn input_size(self) -> u32 {
        match self {
            Self::Short => anchors::INPUT_SIZE,
            Self::Full => anchors::FULL_RANGE_INPUT_SIZE,
        }
    }

    fn anchors(self) -> Vec<Anchor> {
        match self {
            Self::Short => short_range_anchors(),
            Self::Full => full_range_anchors(),
        }
    }
}

/// What a designer may tune in detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorSettings {
    /// Which detector runs; read when the detector is made (a change later is ignored).
    pub range: DetectorRange,
    /// Minimum face score (after sigmoid) for an anchor to count.
    pub min_score: f32,
    /// Boxes overlapping a stronger one by more than this IoU are merged into it.
    pub suppression_iou: f32,
}

impl Default for DetectorSettings {
    /// MediaPipe's values for the short-range model.
    fn default() -> Self {
        Self {
            range: DetectorRange::Short,
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
    /// Wraps a loaded detector model: the one `settings.range` names.
    pub fn new(model: Model, settings: DetectorSettings) -> Result<Self, ModelError> {
        let kind = settings.range.model_kind();
        model.expect_kind(kind)?;
        let spec = kind.spec();
        Ok(Self {
            model,
            anchors: settings.range.anchors(),
            settings,
            input: vec![0.0; spec.inputs[0].len()],
            regressors: vec![0.0; spec.outputs[0].len()],
            logits: vec![0.0; spec.outputs[1].len()],
        })
    }

    /// Changes the settings for the following frames; the range stays the loaded model's.
    pub fn set_settings(&mut self, settings: DetectorSettings) {
        self.settings = DetectorSettings {
            range: self.settings.range,
            ..settings
        };
    }

    /// Finds the faces in `frame`, strongest first, in frame pixels.
    pub fn detect(&mut self, frame: FrameView<'_>) -> Result<Vec<FaceDetection>, ModelError> {
        let input_size = self.settings.range.input_size();
        let letterbox = Letterbox::fit(frame.width(), frame.height(), input_size);
        letterbox.fill_tensor(frame, &mut self.input);
        self.model
            .run(&self.input, &mut [&mut self.regressors, &mut self.logits])?;
        let candidates = decode::decode(
            &self.regressors,
            &self.logits,
            &self.anchors,
            input_size,
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
