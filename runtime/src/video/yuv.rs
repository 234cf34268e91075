//! BT.601 limited-range ("studio swing") conversion between 8-bit RGB and Y'CbCr, the
//! matrix Y4M files from ffmpeg and most SD/webcam tools use: Y' spans 16–235 and Cb, Cr
//! span 16–240. Fixed point with 16 fractional bits keeps the per-pixel path integer.

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
pub(super) fn luma(rgb: [u8; 3]) -> u8 {
    let [r, g, b] = rgb.map(i32::from);
    to_byte((16 << 16) + Y_R * r + Y_G * g + Y_B * b)
}

/// Blue- and red-difference chroma of an RGB pixel (or of the mean of several).
#[inline]
pub(super) fn chroma(rgb: [i32; 3]) -> (u8, u8) {
    let [r, g, b] = rgb;
    let cb = to_byte((128 << 16) + CB_R * r + CB_G * g + CB_B * b);
    let cr = to_byte((128 << 16) + CR_R * r + CR_G * g + CR_B * b);
    (cb, cr)
}

/// The RGB pixel of a Y'CbCr sample.
#[inline]
pub(super) fn rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = (i32::from(y) - 16) * Y_INVERSE;
    let cb = i32::from(cb) - 128;
    let cr = i32::from(cr) - 128;
    [
        to_byte(y + R_CR * cr),
        to_byte(y + G_CB * cb + G_CR * cr),
        to_byte(y + B_CB * cb),
    ]
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
