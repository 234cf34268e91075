//! Fitting a frame of any aspect ratio into the square detector input without
//! distortion (black bars on the short side), and mapping results back to frame pixels.

use effect_api::{FaceDetection, FrameView, Point2, Rect};

use super::decode::Candidate;
use super::opencv_bilinear;

/// How a frame fits into a square tensor: its longer side spans the tensor, centred, with
/// black bars on the shorter side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    size: u32,
    width: u32,
    height: u32,
}

impl Letterbox {
    /// The fit of a `width`×`height` frame into a `size`×`size` tensor.
    pub fn fit(width: u32, height: u32, size: u32) -> Self {
        Self {
            size,
            width,
            height,
        }
    }

    /// Tensor pixels per frame pixel.
    fn scale(&self) -> f32 {
        self.size as f32 / self.width.max(self.height).max(1) as f32
    }

    /// Tensor pixels of padding on the left and on the top.
    fn padding(&self) -> (f32, f32) {
        let (size, scale) = (self.size as f32, self.scale());
        (
            (size - self.width as f32 * scale) / 2.0,
            (size - self.height as f32 * scale) / 2.0,
        )
    }

    /// Samples `frame` into `tensor` (NHWC RGB, values -1..1, padding black) as MediaPipe's
    /// `ImageToTensorCalculator` does on the CPU. `frame` must have the size this letterbox
    /// was fit to; `tensor` must hold `size × size × 3` values.
    ///
    /// It maps the region's corners to tensor coordinates 0 and `size` with OpenCV's
    /// `warpPerspective`, whose pixel centres are at whole numbers: tensor pixel `i` reads
    /// the frame at `(i − pad) / scale`, not at the centre-aligned
    /// `(i + ½ − pad) / scale − ½`; on a frame shrunk four times the two differ by about
    /// 1.5 frame pixels. Each pixel is read with OpenCV's fixed-point bilinear and a black
    /// border ([`opencv_bilinear`]), so the scores are MediaPipe's own.
    pub fn fill_tensor(&self, frame: FrameView<'_>, tensor: &mut [f32]) {
        let size = self.size as usize;
        debug_assert_eq!(tensor.len(), size * size * 3);
        debug_assert_eq!((frame.width(), frame.height()), (self.width, self.height));
        // In f64 from the frame's size, as OpenCV computes its transform in doubles.
        let (width, height) = (f64::from(self.width), f64::from(self.height));
        let side = width.max(height).max(1.0);
        let frame_per_tensor = side / f64::from(self.size);
        let (left, top) = ((width - side) / 2.0, (height - side) / 2.0);
        for (row, row_values) in tensor.chunks_exact_mut(size * 3).enumerate() {
            let source_y = top + row as f64 * frame_per_tensor;
            for (column, pixel) in row_values.chunks_exact_mut(3).enumerate() {
                let source_x = left + column as f64 * frame_per_tensor;
                let rgb = opencv_bilinear::sample(frame, source_x, source_y);
                for (value, channel) in pixel.iter_mut().zip(rgb) {
                    *value = f32::from(channel) * (2.0 / 255.0) - 1.0;
                }
            }
        }
    }

    fn point_to_frame(&self, x: f32, y: f32) -> Point2 {
        let (size, scale) = (self.size as f32, self.scale());
        let (pad_x, pad_y) = self.padding();
        Point2::new((x * size - pad_x) / scale, (y * size - pad_y) / scale)
    }

    /// Maps a candidate from normalised tensor coordinates to frame pixels.
    pub(super) fn detection_in_frame(&self, candidate: &Candidate) -> FaceDetection {
        let [left, top, right, bottom] = candidate.bounds;
        FaceDetection {
            score: candidate.score,
            bounds: Rect::from_corners(
                self.point_to_frame(left, top),
                self.point_to_frame(right, bottom),
            ),
            keypoints: candidate.keypoints.map(|[x, y]| self.point_to_frame(x, y)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use effect_api::Frame;

    #[test]
    fn wide_frames_get_bars_above_and_below_and_map_back() {
        let letterbox = Letterbox::fit(256, 128, 128);
        assert_eq!(letterbox.scale(), 0.5);
        assert_eq!(letterbox.padding(), (0.0, 32.0));
        let corner = letterbox.point_to_frame(0.0, 0.25);
        assert_eq!(corner, Point2::new(0.0, 0.0));
        let far = letterbox.point_to_frame(1.0, 0.75);
        assert_eq!(far, Point2::new(256.0, 128.0));
    }

    #[test]
    fn tensor_holds_the_picture_between_black_bars() {
        let frame = Frame::filled(256, 128, [255, 255, 255]).unwrap();
        let letterbox = Letterbox::fit(256, 128, 128);
        let mut tensor = vec![0.0; 128 * 128 * 3];
        letterbox.fill_tensor(frame.view(), &mut tensor);
        let at = |row: usize, column: usize| tensor[(row * 128 + column) * 3];
        assert_eq!(at(10, 64), -1.0);
        assert_eq!(at(64, 64), 1.0);
        assert_eq!(at(120, 5), -1.0);
    }

    #[test]
    fn a_row_half_off_the_frame_blends_with_the_black_bar() {
        // 310 rows fit into 79.7 tensor rows below 24.2 rows of bar: tensor row 24 reads the
        // frame 0.62 rows above its first, which OpenCV (and so MediaPipe) blends 3/8 of
        // the first row into black (0.375 · 255 = 95.6, rounded to 96), not all or nothing.
        let frame = Frame::filled(498, 310, [255, 255, 255]).unwrap();
        let letterbox = Letterbox::fit(498, 310, 128);
        let mut tensor = vec![0.0; 128 * 128 * 3];
        letterbox.fill_tensor(frame.view(), &mut tensor);
        let at = |row: usize, column: usize| tensor[(row * 128 + column) * 3];
        assert_eq!(at(23, 64), -1.0);
        assert!(
            (at(24, 64) - (96.0 * 2.0 / 255.0 - 1.0)).abs() < 1e-6,
            "{}",
            at(24, 64)
        );
        assert_eq!(at(25, 64), 1.0);
    }
}
