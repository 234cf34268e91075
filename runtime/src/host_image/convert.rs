//! The pixel loops: a host buffer into an upright RGB frame and back. NV21 goes through the
//! same arithmetic as the Y4M reader and writer ([`crate::video::yuv`]), in [`rows`].

use effect_api::{Frame, FrameView, PixelFormat};

use super::orientation::{UprightMap, stored_pixels_of_upright_rows};
use super::{HostImage, HostImageError, HostImageLayout, HostImageMut, HostPixelFormat};
use crate::helper_thread::HelperThread;

/// Reads `image` into `frame` as upright RGB. `frame`'s buffer is reused when it is
/// already an Rgb8 frame of the upright size (so a warm loop allocates nothing); otherwise
/// it is replaced by a new Rgb8 frame of that size.
pub fn read_upright(image: &HostImage, frame: &mut Frame) {
    read_upright_on(image, frame, None);
}

/// [`read_upright`], the lower half of the upright rows read on `helper` at the same time
/// (the same bytes: each upright pixel is read from the image alone).
pub fn read_upright_on(image: &HostImage, frame: &mut Frame, helper: Option<&mut HelperThread>) {
    let layout = image.layout();
    let (width, height) = layout.upright_size();
    if frame.format() != PixelFormat::Rgb8 || frame.width() != width || frame.height() != height {
        let data = vec![0; width as usize * height as usize * 3];
        // `HostImage::new` checked that both sides are at least 1 and that the frame fits in
        // memory, and `data` is exactly the packed size: `from_packed` cannot fail.
        *frame = Frame::from_packed(data, width, height, PixelFormat::Rgb8)
            .expect("a validated host image has a valid upright size");
    }
    let row_bytes = width as usize * 3;
    let upright = UprightRows {
        image,
        map: UprightMap::new(layout, row_bytes, 3),
    };
    let out = frame.data_mut();
    let height = height as usize;
    match helper {
        Some(helper) if height >= ROWS_WORTH_A_HELPER => {
            // Upright rows are stored columns under a quarter turn: split where both halves
            // start at an even stored column, so NV21's (V, U) pairs split with the lumas.
            let starts_even = |middle: usize| {
                [0..middle, middle..height].into_iter().all(|rows| {
                    let [columns, _] = stored_pixels_of_upright_rows(layout, rows);
                    columns.start % 2 == 0
                })
            };
            let mut middle = height / 2;
            if !starts_even(middle) {
                middle -= 1;
            }
            let (top, bottom) = out.split_at_mut(middle * row_bytes);
            let upright = &upright;
            helper.join(
                || upright.read(top, 0..middle),
                move || upright.read(bottom, middle..height),
            );
        }
        _ => upright.read(out, 0..height),
    }
}

/// A host image to be read into an upright frame's rows.
struct UprightRows<'a, 'b> {
    image: &'a HostImage<'b>,
    map: UprightMap,
}

impl UprightRows<'_, '_> {
    /// Reads upright rows `rows` into `out`, which holds just those rows.
    fn read(&self, out: &mut [u8], rows: std::ops::Range<usize>) {
        let layout = self.image.layout();
        let map = self
            .map
            .into_band_at(rows.start * layout.upright_size().0 as usize * 3);
        let stored = stored_pixels_of_upright_rows(layout, rows);
        let [plane, chroma] = self.image.planes();
        let strides = layout.strides;
        match layout.format {
            HostPixelFormat::Rgba8 => rows::read_rgba::<0, 2>(plane, strides[0], stored, &map, out),
            HostPixelFormat::Bgra8 => rows::read_rgba::<2, 0>(plane, strides[0], stored, &map, out),
            HostPixelFormat::Nv21 => rows::read_nv21(plane, chroma, strides, stored, &map, out),
        }
    }
}

/// Writes the upright `frame` (RGB or RGBA; its alpha is ignored) into `image`, turned back
/// to the stored orientation. RGBA and BGRA get alpha 255; bytes between a row's last pixel
/// and the next row (stride padding) are left as they are.
pub fn write_upright(frame: FrameView, image: &mut HostImageMut) -> Result<(), HostImageError> {
    write_upright_on(frame, image, None)
}

