//! Turning a scene into a frame's GPU work: every command is checked against the loaded
//! assets and becomes a [`Step`], with its vertices and uniforms written into buffers kept
//! from frame to frame, and the rectangle of the frame the steps can change. Planning
//! touches no GPU: a scene that draws nothing on the frame costs no GPU work at all.

use std::ops::Range;

use effect_api::Point2;

use super::super::{BlendMode, DrawCommand, LutRegion, MeshVertex, RenderError, Scene, TopologyId};
use super::assets::LoadedAssets;
use super::coverage::{MeshCulling, Span, whole_image};
use super::pipelines::{GpuVertex, UNIFORM_SIZE, Winding};
use super::region::{Bounds, PixelRect};

/// The image a step draws.
#[derive(Debug, Clone, Copy)]
pub(super) enum ImageSource {
    /// A texture of the bundle, by index.
    Asset(usize),
    /// A patch of this frame, by index into [`FramePlan::patches`].
    Patch(usize),
}

/// The triangles a step draws.
#[derive(Debug, Clone, Copy)]
pub(super) enum Geometry {
    /// A topology's indices (by index) over the vertices from `base_vertex`.
    Indexed { topology: usize, base_vertex: i32 },
    /// Indices `first..first + count` of the frame's own index list (a mesh some of whose
    /// triangles are skipped), over the vertices from `base_vertex`.
    Filtered {
        first: u32,
        count: u32,
        base_vertex: i32,
    },
    /// Triangles of their own in the vertex buffer.
    Plain { first: u32, count: u32 },
}

/// One command, ready to record.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step {
    /// A mesh, quad or patch.
    Image {
        source: ImageSource,
        winding: Winding,
        blend: BlendMode,
        /// Byte offset of its uniforms.
        uniforms: u32,
        geometry: Geometry,
    },
    /// A colour grade.
    Lut {
        /// The LUT, by index.
        lut: usize,
        /// Byte offset of its uniforms.
        uniforms: u32,
        geometry: Geometry,
    },
}

impl Step {
    /// A LUT reads a copy of the frame, so it starts a new render pass.
    pub fn is_lut(&self) -> bool {
        matches!(self, Step::Lut { .. })
    }
}

/// What one frame draws; the vectors keep their memory between frames.
#[derive(Default)]
pub(super) struct FramePlan {
    /// The commands, in order.
    pub steps: Vec<Step>,
    /// The scene's vertices (snapped), then the corners of quads, patches and full-frame
    /// LUTs.
    pub vertices: Vec<GpuVertex>,
    /// Each step's `Draw` uniforms, `stride` bytes apart.
    pub uniforms: Vec<u8>,
    /// Triangle indices for meshes with corners that cannot be drawn; usually empty.
    pub indices: Vec<u32>,
    /// The patches the steps draw, to upload before recording.
    pub patches: Vec<PatchPixels>,
    /// The pixels the steps can change; `None` when there are no steps.
    pub region: Option<PixelRect>,
}

/// A patch to upload: a square of premultiplied RGBA8 in the scene's patch pixels.
#[derive(Debug, Clone)]
pub(super) struct PatchPixels {
    /// Bytes of [`Scene::patch_pixels`], `side · side · 4` of them (checked).
    pub pixels: Range<usize>,
    /// Side of the square.
    pub side: u32,
}

/// What building a plan needs besides the scene.
pub(super) struct PlanContext<'a> {
    /// The bundle's assets.
    pub assets: &'a LoadedAssets,
    /// Bytes between two steps' uniforms.
    pub uniform_stride: usize,
    /// The frame's width and height in pixels.
    pub frame_size: [u32; 2],
}

/// The `Draw` struct of `render.wgsl`.
#[derive(Default)]
struct DrawUniforms {
    image_size: [f32; 2],
    opacity: f32,
    lut_size: u32,
    to_u: [f32; 3],
    to_v: [f32; 3],
}

