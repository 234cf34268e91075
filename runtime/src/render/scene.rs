//! What a renderer draws: a per-frame list of draws in frame pixels, and the assets
//! (textures, LUTs, mesh topologies) loaded once per bundle. This file is the contract the
//! CPU and GPU renderers both implement; the rules below are exact so that the two agree to
//! within rounding.
//!
//! # Rules every renderer follows
//!
//! **Coordinates.** Frame pixel `(i, j)` covers `[i, i + 1) × [j, j + 1)`; its centre is
//! `(i + 0.5, j + 0.5)`. x grows to the right, y downwards. A draw affects a pixel when the
//! pixel's centre is covered; there is no anti-aliasing of geometry (soft edges come from
//! alpha, which every draw here fades to zero at its edge).
//!
//! **Colour.** Values are the frame's 8-bit sRGB-encoded codes divided by 255, blended as
//! they are (no linearisation, as image editors blend). After each command, each channel is
//! stored as `round(255 · value)` clamped to 0..=255, so a command sees the previous one's
//! rounded result. The frame's own alpha channel, if any, is never changed.
//!
//! **Textures** hold premultiplied RGBA8 ([`Texture::from_straight_rgba`] converts). They
//! are sampled bilinearly at texel centres `(u·W − 0.5, v·H − 0.5)` in texel indices,
//! and every texel outside the texture counts as transparent black `(0, 0, 0, 0)`, so an
//! image fades to nothing over one texel past its edge instead of ending in a hard step.
//! (The GPU renderer pads each texture with a one-texel transparent border to do this.)
//!
//! **Blending.** With `(P, A)` the premultiplied sample scaled by `k` (the draw's opacity
//! times the interpolated vertex alpha, clamped to 0..=1, NaN counting as 0) and `d` the
//! frame's value:
//!
//! | mode | result |
//! | --- | --- |
//! | normal | `P + d · (1 − A)` |
//! | multiply | `d · (1 − A + P)` |
//! | screen | `P + d · (1 − P)` |
//! | add | `min(1, d + P)` |
//!
//! **Quads and patches** are parallelograms mapped affinely onto their image: a pixel is
//! drawn when its centre maps into the image grown by one texel on every side (the texels
//! there are transparent, so the boundary of the grown region contributes nothing).
//!
//! **Meshes** are triangle lists over [`MeshVertex`]es. A triangle is drawn only when its
//! corners, in index order, run clockwise on screen (x right, y down), that is when
//! `(b − a) × (c − a) > 0`; others (back faces, degenerate ones) are skipped, and so is
//! a triangle with a corner that is not drawable (see [`MeshVertex::is_drawable`]). Corner
//! positions are first snapped to 1/256 pixel; a pixel centre is covered when it is inside
//! the triangle, and a centre exactly on an edge is covered only on a top or left edge (the
//! usual top-left rule, as GPUs rasterise). Triangles are drawn in index order, each blended
//! over the result of the ones before. `u`, `v` and `alpha` are interpolated
//! perspective-correctly: each is divided by the vertex's `w`, interpolated linearly in
//! screen space with `1/w`, and divided back.
//!
//! **LUTs** map a colour `c` through a 3-D table of N³ entries: the lattice coordinate is
//! `c · (N − 1)` per channel (clamped to the table) and the value is the trilinear blend
//! of the 8 surrounding entries, computed in f32. The result replaces `d` as
//! `d + (lut(d) − d) · k`, with `k` clamped as for blending.
//!
//! **How close two renderers come.** Following these rules, renderers differ only by
//! rounding (a GPU may round a shader's output to 8 bits before blending): a code or two
//! per draw. A LUT maps its input through its table, so after other draws a steep table
//! magnifies such a difference by its slope; the parity bound of 4/255 holds for smooth
//! grades, not for tables that jump.

use std::ops::Range;

use effect_api::Point2;
use effect_api::manifest::BlendMode;

use crate::face_crop::AffineMatrix;

/// Index of a texture in [`SceneAssets::textures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextureId(pub u32);

/// Index of a LUT in [`SceneAssets::luts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LutId(pub u32);

/// Index of a triangle list in [`SceneAssets::topologies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TopologyId(pub u32);

