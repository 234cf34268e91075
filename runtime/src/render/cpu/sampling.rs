//! Bilinear sampling of premultiplied RGBA8 images with a transparent border, and the
//! pixels of a parallelogram (a quad or a patch) with the texel each one maps to.

use super::blend::lerp;

/// The longest side an image may have, in texels.
pub(super) const MAX_SIDE: usize = 1 << 16;

/// A premultiplied RGBA8 image, rows packed top to bottom.
#[derive(Debug, Clone, Copy)]
pub(super) struct Image<'a> {
    texels: &'a [u8],
    width: usize,
    height: usize,
    /// The sides as floats, for comparing sample positions with.
    size: [f32; 2],
}

impl<'a> Image<'a> {
    /// Views `texels` as a `width` × `height` image; `None` when the sizes do not match or a
    /// side is zero or longer than [`MAX_SIDE`].
    pub(super) fn new(texels: &'a [u8], width: usize, height: usize) -> Option<Self> {
        let sides = 1..=MAX_SIDE;
        let fits = sides.contains(&width) && sides.contains(&height);
        (fits && texels.len() == width * height * 4).then_some(Self {
            texels,
            width,
            height,
            size: [width as f32, height as f32],
        })
    }

    /// Width in texels.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// Height in texels.
    pub(super) fn height(&self) -> usize {
        self.height
    }

    /// Width and height in texels, as floats.
    pub(super) fn size(&self) -> [f32; 2] {
        self.size
    }

    /// The bilinear sample at `(x, y)` in texel indices (texel centres at whole numbers),
    /// in codes (0..=255, not yet divided by 255), with every texel outside the image
    /// transparent black. `None` when the sample is transparent black because its texels
    /// lie outside the image or all four are transparent black, or the coordinates are not
    /// finite: a caller then leaves its pixel alone, which every blend mode does for a
    /// transparent black sample anyway. Skipping them matters
    /// for a face model's patch, transparent outside its feathered region.
    #[inline(always)]
    pub(super) fn sample(&self, x: f32, y: f32) -> Option<[f32; 4]> {
        let [width, height] = self.size;
        // Outside (−1, size) both texels on that axis lie outside the image.
        if !(x > -1.0 && x < width && y > -1.0 && y < height) {
            return None;
        }
        if x >= 0.0 && x < width - 1.0 && y >= 0.0 && y < height - 1.0 {
            // All four texels lie inside.
            let (column, fx) = split(x);
            let (row, fy) = split(y);
            let top = row * self.width + column;
            let bottom = top + self.width;
            if self.clear_pair(top) && self.clear_pair(bottom) {
                return None;
            }
            Some(lerp(self.pair(top, fx), self.pair(bottom, fx), fy))
        } else {
            Some(self.sample_at_edge(x, y))
        }
    }

    /// The sample at `(x, y)` (each in (−1, side)) when some of its texels lie outside the
    /// image.
    #[cold]
    #[inline(never)]
    fn sample_at_edge(&self, x: f32, y: f32) -> [f32; 4] {
        // Shifted by one so that the positions are not negative: `column` is the
        // right-hand texel, `column − 1` the left-hand one (and likewise for rows).
        let (column, fx) = split(x + 1.0);
        let (row, fy) = split(y + 1.0);
        let (left, up) = (column.wrapping_sub(1), row.wrapping_sub(1));
        let top = lerp(
            self.texel_or_clear(left, up),
            self.texel_or_clear(column, up),
            fx,
        );
        let bottom = lerp(
            self.texel_or_clear(left, row),
            self.texel_or_clear(column, row),
            fx,
        );
        lerp(top, bottom, fy)
    }

    /// Whether texels `index` and `index + 1` are both transparent black (all bytes 0).
    #[inline(always)]
    fn clear_pair(&self, index: usize) -> bool {
        let start = index * 4;
        self.texels
            .get(start..start + 8)
            .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
            .is_some_and(|bytes| u64::from_ne_bytes(bytes) == 0)
    }

    /// Texels `index` and `index + 1` mixed by `t`.
    #[inline(always)]
    fn pair(&self, index: usize, t: f32) -> [f32; 4] {
        let start = index * 4;
        match self.texels.get(start..start + 8) {
            Some(&[r0, g0, b0, a0, r1, g1, b1, a1]) => lerp(
                [r0, g0, b0, a0].map(f32::from),
                [r1, g1, b1, a1].map(f32::from),
                t,
            ),
            _ => [0.0; 4],
        }
    }

    fn texel_or_clear(&self, column: usize, row: usize) -> [f32; 4] {
        if column >= self.width || row >= self.height {
            return [0.0; 4];
        }
        let start = (row * self.width + column) * 4;
        match self.texels.get(start..start + 4) {
            Some(&[r, g, b, a]) => [r, g, b, a].map(f32::from),
            _ => [0.0; 4],
        }
    }
}

/// 2²³: adding it to a non-negative f32 below 2²² rounds it to a whole number.
const MAGIC: f32 = 8_388_608.0;

