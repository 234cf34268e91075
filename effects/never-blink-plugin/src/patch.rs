//! One stored open eye: its pixels resampled into the eye's normalised frame, with its
//! lid contour there, captured from one frame and pasted into a later one through that
//! frame's eye corners, a feathered mask and a brightness correction.

use effect_api::plugin::FramePixels;

use crate::eye_frame::EyeFrame;
use crate::mask::{DILATE, falloff, signed_distance};

/// Landmarks in an eye's lid contour.
pub const CONTOUR_LEN: usize = 16;

/// Half the stored area's width and height, in corner distances: 1.6 × 1.0 corner
/// distances around the corners' midpoint holds the whole open eye (it spans ±0.5
/// across and about -0.3..0.2 down) with a margin for the mask's fade.
pub const HALF_EXTENT: [f32; 2] = [0.8, 0.5];

/// Stored pixels per image pixel: with two, resampling the eye into the patch and back out
/// into a later frame blurs it about as little as one resampling would.
const OVERSAMPLE: f32 = 2.0;

/// The largest stored patch, in pixels (30 KB); larger eyes are stored at a lower
/// resolution.
pub const MAX_SIZE: [u16; 2] = [128, 80];

/// The smallest stored patch; a floor only, since eyes narrower than
/// [`MIN_EYE_PX`](crate::eye_frame::MIN_EYE_PX) are not stored at all.
pub const MIN_SIZE: [u16; 2] = [8, 5];

/// Past the fade, this band of skin (in corner distances) is compared now and at capture
/// time to match the patch's brightness to the current lighting.
const RING: f32 = 0.2;

/// The brightness correction's limits: past them the change is not lighting but a
/// tracking error or something passing in front of the eye.
const GAIN_RANGE: (f32, f32) = (0.67, 1.5);

/// Ring pixels needed before the brightness correction is trusted.
const MIN_RING_PIXELS: u32 = 8;

/// The mask fades to nothing over this margin inside the stored area's edge, so a patch
/// never shows its rectangle even when a contour reaches far out.
const EDGE_FADE: f32 = 0.06;

/// A stored open eye.
#[derive(Debug, Clone, PartialEq)]
pub struct EyePatch {
    /// When it was captured (the frame's time, seconds).
    pub time_s: f64,
    /// The open eye's area in normalised units: larger is more open.
    pub openness: f32,
    /// Width in pixels, `MIN_SIZE[0]..=MAX_SIZE[0]`.
    pub width: u16,
    /// Height in pixels, `MIN_SIZE[1]..=MAX_SIZE[1]`.
    pub height: u16,
    /// RGB rows, `width × height × 3` bytes.
    pub rgb: Vec<u8>,
    /// The lid contour in the eye's normalised frame.
    pub contour: [[f32; 2]; CONTOUR_LEN],
}

/// How a patch is pasted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PasteStyle {
    /// How much of the patch shows at the mask's opaque centre, 0..=1.
    pub weight: f32,
    /// The fade's width in corner distances.
    pub feather: f32,
}

/// The stored size for an eye `width_px` wide: [`OVERSAMPLE`] pixels per image pixel,
/// capped at [`MAX_SIZE`] with the aspect kept.
pub fn size_for(width_px: f32) -> [u16; 2] {
    let scale = (width_px * OVERSAMPLE).clamp(0.0, f32::from(MAX_SIZE[1]));
    let side =
        |extent: f32, low: u16, high: u16| ((2.0 * extent * scale).round() as u16).clamp(low, high);
    [
        side(HALF_EXTENT[0], MIN_SIZE[0], MAX_SIZE[0]),
        side(HALF_EXTENT[1], MIN_SIZE[1], MAX_SIZE[1]),
    ]
}

impl EyePatch {
    /// An empty patch, to capture into.
    pub fn empty() -> Self {
        Self {
            time_s: 0.0,
            openness: 0.0,
            width: 0,
            height: 0,
            rgb: Vec::new(),
            contour: [[0.0; 2]; CONTOUR_LEN],
        }
    }

