//! The stable, rotation-aligned face crop that student models run on: a similarity
//! transform from the face mesh (rotation from the eye line, scale from the face's size,
//! centre between eyes and mouth), smoothed over time so the crop does not jitter, and
//! its inverse for mapping results back into the frame.
//!
//! The alignment is the one the FFHQ face dataset was cropped with (Karras et al., 2019),
//! which the image-to-image teachers behind student models are trained on. With the default
//! settings the crop is four eye-distances wide for a frontal face, from the top of the
//! hair to below the chin.

mod transform;

pub use transform::{AffineMatrix, CropTransform};

use effect_api::Point2;

use crate::smoothing::{OneEuro, SmoothingSettings};
use crate::tracking::TrackedFace;

/// Mesh points that locate the features the crop is aligned to (MediaPipe's indices;
/// "right" is the subject's right, on the left of an unmirrored image).
const RIGHT_EYE_CORNERS: [usize; 2] = [33, 133];
const LEFT_EYE_CORNERS: [usize; 2] = [263, 362];
const MOUTH_CORNERS: [usize; 2] = [61, 291];

/// What may be tuned in the face crop, live.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropSettings {
    /// Side of the square crop in pixels (the student model's input size).
    pub side: u32,
    /// How much of the surroundings the crop takes in: 1.0 is the FFHQ framing; 0.8 cuts
    /// closer to the face, 1.2 shows more hair and neck.
    pub zoom_out: f32,
    /// Temporal smoothing of the crop's centre, size and angle; `None` for still images.
    /// The default is the landmarks' own, which holds the crop still even when the
    /// landmarks come unsmoothed. The lag it adds to a fast-moving face does not misplace
    /// an effect: the same transform that cut the crop maps the result back.
    pub smoothing: Option<SmoothingSettings>,
}

impl Default for CropSettings {
    fn default() -> Self {
        Self {
            side: 256,
            zoom_out: 1.0,
            smoothing: Some(SmoothingSettings::default()),
        }
    }
}

/// Why a crop could not be made from a set of landmarks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CropError {
    /// The mesh lacks the eye or mouth points the alignment needs.
    #[error("the face mesh has {found} points; the face crop needs MediaPipe's 468-point mesh")]
    TooFewLandmarks {
        /// How many points there were.
        found: usize,
    },
    /// The eyes and mouth coincide or are not finite, so no orientation can be derived.
    #[error("the eye and mouth landmarks are degenerate (coincident or not finite)")]
    Degenerate,
    /// The settings ask for an empty crop or a non-positive zoom.
    #[error("crop side {side} and zoom-out {zoom_out} must both be positive")]
    InvalidSettings {
        /// The crop side asked for.
        side: u32,
        /// The zoom-out asked for.
        zoom_out: f32,
    },
}