/// `floor(x)` and `x − floor(x)` for `0 ≤ x < 2²²` (as every sample position that reaches
/// the image is: sides are at most [`MAX_SIDE`]), without the checks a saturating cast
/// brings.
#[inline(always)]
fn split(x: f32) -> (usize, f32) {
    // `x + MAGIC` holds the whole number nearest `x` in its low mantissa bits.
    let nearest = (x + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits());
    // Integer arithmetic on the comparison, not a select, so that no branch (which the
    // data would make unpredictable) is compiled. `i32` converts in one instruction.
    let whole = nearest.wrapping_sub(u32::from(nearest as i32 as f32 > x));
    (whole as usize, x - whole as i32 as f32)
}

/// An affine map from frame pixels to texel indices, for an image of `width` × `height`
/// texels laid on a parallelogram.
#[derive(Debug, Clone, Copy)]
pub(super) struct TexelMap {
    /// Texel `(x, y)` at frame point (0, 0).
    origin: [f64; 2],
    /// Change of the texel position per frame pixel to the right.
    step_x: [f64; 2],
    /// Change of the texel position per frame pixel down.
    step_y: [f64; 2],
    /// Image width in texels.
    width: f64,
    /// Image height in texels.
    height: f64,
}

impl TexelMap {
    /// The map for a frame parallelogram whose image point `(s, t)` (0..=1 each) lies at
    /// `corner + s · across + t · down`; `None` when it has no area or is not finite.
    pub(super) fn parallelogram(
        corner: [f64; 2],
        across: [f64; 2],
        down: [f64; 2],
        width: f64,
        height: f64,
    ) -> Option<Self> {
        let det = across[0] * down[1] - across[1] * down[0];
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        // (s, t) = inverse([across down]) · (p − corner); texel = (s·W − 0.5, t·H − 0.5).
        let s = [down[1] / det, -down[0] / det];
        let t = [-across[1] / det, across[0] / det];
        let step_x = [s[0] * width, t[0] * height];
        let step_y = [s[1] * width, t[1] * height];
        let origin = [
            -(step_x[0] * corner[0] + step_y[0] * corner[1]) - 0.5,
            -(step_x[1] * corner[0] + step_y[1] * corner[1]) - 0.5,
        ];
        let map = Self {
            origin,
            step_x,
            step_y,
            width,
            height,
        };
        map.is_finite().then_some(map)
    }

    fn is_finite(&self) -> bool {
        [self.origin, self.step_x, self.step_y]
            .iter()
            .flatten()
            .all(|value| value.is_finite())
    }

    /// The frame rows (clipped to `0..frame_height`) whose pixel centres may map into the
    /// grown image: where the parallelogram's bounding box lies, a pixel wider each way.
    pub(super) fn row_bounds(&self, frame_height: usize) -> std::ops::Range<usize> {
        // The grown image's corners in texels, mapped back to frame positions.
        let det = self.step_x[0] * self.step_y[1] - self.step_y[0] * self.step_x[1];
        if det == 0.0 || !det.is_finite() {
            return 0..0;
        }
        let mut low = f64::INFINITY;
        let mut high = f64::NEG_INFINITY;
        for texel in [
            [-1.5, -1.5],
            [self.width + 0.5, -1.5],
            [-1.5, self.height + 0.5],
            [self.width + 0.5, self.height + 0.5],
        ] {
            // texel = origin + step_x·px + step_y·py, solved for py.
            let (dx, dy) = (texel[0] - self.origin[0], texel[1] - self.origin[1]);
            let py = (self.step_x[0] * dy - self.step_x[1] * dx) / det;
            low = low.min(py);
            high = high.max(py);
        }
        if !(low.is_finite() && high.is_finite()) {
            return 0..frame_height;
        }
        let first = (low.floor() - 1.0).max(0.0) as usize;
        let end = ((high.ceil() + 1.0).max(0.0) as usize).min(frame_height);
        first.min(end)..end
    }

    /// Calls `pixel(column, row, x, y)` for every pixel of a `frame_width` ×
    /// `frame_height` frame whose centre maps into the image grown by one texel on every
    /// side, with `(x, y)` the texel position it maps to.
    #[cfg(test)]
    pub(super) fn for_each_pixel(
        &self,
        frame_width: usize,
        frame_height: usize,
        pixel: impl FnMut(usize, usize, f32, f32),
    ) {
        self.for_each_pixel_in_rows(frame_width, 0..frame_height, pixel);
    }

