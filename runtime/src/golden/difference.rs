//! How far a rendered frame is from its expected frame, measured as a golden test judges
//! it, and a picture of where they differ for a person to look at.

use effect_api::{Frame, FrameView, PixelFormat};

use super::suite::Tolerance;

/// The difference between two frames of the same size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Mean absolute difference over every channel of every pixel, 0..255.
    pub mean: f64,
    /// The largest difference of any channel of any pixel.
    pub max: u8,
    /// The share of pixels with a channel that moved by more than the threshold (0..1).
    pub differing_fraction: f64,
    /// The threshold `differing_fraction` was counted with.
    pub pixel_threshold: u8,
}

impl Difference {
    /// Measures `actual` against `expected` (both RGB, the same size), counting a pixel as
    /// differing when a channel moved by more than `pixel_threshold`.
    pub fn measure(expected: FrameView<'_>, actual: FrameView<'_>, pixel_threshold: u8) -> Self {
        let mut total = 0u64;
        let mut max = 0u8;
        let mut differing = 0u64;
        for (want, got) in pixel_pairs(expected, actual) {
            let (sum, largest) = channel_differences(want, got)
                .fold((0u64, 0u8), |(sum, largest), delta| {
                    (sum + u64::from(delta), largest.max(delta))
                });
            total += sum;
            max = max.max(largest);
            differing += u64::from(largest > pixel_threshold);
        }
        let pixels = (u64::from(expected.width()) * u64::from(expected.height())).max(1);
        Self {
            mean: total as f64 / (pixels * 3) as f64,
            max,
            differing_fraction: differing as f64 / pixels as f64,
            pixel_threshold,
        }
    }

    /// Whether it is within `tolerance`.
    pub fn passes(&self, tolerance: &Tolerance) -> bool {
        self.mean <= tolerance.max_mean_difference
            && self.differing_fraction <= tolerance.max_differing_fraction
    }

    /// One line for a person: the figures, and the limits they broke.
    pub fn describe(&self, tolerance: &Tolerance) -> String {
        let mean_over = self.mean > tolerance.max_mean_difference;
        let share_over = self.differing_fraction > tolerance.max_differing_fraction;
        format!(
            "mean difference {:.3}{}, {:.3} % of pixels differ by more than {}{}, largest {}",
            self.mean,
            match mean_over {
                true => format!(" (limit {})", tolerance.max_mean_difference),
                false => String::new(),
            },
            self.differing_fraction * 100.0,
            self.pixel_threshold,
            match share_over {
                true => format!(" (limit {} %)", tolerance.max_differing_fraction * 100.0),
                false => String::new(),
            },
            self.max,
        )
    }
}

/// A picture of where `actual` differs from `expected` (both RGB, the same size): the
/// expected frame faded to a dim grey, with every pixel over `pixel_threshold` in red (the
/// brighter, the larger the difference) and smaller differences in dim blue.
pub fn difference_picture(
    expected: FrameView<'_>,
    actual: FrameView<'_>,
    pixel_threshold: u8,
) -> Frame {
    let (width, height) = (expected.width(), expected.height());
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for (want, got) in pixel_pairs(expected, actual) {
        let largest = channel_differences(want, got).max().unwrap_or(0);
        let grey = ((u32::from(want[0]) + u32::from(want[1]) + u32::from(want[2])) / 12) as u8;
        pixels.extend_from_slice(&if largest > pixel_threshold {
            [128u8.saturating_add(largest / 2), 0, 0]
        } else if largest > 0 {
            [grey, grey, grey.saturating_add(60)]
        } else {
            [grey, grey, grey]
        });
    }
    // Exactly width × height RGB pixels, pushed just above.
    Frame::from_packed(pixels, width, height, PixelFormat::Rgb8)
        .expect("a packed buffer of the frames' size")
}

