//! The soft mask a face model's result is blended with: the face's outline filled in crop
//! pixels, blurred to the layer's feather width, and faded to zero before the crop's edge
//! so that the pasted square never shows.

/// A square mask of values 0..=1, rebuilt every frame into the same buffers.
#[derive(Debug, Clone)]
pub(crate) struct FeatherMask {
    side: usize,
    values: Vec<f32>,
    scratch: Vec<f32>,
    crossings: Vec<f32>,
}

impl FeatherMask {
    /// An empty mask of `side` × `side` pixels.
    pub(crate) fn new(side: u32) -> Self {
        let side = side as usize;
        Self {
            side,
            values: vec![0.0; side * side],
            scratch: vec![0.0; side * side],
            crossings: Vec::with_capacity(64),
        }
    }

    /// The mask, rows top to bottom.
    pub(crate) fn values(&self) -> &[f32] {
        &self.values
    }

    /// Fills `outline` (a closed polygon in crop pixels) and softens its edge over
    /// `feather_px` pixels: the mask is ½ on the outline and reaches 0 and 1 about half the
    /// feather width outside and inside it.
    pub(crate) fn update(&mut self, outline: &[[f32; 2]], feather_px: f32) {
        self.fill(outline);
        let radius = (feather_px / 4.0).round().max(0.0) as usize;
        if radius > 0 {
            for _ in 0..2 {
                blur_rows(&self.values, &mut self.scratch, self.side, radius);
                transpose(&self.scratch, &mut self.values, self.side);
                blur_rows(&self.values, &mut self.scratch, self.side, radius);
                transpose(&self.scratch, &mut self.values, self.side);
            }
        }
        self.fade_edges((feather_px / 2.0).max(2.0));
    }

    /// 1 at pixels whose centre is inside the polygon (even-odd rule), else 0.
    fn fill(&mut self, outline: &[[f32; 2]]) {
        self.values.fill(0.0);
        if outline.len() < 3 {
            return;
        }
        for row in 0..self.side {
            let y = row as f32 + 0.5;
            self.crossings.clear();
            for (index, start) in outline.iter().enumerate() {
                let end = outline[(index + 1) % outline.len()];
                let (low, high) = if start[1] <= end[1] {
                    (start, &end)
                } else {
                    (&end, start)
                };
                if y >= low[1] && y < high[1] {
                    let t = (y - low[1]) / (high[1] - low[1]);
                    self.crossings.push(low[0] + t * (high[0] - low[0]));
                }
            }
            self.crossings.sort_unstable_by(f32::total_cmp);
            let line = &mut self.values[row * self.side..(row + 1) * self.side];
            for pair in self.crossings.chunks_exact(2) {
                // Pixels whose centre x + 0.5 lies in [pair[0], pair[1]).
                let first = (pair[0] - 0.5).ceil().clamp(0.0, self.side as f32) as usize;
                let last = (pair[1] - 0.5).ceil().clamp(0.0, self.side as f32) as usize;
                line[first..last.max(first)].fill(1.0);
            }
        }
    }

    /// Multiplies by a ramp from 0 at the crop's edge to 1 at `margin` pixels inside.
    fn fade_edges(&mut self, margin: f32) {
        let side = self.side;
        let ramp = |index: usize| ((index.min(side - 1 - index) as f32 + 0.5) / margin).min(1.0);
        for row in 0..side {
            let row_ramp = ramp(row);
            for column in 0..side {
                self.values[row * side + column] *= row_ramp * ramp(column);
            }
        }
    }
}

/// A box blur of `radius` along each row of a square image; pixels outside count as 0.
fn blur_rows(source: &[f32], target: &mut [f32], side: usize, radius: usize) {
    let scale = 1.0 / (2 * radius + 1) as f32;
    for (line, out) in source.chunks_exact(side).zip(target.chunks_exact_mut(side)) {
        let mut sum: f32 = line[..radius.min(side)].iter().sum();
        for (index, value) in out.iter_mut().enumerate() {
            if let Some(entering) = line.get(index + radius) {
                sum += entering;
            }
            if index > radius {
                sum -= line[index - radius - 1];
            }
            *value = sum * scale;
        }
    }
}

fn transpose(source: &[f32], target: &mut [f32], side: usize) {
    for row in 0..side {
        for column in 0..side {
            target[column * side + row] = source[row * side + column];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(low: f32, high: f32) -> Vec<[f32; 2]> {
        vec![[low, low], [high, low], [high, high], [low, high]]
    }

    #[test]
    fn a_hard_mask_covers_exactly_the_pixel_centres_inside() {
        let mut mask = FeatherMask::new(16);
        mask.update(&square(4.0, 12.0), 0.0);
        let inside = mask.values().iter().filter(|&&value| value > 0.0).count();
        assert_eq!(inside, 8 * 8);
        assert_eq!(mask.values()[8 * 16 + 8], 1.0);
        assert_eq!(mask.values()[3 * 16 + 8], 0.0);
    }

    #[test]
    fn feathering_is_half_on_the_outline_and_zero_at_the_crop_edge() {
        let mut mask = FeatherMask::new(64);
        mask.update(&square(-10.0, 74.0), 16.0);
        let values = mask.values();
        assert!(values[0] < 0.2, "corner {}", values[0]);
        assert!((values[32 * 64 + 32] - 1.0).abs() < 1e-5);

        mask.update(&square(16.0, 48.0), 16.0);
        let edge = mask.values()[32 * 64 + 16];
        assert!((0.35..0.65).contains(&edge), "on the outline: {edge}");
        assert!(mask.values()[32 * 64 + 4] < 0.01);
        assert!(mask.values()[32 * 64 + 28] > 0.99);
    }
}
