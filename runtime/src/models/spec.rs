//! What each model must look like: file name, input and output names and shapes.
//! A model that differs is refused on load instead of producing garbage per frame.

use std::fmt;

/// The models the face pipeline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// MediaPipe's BlazeFace short-range detector: 128×128 RGB in, 896 anchors out.
    FaceDetector,
    /// MediaPipe's BlazeFace full-range detector, for small faces: 192×192 RGB in, 2304
    /// anchors out.
    FaceDetectorFullRange,
    /// MediaPipe's face mesh: 192×192 RGB face crop in, 468 3-D landmarks and a face score out.
    FaceLandmarks,
    /// The eye landmark model, with the interface of MediaPipe's iris landmark model: one
    /// 64×64 RGB eye crop in, 71 eye-contour and brow points and 5 iris points out. The
    /// cache's is Lensmith's, distilled from MediaPipe's (`eye_landmarks.onnx`, 4.4 M
    /// multiply-adds an eye against 54 M); MediaPipe's own (`iris_landmark.onnx`, also in
    /// the cache) can be named in [`AssetPaths::iris_landmarks`](super::AssetPaths).
    IrisLandmarks,
}

/// One float32 tensor of a model's interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TensorSpec {
    /// Tensor name in the ONNX graph.
    pub name: &'static str,
    /// Exact shape.
    pub shape: &'static [i64],
}

impl TensorSpec {
    /// Number of values in the tensor.
    pub fn len(&self) -> usize {
        self.shape.iter().map(|&dim| dim as usize).product()
    }

    /// Whether the tensor holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for TensorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` f32 {:?}", self.name, self.shape)
    }
}

/// A model's file and interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// File name inside the cache's `models/` folder.
    pub file_name: &'static str,
    /// Inputs, in graph order.
    pub inputs: &'static [TensorSpec],
    /// Outputs, in graph order.
    pub outputs: &'static [TensorSpec],
}

/// Input of the detector: one 128×128 RGB image, NHWC, values in -1..1.
pub const DETECTOR_INPUT: TensorSpec = TensorSpec {
    name: "input",
    shape: &[1, 128, 128, 3],
};
/// Box and keypoint offsets per anchor: x, y, w, h then six (x, y) keypoints.
pub const DETECTOR_REGRESSORS: TensorSpec = TensorSpec {
    name: "regressors",
    shape: &[1, 896, 16],
};
/// Face logit per anchor.
pub const DETECTOR_SCORES: TensorSpec = TensorSpec {
    name: "classificators",
    shape: &[1, 896, 1],
};

/// Input of the full-range detector: one 192×192 RGB image, NHWC, values in -1..1.
pub const FULL_RANGE_DETECTOR_INPUT: TensorSpec = TensorSpec {
    name: "input_1",
    shape: &[1, 192, 192, 3],
};
/// Box and keypoint offsets per anchor, as [`DETECTOR_REGRESSORS`].
pub const FULL_RANGE_DETECTOR_REGRESSORS: TensorSpec = TensorSpec {
    name: "Identity",
    shape: &[1, 2304, 16],
};
/// Face logit per anchor.
pub const FULL_RANGE_DETECTOR_SCORES: TensorSpec = TensorSpec {
    name: "Identity_1",
    shape: &[1, 2304, 1],
};

/// Input of the mesh: one 192×192 RGB face crop, NHWC, values in 0..1.
pub const LANDMARKS_INPUT: TensorSpec = TensorSpec {
    name: "input_1",
    shape: &[1, 192, 192, 3],
};
/// 468 landmarks as x, y, z in crop pixels (z at the same scale as x).
pub const LANDMARKS_POINTS: TensorSpec = TensorSpec {
    name: "conv2d_21",
    shape: &[1, 1, 1, 1404],
};
/// Face presence logit.
pub const LANDMARKS_FACE_FLAG: TensorSpec = TensorSpec {
    name: "conv2d_31",
    shape: &[1, 1, 1, 1],
};

/// Input of the eye landmark model: one 64×64 RGB eye crop, NHWC, values in 0..1.
pub const IRIS_INPUT: TensorSpec = TensorSpec {
    name: "input_1",
    shape: &[1, 64, 64, 3],
};
/// 71 eyelid, eye-contour and brow points as x, y, z in crop pixels.
pub const IRIS_CONTOUR: TensorSpec = TensorSpec {
    name: "output_eyes_contours_and_brows",
    shape: &[1, 213],
};
/// 5 iris points (its centre, then four on its edge) as x, y, z in crop pixels.
pub const IRIS_POINTS: TensorSpec = TensorSpec {
    name: "output_iris",
    shape: &[1, 15],
};

impl ModelKind {
    /// The model's file and interface.
    pub fn spec(self) -> &'static ModelSpec {
        const DETECTOR: ModelSpec = ModelSpec {
            file_name: "face_detection_short_range.onnx",
            inputs: &[DETECTOR_INPUT],
            outputs: &[DETECTOR_REGRESSORS, DETECTOR_SCORES],
        };
        const FULL_RANGE_DETECTOR: ModelSpec = ModelSpec {
            file_name: "face_detection_full_range.onnx",
            inputs: &[FULL_RANGE_DETECTOR_INPUT],
            outputs: &[FULL_RANGE_DETECTOR_REGRESSORS, FULL_RANGE_DETECTOR_SCORES],
        };
        const LANDMARKS: ModelSpec = ModelSpec {
            file_name: "face_landmark.onnx",
            inputs: &[LANDMARKS_INPUT],
            outputs: &[LANDMARKS_POINTS, LANDMARKS_FACE_FLAG],
        };
        const IRIS: ModelSpec = ModelSpec {
            file_name: "eye_landmarks.onnx",
            inputs: &[IRIS_INPUT],
            outputs: &[IRIS_CONTOUR, IRIS_POINTS],
        };
        match self {
            ModelKind::FaceDetector => &DETECTOR,
            ModelKind::FaceDetectorFullRange => &FULL_RANGE_DETECTOR,
            ModelKind::FaceLandmarks => &LANDMARKS,
            ModelKind::IrisLandmarks => &IRIS,
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelKind::FaceDetector => "face detector",
            ModelKind::FaceDetectorFullRange => "full-range face detector",
            ModelKind::FaceLandmarks => "face landmarks",
            ModelKind::IrisLandmarks => "eye landmarks",
        })
    }
}
