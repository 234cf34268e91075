//! The overlay a plugin may draw on: a frame-sized premultiplied RGBA8 buffer, kept
//! transparent between calls, blended over the frame where the plugin says it drew.

use effect_api::Frame;
use effect_api::plugin::abi::PixelRect;

/// A reusable overlay; grows with the frame, never shrinks.
#[derive(Debug, Default)]
pub(super) struct OverlayBuffer {
    pixels: Vec<u8>,
    width: u32,
    height: u32,
}

impl OverlayBuffer {
    /// Makes the buffer `width × height`, all transparent.
    pub(super) fn prepare(&mut self, width: u32, height: u32) {
        if (self.width, self.height) != (width, height) {
            self.pixels.clear();
            self.pixels.resize(width as usize * height as usize * 4, 0);
            (self.width, self.height) = (width, height);
        }
    }

    /// The pixels and their stride, for the call.
    pub(super) fn pixels_mut(&mut self) -> (&mut [u8], usize) {
        (&mut self.pixels, self.width as usize * 4)
    }

    /// Blends the part of the overlay inside `dirty` over `frame` (premultiplied normal
    /// blend, rounded to the nearest code) and clears that part again.
    pub(super) fn composite_and_clear(&mut self, frame: &mut Frame, dirty: PixelRect) {
        let x0 = dirty.x.min(self.width) as usize;
        let y0 = dirty.y.min(self.height) as usize;
        let x1 = (dirty.x.saturating_add(dirty.width)).min(self.width) as usize;
        let y1 = (dirty.y.saturating_add(dirty.height)).min(self.height) as usize;
        let channels = frame.format().bytes_per_pixel();
        let frame_stride = frame.width() as usize * channels;
        let overlay_stride = self.width as usize * 4;
        let data = frame.data_mut();
        for y in y0..y1 {
            let overlay_row = &mut self.pixels[y * overlay_stride..][x0 * 4..x1 * 4];
            let frame_row = &mut data[y * frame_stride..][x0 * channels..x1 * channels];
            for (source, target) in overlay_row
                .chunks_exact_mut(4)
                .zip(frame_row.chunks_exact_mut(channels))
            {
                let keep = 255 - u32::from(source[3]);
                if source[3] != 0 || source[..3] != [0, 0, 0] {
                    for channel in 0..3 {
                        let below = (u32::from(target[channel]) * keep + 127) / 255;
                        target[channel] = (below + u32::from(source[channel])).min(255) as u8;
                    }
                }
                source.fill(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use effect_api::PixelFormat;

    #[test]
    fn blends_inside_the_rectangle_and_clears_it() {
        let mut frame = Frame::filled(3, 2, [200, 100, 0]).unwrap();
        let mut overlay = OverlayBuffer::default();
        overlay.prepare(3, 2);
        let (pixels, stride) = overlay.pixels_mut();
        // Half-transparent white at (1, 1), premultiplied; opaque red outside the rect.
        pixels[stride + 4..stride + 8].copy_from_slice(&[128, 128, 128, 128]);
        pixels[0..4].copy_from_slice(&[255, 0, 0, 255]);
        let rect = PixelRect {
            x: 1,
            y: 1,
            width: 2,
            height: 1,
        };
        overlay.composite_and_clear(&mut frame, rect);
        assert_eq!(frame.format(), PixelFormat::Rgb8);
        let data = frame.data();
        assert_eq!(&data[12..15], &[128 + 100, 128 + 50, 128]);
        assert_eq!(&data[0..3], &[200, 100, 0], "outside the rectangle stays");
        let (pixels, stride) = overlay.pixels_mut();
        assert_eq!(&pixels[stride + 4..stride + 8], &[0, 0, 0, 0]);
        assert_eq!(
            &pixels[0..4],
            &[255, 0, 0, 255],
            "outside is not cleared either"
        );
    }
}
