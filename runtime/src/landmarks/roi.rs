//! The rotated square region a face mesh is computed in, made from a detection as
//! MediaPipe's face-landmark graph does: rotation that levels the eyes, a square 1.5
//! times the long side of the face box.

use effect_api::{DetectionKeypoint, FaceDetection, FrameView, Point2};

/// How much larger than the detection box the mesh region is.
const DETECTION_TO_ROI_SCALE: f32 = 1.5;

/// A square region of a frame, rotated about its centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceRoi {
    /// Centre in frame pixels.
    pub center: Point2,
    /// Side length in frame pixels.
    pub size: f32,
    /// Rotation in radians; positive turns the region's x axis towards the frame's +y
    /// (clockwise on screen).
    pub rotation: f32,
}

impl FaceRoi {
    /// The region for a detection: centred on its box, rotated to level the eyes.
    pub fn from_detection(detection: &FaceDetection) -> Self {
        let right_eye = detection.keypoint(DetectionKeypoint::RightEye);
        let left_eye = detection.keypoint(DetectionKeypoint::LeftEye);
        let rotation = (left_eye.y - right_eye.y).atan2(left_eye.x - right_eye.x);
        let bounds = detection.bounds;
        Self {
            center: bounds.center(),
            size: bounds.width.max(bounds.height) * DETECTION_TO_ROI_SCALE,
            rotation,
        }
    }

    /// Maps a point given in the region's own normalised coordinates (0..1 across, 0..1
    /// down) to frame pixels.
    pub fn point_in_frame(&self, u: f32, v: f32) -> Point2 {
        let (sin, cos) = self.rotation.sin_cos();
        let local_x = (u - 0.5) * self.size;
        let local_y = (v - 0.5) * self.size;
        Point2::new(
            self.center.x + local_x * cos - local_y * sin,
            self.center.y + local_x * sin + local_y * cos,
        )
    }

    /// Samples the region into `tensor` (`side`×`side` RGB, NHWC, values 0..1) with
    /// bilinear filtering; outside the frame the edge pixels repeat.
    pub fn fill_tensor(&self, frame: FrameView<'_>, side: u32, tensor: &mut [f32]) {
        let side_len = side as usize;
        debug_assert_eq!(tensor.len(), side_len * side_len * 3);
        let (sin, cos) = self.rotation.sin_cos();
        let step = self.size / side as f32;
        // Frame position of the centre of tensor pixel (0, 0), and the steps along a tensor
        // row and column; one multiply-add per pixel instead of a full transform.
        let origin = self.point_in_frame(0.5 / side as f32, 0.5 / side as f32);
        let (row_dx, row_dy) = (cos * step, sin * step);
        let (column_dx, column_dy) = (-sin * step, cos * step);
        let max_x = frame.width() as f32 - 1.0;
        let max_y = frame.height() as f32 - 1.0;
        for (row, row_values) in tensor.chunks_exact_mut(side_len * 3).enumerate() {
            let start_x = origin.x + column_dx * row as f32;
            let start_y = origin.y + column_dy * row as f32;
            for (column, pixel) in row_values.chunks_exact_mut(3).enumerate() {
                let x = (start_x + row_dx * column as f32).clamp(0.0, max_x);
                let y = (start_y + row_dy * column as f32).clamp(0.0, max_y);
                let rgb = crate::sampling::bilinear(frame, x, y);
                for (value, channel) in pixel.iter_mut().zip(rgb) {
                    *value = channel * (1.0 / 255.0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use effect_api::Rect;

    fn detection_with_eyes(right_eye: Point2, left_eye: Point2) -> FaceDetection {
        let mut keypoints = [Point2::default(); 6];
        keypoints[0] = right_eye;
        keypoints[1] = left_eye;
        FaceDetection {
            score: 1.0,
            bounds: Rect {
                x: 100.0,
                y: 100.0,
                width: 100.0,
                height: 80.0,
            },
            keypoints,
        }
    }

    #[test]
    fn level_eyes_give_an_upright_square_one_and_a_half_times_the_box() {
        let roi = FaceRoi::from_detection(&detection_with_eyes(
            Point2::new(120.0, 130.0),
            Point2::new(180.0, 130.0),
        ));
        assert_eq!(roi.rotation, 0.0);
        assert_eq!(roi.size, 150.0);
        assert_eq!(roi.center, Point2::new(150.0, 140.0));
        assert_eq!(roi.point_in_frame(0.0, 0.0), Point2::new(75.0, 65.0));
    }

    #[test]
    fn tilted_eyes_rotate_the_region_with_the_head() {
        // The subject's left eye is lower on screen: the head leans clockwise.
        let roi = FaceRoi::from_detection(&detection_with_eyes(
            Point2::new(120.0, 120.0),
            Point2::new(170.0, 170.0),
        ));
        assert!((roi.rotation - std::f32::consts::FRAC_PI_4).abs() < 1e-6);
        // The region's right edge midpoint lies down-right of the centre.
        let right_mid = roi.point_in_frame(1.0, 0.5);
        assert!(right_mid.x > roi.center.x && right_mid.y > roi.center.y);
    }
}
