//! The four blend formulas of [`crate::render::scene`] and the conversions between 8-bit
//! codes and the values they are blended as. Colours travel as four lanes (red, green,
//! blue and one unused or alpha) so that the compiler can work on all of them at once.

/// `1 / 255`: codes to values.
pub(super) const INV_255: f32 = 1.0 / 255.0;

/// A colour of four lanes; frame colours leave the fourth unused.
pub(super) type Lanes = [f32; 4];

/// The value of an 8-bit code.
#[inline(always)]
pub(super) fn value(code: u8) -> f32 {
    f32::from(code) * INV_255
}

/// `round(255 · value)` clamped to 0..=255 (NaN gives 0), as every command stores its
/// result.
#[inline(always)]
pub(super) fn code(value: f32) -> u8 {
    // `as u8` saturates (NaN to 0) and truncates towards zero, so adding one half rounds
    // non-negative values to the nearest code. It compiles to a clamp and one conversion.
    (value * 255.0 + 0.5) as u8
}

/// The frame's RGB codes as values (the fourth lane 0).
#[inline(always)]
pub(super) fn values(rgb: &[u8]) -> Lanes {
    match rgb {
        [r, g, b, ..] => [value(*r), value(*g), value(*b), 0.0],
        _ => [0.0; 4],
    }
}

/// Stores the first three lanes as codes.
#[inline(always)]
pub(super) fn store(rgb: &mut [u8], values: Lanes) {
    if let [r, g, b, ..] = rgb {
        (*r, *g, *b) = (code(values[0]), code(values[1]), code(values[2]));
    }
}

/// `a + (b − a) · t` per lane: exact when `a == b`, so flat images and tables give their
/// values back unchanged.
#[inline(always)]
pub(super) fn lerp(a: Lanes, b: Lanes, t: f32) -> Lanes {
    std::array::from_fn(|lane| a[lane] + (b[lane] - a[lane]) * t)
}

/// Clamps a coverage factor (opacity times alpha, or a LUT's strength) to 0..=1; NaN gives
/// 0, so a broken value draws nothing instead of poisoning the frame.
#[inline(always)]
pub(super) fn unit(k: f32) -> f32 {
    if k > 0.0 { k.min(1.0) } else { 0.0 }
}

/// One blend formula: the premultiplied sample `p` (RGBA, already scaled by `k`) over the
/// frame value `d`.
pub(super) trait Blend {
    /// The blended value.
    fn blend(d: Lanes, p: Lanes) -> Lanes;
}

/// `P + d · (1 − A)`.
pub(super) struct Normal;
/// `d · (1 − A + P)`.
pub(super) struct Multiply;
/// `P + d · (1 − P)`.
pub(super) struct Screen;
/// `min(1, d + P)`.
pub(super) struct Add;

impl Blend for Normal {
    #[inline(always)]
    fn blend(d: Lanes, p: Lanes) -> Lanes {
        let keep = 1.0 - p[3];
        std::array::from_fn(|lane| p[lane] + d[lane] * keep)
    }
}

impl Blend for Multiply {
    #[inline(always)]
    fn blend(d: Lanes, p: Lanes) -> Lanes {
        let keep = 1.0 - p[3];
        std::array::from_fn(|lane| d[lane] * (keep + p[lane]))
    }
}

impl Blend for Screen {
    #[inline(always)]
    fn blend(d: Lanes, p: Lanes) -> Lanes {
        std::array::from_fn(|lane| p[lane] + d[lane] * (1.0 - p[lane]))
    }
}

impl Blend for Add {
    #[inline(always)]
    fn blend(d: Lanes, p: Lanes) -> Lanes {
        std::array::from_fn(|lane| (d[lane] + p[lane]).min(1.0))
    }
}

/// Calls `$body` with `$blend` bound to the formula type of `$mode`, so the per-pixel
/// code is compiled once per formula instead of choosing one per pixel.
macro_rules! with_blend {
    ($mode:expr, $blend:ident => $body:expr) => {
        match $mode {
            $crate::render::BlendMode::Normal => {
                type $blend = $crate::render::cpu::blend::Normal;
                $body
            }
            $crate::render::BlendMode::Multiply => {
                type $blend = $crate::render::cpu::blend::Multiply;
                $body
            }
            $crate::render::BlendMode::Screen => {
                type $blend = $crate::render::cpu::blend::Screen;
                $body
            }
            $crate::render::BlendMode::Add => {
                type $blend = $crate::render::cpu::blend::Add;
                $body
            }
        }
    };
}
pub(super) use with_blend;

/// The formula for `mode`, chosen per call (for tests).
#[cfg(test)]
pub(super) fn blend(mode: crate::render::BlendMode, d: Lanes, p: Lanes) -> Lanes {
    with_blend!(mode, B => B::blend(d, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::BlendMode;

    #[test]
    fn codes_round_to_nearest_and_clamp() {
        for code_in in 0..=255u8 {
            assert_eq!(code(value(code_in)), code_in);
        }
        assert_eq!(code(0.4 / 255.0), 0);
        assert_eq!(code(0.6 / 255.0), 1);
        assert_eq!(code(-0.3), 0);
        assert_eq!(code(1.7), 255);
        assert_eq!(code(f32::NAN), 0);
        for value in [
            -1.0,
            0.0,
            0.4 / 255.0,
            0.5,
            0.77,
            254.5 / 255.0,
            1.0,
            3.0,
            f32::NAN,
        ] {
            let mut stored = [9u8; 4];
            store(&mut stored, [value, value / 2.0, value / 3.0, 0.0]);
            let expected = [code(value), code(value / 2.0), code(value / 3.0), 9];
            assert_eq!(stored, expected, "{value}");
        }
        assert_eq!(unit(f32::NAN), 0.0);
        assert_eq!(unit(2.0), 1.0);
    }

    #[test]
    fn transparent_samples_leave_the_frame_alone() {
        let d = [0.2, 0.5, 0.9, 0.0];
        for mode in [
            BlendMode::Normal,
            BlendMode::Multiply,
            BlendMode::Screen,
            BlendMode::Add,
        ] {
            assert_eq!(blend(mode, d, [0.0; 4]), d, "{mode:?}");
        }
    }

    #[test]
    fn the_formulas_on_known_values() {
        let (d, p) = ([0.5, 0.2, 1.0, 0.0], [0.25, 0.5, 0.0, 0.5]);
        assert_eq!(blend(BlendMode::Normal, d, p)[..3], [0.5, 0.6, 0.5]);
        assert_eq!(blend(BlendMode::Multiply, d, p)[..3], [0.375, 0.2, 0.5]);
        assert_eq!(blend(BlendMode::Screen, d, p)[..3], [0.625, 0.6, 1.0]);
        assert_eq!(blend(BlendMode::Add, d, p)[..3], [0.75, 0.7, 1.0]);
    }
}