    /// Resamples the eye framed by `frame` out of `pixels` into this patch (reusing its
    /// buffer), with `contour` (normalised) and the capture time.
    pub fn capture(
        &mut self,
        pixels: &FramePixels<'_>,
        frame: &EyeFrame,
        contour: [[f32; 2]; CONTOUR_LEN],
        time_s: f64,
    ) {
        let [width, height] = size_for(frame.width_px());
        self.time_s = time_s;
        self.openness = crate::mask::polygon_area(&contour);
        self.width = width;
        self.height = height;
        self.contour = contour;
        self.rgb.clear();
        for row in 0..height {
            for column in 0..width {
                let [x, y] = frame.to_image(self.normalized_of(column, row));
                let rgb = sample_frame(pixels, x, y);
                self.rgb
                    .extend(rgb.map(|channel| channel.round().clamp(0.0, 255.0) as u8));
            }
        }
    }

    /// The normalised point at the centre of stored pixel `(column, row)`.
    fn normalized_of(&self, column: u16, row: u16) -> [f32; 2] {
        let [half_u, half_v] = HALF_EXTENT;
        [
            -half_u + (f32::from(column) + 0.5) * 2.0 * half_u / f32::from(self.width),
            -half_v + (f32::from(row) + 0.5) * 2.0 * half_v / f32::from(self.height),
        ]
    }

    /// The patch's colour at normalised `(u, v)`, bilinear, clamped at its edges.
    fn sample(&self, [u, v]: [f32; 2]) -> [f32; 3] {
        let [half_u, half_v] = HALF_EXTENT;
        let x = (u + half_u) * f32::from(self.width) / (2.0 * half_u) - 0.5;
        let y = (v + half_v) * f32::from(self.height) / (2.0 * half_v) - 0.5;
        bilinear(
            x,
            y,
            self.width.into(),
            self.height.into(),
            |column, row| {
                let at = (row as usize * usize::from(self.width) + column as usize) * 3;
                // Invariant: `bilinear` passes coordinates inside width × height, and `rgb`
                // holds width × height pixels (capture and restore both keep it so).
                [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]]
            },
        )
    }

    /// Pastes this eye over the eye framed by `frame` in `pixels`. `alpha` is scratch
    /// space, reused from call to call. Returns the brightness gain applied (1 when the
    /// patch fell outside the frame).
    pub fn paste(
        &self,
        pixels: &mut FramePixels<'_>,
        frame: &EyeFrame,
        style: PasteStyle,
        alpha: &mut Vec<f32>,
    ) -> f32 {
        let Some([left, top, right, bottom]) = bounds_in(frame, pixels) else {
            return 1.0;
        };
        let feather = style
            .feather
            .max(crate::mask::MIN_FEATHER_PX / frame.width_px());
        let ring = (DILATE + feather, DILATE + feather + RING);
        let centre = |x: u32, y: u32| frame.to_normalized([x as f32 + 0.5, y as f32 + 0.5]);

        // First pass: the mask, and the skin ring's brightness now and in the patch.
        alpha.clear();
        let (mut now, mut then, mut count) = (0.0f32, 0.0f32, 0u32);
        for y in top..bottom {
            for x in left..right {
                let point = centre(x, y);
                let edge = (HALF_EXTENT[0] - point[0].abs()).min(HALF_EXTENT[1] - point[1].abs());
                if edge <= 0.0 {
                    alpha.push(0.0);
                    continue;
                }
                let distance = signed_distance(point, &self.contour);
                let value = falloff(distance, DILATE, feather) * (edge / EDGE_FADE).min(1.0);
                alpha.push(value);
                if distance > ring.0 && distance <= ring.1 {
                    now += luminance(pixels.rgb(x, y).map_or([0.0; 3], |rgb| rgb.map(f32::from)));
                    then += luminance(self.sample(point));
                    count += 1;
                }
            }
        }
        let gain = if count >= MIN_RING_PIXELS && then > f32::from(u8::MAX) * 0.02 {
            (now / then).clamp(GAIN_RANGE.0, GAIN_RANGE.1)
        } else {
            1.0
        };

        // Second pass: blend.
        let mut masks = alpha.iter();
        for y in top..bottom {
            for x in left..right {
                let coverage = masks.next().copied().unwrap_or(0.0) * style.weight;
                if coverage <= 0.0 {
                    continue;
                }
                let Some(below) = pixels.rgb(x, y) else {
                    continue;
                };
                let patch = self.sample(centre(x, y));
                let blended = std::array::from_fn(|channel| {
                    let under = f32::from(below[channel]);
                    let over = (patch[channel] * gain).min(255.0);
                    (under + (over - under) * coverage)
                        .round()
                        .clamp(0.0, 255.0) as u8
                });
                pixels.set_rgb(x, y, blended);
            }
        }
        gain
    }
}

