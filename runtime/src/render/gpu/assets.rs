//! A bundle's assets on the GPU: padded textures, LUT tables and topology index buffers,
//! uploaded once by `load_assets`.

use wgpu::util::DeviceExt as _;

use super::super::{RenderError, SceneAssets, Topology};
use super::coverage::Occupancy;
use super::pipelines::Pipelines;
use super::textures::{LutTexture, PaddedImage};

/// A topology's triangles as an index buffer.
pub(super) struct GpuTopology {
    /// The corner indices, three a triangle.
    pub indices: Option<wgpu::Buffer>,
    /// How many indices (three times the triangles).
    pub index_count: u32,
    /// How many vertices a draw supplies.
    pub vertex_count: u32,
    /// The triangles, for the rare mesh with corners that cannot be drawn (see
    /// `plan.rs`), whose other triangles get an index list of their own.
    pub triangles: Vec<[u32; 3]>,
}

/// Everything [`SceneAssets`] holds, uploaded.
#[derive(Default)]
pub(super) struct LoadedAssets {
    /// Textures, by [`super::super::TextureId`].
    pub images: Vec<PaddedImage>,
    /// Where each texture is not transparent, by [`super::super::TextureId`].
    pub coverage: Vec<Occupancy>,
    /// LUTs, by [`super::super::LutId`].
    pub luts: Vec<LutTexture>,
    /// Triangle lists, by [`super::super::TopologyId`].
    pub topologies: Vec<GpuTopology>,
}

impl LoadedAssets {
    /// Checks and uploads every asset.
    pub fn load(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        pipelines: &Pipelines,
        assets: &SceneAssets,
    ) -> Result<Self, RenderError> {
        let images = assets
            .textures
            .iter()
            .enumerate()
            .map(|(index, texture)| {
                PaddedImage::from_texture(device, queue, &pipelines.image_layout, texture, index)
            })
            .collect::<Result<_, _>>()?;
        // The uploads above checked every texture's size.
        let coverage = assets
            .textures
            .iter()
            .map(|texture| {
                Occupancy::new(texture.width, texture.height, &texture.premultiplied_rgba)
            })
            .collect();
        let luts = assets
            .luts
            .iter()
            .enumerate()
            .map(|(index, lut)| LutTexture::new(device, queue, &pipelines.lut_layout, lut, index))
            .collect::<Result<_, _>>()?;
        let topologies = assets
            .topologies
            .iter()
            .enumerate()
            .map(|(index, topology)| upload_topology(device, topology, index))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            images,
            coverage,
            luts,
            topologies,
        })
    }
}

fn upload_topology(
    device: &wgpu::Device,
    topology: &Topology,
    index: usize,
) -> Result<GpuTopology, RenderError> {
    let corners = topology.triangles.as_flattened();
    if let Some(corner) = corners
        .iter()
        .find(|&&corner| corner >= topology.vertex_count)
    {
        return Err(RenderError::InvalidAsset(format!(
            "topology #{index} names vertex {corner}, but has only {} vertices",
            topology.vertex_count
        )));
    }
    let index_count = u32::try_from(corners.len()).map_err(|_| {
        RenderError::InvalidAsset(format!("topology #{index} has too many triangles"))
    })?;
    // wgpu refuses empty buffers; an empty topology draws nothing.
    let indices = (index_count > 0).then(|| {
        device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("lensmith topology"),
            contents: bytemuck::cast_slice(corners),
            usage: wgpu::BufferUsages::INDEX,
        })
    });
    Ok(GpuTopology {
        indices,
        index_count,
        vertex_count: topology.vertex_count,
        triangles: topology.triangles.clone(),
    })
}
