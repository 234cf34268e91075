//! Measurements of a face's features, taken in the canonical face's frame: the landmarks
//! are brought back through the head pose (rotation, scale, translation) onto MediaPipe's
//! canonical face, so every measurement is in the canonical face's centimetres, whatever
//! the face's size, position and rotation in the image, and largely whatever its yaw and
//! pitch.

use crate::pose::HeadPose;

/// Subject's right eye (on the left of an unmirrored image): outer and inner corner, then
/// three upper-lid points and the three lower-lid points below them.
const RIGHT_EYE: EyePoints = EyePoints {
    corners: [33, 133],
    upper: [160, 159, 158],
    lower: [144, 145, 153],
};
/// Subject's left eye.
const LEFT_EYE: EyePoints = EyePoints {
    corners: [263, 362],
    upper: [387, 386, 385],
    lower: [373, 374, 380],
};
/// Mouth corners (subject's right, left).
const MOUTH_CORNERS: [usize; 2] = [61, 291];
/// Inner lip midpoints (upper, lower): the mouth's opening.
const INNER_LIPS: [usize; 2] = [13, 14];
/// Outer lip midpoints (upper, lower): the lips' height.
const OUTER_LIPS: [usize; 2] = [0, 17];
/// The top of the nose bridge, between the eyes, and the point below it.
const NOSE_BRIDGE: [usize; 2] = [168, 6];
/// Each eyebrow, upper and lower edge, outer to inner (subject's right, then left).
const BROWS: [[usize; 10]; 2] = [
    [70, 63, 105, 66, 107, 46, 53, 52, 65, 55],
    [300, 293, 334, 296, 336, 276, 283, 282, 295, 285],
];

struct EyePoints {
    corners: [usize; 2],
    upper: [usize; 3],
    lower: [usize; 3],
}

/// Every landmark the measurements read, to frontalize only those.
pub const MEASURED_LANDMARKS: [usize; 44] = [
    33, 133, 160, 159, 158, 144, 145, 153, // right eye
    263, 362, 387, 386, 385, 373, 374, 380, // left eye
    61, 291, 13, 14, 0, 17, // mouth
    70, 63, 105, 66, 107, 46, 53, 52, 65, 55, // right brow
    300, 293, 334, 296, 336, 276, 283, 282, 295, 285, // left brow
    168, 6, // nose bridge
];

/// One face's measurements in one frame, in canonical centimetres (y up).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct FaceMetrics {
    /// Lid gap over eye width, per eye: [subject's right, subject's left].
    pub eye_openness: [f32; 2],
    /// Corner-to-corner width of the mouth.
    pub mouth_width: f32,
    /// Gap between the inner lips.
    pub mouth_gap: f32,
    /// Height of the mouth corners above the inner lips' midpoint (negative: below).
    pub corner_lift: f32,
    /// Outer lip height over mouth width: rounder lips (a pucker) raise it.
    pub lip_roundness: f32,
    /// Height of the eyebrows above the nose bridge, both sides and edges averaged.
    pub brow_height: f32,
    /// The eyes as the eye model refined them, when it ran on both.
    pub refined_eyes: Option<EyeMetrics>,
}

/// Both eyes as the eye model measured them, each in its own crop (ratios of the eye's
/// width, so free of the face's size and roll).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct EyeMetrics {
    /// The irises' mean offset from the eyes' middles over eye width: along the corner
    /// line (positive towards the image's right) and across it (positive down the face).
    pub gaze: [f32; 2],
    /// The refined lids' gap over eye width, per eye: [subject's right, subject's left]
    /// (the order of [`FaceMetrics::eye_openness`]).
    pub openness: [f32; 2],
}

impl EyeMetrics {
    /// From both refined eyes, image-left eye (the subject's right) first; `None` unless
    /// both were refined.
    pub fn from_refined(eyes: &[Option<crate::eyes::RefinedEye>; 2]) -> Option<Self> {
        let [Some(right), Some(left)] = eyes else {
            return None;
        };
        let (right, left) = (right.measures, left.measures);
        Some(Self {
            gaze: [
                (right.gaze_x + left.gaze_x) / 2.0,
                (right.gaze_y + left.gaze_y) / 2.0,
            ],
            openness: [right.openness, left.openness],
        })
    }
}

