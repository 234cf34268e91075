//! Eyes refined as MediaPipe's FaceMesh `refine_landmarks` does, by an eye landmark model
//! with the interface of MediaPipe's iris landmark model: by default Lensmith's, distilled
//! from MediaPipe's (`eye_landmarks.onnx`, 4.4 M multiply-adds an eye against 54 M;
//! `distill/scripts/eye_model.py`), else MediaPipe's own. Each eye is cut from the frame as a
//! 64×64 square around its two corners (turned with the line between them, 2.3 times their
//! distance wide), the image-right eye mirrored so that both look like the image-left eye
//! the model was trained on, and the model's 71 eyelid, contour and brow points and 5 iris
//! points are mapped back to frame pixels.
//!
//! Each eye is also measured in its crop, where the line between its corners is level:
//! how open the refined lids are, and where the iris sits between them ([`EyeMeasures`]).

use effect_api::{FrameView, Point2};

use crate::face_crop::CropTransform;
use crate::helper_thread::HelperThread;
use crate::models::{AssetCache, Model, ModelError, ModelKind, ModelOptions};

/// Side of the square eye crop the model takes, in pixels.
pub const EYE_INPUT_SIZE: u32 = 64;
/// Points of one eye's contours and brow.
pub const EYE_CONTOUR_POINTS: usize = 71;
/// Points of one iris: its centre, then four on its edge.
pub const IRIS_POINTS: usize = 5;
/// The eye crop's side over the distance between the eye's corners (MediaPipe's).
const CROP_SCALE: f32 = 2.3;
/// Each eye's corners in the face mesh, left to right in the image: the image-left eye
/// (the person's right), then the image-right eye.
const EYE_CORNERS: [[usize; 2]; 2] = [[33, 133], [362, 263]];
/// The face-mesh points that the model's first 16 points refine, per eye (image-left eye
/// first), as MediaPipe's `refine_landmarks` maps them: 0 and 8 are the corners, 1–7 the
/// lower lid's margin and 9–15 the upper lid's.
pub const EYELID_MESH_POINTS: [[usize; 16]; 2] = [
    [
        33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173,
    ],
    [
        263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398,
    ],
];
/// The lid points measured for openness: upper-lid points over the lower-lid points below
/// them, the middle three of each margin (indices into the model's points).
const LID_PAIRS: [[usize; 2]; 3] = [[11, 3], [12, 4], [13, 5]];
/// The eye's corners among the model's points.
const CORNER_POINTS: [usize; 2] = [0, 8];

/// One eye's openness and gaze, measured in its crop, where the corners lie level.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EyeMeasures {
    /// The gap between the refined lids (the mean of three upper–lower pairs) over the
    /// distance between the corners.
    pub openness: f32,
    /// The iris centre's offset from the corners' midpoint along the corner line, over the
    /// distance between the corners; positive towards the image's right.
    pub gaze_x: f32,
    /// The iris centre's offset across the corner line, over the same distance; positive
    /// down the face.
    pub gaze_y: f32,
}

/// One eye, in frame pixels (z at the same scale, as the mesh's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RefinedEye {
    /// The model's 71 eyelid, eye-contour and brow points.
    pub contour: [[f32; 3]; EYE_CONTOUR_POINTS],
    /// The iris: its centre, then four points on its edge, towards the image's right, top,
    /// left and bottom as the eye lies level.
    pub iris: [[f32; 3]; IRIS_POINTS],
    /// Where the eye was cut from the frame.
    pub crop: CropTransform,
    /// Openness and gaze.
    pub measures: EyeMeasures,
}

impl RefinedEye {
    /// The iris's centre.
    pub fn iris_center(&self) -> Point2 {
        let [x, y, _] = self.iris[0];
        Point2::new(x, y)
    }

    /// The iris's radius: the mean distance of its edge points from its centre.
    pub fn iris_radius(&self) -> f32 {
        let center = self.iris_center();
        let edge = &self.iris[1..];
        edge.iter()
            .map(|&[x, y, _]| (x - center.x).hypot(y - center.y))
            .sum::<f32>()
            / edge.len() as f32
    }
}

/// Runs the eye model on both eyes of a face mesh: one session per eye, each with one
/// ONNX Runtime thread, the two eyes at once where the machine has a second core (the
/// image-right eye on a helper thread), reusing their buffers.
///
/// On two cores the eyes side by side take 0.85 times as long as one after the other with
/// the distilled model (`lensmith bench`'s eye stage: 0.46 ms against 0.53–0.55 ms under
/// `taskset -c 0`) and 0.7 times with MediaPipe's (3.9 ms against 5.6 ms); one run of
/// MediaPipe's model rewritten to take both eyes took 0.95 times as long as two, and a
/// 64×64 model gains nothing from ONNX Runtime's own threads, which cost more to wake than
/// they save.
#[derive(Debug)]
pub struct EyeRefiner {
    /// The image-left eye's session and buffers, then the image-right eye's.
    eyes: [OneEyeRefiner; 2],
    /// Runs the image-right eye while the calling thread runs the other.
    helper: Option<HelperThread>,
}

