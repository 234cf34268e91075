//! The pixel loops: a host buffer into an upright RGB frame and back. NV21 goes through the
//! same arithmetic as the Y4M reader and writer ([`crate::video::yuv`]), in [`rows`].

use effect_api::{Frame, FrameView, PixelFormat};

use super::orientation::UprightMap;
use super::{HostImage, HostImageError, HostImageMut, HostPixelFormat};

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
    let size = [layout.width as usize, layout.height as usize];
    let map = UprightMap::new(layout, width as usize * 3, 3);
    let [plane, chroma] = image.planes();
    let strides = layout.strides;
    match layout.format {
        HostPixelFormat::Rgba8 => rows::read_rgba::<0, 2>(plane, strides[0], size, &map, out),
        HostPixelFormat::Bgra8 => rows::read_rgba::<2, 0>(plane, strides[0], size, &map, out),
        HostPixelFormat::Nv21 => rows::read_nv21(plane, chroma, strides, size, &map, out),
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
    let map = UprightMap::new(&layout, frame.stride(), frame.format().bytes_per_pixel());
    let data = frame.data();
    let size = [layout.width as usize, layout.height as usize];
    let [plane, chroma] = &mut image.planes;
    let strides = layout.strides;
    match (layout.format, frame.format()) {
        (HostPixelFormat::Rgba8, PixelFormat::Rgb8) => {
            rows::write_rgba::<3, 0, 2>(data, &map, plane, strides[0], size);
        }
        (HostPixelFormat::Rgba8, PixelFormat::Rgba8) => {
            rows::write_rgba::<4, 0, 2>(data, &map, plane, strides[0], size);
        }
        (HostPixelFormat::Bgra8, PixelFormat::Rgb8) => {
            rows::write_rgba::<3, 2, 0>(data, &map, plane, strides[0], size);
        }
        (HostPixelFormat::Bgra8, PixelFormat::Rgba8) => {
            rows::write_rgba::<4, 2, 0>(data, &map, plane, strides[0], size);
        }
        (HostPixelFormat::Nv21, PixelFormat::Rgb8) => {
            rows::write_nv21::<3>(data, &map, plane, chroma, strides, size);
        }
        (HostPixelFormat::Nv21, PixelFormat::Rgba8) => {
            rows::write_nv21::<4>(data, &map, plane, chroma, strides, size);
        }
    }
    Ok(())
}

mod rows;
#[cfg(test)]
mod tests;
