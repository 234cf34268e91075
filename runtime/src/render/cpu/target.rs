//! The frame being drawn on: its pixels by position and by row, and the conversions of
//! whole rows between 8-bit codes and values, compiled once per pixel size so that the
//! compiler knows where each pixel's bytes are.

use effect_api::{Frame, PixelFormat};

use super::blend::{Lanes, code, store, values};
use super::lut::{PreparedLut, mix};
use super::raster::Rect;
use crate::render::RenderError;

/// The frame's packed pixels; red, green and blue are each pixel's first three bytes, and
/// an alpha byte, if any, is never touched. A target may hold only a band of the frame's
/// rows ([`Target::band`], [`Target::split_at_row`]); positions are always the frame's.
pub(super) struct Target<'a> {
    data: &'a mut [u8],
    width: usize,
    height: usize,
    format: PixelFormat,
    /// The frame row that `data` starts at (0 unless this is a band).
    first_row: usize,
}

impl<'a> Target<'a> {
    /// The frame's pixels; an error when its buffer is shorter than its size says.
    pub(super) fn new(frame: &'a mut Frame) -> Result<Self, RenderError> {
        let format = frame.format();
        let (width, height) = (frame.width() as usize, frame.height() as usize);
        let data = frame.data_mut();
        if data.len() < width * height * format.bytes_per_pixel() {
            return Err(RenderError::InvalidAsset(format!(
                "the {width}×{height} frame holds only {} bytes",
                data.len()
            )));
        }
        Ok(Self {
            data,
            width,
            height,
            format,
            first_row: 0,
        })
    }

    /// The frame rows this target holds.
    pub(super) fn rows(&self) -> std::ops::Range<usize> {
        self.first_row..self.first_row + self.height
    }

