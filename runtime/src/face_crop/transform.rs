//! The similarity transform between a square face crop and the frame it was cut from:
//! crop pixels to frame pixels and back, as points, as 2×3 matrices, and as a resampled
//! image.

use effect_api::{FrameView, Point2};

use crate::sampling::SampleGrid;

/// Maps an N×N crop onto a rotated square of the frame.
///
/// Crop coordinates are continuous pixel coordinates: (0, 0) is the top-left corner of the
/// crop's first pixel, and the centre of pixel (i, j) is (i + 0.5, j + 0.5). Frame
/// coordinates use the same convention, so a transform with no rotation, unit scale and
/// its centre at (N/2, N/2) is the identity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropTransform {
    /// Frame position of the crop's centre, in pixels.
    pub center: Point2,
    /// Frame pixels per crop pixel (the crop's side in the frame is `scale * side`).
    pub scale: f32,
    /// Rotation in radians; positive turns the crop's x axis towards the frame's +y
    /// (clockwise on screen), as [`crate::landmarks::FaceRoi::rotation`] does.
    pub rotation: f32,
    /// Side of the crop, in crop pixels.
    pub side: u32,
}

/// A 2×3 affine matrix `[[a, b, tx], [c, d, ty]]`: `x' = a·x + b·y + tx`,
/// `y' = c·x + d·y + ty` (the layout OpenCV's `warpAffine` and most shader code expect).
pub type AffineMatrix = [[f32; 3]; 2];

impl CropTransform {
    /// The frame point a crop point lands on.
    pub fn crop_to_frame(&self, crop: Point2) -> Point2 {
        let [[a, b, tx], [c, d, ty]] = self.crop_to_frame_matrix();
        Point2::new(a * crop.x + b * crop.y + tx, c * crop.x + d * crop.y + ty)
    }

    /// The crop point a frame point lands on (the inverse of [`Self::crop_to_frame`]).
    pub fn frame_to_crop(&self, frame: Point2) -> Point2 {
        let [[a, b, tx], [c, d, ty]] = self.frame_to_crop_matrix();
        Point2::new(
            a * frame.x + b * frame.y + tx,
            c * frame.x + d * frame.y + ty,
        )
    }

    /// The matrix taking crop pixels to frame pixels.
    pub fn crop_to_frame_matrix(&self) -> AffineMatrix {
        let (sin, cos) = self.rotation.sin_cos();
        let (a, c) = (cos * self.scale, sin * self.scale);
        let half = self.side as f32 / 2.0;
        // frame = center + R·scale·(crop − half)
        [
            [a, -c, self.center.x - (a - c) * half],
            [c, a, self.center.y - (c + a) * half],
        ]
    }

    /// The matrix taking frame pixels to crop pixels.
    pub fn frame_to_crop_matrix(&self) -> AffineMatrix {
        let (sin, cos) = self.rotation.sin_cos();
        let inverse_scale = 1.0 / self.scale;
        let (a, c) = (cos * inverse_scale, sin * inverse_scale);
        let half = self.side as f32 / 2.0;
        // crop = half + R⁻¹·(frame − center)/scale, with R⁻¹ = [[cos, sin], [−sin, cos]]
        let (x, y) = (self.center.x, self.center.y);
        [[a, c, half - a * x - c * y], [-c, a, half + c * x - a * y]]
    }

    /// Resamples the crop from `frame` into `out`: `side`×`side` packed RGB8, rows top to
    /// bottom, bilinear filtering, the frame's edge pixels repeated outside it. Returns
    /// `false` (and leaves `out` untouched) when `out` is not `side * side * 3` bytes.
    pub fn sample_rgb(&self, frame: FrameView<'_>, out: &mut [u8]) -> bool {
        let side = self.side as usize;
        if out.len() != side * side * 3 || side == 0 {
            return false;
        }
        let [[a, b, tx], [c, d, ty]] = self.crop_to_frame_matrix();
        // Crop pixel (0, 0)'s centre is (0.5, 0.5); the sampler puts pixel centres at
        // whole numbers, so frame positions shift by half a pixel.
        let grid = SampleGrid {
            origin: Point2::new((a + b) * 0.5 + tx - 0.5, (c + d) * 0.5 + ty - 0.5),
            column_step: Point2::new(a, c),
            row_step: Point2::new(b, d),
            width: self.side,
            height: self.side,
        };
        grid.sample(frame, |index, rgb| {
            for (byte, channel) in out[index * 3..index * 3 + 3].iter_mut().zip(rgb) {
                *byte = (channel + 0.5) as u8;
            }
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use effect_api::{Frame, PixelFormat};

    fn turned() -> CropTransform {
        CropTransform {
            center: Point2::new(300.0, 200.0),
            scale: 1.7,
            rotation: 0.6,
            side: 256,
        }
    }

    #[test]
    fn frame_to_crop_inverts_crop_to_frame() {
        let transform = turned();
        for point in [
            Point2::new(0.0, 0.0),
            Point2::new(256.0, 0.0),
            Point2::new(17.5, 200.25),
        ] {
            let back = transform.frame_to_crop(transform.crop_to_frame(point));
            assert!(
                back.distance(point) < 1e-3,
                "{point:?} came back as {back:?}"
            );
        }
    }

    #[test]
    fn the_crop_centre_lands_on_the_centre_and_the_side_scales() {
        let transform = turned();
        let center = transform.crop_to_frame(Point2::new(128.0, 128.0));
        assert!(center.distance(transform.center) < 1e-3);
        let left = transform.crop_to_frame(Point2::new(0.0, 128.0));
        let right = transform.crop_to_frame(Point2::new(256.0, 128.0));
        assert!((left.distance(right) - 256.0 * 1.7).abs() < 1e-2);
        // Positive rotation turns the crop's x axis towards the frame's +y.
        assert!(right.y > left.y);
    }

    #[test]
    fn an_identity_transform_copies_the_frame() {
        let (width, height) = (8u32, 8u32);
        let data: Vec<u8> = (0..width * height * 3)
            .map(|index| (index * 7 % 251) as u8)
            .collect();
        let frame = Frame::from_packed(data.clone(), width, height, PixelFormat::Rgb8).unwrap();
        let identity = CropTransform {
            center: Point2::new(4.0, 4.0),
            scale: 1.0,
            rotation: 0.0,
            side: 8,
        };
        let mut out = vec![0u8; data.len()];
        assert!(identity.sample_rgb(frame.view(), &mut out));
        assert_eq!(out, data);
        assert!(!identity.sample_rgb(frame.view(), &mut out[1..]));
    }
}
