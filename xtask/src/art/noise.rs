//! Deterministic randomness for `art`: a SplitMix64 sequence for placing things, and
//! smooth value noise summed over octaves (fbm) for organic texture. Integer hashing
//! only, so every run on every platform draws the same.

use super::canvas::V2;

/// A SplitMix64 sequence: the same numbers for the same seed, everywhere.
pub struct Random(u64);

impl Random {
    /// The sequence of `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// A number in `0..1`.
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// A number in `low..high`.
    pub fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.unit()
    }
}

/// SplitMix64's finaliser: scrambles every input bit into every output bit.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value in `0..1` for the lattice point `(x, y)` of noise `seed`.
fn lattice(x: i32, y: i32, seed: u32) -> f32 {
    let key = (u64::from(x as u32) << 32 | u64::from(y as u32)) ^ (u64::from(seed) << 17);
    (mix64(key.wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 40) as f32 / (1u64 << 24) as f32
}

/// Value noise in `0..1` at `p` (lattice spacing 1), smoothly interpolated (quintic fade,
/// so its slope is continuous too).
pub fn value_noise(p: V2, seed: u32) -> f32 {
    let (x0, y0) = (p.x.floor(), p.y.floor());
    let (fx, fy) = (p.x - x0, p.y - y0);
    let fade = |t: f32| t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
    let (sx, sy) = (fade(fx), fade(fy));
    let (ix, iy) = (x0 as i32, y0 as i32);
    let top = lattice(ix, iy, seed) + (lattice(ix + 1, iy, seed) - lattice(ix, iy, seed)) * sx;
    let bottom = lattice(ix, iy + 1, seed)
        + (lattice(ix + 1, iy + 1, seed) - lattice(ix, iy + 1, seed)) * sx;
    top + (bottom - top) * sy
}

/// Fractal noise in `0..1` at `p` pixels: `octaves` layers of value noise, the first with
/// features about `size` pixels across, each next one half the size and half the weight.
pub fn fbm(p: V2, size: f32, octaves: u32, seed: u32) -> f32 {
    let (mut sum, mut weight, mut total, mut scale) = (0.0, 1.0, 0.0, 1.0 / size);
    for octave in 0..octaves {
        sum += weight * value_noise(p * scale, seed.wrapping_add(octave * 7919));
        total += weight;
        weight *= 0.5;
        scale *= 2.0;
    }
    sum / total
}

#[cfg(test)]
mod tests {
    use super::super::canvas::v2;
    use super::*;

    #[test]
    fn noise_stays_in_range_matches_its_lattice_and_repeats() {
        for index in 0..500 {
            let p = v2(index as f32 * 0.37 - 40.0, index as f32 * 0.91 - 90.0);
            let value = value_noise(p, 3);
            assert!((0.0..=1.0).contains(&value));
            assert_eq!(value, value_noise(p, 3));
            assert!((0.0..=1.0).contains(&fbm(p * 10.0, 50.0, 5, 9)));
        }
        assert_eq!(value_noise(v2(4.0, -7.0), 1), lattice(4, -7, 1));
        assert_ne!(value_noise(v2(4.5, 2.5), 1), value_noise(v2(4.5, 2.5), 2));
    }

    #[test]
    fn the_sequence_is_fixed_by_its_seed() {
        let (mut a, mut b) = (Random::new(7), Random::new(7));
        for _ in 0..100 {
            let value = a.unit();
            assert!((0.0..1.0).contains(&value));
            assert_eq!(value, b.unit());
        }
    }
}
