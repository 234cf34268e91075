//! Moving the part of the frame a scene changes between memory and the GPU, through two
//! buffers kept from frame to frame: one for the way up, mapped again while the frame
//! draws so that it is ready for the next, and one for the way back. Rows there are
//! padded to 256 bytes, as copies between buffers and textures need.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use effect_api::{Frame, PixelFormat};

use super::super::RenderError;
use super::region::PixelRect;
use super::textures::extent;

const MAP_PENDING: u8 = 0;
const MAP_DONE: u8 = 1;
const MAP_FAILED: u8 = 2;

/// A buffer the CPU maps, with how its last map request ended (written by the request's
/// callback). Each buffer has its own state, so that a late callback for a buffer that was
/// replaced cannot speak for its successor.
struct Staging {
    buffer: wgpu::Buffer,
    map_state: Arc<AtomicU8>,
    /// Whether the buffer is mapped now, so that its bytes can be reached.
    mapped: bool,
}

impl Staging {
    fn new(device: &wgpu::Device, label: &str, size: u64, usage: wgpu::BufferUsages) -> Self {
        let mapped = usage.contains(wgpu::BufferUsages::MAP_WRITE);
        Self {
            buffer: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: mapped,
            }),
            map_state: Arc::new(AtomicU8::new(MAP_PENDING)),
            mapped,
        }
    }

    /// Asks for the first `size` bytes to be mapped once the GPU is done with the buffer;
    /// [`Self::settle`] says whether they were, after the wait.
    fn request_map(&mut self, mode: wgpu::MapMode, size: u64) {
        self.map_state.store(MAP_PENDING, Ordering::Release);
        let map_state = Arc::clone(&self.map_state);
        self.buffer.slice(..size).map_async(mode, move |result| {
            let state = if result.is_ok() { MAP_DONE } else { MAP_FAILED };
            map_state.store(state, Ordering::Release);
        });
    }

    /// After waiting for the GPU: whether the requested map is done. A request still
    /// pending (the device was lost) is cancelled, so that the buffer can be mapped again.
    fn settle(&mut self) -> bool {
        self.mapped = self.map_state.load(Ordering::Acquire) == MAP_DONE;
        if !self.mapped {
            self.buffer.unmap();
        }
        self.mapped
    }

    fn unmap(&mut self) {
        self.buffer.unmap();
        self.mapped = false;
    }
}

/// The buffers a frame's changed rectangle passes through.
#[derive(Default)]
pub(super) struct FrameTransfer {
    /// `MAP_WRITE | COPY_SRC`: mapped between frames, unmapped while a frame draws.
    upload: Option<Staging>,
    /// `MAP_READ | COPY_DST`: mapped only while a frame is copied out.
    readback: Option<Staging>,
}

/// Bytes a row of `width` RGBA pixels takes in the transfer buffers.
fn padded_row_bytes(width: u32) -> u32 {
    (width * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
}

/// Bytes the rectangle `region` takes in the transfer buffers.
fn region_bytes(region: PixelRect) -> u64 {
    u64::from(padded_row_bytes(region.width)) * u64::from(region.height)
}

/// A buffer size that holds any rectangle of `frame`, so that the buffers are made once per
/// frame size, not regrown as the drawn part of the frame moves and grows.
fn capacity(frame: &Frame) -> u64 {
    u64::from(padded_row_bytes(frame.width())) * u64::from(frame.height())
}

/// The texture's texels at `region`.
fn texels(texture: &wgpu::Texture, region: PixelRect) -> wgpu::TexelCopyTextureInfo<'_> {
    wgpu::TexelCopyTextureInfo {
        texture,
        mip_level: 0,
        origin: wgpu::Origin3d {
            x: region.x,
            y: region.y,
            z: 0,
        },
        aspect: wgpu::TextureAspect::All,
    }
}

/// The byte ranges of `region`'s rows in a packed frame of `frame_width` pixels with
/// `bytes_per_pixel`, top to bottom.
fn frame_rows(
    region: PixelRect,
    frame_width: u32,
    bytes_per_pixel: usize,
) -> impl Iterator<Item = std::ops::Range<usize>> {
    let frame_row = frame_width as usize * bytes_per_pixel;
    let left = region.x as usize * bytes_per_pixel;
    let length = region.width as usize * bytes_per_pixel;
    (region.y..region.y + region.height).map(move |y| {
        let start = y as usize * frame_row + left;
        start..start + length
    })
}

