//! Packed 4:2:2 Y'CbCr (`YUYV`, the format nearly every webcam delivers uncompressed) to
//! RGB: each four bytes Y0 Cb Y1 Cr are two pixels sharing one chroma pair, BT.601
//! limited range as in [`super::yuv`].

use super::yuv;

/// Converts `height` rows of `width` YUYV pixels, `stride` bytes apart, to packed RGB8.
/// `None` when `width` is odd or the buffer is shorter than the rows it should hold.
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32, stride: usize) -> Option<Vec<u8>> {
    let (width, height) = (width as usize, height as usize);
    let row_bytes = width * 2;
    if width % 2 != 0 || stride < row_bytes || height == 0 {
        return None;
    }
    if data.len() < stride * (height - 1) + row_bytes {
        return None;
    }
    let mut rgb = Vec::with_capacity(width * height * 3);
    for row in data.chunks(stride).take(height) {
        for pair in row[..row_bytes].chunks_exact(4) {
            let [y0, cb, y1, cr] = [pair[0], pair[1], pair[2], pair[3]];
            rgb.extend_from_slice(&yuv::rgb(y0, cb, cr));
            rgb.extend_from_slice(&yuv::rgb(y1, cb, cr));
        }
    }
    Some(rgb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_share_their_chroma_and_padding_is_skipped() {
        // Two rows of two pixels: black and white in grey chroma, then a pure red pair;
        // each row padded to 6 bytes.
        let (cb, cr) = yuv::chroma([255, 0, 0]);
        let red_luma = yuv::luma([255, 0, 0]);
        let data = [
            16, 128, 235, 128, 0xAA, 0xAA, //
            red_luma, cb, red_luma, cr, 0xAA, 0xAA,
        ];
        let rgb = yuyv_to_rgb(&data, 2, 2, 6).unwrap();
        assert_eq!(&rgb[..6], &[0, 0, 0, 255, 255, 255]);
        for pixel in rgb[6..].chunks_exact(3) {
            assert!(
                pixel[0] >= 250 && pixel[1] <= 5 && pixel[2] <= 5,
                "{pixel:?}"
            );
        }
    }

    #[test]
    fn odd_widths_and_short_buffers_are_refused() {
        assert!(yuyv_to_rgb(&[0; 12], 3, 1, 6).is_none());
        assert!(yuyv_to_rgb(&[0; 7], 2, 2, 4).is_none());
        assert!(yuyv_to_rgb(&[0; 8], 2, 2, 4).is_some());
    }
}