    /// [`Self::for_each_pixel`] over frame rows `rows` only: each pixel gets the same
    /// texel position whichever rows are asked for, so bands drawn apart make the same
    /// picture as the whole.
    pub(super) fn for_each_pixel_in_rows(
        &self,
        frame_width: usize,
        rows: std::ops::Range<usize>,
        mut pixel: impl FnMut(usize, usize, f32, f32),
    ) {
        if frame_width == 0 {
            return;
        }
        // The grown image, in texel indices: s ∈ [−1/W, 1 + 1/W] is x ∈ [−1.5, W + 0.5].
        let (x_range, y_range) = ([-1.5, self.width + 0.5], [-1.5, self.height + 0.5]);
        for row in rows {
            let centre_y = row as f64 + 0.5;
            // Texel position at the centre of column 0 of this row.
            let start = [
                self.origin[0] + self.step_x[0] * 0.5 + self.step_y[0] * centre_y,
                self.origin[1] + self.step_x[1] * 0.5 + self.step_y[1] * centre_y,
            ];
            let mut span = [0.0, frame_width as f64 - 1.0];
            for (axis, range) in [x_range, y_range].into_iter().enumerate() {
                span = clip_span(span, start[axis], self.step_x[axis], range);
            }
            if span[0] > span[1] {
                continue;
            }
            let (first, last) = (span[0] as usize, span[1] as usize);
            let base_x = start[0] + self.step_x[0] * first as f64;
            let base_y = start[1] + self.step_x[1] * first as f64;
            for (offset, column) in (first..=last).enumerate() {
                let offset = offset as f64;
                pixel(
                    column,
                    row,
                    (base_x + self.step_x[0] * offset) as f32,
                    (base_y + self.step_x[1] * offset) as f32,
                );
            }
        }
    }
}

/// Narrows the whole-number column span `span` (inclusive, possibly empty when its start
/// passes its end) to the columns `i` where `start + step · i` lies in `range`.
fn clip_span(span: [f64; 2], start: f64, step: f64, range: [f64; 2]) -> [f64; 2] {
    if step == 0.0 {
        return if start >= range[0] && start <= range[1] {
            span
        } else {
            [1.0, 0.0]
        };
    }
    let (a, b) = ((range[0] - start) / step, (range[1] - start) / step);
    let (low, high) = if step > 0.0 { (a, b) } else { (b, a) };
    [span[0].max(low.ceil()), span[1].min(high.floor())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_blend_towards_a_transparent_border() {
        // One opaque white texel.
        let texels = [255u8; 4];
        let image = Image::new(&texels, 1, 1).unwrap();
        assert_eq!(image.sample(0.0, 0.0), Some([255.0; 4]));
        assert_eq!(image.sample(-0.25, 0.0), Some([191.25; 4]));
        assert_eq!(image.sample(0.5, 0.5), Some([63.75; 4]));
        assert_eq!(image.sample(-1.0, 0.0), None);
        assert_eq!(image.sample(1.0, 0.0), None);
        assert_eq!(image.sample(f32::NAN, 0.0), None);
        assert!(Image::new(&texels, 2, 1).is_none());
    }

    #[test]
    fn samples_among_transparent_black_texels_are_skipped_and_others_kept() {
        // 3×3: transparent black but for one opaque red texel at the bottom right, and one
        // texel at the top right that is transparent but not black (kept: an additive
        // blend would show it).
        let mut texels = [0u8; 36];
        texels[32..36].copy_from_slice(&[255, 0, 0, 255]);
        texels[8..12].copy_from_slice(&[40, 0, 0, 0]);
        let image = Image::new(&texels, 3, 3).unwrap();
        assert_eq!(
            image.sample(0.5, 0.5),
            None,
            "all four texels are transparent black"
        );
        assert_eq!(image.sample(0.0, 1.0), None);
        assert_eq!(image.sample(1.5, 1.5), Some([63.75, 0.0, 0.0, 63.75]));
        assert_eq!(image.sample(1.5, 0.5), Some([10.0, 0.0, 0.0, 0.0]));
    }

    #[test]
    fn split_floors() {
        for x in [
            0.0f32, 0.25, 0.5, 0.999_999, 1.0, 1.5, 2.5, 3.0, 1023.75, 65_535.5,
        ] {
            assert_eq!(split(x), (x.floor() as usize, x - x.floor()), "{x}");
        }
    }

    #[test]
    fn interior_samples_interpolate() {
        let texels = [0, 0, 0, 0, 100, 0, 0, 100, 0, 0, 0, 0, 200, 0, 0, 200];
        let image = Image::new(&texels, 2, 2).unwrap();
        assert_eq!(image.sample(0.5, 0.5).unwrap(), [75.0, 0.0, 0.0, 75.0]);
        assert_eq!(image.sample(1.0, 1.0).unwrap(), [200.0, 0.0, 0.0, 200.0]);
    }

    #[test]
    fn a_parallelogram_covers_its_grown_image() {
        // A 2×2 image on the frame square (1, 1)–(3, 3): the grown image is (0, 0)–(4, 4).
        let map = TexelMap::parallelogram([1.0, 1.0], [2.0, 0.0], [0.0, 2.0], 2.0, 2.0).unwrap();
        let mut seen = Vec::new();
        map.for_each_pixel(6, 6, |column, row, x, y| seen.push((column, row, x, y)));
        assert_eq!(seen.len(), 16);
        assert_eq!(seen[0], (0, 0, -1.0, -1.0));
        assert_eq!(seen[15], (3, 3, 2.0, 2.0));
        assert!(TexelMap::parallelogram([0.0; 2], [1.0, 1.0], [2.0, 2.0], 1.0, 1.0).is_none());
    }
}
