//! GPU textures: images padded with a transparent border, the pool of patch textures, the
//! LUTs' 3-D tables and the frame's render target with its copy.

use super::super::{Lut3d, RenderError, Texture};
use super::pipelines::TARGET_FORMAT;

/// An image on the GPU with one transparent texel around it, so that reading past its edge
/// gives transparent black as the rules say.
pub(super) struct PaddedImage {
    texture: wgpu::Texture,
    /// Binds the texture as group 1.
    pub bind_group: wgpu::BindGroup,
    /// Width without the border.
    pub width: u32,
    /// Height without the border.
    pub height: u32,
}

impl PaddedImage {
    /// An all-transparent image of `width × height` texels plus the border.
    pub fn new(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        width: u32,
        height: u32,
        label: &str,
    ) -> Result<Self, RenderError> {
        let limit = device.limits().max_texture_dimension_2d;
        let fits = |side: u32| side.checked_add(2).is_some_and(|padded| padded <= limit);
        if width == 0 || height == 0 || !fits(width) || !fits(height) {
            return Err(RenderError::InvalidAsset(format!(
                "{label} is {width}×{height} texels; this GPU takes 1 to {} a side",
                limit.saturating_sub(2)
            )));
        }
        // New textures are zeroed, so the border starts and stays transparent.
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some(label),
            size: extent(width + 2, height + 2, 1),
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let bind_group = texture_bind_group(device, layout, &texture, label);
        Ok(Self {
            texture,
            bind_group,
            width,
            height,
        })
    }

    /// Uploads an asset texture.
    pub fn from_texture(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        layout: &wgpu::BindGroupLayout,
        texture: &Texture,
        index: usize,
    ) -> Result<Self, RenderError> {
        let label = format!("texture #{index}");
        let expected = texture.width as usize * texture.height as usize * 4;
        if texture.premultiplied_rgba.len() != expected {
            return Err(RenderError::InvalidAsset(format!(
                "{label} is {}×{} but holds {} bytes instead of {expected}",
                texture.width,
                texture.height,
                texture.premultiplied_rgba.len()
            )));
        }
        let image = Self::new(device, layout, texture.width, texture.height, &label)?;
        image.write(queue, &texture.premultiplied_rgba);
        Ok(image)
    }

    /// Replaces the inside (not the border) with `premultiplied_rgba`, which holds
    /// `width · height · 4` bytes (the callers check).
    pub fn write(&self, queue: &wgpu::Queue, premultiplied_rgba: &[u8]) {
        queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &self.texture,
                mip_level: 0,
                origin: wgpu::Origin3d { x: 1, y: 1, z: 0 },
                aspect: wgpu::TextureAspect::All,
            },
            premultiplied_rgba,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(self.width * 4),
                rows_per_image: Some(self.height),
            },
            extent(self.width, self.height, 1),
        );
    }
}

/// Textures for patches, kept by side across frames: the n-th patch of a side in a frame
/// uses the n-th texture of that side, so a frame's patches never share one.
#[derive(Default)]
pub(super) struct PatchPool {
    sides: Vec<PatchSide>,
}

struct PatchSide {
    side: u32,
    images: Vec<PaddedImage>,
    used: usize,
}

/// Where a patch's texture is in the pool.
#[derive(Debug, Clone, Copy)]
pub(super) struct PatchSlot {
    side: usize,
    image: usize,
}

impl PatchPool {
    /// Makes every texture free for the next frame.
    pub fn start_frame(&mut self) {
        for side in &mut self.sides {
            side.used = 0;
        }
    }

    /// Takes a free texture of `side` (creating one the first time it is needed) and
    /// uploads `pixels` into it.
    pub fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        layout: &wgpu::BindGroupLayout,
        side: u32,
        pixels: &[u8],
    ) -> Result<PatchSlot, RenderError> {
        let side_index = match self.sides.iter().position(|entry| entry.side == side) {
            Some(index) => index,
            None => {
                self.sides.push(PatchSide {
                    side,
                    images: Vec::new(),
                    used: 0,
                });
                self.sides.len() - 1
            }
        };
        let entry = &mut self.sides[side_index];
        if entry.used == entry.images.len() {
            let label = format!("patch of side {side}");
            entry
                .images
                .push(PaddedImage::new(device, layout, side, side, &label)?);
        }
        let image = entry.used;
        entry.used += 1;
        entry.images[image].write(queue, pixels);
        Ok(PatchSlot {
            side: side_index,
            image,
        })
    }

    /// The texture at `slot`, as [`Self::upload`] returned it this frame.
    pub fn get(&self, slot: PatchSlot) -> &PaddedImage {
        &self.sides[slot.side].images[slot.image]
    }
}

/// A LUT as a 3-D `Rgba32Float` texture, read with `textureLoad` so that the trilinear
/// blend is the shader's own f32 arithmetic.
pub(super) struct LutTexture {
    _texture: wgpu::Texture,
    /// Binds the table as group 2.
    pub bind_group: wgpu::BindGroup,
    /// Entries per side.
    pub size: u32,
}

