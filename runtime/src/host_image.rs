//! Camera buffers as mobile hosts deliver them (RGBA, BGRA or NV21, strided, turned and
//! perhaps mirrored), converted to the upright RGB [`effect_api::Frame`] effects play on
//! and back again.
//!
//! A host describes its buffer with a [`HostImageLayout`], borrows it as a [`HostImage`]
//! (or [`HostImageMut`] to write into), reads it upright with [`read_upright`], plays the
//! effect and writes the result back with [`write_upright`]. NV21 uses exactly the Y'CbCr
//! arithmetic of the Y4M reader and writer, so Y4M frames fed as NV21 come out
//! byte-identical to `lensmith render in.y4m -o out.y4m`.

mod convert;
mod error;
mod orientation;

pub use convert::{read_upright, read_upright_on, write_upright, write_upright_on};
pub use error::HostImageError;
pub use orientation::Rotation;

/// How a host buffer stores its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostPixelFormat {
    /// Red, green, blue, alpha: 4 bytes a pixel in one plane (alpha is ignored on read
    /// and written as 255).
    Rgba8,
    /// Blue, green, red, alpha: 4 bytes a pixel in one plane (iOS's `kCVPixelFormatType_32BGRA`).
    Bgra8,
    /// Android's default camera format: plane 0 holds one luma byte a pixel, plane 1 holds
    /// V (Cr), U (Cb) byte pairs for each 2x2 block (ceil(w/2) pairs a row, ceil(h/2) rows).
    /// BT.601 limited range.
    Nv21,
}

impl HostPixelFormat {
    /// How many planes the format uses: 1 for RGBA and BGRA, 2 for NV21.
    pub const fn plane_count(self) -> usize {
        match self {
            HostPixelFormat::Rgba8 | HostPixelFormat::Bgra8 => 1,
            HostPixelFormat::Nv21 => 2,
        }
    }

    /// The shapes of the format's planes for a `width` x `height` image.
    fn plane_shapes(self, width: u32, height: u32) -> [Option<PlaneShape>; 2] {
        let pixels = |name| PlaneShape {
            name,
            rows: height,
            count: width,
            unit: "pixels",
            unit_bytes: if self == HostPixelFormat::Nv21 { 1 } else { 4 },
        };
        match self {
            HostPixelFormat::Rgba8 => [Some(pixels("RGBA")), None],
            HostPixelFormat::Bgra8 => [Some(pixels("BGRA")), None],
            HostPixelFormat::Nv21 => [
                Some(pixels("NV21 Y")),
                Some(PlaneShape {
                    name: "NV21 VU",
                    rows: height.div_ceil(2),
                    count: width.div_ceil(2),
                    unit: "V,U pairs",
                    unit_bytes: 2,
                }),
            ],
        }
    }
}

impl std::fmt::Display for HostPixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HostPixelFormat::Rgba8 => "RGBA",
            HostPixelFormat::Bgra8 => "BGRA",
            HostPixelFormat::Nv21 => "NV21",
        })
    }
}

/// What one plane must hold: `rows` rows of `count` units of `unit_bytes` bytes.
#[derive(Debug, Clone, Copy)]
struct PlaneShape {
    name: &'static str,
    rows: u32,
    count: u32,
    unit: &'static str,
    unit_bytes: usize,
}

/// How a host buffer is laid out and how to turn it upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HostImageLayout {
    /// Pixel format.
    pub format: HostPixelFormat,
    /// Width in pixels, as stored (before rotation).
    pub width: u32,
    /// Height in pixels, as stored (before rotation).
    pub height: u32,
    /// Bytes from the start of one row to the next, per plane; plane 1 is unused (and
    /// ignored) for RGBA and BGRA.
    pub strides: [usize; 2],
    /// The clockwise turn that makes the stored buffer upright.
    pub rotation: Rotation,
    /// Whether the turned buffer is then mirrored left to right (front cameras).
    pub mirrored: bool,
}

impl HostImageLayout {
    /// A `width` x `height` buffer whose rows have no padding, already upright and not
    /// mirrored.
    pub fn packed(format: HostPixelFormat, width: u32, height: u32) -> Self {
        let mut strides = [0; 2];
        for (stride, shape) in strides.iter_mut().zip(format.plane_shapes(width, height)) {
            if let Some(shape) = shape {
                *stride = (shape.count as usize).saturating_mul(shape.unit_bytes);
            }
        }
        Self {
            format,
            width,
            height,
            strides,
            rotation: Rotation::Upright,
            mirrored: false,
        }
    }

