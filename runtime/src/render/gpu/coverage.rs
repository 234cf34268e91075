//! Where an image holds anything but transparent black, so that the parts of a draw that
//! can only sample transparent black are left out: mesh triangles over empty blocks of the
//! image, and the empty margins of a sticker. A pixel whose sample is transparent black
//! (or whose coverage `k` is 0) changes in no blend mode (`P = A = 0` leaves `d` as it
//! was), so leaving such pixels out changes nothing but the work: a face paint covers a
//! fifth of its texture, and most of the face's triangles lie over bare skin.

use super::super::MeshVertex;

/// Side of a block, in texels.
const BLOCK: usize = 8;

/// Texels more on every side than the bilinear footprint needs, for the rounding in how
/// the GPU finds a pixel's `u` and `v` (interpolated on a mesh, mapped on a quad).
const MARGIN: i64 = 2;

/// Texture coordinates beyond this (in either direction past 0..1) are not judged: far
/// from the image the interpolation's rounding grows with the coordinates, so such a
/// triangle is always drawn.
const FAR: f64 = 4.0;

/// Which blocks of an image hold a texel that is not transparent black, as a summed-area
/// table so that any rectangle of blocks is four lookups.
#[derive(Debug, Clone)]
pub(super) struct Occupancy {
    width: u32,
    height: u32,
    /// The texels that are not transparent black lie in columns `left..=right` and rows
    /// `top..=bottom`, as `[left, top, right, bottom]`; `None` when there are none.
    content: Option<[u32; 4]>,
    /// Blocks across.
    columns: usize,
    /// `(columns + 1) × (rows + 1)`: entry `(i, j)` counts the occupied blocks left of
    /// block column `i` and above block row `j`.
    sums: Vec<u32>,
}

impl Occupancy {
    /// Scans a `width × height` premultiplied RGBA8 image (`width · height · 4` bytes,
    /// which the caller checked).
    pub fn new(width: u32, height: u32, premultiplied_rgba: &[u8]) -> Self {
        let (texels_across, texels_down) = (width as usize, height as usize);
        let columns = texels_across.div_ceil(BLOCK);
        let rows = texels_down.div_ceil(BLOCK);
        let mut occupied = vec![false; columns * rows];
        let mut content: Option<[u32; 4]> = None;
        let (texels, _) = premultiplied_rgba.as_chunks::<4>();
        for (index, texel) in texels.iter().enumerate() {
            if *texel != [0; 4] {
                let (x, y) = (index % texels_across, index / texels_across);
                occupied[y / BLOCK * columns + x / BLOCK] = true;
                // Both are below the image's sides, which are `u32`s.
                let (x, y) = (x as u32, y as u32);
                let [left, top, right, bottom] = content.get_or_insert([x, y, x, y]);
                (*left, *top) = ((*left).min(x), (*top).min(y));
                (*right, *bottom) = ((*right).max(x), (*bottom).max(y));
            }
        }
        let mut sums = vec![0; (columns + 1) * (rows + 1)];
        for row in 0..rows {
            let mut across = 0;
            for column in 0..columns {
                across += u32::from(occupied[row * columns + column]);
                sums[(row + 1) * (columns + 1) + column + 1] =
                    sums[row * (columns + 1) + column + 1] + across;
            }
        }
        Self {
            width,
            height,
            content,
            columns,
            sums,
        }
    }

    /// The part of the image grown by one texel (the parallelogram a quad draws) whose
    /// samples can read a texel that is not transparent black, with [`MARGIN`] to spare;
    /// `None` when the image is all transparent black.
    pub fn span(&self) -> Option<Span> {
        let [left, top, right, bottom] = self.content?;
        // A sample at c reads texels floor(c·size − 0.5) and the one after, so it reaches
        // texels first..=last when c·size lies in (first − 0.5, last + 1.5).
        let axis = |first: u32, last: u32, side: u32| {
            let size = f64::from(side);
            let margin = MARGIN as f64;
            let low = (f64::from(first) - 0.5 - margin) / size;
            let high = (f64::from(last) + 1.5 + margin) / size;
            [low.max(-1.0 / size), high.min(1.0 + 1.0 / size)]
        };
        Some([
            axis(left, right, self.width),
            axis(top, bottom, self.height),
        ])
    }

