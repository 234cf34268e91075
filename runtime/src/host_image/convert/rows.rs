//! The row loops behind [`super::read_upright`] and [`super::write_upright`]: each walks
//! the stored buffer row by row, in memory order, and finds each pixel's upright place
//! through an [`UprightMap`] by adding its step, so one loop serves every turn and mirror.

use std::ops::Range;

use super::super::orientation::UprightMap;
use crate::video::yuv;

/// The upright pixel at byte `at` of `data` (its first three bytes: alpha is ignored).
#[inline]
fn rgb_at(data: &[u8], at: isize) -> [u8; 3] {
    rgb(&data[at as usize..])
}

/// Puts `pixel` at byte `at` of the packed RGB `out`.
#[inline]
fn put_rgb(out: &mut [u8], at: isize, pixel: [u8; 3]) {
    out[at as usize..][..3].copy_from_slice(&pixel);
}

/// Copies the stored pixels `xs` x `ys` of an RGBA or BGRA `plane` (red at byte `R`, blue
/// at byte `B`) into the packed RGB `out`, each pixel at its upright place by `map`.
pub(super) fn read_rgba<const R: usize, const B: usize>(
    plane: &[u8],
    stride: usize,
    [xs, ys]: [Range<usize>; 2],
    map: &UprightMap,
    out: &mut [u8],
) {
    let width = xs.len();
    for y in ys {
        let row = &plane[y * stride + xs.start * 4..][..width * 4];
        let mut at = map.row_start(y) + xs.start as isize * map.step_x;
        if map.step_x == 3 {
            // Upright rows (no turn, no mirror): one slice a row, no offsets to check.
            let out_row = &mut out[at as usize..][..width * 3];
            for (rgb, pixel) in out_row.chunks_exact_mut(3).zip(row.chunks_exact(4)) {
                rgb.copy_from_slice(&[pixel[R], pixel[1], pixel[B]]);
            }
            continue;
        }
        for pixel in row.chunks_exact(4) {
            put_rgb(out, at, [pixel[R], pixel[1], pixel[B]]);
            at += map.step_x;
        }
    }
}

/// Decodes the stored pixels `xs` x `ys` (`xs` starting at an even column) of an NV21
/// image into the packed RGB `out`, each pixel at its upright place by `map`: the same
/// bytes as [`yuv::decode`], each (V, U) pair's terms worked out once for the two pixels
/// that share it.
pub(super) fn read_nv21(
    luma: &[u8],
    chroma: &[u8],
    [luma_stride, chroma_stride]: [usize; 2],
    [xs, ys]: [Range<usize>; 2],
    map: &UprightMap,
    out: &mut [u8],
) {
    let step = map.step_x;
    let width = xs.len();
    for y in ys {
        let luma_row = &luma[y * luma_stride + xs.start..][..width];
        let vu_row = &chroma[(y / 2) * chroma_stride + xs.start..][..2 * width.div_ceil(2)];
        let mut at = map.row_start(y) + xs.start as isize * step;
        let mut luma_pairs = luma_row.chunks_exact(2);
        let mut vu_pairs = vu_row.chunks_exact(2);
        if step == 3 {
            // Upright rows (no turn, no mirror): one slice a row, no offsets to check.
            let out_row = &mut out[at as usize..][..width * 3];
            let mut out_pairs = out_row.chunks_exact_mut(6);
            for ((pair, lumas), vu) in (&mut out_pairs).zip(&mut luma_pairs).zip(&mut vu_pairs) {
                let terms = yuv::ChromaTerms::new(vu[1], vu[0]);
                pair[..3].copy_from_slice(&terms.rgb(lumas[0]));
                pair[3..].copy_from_slice(&terms.rgb(lumas[1]));
            }
            at += (width & !1) as isize * 3;
        }
        for (lumas, vu) in (&mut luma_pairs).zip(&mut vu_pairs) {
            let terms = yuv::ChromaTerms::new(vu[1], vu[0]);
            put_rgb(out, at, terms.rgb(lumas[0]));
            put_rgb(out, at + step, terms.rgb(lumas[1]));
            at += 2 * step;
        }
        // An odd width leaves one pixel, with the row's last (V, U) pair.
        if let ([last_luma], Some([v, u])) = (luma_pairs.remainder(), vu_pairs.next()) {
            put_rgb(out, at, yuv::ChromaTerms::new(*u, *v).rgb(*last_luma));
        }
    }
}

/// Writes the upright frame `data` (`BYTES`-byte pixels, found by `map`) into stored rows
/// `rows` of a `width`-pixel-wide RGBA or BGRA plane (red at byte `R`, blue at byte `B`,
/// alpha 255), padding untouched; `plane` starts at row `rows.start`.
pub(super) fn write_rgba<const BYTES: usize, const R: usize, const B: usize>(
    data: &[u8],
    map: &UprightMap,
    plane: &mut [u8],
    stride: usize,
    width: usize,
    rows: Range<usize>,
) {
    let first = rows.start;
    for y in rows {
        let row = &mut plane[(y - first) * stride..][..width * 4];
        let mut at = map.row_start(y);
        if map.step_x == BYTES as isize {
            // Upright rows (no turn, no mirror): one slice a row, no offsets to check.
            let rgb_row = &data[at as usize..][..width * BYTES];
            for (pixel, rgb) in row.chunks_exact_mut(4).zip(rgb_row.chunks_exact(BYTES)) {
                (pixel[R], pixel[1], pixel[B], pixel[3]) = (rgb[0], rgb[1], rgb[2], 255);
            }
            continue;
        }
        for pixel in row.chunks_exact_mut(4) {
            let [red, green, blue] = rgb_at(data, at);
            (pixel[R], pixel[1], pixel[B], pixel[3]) = (red, green, blue, 255);
            at += map.step_x;
        }
    }
}

