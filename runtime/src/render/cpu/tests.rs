//! The CPU renderer against the rules of [`crate::render::scene`], on small frames whose
//! every pixel can be worked out by hand, with the helpers the test files share.

mod errors;
mod images;
mod luts;
mod meshes;
mod timing;

use effect_api::{Frame, PixelFormat, Point2};

use super::CpuRenderer;
use crate::render::{
    BlendMode, DrawCommand, Lut3d, MeshDraw, MeshVertex, QuadDraw, Renderer, Scene, SceneAssets,
    Texture, TextureId, Topology, TopologyId,
};

/// A texture of one premultiplied colour.
fn flat_texture(width: u32, height: u32, rgba: [u8; 4]) -> Texture {
    Texture {
        width,
        height,
        premultiplied_rgba: rgba.repeat((width * height) as usize),
    }
}

/// A renderer with `assets` loaded.
fn renderer(assets: SceneAssets) -> CpuRenderer {
    let mut renderer = CpuRenderer::new();
    renderer.load_assets(&assets).unwrap();
    renderer
}

/// A quad draw of texture `texture` on the axis-aligned rectangle at `(x, y)`.
fn quad(
    texture: u32,
    x: f32,
    y: f32,
    width: f32,
    height: f32,
    blend: BlendMode,
    opacity: f32,
) -> DrawCommand {
    DrawCommand::Quad(QuadDraw {
        texture: TextureId(texture),
        corners: [
            Point2::new(x, y),
            Point2::new(x + width, y),
            Point2::new(x, y + height),
        ],
        blend,
        opacity,
    })
}

/// A mesh corner at `(x, y)` that samples the texture's centre, opaque, without
/// perspective.
fn corner(x: f32, y: f32) -> MeshVertex {
    MeshVertex {
        x,
        y,
        w: 1.0,
        u: 0.5,
        v: 0.5,
        alpha: 1.0,
    }
}

/// A mesh draw of `corners` joined by topology `topology`, texture 0.
fn mesh(scene: &mut Scene, topology: u32, corners: &[MeshVertex], blend: BlendMode, opacity: f32) {
    let vertices = scene.push_vertices(corners.iter().copied());
    scene.commands.push(DrawCommand::Mesh(MeshDraw {
        topology: TopologyId(topology),
        vertices,
        texture: TextureId(0),
        blend,
        opacity,
    }));
}

/// The red code of pixel `(x, y)`.
fn red(frame: &Frame, x: usize, y: usize) -> u8 {
    let bytes = match frame.format() {
        PixelFormat::Rgb8 => 3,
        PixelFormat::Rgba8 => 4,
    };
    frame.data()[(y * frame.width() as usize + x) * bytes]
}

/// The code a value is stored as, worked out in f64.
fn round(value: f64) -> u8 {
    (value * 255.0).round().clamp(0.0, 255.0) as u8
}

/// A size-N table mapping each lattice point to itself, or to its inverse.
pub(super) fn table(size: u32, invert: bool) -> Lut3d {
    let n = size as usize;
    let last = (n - 1) as f32;
    let rgb = (0..n * n * n)
        .map(|index| {
            let c = [index % n, index / n % n, index / (n * n)].map(|i| i as f32 / last);
            if invert { c.map(|c| 1.0 - c) } else { c }
        })
        .collect();
    Lut3d { size, rgb }
}

/// A frame whose every byte differs from its neighbours.
fn varied_frame(width: u32, height: u32, format: PixelFormat) -> Frame {
    let bytes = width * height * format.bytes_per_pixel() as u32;
    let data = (0..bytes).map(|index| (index * 73 % 256) as u8).collect();
    Frame::from_packed(data, width, height, format).unwrap()
}

/// A `cells`×`cells` grid mesh (2·cells² triangles) over a `width`×`height` rectangle of a
/// 1280×720 frame, textured with a 512×512 image, with soft alpha at its rim.
fn face_mask_scene(width: u32, height: u32, cells: u32) -> (Scene, Frame, CpuRenderer) {
    let image: Vec<u8> = (0..512 * 512u32)
        .flat_map(|index| {
            let (x, y) = (index % 512, index / 512);
            let alpha = if (x / 32 + y / 32) % 5 == 0 { 0 } else { 230 };
            let scale = |c: u32| (c * alpha / 255) as u8;
            [scale(x % 256), scale(y % 256), scale(128), alpha as u8]
        })
        .collect();
    let mut triangles = Vec::new();
    let row = cells + 1;
    for j in 0..cells {
        for i in 0..cells {
            let at = j * row + i;
            triangles.push([at, at + 1, at + row + 1]);
            triangles.push([at, at + row + 1, at + row]);
        }
    }
    let renderer = renderer(SceneAssets {
        textures: vec![Texture {
            width: 512,
            height: 512,
            premultiplied_rgba: image,
        }],
        luts: vec![],
        topologies: vec![Topology {
            vertex_count: row * row,
            triangles,
        }],
    });
    let mut scene = Scene::default();
    let corners: Vec<MeshVertex> = (0..row * row)
        .map(|index| {
            let (s, t) = (
                (index % row) as f32 / cells as f32,
                (index / row) as f32 / cells as f32,
            );
            let rim = s.min(1.0 - s).min(t).min(1.0 - t);
            MeshVertex {
                // A gentle bulge so the triangles are not all alike.
                x: 500.0 + s * width as f32 + 6.0 * (t * 3.1).sin(),
                y: 150.0 + t * height as f32 + 4.0 * (s * 2.3).cos(),
                w: 1.0 + 0.2 * s,
                u: s,
                v: t,
                alpha: (rim * 10.0).min(1.0),
            }
        })
        .collect();
    mesh(&mut scene, 0, &corners, BlendMode::Normal, 0.9);
    let frame = varied_frame(1280, 720, PixelFormat::Rgb8);
    (scene, frame, renderer)
}
