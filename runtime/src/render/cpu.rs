//! The CPU reference renderer: draws a [`Scene`] exactly by the rules in [`super::scene`],
//! for golden tests and for machines without a GPU. Meshes rasterise with integer edge
//! functions and one span per row; quads and patches walk their parallelogram's rows
//! through the inverse affine map.

mod blend;
mod draw;
mod lut;
mod raster;
mod sampling;
mod target;
#[cfg(test)]
mod tests;

use effect_api::Frame;

use crate::helper_thread::HelperThread;

use self::blend::Lanes;
use self::lut::PreparedLut;
use self::target::Target;
use super::scene::{LutRegion, MeshVertex};
use super::{DrawCommand, RenderError, Renderer, Scene, SceneAssets, Texture, Topology};

/// Draws scenes on the CPU, exactly by the rules in [`super::scene`].
#[derive(Debug, Default)]
pub struct CpuRenderer {
    /// Draws the lower half of large patches and stickers (none on a one-core machine, or
    /// for a renderer made by `default()`, which draws on the calling thread alone).
    helper: Option<HelperThread>,
    textures: Vec<Texture>,
    luts: Vec<PreparedLut>,
    topologies: Vec<Topology>,
    /// A mesh's pixels as values while its triangles are blended, so that they round once
    /// per command; kept between frames so that rendering does not allocate once warm.
    scratch: Vec<Lanes>,
}

impl CpuRenderer {
    /// A renderer with no assets loaded, with a helper thread for large draws where this
    /// machine has a second core.
    pub fn new() -> Self {
        Self {
            helper: HelperThread::for_this_machine("lensmith-draw"),
            ..Self::default()
        }
    }
}

impl Renderer for CpuRenderer {
    fn name(&self) -> String {
        "cpu".to_owned()
    }