    /// Width and height of the upright frame: the stored size, swapped for quarter turns.
    pub fn upright_size(&self) -> (u32, u32) {
        if self.rotation.swaps_sides() {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }

    /// How many bytes each plane must hold (0 for an unused plane): `stride * (rows - 1)`
    /// plus one row's bytes, as the last row may stop short of its stride. Fails on an
    /// empty size, a stride shorter than a row, or sizes beyond this machine's memory.
    pub fn plane_lens(&self) -> Result<[usize; 2], HostImageError> {
        let (width, height) = (self.width, self.height);
        if width == 0 || height == 0 {
            return Err(HostImageError::Empty {
                format: self.format,
                width,
                height,
            });
        }
        let mut lens = [0; 2];
        for (plane, shape) in self.format.plane_shapes(width, height).iter().enumerate() {
            let Some(shape) = shape else { continue };
            let stride = self.strides[plane];
            let too_large = || HostImageError::PlaneTooLarge {
                plane,
                name: shape.name,
                rows: shape.rows,
                stride,
            };
            let row_bytes = (shape.count as usize)
                .checked_mul(shape.unit_bytes)
                .ok_or_else(too_large)?;
            if stride < row_bytes {
                return Err(HostImageError::StrideTooShort {
                    plane,
                    name: shape.name,
                    stride,
                    count: shape.count,
                    unit: shape.unit,
                    row_bytes,
                });
            }
            lens[plane] = stride
                .checked_mul(shape.rows as usize - 1)
                .and_then(|bytes| bytes.checked_add(row_bytes))
                .filter(|&bytes| bytes <= isize::MAX as usize)
                .ok_or_else(too_large)?;
        }
        // The upright RGB frame (and byte offsets into an RGBA one) must be addressable.
        let fits = (width as usize)
            .checked_mul(height as usize)
            .and_then(|pixels| pixels.checked_mul(4))
            .is_some_and(|bytes| bytes <= isize::MAX as usize);
        if !fits {
            return Err(HostImageError::ImageTooLarge { width, height });
        }
        Ok(lens)
    }

    /// Checks that planes of `lens` bytes hold this layout.
    fn check_planes(&self, lens: [usize; 2]) -> Result<(), HostImageError> {
        let needed = self.plane_lens()?;
        let shapes = self.format.plane_shapes(self.width, self.height);
        for (plane, shape) in shapes.iter().enumerate() {
            let Some(shape) = shape else { continue };
            let (len, needed) = (lens[plane], needed[plane]);
            if len == 0 {
                return Err(HostImageError::MissingPlane {
                    plane,
                    name: shape.name,
                    format: self.format,
                    needed,
                });
            }
            if len < needed {
                return Err(HostImageError::PlaneTooShort {
                    plane,
                    name: shape.name,
                    len,
                    rows: shape.rows,
                    stride: self.strides[plane],
                    needed,
                });
            }
        }
        Ok(())
    }
}

/// A host buffer to read: its layout and its planes, checked to hold every row.
#[derive(Debug, Clone, Copy)]
pub struct HostImage<'a> {
    layout: HostImageLayout,
    planes: [&'a [u8]; 2],
}

impl<'a> HostImage<'a> {
    /// Borrows `planes` as an image of `layout`. Plane 1 is ignored for RGBA and BGRA
    /// (pass `&[]`); an empty plane the format needs is reported missing.
    pub fn new(layout: HostImageLayout, planes: [&'a [u8]; 2]) -> Result<Self, HostImageError> {
        layout.check_planes(planes.map(<[u8]>::len))?;
        Ok(Self { layout, planes })
    }

    /// The layout, as given.
    pub fn layout(&self) -> &HostImageLayout {
        &self.layout
    }

    /// The planes, as given.
    pub fn planes(&self) -> [&'a [u8]; 2] {
        self.planes
    }
}

/// A host buffer to write: its layout and its planes, checked to hold every row.
#[derive(Debug)]
pub struct HostImageMut<'a> {
    layout: HostImageLayout,
    planes: [&'a mut [u8]; 2],
}

impl<'a> HostImageMut<'a> {
    /// Borrows `planes` as an image of `layout` to write into. Plane 1 is ignored for RGBA
    /// and BGRA (pass `&mut []`); an empty plane the format needs is reported missing.
    pub fn new(layout: HostImageLayout, planes: [&'a mut [u8]; 2]) -> Result<Self, HostImageError> {
        layout.check_planes([planes[0].len(), planes[1].len()])?;
        Ok(Self { layout, planes })
    }

    /// The layout, as given.
    pub fn layout(&self) -> &HostImageLayout {
        &self.layout
    }

    /// The same buffer, to read from (a host converting in place reads before it writes).
    pub fn as_image(&self) -> HostImage<'_> {
        HostImage {
            layout: self.layout,
            planes: [&*self.planes[0], &*self.planes[1]],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgba(width: u32, height: u32, stride: usize) -> HostImageLayout {
        HostImageLayout {
            strides: [stride, 0],
            ..HostImageLayout::packed(HostPixelFormat::Rgba8, width, height)
        }
    }

    fn nv21(width: u32, height: u32, strides: [usize; 2]) -> HostImageLayout {
        HostImageLayout {
            strides,
            ..HostImageLayout::packed(HostPixelFormat::Nv21, width, height)
        }
    }

    /// The message of the error `HostImage::new` gives for `layout` over planes of `lens`
    /// bytes, checking that `HostImageMut::new` agrees.
    fn message(layout: HostImageLayout, lens: [usize; 2]) -> String {
        let [a, b] = lens.map(|len| vec![0u8; len]);
        let error = HostImage::new(layout, [&a, &b]).unwrap_err();
        let [mut a, mut b] = [a, b];
        assert_eq!(
            HostImageMut::new(layout, [&mut a, &mut b]).unwrap_err(),
            error
        );
        error.to_string()
    }

    #[test]
    fn packed_layouts_need_exactly_their_pixels() {
        assert_eq!(
            rgba(640, 480, 2560).plane_lens().unwrap(),
            [640 * 480 * 4, 0]
        );
        let layout = HostImageLayout::packed(HostPixelFormat::Nv21, 7, 5);
        assert_eq!(layout.strides, [7, 8]);
        assert_eq!(layout.plane_lens().unwrap(), [35, 24]);
        // The last row may stop at its pixels.
        assert_eq!(
            nv21(7, 5, [10, 12]).plane_lens().unwrap(),
            [4 * 10 + 7, 2 * 12 + 8]
        );
        let padded = rgba(3, 2, 16);
        assert!(HostImage::new(padded, [&[0; 28], &[]]).is_ok());
        assert!(HostImage::new(padded, [&[0; 27], &[]]).is_err());
    }

    #[test]
    fn upright_size_swaps_for_quarter_turns() {
        let mut layout = rgba(640, 480, 2560);
        for (rotation, size) in [
            (Rotation::Upright, (640, 480)),
            (Rotation::Clockwise90, (480, 640)),
            (Rotation::Clockwise180, (640, 480)),
            (Rotation::Clockwise270, (480, 640)),
        ] {
            layout.rotation = rotation;
            assert_eq!(layout.upright_size(), size, "{rotation:?}");
        }
    }

    #[test]
    fn empty_sizes_are_refused() {
        assert_eq!(
            message(rgba(0, 480, 0), [0, 0]),
            "the RGBA image is 0x480: both sides must be at least 1 pixel"
        );
        assert!(message(nv21(4, 0, [4, 4]), [16, 8]).contains("NV21 image is 4x0"));
    }

    #[test]
    fn short_strides_name_their_plane() {
        assert_eq!(
            message(rgba(640, 480, 100), [1 << 20, 0]),
            "plane 0 (RGBA) stride 100 is shorter than a row of 640 pixels (2560 bytes)"
        );
        let bgra = HostImageLayout {
            strides: [16, 0],
            ..HostImageLayout::packed(HostPixelFormat::Bgra8, 5, 1)
        };
        assert!(message(bgra, [64, 0]).starts_with("plane 0 (BGRA) stride 16 "));
        assert!(
            message(nv21(7, 5, [6, 8]), [64, 64])
                .starts_with("plane 0 (NV21 Y) stride 6 is shorter than a row of 7 pixels")
        );
        assert!(message(nv21(7, 5, [7, 7]), [64, 64]).starts_with(
            "plane 1 (NV21 VU) stride 7 is shorter than a row of 4 V,U pairs (8 bytes)"
        ));
    }

    #[test]
    fn short_and_missing_planes_name_their_plane() {
        assert_eq!(
            message(nv21(640, 640, [640, 640]), [640 * 640, 1000]),
            "plane 1 (NV21 VU) holds 1000 bytes but 320 rows of stride 640 need 204800"
        );
        assert_eq!(
            message(rgba(2, 2, 12), [19, 0]),
            "plane 0 (RGBA) holds 19 bytes but 2 rows of stride 12 need 20"
        );
        assert!(
            message(nv21(4, 4, [4, 4]), [16, 0])
                .starts_with("plane 1 (NV21 VU) is missing: an NV21 image needs it (8 bytes)")
        );
        assert!(message(nv21(4, 4, [4, 4]), [0, 8]).starts_with("plane 0 (NV21 Y) is missing"));
        assert!(message(rgba(2, 2, 8), [0, 0]).starts_with("plane 0 (RGBA) is missing"));
    }

    #[test]
    fn huge_sizes_are_refused_without_overflow() {
        assert!(
            message(rgba(u32::MAX, u32::MAX, usize::MAX), [16, 0])
                .starts_with("plane 0 (RGBA): 4294967295 rows of stride")
        );
        let huge = nv21(u32::MAX, 3, [usize::MAX / 2, usize::MAX / 2]);
        assert!(message(huge, [16, 16]).starts_with("plane 0 (NV21 Y): 3 rows"));
    }
}