/// Landmarks in the canonical frame, looked up by mesh index.
pub trait CanonicalPoints {
    /// The canonical-frame position of landmark `index` (one of [`MEASURED_LANDMARKS`]).
    fn point(&self, index: usize) -> [f32; 3];
}

impl CanonicalPoints for [[f32; 3]] {
    fn point(&self, index: usize) -> [f32; 3] {
        self[index]
    }
}

fn distance_2d(a: [f32; 3], b: [f32; 3]) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn eye_openness(points: &(impl CanonicalPoints + ?Sized), eye: &EyePoints) -> f32 {
    let width = distance_2d(points.point(eye.corners[0]), points.point(eye.corners[1]));
    let gap: f32 = eye
        .upper
        .iter()
        .zip(&eye.lower)
        .map(|(&upper, &lower)| points.point(upper)[1] - points.point(lower)[1])
        .sum::<f32>()
        / 3.0;
    if width > 0.0 { gap / width } else { 0.0 }
}

impl FaceMetrics {
    /// Measures a face whose landmarks are already in the canonical frame.
    pub fn measure(points: &(impl CanonicalPoints + ?Sized)) -> Self {
        let [right_corner, left_corner] = MOUTH_CORNERS.map(|index| points.point(index));
        let [inner_upper, inner_lower] = INNER_LIPS.map(|index| points.point(index));
        let [outer_upper, outer_lower] = OUTER_LIPS.map(|index| points.point(index));
        let mouth_width = distance_2d(right_corner, left_corner);
        let lips_middle = (inner_upper[1] + inner_lower[1]) / 2.0;
        // The nose bridge between the eyes: rigid, unlike the eye corners, which the mesh
        // pulls down with the lids when the eyes close.
        let eye_line = NOSE_BRIDGE
            .iter()
            .map(|&index| points.point(index)[1])
            .sum::<f32>()
            / NOSE_BRIDGE.len() as f32;
        let brow_line = BROWS
            .iter()
            .flatten()
            .map(|&index| points.point(index)[1])
            .sum::<f32>()
            / 20.0;
        Self {
            eye_openness: [
                eye_openness(points, &RIGHT_EYE),
                eye_openness(points, &LEFT_EYE),
            ],
            mouth_width,
            mouth_gap: (inner_upper[1] - inner_lower[1]).max(0.0),
            corner_lift: (right_corner[1] + left_corner[1]) / 2.0 - lips_middle,
            lip_roundness: if mouth_width > 0.0 {
                distance_2d(outer_upper, outer_lower) / mouth_width
            } else {
                0.0
            },
            brow_height: brow_line - eye_line,
            refined_eyes: None,
        }
    }
}

/// The measured landmarks of one face, brought into the canonical frame by its pose.
#[derive(Debug, Clone)]
pub struct Frontalized {
    points: [[f32; 3]; MEASURED_LANDMARKS.len()],
}

impl Frontalized {
    /// Undoes `pose` on `landmarks` (frame pixels, y down, z away from the viewer, as the
    /// mesh gives them). `None` when a measured landmark is missing or the pose has no scale.
    pub fn new(landmarks: &[[f32; 3]], pose: &HeadPose) -> Option<Self> {
        if pose.scale.is_nan() || pose.scale <= 0.0 {
            return None;
        }
        let rotation = pose.rotation;
        // The pose's translation is in frame pixels (y down, z away); the fit was made in
        // the camera frame (y up, z towards the viewer).
        let [tx, ty, tz] = pose.translation;
        let offset = [tx, -ty, -tz];
        let mut points = [[0.0; 3]; MEASURED_LANDMARKS.len()];
        for (slot, &index) in points.iter_mut().zip(&MEASURED_LANDMARKS) {
            let [x, y, z] = *landmarks.get(index)?;
            let camera = [x - offset[0], -y - offset[1], -z - offset[2]];
            // canonical = Rᵀ · (camera − t) / scale
            *slot = std::array::from_fn(|axis| {
                (0..3)
                    .map(|row| rotation[row][axis] * camera[row])
                    .sum::<f32>()
                    / pose.scale
            });
        }
        Some(Self { points })
    }
}

impl CanonicalPoints for Frontalized {
    fn point(&self, index: usize) -> [f32; 3] {
        let slot = MEASURED_LANDMARKS
            .iter()
            .position(|&measured| measured == index)
            .expect("metrics read only the landmarks in MEASURED_LANDMARKS");
        self.points[slot]
    }
}
