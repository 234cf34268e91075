//! The shader, bind group layouts and render pipelines, built once per device: one pipeline
//! per blend mode and winding rule, and one for colour grades.

use super::super::BlendMode;

/// The frame's format on the GPU: plain codes, not sRGB, so blending works on the stored
/// values as the rules say.
pub(super) const TARGET_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// One vertex as the shader reads it: frame x and y (snapped), w, u, v and alpha.
pub(super) type GpuVertex = [f32; 6];

/// The bytes of one draw's uniforms (`Draw` in `render.wgsl`).
pub(super) const UNIFORM_SIZE: u64 = 64;

/// Which triangles a pipeline keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Winding {
    /// Meshes: only triangles clockwise on screen.
    Clockwise,
    /// Quads and patches, which may be mirrored: both; (u, v) come from the affine map in
    /// the uniforms rather than from the vertices.
    Either,
}

/// Everything fixed about how draws are made.
pub(super) struct Pipelines {
    /// Group 0: the draw's uniforms, at a dynamic offset.
    pub uniform_layout: wgpu::BindGroupLayout,
    /// Group 1: one 2-D texture (a padded image, or the frame copy for a LUT).
    pub image_layout: wgpu::BindGroupLayout,
    /// Group 2: a LUT's 3-D texture.
    pub lut_layout: wgpu::BindGroupLayout,
    /// `[winding][blend]`: Clockwise then Either; normal, multiply, screen, add.
    images: [[wgpu::RenderPipeline; 4]; 2],
    lut: wgpu::RenderPipeline,
}

impl Pipelines {
    /// Compiles the shader and builds every pipeline.
    pub fn new(device: &wgpu::Device) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("lensmith render.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("render.wgsl").into()),
        });
        let uniform_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("lensmith draw uniforms"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: wgpu::BufferSize::new(UNIFORM_SIZE),
                },
                count: None,
            }],
        });
        let image_layout = texture_layout(device, "lensmith image", wgpu::TextureViewDimension::D2);
        let lut_layout = texture_layout(device, "lensmith lut", wgpu::TextureViewDimension::D3);
        let image_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("lensmith image draws"),
                bind_group_layouts: &[&uniform_layout, &image_layout],
                push_constant_ranges: &[],
            });
        let lut_pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("lensmith lut draws"),
            bind_group_layouts: &[&uniform_layout, &image_layout, &lut_layout],
            push_constant_ranges: &[],
        });
        let build = |winding, blend| {
            let (multiply, state) = blend_state(blend);
            let entry = match (winding, multiply) {
                (Winding::Clockwise, false) => "fs_mesh",
                (Winding::Clockwise, true) => "fs_mesh_multiply",
                (Winding::Either, false) => "fs_affine",
                (Winding::Either, true) => "fs_affine_multiply",
            };
            pipeline(
                device,
                &image_pipeline_layout,
                &shader,
                entry,
                Some(state),
                winding,
            )
        };
        let per_blend = |winding| {
            [
                BlendMode::Normal,
                BlendMode::Multiply,
                BlendMode::Screen,
                BlendMode::Add,
            ]
            .map(|blend| build(winding, blend))
        };
        let images = [per_blend(Winding::Clockwise), per_blend(Winding::Either)];
        let lut = pipeline(
            device,
            &lut_pipeline_layout,
            &shader,
            "fs_lut",
            None,
            Winding::Clockwise,
        );
        Self {
            uniform_layout,
            image_layout,
            lut_layout,
            images,
            lut,
        }
    }

    /// The pipeline drawing an image with `blend`, keeping triangles by `winding`.
    pub fn image(&self, winding: Winding, blend: BlendMode) -> &wgpu::RenderPipeline {
        let row = match winding {
            Winding::Clockwise => 0,
            Winding::Either => 1,
        };
        &self.images[row][blend_index(blend)]
    }

    /// The pipeline applying a LUT to the pixels of clockwise triangles.
    pub fn lut(&self) -> &wgpu::RenderPipeline {
        &self.lut
    }
}

/// A layout of one texture read with `textureLoad` (so it need not be filterable).
fn texture_layout(
    device: &wgpu::Device,
    label: &str,
    view_dimension: wgpu::TextureViewDimension,
) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: &[wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: false },
                view_dimension,
                multisampled: false,
            },
            count: None,
        }],
    })
}

fn blend_index(blend: BlendMode) -> usize {
    match blend {
        BlendMode::Normal => 0,
        BlendMode::Multiply => 1,
        BlendMode::Screen => 2,
        BlendMode::Add => 3,
    }
}

/// Whether the mode's shader outputs `1 − A + P` (multiply) rather than `(P, A)`, and its
/// fixed-function blend, all on premultiplied colour (see the table in `scene.rs`).
fn blend_state(blend: BlendMode) -> (bool, wgpu::BlendState) {
    use wgpu::BlendFactor::{One, OneMinusSrc, OneMinusSrcAlpha, Src, Zero};
    let colour = |src_factor, dst_factor| wgpu::BlendState {
        color: wgpu::BlendComponent {
            src_factor,
            dst_factor,
            operation: wgpu::BlendOperation::Add,
        },
        // Alpha is never written (the write mask is colour only).
        alpha: wgpu::BlendComponent::REPLACE,
    };
    match blend {
        // P + d·(1 − A)
        BlendMode::Normal => (false, colour(One, OneMinusSrcAlpha)),
        // d·(1 − A + P): the shader outputs 1 − A + P.
        BlendMode::Multiply => (true, colour(Zero, Src)),
        // P + d·(1 − P)
        BlendMode::Screen => (false, colour(One, OneMinusSrc)),
        // min(1, d + P): the clamp is the store into 8 bits.
        BlendMode::Add => (false, colour(One, One)),
    }
}

fn pipeline(
    device: &wgpu::Device,
    layout: &wgpu::PipelineLayout,
    shader: &wgpu::ShaderModule,
    fragment_entry: &str,
    blend: Option<wgpu::BlendState>,
    winding: Winding,
) -> wgpu::RenderPipeline {
    let attributes = wgpu::vertex_attr_array![
        0 => Float32x2,
        1 => Float32,
        2 => Float32x2,
        3 => Float32,
    ];
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(fragment_entry),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_main"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            buffers: &[wgpu::VertexBufferLayout {
                array_stride: size_of::<GpuVertex>() as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &attributes,
            }],
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleList,
            // wgpu's clip space has y up, so clockwise on screen (y down) is clockwise in
            // clip space too.
            front_face: wgpu::FrontFace::Cw,
            cull_mode: match winding {
                Winding::Clockwise => Some(wgpu::Face::Back),
                Winding::Either => None,
            },
            ..wgpu::PrimitiveState::default()
        },
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some(fragment_entry),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format: TARGET_FORMAT,
                blend,
                write_mask: wgpu::ColorWrites::COLOR,
            })],
        }),
        multiview: None,
        cache: None,
    })
}