    fn load_assets(&mut self, assets: &SceneAssets) -> Result<(), RenderError> {
        for (index, texture) in assets.textures.iter().enumerate() {
            if draw::texture_image(texture).is_none() {
                return Err(RenderError::InvalidAsset(format!(
                    "texture #{index} is {}×{} and holds {} bytes; it needs width · height · 4 \
                     bytes of premultiplied RGBA, and sides of 1 to {}",
                    texture.width,
                    texture.height,
                    texture.premultiplied_rgba.len(),
                    sampling::MAX_SIDE
                )));
            }
        }
        let luts = assets
            .luts
            .iter()
            .enumerate()
            .map(|(index, lut)| {
                PreparedLut::new(lut).map_err(|problem| {
                    RenderError::InvalidAsset(format!("LUT #{index}: {problem}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (index, topology) in assets.topologies.iter().enumerate() {
            let corners = topology.triangles.iter().flatten();
            if let Some(corner) = corners
                .copied()
                .find(|&corner| corner >= topology.vertex_count)
            {
                return Err(RenderError::InvalidAsset(format!(
                    "topology #{index} names vertex {corner}, but has only {} vertices",
                    topology.vertex_count
                )));
            }
        }
        self.textures = assets.textures.clone();
        self.luts = luts;
        self.topologies = assets.topologies.clone();
        Ok(())
    }

    fn render(&mut self, frame: &mut Frame, scene: &Scene) -> Result<(), RenderError> {
        // Check everything first, so a bad scene leaves the frame as it was.
        for (index, command) in scene.commands.iter().enumerate() {
            self.check(index, command, scene)?;
        }
        let mut target = Target::new(frame)?;
        let Self {
            helper,
            textures,
            luts,
            topologies,
            scratch,
        } = self;
        for command in &scene.commands {
            match command {
                DrawCommand::Patch(patch) => {
                    if let Some(pixels) = scene.patch_pixels.get(patch.pixels.clone()) {
                        draw::patch(&mut target, patch, pixels, helper.as_mut());
                    }
                }
                DrawCommand::Quad(quad) => {
                    if let Some(texture) = textures.get(quad.texture.0 as usize) {
                        draw::quad(&mut target, quad, texture, helper.as_mut());
                    }
                }
                DrawCommand::Mesh(mesh) => {
                    let texture = textures.get(mesh.texture.0 as usize);
                    let topology = topologies.get(mesh.topology.0 as usize);
                    let vertices = mesh_vertices(scene, &mesh.vertices);
                    if let (Some(texture), Some(topology), Some(vertices)) =
                        (texture, topology, vertices)
                    {
                        draw::mesh(&mut target, scratch, mesh, texture, topology, vertices);
                    }
                }
                DrawCommand::Lut(grade) => {
                    let region = match &grade.region {
                        LutRegion::Frame => None,
                        LutRegion::Mesh { topology, vertices } => {
                            let topology = topologies.get(topology.0 as usize);
                            topology.zip(mesh_vertices(scene, vertices))
                        }
                    };
                    if let Some(lut) = luts.get(grade.lut.0 as usize) {
                        draw::lut(&mut target, scratch, grade, lut, region);
                    }
                }
            }
        }
        Ok(())
    }
}

impl CpuRenderer {
    /// Whether command `index` refers only to loaded assets and to parts of the scene that
    /// exist and have the right size.
    fn check(&self, index: usize, command: &DrawCommand, scene: &Scene) -> Result<(), RenderError> {
        match command {
            DrawCommand::Patch(patch) => {
                let side = patch.side as usize;
                // Sides past the limit are refused before they are squared.
                let fits = (1..=sampling::MAX_SIDE).contains(&side);
                let needed = if fits { side * side * 4 } else { usize::MAX };
                let found = scene
                    .patch_pixels
                    .get(patch.pixels.clone())
                    .map(<[u8]>::len);
                if found != Some(needed) {
                    return Err(RenderError::InvalidAsset(format!(
                        "draw #{index}: a {side}×{side} patch needs {needed} bytes, but its \
                         range {:?} of the scene's {} patch bytes does not hold them",
                        patch.pixels,
                        scene.patch_pixels.len()
                    )));
                }
                Ok(())
            }
            DrawCommand::Quad(quad) => self.texture(quad.texture.0).map(drop),
            DrawCommand::Mesh(mesh) => {
                self.texture(mesh.texture.0)?;
                self.mesh(index, mesh.topology.0, &mesh.vertices, scene)
            }
            DrawCommand::Lut(grade) => {
                let lut = grade.lut.0 as usize;
                if lut >= self.luts.len() {
                    return Err(missing("lut", lut, self.luts.len()));
                }
                match &grade.region {
                    LutRegion::Frame => Ok(()),
                    LutRegion::Mesh { topology, vertices } => {
                        self.mesh(index, topology.0, vertices, scene)
                    }
                }
            }
        }
    }

    fn texture(&self, id: u32) -> Result<&Texture, RenderError> {
        self.textures
            .get(id as usize)
            .ok_or_else(|| missing("texture", id as usize, self.textures.len()))
    }

    /// Checks that a mesh's topology is loaded and its vertex range holds exactly the
    /// topology's vertices.
    fn mesh(
        &self,
        index: usize,
        topology: u32,
        vertices: &std::ops::Range<u32>,
        scene: &Scene,
    ) -> Result<(), RenderError> {
        let loaded = self.topologies.len();
        let topology_id = topology as usize;
        let topology = self
            .topologies
            .get(topology_id)
            .ok_or_else(|| missing("topology", topology_id, loaded))?;
        let found = mesh_vertices(scene, vertices).map(<[MeshVertex]>::len);
        if found != Some(topology.vertex_count as usize) {
            return Err(RenderError::InvalidAsset(format!(
                "draw #{index}: topology #{topology_id} joins {} vertices, but the draw's \
                 vertex range {vertices:?} {}",
                topology.vertex_count,
                match found {
                    Some(count) => format!("holds {count}"),
                    None => format!("lies outside the scene's {} vertices", scene.vertices.len()),
                }
            )));
        }
        Ok(())
    }
}

fn missing(kind: &'static str, index: usize, loaded: usize) -> RenderError {
    RenderError::MissingAsset {
        kind,
        index,
        loaded,
    }
}

fn mesh_vertices<'a>(scene: &'a Scene, range: &std::ops::Range<u32>) -> Option<&'a [MeshVertex]> {
    scene.vertices.get(range.start as usize..range.end as usize)
}
