//! The pixel loops: a host buffer into an upright RGB frame and back. NV21 goes through the
//! same Y'CbCr walkers as the Y4M reader and writer ([`crate::video::yuv`]).

use effect_api::{Frame, FrameView, PixelFormat};

use super::orientation::UprightMap;
use super::{HostImage, HostImageError, HostImageLayout, HostImageMut, HostPixelFormat, Rotation};
use crate::video::yuv;

/// Reads `image` into `frame` as upright RGB. `frame`'s buffer is reused when it is
/// already an Rgb8 frame of the upright size (so a warm loop allocates nothing); otherwise
/// it is replaced by a new Rgb8 frame of that size.
pub fn read_upright(image: &HostImage, frame: &mut Frame) {
    let layout = image.layout();
    let (width, height) = layout.upright_size();
    if frame.format() != PixelFormat::Rgb8 || frame.width() != width || frame.height() != height {
        let data = vec![0; width as usize * height as usize * 3];
        // `HostImage::new` checked that both sides are at least 1 and that the frame fits in
        // memory, and `data` is exactly the packed size: `from_packed` cannot fail.
        *frame = Frame::from_packed(data, width, height, PixelFormat::Rgb8)
            .expect("a validated host image has a valid upright size");
    }
    let out = frame.data_mut();
    let (stored_width, stored_height) = (layout.width as usize, layout.height as usize);
    let [plane, chroma] = image.planes();
    if is_identity(layout) {
        // The common case: stored upright, so rows map to rows.
        let rows = out.chunks_exact_mut(stored_width * 3);
        match layout.format {
            HostPixelFormat::Rgba8 => read_rgba_rows::<0, 2>(plane, layout.strides[0], rows),
            HostPixelFormat::Bgra8 => read_rgba_rows::<2, 0>(plane, layout.strides[0], rows),
            HostPixelFormat::Nv21 => read_nv21_rows(plane, chroma, layout.strides, rows),
        }
        return;
    }
    let map = UprightMap::new(layout, width as usize * 3, 3);
    match layout.format {
        HostPixelFormat::Rgba8 | HostPixelFormat::Bgra8 => {
            let [r, g, b] = channel_order(layout.format);
            for y in 0..stored_height {
                let row = &plane[y * layout.strides[0]..][..stored_width * 4];
                let mut offset = map.row_start(y);
                for pixel in row.chunks_exact(4) {
                    let at = offset as usize;
                    out[at..at + 3].copy_from_slice(&[pixel[r], pixel[g], pixel[b]]);
                    offset += map.step_x;
                }
            }
        }
        HostPixelFormat::Nv21 => {
            let planes = nv21_planes(plane, chroma, layout.strides);
            yuv::decode(&planes, stored_width, stored_height, |x, y, pixel| {
                let at = map.offset(x, y);
                out[at..at + 3].copy_from_slice(&pixel);
            });
        }
    }
}

/// Writes the upright `frame` (RGB or RGBA; its alpha is ignored) into `image`, turned back
/// to the stored orientation. RGBA and BGRA get alpha 255; bytes between a row's last pixel
/// and the next row (stride padding) are left as they are.
pub fn write_upright(frame: FrameView, image: &mut HostImageMut) -> Result<(), HostImageError> {
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
    let bytes_per_pixel = frame.format().bytes_per_pixel();
    let map = UprightMap::new(&layout, frame.stride(), bytes_per_pixel);
    let data = frame.data();
    let rgb_at = |at: usize| [data[at], data[at + 1], data[at + 2]];
    let (stored_width, stored_height) = (layout.width as usize, layout.height as usize);
    let [plane, chroma] = &mut image.planes;
    if is_identity(&layout) {
        // The common case: stored upright, so rows map to rows. Each frame row is cut to
        // its pixels (the last row of a view may end there, without the stride's padding).
        let row_bytes = stored_width * bytes_per_pixel;
        let rows = (0..stored_height).map(|y| &data[y * frame.stride()..][..row_bytes]);
        let strides = layout.strides;
        match (layout.format, frame.format()) {
            (HostPixelFormat::Rgba8, PixelFormat::Rgb8) => {
                write_rgba_rows::<3, 0, 2>(rows, plane, strides[0], stored_width);
            }
            (HostPixelFormat::Rgba8, PixelFormat::Rgba8) => {
                write_rgba_rows::<4, 0, 2>(rows, plane, strides[0], stored_width);
            }
            (HostPixelFormat::Bgra8, PixelFormat::Rgb8) => {
                write_rgba_rows::<3, 2, 0>(rows, plane, strides[0], stored_width);
            }
            (HostPixelFormat::Bgra8, PixelFormat::Rgba8) => {
                write_rgba_rows::<4, 2, 0>(rows, plane, strides[0], stored_width);
            }
            (HostPixelFormat::Nv21, PixelFormat::Rgb8) => {
                write_nv21_rows::<3>(
                    data,
                    frame.stride(),
                    plane,
                    chroma,
                    strides,
                    stored_width,
                    stored_height,
                );
            }
            (HostPixelFormat::Nv21, PixelFormat::Rgba8) => {
                write_nv21_rows::<4>(
                    data,
                    frame.stride(),
                    plane,
                    chroma,
                    strides,
                    stored_width,
                    stored_height,
                );
            }
        }
        return Ok(());
    }
    match layout.format {
        HostPixelFormat::Rgba8 | HostPixelFormat::Bgra8 => {
            let [r, g, b] = channel_order(layout.format);
            for y in 0..stored_height {
                let row = &mut plane[y * layout.strides[0]..][..stored_width * 4];
                let mut offset = map.row_start(y);
                for pixel in row.chunks_exact_mut(4) {
                    let [red, green, blue] = rgb_at(offset as usize);
                    (pixel[r], pixel[g], pixel[b], pixel[3]) = (red, green, blue, 255);
                    offset += map.step_x;
                }
            }
        }
        HostPixelFormat::Nv21 => {
            let [luma_stride, chroma_stride] = layout.strides;
            yuv::encode_420(
                stored_width,
                stored_height,
                |x, y| rgb_at(map.offset(x, y)),
                |x, y, luma| plane[y * luma_stride + x] = luma,
                |x, y, cb, cr| {
                    // NV21 stores V (Cr) before U (Cb).
                    let at = y * chroma_stride + 2 * x;
                    (chroma[at], chroma[at + 1]) = (cr, cb);
                },
            );
        }
    }
    Ok(())
}