/// Adds `pixel`'s channels to `sum`.
#[inline]
fn add(sum: &mut [i32; 3], pixel: [u8; 3]) {
    for (total, channel) in sum.iter_mut().zip(pixel) {
        *total += i32::from(channel);
    }
}

/// The first three bytes of `pixel`.
#[inline]
fn rgb(pixel: &[u8]) -> [u8; 3] {
    [pixel[0], pixel[1], pixel[2]]
}

/// Encodes one whole 2 x 2 block: `pixels` top left, top right, bottom left, bottom right
/// into the block's two luma pairs and its (V, U) pair.
// `always`: left to itself the compiler called this out of line, and the NV21 write took
// over half as long again (1280 x 720, release).
#[inline(always)]
fn encode_block(pixels: [[u8; 3]; 4], (top, bottom): (&mut [u8], &mut [u8]), vu: &mut [u8]) {
    top[0] = yuv::luma(pixels[0]);
    top[1] = yuv::luma(pixels[1]);
    bottom[0] = yuv::luma(pixels[2]);
    bottom[1] = yuv::luma(pixels[3]);
    let mut sum = [0; 3];
    for pixel in pixels {
        add(&mut sum, pixel);
    }
    // Whole blocks: the rounded mean of 4 non-negative totals is a shift.
    let (cb, cr) = yuv::chroma(sum.map(|total| (total + 2) >> 2));
    (vu[0], vu[1]) = (cr, cb);
}

/// Encodes the upright frame `data` (`BYTES`-byte pixels, found by `map`) into chroma
/// rows `chroma_rows` (stored rows two at a time) of `width` x `height` NV21 planes; `luma`
/// and `chroma` start at the band's first row. Each 2x2 block's chroma is that of the
/// rounded mean of its pixels; blocks on the right and bottom edges of odd sizes hold
/// fewer pixels. The Y4M writer encodes through this too.
pub(super) fn write_nv21<const BYTES: usize>(
    data: &[u8],
    map: &UprightMap,
    luma: &mut [u8],
    chroma: &mut [u8],
    [luma_stride, chroma_stride]: [usize; 2],
    [width, height]: [usize; 2],
    chroma_rows: Range<usize>,
) {
    let step = map.step_x;
    let first = chroma_rows.start;
    for chroma_y in chroma_rows {
        let top = 2 * chroma_y;
        let vu_row = &mut chroma[(chroma_y - first) * chroma_stride..][..2 * width.div_ceil(2)];
        let luma = &mut luma[2 * (chroma_y - first) * luma_stride..];
        let mut at_top = map.row_start(top);
        if top + 1 < height {
            let mut at_bottom = map.row_start(top + 1);
            let (above, below) = luma.split_at_mut(luma_stride);
            let (luma_top, luma_bottom) = (&mut above[..width], &mut below[..width]);
            let mut blocks = vu_row.chunks_exact_mut(2).zip(
                luma_top
                    .chunks_exact_mut(2)
                    .zip(luma_bottom.chunks_exact_mut(2)),
            );
            if step == BYTES as isize {
                // Upright rows (no turn, no mirror): one slice a row, no offsets to check.
                let pair_bytes = (width & !1) * BYTES;
                let rgb_top = &data[at_top as usize..][..pair_bytes];
                let rgb_bottom = &data[at_bottom as usize..][..pair_bytes];
                let pixel_pairs = rgb_top
                    .chunks_exact(2 * BYTES)
                    .zip(rgb_bottom.chunks_exact(2 * BYTES));
                for ((vu, lumas), (pixels_top, pixels_bottom)) in (&mut blocks).zip(pixel_pairs) {
                    let pixels = [
                        rgb(&pixels_top[..BYTES]),
                        rgb(&pixels_top[BYTES..]),
                        rgb(&pixels_bottom[..BYTES]),
                        rgb(&pixels_bottom[BYTES..]),
                    ];
                    encode_block(pixels, lumas, vu);
                }
                at_top += pair_bytes as isize;
                at_bottom += pair_bytes as isize;
            }
            for (vu, lumas) in blocks {
                let pixels = [
                    rgb_at(data, at_top),
                    rgb_at(data, at_top + step),
                    rgb_at(data, at_bottom),
                    rgb_at(data, at_bottom + step),
                ];
                at_top += 2 * step;
                at_bottom += 2 * step;
                encode_block(pixels, lumas, vu);
            }
            if width % 2 == 1 {
                // The right edge of an odd width: a block of 2 pixels, one above the other.
                let x = width - 1;
                let pixels = [rgb_at(data, at_top), rgb_at(data, at_bottom)];
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
            let luma_top = &mut luma[..width];
            for (vu, lumas) in vu_row.chunks_exact_mut(2).zip(luma_top.chunks_mut(2)) {
                let mut sum = [0; 3];
                let mut count = 0;
                for luma in lumas {
                    let pixel = rgb_at(data, at_top);
                    at_top += step;
                    *luma = yuv::luma(pixel);
                    add(&mut sum, pixel);
                    count += 1;
                }
                let (cb, cr) = yuv::chroma(sum.map(|total| (total + count / 2) / count));
                (vu[0], vu[1]) = (cr, cb);
            }
        }
    }
}
