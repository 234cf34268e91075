//! Head pose from the face mesh: MediaPipe's canonical face is aligned to the landmarks
//! with weighted Procrustes (the landmark weights MediaPipe's geometry pipeline uses), and
//! the rotation is read as yaw, pitch and roll. The alignment is orthographic: the mesh's
//! x and y are image pixels and z is at the same scale, which holds well for a face at
//! arm's length; translation is reported in pixels.

mod geometry;
mod procrustes;

pub use geometry::{CANONICAL_VERTEX_COUNT, CanonicalFace, GeometryError};
pub use procrustes::{Matrix3, Similarity, align};

/// Where a head points, in the camera's frame (x to the image's right, y up, z towards the
/// viewer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadPose {
    /// Turn about the vertical axis, in degrees; positive turns the face towards the image's right.
    pub yaw: f32,
    /// Nod about the horizontal axis, in degrees; positive looks down.
    pub pitch: f32,
    /// Tilt in the image plane, in degrees; positive is counter-clockwise as seen in the image.
    pub roll: f32,
    /// Centre of the canonical face's origin in frame pixels (x, y) and depth (z).
    pub translation: [f32; 3],
    /// Pixels per centimetre of the canonical face: how large the head appears.
    pub scale: f32,
    /// The full rotation (canonical face → camera frame).
    pub rotation: Matrix3,
}

/// Estimates head poses, reusing its buffers.
#[derive(Debug, Clone)]
pub struct PoseEstimator {
    canonical: Vec<[f32; 3]>,
    landmarks: Vec<usize>,
    weights: Vec<f32>,
    observed: Vec<[f32; 3]>,
}

impl PoseEstimator {
    /// An estimator for the canonical face's Procrustes landmarks and weights.
    pub fn new(face: &CanonicalFace) -> Self {
        let (landmarks, weights): (Vec<usize>, Vec<f32>) =
            face.procrustes_weights.iter().copied().unzip();
        let canonical = landmarks
            .iter()
            .map(|&index| face.vertices[index])
            .collect();
        Self {
            canonical,
            observed: Vec::with_capacity(landmarks.len()),
            landmarks,
            weights,
        }
    }

    /// The pose of every tracked face, in order, into `poses` (cleared first; `None` where
    /// the fit failed). Reusing `poses` keeps the per-frame path free of allocations.
    pub fn estimate_all(
        &mut self,
        faces: &[crate::tracking::TrackedFace],
        poses: &mut Vec<Option<HeadPose>>,
    ) {
        poses.clear();
        poses.extend(faces.iter().map(|face| self.estimate(&face.landmarks)));
    }

    /// The pose of a face from its 468 landmarks (frame pixels, y down, z away from the
    /// viewer as the mesh model gives it). `None` for fewer landmarks or a degenerate fit.
    pub fn estimate(&mut self, landmarks: &[[f32; 3]]) -> Option<HeadPose> {
        self.observed.clear();
        for &index in &self.landmarks {
            let [x, y, z] = *landmarks.get(index)?;
            // Flip y and z into the camera frame the canonical face is defined in.
            self.observed.push([x, -y, -z]);
        }
        let fit = align(&self.canonical, &self.observed, &self.weights)?;
        let r = fit.rotation;
        // R = Rz(roll) · Ry(yaw) · Rx(pitch).
        let yaw = (-r[2][0]).clamp(-1.0, 1.0).asin();
        let pitch = -r[2][1].atan2(r[2][2]);
        let roll = r[1][0].atan2(r[0][0]);
        let [tx, ty, tz] = fit.translation;
        Some(HeadPose {
            yaw: yaw.to_degrees(),
            pitch: pitch.to_degrees(),
            roll: roll.to_degrees(),
            translation: [tx, -ty, -tz],
            scale: fit.scale,
            rotation: r,
        })
    }
}