fn midpoint(points: &[[f32; 3]], indices: [usize; 2]) -> Point2 {
    let [a, b] = indices.map(|index| points[index]);
    Point2::new((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0)
}

/// The crop for one set of landmarks (frame pixels, MediaPipe order), without smoothing.
///
/// Following FFHQ's alignment, the crop's horizontal axis is the eye line blended with the
/// perpendicular of the eye-to-mouth line, which keeps the angle steady when one eye's
/// points are noisy or the head turns; the size is the larger of twice the eye distance
/// and 1.8 times the eye-to-mouth distance, so a turned head (eyes closer together) keeps
/// its size.
pub fn align(landmarks: &[[f32; 3]], settings: &CropSettings) -> Result<CropTransform, CropError> {
    if settings.side == 0 || !(settings.zoom_out > 0.0 && settings.zoom_out.is_finite()) {
        return Err(CropError::InvalidSettings {
            side: settings.side,
            zoom_out: settings.zoom_out,
        });
    }
    if landmarks.len() < crate::landmarks::LANDMARK_COUNT {
        return Err(CropError::TooFewLandmarks {
            found: landmarks.len(),
        });
    }
    let right_eye = midpoint(landmarks, RIGHT_EYE_CORNERS);
    let left_eye = midpoint(landmarks, LEFT_EYE_CORNERS);
    let mouth = midpoint(landmarks, MOUTH_CORNERS);
    let eye_center = Point2::new(
        (right_eye.x + left_eye.x) / 2.0,
        (right_eye.y + left_eye.y) / 2.0,
    );
    let eye_to_eye = (left_eye.x - right_eye.x, left_eye.y - right_eye.y);
    let eye_to_mouth = (mouth.x - eye_center.x, mouth.y - eye_center.y);
    // The eye line minus the eye-to-mouth line turned by 90° (both point to the subject's
    // left in an upright face).
    let axis = (eye_to_eye.0 + eye_to_mouth.1, eye_to_eye.1 - eye_to_mouth.0);
    let half_side =
        (eye_to_eye.0.hypot(eye_to_eye.1) * 2.0).max(eye_to_mouth.0.hypot(eye_to_mouth.1) * 1.8);
    let rotation = axis.1.atan2(axis.0);
    if !(half_side > 0.0 && half_side.is_finite() && rotation.is_finite()) {
        return Err(CropError::Degenerate);
    }
    Ok(CropTransform {
        center: Point2::new(
            eye_center.x + eye_to_mouth.0 * 0.1,
            eye_center.y + eye_to_mouth.1 * 0.1,
        ),
        scale: 2.0 * half_side * settings.zoom_out / settings.side as f32,
        rotation,
        side: settings.side,
    })
}

/// One face's crop in one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceCrop {
    /// The tracked face's id.
    pub face_id: u32,
    /// Where the crop lies in the frame.
    pub transform: CropTransform,
}

/// The smoothing state of one face's crop: centre, log of the size and angle.
#[derive(Debug, Clone, Copy)]
struct CropFilter {
    face_id: u32,
    center_x: OneEuro,
    center_y: OneEuro,
    log_scale: OneEuro,
    rotation: OneEuro,
    last_time_s: f64,
}

impl CropFilter {
    fn start(face_id: u32, transform: &CropTransform, time_s: f64) -> Self {
        Self {
            face_id,
            center_x: OneEuro::at(transform.center.x),
            center_y: OneEuro::at(transform.center.y),
            log_scale: OneEuro::at(transform.scale.ln()),
            rotation: OneEuro::at(transform.rotation),
            last_time_s: time_s,
        }
    }

    fn update(
        &mut self,
        raw: &CropTransform,
        time_s: f64,
        settings: &SmoothingSettings,
    ) -> CropTransform {
        let elapsed = (time_s - self.last_time_s) as f32;
        if elapsed <= 0.0 {
            *self = Self::start(self.face_id, raw, time_s);
            return *raw;
        }
        self.last_time_s = time_s;
        // Speeds are measured in face sizes per second for the centre, and in relative
        // size or radians per second for the others: about the same visual motion.
        let face_size = raw.scale * raw.side as f32;
        // Keep the angle within half a turn of the filtered one, so that crossing ±180°
        // does not spin the crop the long way round.
        let previous = self.rotation.value();
        let turn = std::f32::consts::TAU;
        let rotation = raw.rotation - ((raw.rotation - previous) / turn).round() * turn;
        CropTransform {
            center: Point2::new(
                self.center_x
                    .update(raw.center.x, elapsed, face_size, settings),
                self.center_y
                    .update(raw.center.y, elapsed, face_size, settings),
            ),
            scale: self
                .log_scale
                .update(raw.scale.ln(), elapsed, 1.0, settings)
                .exp(),
            rotation: self.rotation.update(rotation, elapsed, 1.0, settings),
            side: raw.side,
        }
    }
}

/// Makes every tracked face's crop, frame after frame, smoothed per face id.
#[derive(Debug, Default)]
pub struct FaceCropper {
    settings: CropSettings,
    filters: Vec<CropFilter>,
    crops: Vec<FaceCrop>,
}

impl FaceCropper {
    /// A cropper with `settings`.
    pub fn new(settings: CropSettings) -> Self {
        Self {
            settings,
            filters: Vec::new(),
            crops: Vec::new(),
        }
    }