impl FrameTransfer {
    /// Writes the pixels of `frame` at `region` into the upload buffer and records their
    /// copy into the same place of `texture`. The alpha written is 255 for an RGB frame and
    /// the frame's own otherwise; it is never read back.
    pub fn upload(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
        frame: &Frame,
        region: PixelRect,
    ) {
        let needed = region_bytes(region);
        let upload = match &mut self.upload {
            Some(staging) if staging.mapped && staging.buffer.size() >= needed => staging,
            _ => self.upload.insert(Staging::new(
                device,
                "lensmith frame upload",
                capacity(frame),
                wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
            )),
        };
        let row = padded_row_bytes(region.width) as usize;
        let format = frame.format();
        {
            let mut mapped = upload.buffer.slice(..needed).get_mapped_range_mut();
            let gpu_rows = mapped.chunks_exact_mut(row);
            let rows = frame_rows(region, frame.width(), format.bytes_per_pixel());
            for (gpu_row, range) in gpu_rows.zip(rows) {
                let pixels = &frame.data()[range];
                let gpu_row = &mut gpu_row[..region.width as usize * 4];
                match format {
                    PixelFormat::Rgb8 => widen(pixels, gpu_row),
                    PixelFormat::Rgba8 => gpu_row.copy_from_slice(pixels),
                }
            }
        }
        upload.unmap();
        encoder.copy_buffer_to_texture(
            wgpu::TexelCopyBufferInfo {
                buffer: &upload.buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(row as u32),
                    rows_per_image: Some(region.height),
                },
            },
            texels(texture, region),
            extent(region.width, region.height, 1),
        );
    }

    /// Records the copy of `texture` at `region` into the readback buffer, making the
    /// buffer first if needed.
    pub fn record_copy(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
        frame: &Frame,
        region: PixelRect,
    ) {
        let needed = region_bytes(region);
        let readback = match &self.readback {
            Some(staging) if staging.buffer.size() >= needed => staging,
            _ => self.readback.insert(Staging::new(
                device,
                "lensmith readback",
                capacity(frame),
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            )),
        };
        encoder.copy_texture_to_buffer(
            texels(texture, region),
            wgpu::TexelCopyBufferInfo {
                buffer: &readback.buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row_bytes(region.width)),
                    rows_per_image: Some(region.height),
                },
            },
            extent(region.width, region.height, 1),
        );
    }

    /// Waits for `submission`, then copies the red, green and blue of `region` back into
    /// `frame`, leaving its alpha as it was. The upload buffer is mapped again in the same
    /// wait, ready for the next frame.
    pub fn read_back(
        &mut self,
        device: &wgpu::Device,
        submission: wgpu::SubmissionIndex,
        frame: &mut Frame,
        region: PixelRect,
    ) -> Result<(), RenderError> {
        let needed = region_bytes(region);
        let Some(readback) = &mut self.readback else {
            return Err(RenderError::Gpu(
                "internal: read back before a copy was recorded".to_owned(),
            ));
        };
        readback.request_map(wgpu::MapMode::Read, needed);
        if let Some(upload) = &mut self.upload {
            let size = upload.buffer.size();
            upload.request_map(wgpu::MapMode::Write, size);
        }
        let waited = device.poll(wgpu::PollType::Wait {
            submission_index: Some(submission),
            timeout: None,
        });
        // The wait returns after the callbacks of the maps it completed have run.
        let read = readback.settle();
        if let Some(upload) = &mut self.upload {
            // One that failed is made anew next frame.
            upload.settle();
        }
        let failure = match waited {
            Err(error) => Some(format!("waiting for the frame: {error}")),
            // Not mapped after the wait: only a lost device explains it.
            Ok(_) if !read => {
                Some("could not read the frame back from the GPU (device lost?)".to_owned())
            }
            Ok(_) => None,
        };
        if let Some(failure) = failure {
            if readback.mapped {
                readback.unmap();
            }
            return Err(RenderError::Gpu(failure));
        }
        {
            let mapped = readback.buffer.slice(..needed).get_mapped_range();
            let row = padded_row_bytes(region.width) as usize;
            let format = frame.format();
            let width = frame.width();
            let data = frame.data_mut();
            let rows = frame_rows(region, width, format.bytes_per_pixel());
            for (gpu_row, range) in mapped.chunks_exact(row).zip(rows) {
                let gpu_row = &gpu_row[..region.width as usize * 4];
                let pixels = &mut data[range];
                match format {
                    PixelFormat::Rgb8 => narrow(gpu_row, pixels),
                    PixelFormat::Rgba8 => keep_alpha(gpu_row, pixels),
                }
            }
        }
        readback.unmap();
        Ok(())
    }
}