/// An image for [`Builder::affine`]: where it comes from, its size in texels and the part
/// of it (in texture coordinates) to draw.
struct Placed {
    source: ImageSource,
    size: [u32; 2],
    span: Span,
}

/// A quad's placement: the corners of the drawn parallelogram and the inverse map.
struct Affine {
    corners: [[f32; 2]; 4],
    to_u: [f32; 3],
    to_v: [f32; 3],
}

impl FramePlan {
    /// Checks `scene` and fills the plan. Draws that cannot reach a pixel of the frame
    /// are left out.
    pub fn build(&mut self, context: PlanContext<'_>, scene: &Scene) -> Result<(), RenderError> {
        self.steps.clear();
        self.vertices.clear();
        self.uniforms.clear();
        self.indices.clear();
        self.patches.clear();
        self.region = None;
        self.vertices.extend(scene.vertices.iter().map(snap));
        let mut builder = Builder {
            plan: self,
            context,
            scene,
            bounds: Bounds::EMPTY,
        };
        for command in &scene.commands {
            builder.add(command)?;
        }
        let [width, height] = builder.context.frame_size;
        let bounds = builder.bounds;
        if !self.steps.is_empty() {
            self.region = bounds.pixels(width, height);
        }
        Ok(())
    }
}

struct Builder<'a, 'b> {
    plan: &'a mut FramePlan,
    context: PlanContext<'b>,
    scene: &'a Scene,
    /// What the steps so far can reach.
    bounds: Bounds,
}

impl Builder<'_, '_> {
    fn add(&mut self, command: &DrawCommand) -> Result<(), RenderError> {
        let assets = self.context.assets;
        match command {
            DrawCommand::Mesh(mesh) => {
                let image = asset(&assets.images, mesh.texture.0, "texture")?;
                // `asset` checked the index, and every image has its coverage.
                let coverage = &assets.coverage[mesh.texture.0 as usize];
                let culling = MeshCulling::new(mesh.opacity, coverage);
                let Some(geometry) = self.mesh(mesh.topology, &mesh.vertices, Some(culling))?
                else {
                    return Ok(());
                };
                let image_size = [image.width as f32, image.height as f32];
                let uniforms = self.uniforms(DrawUniforms {
                    image_size,
                    opacity: mesh.opacity,
                    ..DrawUniforms::default()
                });
                self.plan.steps.push(Step::Image {
                    source: ImageSource::Asset(mesh.texture.0 as usize),
                    winding: Winding::Clockwise,
                    blend: mesh.blend,
                    uniforms,
                    geometry,
                });
            }
            DrawCommand::Quad(quad) => {
                let image = asset(&assets.images, quad.texture.0, "texture")?;
                // `asset` checked the index, and every image has its coverage.
                let coverage = &assets.coverage[quad.texture.0 as usize];
                // Pixels whose samples can only be transparent black change nothing:
                // with no opacity that is every pixel, and otherwise every pixel that
                // maps outside what the image holds.
                let span = coverage.span().filter(|_| quad.opacity > 0.0);
                if let Some(span) = span {
                    let size = [image.width, image.height];
                    let source = ImageSource::Asset(quad.texture.0 as usize);
                    let placed = Placed { source, size, span };
                    self.affine(placed, quad.corners, quad.blend, quad.opacity);
                }
            }
            DrawCommand::Patch(patch) => {
                let side = patch.side;
                let expected = side as usize * side as usize * 4;
                let range = patch.pixels.clone();
                self.scene
                    .patch_pixels
                    .get(range.clone())
                    .filter(|pixels| pixels.len() == expected && side > 0)
                    .ok_or_else(|| {
                        RenderError::InvalidAsset(format!(
                            "a patch of side {side} needs {expected} bytes, but its pixels \
                             are bytes {range:?} of the scene's {}",
                            self.scene.patch_pixels.len()
                        ))
                    })?;
                let [[a, b, tx], [c, d, ty]] = patch.crop_to_frame;
                let s = side as f32;
                let corners = [
                    Point2::new(tx, ty),
                    Point2::new(a * s + tx, c * s + ty),
                    Point2::new(b * s + tx, d * s + ty),
                ];
                let placed = Placed {
                    source: ImageSource::Patch(self.plan.patches.len()),
                    size: [side, side],
                    span: whole_image([side, side]),
                };
                if self.affine(placed, corners, BlendMode::Normal, 1.0) {
                    self.plan.patches.push(PatchPixels {
                        pixels: range,
                        side,
                    });
                }
            }
            DrawCommand::Lut(lut) => {
                let table = asset(&assets.luts, lut.lut.0, "lut")?;
                let geometry = match &lut.region {
                    LutRegion::Frame => {
                        self.bounds.union(Bounds::frame(
                            self.context.frame_size.map(|side| side as f32),
                        ));
                        self.full_frame()
                    }
                    LutRegion::Mesh { topology, vertices } => {
                        match self.mesh(*topology, vertices, None)? {
                            Some(geometry) => geometry,
                            None => return Ok(()),
                        }
                    }
                };
                let uniforms = self.uniforms(DrawUniforms {
                    opacity: lut.strength,
                    lut_size: table.size,
                    ..DrawUniforms::default()
                });
                self.plan.steps.push(Step::Lut {
                    lut: lut.lut.0 as usize,
                    uniforms,
                    geometry,
                });
            }
        }
        Ok(())
    }

