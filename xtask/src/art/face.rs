//! The canonical face mesh in a square image's pixels: its UVs mapped to image positions
//! (u → column, v → row, no flip: see [`crate::art`]), its triangles, and the landmark
//! loops (outline, eyes, brows, lips) the art is placed by.

use anyhow::{Result, bail};
use lensmith_runtime::pose::CanonicalFace;

use super::canvas::{V2, v2};

pub use lensmith_runtime::face_regions::{
    FACE_OVAL, LEFT_BROW, LEFT_EYE, LIPS_OUTER, MOUTH_OPENING as LIPS_INNER, RIGHT_BROW, RIGHT_EYE,
};

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
    pub fn outline(&self, indices: &[u32]) -> Vec<V2> {
        indices
            .iter()
            .map(|&index| self.points[index as usize])
            .collect()
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
