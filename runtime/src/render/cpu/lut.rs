//! 3-D colour tables applied by trilinear interpolation in f32, as
//! [`crate::render::scene`] describes, with each 8-bit code's lattice cell worked out once.

use super::blend::{INV_255, Lanes, lerp};
use crate::render::Lut3d;

/// A LUT ready to apply: its entries, and for each 8-bit code the lattice cell and the
/// fraction within it.
#[derive(Debug, Clone)]
pub(super) struct PreparedLut {
    size: usize,
    /// RGB entries with a fourth lane of 0, so lanes line up with frame colours.
    entries: Vec<Lanes>,
    /// The cell and fraction of each 8-bit code.
    cells: [(usize, f32); 256],
}

impl PreparedLut {
    /// Checks and prepares `lut`; the error says what is wrong with it.
    pub(super) fn new(lut: &Lut3d) -> Result<Self, String> {
        if !(2..=256).contains(&lut.size) {
            return Err(format!("its size is {}; it must be 2 to 256", lut.size));
        }
        let size = lut.size as usize;
        if lut.rgb.len() != size * size * size {
            return Err(format!(
                "it has {} entries, but size {size} needs {}",
                lut.rgb.len(),
                size * size * size
            ));
        }
        if let Some(index) = lut
            .rgb
            .iter()
            .position(|rgb| !rgb.iter().all(|c| c.is_finite()))
        {
            return Err(format!("entry {index} is not finite"));
        }
        let mut prepared = Self {
            size,
            entries: lut.rgb.iter().map(|&[r, g, b]| [r, g, b, 0.0]).collect(),
            cells: [(0, 0.0); 256],
        };
        prepared.cells = std::array::from_fn(|code| prepared.cell(code as f32 * INV_255));
        Ok(prepared)
    }

    /// The lattice cell (its lower index) and the fraction within it for value `c`,
    /// clamped to the table.
    #[inline(always)]
    fn cell(&self, c: f32) -> (usize, f32) {
        let last = (self.size - 1) as f32;
        let coordinate = (c * last).max(0.0).min(last);
        // Truncation floors here: the coordinate is not negative (NaN became 0). `i32`
        // converts in one instruction; the size is at most 256.
        let index = (coordinate as i32).min(self.size as i32 - 2);
        (index as usize, coordinate - index as f32)
    }

    /// The table's value at RGB codes.
    #[inline(always)]
    pub(super) fn apply_codes(&self, rgb: [u8; 3]) -> Lanes {
        // 256 cells: any code indexes them without a check.
        self.trilinear(rgb.map(|code| self.cells[usize::from(code)]))
    }

    /// The table's value at the RGB values in the first three lanes (clamped to 0..=1).
    #[inline]
    pub(super) fn apply(&self, rgb: Lanes) -> Lanes {
        self.trilinear([self.cell(rgb[0]), self.cell(rgb[1]), self.cell(rgb[2])])
    }

    /// The trilinear blend of the 8 entries around the given cells: along red, then green,
    /// then blue.
    #[inline(always)]
    fn trilinear(&self, cells: [(usize, f32); 3]) -> Lanes {
        let [(r, fr), (g, fg), (b, fb)] = cells;
        let n = self.size;
        // Cells stop one short of the table's last index on each axis, so every pair is
        // inside the table; the fallback is never taken.
        let pair = |start: usize| match self.entries.get(start..start + 2) {
            Some(&[low, high]) => lerp(low, high, fr),
            _ => [0.0; 4],
        };
        let base = r + n * (g + n * b);
        let near = lerp(pair(base), pair(base + n), fg);
        let far = lerp(pair(base + n * n), pair(base + n * n + n), fg);
        lerp(near, far, fb)
    }
}

/// `d + (lut − d) · k`, the LUT's result mixed in by `k`.
#[inline(always)]
pub(super) fn mix(d: Lanes, lut: Lanes, k: f32) -> Lanes {
    lerp(d, lut, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::tests::table;

    #[test]
    fn identity_tables_return_their_input() {
        let lut = PreparedLut::new(&table(17, false)).unwrap();
        for code in [0u8, 1, 77, 128, 254, 255] {
            let expected = f32::from(code) / 255.0;
            for value in lut.apply_codes([code, 255 - code, code / 2]).iter().zip([
                expected,
                1.0 - expected,
                f32::from(code / 2) / 255.0,
            ]) {
                assert!((value.0 - value.1).abs() < 1e-5, "{value:?}");
            }
        }
    }

    #[test]
    fn red_varies_fastest() {
        // Size 2: only the entry for red = 1 (index 1) is white.
        let mut rgb = vec![[0.0; 3]; 8];
        rgb[1] = [1.0; 3];
        let lut = PreparedLut::new(&Lut3d { size: 2, rgb }).unwrap();
        let white = [1.0, 1.0, 1.0, 0.0];
        assert_eq!(lut.apply([1.0, 0.0, 0.0, 0.0]), white);
        assert_eq!(lut.apply([0.0, 1.0, 0.0, 0.0]), [0.0; 4]);
        assert_eq!(lut.apply([0.5, 0.0, 0.0, 0.0]), [0.5, 0.5, 0.5, 0.0]);
        assert_eq!(lut.apply([2.0, -1.0, 0.0, 0.0]), white);
    }

    #[test]
    fn broken_tables_are_refused() {
        assert!(
            PreparedLut::new(&Lut3d {
                size: 1,
                rgb: vec![[0.0; 3]]
            })
            .is_err()
        );
        assert!(
            PreparedLut::new(&Lut3d {
                size: 2,
                rgb: vec![[0.0; 3]; 7]
            })
            .is_err()
        );
        let mut nan = table(2, false);
        nan.rgb[3][1] = f32::NAN;
        assert!(PreparedLut::new(&nan).unwrap_err().contains("entry 3"));
    }
}