    /// Whether a bilinear sample at some `(u, v)` with `u` in `us` and `v` in `vs` (low,
    /// high) can read a texel that is not transparent black. Errs towards `true`.
    pub fn reached(&self, us: [f32; 2], vs: [f32; 2]) -> bool {
        if !(near(us) && near(vs)) {
            return true;
        }
        let Some((left, right)) = texels(us, self.width) else {
            return false;
        };
        let Some((top, bottom)) = texels(vs, self.height) else {
            return false;
        };
        let (left, right) = (left / BLOCK, right / BLOCK + 1);
        let (top, bottom) = (top / BLOCK, bottom / BLOCK + 1);
        let at = |column: usize, row: usize| self.sums[row * (self.columns + 1) + column];
        at(right, bottom) + at(left, top) != at(left, bottom) + at(right, top)
    }
}

/// Ranges of texture coordinates: `[[low u, high u], [low v, high v]]`.
pub(super) type Span = [[f64; 2]; 2];

/// The whole image of `size` texels grown by one texel, the parallelogram a quad draws
/// when nothing is known about the image.
pub(super) fn whole_image(size: [u32; 2]) -> Span {
    size.map(|side| {
        let grow = 1.0 / f64::from(side);
        [-grow, 1.0 + grow]
    })
}

/// Whether the coordinates are numbers not [`FAR`] from the image.
fn near([low, high]: [f32; 2]) -> bool {
    f64::from(low) >= -FAR && f64::from(high) <= 1.0 + FAR
}

/// The texels (first, last, inside the image) that bilinear samples at coordinates in
/// `low..=high` (which are [`near`]) of an image `side` texels long read, grown by
/// [`MARGIN`]; `None` when they all lie outside the image.
fn texels([low, high]: [f32; 2], side: u32) -> Option<(usize, usize)> {
    let size = f64::from(side);
    // A sample at c reads texels floor(c·size − 0.5) and the one after. Near the image
    // and for any side a GPU takes (far below 2¹⁹), c·size − 0.5 > −2²¹, so shifting by
    // 2²¹ makes it positive and truncation a floor (`floor` is a library call on plain
    // x86-64).
    const SHIFT: f64 = (1 << 21) as f64;
    let floor = |x: f64| (x + SHIFT) as i64 - SHIFT as i64;
    let first = floor(f64::from(low) * size - 0.5) - MARGIN;
    let last = floor(f64::from(high) * size - 0.5) + 1 + MARGIN;
    let end = i64::from(side) - 1;
    if last < 0 || first > end {
        return None;
    }
    // Both are clamped into 0..side.
    Some((first.max(0) as usize, last.min(end) as usize))
}

/// What decides which triangles of an image mesh are drawn: those that can change a
/// pixel.
pub(super) struct MeshCulling<'a> {
    /// The draw's opacity.
    opacity: f32,
    /// Where its image is not transparent.
    coverage: &'a Occupancy,
}

impl<'a> MeshCulling<'a> {
    /// For a mesh drawn with `opacity` and an image with `coverage`.
    pub fn new(opacity: f32, coverage: &'a Occupancy) -> Self {
        Self { opacity, coverage }
    }