/// The pixel rectangle (left, top, right, bottom; exclusive) the stored area covers
/// under `frame`, clipped to the image; `None` when it is outside.
fn bounds_in(frame: &EyeFrame, pixels: &FramePixels<'_>) -> Option<[u32; 4]> {
    let [half_u, half_v] = HALF_EXTENT;
    let corners = [
        [-half_u, -half_v],
        [half_u, -half_v],
        [half_u, half_v],
        [-half_u, half_v],
    ]
    .map(|corner| frame.to_image(corner));
    let (mut low, mut high) = ([f32::MAX; 2], [f32::MIN; 2]);
    for corner in corners {
        for axis in 0..2 {
            low[axis] = low[axis].min(corner[axis]);
            high[axis] = high[axis].max(corner[axis]);
        }
    }
    let limit = [pixels.width() as f32, pixels.height() as f32];
    let clip = |value: f32, axis: usize| value.clamp(0.0, limit[axis]) as u32;
    let bounds = [
        clip(low[0].floor(), 0),
        clip(low[1].floor(), 1),
        clip(high[0].ceil(), 0),
        clip(high[1].ceil(), 1),
    ];
    (bounds[0] < bounds[2] && bounds[1] < bounds[3]).then_some(bounds)
}

/// Perceived brightness of linear-ish 8-bit RGB (Rec. 601 weights).
fn luminance([r, g, b]: [f32; 3]) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
}

/// The frame's colour at image point `(x, y)` (pixel centres at half-integers), bilinear,
/// clamped at the frame's edges.
pub fn sample_frame(pixels: &FramePixels<'_>, x: f32, y: f32) -> [f32; 3] {
    bilinear(
        x - 0.5,
        y - 0.5,
        pixels.width(),
        pixels.height(),
        |column, row| pixels.rgb(column, row).unwrap_or([0; 3]),
    )
}

/// Bilinear interpolation of a `width × height` grid read by `texel(column, row)`, at
/// `(x, y)` in texel units (texel centres at integers), clamped at the edges.
fn bilinear(
    x: f32,
    y: f32,
    width: u32,
    height: u32,
    texel: impl Fn(u32, u32) -> [u8; 3],
) -> [f32; 3] {
    if width == 0 || height == 0 {
        return [0.0; 3];
    }
    let clamp = |value: f32, size: u32| {
        if value.is_finite() {
            value.clamp(0.0, (size - 1) as f32)
        } else {
            0.0
        }
    };
    let (x, y) = (clamp(x, width), clamp(y, height));
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let [a, b, c, d] = [texel(x0, y0), texel(x1, y0), texel(x0, y1), texel(x1, y1)];
    std::array::from_fn(|channel| {
        let top = f32::from(a[channel]) * (1.0 - fx) + f32::from(b[channel]) * fx;
        let bottom = f32::from(c[channel]) * (1.0 - fx) + f32::from(d[channel]) * fx;
        top * (1.0 - fy) + bottom * fy
    })
}

#[cfg(test)]
mod tests {
    use effect_api::PixelFormat;

    use super::*;

    /// A 64×48 RGB image whose colour encodes the position: r = 4x, g = 4y.
    fn gradient() -> Vec<u8> {
        let mut data = Vec::new();
        for y in 0..48u32 {
            for x in 0..64u32 {
                data.extend([(x * 4) as u8, (y * 4) as u8, 100]);
            }
        }
        data
    }

    /// An eye's contour: an ellipse ±0.5 across, ±0.15 down, as a real open eye roughly.
    fn ellipse() -> [[f32; 2]; CONTOUR_LEN] {
        std::array::from_fn(|index| {
            let angle = index as f32 / CONTOUR_LEN as f32 * std::f32::consts::TAU;
            [0.5 * angle.cos(), 0.15 * angle.sin()]
        })
    }

