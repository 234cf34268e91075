//! The wgpu renderer: the rules of [`super::scene`] on a GPU, for the studio (which shares
//! iced's device) and for speed. Only the rectangle of the frame the draws can reach is
//! uploaded, drawn (the viewport stays the whole frame, so every position and pixel centre
//! is the same as in a whole-frame draw; a scissor keeps the draws inside) and read back,
//! in one command encoder and one submission; everything but those bytes is built once.
//! Parts of draws that can only sample transparent black (mesh triangles over empty parts
//! of their image, a sticker's empty margins) change no pixel and are left out.

mod assets;
mod buffers;
mod coverage;
mod device;
mod pipelines;
mod plan;
mod region;
mod textures;
mod transfer;

use effect_api::Frame;

use self::assets::LoadedAssets;
use self::buffers::{BoundBuffers, DrawBuffers};
use self::device::ErrorScope;
use self::pipelines::{Pipelines, UNIFORM_SIZE};
use self::plan::{FramePlan, Geometry, ImageSource, PlanContext, Step};
use self::region::PixelRect;
use self::textures::{FrameTargets, PatchPool, PatchSlot, Targets, extent};
use self::transfer::FrameTransfer;
use super::{RenderError, Renderer, Scene, SceneAssets};

/// Draws scenes with wgpu, on any adapter (lavapipe included).
pub struct GpuRenderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter_name: String,
    pipelines: Pipelines,
    /// Bytes between two draws' uniforms: the device's dynamic offset alignment.
    uniform_stride: usize,
    assets: LoadedAssets,
    patches: PatchPool,
    /// Where this frame's patches went, by their index in the plan.
    patch_slots: Vec<PatchSlot>,
    targets: FrameTargets,
    transfer: FrameTransfer,
    buffers: DrawBuffers,
    plan: FramePlan,
}

impl GpuRenderer {
    /// Opens a device of its own on the best adapter there is. Fails with
    /// [`RenderError::Gpu`], saying what to install, when there is none.
    pub fn new() -> Result<Self, RenderError> {
        let opened = device::open()?;
        Self::build(opened.device, opened.queue, opened.adapter_name)
    }

    /// Draws with a device someone else opened (the studio shares iced's).
    pub fn with_device(device: wgpu::Device, queue: wgpu::Queue) -> Result<Self, RenderError> {
        Self::build(device, queue, "shared device".to_owned())
    }

    fn build(
        device: wgpu::Device,
        queue: wgpu::Queue,
        adapter_name: String,
    ) -> Result<Self, RenderError> {
        let scope = ErrorScope::push(&device);
        let pipelines = Pipelines::new(&device);
        scope.pop(&device, "building the render pipelines")?;
        let alignment = device.limits().min_uniform_buffer_offset_alignment as usize;
        let uniform_stride = (UNIFORM_SIZE as usize).next_multiple_of(alignment.max(1));
        Ok(Self {
            device,
            queue,
            adapter_name,
            pipelines,
            uniform_stride,
            assets: LoadedAssets::default(),
            patches: PatchPool::default(),
            patch_slots: Vec::new(),
            targets: FrameTargets::default(),
            transfer: FrameTransfer::default(),
            buffers: DrawBuffers::default(),
            plan: FramePlan::default(),
        })
    }

    /// Uploads, draws and reads back `region` of one frame as planned (inside the caller's
    /// error scope).
    fn draw(
        &mut self,
        frame: &mut Frame,
        scene: &Scene,
        region: PixelRect,
    ) -> Result<(), RenderError> {
        let (width, height) = (frame.width(), frame.height());
        self.patches.start_frame();
        self.patch_slots.clear();
        for patch in &self.plan.patches {
            // The plan checked the range.
            let pixels = &scene.patch_pixels[patch.pixels.clone()];
            let slot = self.patches.upload(
                &self.device,
                &self.queue,
                &self.pipelines.image_layout,
                patch.side,
                pixels,
            )?;
            self.patch_slots.push(slot);
        }
        let targets =
            self.targets
                .ensure(&self.device, &self.pipelines.image_layout, width, height)?;
        let buffers = self.buffers.upload(
            &self.device,
            &self.queue,
            &self.pipelines.uniform_layout,
            bytemuck::cast_slice(&self.plan.vertices),
            bytemuck::cast_slice(&self.plan.indices),
            &self.plan.uniforms,
        );
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("lensmith frame"),
            });
        self.transfer
            .upload(&self.device, &mut encoder, &targets.frame, frame, region);
        let recorder = Recorder {
            pipelines: &self.pipelines,
            assets: &self.assets,
            patches: &self.patches,
            patch_slots: &self.patch_slots,
            targets,
            buffers: &buffers,
            size: [width, height],
            region,
        };
        recorder.record(&mut encoder, &self.plan.steps);
        self.transfer
            .record_copy(&self.device, &mut encoder, &targets.frame, frame, region);
        let submission = self.queue.submit([encoder.finish()]);
        self.transfer
            .read_back(&self.device, submission, frame, region)
    }
}