    /// Checks a mesh's vertices against its topology; `None` when it has no triangles to
    /// draw or lies wholly off the frame. Triangles with a corner that cannot be drawn are
    /// left out, as the CPU renderer leaves them out, and so are those that `culling` (for
    /// an image) says change nothing; the rest get an index list of their own unless they
    /// are all there.
    fn mesh(
        &mut self,
        topology: TopologyId,
        vertices: &Range<u32>,
        culling: Option<MeshCulling<'_>>,
    ) -> Result<Option<Geometry>, RenderError> {
        let found = asset(&self.context.assets.topologies, topology.0, "topology")?;
        let available = self.scene.vertices.len();
        let corners = self
            .scene
            .vertices
            .get(vertices.start as usize..vertices.end as usize)
            .filter(|corners| corners.len() == found.vertex_count as usize)
            .ok_or_else(|| {
                RenderError::InvalidAsset(format!(
                    "a mesh over topology #{} ({} vertices) uses vertices {vertices:?} of \
                     the scene's {available}",
                    topology.0, found.vertex_count
                ))
            })?;
        let base_vertex = i32::try_from(vertices.start).map_err(|_| {
            RenderError::InvalidAsset(format!(
                "a mesh starts at vertex {}, past what a GPU draw can address",
                vertices.start
            ))
        })?;
        // The snapped positions, which are what the GPU draws.
        let snapped = &self.plan.vertices[vertices.start as usize..vertices.end as usize];
        let indices = &mut self.plan.indices;
        let first = indices.len();
        // Every covered pixel centre lies inside a kept triangle, so inside the box of
        // their corners.
        let mut bounds = Bounds::EMPTY;
        for triangle in &found.triangles {
            // The topology's indices were checked against its vertex count on loading.
            let [a, b, c] = triangle.map(|corner| &corners[corner as usize]);
            let kept = [a, b, c].into_iter().all(MeshVertex::is_drawable)
                && culling
                    .as_ref()
                    .is_none_or(|culling| culling.keeps([a, b, c]));
            if kept {
                indices.extend_from_slice(triangle);
                for &corner in triangle {
                    let [x, y, ..] = snapped[corner as usize];
                    bounds.add([x, y]);
                }
            }
        }
        // Index lists are far shorter than 4 G entries.
        let count = (indices.len() - first) as u32;
        let drawn = count > 0 && self.reaches_frame(bounds);
        // With every triangle kept, the topology's own index buffer serves.
        let every = count == found.index_count;
        if !drawn || every {
            self.plan.indices.truncate(first);
        }
        if !drawn {
            return Ok(None);
        }
        Ok(Some(if every {
            Geometry::Indexed {
                topology: topology.0 as usize,
                base_vertex,
            }
        } else {
            Geometry::Filtered {
                first: first as u32,
                count,
                base_vertex,
            }
        }))
    }