impl LutTexture {
    /// Uploads `lut`, one blue slice at a time.
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        layout: &wgpu::BindGroupLayout,
        lut: &Lut3d,
        index: usize,
    ) -> Result<Self, RenderError> {
        let size = lut.size;
        let label = format!("LUT #{index}");
        if !(2..=256).contains(&size) {
            return Err(RenderError::InvalidAsset(format!(
                "{label} has {size} entries a side; a LUT has 2 to 256"
            )));
        }
        let slice_entries = size as usize * size as usize;
        if lut.rgb.len() != slice_entries * size as usize {
            return Err(RenderError::InvalidAsset(format!(
                "{label} has {} entries instead of {size}³",
                lut.rgb.len()
            )));
        }
        let limit = device.limits().max_texture_dimension_3d;
        if size > limit {
            return Err(RenderError::InvalidAsset(format!(
                "{label} has {size} entries a side; this GPU takes at most {limit}"
            )));
        }
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some(&label),
            size: extent(size, size, size),
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D3,
            format: wgpu::TextureFormat::Rgba32Float,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let mut slice = Vec::with_capacity(slice_entries * 16);
        for (blue, entries) in lut.rgb.chunks_exact(slice_entries).enumerate() {
            slice.clear();
            for &[r, g, b] in entries {
                for value in [r, g, b, 1.0] {
                    slice.extend_from_slice(&value.to_ne_bytes());
                }
            }
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: 0,
                    // `blue` < size ≤ 256.
                    origin: wgpu::Origin3d {
                        x: 0,
                        y: 0,
                        z: blue as u32,
                    },
                    aspect: wgpu::TextureAspect::All,
                },
                &slice,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(size * 16),
                    rows_per_image: Some(size),
                },
                extent(size, size, 1),
            );
        }
        let bind_group = texture_bind_group(device, layout, &texture, &label);
        Ok(Self {
            _texture: texture,
            bind_group,
            size,
        })
    }
}

/// The frame on the GPU and a second texture a LUT draw copies it into to read from; both
/// kept and regrown only when a frame is larger than any before.
#[derive(Default)]
pub(super) struct FrameTargets {
    current: Option<Targets>,
}

/// The textures of [`FrameTargets`] at one capacity.
pub(super) struct Targets {
    /// Drawn into; the frame is uploaded to its top-left corner.
    pub frame: wgpu::Texture,
    /// A view of [`Self::frame`] to render to.
    pub frame_view: wgpu::TextureView,
    /// Where a LUT draw copies the frame to.
    pub copy: wgpu::Texture,
    /// Binds [`Self::copy`] as group 1 for LUT draws.
    pub copy_bind_group: wgpu::BindGroup,
    width: u32,
    height: u32,
}

impl FrameTargets {
    /// Targets at least `width × height`, created or regrown as needed.
    pub fn ensure(
        &mut self,
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        width: u32,
        height: u32,
    ) -> Result<&Targets, RenderError> {
        let limit = device.limits().max_texture_dimension_2d;
        if width > limit || height > limit {
            return Err(RenderError::Gpu(format!(
                "the frame is {width}×{height} pixels; this GPU draws at most {limit} a side"
            )));
        }
        let (old_width, old_height) = self
            .current
            .as_ref()
            .map_or((0, 0), |targets| (targets.width, targets.height));
        if width > old_width || height > old_height {
            self.current = None;
        }
        let (width, height) = (width.max(old_width), height.max(old_height));
        Ok(self.current.get_or_insert_with(|| {
            let target = |label, usage| {
                device.create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size: extent(width, height, 1),
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format: TARGET_FORMAT,
                    usage,
                    view_formats: &[],
                })
            };
            use wgpu::TextureUsages as Usage;
            let frame = target(
                "lensmith frame",
                Usage::RENDER_ATTACHMENT | Usage::COPY_SRC | Usage::COPY_DST,
            );
            let copy = target(
                "lensmith frame copy",
                Usage::COPY_DST | Usage::TEXTURE_BINDING,
            );
            let frame_view = frame.create_view(&wgpu::TextureViewDescriptor::default());
            let copy_bind_group = texture_bind_group(device, layout, &copy, "lensmith frame copy");
            Targets {
                frame,
                frame_view,
                copy,
                copy_bind_group,
                width,
                height,
            }
        }))
    }
}

/// A size in texels.
pub(super) fn extent(width: u32, height: u32, depth: u32) -> wgpu::Extent3d {
    wgpu::Extent3d {
        width,
        height,
        depth_or_array_layers: depth,
    }
}

fn texture_bind_group(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    texture: &wgpu::Texture,
    label: &str,
) -> wgpu::BindGroup {
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::TextureView(&view),
        }],
    })
}
