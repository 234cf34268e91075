//! BT.601 limited-range ("studio swing") conversion between 8-bit RGB and Y'CbCr, the
//! matrix Y4M files from ffmpeg and most SD/webcam tools use: Y' spans 16–235 and Cb, Cr
//! span 16–240. Fixed point with 16 fractional bits keeps the per-pixel path integer.
//!
//! The Y4M reader decodes with [`decode`]; the NV21 reader of [`crate::host_image`] uses
//! the same [`ChromaTerms`], and the Y4M writer encodes through the NV21 writer, so that a
//! host feeding Y4M frames as NV21 gets byte-identical pixels.

/// `x` scaled to 16 fractional bits, rounded to nearest.
const fn fixed(x: f64) -> i32 {
    if x >= 0.0 {
        (x * 65536.0 + 0.5) as i32
    } else {
        (x * 65536.0 - 0.5) as i32
    }
}

const KR: f64 = 0.299;
const KB: f64 = 0.114;
const KG: f64 = 1.0 - KR - KB;
/// Limited-range scale of Y' (219 steps) and of Cb, Cr (224 steps) per 255 full-range steps.
const Y_SCALE: f64 = 219.0 / 255.0;
const C_SCALE: f64 = 224.0 / 255.0;

const Y_R: i32 = fixed(KR * Y_SCALE);
const Y_G: i32 = fixed(KG * Y_SCALE);
const Y_B: i32 = fixed(KB * Y_SCALE);
const CB_R: i32 = fixed(-KR / (2.0 * (1.0 - KB)) * C_SCALE);
const CB_G: i32 = fixed(-KG / (2.0 * (1.0 - KB)) * C_SCALE);
const CB_B: i32 = fixed(0.5 * C_SCALE);
const CR_R: i32 = fixed(0.5 * C_SCALE);
const CR_G: i32 = fixed(-KG / (2.0 * (1.0 - KR)) * C_SCALE);
const CR_B: i32 = fixed(-KB / (2.0 * (1.0 - KR)) * C_SCALE);

const R_CR: i32 = fixed(2.0 * (1.0 - KR) / C_SCALE);
const G_CB: i32 = fixed(-2.0 * (1.0 - KB) * KB / KG / C_SCALE);
const G_CR: i32 = fixed(-2.0 * (1.0 - KR) * KR / KG / C_SCALE);
const B_CB: i32 = fixed(2.0 * (1.0 - KB) / C_SCALE);
const Y_INVERSE: i32 = fixed(1.0 / Y_SCALE);

const HALF: i32 = 1 << 15;

/// Shifts a 16.16 fixed-point value to an integer and clamps it to a byte.
#[inline]
fn to_byte(value: i32) -> u8 {
    ((value + HALF) >> 16).clamp(0, 255) as u8
}

/// Luma of an RGB pixel.
#[inline]
pub(crate) fn luma(rgb: [u8; 3]) -> u8 {
    let [r, g, b] = rgb.map(i32::from);
    to_byte((16 << 16) + Y_R * r + Y_G * g + Y_B * b)
}

/// Blue- and red-difference chroma of an RGB pixel (or of the mean of several).
#[inline]
pub(crate) fn chroma(rgb: [i32; 3]) -> (u8, u8) {
    let [r, g, b] = rgb;
    let cb = to_byte((128 << 16) + CB_R * r + CB_G * g + CB_B * b);
    let cr = to_byte((128 << 16) + CR_R * r + CR_G * g + CR_B * b);
    (cb, cr)
}

/// The RGB pixel of a Y'CbCr sample.
#[inline]
pub(crate) fn rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    ChromaTerms::new(cb, cr).rgb(y)
}

/// The chroma part of [`rgb`] for one (Cb, Cr) sample, worked out once and reused for every
/// pixel that shares the sample (two across in 4:2:0 and 4:2:2). The sums are in `i32` and
/// never overflow, so splitting them this way gives exactly the bytes of the whole sum.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChromaTerms {
    red: i32,
    green: i32,
    blue: i32,
}