impl EyeRefiner {
    /// Loads the eye landmark model from `cache`, once per eye.
    pub fn load(cache: &AssetCache) -> Result<Self, ModelError> {
        let options = ModelOptions { intra_threads: 1 };
        let load = || Model::load(cache, ModelKind::IrisLandmarks, options);
        Self::new([load()?, load()?])
    }

    /// Wraps two loaded eye models, one for each eye.
    pub fn new(models: [Model; 2]) -> Result<Self, ModelError> {
        let [left, right] = models;
        Ok(Self {
            eyes: [OneEyeRefiner::new(left)?, OneEyeRefiner::new(right)?],
            helper: HelperThread::for_this_machine("lensmith-eyes"),
        })
    }

    /// Both eyes of the face whose 468 mesh `landmarks` (frame pixels) lie in `frame`,
    /// image-left eye first; `None` for an eye whose corners are missing or coincide.
    pub fn refine(
        &mut self,
        frame: FrameView<'_>,
        landmarks: &[[f32; 3]],
    ) -> Result<[Option<RefinedEye>; 2], ModelError> {
        let [left_crop, right_crop] = EYE_CORNERS.map(|corners| eye_crop(landmarks, corners));
        let [left_eye, right_eye] = &mut self.eyes;
        let mut refine_left = || left_eye.refine(frame, left_crop, MIRRORED[0]);
        let mut right = Ok(None);
        let mut refine_right = || right = right_eye.refine(frame, right_crop, MIRRORED[1]);
        let left = match &mut self.helper {
            Some(helper) if left_crop.is_some() && right_crop.is_some() => {
                helper.join(refine_left, refine_right)
            }
            _ => {
                refine_right();
                refine_left()
            }
        };
        Ok([left?, right?])
    }
}

/// One eye's iris-model session and buffers.
#[derive(Debug)]
struct OneEyeRefiner {
    model: Model,
    crop_rgb: Vec<u8>,
    input: Vec<f32>,
    raw_contour: Vec<f32>,
    raw_iris: Vec<f32>,
}

impl OneEyeRefiner {
    fn new(model: Model) -> Result<Self, ModelError> {
        model.expect_kind(ModelKind::IrisLandmarks)?;
        let spec = ModelKind::IrisLandmarks.spec();
        let side = EYE_INPUT_SIZE as usize;
        Ok(Self {
            model,
            crop_rgb: vec![0; side * side * 3],
            input: vec![0.0; spec.inputs[0].len()],
            raw_contour: vec![0.0; spec.outputs[0].len()],
            raw_iris: vec![0.0; spec.outputs[1].len()],
        })
    }

    /// The eye cut from `frame` by `crop`, mirrored first if asked; `None` without a crop.
    fn refine(
        &mut self,
        frame: FrameView<'_>,
        crop: Option<CropTransform>,
        mirrored: bool,
    ) -> Result<Option<RefinedEye>, ModelError> {
        let Some(crop) = crop else {
            return Ok(None);
        };
        crop.sample_rgb(frame, &mut self.crop_rgb);
        write_input(&self.crop_rgb, mirrored, &mut self.input);
        self.model.run(
            &self.input,
            &mut [&mut self.raw_contour, &mut self.raw_iris],
        )?;
        Ok(Some(decode(
            crop,
            mirrored,
            &self.raw_contour,
            &self.raw_iris,
        )))
    }
}

/// Whether each eye (in `EYE_CORNERS` order) is mirrored left to right before the model,
/// so that both look like the image-left eye it was trained on.
const MIRRORED: [bool; 2] = [false, true];

/// One eye's crop pixels as the model's input values, mirrored left to right if asked.
fn write_input(crop_rgb: &[u8], mirrored: bool, input: &mut [f32]) {
    let side = EYE_INPUT_SIZE as usize;
    for (y, row) in crop_rgb.chunks_exact(side * 3).enumerate() {
        for (x, rgb) in row.chunks_exact(3).enumerate() {
            let column = if mirrored { side - 1 - x } else { x };
            let at = (y * side + column) * 3;
            for (value, &code) in input[at..at + 3].iter_mut().zip(rgb) {
                *value = f32::from(code) / 255.0;
            }
        }
    }
}

