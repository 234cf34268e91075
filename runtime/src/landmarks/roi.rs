//! The rotated square region a face mesh is computed in, made from a detection as
//! MediaPipe's face-landmark graph does: rotation that levels the eyes, a square 1.5
//! times the long side of the face box.

use effect_api::{DetectionKeypoint, FaceDetection, FrameView, Point2, Rect};

use crate::sampling::SampleGrid;

/// How much larger than the detection box, or the mesh's extent, the mesh region is.
const ROI_SCALE: f32 = 1.5;
/// The mesh points whose line levels the region: the outer eye corners.
const RIGHT_EYE_OUTER_CORNER: usize = 33;
const LEFT_EYE_OUTER_CORNER: usize = 263;

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
            size: bounds.width.max(bounds.height) * ROI_SCALE,
            rotation,
        }
    }

    /// The region for the next frame from this frame's mesh (MediaPipe's landmark-to-ROI
    /// step): levelled by the outer eye corners, 1.5 times the mesh's extent. The extent is
    /// measured along the levelled axes rather than the frame's, so that a tilted head
    /// gets as tight a region as an upright one. `None` if the mesh lacks the eye corners.
    pub fn from_landmarks(points: &[[f32; 3]]) -> Option<Self> {
        let right = points.get(RIGHT_EYE_OUTER_CORNER)?;
        let left = points.get(LEFT_EYE_OUTER_CORNER)?;
        let rotation = (left[1] - right[1]).atan2(left[0] - right[0]);
        let (sin, cos) = rotation.sin_cos();
        let (mut min_u, mut max_u, mut min_v, mut max_v) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &[x, y, _] in points {
            let (u, v) = (x * cos + y * sin, -x * sin + y * cos);
            min_u = min_u.min(u);
            max_u = max_u.max(u);
            min_v = min_v.min(v);
            max_v = max_v.max(v);
        }
        let (center_u, center_v) = ((min_u + max_u) / 2.0, (min_v + max_v) / 2.0);
        let size = (max_u - min_u).max(max_v - min_v) * ROI_SCALE;
        if !size.is_finite() || size <= 0.0 {
            return None;
        }
        Some(Self {
            center: Point2::new(
                center_u * cos - center_v * sin,
                center_u * sin + center_v * cos,
            ),
            size,
            rotation,
        })
    }

    /// The axis-aligned rectangle around the rotated square.
    pub fn bounding_rect(&self) -> Rect {
        let corners = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]
            .map(|(u, v)| self.point_in_frame(u, v));
        let (mut low, mut high) = (corners[0], corners[0]);
        for corner in corners {
            low = Point2::new(low.x.min(corner.x), low.y.min(corner.y));
            high = Point2::new(high.x.max(corner.x), high.y.max(corner.y));
        }
        Rect::from_corners(low, high)
    }

    /// The size of the face the region was made around (its side without the margin).
    pub fn face_size(&self) -> f32 {
        self.size / ROI_SCALE
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
        debug_assert_eq!(tensor.len(), side as usize * side as usize * 3);
        let (sin, cos) = self.rotation.sin_cos();
        let step = self.size / side as f32;
        // Region and landmark coordinates measure from pixel corners (MediaPipe's
        // convention: pixel i spans i..i+1), the sampler from pixel centres.
        let first = self.point_in_frame(0.5 / side as f32, 0.5 / side as f32);
        let grid = SampleGrid {
            origin: Point2::new(first.x - 0.5, first.y - 0.5),
            column_step: Point2::new(cos * step, sin * step),
            row_step: Point2::new(-sin * step, cos * step),
            width: side,
            height: side,
        };
        grid.sample(frame, |index, rgb| {
            for (value, channel) in tensor[index * 3..index * 3 + 3].iter_mut().zip(rgb) {
                *value = channel * (1.0 / 255.0);
            }
        });
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
    fn region_from_a_rotated_mesh_is_as_tight_as_from_an_upright_one() {
        // A 100×100 square of points with the eye corners on its top edge, turned by 30°.
        let angle = 30f32.to_radians();
        let (sin, cos) = angle.sin_cos();
        let mut points = vec![[0.0f32; 3]; 468];
        for (index, point) in points.iter_mut().enumerate() {
            let (u, v) = (
                (index % 11) as f32 * 10.0 - 50.0,
                (index / 11 % 11) as f32 * 10.0 - 50.0,
            );
            *point = [200.0 + u * cos - v * sin, 300.0 + u * sin + v * cos, 0.0];
        }
        let eye = |u: f32| {
            [
                200.0 + u * cos + 50.0 * sin,
                300.0 + u * sin - 50.0 * cos,
                0.0,
            ]
        };
        points[RIGHT_EYE_OUTER_CORNER] = eye(-30.0);
        points[LEFT_EYE_OUTER_CORNER] = eye(30.0);
        let roi = FaceRoi::from_landmarks(&points).unwrap();
        assert!((roi.rotation - angle).abs() < 1e-5);
        assert!((roi.size - 150.0).abs() < 1e-3, "size {}", roi.size);
        assert!(roi.center.distance(Point2::new(200.0, 300.0)) < 1e-3);
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