/// True when the stored buffer is already upright: no turn, no mirror.
fn is_identity(layout: &HostImageLayout) -> bool {
    layout.rotation == Rotation::Upright && !layout.mirrored
}

/// Copies the rows of an upright RGBA or BGRA `plane` (red at byte `R`, blue at byte `B`)
/// into packed RGB `rows`, one stored row each.
fn read_rgba_rows<'a, const R: usize, const B: usize>(
    plane: &[u8],
    stride: usize,
    rows: impl Iterator<Item = &'a mut [u8]>,
) {
    for (y, out) in rows.enumerate() {
        let row = &plane[y * stride..][..out.len() / 3 * 4];
        for (rgb, pixel) in out.chunks_exact_mut(3).zip(row.chunks_exact(4)) {
            rgb.copy_from_slice(&[pixel[R], pixel[1], pixel[B]]);
        }
    }
}

/// Decodes the rows of an upright NV21 image into packed RGB `rows`, one stored row each:
/// the same bytes as [`yuv::decode`] over [`nv21_planes`], each (V, U) pair's terms worked
/// out once for the two pixels that share it.
fn read_nv21_rows<'a>(
    luma: &[u8],
    chroma: &[u8],
    strides: [usize; 2],
    rows: impl Iterator<Item = &'a mut [u8]>,
) {
    let [luma_stride, chroma_stride] = strides;
    for (y, out) in rows.enumerate() {
        let width = out.len() / 3;
        let luma_row = &luma[y * luma_stride..][..width];
        let vu_row = &chroma[(y / 2) * chroma_stride..][..2 * width.div_ceil(2)];
        let mut out_pairs = out.chunks_exact_mut(6);
        let mut luma_pairs = luma_row.chunks_exact(2);
        let mut vu_pairs = vu_row.chunks_exact(2);
        for ((pair, lumas), vu) in (&mut out_pairs).zip(&mut luma_pairs).zip(&mut vu_pairs) {
            let terms = yuv::ChromaTerms::new(vu[1], vu[0]);
            pair[..3].copy_from_slice(&terms.rgb(lumas[0]));
            pair[3..].copy_from_slice(&terms.rgb(lumas[1]));
        }
        // An odd width leaves one pixel, with the row's last (V, U) pair.
        if let ([last_luma], Some([v, u])) = (luma_pairs.remainder(), vu_pairs.next()) {
            let terms = yuv::ChromaTerms::new(*u, *v);
            out_pairs
                .into_remainder()
                .copy_from_slice(&terms.rgb(*last_luma));
        }
    }
}

/// Writes upright frame `rows` of `BYTES`-byte pixels into an RGBA or BGRA `plane` (red
/// at byte `R`, blue at byte `B`, alpha 255), `width` pixels a row, padding untouched.
fn write_rgba_rows<'a, const BYTES: usize, const R: usize, const B: usize>(
    rows: impl Iterator<Item = &'a [u8]>,
    plane: &mut [u8],
    stride: usize,
    width: usize,
) {
    for (y, row) in rows.enumerate() {
        let out = &mut plane[y * stride..][..width * 4];
        for (pixel, rgb) in out.chunks_exact_mut(4).zip(row.chunks_exact(BYTES)) {
            (pixel[R], pixel[1], pixel[B], pixel[3]) = (rgb[0], rgb[1], rgb[2], 255);
        }
    }
}