/// The pixels of two RGB frames of the same size, paired, row by row.
fn pixel_pairs<'a>(
    expected: FrameView<'a>,
    actual: FrameView<'a>,
) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
    (0..expected.height()).flat_map(move |y| {
        expected
            .row(y)
            .chunks_exact(3)
            .zip(actual.row(y).chunks_exact(3))
    })
}

/// How far each channel of a pixel moved.
fn channel_differences<'a>(want: &'a [u8], got: &'a [u8]) -> impl Iterator<Item = u8> + 'a {
    want.iter().zip(got).map(|(&a, &b)| a.abs_diff(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(width: u32, height: u32, paint: impl Fn(u32, u32) -> [u8; 3]) -> Frame {
        let mut pixels = Vec::new();
        for y in 0..height {
            for x in 0..width {
                pixels.extend_from_slice(&paint(x, y));
            }
        }
        Frame::from_packed(pixels, width, height, PixelFormat::Rgb8).unwrap()
    }

    #[test]
    fn equal_frames_have_no_difference() {
        let a = frame(8, 4, |x, y| [x as u8 * 20, y as u8 * 40, 7]);
        let difference = Difference::measure(a.view(), a.view(), 16);
        assert_eq!(difference.mean, 0.0);
        assert_eq!(difference.max, 0);
        assert_eq!(difference.differing_fraction, 0.0);
        assert!(difference.passes(&Tolerance::default()));
    }

    #[test]
    fn small_noise_passes_and_a_moved_patch_fails() {
        let base = frame(100, 100, |x, y| [(x * 2) as u8, (y * 2) as u8, 90]);
        // Rounding noise: ±2 levels on every tenth pixel.
        let noisy = frame(100, 100, |x, y| {
            let [r, g, b] = base.view().rgb(x, y);
            match (x + y * 100) % 10 {
                0 => [r.saturating_add(2), g, b],
                _ => [r, g, b],
            }
        });
        let noise = Difference::measure(base.view(), noisy.view(), 16);
        assert!(noise.passes(&Tolerance::default()), "{noise:?}");
        assert_eq!(noise.differing_fraction, 0.0);
        assert_eq!(noise.max, 2);

        // A 10 × 10 sticker painted where it was not: 1 % of the pixels.
        let patched = frame(100, 100, |x, y| {
            match (40..50).contains(&x) && (40..50).contains(&y) {
                true => [255, 0, 255],
                false => base.view().rgb(x, y),
            }
        });
        let patch = Difference::measure(base.view(), patched.view(), 16);
        assert!((patch.differing_fraction - 0.01).abs() < 1e-9, "{patch:?}");
        assert!(!patch.passes(&Tolerance::default()));
        let line = patch.describe(&Tolerance::default());
        assert!(
            line.contains("1.000 % of pixels") && line.contains("limit 0.2 %"),
            "{line}"
        );
    }

    #[test]
    fn a_faint_change_everywhere_fails_on_the_mean() {
        let base = frame(50, 50, |_, _| [100, 100, 100]);
        let tinted = frame(50, 50, |_, _| [104, 100, 100]);
        let difference = Difference::measure(base.view(), tinted.view(), 16);
        assert_eq!(difference.differing_fraction, 0.0);
        assert!((difference.mean - 4.0 / 3.0).abs() < 1e-9);
        assert!(!difference.passes(&Tolerance::default()));
        assert!(
            difference
                .describe(&Tolerance::default())
                .contains("(limit 0.5)")
        );
    }

    #[test]
    fn the_picture_marks_differing_pixels_red() {
        let base = frame(4, 1, |_, _| [120, 120, 120]);
        let changed = frame(4, 1, |x, _| match x {
            0 => [120, 120, 120],
            1 => [125, 120, 120],
            _ => [250, 120, 120],
        });
        let picture = difference_picture(base.view(), changed.view(), 16);
        assert_eq!(picture.view().rgb(0, 0), [30, 30, 30]);
        assert_eq!(picture.view().rgb(1, 0), [30, 30, 90]);
        assert_eq!(picture.view().rgb(2, 0), [193, 0, 0]);
    }
}
