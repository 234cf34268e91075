//! `LensmithImage`: a camera buffer as the host holds it (RGBA, BGRA or NV21, a stride per
//! plane, a rotation and a mirror), checked and lent to the runtime's converters.

use lensmith_runtime::host_image::{
    HostImage, HostImageLayout, HostImageMut, HostPixelFormat, Rotation,
};

use crate::status::Failure;

/// Red, green, blue, alpha: 4 bytes a pixel in plane 0.
pub const LENSMITH_FORMAT_RGBA8888: u32 = 1;
/// Blue, green, red, alpha: 4 bytes a pixel in plane 0.
pub const LENSMITH_FORMAT_BGRA8888: u32 = 2;
/// Android's NV21: plane 0 holds Y (1 byte a pixel), plane 1 interleaved V, U pairs at half
/// width and half height (rounded up). BT.601 limited range.
pub const LENSMITH_FORMAT_NV21: u32 = 3;

/// A frame buffer the host owns. The runtime reads (and, for output, writes) only the
/// bytes each plane's `plane_sizes` says it holds, and only while the call lasts.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LensmithImage {
    /// `LENSMITH_FORMAT_*`.
    pub format: u32,
    /// Width in pixels, as stored (before rotation).
    pub width: u32,
    /// Height in pixels, as stored (before rotation).
    pub height: u32,
    /// Plane 0: the pixels (RGBA, BGRA) or Y (NV21). Plane 1: NV21's V, U pairs; NULL for
    /// RGBA and BGRA. Input planes are only read.
    pub planes: [*mut u8; 2],
    /// Bytes from one row's start to the next's, per plane.
    pub strides: [usize; 2],
    /// Bytes each plane's buffer holds: a row may not run past it.
    pub plane_sizes: [usize; 2],
    /// Degrees (0, 90, 180 or 270) to turn the stored image clockwise to make it upright,
    /// as Android's sensor orientation and iOS's image orientation give it.
    pub rotation_degrees: u32,
    /// Nonzero: after the rotation, the image is mirrored left to right to be upright (a
    /// front camera's preview).
    pub mirrored: u32,
}

impl LensmithImage {
    /// The layout, checked for what does not need the buffers.
    fn layout(&self, what: &str) -> Result<HostImageLayout, Failure> {
        let format = match self.format {
            LENSMITH_FORMAT_RGBA8888 => HostPixelFormat::Rgba8,
            LENSMITH_FORMAT_BGRA8888 => HostPixelFormat::Bgra8,
            LENSMITH_FORMAT_NV21 => HostPixelFormat::Nv21,
            other => {
                return Err(Failure::invalid(format!(
                    "{what}.format is {other}; use LENSMITH_FORMAT_RGBA8888, \
                     LENSMITH_FORMAT_BGRA8888 or LENSMITH_FORMAT_NV21"
                )));
            }
        };
        let rotation = Rotation::from_degrees(i32::try_from(self.rotation_degrees).unwrap_or(-1))
            .map_err(|_| {
            Failure::invalid(format!(
                "{what}.rotation_degrees is {}; use 0, 90, 180 or 270",
                self.rotation_degrees
            ))
        })?;
        Ok(HostImageLayout {
            format,
            width: self.width,
            height: self.height,
            strides: self.strides,
            rotation,
            mirrored: self.mirrored != 0,
        })
    }

    /// How many planes the format uses.
    fn plane_count(&self) -> usize {
        match self.format {
            LENSMITH_FORMAT_NV21 => 2,
            _ => 1,
        }
    }

    /// Plane `index`'s bytes, or an empty slice for a plane the format does not use.
    ///
    /// # Safety
    /// A used plane's pointer is valid for `plane_sizes[index]` bytes for `'a`, and nothing
    /// else uses them meanwhile when the slice is written.
    unsafe fn plane<'a>(&self, index: usize, what: &str) -> Result<&'a mut [u8], Failure> {
        if index >= self.plane_count() {
            return Ok(&mut []);
        }
        let (pointer, size) = (self.planes[index], self.plane_sizes[index]);
        if pointer.is_null() {
            return Err(Failure::invalid(format!(
                "{what}.planes[{index}] is a null pointer"
            )));
        }
        if size > isize::MAX as usize {
            return Err(Failure::invalid(format!(
                "{what}.plane_sizes[{index}] is {size}, larger than any buffer can be"
            )));
        }
        // SAFETY: not null, and `size` bytes valid and unshared by the caller's promise.
        Ok(unsafe { std::slice::from_raw_parts_mut(pointer, size) })
    }

    /// The image as the runtime's converters read it.
    ///
    /// # Safety
    /// As [`LensmithImage::plane`], for reading.
    pub(crate) unsafe fn read_view<'a>(&self, what: &str) -> Result<HostImage<'a>, Failure> {
        let layout = self.layout(what)?;
        // SAFETY: passed on from the caller.
        let planes = unsafe { [self.plane(0, what)?, self.plane(1, what)?] };
        HostImage::new(layout, [&*planes[0], &*planes[1]])
            .map_err(|error| Failure::invalid(format!("{what}: {error}")))
    }

    /// The image as the runtime's converters write it.
    ///
    /// # Safety
    /// As [`LensmithImage::plane`], for writing.
    pub(crate) unsafe fn write_view<'a>(&self, what: &str) -> Result<HostImageMut<'a>, Failure> {
        let layout = self.layout(what)?;
        // SAFETY: passed on from the caller.
        let [first, second] = unsafe { [self.plane(0, what)?, self.plane(1, what)?] };
        HostImageMut::new(layout, [first, second])
            .map_err(|error| Failure::invalid(format!("{what}: {error}")))
    }
}
