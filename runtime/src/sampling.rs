//! Reading frame colours at fractional pixel positions. Every resampling in the pipeline
//! (the detector's letterbox, the mesh's region, the face crop) goes through
//! [`bilinear`], many thousand times a frame, so it indexes the frame's bytes directly.

use effect_api::{FrameView, PixelFormat, Point2};

/// A grid of sample positions laid over a frame by an affine map: where the output's first
/// pixel falls, and how far one step along an output row and one step down an output
/// column move in the frame. Positions use [`bilinear`]'s convention (pixel centres at
/// whole numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleGrid {
    /// Frame position of output pixel (0, 0).
    pub origin: Point2,
    /// Frame offset from one output pixel to the next along a row.
    pub column_step: Point2,
    /// Frame offset from one output row to the next.
    pub row_step: Point2,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
}

/// Output pixels are visited in square tiles of this side, so that the frame rows a
/// rotated grid crosses stay in cache while a tile is sampled.
const TILE: usize = 16;

/// Positions are walked in 16.16 fixed point: a step is one integer add, the pixel index a
/// shift and the interpolation weight (8 bits, 1/256 of a pixel) a mask. Frames larger
/// than this many pixels on a side, or grids reaching this far outside the frame, take
/// the floating-point path instead, since their positions would not fit.
const FIXED_POINT_LIMIT: f32 = 16384.0;
const FIXED_ONE: f32 = 65536.0;

impl SampleGrid {
    /// Samples the frame at every grid position, bilinearly as [`bilinear`] does (edge
    /// pixels repeat outside the frame), and hands each colour (0..255 per channel) to
    /// `write` with the output pixel's index (`row * width + column`), in tile order.
    #[inline]
    pub fn sample(&self, frame: FrameView<'_>, write: impl FnMut(usize, [f32; 3])) {
        if !self.fits_fixed_point(frame) {
            return self.sample_floating(frame, write);
        }
        match frame.format() {
            PixelFormat::Rgb8 => self.sample_fixed::<3>(frame, write),
            PixelFormat::Rgba8 => self.sample_fixed::<4>(frame, write),
        }
    }

    /// Frame position of output pixel (`column`, `row`).
    fn position(&self, column: usize, row: usize) -> Point2 {
        let (column, row) = (column as f32, row as f32);
        Point2::new(
            self.origin.x + self.column_step.x * column + self.row_step.x * row,
            self.origin.y + self.column_step.y * column + self.row_step.y * row,
        )
    }

    fn fits_fixed_point(&self, frame: FrameView<'_>) -> bool {
        let (last_column, last_row) = (self.width as usize, self.height as usize);
        let corners = [
            (0, 0),
            (last_column, 0),
            (0, last_row),
            (last_column, last_row),
        ];
        frame.width().max(frame.height()) as f32 <= FIXED_POINT_LIMIT
            && corners.iter().all(|&(column, row)| {
                let corner = self.position(column, row);
                corner.x.abs() <= FIXED_POINT_LIMIT && corner.y.abs() <= FIXED_POINT_LIMIT
            })
    }

    fn tiles(&self) -> impl Iterator<Item = (usize, usize)> + use<> {
        let (width, height) = (self.width as usize, self.height as usize);
        (0..height)
            .step_by(TILE)
            .flat_map(move |row| (0..width).step_by(TILE).map(move |column| (column, row)))
    }

    fn sample_floating(&self, frame: FrameView<'_>, mut write: impl FnMut(usize, [f32; 3])) {
        let width = self.width as usize;
        for row in 0..self.height as usize {
            for column in 0..width {
                let position = self.position(column, row);
                write(
                    row * width + column,
                    bilinear(frame, position.x, position.y),
                );
            }
        }
    }

    #[inline(always)]
    fn sample_fixed<const BYTES_PER_PIXEL: usize>(
        &self,
        frame: FrameView<'_>,
        mut write: impl FnMut(usize, [f32; 3]),
    ) {
        let (width, height) = (self.width as usize, self.height as usize);
        let data = frame.data();
        let stride = frame.stride();
        let max_x = (frame.width() as i32 - 1) << 16;
        let max_y = (frame.height() as i32 - 1) << 16;
        let to_fixed = |value: f32| (value * FIXED_ONE) as i32;
        let (step_x, step_y) = (to_fixed(self.column_step.x), to_fixed(self.column_step.y));
        // The sum of the four weights (256 each way) scaled back to 0..255.
        let unscale = 1.0 / 65536.0;
        for (tile_column, tile_row) in self.tiles() {
            let tile_end = (tile_column + TILE).min(width);
            for row in tile_row..(tile_row + TILE).min(height) {
                // Each row segment starts from an exact position, so rounding in the steps
                // never adds up over more than one tile.
                let start = self.position(tile_column, row);
                let (mut x, mut y) = (to_fixed(start.x), to_fixed(start.y));
                for column in tile_column..tile_end {
                    let (px, py) = (x.clamp(0, max_x), y.clamp(0, max_y));
                    let (fx, fy) = (((px >> 8) & 0xFF) as u32, ((py >> 8) & 0xFF) as u32);
                    // At the last column or row the weight of the next one is zero.
                    let right = if px < max_x { BYTES_PER_PIXEL } else { 0 };
                    let down = if py < max_y { stride } else { 0 };
                    let top_left =
                        (py >> 16) as usize * stride + (px >> 16) as usize * BYTES_PER_PIXEL;
                    let upper = &data[top_left..top_left + right + 3];
                    let lower = &data[top_left + down..top_left + down + right + 3];
                    let rgb = std::array::from_fn(|channel| {
                        let blend = |row: &[u8]| {
                            row[channel] as u32 * (256 - fx) + row[right + channel] as u32 * fx
                        };
                        (blend(upper) * (256 - fy) + blend(lower) * fy) as f32 * unscale
                    });
                    write(row * width + column, rgb);
                    x = x.wrapping_add(step_x);
                    y = y.wrapping_add(step_y);
                }
            }
        }
    }
}