/// An image to draw, premultiplied RGBA8, rows packed top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texture {
    /// Width in texels.
    pub width: u32,
    /// Height in texels.
    pub height: u32,
    /// `width · height · 4` bytes: red, green and blue already multiplied by alpha.
    pub premultiplied_rgba: Vec<u8>,
}

impl Texture {
    /// Converts straight (unassociated) RGBA8 to a texture, rounding each premultiplied
    /// channel to the nearest code. `None` when the buffer does not hold `width · height`
    /// pixels or a side is zero.
    pub fn from_straight_rgba(width: u32, height: u32, rgba: &[u8]) -> Option<Self> {
        if width == 0 || height == 0 || rgba.len() != width as usize * height as usize * 4 {
            return None;
        }
        let premultiplied_rgba = rgba
            .chunks_exact(4)
            .flat_map(|pixel| {
                let alpha = u32::from(pixel[3]);
                let scale = |channel: u8| ((u32::from(channel) * alpha + 127) / 255) as u8;
                [scale(pixel[0]), scale(pixel[1]), scale(pixel[2]), pixel[3]]
            })
            .collect();
        Some(Self {
            width,
            height,
            premultiplied_rgba,
        })
    }
}

/// A 3-D colour table, as an Adobe `.cube` file holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Lut3d {
    /// Entries per side, N (2..=256).
    pub size: u32,
    /// N³ RGB entries, red varying fastest, then green, then blue (the `.cube` order).
    pub rgb: Vec<[f32; 3]>,
}

/// A fixed triangle list over a fixed number of vertices (the face mesh's topology, say),
/// uploaded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// How many vertices each draw with this topology supplies.
    pub vertex_count: u32,
    /// Corner indices into those vertices, 0-based.
    pub triangles: Vec<[u32; 3]>,
}

/// Everything a bundle's draws refer to, loaded into a renderer once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SceneAssets {
    /// Images for masks and stickers.
    pub textures: Vec<Texture>,
    /// Colour grades.
    pub luts: Vec<Lut3d>,
    /// Triangle lists for meshes.
    pub topologies: Vec<Topology>,
}

/// One corner of a mesh, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C)]
pub struct MeshVertex {
    /// Frame x in pixels.
    pub x: f32,
    /// Frame y in pixels.
    pub y: f32,
    /// Perspective divisor (> 0): relative distance from the camera. All 1 means no
    /// perspective.
    pub w: f32,
    /// Texture coordinate, 0 at the left edge, 1 at the right.
    pub u: f32,
    /// Texture coordinate, 0 at the top edge, 1 at the bottom.
    pub v: f32,
    /// Multiplies the draw's opacity here (0..=1): soft edges and holes.
    pub alpha: f32,
}

impl MeshVertex {
    /// Whether a triangle may use this corner: every field finite, `w > 0`, and the
    /// position within 2²⁰ pixels of the origin (beyond that, snapped coordinates would
    /// overflow the rasterisers' fixed-point arithmetic).
    pub fn is_drawable(&self) -> bool {
        const LIMIT: f32 = (1 << 20) as f32;
        [self.x, self.y, self.w, self.u, self.v, self.alpha]
            .iter()
            .all(|value| value.is_finite())
            && self.w > 0.0
            && self.x.abs() <= LIMIT
            && self.y.abs() <= LIMIT
    }
}

/// A textured mesh: the vertices `vertices` of [`Scene::vertices`] joined by a topology.
#[derive(Debug, Clone, PartialEq)]
pub struct MeshDraw {
    /// The triangles.
    pub topology: TopologyId,
    /// Where its vertices are in [`Scene::vertices`]; as many as the topology says.
    pub vertices: Range<u32>,
    /// The image laid on it.
    pub texture: TextureId,
    /// How it combines with the frame.
    pub blend: BlendMode,
    /// 0..=1.
    pub opacity: f32,
}

/// An image on a parallelogram of the frame (a sticker).
#[derive(Debug, Clone, PartialEq)]
pub struct QuadDraw {
    /// The image.
    pub texture: TextureId,
    /// Frame pixels of the image's top-left, top-right and bottom-left corners (the
    /// fourth follows).
    pub corners: [Point2; 3],
    /// How it combines with the frame.
    pub blend: BlendMode,
    /// 0..=1.
    pub opacity: f32,
}