    #[test]
    fn sizes_follow_the_eye_and_are_capped() {
        assert_eq!(size_for(24.0), [77, 48]);
        assert_eq!(size_for(500.0), MAX_SIZE);
        assert_eq!(size_for(1.0), MIN_SIZE);
    }

    #[test]
    fn a_patch_pasted_where_it_was_taken_changes_nothing() {
        let mut data = gradient();
        let original = data.clone();
        let mut pixels = FramePixels::new(&mut data, 64, 48, 64 * 3, PixelFormat::Rgb8).unwrap();
        let frame = EyeFrame::from_corners([20.0, 24.0], [44.0, 24.0]).unwrap();
        let mut patch = EyePatch::empty();
        patch.capture(&pixels, &frame, ellipse(), 1.0);
        assert_eq!((patch.width, patch.height), (77, 48));
        let style = PasteStyle {
            weight: 1.0,
            feather: 0.1,
        };
        let gain = patch.paste(&mut pixels, &frame, style, &mut Vec::new());
        assert!((gain - 1.0).abs() < 0.02, "{gain}");
        let worst = data
            .iter()
            .zip(&original)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap();
        assert!(worst <= 2, "resampling in place moved a colour by {worst}");
    }

    #[test]
    fn a_pasted_eye_follows_the_corners_and_stays_in_its_mask() {
        // A dark eye on a flat skin tone, captured upright, pasted where the eye has moved
        // and halved its size, onto a frame of plain skin.
        let mut source = vec![180u8; 64 * 48 * 3];
        for y in 21..27 {
            for x in 24..40 {
                let at = (y * 64 + x) * 3;
                source[at..at + 3].copy_from_slice(&[20, 20, 20]);
            }
        }
        let pixels = FramePixels::new(&mut source, 64, 48, 64 * 3, PixelFormat::Rgb8).unwrap();
        let mut patch = EyePatch::empty();
        let taken = EyeFrame::from_corners([20.0, 24.0], [44.0, 24.0]).unwrap();
        patch.capture(&pixels, &taken, ellipse(), 0.0);

        let mut target = vec![180u8; 64 * 48 * 3];
        let mut pixels = FramePixels::new(&mut target, 64, 48, 64 * 3, PixelFormat::Rgb8).unwrap();
        let now = EyeFrame::from_corners([10.0, 10.0], [22.0, 10.0]).unwrap();
        let style = PasteStyle {
            weight: 1.0,
            feather: 0.1,
        };
        patch.paste(&mut pixels, &now, style, &mut Vec::new());
        assert!(
            pixels.rgb(16, 10).unwrap()[0] < 60,
            "the eye's middle is dark"
        );
        for (x, y) in [(16, 20), (40, 30), (2, 10), (28, 10)] {
            assert_eq!(
                pixels.rgb(x, y),
                Some([180; 3]),
                "({x}, {y}) is outside the mask"
            );
        }
    }

    #[test]
    fn brightness_follows_the_skin_around_the_eye() {
        let mut source = vec![100u8; 64 * 48 * 3];
        let pixels = FramePixels::new(&mut source, 64, 48, 64 * 3, PixelFormat::Rgb8).unwrap();
        let frame = EyeFrame::from_corners([20.0, 24.0], [44.0, 24.0]).unwrap();
        let mut patch = EyePatch::empty();
        patch.capture(&pixels, &frame, ellipse(), 0.0);
        // The light has come up by a fifth since.
        let mut brighter = vec![120u8; 64 * 48 * 3];
        let mut pixels =
            FramePixels::new(&mut brighter, 64, 48, 64 * 3, PixelFormat::Rgb8).unwrap();
        let style = PasteStyle {
            weight: 1.0,
            feather: 0.1,
        };
        let gain = patch.paste(&mut pixels, &frame, style, &mut Vec::new());
        assert!((gain - 1.2).abs() < 0.01, "{gain}");
        assert_eq!(
            pixels.rgb(32, 24),
            Some([120; 3]),
            "no bright or dark patch"
        );
    }
}