    /// Whether a draw within `bounds` can reach a pixel of the frame; if it can, the
    /// frame's region grows to hold it.
    fn reaches_frame(&mut self, bounds: Bounds) -> bool {
        let [width, height] = self.context.frame_size;
        let reaches = bounds.pixels(width, height).is_some();
        if reaches {
            self.bounds.union(bounds);
        }
        reaches
    }

    /// Adds a quad or patch: `placed.source` on the parallelogram from `corners`
    /// (top-left, top-right, bottom-left), drawn where its span maps to. A flat one covers
    /// nothing, and one off the frame reaches nothing: both are skipped, and `false` says
    /// so.
    fn affine(
        &mut self,
        placed: Placed,
        corners: [Point2; 3],
        blend: BlendMode,
        opacity: f32,
    ) -> bool {
        let Placed { source, size, span } = placed;
        let Some(affine) = placement(corners, span) else {
            return false;
        };
        // The drawn parallelogram's corners hold every pixel it covers.
        let mut bounds = Bounds::EMPTY;
        for corner in affine.corners {
            bounds.add(corner);
        }
        if !self.reaches_frame(bounds) {
            return false;
        }
        let first = self.plan.vertices.len() as u32;
        let [top_left, top_right, bottom_left, bottom_right] = affine.corners;
        let corner = |[x, y]: [f32; 2]| [x, y, 1.0, 0.0, 0.0, 1.0];
        self.plan.vertices.extend(
            [
                top_left,
                top_right,
                bottom_left,
                bottom_left,
                top_right,
                bottom_right,
            ]
            .map(corner),
        );
        let uniforms = self.uniforms(DrawUniforms {
            image_size: size.map(|side| side as f32),
            opacity,
            to_u: affine.to_u,
            to_v: affine.to_v,
            ..DrawUniforms::default()
        });
        self.plan.steps.push(Step::Image {
            source,
            winding: Winding::Either,
            blend,
            uniforms,
            geometry: Geometry::Plain { first, count: 6 },
        });
        true
    }

    /// One clockwise triangle covering the whole frame.
    fn full_frame(&mut self) -> Geometry {
        let first = self.plan.vertices.len() as u32;
        let [width, height] = self.context.frame_size.map(|side| side as f32);
        let corner = |x: f32, y: f32| [x, y, 1.0, 0.0, 0.0, 1.0];
        self.plan.vertices.extend([
            corner(0.0, 0.0),
            corner(2.0 * width, 0.0),
            corner(0.0, 2.0 * height),
        ]);
        Geometry::Plain { first, count: 3 }
    }

    /// Appends a step's uniforms and returns their byte offset.
    fn uniforms(&mut self, draw: DrawUniforms) -> u32 {
        let out = &mut self.plan.uniforms;
        let offset = out.len();
        let [to_u, to_v] = [draw.to_u, draw.to_v].map(|[a, b, c]| [a, b, c, 0.0]);
        let [width, height] = self.context.frame_size.map(|side| side as f32);
        let floats = [
            width,
            height,
            draw.image_size[0],
            draw.image_size[1],
            draw.opacity,
        ];
        for value in floats {
            out.extend_from_slice(&value.to_ne_bytes());
        }
        out.extend_from_slice(&draw.lut_size.to_ne_bytes());
        out.extend_from_slice(&[0; 8]);
        for value in to_u.into_iter().chain(to_v) {
            out.extend_from_slice(&value.to_ne_bytes());
        }
        debug_assert_eq!(out.len() - offset, UNIFORM_SIZE as usize);
        out.resize(offset + self.context.uniform_stride, 0);
        // The uniform buffer is far smaller than 4 GiB.
        offset as u32
    }
}

