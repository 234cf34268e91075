//! The canonical face mesh in a square image's pixels: its UVs mapped to image positions
//! (u → column, v → row, no flip: see [`crate::art`]), its triangles, and the landmark
//! loops (outline, eyes, brows, lips) the art is placed by.

use anyhow::{Result, bail};
use lensmith_runtime::pose::CanonicalFace;

use super::canvas::{V2, v2};

/// The face outline (MediaPipe's `FACEMESH_FACE_OVAL`), clockwise from the top of the
/// forehead as seen in the image.
pub const FACE_OVAL: [usize; 36] = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];
/// The subject's right eye opening (image left), from its outer corner 33.
pub const RIGHT_EYE: [usize; 16] = [
    33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246,
];
/// The subject's left eye opening (image right), from its outer corner 263.
pub const LEFT_EYE: [usize; 16] = [
    263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466,
];
/// The subject's right brow (image left): the upper edge from the temple inwards, then the
/// lower edge back out.
pub const RIGHT_BROW: [usize; 10] = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46];
/// The subject's left brow (image right), as [`RIGHT_BROW`].
pub const LEFT_BROW: [usize; 10] = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276];
/// The outer edge of the lips, from the right mouth corner 61.
pub const LIPS_OUTER: [usize; 20] = [
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
];
/// The mouth opening (inner edge of the lips), from the right mouth corner 78.
pub const LIPS_INNER: [usize; 20] = [
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191,
];

/// The canonical mesh laid out on a `side` × `side` image.
pub struct FaceLayout {
    /// Image position of each landmark.
    pub points: Vec<V2>,
    /// Triangles as landmark indices.
    pub triangles: Vec<[u32; 3]>,
}

impl FaceLayout {
    /// Lays `face` out on a square image of `side` pixels, after checking that its UVs run
    /// the way this module assumes.
    pub fn new(face: &CanonicalFace, side: u32) -> Result<Self> {
        check_uv_convention(&face.uvs)?;
        let side = side as f32;
        Ok(Self {
            points: face
                .uvs
                .iter()
                .map(|&[u, v]| v2(u * side, v * side))
                .collect(),
            triangles: face.triangles.clone(),
        })
    }

    /// The image position of landmark `index`.
    pub fn at(&self, index: usize) -> V2 {
        self.points[index]
    }

    /// The image positions of a loop of landmarks.
    pub fn outline(&self, indices: &[usize]) -> Vec<V2> {
        indices.iter().map(|&index| self.points[index]).collect()
    }
}

/// Fails unless the UVs run u from the image's left (landmark 33, the subject's right eye,
/// at small u) and v from the top (forehead landmark 10 above chin landmark 152), the
/// layout the runtime's mask renderer samples (v = 0 at the texture's top row).
pub fn check_uv_convention(uvs: &[[f32; 2]]) -> Result<()> {
    if uvs.len() <= 263 {
        bail!("the canonical mesh has {} UVs, expected 468", uvs.len());
    }
    let (forehead, chin) = (uvs[10], uvs[152]);
    let (right_eye, left_eye) = (uvs[33], uvs[263]);
    if forehead[1] >= chin[1] || right_eye[0] >= left_eye[0] {
        bail!(
            "the canonical UVs do not run as expected (u right, v down): forehead 10 at {forehead:?}, \
             chin 152 at {chin:?}, right eye 33 at {right_eye:?}, left eye 263 at {left_eye:?}"
        );
    }
    Ok(())
}
