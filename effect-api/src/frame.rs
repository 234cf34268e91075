//! Video frames: 8-bit RGB or RGBA pixels in rows with an explicit stride, owned
//! ([`Frame`]) or borrowed from a host's buffer ([`FrameView`]).

use serde::{Deserialize, Serialize};

/// How the bytes of one pixel are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PixelFormat {
    /// Red, green, blue: 3 bytes a pixel.
    Rgb8,
    /// Red, green, blue, alpha (straight, not premultiplied): 4 bytes a pixel.
    Rgba8,
}

impl PixelFormat {
    /// Bytes a pixel occupies.
    pub const fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgb8 => 3,
            PixelFormat::Rgba8 => 4,
        }
    }
}

/// Why a buffer cannot be viewed as a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Width or height is zero.
    #[error("frame is {width}x{height}: both sides must be at least 1 pixel")]
    Empty {
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
    },
    /// The stride is shorter than one row of pixels.
    #[error(
        "stride {stride} is shorter than a row of {width} {format:?} pixels ({row_bytes} bytes)"
    )]
    StrideTooShort {
        /// Stride given, in bytes.
        stride: usize,
        /// Width in pixels.
        width: u32,
        /// Pixel format.
        format: PixelFormat,
        /// Bytes one row needs.
        row_bytes: usize,
    },
    /// The buffer ends before the last row does.
    #[error(
        "buffer holds {len} bytes but a {width}x{height} frame with stride {stride} needs {needed}"
    )]
    BufferTooShort {
        /// Bytes in the buffer.
        len: usize,
        /// Bytes needed.
        needed: usize,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Stride in bytes.
        stride: usize,
    },
}

/// A borrowed frame: rows of pixels, `stride` bytes apart.
#[derive(Debug, Clone, Copy)]
pub struct FrameView<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
    stride: usize,
    format: PixelFormat,
}

impl<'a> FrameView<'a> {
    /// Views `data` as a frame, checking that every row fits in the buffer.
    pub fn new(
        data: &'a [u8],
        width: u32,
        height: u32,
        stride: usize,
        format: PixelFormat,
    ) -> Result<Self, FrameError> {
        if width == 0 || height == 0 {
            return Err(FrameError::Empty { width, height });
        }
        let row_bytes = width as usize * format.bytes_per_pixel();
        if stride < row_bytes {
            return Err(FrameError::StrideTooShort {
                stride,
                width,
                format,
                row_bytes,
            });
        }
        let needed = stride * (height as usize - 1) + row_bytes;
        if data.len() < needed {
            return Err(FrameError::BufferTooShort {
                len: data.len(),
                needed,
                width,
                height,
                stride,
            });
        }
        Ok(Self {
            data,
            width,
            height,
            stride,
            format,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes from the start of one row to the start of the next.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Pixel layout.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The whole buffer: row `y` starts at byte `y * stride`, and the last row may end
    /// before the buffer does. For loops that index pixels themselves.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The bytes of row `y` (exactly `width` pixels, without padding).
    ///
    /// Panics if `y >= height`, like slice indexing.
    pub fn row(&self, y: u32) -> &'a [u8] {
        assert!(
            y < self.height,
            "row {y} of a frame {} rows high",
            self.height
        );
        let start = y as usize * self.stride;
        &self.data[start..start + self.width as usize * self.format.bytes_per_pixel()]
    }

    /// The red, green and blue bytes of the pixel at (`x`, `y`), which must be inside the frame.
    #[inline]
    pub fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        debug_assert!(x < self.width && y < self.height);
        let offset = y as usize * self.stride + x as usize * self.format.bytes_per_pixel();
        [
            self.data[offset],
            self.data[offset + 1],
            self.data[offset + 2],
        ]
    }
}

/// An owned frame with tightly packed rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    data: Vec<u8>,
    width: u32,
    height: u32,
    format: PixelFormat,
}

impl Frame {
    /// Takes ownership of tightly packed pixel rows.
    pub fn from_packed(
        data: Vec<u8>,
        width: u32,
        height: u32,
        format: PixelFormat,
    ) -> Result<Self, FrameError> {
        let stride = width as usize * format.bytes_per_pixel();
        FrameView::new(&data, width, height, stride, format)?;
        Ok(Self {
            data,
            width,
            height,
            format,
        })
    }

    /// A frame of one colour.
    pub fn filled(width: u32, height: u32, rgb: [u8; 3]) -> Result<Self, FrameError> {
        let data = rgb.repeat(width as usize * height as usize);
        Self::from_packed(data, width, height, PixelFormat::Rgb8)
    }

    /// Borrows the frame.
    pub fn view(&self) -> FrameView<'_> {
        FrameView {
            data: &self.data,
            width: self.width,
            height: self.height,
            stride: self.width as usize * self.format.bytes_per_pixel(),
            format: self.format,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The packed pixel bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The packed pixel bytes, to change in place.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// How the bytes of a pixel are laid out.
    pub fn format(&self) -> PixelFormat {
        self.format
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_rejects_short_buffers_and_strides() {
        let data = vec![0u8; 10 * 4 * 3];
        assert!(FrameView::new(&data, 10, 4, 30, PixelFormat::Rgb8).is_ok());
        assert!(matches!(
            FrameView::new(&data, 10, 4, 29, PixelFormat::Rgb8),
            Err(FrameError::StrideTooShort { .. })
        ));
        assert!(matches!(
            FrameView::new(&data, 10, 5, 30, PixelFormat::Rgb8),
            Err(FrameError::BufferTooShort { needed: 150, .. })
        ));
        assert!(matches!(
            FrameView::new(&data, 0, 4, 30, PixelFormat::Rgb8),
            Err(FrameError::Empty { .. })
        ));
    }

    #[test]
    fn padded_rows_are_read_without_padding() {
        // 2x2 RGBA with 4 bytes of padding per row.
        let mut data = vec![0u8; 12 * 2];
        data[12..16].copy_from_slice(&[1, 2, 3, 255]);
        let view = FrameView::new(&data, 2, 2, 12, PixelFormat::Rgba8).unwrap();
        assert_eq!(view.rgb(0, 1), [1, 2, 3]);
        assert_eq!(view.row(1).len(), 8);
    }

    #[test]
    fn last_row_may_omit_padding() {
        let data = vec![0u8; 12 + 8];
        assert!(FrameView::new(&data, 2, 2, 12, PixelFormat::Rgba8).is_ok());
    }
}
