//! The vertex and uniform buffers a frame's draws read, kept between frames and regrown
//! (to the next power of two) only when a frame needs more.

use super::pipelines::UNIFORM_SIZE;

/// The per-frame buffers.
#[derive(Default)]
pub(super) struct DrawBuffers {
    vertices: Option<wgpu::Buffer>,
    indices: Option<wgpu::Buffer>,
    uniforms: Option<(wgpu::Buffer, wgpu::BindGroup)>,
}

/// What the draws of a frame bind.
pub(super) struct BoundBuffers<'a> {
    /// The vertices.
    pub vertices: &'a wgpu::Buffer,
    /// This frame's own triangle indices, when a mesh needed some.
    pub indices: Option<&'a wgpu::Buffer>,
    /// Group 0: the uniforms, bound at each step's offset.
    pub uniforms: &'a wgpu::BindGroup,
}

impl DrawBuffers {
    /// Writes this frame's vertex, index (if any) and uniform bytes, growing the buffers
    /// first if needed.
    pub fn upload<'a>(
        &'a mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        uniform_layout: &wgpu::BindGroupLayout,
        vertices: &[u8],
        indices: &[u8],
        uniforms: &[u8],
    ) -> BoundBuffers<'a> {
        let fits = |buffer: &wgpu::Buffer, bytes: &[u8]| buffer.size() >= bytes.len() as u64;
        if !self
            .vertices
            .as_ref()
            .is_some_and(|buffer| fits(buffer, vertices))
        {
            self.vertices = None;
        }
        if !self
            .uniforms
            .as_ref()
            .is_some_and(|(buffer, _)| fits(buffer, uniforms))
        {
            self.uniforms = None;
        }
        let vertex_buffer = self.vertices.get_or_insert_with(|| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("lensmith vertices"),
                size: grown(vertices.len()),
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        let (uniform_buffer, bind_group) = self.uniforms.get_or_insert_with(|| {
            let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("lensmith draw uniforms"),
                size: grown(uniforms.len()),
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("lensmith draw uniforms"),
                layout: uniform_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &buffer,
                        offset: 0,
                        size: wgpu::BufferSize::new(UNIFORM_SIZE),
                    }),
                }],
            });
            (buffer, bind_group)
        });
        let index_buffer = (!indices.is_empty()).then(|| {
            let buffer = self.indices.get_or_insert_with(|| {
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("lensmith frame indices"),
                    size: grown(indices.len()),
                    usage: wgpu::BufferUsages::INDEX | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                })
            });
            queue.write_buffer(buffer, 0, indices);
            &*buffer
        });
        queue.write_buffer(vertex_buffer, 0, vertices);
        queue.write_buffer(uniform_buffer, 0, uniforms);
        BoundBuffers {
            vertices: vertex_buffer,
            indices: index_buffer,
            uniforms: bind_group,
        }
    }
}

/// A buffer size for `needed` bytes with room to grow, never zero.
fn grown(needed: usize) -> u64 {
    (needed.max(4096) as u64).next_power_of_two()
}
