//! Each kind of draw command on the CPU: quads and patches through the inverse affine
//! map of their parallelogram, meshes and mesh-shaped grades span by span on values held
//! in a scratch buffer (so that a command rounds once, however its triangles overlap), and
//! whole-frame grades pixel by pixel.

use super::blend::{self, Blend, INV_255, Lanes, store, unit, values, with_blend};
use super::lut::{PreparedLut, mix};
use super::raster::{self, Span};
use super::sampling::{Image, TexelMap};
use super::target::Target;
use crate::helper_thread::HelperThread;
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

/// Draws a sticker, a large one half on `helper`.
pub(super) fn quad(
    target: &mut Target<'_>,
    quad: &QuadDraw,
    texture: &Texture,
    helper: Option<&mut HelperThread>,
) {
    let Some(image) = texture_image(texture) else {
        return;
    };
    let corners = quad.corners.map(|p| [f64::from(p.x), f64::from(p.y)]);
    let k = unit(quad.opacity);
    with_blend!(quad.blend, B => parallelogram::<B>(target, image, corners, k, helper));
}

/// Pastes a face model's result back, `normal` blended at full coverage, a large one half
/// on `helper`.
pub(super) fn patch(
    target: &mut Target<'_>,
    patch: &PatchDraw,
    pixels: &[u8],
    helper: Option<&mut HelperThread>,
) {
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
    parallelogram::<blend::Normal>(target, image, corners, 1.0, helper);
}

/// Draws `image` with coverage `k` on the parallelogram whose image corners top-left,
/// top-right and bottom-left lie at `corners` in frame pixels. A large one (a face model's
/// patch over a close face) is drawn in two bands of rows at once, the lower one on
/// `helper`; every pixel gets the same value whichever band draws it.
fn parallelogram<B: Blend>(
    target: &mut Target<'_>,
    image: Image<'_>,
    corners: [[f64; 2]; 3],
    k: f32,
    helper: Option<&mut HelperThread>,
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
    let width = target.width();
    let draw_band = |band: &mut Target<'_>| {
        let rows = band.rows();
        map.for_each_pixel_in_rows(width, rows, |x, y, texel_x, texel_y| {
            let Some(sample) = image.sample(texel_x, texel_y) else {
                return;
            };
            if let Some(rgb) = band.rgb_mut(x, y) {
                store(rgb, B::blend(values(rgb), sample.map(|c| c * scale)));
            }
        });
    };
    let Some(mut band) = target.band(map.row_bounds(target.rows().end)) else {
        return;
    };
    let area = (across[0] - corner[0]) * (down[1] - corner[1])
        - (across[1] - corner[1]) * (down[0] - corner[0]);
    match helper {
        Some(helper) if area.abs() >= PIXELS_WORTH_A_HELPER => {
            let rows = band.rows();
            let (mut top, mut bottom) = band.split_at_row(rows.start + rows.len() / 2);
            let draw_band = &draw_band;
            helper.join(|| draw_band(&mut top), move || draw_band(&mut bottom));
        }
        _ => draw_band(&mut band),
    }
}

/// Below this many pixels, handing half of a draw to the helper thread and waiting for it
/// (some microseconds) saves less than it costs (a pixel takes a few nanoseconds).
const PIXELS_WORTH_A_HELPER: f64 = 20_000.0;

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

#[cfg(test)]
mod band_tests {
    //! Drawing in bands of rows on several threads makes exactly the picture one thread
    //! makes over the whole frame.

    use effect_api::{Frame, PixelFormat};

    use super::*;

    /// A `side`² premultiplied RGBA image with varied texels and a soft alpha.
    fn texels(side: usize) -> Vec<u8> {
        (0..side * side)
            .flat_map(|i| {
                let (x, y) = (i % side, i / side);
                let alpha = ((x * 7 + y * 3) % 256) as u8;
                let premultiply = |c: usize| ((c % 256) * usize::from(alpha) / 255) as u8;
                [
                    premultiply(x * 5),
                    premultiply(y * 9),
                    premultiply(x + y),
                    alpha,
                ]
            })
            .collect()
    }

    fn frame(width: u32, height: u32) -> Frame {
        let data = (0..width * height * 3)
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        Frame::from_packed(data, width, height, PixelFormat::Rgb8).unwrap()
    }

    /// The single-threaded reference: every row of the frame, no bounds, no bands.
    fn reference(frame: &mut Frame, image: Image<'_>, corners: [[f64; 2]; 3]) {
        let mut target = Target::new(frame).unwrap();
        let [corner, across, down] = corners;
        let map = TexelMap::parallelogram(
            corner,
            [across[0] - corner[0], across[1] - corner[1]],
            [down[0] - corner[0], down[1] - corner[1]],
            image.width() as f64,
            image.height() as f64,
        )
        .unwrap();
        let (width, height) = (target.width(), target.rows().end);
        map.for_each_pixel(width, height, |x, y, tx, ty| {
            if let (Some(sample), Some(rgb)) = (image.sample(tx, ty), target.rgb_mut(x, y)) {
                store(
                    rgb,
                    blend::Normal::blend(values(rgb), sample.map(|c| c * INV_255)),
                );
            }
        });
    }

    #[test]
    fn bands_draw_the_same_bytes_as_one_thread() {
        let side = 64;
        let pixels = texels(side);
        let image = Image::new(&pixels, side, side).unwrap();
        // Turned by 0.4 rad, scaled ×5, partly off the top and the left of the frame.
        let (cos, sin) = (
            0.4f64.cos() * 5.0 * side as f64,
            0.4f64.sin() * 5.0 * side as f64,
        );
        let corner = [-40.0, -25.0];
        let corners = [
            corner,
            [corner[0] + cos, corner[1] + sin],
            [corner[0] - sin, corner[1] + cos],
        ];
        let mut expected = frame(300, 260);
        reference(&mut expected, image, corners);
        let mut helper = HelperThread::spawn("test-draw").unwrap();
        for helper in [None, Some(&mut helper)] {
            let mut drawn = frame(300, 260);
            let banded = helper.is_some();
            parallelogram::<blend::Normal>(
                &mut Target::new(&mut drawn).unwrap(),
                image,
                corners,
                1.0,
                helper,
            );
            assert!(
                drawn.data() == expected.data(),
                "drawn {} other bytes",
                if banded { "in two bands" } else { "whole" }
            );
        }
        assert!(
            expected.data() != frame(300, 260).data(),
            "the patch was drawn at all"
        );
    }

    #[test]
    fn bands_hold_the_rows_asked_for_and_no_others() {
        let mut whole = frame(10, 9);
        let mut target = Target::new(&mut whole).unwrap();
        assert!(target.band(9..12).is_none());
        let band = target.band(2..20).unwrap();
        assert_eq!(band.rows(), 2..9);
        let (mut top, mut bottom) = band.split_at_row(5);
        assert_eq!((top.rows(), bottom.rows()), (2..5, 5..9));
        assert!(top.rgb_mut(0, 1).is_none() && top.rgb_mut(0, 5).is_none());
        assert!(top.rgb_mut(9, 4).is_some() && bottom.rgb_mut(9, 5).is_some());
        assert!(bottom.rgb_mut(0, 4).is_none() && bottom.rgb_mut(0, 9).is_none());
    }
}
