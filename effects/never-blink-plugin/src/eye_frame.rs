//! The normalised frame of one eye: a similarity transform (rotation, uniform scale,
//! translation) fixed by the eye's two corners, so a patch stored in it can be put back
//! wherever the eye has moved, turned in the image plane or grown.
//!
//! Only the corners define it: the lid landmarks collapse onto each other when the eye
//! shuts, so a transform fitted to them would squash the pasted eye with the lid.

use effect_api::Expression;
use effect_api::face_regions::{LEFT_EYE, RIGHT_EYE};

/// An eye narrower than this many pixels is too small to capture or paste usefully.
pub const MIN_EYE_PX: f32 = 6.0;

/// Which eye, the subject's own (as in MediaPipe and [`Expression`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eye {
    /// The subject's right eye, on the image's left.
    Right,
    /// The subject's left eye, on the image's right.
    Left,
}

impl Eye {
    /// Both eyes, in the order the plugin keeps them.
    pub const BOTH: [Eye; 2] = [Eye::Right, Eye::Left];

    /// Its two corners: first the one on the image's left of an upright face, then the
    /// one on its right (right eye: outer 33, inner 133; left eye: inner 362, outer 263).
    /// Fixed by landmark, not by position, so an upside-down face keeps its frame.
    pub const fn corners(self) -> [usize; 2] {
        match self {
            Eye::Right => [33, 133],
            Eye::Left => [362, 263],
        }
    }

    /// The eye opening's contour along the lid margins.
    pub const fn contour(self) -> &'static [u32; 16] {
        match self {
            Eye::Right => &RIGHT_EYE,
            Eye::Left => &LEFT_EYE,
        }
    }

    /// The expression that scores this eye's closure.
    pub const fn blink(self) -> Expression {
        match self {
            Eye::Right => Expression::BlinkRight,
            Eye::Left => Expression::BlinkLeft,
        }
    }

    /// Its place in per-eye arrays.
    pub const fn index(self) -> usize {
        match self {
            Eye::Right => 0,
            Eye::Left => 1,
        }
    }
}

/// The similarity transform of one eye in one frame: normalised `(u, v)` maps to image
/// `origin + u·axis + v·perp(axis)`, where `axis` runs from the first corner to the second
/// and `perp` turns it a quarter turn towards the image's bottom. So the corners sit at
/// `(-0.5, 0)` and `(0.5, 0)`, and one unit is the corner distance in both directions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EyeFrame {
    origin: [f32; 2],
    axis: [f32; 2],
}

impl EyeFrame {
    /// The frame through two corners (image pixels, in [`Eye::corners`] order); `None`
    /// when they are not finite or less than [`MIN_EYE_PX`] apart.
    pub fn from_corners(first: [f32; 2], second: [f32; 2]) -> Option<Self> {
        let axis = [second[0] - first[0], second[1] - first[1]];
        let width = axis[0].hypot(axis[1]);
        (width.is_finite() && width >= MIN_EYE_PX).then_some(Self {
            origin: [(first[0] + second[0]) / 2.0, (first[1] + second[1]) / 2.0],
            axis,
        })
    }

    /// The frame of `eye` from a face's 468 landmarks; `None` when a corner is missing or
    /// the eye is too small.
    pub fn of_eye(eye: Eye, landmarks: &[[f32; 3]]) -> Option<Self> {
        let [first, second] = eye.corners().map(|index| landmarks.get(index));
        let (first, second) = (first?, second?);
        Self::from_corners([first[0], first[1]], [second[0], second[1]])
    }

    /// The corner distance in pixels: how many pixels one normalised unit spans.
    pub fn width_px(&self) -> f32 {
        self.axis[0].hypot(self.axis[1])
    }

    /// The image point of normalised `(u, v)`.
    pub fn to_image(&self, [u, v]: [f32; 2]) -> [f32; 2] {
        let [ax, ay] = self.axis;
        [
            self.origin[0] + u * ax - v * ay,
            self.origin[1] + u * ay + v * ax,
        ]
    }

    /// The normalised `(u, v)` of an image point.
    pub fn to_normalized(&self, [x, y]: [f32; 2]) -> [f32; 2] {
        let [ax, ay] = self.axis;
        // Invariant: `from_corners` refused axes shorter than MIN_EYE_PX, so this is > 0.
        let length2 = ax * ax + ay * ay;
        let (dx, dy) = (x - self.origin[0], y - self.origin[1]);
        [(dx * ax + dy * ay) / length2, (dy * ax - dx * ay) / length2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f32; 2], b: [f32; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-4 && (a[1] - b[1]).abs() < 1e-4
    }

    #[test]
    fn the_corners_land_on_fixed_normalised_points() {
        let frame = EyeFrame::from_corners([100.0, 50.0], [124.0, 50.0]).unwrap();
        assert_eq!(frame.width_px(), 24.0);
        assert!(close(frame.to_normalized([100.0, 50.0]), [-0.5, 0.0]));
        assert!(close(frame.to_normalized([124.0, 50.0]), [0.5, 0.0]));
        // Upright, v points down the image.
        assert!(close(frame.to_image([0.0, 0.25]), [112.0, 56.0]));
    }

    #[test]
    fn rotation_scale_and_translation_are_undone() {
        // The same eye turned 90° clockwise on screen, twice as large, moved elsewhere.
        let upright = EyeFrame::from_corners([0.0, 0.0], [10.0, 0.0]).unwrap();
        let turned = EyeFrame::from_corners([300.0, 100.0], [300.0, 120.0]).unwrap();
        let point = [3.0, -2.0];
        let normalised = upright.to_normalized(point);
        let moved = turned.to_image(normalised);
        // Relative to the first eye's centre (5, 0) the point is (-2, -2); a quarter turn
        // clockwise on screen (y down) sends (x, y) to (-y, x): (2, -2); ×2: (4, -4); then
        // it is placed at the second eye's centre (300, 110).
        assert!(close(moved, [304.0, 106.0]), "{moved:?}");
        for probe in [[0.3f32, -0.2], [-0.8, 0.5], [0.0, 0.0]] {
            assert!(close(turned.to_normalized(turned.to_image(probe)), probe));
        }
    }

    #[test]
    fn degenerate_corners_are_refused() {
        assert!(EyeFrame::from_corners([5.0, 5.0], [7.0, 5.0]).is_none());
        assert!(EyeFrame::from_corners([f32::NAN, 5.0], [70.0, 5.0]).is_none());
        assert!(EyeFrame::of_eye(Eye::Left, &[[0.0; 3]; 10]).is_none());
    }
}
