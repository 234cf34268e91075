//! 3-D colour tables applied by trilinear interpolation in f32, as
//! [`crate::render::scene`] describes, with each 8-bit code's lattice cell worked out once.

use super::blend::{INV_255, Lanes};
use crate::render::Lut3d;

/// A LUT ready to apply: its entries, and for each 8-bit code the lattice cell and the
/// fraction within it.
#[derive(Debug, Clone)]
pub(super) struct PreparedLut {
    size: usize,
    /// RGB entries with a fourth lane of 0, so lanes line up with frame colours.
    entries: Vec<Lanes>,
    cells: Vec<(usize, f32)>,
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
            cells: Vec::with_capacity(256),
        };
        prepared.cells = (0..=255u8)
            .map(|code| prepared.cell(f32::from(code) * INV_255))
            .collect();
        Ok(prepared)
    }

    /// The lattice cell (its lower index) and the fraction within it for value `c`,
    /// clamped to the table.
    #[inline(always)]
    fn cell(&self, c: f32) -> (usize, f32) {
        let last = (self.size - 1) as f32;
        let coordinate = (c * last).max(0.0).min(last);
        // Truncation floors here: the coordinate is not negative.
        let index = (coordinate as usize).min(self.size - 2);
        (index, coordinate - index as f32)
    }

    /// The table's value at RGB codes.
    #[inline]
    pub(super) fn apply_codes(&self, rgb: [u8; 3]) -> Lanes {
        let cell = |code: u8| {
            self.cells
                .get(usize::from(code))
                .copied()
                .unwrap_or((0, 0.0))
        };
        self.trilinear([cell(rgb[0]), cell(rgb[1]), cell(rgb[2])])
    }

    /// The table's value at the RGB values in the first three lanes (clamped to 0..=1).
    #[inline]
    pub(super) fn apply(&self, rgb: Lanes) -> Lanes {
        self.trilinear([self.cell(rgb[0]), self.cell(rgb[1]), self.cell(rgb[2])])
    }

    #[inline(always)]
    fn trilinear(&self, cells: [(usize, f32); 3]) -> Lanes {
        let [(r, fr), (g, fg), (b, fb)] = cells;
        let n = self.size;
        let base = r + n * (g + n * b);
        // The cell's 8 corners lie in `base ..= base + n² + n + 1`; cells stop one short of
        // the table's last index on each axis, so the block is always inside the table.
        let Some(block) = self.entries.get(base..base + n * n + n + 2) else {
            return [0.0; 4];
        };
        let along_r = |offset: usize| lerp(block[offset], block[offset + 1], fr);
        let along_g = |offset: usize| lerp(along_r(offset), along_r(offset + n), fg);
        lerp(along_g(0), along_g(n * n), fb)
    }
}

#[inline(always)]
fn lerp(a: Lanes, b: Lanes, t: f32) -> Lanes {
    std::array::from_fn(|lane| a[lane] + (b[lane] - a[lane]) * t)
}

/// `d + (lut − d) · k`, the LUT's result mixed in by `k`.
#[inline(always)]
pub(super) fn mix(d: Lanes, lut: Lanes, k: f32) -> Lanes {
    lerp(d, lut, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table whose entries are their own lattice positions, optionally inverted.
    fn table(size: u32, invert: bool) -> Lut3d {
        let n = size as usize;
        let last = (n - 1) as f32;
        let rgb = (0..n * n * n)
            .map(|index| {
                let c = [index % n, index / n % n, index / (n * n)].map(|i| i as f32 / last);
                if invert { c.map(|c| 1.0 - c) } else { c }
            })
            .collect();
        Lut3d { size, rgb }
    }

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