/// [`write_upright`], the lower half of the stored rows written on `helper` at the same
/// time (the same bytes: each stored row is written from the frame alone).
pub fn write_upright_on(
    frame: FrameView,
    image: &mut HostImageMut,
    helper: Option<&mut HelperThread>,
) -> Result<(), HostImageError> {
    let layout = *image.layout();
    let (upright_width, upright_height) = layout.upright_size();
    if (frame.width(), frame.height()) != (upright_width, upright_height) {
        return Err(HostImageError::FrameSize {
            frame_width: frame.width(),
            frame_height: frame.height(),
            upright_width,
            upright_height,
            width: layout.width,
            height: layout.height,
            degrees: layout.rotation.degrees(),
        });
    }
    let stored = StoredRows {
        frame,
        map: UprightMap::new(&layout, frame.stride(), frame.format().bytes_per_pixel()),
        layout,
    };
    let height = layout.height as usize;
    let [plane, chroma] = &mut image.planes;
    match helper {
        Some(helper) if height >= ROWS_WORTH_A_HELPER => {
            // An even row, so that NV21's chroma rows split with the luma rows.
            let middle = (height / 2) & !1;
            let (plane_top, plane_bottom) = plane.split_at_mut(middle * layout.strides[0]);
            let chroma_split = (middle / 2 * layout.strides[1]).min(chroma.len());
            let (chroma_top, chroma_bottom) = chroma.split_at_mut(chroma_split);
            let stored = &stored;
            helper.join(
                || stored.write([plane_top, chroma_top], 0..middle),
                move || stored.write([plane_bottom, chroma_bottom], middle..height),
            );
        }
        _ => stored.write([plane, chroma], 0..height),
    }
    Ok(())
}

/// Below this many stored rows, handing half of a conversion to a helper thread saves less
/// than waiting for it costs.
const ROWS_WORTH_A_HELPER: usize = 64;

/// An upright frame to be written into a host buffer's stored rows.
struct StoredRows<'a> {
    frame: FrameView<'a>,
    map: UprightMap,
    layout: HostImageLayout,
}

impl StoredRows<'_> {
    /// Writes stored rows `rows` (an even first row) into `planes`, which start at that row
    /// (NV21's chroma plane at its chroma row).
    fn write(&self, [plane, chroma]: [&mut [u8]; 2], rows: std::ops::Range<usize>) {
        let (data, map) = (self.frame.data(), &self.map);
        let width = self.layout.width as usize;
        let size = [width, self.layout.height as usize];
        let strides = self.layout.strides;
        let stride = strides[0];
        let chroma_rows = rows.start / 2..rows.end.div_ceil(2);
        match (self.layout.format, self.frame.format()) {
            (HostPixelFormat::Rgba8, PixelFormat::Rgb8) => {
                rows::write_rgba::<3, 0, 2>(data, map, plane, stride, width, rows);
            }
            (HostPixelFormat::Rgba8, PixelFormat::Rgba8) => {
                rows::write_rgba::<4, 0, 2>(data, map, plane, stride, width, rows);
            }
            (HostPixelFormat::Bgra8, PixelFormat::Rgb8) => {
                rows::write_rgba::<3, 2, 0>(data, map, plane, stride, width, rows);
            }
            (HostPixelFormat::Bgra8, PixelFormat::Rgba8) => {
                rows::write_rgba::<4, 2, 0>(data, map, plane, stride, width, rows);
            }
            (HostPixelFormat::Nv21, PixelFormat::Rgb8) => {
                rows::write_nv21::<3>(data, map, plane, chroma, strides, size, chroma_rows);
            }
            (HostPixelFormat::Nv21, PixelFormat::Rgba8) => {
                rows::write_nv21::<4>(data, map, plane, chroma, strides, size, chroma_rows);
            }
        }
    }
}

mod rows;
#[cfg(test)]
mod tests;