/// The loaded asset `index` of `kind`, or the error naming it.
fn asset<'a, T>(loaded: &'a [T], index: u32, kind: &'static str) -> Result<&'a T, RenderError> {
    loaded.get(index as usize).ok_or(RenderError::MissingAsset {
        kind,
        index: index as usize,
        loaded: loaded.len(),
    })
}

/// A mesh corner as the shader takes it, its position snapped to 1/256 pixel.
fn snap(vertex: &MeshVertex) -> GpuVertex {
    let snap = |value: f32| (value * 256.0).round() / 256.0;
    [
        snap(vertex.x),
        snap(vertex.y),
        vertex.w,
        vertex.u,
        vertex.v,
        vertex.alpha,
    ]
}

/// The part `span` (in texture coordinates) of the parallelogram from `corners`, and the
/// map from frame pixels back to (u, v); `None` when it is flat or not finite.
fn placement(corners: [Point2; 3], span: Span) -> Option<Affine> {
    let [origin, right, down] = corners.map(|point| [f64::from(point.x), f64::from(point.y)]);
    let across = [right[0] - origin[0], right[1] - origin[1]];
    let below = [down[0] - origin[0], down[1] - origin[1]];
    let determinant = across[0] * below[1] - across[1] * below[0];
    if determinant == 0.0 || !determinant.is_finite() || !origin.iter().all(|v| v.is_finite()) {
        return None;
    }
    let at = |u: f64, v: f64| {
        [0, 1].map(|axis| (origin[axis] + u * across[axis] + v * below[axis]) as f32)
    };
    let [[low_u, high_u], [low_v, high_v]] = span;
    // (u, v) = M⁻¹ · (p − origin), M = [across below].
    let to_u = [
        below[1] / determinant,
        -below[0] / determinant,
        (below[0] * origin[1] - below[1] * origin[0]) / determinant,
    ];
    let to_v = [
        -across[1] / determinant,
        across[0] / determinant,
        (across[1] * origin[0] - across[0] * origin[1]) / determinant,
    ];
    Some(Affine {
        corners: [
            at(low_u, low_v),
            at(high_u, low_v),
            at(low_u, high_v),
            at(high_u, high_v),
        ],
        to_u: to_u.map(|value| value as f32),
        to_v: to_v.map(|value| value as f32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_inverts_the_corner_map() {
        let corners = [
            Point2::new(10.0, 20.0),
            Point2::new(40.0, 30.0),
            Point2::new(5.0, 60.0),
        ];
        let affine = placement(corners, whole_image([4, 8])).unwrap();
        let uv = |[x, y]: [f32; 2]| {
            let [a, b, c] = affine.to_u;
            let [d, e, f] = affine.to_v;
            [a * x + b * y + c, d * x + e * y + f]
        };
        let close = |[a, b]: [f32; 2], [c, d]: [f32; 2]| (a - c).abs() + (b - d).abs() < 1e-4;
        assert!(close(uv([10.0, 20.0]), [0.0, 0.0]));
        assert!(close(uv([40.0, 30.0]), [1.0, 0.0]));
        assert!(close(uv([5.0, 60.0]), [0.0, 1.0]));
        assert!(close(uv(affine.corners[3]), [1.25, 1.125]));
        let flat = [
            Point2::new(0.0, 0.0),
            Point2::new(1.0, 1.0),
            Point2::new(2.0, 2.0),
        ];
        assert!(placement(flat, whole_image([4, 4])).is_none());
    }

    #[test]
    fn snapping_keeps_the_nearest_256th() {
        let vertex = MeshVertex {
            x: 1.0 + 1.4 / 256.0,
            y: 2.0 - 0.6 / 256.0,
            w: 1.0,
            ..MeshVertex::default()
        };
        let [x, y, ..] = snap(&vertex);
        assert_eq!((x, y), (1.0 + 1.0 / 256.0, 2.0 - 1.0 / 256.0));
    }
}