impl ChromaTerms {
    /// The terms of the sample (`cb`, `cr`).
    #[inline]
    pub(crate) fn new(cb: u8, cr: u8) -> Self {
        let cb = i32::from(cb) - 128;
        let cr = i32::from(cr) - 128;
        Self {
            red: R_CR * cr,
            green: G_CB * cb + G_CR * cr,
            blue: B_CB * cb,
        }
    }

    /// The RGB pixel of luma `y` with this chroma.
    #[inline]
    pub(crate) fn rgb(self, y: u8) -> [u8; 3] {
        let y = (i32::from(y) - 16) * Y_INVERSE;
        [
            to_byte(y + self.red),
            to_byte(y + self.green),
            to_byte(y + self.blue),
        ]
    }
}

/// One plane of 8-bit samples: rows `stride` bytes apart, samples `step` bytes apart in a
/// row (1 for planar Y4M, 2 for the interleaved V,U plane of NV21).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SamplePlane<'a> {
    /// The samples; the first one of row `y` is at `y * stride`.
    pub data: &'a [u8],
    /// Bytes from one row to the next.
    pub stride: usize,
    /// Bytes from one sample to the next in a row.
    pub step: usize,
}

impl<'a> SamplePlane<'a> {
    /// The plane from row `y` on.
    #[inline]
    fn row(&self, y: usize) -> &'a [u8] {
        &self.data[y * self.stride..]
    }
}

/// Y'CbCr planes whose chroma is subsampled by `1 << x_shift` across and `1 << y_shift`
/// down (1, 1 for 4:2:0; 1, 0 for 4:2:2; 0, 0 for 4:4:4).
#[derive(Debug, Clone, Copy)]
pub(crate) struct YcbcrPlanes<'a> {
    /// Full-resolution luma.
    pub luma: SamplePlane<'a>,
    /// Blue-difference chroma.
    pub cb: SamplePlane<'a>,
    /// Red-difference chroma.
    pub cr: SamplePlane<'a>,
    /// Horizontal chroma subsampling shift.
    pub x_shift: u32,
    /// Vertical chroma subsampling shift.
    pub y_shift: u32,
}

/// Decodes `width` x `height` pixels row by row, each with its nearest chroma sample (the
/// one at `(x >> x_shift, y >> y_shift)`), handing `put(x, y, rgb)` every pixel in order.
///
/// The caller has checked that every plane holds its rows: a short plane panics.
#[inline]
pub(crate) fn decode(
    planes: &YcbcrPlanes,
    width: usize,
    height: usize,
    mut put: impl FnMut(usize, usize, [u8; 3]),
) {
    let YcbcrPlanes {
        luma,
        cb,
        cr,
        x_shift,
        y_shift,
    } = *planes;
    let pixels_per_chroma = 1 << x_shift;
    for y in 0..height {
        let luma_row = luma.row(y);
        let cb_row = cb.row(y >> y_shift);
        let cr_row = cr.row(y >> y_shift);
        // One chroma sample at a time, its terms shared by the pixels it covers.
        for chroma_x in 0..width.div_ceil(pixels_per_chroma) {
            let terms = ChromaTerms::new(cb_row[chroma_x * cb.step], cr_row[chroma_x * cr.step]);
            let left = chroma_x << x_shift;
            for x in left..(left + pixels_per_chroma).min(width) {
                put(x, y, terms.rgb(luma_row[x * luma.step]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_colours_hit_the_studio_range() {
        assert_eq!(luma([0, 0, 0]), 16);
        assert_eq!(luma([255, 255, 255]), 235);
        assert_eq!(chroma([255, 255, 255]), (128, 128));
        assert_eq!(chroma([0, 0, 255]).0, 240);
        assert_eq!(chroma([255, 0, 0]).1, 240);
        assert_eq!(rgb(16, 128, 128), [0, 0, 0]);
        assert_eq!(rgb(235, 128, 128), [255, 255, 255]);
    }

    #[test]
    fn colours_survive_a_round_trip() {
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let (cb, cr) = chroma([r, g, b]);
                    let pixel = [r, g, b].map(|c| c as u8);
                    let back = rgb(luma(pixel), cb, cr);
                    for (had, got) in pixel.iter().zip(back) {
                        assert!(had.abs_diff(got) <= 2, "{pixel:?} came back as {back:?}");
                    }
                }
            }
        }
    }
}