    /// Whether the triangle with these (drawable) corners can change a pixel, so is kept. Its `u`,
    /// `v` and alpha are interpolated perspective-correctly, which mixes the corners'
    /// values with weights that are not negative, so they stay within the corners' range.
    /// Where the coverage `k = opacity · alpha` is not positive at any corner, or every
    /// texel the samples can read is transparent black, each pixel gets `P = A = 0`,
    /// which leaves it as it was in every blend mode.
    pub fn keeps(&self, corners: [&MeshVertex; 3]) -> bool {
        if !corners
            .iter()
            .any(|corner| self.opacity * corner.alpha > 0.0)
        {
            return false;
        }
        let range = |values: [f32; 3]| {
            let [a, b, c] = values;
            [a.min(b).min(c), a.max(b).max(c)]
        };
        let us = range(corners.map(|corner| corner.u));
        let vs = range(corners.map(|corner| corner.v));
        self.coverage.reached(us, vs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `side × side` transparent image with one opaque texel at `(x, y)`.
    fn dot(side: u32, x: u32, y: u32) -> Occupancy {
        let mut rgba = vec![0; (side * side * 4) as usize];
        let at = ((y * side + x) * 4) as usize;
        rgba[at + 3] = 255;
        Occupancy::new(side, side, &rgba)
    }

    /// The texture coordinate of the centre of texel `index` of `side`.
    fn centre(index: u32, side: u32) -> f32 {
        (index as f32 + 0.5) / side as f32
    }

    #[test]
    fn footprints_that_reach_the_texel_are_reached() {
        let image = dot(64, 40, 20);
        let (u, v) = (centre(40, 64), centre(20, 64));
        assert!(image.reached([u, u], [v, v]));
        // Halfway to the next texel still reads it.
        let next = centre(41, 64);
        assert!(image.reached([next - 0.4 / 64.0, next], [v, v]));
        assert!(image.reached([0.0, 1.0], [0.0, 1.0]));
    }

    #[test]
    fn footprints_far_from_every_texel_are_not_reached() {
        let image = dot(64, 40, 20);
        let v = centre(20, 64);
        assert!(!image.reached([centre(2, 64), centre(20, 64)], [v, v]));
        assert!(!image.reached([centre(40, 64); 2], [centre(50, 64), centre(60, 64)]));
        // Wholly outside the image: only the transparent border could be read.
        assert!(!image.reached([1.5, 2.0], [v, v]));
        assert!(!image.reached([centre(40, 64); 2], [-3.0, -0.5]));
    }

    #[test]
    fn the_margin_and_blocks_err_towards_drawing() {
        let image = dot(64, 40, 20);
        let v = centre(20, 64);
        // Three texels to the left: outside the footprint, inside the margin.
        assert!(image.reached([centre(36, 64), centre(37, 64)], [v, v]));
        // Coordinates far from the image, or not numbers, are never judged.
        assert!(image.reached([-9.0, -8.0], [v, v]));
        assert!(image.reached([f32::NAN, 0.5], [v, v]));
    }

    #[test]
    fn spans_hold_the_content_and_stay_in_the_grown_image() {
        let span = dot(64, 40, 20).span().unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(span[0][0], 37.5 / 64.0) && close(span[0][1], 43.5 / 64.0));
        assert!(close(span[1][0], 17.5 / 64.0) && close(span[1][1], 23.5 / 64.0));
        let corner = dot(64, 0, 63).span().unwrap();
        assert_eq!(
            corner,
            [[-1.0 / 64.0, 3.5 / 64.0], [60.5 / 64.0, 65.0 / 64.0]]
        );
        assert_eq!(whole_image([4, 8]), [[-0.25, 1.25], [-0.125, 1.125]]);
        assert!(Occupancy::new(2, 2, &[0; 16]).span().is_none());
    }

    #[test]
    fn triangles_without_coverage_or_content_change_nothing() {
        let image = dot(64, 40, 20);
        let (u, v) = (centre(40, 64), centre(20, 64));
        let corner = |u, v, alpha| MeshVertex {
            u,
            v,
            alpha,
            w: 1.0,
            ..MeshVertex::default()
        };
        let over = [corner(u, v, 1.0), corner(u, v, 0.0), corner(u, v, 0.0)];
        let beside = [
            corner(0.1, 0.1, 1.0),
            corner(0.2, 0.1, 1.0),
            corner(0.1, 0.2, 1.0),
        ];
        let clear = [corner(u, v, 0.0), corner(u, v, -1.0), corner(u, v, 0.0)];
        let culling = MeshCulling::new(0.5, &image);
        assert!(culling.keeps(over.each_ref()));
        assert!(!culling.keeps(beside.each_ref()));
        assert!(!culling.keeps(clear.each_ref()));
        // A negative opacity over negative alphas is a positive coverage.
        assert!(MeshCulling::new(-1.0, &image).keeps(clear.each_ref()));
        assert!(!MeshCulling::new(f32::NAN, &image).keeps(over.each_ref()));
    }

    #[test]
    fn images_of_any_size_are_scanned() {
        let image = dot(13, 12, 0);
        assert_eq!(image.columns, 2);
        assert!(image.reached([1.0, 1.0], [0.0, 0.0]));
        assert!(!image.reached([0.0, 0.2], [0.0, 1.0]));
        let empty = Occupancy::new(5, 3, &[0; 60]);
        assert!(!empty.reached([-0.5, 1.5], [-0.5, 1.5]));
    }
}