/// A face model's output pasted back: a square premultiplied RGBA8 image in crop pixels
/// (its alpha is the feathered face mask times the layer's strength), placed by the crop's
/// transform, blended `normal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchDraw {
    /// Where its pixels are in [`Scene::patch_pixels`]: `side · side · 4` bytes.
    pub pixels: Range<usize>,
    /// Side of the square, in crop pixels.
    pub side: u32,
    /// Crop pixels to frame pixels (see [`crate::face_crop::CropTransform`]).
    pub crop_to_frame: AffineMatrix,
}

/// Where a colour grade applies.
#[derive(Debug, Clone, PartialEq)]
pub enum LutRegion {
    /// Every pixel, with `k` = strength.
    Frame,
    /// The pixels a mesh covers (same rules as [`MeshDraw`]), with `k` = strength times
    /// the interpolated vertex alpha; `u` and `v` are unused.
    Mesh {
        /// The triangles.
        topology: TopologyId,
        /// Where its vertices are in [`Scene::vertices`].
        vertices: Range<u32>,
    },
}

/// A colour grade.
#[derive(Debug, Clone, PartialEq)]
pub struct LutDraw {
    /// The table.
    pub lut: LutId,
    /// Where it applies.
    pub region: LutRegion,
    /// 0..=1: how much of the grade.
    pub strength: f32,
}

/// One draw.
#[derive(Debug, Clone, PartialEq)]
pub enum DrawCommand {
    /// A face model's result.
    Patch(PatchDraw),
    /// A face mask.
    Mesh(MeshDraw),
    /// A sticker.
    Quad(QuadDraw),
    /// A colour grade.
    Lut(LutDraw),
}

/// One frame's draws, bottom first. Built anew every frame into the same buffers:
/// [`Scene::clear`] keeps their memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scene {
    /// The draws, in order.
    pub commands: Vec<DrawCommand>,
    /// Mesh corners the mesh and LUT draws index into.
    pub vertices: Vec<MeshVertex>,
    /// Patch pixels the patch draws index into.
    pub patch_pixels: Vec<u8>,
}

impl Scene {
    /// Empties the scene for the next frame, keeping its buffers.
    pub fn clear(&mut self) {
        self.commands.clear();
        self.vertices.clear();
        self.patch_pixels.clear();
    }

    /// Appends mesh corners and returns where they are, for a [`MeshDraw`].
    pub fn push_vertices(&mut self, vertices: impl IntoIterator<Item = MeshVertex>) -> Range<u32> {
        let start = self.vertices.len() as u32;
        self.vertices.extend(vertices);
        start..self.vertices.len() as u32
    }

    /// Reserves `side · side · 4` bytes of patch pixels, zeroed, and returns their range
    /// with the bytes to fill.
    pub fn push_patch(&mut self, side: u32) -> (Range<usize>, &mut [u8]) {
        let start = self.patch_pixels.len();
        let end = start + side as usize * side as usize * 4;
        self.patch_pixels.resize(end, 0);
        (start..end, &mut self.patch_pixels[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn premultiplying_rounds_to_the_nearest_code() {
        let texture = Texture::from_straight_rgba(2, 1, &[255, 128, 0, 128, 9, 9, 9, 0]).unwrap();
        assert_eq!(
            texture.premultiplied_rgba,
            vec![128, 64, 0, 128, 0, 0, 0, 0]
        );
        assert!(Texture::from_straight_rgba(2, 2, &[0; 8]).is_none());
        assert!(Texture::from_straight_rgba(0, 1, &[]).is_none());
    }

    #[test]
    fn clearing_keeps_the_buffers() {
        let mut scene = Scene::default();
        let range = scene.push_vertices([MeshVertex::default(); 3]);
        assert_eq!(range, 0..3);
        let (pixels, bytes) = scene.push_patch(4);
        assert_eq!((pixels, bytes.len()), (0..64, 64));
        let capacity = scene.vertices.capacity();
        scene.clear();
        assert!(scene.vertices.is_empty() && scene.vertices.capacity() == capacity);
    }
}