    /// The current settings.
    pub fn settings(&self) -> &CropSettings {
        &self.settings
    }

    /// Changes the settings from the next frame on; a new crop side restarts smoothing.
    pub fn set_settings(&mut self, settings: CropSettings) {
        if settings.side != self.settings.side {
            self.filters.clear();
        }
        self.settings = settings;
    }

    /// Forgets every face's smoothing state (for a cut in the video, or unrelated stills).
    pub fn reset(&mut self) {
        self.filters.clear();
        self.crops.clear();
    }

    /// The crops for this frame's faces, taken at `time_s` seconds, in the order of
    /// `faces`. A face whose crop cannot be made is left out. Faces seen for the first
    /// time start unsmoothed; faces no longer present are forgotten.
    pub fn update(&mut self, faces: &[TrackedFace], time_s: f64) -> Result<&[FaceCrop], CropError> {
        self.crops.clear();
        for face in faces {
            let raw = match align(&face.landmarks, &self.settings) {
                Ok(raw) => raw,
                Err(error @ CropError::InvalidSettings { .. }) => return Err(error),
                Err(_) => continue,
            };
            let transform = match (
                self.settings.smoothing,
                self.filters
                    .iter_mut()
                    .find(|filter| filter.face_id == face.id),
            ) {
                (Some(smoothing), Some(filter)) => filter.update(&raw, time_s, &smoothing),
                (_, Some(filter)) => {
                    *filter = CropFilter::start(face.id, &raw, time_s);
                    raw
                }
                (_, None) => {
                    self.filters.push(CropFilter::start(face.id, &raw, time_s));
                    raw
                }
            };
            self.crops.push(FaceCrop {
                face_id: face.id,
                transform,
            });
        }
        let crops = &self.crops;
        self.filters
            .retain(|filter| crops.iter().any(|crop| crop.face_id == filter.face_id));
        Ok(&self.crops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::{FaceRoi, LANDMARK_COUNT};

    /// A mesh with only the alignment points set: eyes `eye_distance` apart, mouth
    /// `mouth_drop` below their midpoint, the whole face turned by `angle` about `center`.
    fn face(center: Point2, eye_distance: f32, mouth_drop: f32, angle: f32) -> Vec<[f32; 3]> {
        let (sin, cos) = angle.sin_cos();
        let place = |u: f32, v: f32| {
            [
                center.x + u * cos - v * sin,
                center.y + u * sin + v * cos,
                0.0,
            ]
        };
        let mut points = vec![place(0.0, 0.0); LANDMARK_COUNT];
        let half = eye_distance / 2.0;
        for (index, u) in [
            (33, -half - 10.0),
            (133, -half + 10.0),
            (362, half - 10.0),
            (263, half + 10.0),
        ] {
            points[index] = place(u, 0.0);
        }
        points[61] = place(-20.0, mouth_drop);
        points[291] = place(20.0, mouth_drop);
        points
    }

    fn tracked(id: u32, landmarks: Vec<[f32; 3]>) -> TrackedFace {
        TrackedFace {
            id,
            score: 1.0,
            landmarks,
            roi: FaceRoi {
                center: Point2::default(),
                size: 1.0,
                rotation: 0.0,
            },
        }
    }

    #[test]
    fn an_upright_face_gets_an_upright_crop_four_eye_distances_wide() {
        let settings = CropSettings::default();
        let crop = align(&face(Point2::new(200.0, 150.0), 60.0, 60.0, 0.0), &settings).unwrap();
        assert!(crop.rotation.abs() < 1e-6);
        assert!(
            (crop.scale * 256.0 - 240.0).abs() < 1e-3,
            "side {}",
            crop.scale * 256.0
        );
        assert!(crop.center.distance(Point2::new(200.0, 156.0)) < 1e-3);
    }

    #[test]
    fn a_turned_face_turns_the_crop_and_keeps_the_eyes_in_place() {
        let settings = CropSettings::default();
        let center = Point2::new(320.0, 240.0);
        let upright = align(&face(center, 60.0, 70.0, 0.0), &settings).unwrap();
        let angle = -2.5f32; // past −90°: the face is nearly upside down
        let mesh = face(center, 60.0, 70.0, angle);
        let turned = align(&mesh, &settings).unwrap();
        assert!((turned.rotation - angle).abs() < 1e-5);
        for index in [33, 263, 61] {
            let [x, y, _] = face(center, 60.0, 70.0, 0.0)[index];
            let in_upright = upright.frame_to_crop(Point2::new(x, y));
            let in_turned = turned.frame_to_crop(Point2::new(mesh[index][0], mesh[index][1]));
            assert!(in_upright.distance(in_turned) < 1e-2, "point {index}");
        }
    }

    #[test]
    fn a_long_face_is_sized_by_its_eye_to_mouth_distance() {
        let crop = align(
            &face(Point2::new(0.0, 0.0), 30.0, 100.0, 0.0),
            &CropSettings::default(),
        );
        assert!((crop.unwrap().scale * 256.0 - 360.0).abs() < 1e-3);
    }

    #[test]
    fn bad_meshes_and_settings_are_errors() {
        let settings = CropSettings::default();
        assert_eq!(
            align(&[[0.0; 3]; 10], &settings),
            Err(CropError::TooFewLandmarks { found: 10 })
        );
        let flat = vec![[5.0, 5.0, 0.0]; LANDMARK_COUNT];
        assert_eq!(align(&flat, &settings), Err(CropError::Degenerate));
        let empty = CropSettings {
            side: 0,
            ..settings
        };
        let mesh = face(Point2::new(0.0, 0.0), 60.0, 70.0, 0.0);
        assert!(matches!(
            align(&mesh, &empty),
            Err(CropError::InvalidSettings { .. })
        ));
    }

    #[test]
    fn smoothing_holds_a_noisy_crop_still_and_crosses_half_a_turn_the_short_way() {
        let mut cropper = FaceCropper::new(CropSettings::default());
        let center = Point2::new(300.0, 300.0);
        let mut centers = Vec::new();
        for frame in 0..60 {
            let wobble = if frame % 2 == 0 { 1.0 } else { -1.0 };
            let mesh = face(Point2::new(center.x + wobble, center.y), 60.0, 70.0, 0.0);
            let crops = cropper
                .update(&[tracked(7, mesh)], frame as f64 / 30.0)
                .unwrap();
            assert_eq!(crops[0].face_id, 7);
            centers.push(crops[0].transform.center.x);
        }
        let spread = centers[30..]
            .iter()
            .fold(0.0f32, |worst, x| worst.max((x - center.x).abs()));
        assert!(
            spread < 0.2,
            "±1 px of noise left {spread} px of crop motion"
        );

        // A face upside down, its angle flipping between just under +π and just over −π.
        let mut cropper = FaceCropper::new(CropSettings::default());
        for frame in 0..10 {
            let angle = if frame % 2 == 0 { 3.13 } else { -3.13 };
            let mesh = face(center, 60.0, 70.0, angle);
            let crop = cropper
                .update(&[tracked(1, mesh)], frame as f64 / 30.0)
                .unwrap()[0];
            let off = (crop.transform.rotation.sin_cos().1 + 1.0).abs();
            assert!(
                off < 1e-3,
                "frame {frame}: the crop turned to {}",
                crop.transform.rotation
            );
        }
    }

    #[test]
    fn faces_that_leave_are_forgotten_and_start_fresh_when_they_return() {
        let mut cropper = FaceCropper::new(CropSettings::default());
        let here = face(Point2::new(100.0, 100.0), 60.0, 70.0, 0.0);
        let there = face(Point2::new(400.0, 100.0), 60.0, 70.0, 0.0);
        cropper.update(&[tracked(0, here)], 0.0).unwrap();
        cropper.update(&[], 1.0 / 30.0).unwrap();
        let crop = cropper
            .update(&[tracked(0, there.clone())], 2.0 / 30.0)
            .unwrap()[0];
        let raw = align(&there, &CropSettings::default()).unwrap();
        assert_eq!(crop.transform, raw);
    }
}
