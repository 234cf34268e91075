//! The 468-point face mesh: a rotated square region of interest around the face, warped
//! to the 192×192 model input, and the model's points mapped back to frame pixels.

mod roi;

pub use roi::FaceRoi;

use effect_api::{FrameView, Point2, Rect};

use crate::detection::score_from_logit;
use crate::models::{Model, ModelError, ModelKind};

/// Side of the square mesh input, in pixels.
pub const INPUT_SIZE: u32 = 192;
/// Number of points in the mesh.
pub const LANDMARK_COUNT: usize = 468;

/// The axis-aligned box around points' x and y.
pub fn bounds(points: &[[f32; 3]]) -> Rect {
    let mut low = Point2::new(f32::MAX, f32::MAX);
    let mut high = Point2::new(f32::MIN, f32::MIN);
    for &[x, y, _] in points {
        low = Point2::new(low.x.min(x), low.y.min(y));
        high = Point2::new(high.x.max(x), high.y.max(y));
    }
    Rect::from_corners(low, high)
}

/// One face's mesh in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceMesh {
    /// Probability that the region holds a face (sigmoid of the model's face flag).
    pub presence: f32,
    /// 468 points in MediaPipe's order: x, y in frame pixels, z (depth, smaller is nearer
    /// the camera) in the same pixel scale.
    pub points: Vec<[f32; 3]>,
    /// The region the mesh was computed in.
    pub roi: FaceRoi,
}

impl FaceMesh {
    /// The (x, y) of landmark `index`.
    pub fn point(&self, index: usize) -> Option<Point2> {
        self.points.get(index).map(|&[x, y, _]| Point2::new(x, y))
    }

    /// The axis-aligned box around the points.
    pub fn bounds(&self) -> Rect {
        bounds(&self.points)
    }
}

/// Runs the mesh model on regions of interest, reusing its buffers: once warm, a run
/// allocates nothing on the Rust side.
#[derive(Debug)]
pub struct LandmarkModel {
    model: Model,
    input: Vec<f32>,
    raw_points: Vec<f32>,
    raw_flag: Vec<f32>,
    mesh: FaceMesh,
}

impl LandmarkModel {
    /// Wraps a loaded landmark model.
    pub fn new(model: Model) -> Result<Self, ModelError> {
        model.expect_kind(ModelKind::FaceLandmarks)?;
        let spec = ModelKind::FaceLandmarks.spec();
        Ok(Self {
            model,
            input: vec![0.0; spec.inputs[0].len()],
            raw_points: vec![0.0; spec.outputs[0].len()],
            raw_flag: vec![0.0; spec.outputs[1].len()],
            mesh: FaceMesh {
                presence: 0.0,
                points: Vec::with_capacity(LANDMARK_COUNT),
                roi: FaceRoi {
                    center: Point2::default(),
                    size: 0.0,
                    rotation: 0.0,
                },
            },
        })
    }

    /// Computes the mesh inside `roi` of `frame`. The result lives in the model's own
    /// buffer until the next run; clone it to keep it.
    pub fn run(&mut self, frame: FrameView<'_>, roi: &FaceRoi) -> Result<&FaceMesh, ModelError> {
        roi.fill_tensor(frame, INPUT_SIZE, &mut self.input);
        self.model
            .run(&self.input, &mut [&mut self.raw_points, &mut self.raw_flag])?;
        let size = INPUT_SIZE as f32;
        // The region's rotation, once, instead of once per point.
        let (sin, cos) = roi.rotation.sin_cos();
        let (origin, scale) = (roi.point_in_frame(0.0, 0.0), roi.size / size);
        self.mesh.points.clear();
        self.mesh
            .points
            .extend(self.raw_points.chunks_exact(3).map(|xyz| {
                let (x, y) = (xyz[0] * scale, xyz[1] * scale);
                [
                    origin.x + x * cos - y * sin,
                    origin.y + x * sin + y * cos,
                    xyz[2] * scale,
                ]
            }));
        self.mesh.presence = score_from_logit(self.raw_flag[0]);
        self.mesh.roi = *roi;
        Ok(&self.mesh)
    }
}