impl Renderer for GpuRenderer {
    fn name(&self) -> String {
        format!("gpu ({})", self.adapter_name)
    }

    fn load_assets(&mut self, assets: &SceneAssets) -> Result<(), RenderError> {
        let scope = ErrorScope::push(&self.device);
        let loaded = LoadedAssets::load(&self.device, &self.queue, &self.pipelines, assets);
        let caught = scope.pop(&self.device, "uploading the assets");
        self.assets = caught.and(loaded)?;
        Ok(())
    }

    fn render(&mut self, frame: &mut Frame, scene: &Scene) -> Result<(), RenderError> {
        if scene.commands.is_empty() {
            return Ok(());
        }
        let context = PlanContext {
            assets: &self.assets,
            uniform_stride: self.uniform_stride,
            frame_size: [frame.width(), frame.height()],
        };
        self.plan.build(context, scene)?;
        // Nothing reaches the frame: no GPU work at all.
        let Some(region) = self.plan.region else {
            return Ok(());
        };
        let scope = ErrorScope::push(&self.device);
        let drawn = self.draw(frame, scene, region);
        // A caught GPU error explains a failure better than its symptom does.
        scope.pop(&self.device, "drawing a frame").and(drawn)
    }
}

/// Records a frame's steps into render passes.
struct Recorder<'a> {
    pipelines: &'a Pipelines,
    assets: &'a LoadedAssets,
    patches: &'a PatchPool,
    patch_slots: &'a [PatchSlot],
    targets: &'a Targets,
    buffers: &'a BoundBuffers<'a>,
    /// The frame's width and height: the viewport.
    size: [u32; 2],
    /// What the draws may change: the scissor, and what a LUT draw copies.
    region: PixelRect,
}

impl Recorder<'_> {
    /// One render pass per run of steps; a LUT step starts a new one after copying the
    /// region, since it reads the frame as drawn so far (and only inside the scissor).
    fn record(&self, encoder: &mut wgpu::CommandEncoder, steps: &[Step]) {
        let [width, height] = self.size;
        let region = self.region;
        let mut start = 0;
        while start < steps.len() {
            let end = steps[start + 1..]
                .iter()
                .position(Step::is_lut)
                .map_or(steps.len(), |offset| start + 1 + offset);
            if steps[start].is_lut() {
                let at_region = |texture| wgpu::TexelCopyTextureInfo {
                    texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d {
                        x: region.x,
                        y: region.y,
                        z: 0,
                    },
                    aspect: wgpu::TextureAspect::All,
                };
                encoder.copy_texture_to_texture(
                    at_region(&self.targets.frame),
                    at_region(&self.targets.copy),
                    extent(region.width, region.height, 1),
                );
            }
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("lensmith draws"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &self.targets.frame_view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Load,
                        store: wgpu::StoreOp::Store,
                    },
                })],
                ..wgpu::RenderPassDescriptor::default()
            });
            pass.set_viewport(0.0, 0.0, width as f32, height as f32, 0.0, 1.0);
            pass.set_scissor_rect(region.x, region.y, region.width, region.height);
            pass.set_vertex_buffer(0, self.buffers.vertices.slice(..));
            for step in &steps[start..end] {
                self.step(&mut pass, step);
            }
            start = end;
        }
    }

    fn step(&self, pass: &mut wgpu::RenderPass<'_>, step: &Step) {
        let geometry = match *step {
            Step::Image {
                source,
                winding,
                blend,
                uniforms,
                geometry,
            } => {
                // The plan checked every index against the loaded assets.
                let image = match source {
                    ImageSource::Asset(index) => &self.assets.images[index],
                    ImageSource::Patch(index) => self.patches.get(self.patch_slots[index]),
                };
                pass.set_pipeline(self.pipelines.image(winding, blend));
                pass.set_bind_group(0, self.buffers.uniforms, &[uniforms]);
                pass.set_bind_group(1, &image.bind_group, &[]);
                geometry
            }
            Step::Lut {
                lut,
                uniforms,
                geometry,
            } => {
                pass.set_pipeline(self.pipelines.lut());
                pass.set_bind_group(0, self.buffers.uniforms, &[uniforms]);
                pass.set_bind_group(1, &self.targets.copy_bind_group, &[]);
                pass.set_bind_group(2, &self.assets.luts[lut].bind_group, &[]);
                geometry
            }
        };
        match geometry {
            Geometry::Indexed {
                topology,
                base_vertex,
            } => {
                let topology = &self.assets.topologies[topology];
                if let Some(indices) = &topology.indices {
                    pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
                    pass.draw_indexed(0..topology.index_count, base_vertex, 0..1);
                }
            }
            Geometry::Filtered {
                first,
                count,
                base_vertex,
            } => {
                if let Some(indices) = self.buffers.indices {
                    pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint32);
                    pass.draw_indexed(first..first + count, base_vertex, 0..1);
                }
            }
            Geometry::Plain { first, count } => pass.draw(first..first + count, 0..1),
        }
    }
}