/// RGB pixels to opaque RGBA, four at a time (12 bytes in, 16 out: a shape the compiler
/// turns into vector shuffles); `rgba` holds as many pixels as `rgb`.
fn widen(rgb: &[u8], rgba: &mut [u8]) {
    let (rgb_quads, rgb_rest) = rgb.as_chunks::<12>();
    let (rgba_quads, rgba_rest) = rgba.as_chunks_mut::<16>();
    for (out, i) in rgba_quads.iter_mut().zip(rgb_quads) {
        *out = [
            i[0], i[1], i[2], 255, i[3], i[4], i[5], 255, i[6], i[7], i[8], 255, i[9], i[10],
            i[11], 255,
        ];
    }
    let (rgba_rest, _) = rgba_rest.as_chunks_mut::<4>();
    let (rgb_rest, _) = rgb_rest.as_chunks::<3>();
    for (texel, &[r, g, b]) in rgba_rest.iter_mut().zip(rgb_rest) {
        *texel = [r, g, b, 255];
    }
}

/// RGBA pixels to RGB, four at a time: two pixels a 64-bit word, whose colour bytes
/// shifts pack into six (16 bytes in, 12 out); `rgb` holds as many pixels as `rgba`.
fn narrow(rgba: &[u8], rgb: &mut [u8]) {
    let (rgba_quads, rgba_rest) = rgba.as_chunks::<16>();
    let (rgb_quads, rgb_rest) = rgb.as_chunks_mut::<12>();
    // Two RGBA pixels, red of the first in the low byte, to their six colour bytes.
    let pack = |pair: &[u8; 8]| {
        let pair = u64::from_le_bytes(*pair);
        pair & 0x00ff_ffff | pair >> 8 & 0xffff_ff00_0000
    };
    for (out, input) in rgb_quads.iter_mut().zip(rgba_quads) {
        let (pairs, _) = input.as_chunks::<8>();
        let (low, high) = (pack(&pairs[0]), pack(&pairs[1]));
        let (head, tail) = out.split_at_mut(8);
        head.copy_from_slice(&(low | high << 48).to_le_bytes());
        tail.copy_from_slice(&((high >> 16) as u32).to_le_bytes());
    }
    let (rgb_rest, _) = rgb_rest.as_chunks_mut::<3>();
    let (rgba_rest, _) = rgba_rest.as_chunks::<4>();
    for (pixel, &[r, g, b, _]) in rgb_rest.iter_mut().zip(rgba_rest) {
        *pixel = [r, g, b];
    }
}

const ALPHA: u32 = 0xff00_0000;

/// The colour of `drawn` into `frame`, both RGBA, keeping the frame's alpha.
fn keep_alpha(drawn: &[u8], frame: &mut [u8]) {
    let (frame, _) = frame.as_chunks_mut::<4>();
    let (drawn, _) = drawn.as_chunks::<4>();
    for (pixel, texel) in frame.iter_mut().zip(drawn) {
        let colour = u32::from_le_bytes(*texel) & !ALPHA;
        *pixel = (colour | u32::from_le_bytes(*pixel) & ALPHA).to_le_bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixels 0..count as RGB with distinct bytes.
    fn rgb(count: usize) -> Vec<u8> {
        (0..count * 3).map(|index| (index * 7 + 1) as u8).collect()
    }

    #[test]
    fn widening_and_narrowing_round_trip_at_every_length() {
        for count in 0..11 {
            let rgb = rgb(count);
            let mut rgba = vec![0; count * 4];
            widen(&rgb, &mut rgba);
            let expected: Vec<u8> = rgb
                .chunks_exact(3)
                .flat_map(|pixel| [pixel[0], pixel[1], pixel[2], 255])
                .collect();
            assert_eq!(rgba, expected, "{count} pixels");
            let mut back = vec![0; count * 3];
            narrow(&rgba, &mut back);
            assert_eq!(back, rgb, "{count} pixels");
        }
    }

    #[test]
    fn reading_back_rgba_keeps_the_frames_alpha() {
        let drawn = [1, 2, 3, 255, 4, 5, 6, 0];
        let mut frame = [9, 9, 9, 10, 9, 9, 9, 20];
        keep_alpha(&drawn, &mut frame);
        assert_eq!(frame, [1, 2, 3, 10, 4, 5, 6, 20]);
    }

    #[test]
    fn frame_rows_are_the_regions_bytes() {
        let region = PixelRect {
            x: 2,
            y: 1,
            width: 3,
            height: 2,
        };
        let rows: Vec<_> = frame_rows(region, 10, 3).collect();
        assert_eq!(rows, vec![36..45, 66..75]);
        assert_eq!(padded_row_bytes(3), 256);
        assert_eq!(region_bytes(region), 512);
    }
}