    /// The target's rows `rows` (clipped to [`Self::rows`]) as a target of their own, or
    /// `None` when none of them is here.
    pub(super) fn band(&mut self, rows: std::ops::Range<usize>) -> Option<Target<'_>> {
        let own = self.rows();
        let (start, end) = (rows.start.max(own.start), rows.end.min(own.end));
        if start >= end {
            return None;
        }
        let row_bytes = self.width * self.format.bytes_per_pixel();
        let data = &mut self.data[(start - own.start) * row_bytes..(end - own.start) * row_bytes];
        Some(Target::over(data, self.width, self.format, start..end))
    }

    /// Splits the target at frame row `row` (clipped to its rows) into the rows above and
    /// the rows from `row` on: two targets over disjoint memory, which two threads may draw
    /// at once.
    pub(super) fn split_at_row(self, row: usize) -> (Target<'a>, Target<'a>) {
        let own = self.rows();
        let row = row.clamp(own.start, own.end);
        let row_bytes = self.width * self.format.bytes_per_pixel();
        let (top, bottom) = self.data.split_at_mut((row - own.start) * row_bytes);
        (
            Target::over(top, self.width, self.format, own.start..row),
            Target::over(bottom, self.width, self.format, row..own.end),
        )
    }

    /// A target over `data`, which holds the frame's rows `rows`.
    fn over(
        data: &'a mut [u8],
        width: usize,
        format: PixelFormat,
        rows: std::ops::Range<usize>,
    ) -> Self {
        Target {
            data,
            width,
            height: rows.len(),
            format,
            first_row: rows.start,
        }
    }

    /// Width in pixels.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// The pixels this target holds (the whole frame, or a band's rows).
    pub(super) fn rect(&self) -> Rect {
        Rect {
            x0: 0,
            y0: self.first_row,
            x1: self.width,
            y1: self.first_row + self.height,
        }
    }

    /// The RGB bytes of pixel `(x, y)`.
    #[inline(always)]
    pub(super) fn rgb_mut(&mut self, x: usize, y: usize) -> Option<&mut [u8]> {
        let y = y.checked_sub(self.first_row)?;
        let start = (y * self.width + x) * self.format.bytes_per_pixel();
        self.data.get_mut(start..start + 3)
    }

    /// The bytes of row `y`, columns `x0..x1`.
    fn row_mut(&mut self, y: usize, x0: usize, x1: usize) -> &mut [u8] {
        let size = self.format.bytes_per_pixel();
        let Some(y) = y.checked_sub(self.first_row) else {
            return &mut [];
        };
        let start = (y * self.width + x0) * size;
        let end = (y * self.width + x1) * size;
        self.data.get_mut(start..end).unwrap_or_default()
    }

    /// Replaces `scratch` with the values of the pixels in `region`, row by row.
    pub(super) fn load(&mut self, region: Rect, scratch: &mut Vec<Lanes>) {
        scratch.clear();
        for y in region.y0..region.y1 {
            let format = self.format;
            let row = self.row_mut(y, region.x0, region.x1);
            match format {
                PixelFormat::Rgb8 => load_row::<3>(row, scratch),
                PixelFormat::Rgba8 => load_row::<4>(row, scratch),
            }
        }
    }

    /// Rounds the values in `scratch` (as [`Self::load`] left them) back into `region`.
    pub(super) fn store(&mut self, region: Rect, scratch: &[Lanes]) {
        let width = region.width();
        if width == 0 {
            return;
        }
        for (y, values) in (region.y0..region.y1).zip(scratch.chunks_exact(width)) {
            let format = self.format;
            let row = self.row_mut(y, region.x0, region.x1);
            match format {
                PixelFormat::Rgb8 => store_row::<3>(row, values),
                PixelFormat::Rgba8 => store_row::<4>(row, values),
            }
        }
    }

    /// Grades every pixel through `lut` by `k`.
    pub(super) fn grade(&mut self, lut: &PreparedLut, k: f32) {
        // Neighbouring pixels are often equal; reusing the last result is exact.
        let mut last = ([0; 3], graded(lut, [0; 3], k));
        for y in self.rows() {
            let (format, width) = (self.format, self.width);
            let row = self.row_mut(y, 0, width);
            match format {
                PixelFormat::Rgb8 => grade_row::<3>(row, lut, k, &mut last),
                PixelFormat::Rgba8 => grade_row::<4>(row, lut, k, &mut last),
            }
        }
    }
}

/// Appends a row of `N`-byte pixels to `scratch` as values.
#[inline(never)]
fn load_row<const N: usize>(row: &[u8], scratch: &mut Vec<Lanes>) {
    let (pixels, _) = row.as_chunks::<N>();
    scratch.extend(pixels.iter().map(|pixel| values(pixel)));
}

/// Rounds a row of values into `N`-byte pixels.
#[inline(never)]
fn store_row<const N: usize>(row: &mut [u8], values: &[Lanes]) {
    let (pixels, _) = row.as_chunks_mut::<N>();
    for (pixel, value) in pixels.iter_mut().zip(values) {
        store(pixel, *value);
    }
}

/// Grades a row of `N`-byte pixels through `lut` by `k`. `last` holds the last input and
/// its result, reused while the input repeats.
#[inline(never)]
fn grade_row<const N: usize>(
    row: &mut [u8],
    lut: &PreparedLut,
    k: f32,
    last: &mut ([u8; 3], [u8; 3]),
) {
    let (pixels, _) = row.as_chunks_mut::<N>();
    for pixel in pixels {
        let Some(rgb) = pixel.first_chunk_mut::<3>() else {
            continue;
        };
        if *rgb != last.0 {
            *last = (*rgb, graded(lut, *rgb, k));
        }
        *rgb = last.1;
    }
}

/// The codes `rgb` becomes through `lut` at strength `k`.
#[inline(always)]
fn graded(lut: &PreparedLut, rgb: [u8; 3], k: f32) -> [u8; 3] {
    let mixed = mix(values(&rgb), lut.apply_codes(rgb), k);
    [code(mixed[0]), code(mixed[1]), code(mixed[2])]
}