/// Encodes an upright frame of `BYTES`-byte pixels (`data`, rows `frame_stride` apart)
/// into NV21 planes: the same bytes as [`yuv::encode_420`], two rows at a time.
fn write_nv21_rows<const BYTES: usize>(
    data: &[u8],
    frame_stride: usize,
    luma: &mut [u8],
    chroma: &mut [u8],
    strides: [usize; 2],
    width: usize,
    height: usize,
) {
    let [luma_stride, chroma_stride] = strides;
    let row_bytes = width * BYTES;
    let frame_row = |y: usize| &data[y * frame_stride..][..row_bytes];
    let rgb = |pixel: &[u8]| [pixel[0], pixel[1], pixel[2]];
    let add = |sum: &mut [i32; 3], pixel: [u8; 3]| {
        for (total, channel) in sum.iter_mut().zip(pixel) {
            *total += i32::from(channel);
        }
    };
    for chroma_y in 0..height.div_ceil(2) {
        let top = 2 * chroma_y;
        let vu_row = &mut chroma[chroma_y * chroma_stride..][..2 * width.div_ceil(2)];
        if top + 1 < height {
            let (above, below) = luma[top * luma_stride..].split_at_mut(luma_stride);
            let (luma_top, luma_bottom) = (&mut above[..width], &mut below[..width]);
            let (rgb_top, rgb_bottom) = (frame_row(top), frame_row(top + 1));
            let mut blocks = vu_row
                .chunks_exact_mut(2)
                .zip(
                    luma_top
                        .chunks_exact_mut(2)
                        .zip(luma_bottom.chunks_exact_mut(2)),
                )
                .zip(
                    rgb_top
                        .chunks_exact(2 * BYTES)
                        .zip(rgb_bottom.chunks_exact(2 * BYTES)),
                );
            for ((vu, (lumas_top, lumas_bottom)), (pixels_top, pixels_bottom)) in &mut blocks {
                let pixels = [
                    rgb(&pixels_top[..BYTES]),
                    rgb(&pixels_top[BYTES..]),
                    rgb(&pixels_bottom[..BYTES]),
                    rgb(&pixels_bottom[BYTES..]),
                ];
                lumas_top[0] = yuv::luma(pixels[0]);
                lumas_top[1] = yuv::luma(pixels[1]);
                lumas_bottom[0] = yuv::luma(pixels[2]);
                lumas_bottom[1] = yuv::luma(pixels[3]);
                let mut sum = [0; 3];
                for pixel in pixels {
                    add(&mut sum, pixel);
                }
                // Whole blocks: the rounded mean of 4 non-negative totals is a shift.
                let (cb, cr) = yuv::chroma(sum.map(|total| (total + 2) >> 2));
                (vu[0], vu[1]) = (cr, cb);
            }
            if width % 2 == 1 {
                // The right edge of an odd width: a block of 2 pixels, one above the other.
                let x = width - 1;
                let pixels = [rgb(&rgb_top[x * BYTES..]), rgb(&rgb_bottom[x * BYTES..])];
                luma_top[x] = yuv::luma(pixels[0]);
                luma_bottom[x] = yuv::luma(pixels[1]);
                let mut sum = [0; 3];
                for pixel in pixels {
                    add(&mut sum, pixel);
                }
                let (cb, cr) = yuv::chroma(sum.map(|total| (total + 1) / 2));
                (vu_row[x], vu_row[x + 1]) = (cr, cb);
            }
        } else {
            // The bottom edge of an odd height: blocks of 2 pixels side by side, and of 1
            // at the corner.
            let rgb_top = frame_row(top);
            let luma_top = &mut luma[top * luma_stride..][..width];
            for (chroma_x, vu) in vu_row.chunks_exact_mut(2).enumerate() {
                let left = 2 * chroma_x;
                let mut sum = [0; 3];
                let mut count = 0;
                for x in left..(left + 2).min(width) {
                    let pixel = rgb(&rgb_top[x * BYTES..]);
                    luma_top[x] = yuv::luma(pixel);
                    add(&mut sum, pixel);
                    count += 1;
                }
                let (cb, cr) = yuv::chroma(sum.map(|total| (total + count / 2) / count));
                (vu[0], vu[1]) = (cr, cb);
            }
        }
    }
}

/// Where red, green and blue sit in a 4-byte pixel.
fn channel_order(format: HostPixelFormat) -> [usize; 3] {
    match format {
        HostPixelFormat::Bgra8 => [2, 1, 0],
        HostPixelFormat::Rgba8 | HostPixelFormat::Nv21 => [0, 1, 2],
    }
}

/// NV21's planes as the Y'CbCr walkers see them: Cr and Cb interleaved in plane 1, Cr
/// first. Plane 1 is not empty (`HostImage::new` checked it holds its rows).
fn nv21_planes<'a>(luma: &'a [u8], chroma: &'a [u8], strides: [usize; 2]) -> yuv::YcbcrPlanes<'a> {
    let [luma_stride, chroma_stride] = strides;
    let interleaved = |data| yuv::SamplePlane {
        data,
        stride: chroma_stride,
        step: 2,
    };
    yuv::YcbcrPlanes {
        luma: yuv::SamplePlane {
            data: luma,
            stride: luma_stride,
            step: 1,
        },
        cb: interleaved(&chroma[1..]),
        cr: interleaved(chroma),
        x_shift: 1,
        y_shift: 1,
    }
}

#[cfg(test)]
mod tests;