/// The colour at a fractional position, bilinearly interpolated between the four nearest
/// pixel centres (pixel (i, j)'s centre is at (i, j)); positions outside the frame take
/// the nearest edge pixel.
#[inline]
pub fn bilinear(frame: FrameView<'_>, x: f32, y: f32) -> [f32; 3] {
    match frame.format() {
        PixelFormat::Rgb8 => bilinear_packed::<3>(frame, x, y),
        PixelFormat::Rgba8 => bilinear_packed::<4>(frame, x, y),
    }
}

#[inline(always)]
fn bilinear_packed<const BYTES_PER_PIXEL: usize>(frame: FrameView<'_>, x: f32, y: f32) -> [f32; 3] {
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    // `max` drops a NaN (where `clamp` would keep it), so a NaN reads the first pixel.
    let x = x.max(0.0).min((width - 1) as f32);
    let y = y.max(0.0).min((height - 1) as f32);
    let (x0, y0) = (x as usize, y as usize);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let next_column = if x0 + 1 < width { BYTES_PER_PIXEL } else { 0 };
    let next_row = if y0 + 1 < height { frame.stride() } else { 0 };
    let data = frame.data();
    let top_left = y0 * frame.stride() + x0 * BYTES_PER_PIXEL;
    let bottom_left = top_left + next_row;
    let texel = |offset: usize| -> [f32; 3] {
        let bytes = &data[offset..offset + 3];
        [bytes[0] as f32, bytes[1] as f32, bytes[2] as f32]
    };
    let (a, b) = (texel(top_left), texel(top_left + next_column));
    let (c, d) = (texel(bottom_left), texel(bottom_left + next_column));
    std::array::from_fn(|channel| {
        let top = a[channel] + (b[channel] - a[channel]) * fx;
        let bottom = c[channel] + (d[channel] - c[channel]) * fx;
        top + (bottom - top) * fy
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use effect_api::Frame;

    fn two_by_two(format: PixelFormat) -> Frame {
        let pixels: [[u8; 3]; 4] = [[0, 10, 20], [100, 110, 120], [200, 210, 220], [40, 50, 60]];
        let data = pixels
            .iter()
            .flat_map(|rgb| {
                let alpha = (format == PixelFormat::Rgba8).then_some(255);
                rgb.iter().copied().chain(alpha)
            })
            .collect();
        Frame::from_packed(data, 2, 2, format).unwrap()
    }

    #[test]
    fn pixel_centres_give_their_own_colour_and_midpoints_blend() {
        for format in [PixelFormat::Rgb8, PixelFormat::Rgba8] {
            let frame = two_by_two(format);
            assert_eq!(bilinear(frame.view(), 1.0, 0.0), [100.0, 110.0, 120.0]);
            assert_eq!(bilinear(frame.view(), 0.5, 0.0), [50.0, 60.0, 70.0]);
            assert_eq!(bilinear(frame.view(), 0.5, 0.5), [85.0, 95.0, 105.0]);
        }
    }

    #[test]
    fn a_grid_visits_every_output_pixel_once_at_its_position() {
        let frame = two_by_two(PixelFormat::Rgb8);
        let grid = SampleGrid {
            origin: Point2::new(0.0, 0.0),
            column_step: Point2::new(0.05, 0.0),
            row_step: Point2::new(0.0, 0.05),
            width: 21,
            height: 19,
        };
        let mut seen = vec![0u32; 21 * 19];
        grid.sample(frame.view(), |index, rgb| {
            seen[index] += 1;
            let (column, row) = ((index % 21) as f32, (index / 21) as f32);
            let exact = bilinear(frame.view(), column * 0.05, row * 0.05);
            // Fixed-point weights are 1/256 of a pixel: within one level of the exact blend.
            for (fixed, exact) in rgb.iter().zip(exact) {
                assert!((fixed - exact).abs() <= 1.0, "{rgb:?} against {exact:?}");
            }
        });
        assert!(seen.iter().all(|&count| count == 1));
    }

    #[test]
    fn a_grid_far_outside_the_frame_repeats_the_edge() {
        let frame = two_by_two(PixelFormat::Rgba8);
        for origin in [Point2::new(-1e9, 1e9), Point2::new(-5000.0, -5000.0)] {
            let grid = SampleGrid {
                origin,
                column_step: Point2::new(-10.0, 0.0),
                row_step: Point2::new(0.0, 10.0),
                width: 4,
                height: 4,
            };
            grid.sample(frame.view(), |_, rgb| {
                let expected = if origin.y > 0.0 {
                    [200.0, 210.0, 220.0]
                } else {
                    [0.0, 10.0, 20.0]
                };
                assert_eq!(rgb, expected);
            });
        }
    }

    #[test]
    fn outside_the_frame_the_edge_repeats() {
        let frame = two_by_two(PixelFormat::Rgb8);
        assert_eq!(bilinear(frame.view(), -3.0, -1.0), [0.0, 10.0, 20.0]);
        assert_eq!(bilinear(frame.view(), 9.0, 9.0), [40.0, 50.0, 60.0]);
        assert_eq!(bilinear(frame.view(), f32::NAN, 0.0), [0.0, 10.0, 20.0]);
    }
}
