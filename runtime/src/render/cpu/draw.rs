//! Each kind of draw command on the CPU: quads and patches through the inverse affine
//! map of their parallelogram, meshes and mesh-shaped grades span by span on values held
//! in a scratch buffer (so that a command rounds once, however its triangles overlap), and
//! whole-frame grades pixel by pixel.

use super::blend::{self, Blend, INV_255, Lanes, store, unit, values, with_blend};
use super::lut::{PreparedLut, mix};
use super::raster::{self, Span};
use super::sampling::{Image, TexelMap};
use super::target::Target;
use crate::render::scene::{LutDraw, LutRegion, MeshDraw, MeshVertex, PatchDraw, QuadDraw};
use crate::render::{Texture, Topology};

/// The image of a texture that [`super::CpuRenderer`] has checked.
pub(super) fn texture_image(texture: &Texture) -> Option<Image<'_>> {
    Image::new(
        &texture.premultiplied_rgba,
        texture.width as usize,
        texture.height as usize,
    )
}

/// Draws a sticker.
pub(super) fn quad(target: &mut Target<'_>, quad: &QuadDraw, texture: &Texture) {
    let Some(image) = texture_image(texture) else {
        return;
    };
    let corners = quad.corners.map(|p| [f64::from(p.x), f64::from(p.y)]);
    let k = unit(quad.opacity);
    with_blend!(quad.blend, B => parallelogram::<B>(target, image, corners, k));
}

/// Pastes a face model's result back, `normal` blended at full coverage.
pub(super) fn patch(target: &mut Target<'_>, patch: &PatchDraw, pixels: &[u8]) {
    let side = patch.side as usize;
    let Some(image) = Image::new(pixels, side, side) else {
        return;
    };
    // The crop's corners (0, 0), (side, 0) and (0, side) in frame pixels.
    let [[a, b, tx], [c, d, ty]] = patch.crop_to_frame.map(|row| row.map(f64::from));
    let side = f64::from(patch.side);
    let corners = [
        [tx, ty],
        [a * side + tx, c * side + ty],
        [b * side + tx, d * side + ty],
    ];
    parallelogram::<blend::Normal>(target, image, corners, 1.0);
}

/// Draws `image` with coverage `k` on the parallelogram whose image corners top-left,
/// top-right and bottom-left lie at `corners` in frame pixels.
fn parallelogram<B: Blend>(
    target: &mut Target<'_>,
    image: Image<'_>,
    corners: [[f64; 2]; 3],
    k: f32,
) {
    let [corner, across, down] = corners;
    let Some(map) = TexelMap::parallelogram(
        corner,
        [across[0] - corner[0], across[1] - corner[1]],
        [down[0] - corner[0], down[1] - corner[1]],
        image.width() as f64,
        image.height() as f64,
    ) else {
        return;
    };
    if k <= 0.0 {
        return;
    }
    let scale = k * INV_255;
    let (width, height) = (target.width(), target.height());
    map.for_each_pixel(width, height, |x, y, texel_x, texel_y| {
        let Some(sample) = image.sample(texel_x, texel_y) else {
            return;
        };
        if let Some(rgb) = target.rgb_mut(x, y) {
            store(rgb, B::blend(values(rgb), sample.map(|c| c * scale)));
        }
    });
}

/// Draws a textured mesh whose vertices and topology [`super::CpuRenderer`] has checked.
pub(super) fn mesh(
    target: &mut Target<'_>,
    scratch: &mut Vec<Lanes>,
    mesh: &MeshDraw,
    texture: &Texture,
    topology: &Topology,
    vertices: &[MeshVertex],
) {
    let Some(image) = texture_image(texture) else {
        return;
    };
    let opacity = mesh.opacity;
    with_blend!(mesh.blend, B => {
        rasterize(target, scratch, topology, vertices, |pixels, span| {
            shade_textured_span::<B>(pixels, span, &image, opacity);
        });
    });
}

/// Blends the texture over one span's values. Kept out of line so that the loop gets the
/// registers to itself.
#[inline(never)]
fn shade_textured_span<B: Blend>(
    pixels: &mut [Lanes],
    span: &Span,
    image: &Image<'_>,
    opacity: f32,
) {
    let [width, height] = image.size();
    for (offset, d) in pixels.iter_mut().enumerate() {
        let at = span.at(offset);
        let k = unit(opacity * at.alpha);
        if k <= 0.0 {
            continue;
        }
        if let Some(sample) = image.sample(at.u * width - 0.5, at.v * height - 0.5) {
            let scale = k * INV_255;
            *d = B::blend(*d, sample.map(|c| c * scale));
        }
    }
}

/// Applies a colour grade; a mesh-shaped region's vertices and topology have been checked.
pub(super) fn lut(
    target: &mut Target<'_>,
    scratch: &mut Vec<Lanes>,
    grade: &LutDraw,
    lut: &PreparedLut,
    mesh: Option<(&Topology, &[MeshVertex])>,
) {
    let strength = grade.strength;
    match (&grade.region, mesh) {
        (LutRegion::Frame, _) => {
            let k = unit(strength);
            if k > 0.0 {
                target.grade(lut, k);
            }
        }
        (LutRegion::Mesh { .. }, Some((topology, vertices))) => {
            rasterize(target, scratch, topology, vertices, |pixels, span| {
                shade_lut_span(pixels, span, lut, strength);
            });
        }
        (LutRegion::Mesh { .. }, None) => {}
    }
}

/// Grades one span's values through `lut` by `strength` times the vertex alpha.
#[inline(never)]
fn shade_lut_span(pixels: &mut [Lanes], span: &Span, lut: &PreparedLut, strength: f32) {
    for (offset, d) in pixels.iter_mut().enumerate() {
        let k = unit(strength * span.at(offset).alpha);
        if k > 0.0 {
            *d = mix(*d, lut.apply(*d), k);
        }
    }
}

/// Runs `shade(values, span)` on every span of pixels each drawable triangle covers, in
/// triangle order, on values held in `scratch`, and rounds them into the frame once at the
/// end.
fn rasterize(
    target: &mut Target<'_>,
    scratch: &mut Vec<Lanes>,
    topology: &Topology,
    vertices: &[MeshVertex],
    mut shade: impl FnMut(&mut [Lanes], &Span),
) {
    let region = raster::bounds(vertices, target.rect());
    if region.is_empty() {
        return;
    }
    target.load(region, scratch);
    let width = region.width();
    for triangle in &topology.triangles {
        let corners = triangle.map(|corner| vertices.get(corner as usize));
        let [Some(a), Some(b), Some(c)] = corners else {
            continue;
        };
        raster::rasterize([a, b, c], region, |span| {
            // The span lies inside `region`, so this does not underflow.
            let start = (span.row - region.y0) * width + span.first - region.x0;
            if let Some(pixels) = scratch.get_mut(start..start + span.len) {
                shade(pixels, &span);
            }
        });
    }
    target.store(region, scratch);
}
