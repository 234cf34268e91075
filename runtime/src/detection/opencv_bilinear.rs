//! Bilinear sampling as OpenCV's `warpPerspective` does it on 8-bit images with
//! `INTER_LINEAR` and a constant black border, which is how MediaPipe's
//! `ImageToTensorCalculator` (CPU) fills the face detector's input: the position is rounded
//! to 1/32 of a pixel, the four taps are weighed in fixed point, the result is rounded to a
//! whole level, and a tap outside the frame reads black. Reading the frame the same way
//! gives the detector MediaPipe's own scores: a face near the 0.5 threshold is then found
//! exactly when MediaPipe finds it, where a float sampler or an edge that repeats the last
//! row moved such faces' scores by up to 0.08.

use effect_api::FrameView;

/// Sub-pixel steps per pixel (OpenCV's `INTER_TAB_SIZE`).
const STEPS: i64 = 32;
/// The fixed-point weights' bits (OpenCV's `INTER_REMAP_COEF_BITS`): the four weights of a
/// position sum to `1 << WEIGHT_BITS`.
const WEIGHT_BITS: u32 = 15;

/// The frame's colour at (`x`, `y`) (pixel centres at whole numbers), as OpenCV's
/// fixed-point bilinear gives it.
pub fn sample(frame: FrameView<'_>, x: f64, y: f64) -> [u8; 3] {
    // OpenCV rounds the scaled position to the nearest step (ties to even, as `cvRound`).
    let x_steps = (x * STEPS as f64).round_ties_even() as i64;
    let y_steps = (y * STEPS as f64).round_ties_even() as i64;
    let (x0, y0) = (x_steps.div_euclid(STEPS), y_steps.div_euclid(STEPS));
    let (fx, fy) = (x_steps.rem_euclid(STEPS), y_steps.rem_euclid(STEPS));
    // (STEPS - f) · (STEPS - g) · 32 over the four taps: exact, and summing to 1 << 15.
    let scale = (1 << WEIGHT_BITS) / (STEPS * STEPS);
    let taps = [
        (x0, y0, (STEPS - fx) * (STEPS - fy)),
        (x0 + 1, y0, fx * (STEPS - fy)),
        (x0, y0 + 1, (STEPS - fx) * fy),
        (x0 + 1, y0 + 1, fx * fy),
    ];
    let mut sums = [0i64; 3];
    for (tap_x, tap_y, weight) in taps {
        if weight == 0 {
            continue;
        }
        let inside = (0..i64::from(frame.width())).contains(&tap_x)
            && (0..i64::from(frame.height())).contains(&tap_y);
        if !inside {
            continue;
        }
        let rgb = frame.rgb(tap_x as u32, tap_y as u32);
        for (sum, channel) in sums.iter_mut().zip(rgb) {
            *sum += i64::from(channel) * weight * scale;
        }
    }
    sums.map(|sum| ((sum + (1 << (WEIGHT_BITS - 1))) >> WEIGHT_BITS).clamp(0, 255) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use effect_api::{Frame, PixelFormat};

    fn two_by_two() -> Frame {
        let data = vec![0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255];
        Frame::from_packed(data, 2, 2, PixelFormat::Rgb8).unwrap()
    }

    #[test]
    fn whole_positions_read_their_pixel() {
        let frame = two_by_two();
        assert_eq!(sample(frame.view(), 1.0, 0.0), [100; 3]);
        assert_eq!(sample(frame.view(), 1.0, 1.0), [255; 3]);
    }

    #[test]
    fn between_pixels_the_result_is_rounded_to_a_level() {
        let frame = two_by_two();
        // Halfway between 0 and 100 on the top row; a quarter down mixes in the bottom row:
        // 0.75 · 50 + 0.25 · 227.5 = 94.375, rounded to 94.
        assert_eq!(sample(frame.view(), 0.5, 0.0), [50; 3]);
        assert_eq!(sample(frame.view(), 0.5, 0.25), [94; 3]);
        // Positions round to 1/32 of a pixel: 0.51 reads as 16/32.
        assert_eq!(sample(frame.view(), 0.51, 0.0), [50; 3]);
    }

    #[test]
    fn taps_outside_the_frame_read_black() {
        let frame = Frame::filled(2, 2, [200, 200, 200]).unwrap();
        // Half a pixel left of the first column: half black.
        assert_eq!(sample(frame.view(), -0.5, 0.0), [100; 3]);
        assert_eq!(sample(frame.view(), 1.25, 1.0), [150; 3]);
        assert_eq!(sample(frame.view(), -3.0, 0.0), [0; 3]);
    }
}