/// One eye from the model's outputs for it (crop pixels, mirrored if its input was):
/// points mapped to the frame, and the measures taken in the crop.
fn decode(
    crop: CropTransform,
    mirrored: bool,
    raw_contour: &[f32],
    raw_iris: &[f32],
) -> RefinedEye {
    let side = EYE_INPUT_SIZE as f32;
    let unmirrored = |x: f32| if mirrored { side - x } else { x };
    let to_frame = |xyz: &[f32]| -> [f32; 3] {
        let point = crop.crop_to_frame(Point2::new(unmirrored(xyz[0]), xyz[1]));
        [point.x, point.y, xyz[2] * crop.scale]
    };
    let mut contour = [[0.0; 3]; EYE_CONTOUR_POINTS];
    for (point, xyz) in contour.iter_mut().zip(raw_contour.chunks_exact(3)) {
        *point = to_frame(xyz);
    }
    let mut iris = [[0.0; 3]; IRIS_POINTS];
    for (point, xyz) in iris.iter_mut().zip(raw_iris.chunks_exact(3)) {
        *point = to_frame(xyz);
    }
    if mirrored {
        // The edge points come in the mirrored crop's order (its right, top, left, bottom);
        // put them in the frame's, as for the other eye and as MediaPipe numbers them.
        iris.swap(1, 3);
    }
    // The crop's own pixels, unmirrored: the corner line is level there and the measures
    // need no turning.
    let in_crop = |points: &[f32], index: usize| -> Point2 {
        Point2::new(unmirrored(points[index * 3]), points[index * 3 + 1])
    };
    let measures = measure(|index| in_crop(raw_contour, index), in_crop(raw_iris, 0));
    RefinedEye {
        contour,
        iris,
        crop,
        measures,
    }
}

/// The face's `mesh` points followed by both irises in MediaPipe's refined numbering
/// ([`effect_api::face_regions::LANDMARK_COUNT_WITH_IRISES`]: the image-left eye's iris at
/// 468–472, the other's at 473–477), written into `out`; the mesh alone when an eye is
/// missing.
pub fn landmarks_with_irises(
    mesh: &[[f32; 3]],
    eyes: &[Option<RefinedEye>; 2],
    out: &mut Vec<[f32; 3]>,
) {
    out.clear();
    out.extend_from_slice(mesh);
    if let [Some(image_left), Some(image_right)] = eyes {
        out.extend_from_slice(&image_left.iris);
        out.extend_from_slice(&image_right.iris);
    }
}

/// Openness and gaze from the model's points (`contour(index)`) and iris centre, in crop
/// pixels with the corners level.
fn measure(contour: impl Fn(usize) -> Point2, iris: Point2) -> EyeMeasures {
    let [first, second] = CORNER_POINTS.map(&contour);
    let width = (second.x - first.x).hypot(second.y - first.y);
    if !(width.is_finite() && width > 0.0) {
        return EyeMeasures::default();
    }
    let gap = LID_PAIRS
        .iter()
        .map(|&[upper, lower]| contour(lower).y - contour(upper).y)
        .sum::<f32>()
        / LID_PAIRS.len() as f32;
    let middle = Point2::new((first.x + second.x) / 2.0, (first.y + second.y) / 2.0);
    EyeMeasures {
        openness: gap.max(0.0) / width,
        gaze_x: (iris.x - middle.x) / width,
        gaze_y: (iris.y - middle.y) / width,
    }
}

/// The square around an eye's two corners (mesh indices `corners`, left to right in the
/// image), turned with the line between them.
fn eye_crop(landmarks: &[[f32; 3]], [left, right]: [usize; 2]) -> Option<CropTransform> {
    let [left, right] = [landmarks.get(left)?, landmarks.get(right)?];
    let (dx, dy) = (right[0] - left[0], right[1] - left[1]);
    let width = dx.hypot(dy);
    if !(width.is_finite() && width > 0.0) {
        return None;
    }
    Some(CropTransform {
        center: Point2::new((left[0] + right[0]) / 2.0, (left[1] + right[1]) / 2.0),
        scale: width * CROP_SCALE / EYE_INPUT_SIZE as f32,
        rotation: dy.atan2(dx),
        side: EYE_INPUT_SIZE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crop_follows_the_eye_corners() {
        let mut landmarks = vec![[0.0; 3]; 468];
        landmarks[33] = [100.0, 200.0, 0.0];
        landmarks[133] = [140.0, 230.0, 0.0];
        let crop = eye_crop(&landmarks, EYE_CORNERS[0]).unwrap();
        assert_eq!(crop.center, Point2::new(120.0, 215.0));
        assert!((crop.scale * 64.0 - 50.0 * CROP_SCALE).abs() < 1e-3);
        // The crop's x axis runs from corner to corner.
        let (left, right) = (
            crop.frame_to_crop(Point2::new(100.0, 200.0)),
            crop.frame_to_crop(Point2::new(140.0, 230.0)),
        );
        assert!((left.y - 32.0).abs() < 1e-3 && (right.y - 32.0).abs() < 1e-3);
        assert!(left.x < right.x);

        landmarks[133] = landmarks[33];
        assert!(eye_crop(&landmarks, EYE_CORNERS[0]).is_none());
        assert!(eye_crop(&landmarks[..100], EYE_CORNERS[0]).is_none());
    }
}
