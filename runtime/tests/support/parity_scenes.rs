//! The synthetic scenes of `render_parity.rs`: a frame, textures, LUTs and grid meshes
//! built in code, and scenes that use every kind of draw hard.

use effect_api::{Frame, PixelFormat, Point2};
use lensmith_runtime::face_crop::CropTransform;
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::render::{
    BlendMode, DrawCommand, Lut3d, LutDraw, LutId, LutRegion, MeshDraw, MeshVertex, PatchDraw,
    QuadDraw, Scene, SceneAssets, Texture, TextureId, Topology, TopologyId,
};

/// Texture ids in [`assets`].
pub const STICKER: TextureId = TextureId(0);
pub const MASK: TextureId = TextureId(1);
/// Mostly transparent, as a face paint is: see [`paint`].
pub const PAINT: TextureId = TextureId(2);
/// LUT ids in [`assets`].
pub const GRADE: LutId = LutId(0);
pub const WAVES: LutId = LutId(1);
/// The grid topology in [`assets`]: 30 × 30 cells.
pub const FINE_GRID: TopologyId = TopologyId(0);
pub const FINE: u32 = 30;
/// The face-mesh-sized grid: 21 × 21 cells, 882 triangles.
pub const FACE_GRID: TopologyId = TopologyId(1);
pub const FACE: u32 = 21;

/// xorshift64*: the same numbers on every machine.
pub struct Rng(pub u64);

impl Rng {
    fn unit(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40) as f32 / (1u64 << 24) as f32
    }

    pub fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.unit()
    }
}

/// The astronaut portrait when the model cache has it, else a 512×384 frame of gradients,
/// hard-edged shapes and noise; in `format`.
pub fn base_frame(format: PixelFormat) -> Frame {
    let photo = AssetCache::locate()
        .ok()
        .and_then(|cache| cache.sample_photo().ok())
        .and_then(|path| read_rgb_frame(&path).ok());
    let (width, height, rgb) = match photo {
        Some(frame) => (frame.width(), frame.height(), frame.data().to_vec()),
        None => synthetic_rgb(512, 384),
    };
    let data = match format {
        PixelFormat::Rgb8 => rgb,
        PixelFormat::Rgba8 => rgb
            .chunks_exact(3)
            .enumerate()
            .flat_map(|(index, pixel)| [pixel[0], pixel[1], pixel[2], (index * 7 % 256) as u8])
            .collect(),
    };
    Frame::from_packed(data, width, height, format).unwrap()
}

pub fn synthetic_rgb(width: u32, height: u32) -> (u32, u32, Vec<u8>) {
    let mut rng = Rng(0x5eed);
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
            let disc = ((fx - 0.6).powi(2) + (fy - 0.45).powi(2)) < 0.04;
            let base = if disc {
                [0.9, 0.75, 0.6]
            } else {
                [fx, 0.5 + 0.4 * (fy * 9.0).sin(), 1.0 - 0.7 * fy]
            };
            let noise = rng.range(-0.06, 0.06);
            rgb.extend(base.map(|c: f32| ((c + noise).clamp(0.0, 1.0) * 255.0).round() as u8));
        }
    }
    (width, height, rgb)
}

/// A 64×48 sticker, opaque right up to its edge: stripes, a gradient and a hole.
fn sticker() -> Texture {
    let (width, height) = (64u32, 48u32);
    let rgba: Vec<u8> = (0..width * height)
        .flat_map(|index| {
            let (x, y) = (index % width, index / width);
            let stripe = (x / 6 + y / 6) % 2 == 0;
            let hole = (x as i32 - 40).pow(2) + (y as i32 - 20).pow(2) < 64;
            let alpha = if hole { 0 } else { 255 };
            if stripe {
                [230, (y * 5) as u8, 40, alpha]
            } else {
                [20, 90, (x * 4) as u8, alpha]
            }
        })
        .collect();
    Texture::from_straight_rgba(width, height, &rgba).unwrap()
}

/// A 128×128 mask: colourful, with alpha soft towards its edge and a sharp-edged band.
fn mask() -> Texture {
    let side = 128u32;
    let rgba: Vec<u8> = (0..side * side)
        .flat_map(|index| {
            let (x, y) = (index % side, index / side);
            let (u, v) = (x as f32 / 127.0, y as f32 / 127.0);
            let r = ((u - 0.5).powi(2) + (v - 0.5).powi(2)).sqrt();
            let soft = ((0.5 - r) / 0.2).clamp(0.0, 1.0);
            let band = if (40..48).contains(&y) { 1.0 } else { soft };
            let colour = [
                (255.0 * u) as u8,
                (255.0 * (1.0 - v)) as u8,
                (128.0 + 127.0 * (u * 20.0).sin()) as u8,
            ];
            [colour[0], colour[1], colour[2], (255.0 * band) as u8]
        })
        .collect();
    Texture::from_straight_rgba(side, side, &rgba).unwrap()
}

/// A 192×160 face paint: transparent but for soft dots in a ring, a hard-edged stripe and
/// a faint glow (alpha 1 to 3) in one corner, with empty margins all round, so that the
/// GPU renderer leaves out the triangles over bare skin and the margins of a sticker.
fn paint() -> Texture {
    let (width, height) = (192u32, 160u32);
    let rgba: Vec<u8> = (0..width * height)
        .flat_map(|index| {
            let (x, y) = ((index % width) as f32, (index / width) as f32);
            let mut alpha = 0.0f32;
            for dot in 0..7 {
                let angle = dot as f32 * 0.9;
                let (cx, cy) = (96.0 + 55.0 * angle.cos(), 80.0 + 40.0 * angle.sin());
                let r = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
                alpha = alpha.max(((9.0 - r) / 4.0).clamp(0.0, 1.0));
            }
            if (100.0..108.0).contains(&y) && (40.0..150.0).contains(&x) {
                alpha = 1.0;
            }
            if (24.0..40.0).contains(&x) && (20.0..36.0).contains(&y) {
                alpha = alpha.max(((x - 23.0) / 6.0).ceil().min(3.0) / 255.0);
            }
            let colour = [(x * 1.3) as u8, 255 - (y * 1.5) as u8, 200];
            [
                colour[0],
                colour[1],
                colour[2],
                (255.0 * alpha).round() as u8,
            ]
        })
        .collect();
    Texture::from_straight_rgba(width, height, &rgba).unwrap()
}

/// A strong colour grade (contrast, crosstalk, teal shadows) of `size` entries a side.
fn grade(size: u32) -> Lut3d {
    let last = (size - 1) as f32;
    let contrast = |x: f32| x * x * (3.0 - 2.0 * x);
    let rgb = (0..size.pow(3))
        .map(|index| {
            let [r, g, b] =
                [index % size, index / size % size, index / (size * size)].map(|i| i as f32 / last);
            let luma = 0.3 * r + 0.59 * g + 0.11 * b;
            [
                0.9 * contrast(r) + 0.15 * g - 0.05 * b + 0.05,
                contrast(g).powf(1.3) * 0.95 + 0.03,
                0.6 * contrast(b) + 0.35 * (1.0 - luma),
            ]
        })
        .collect();
    Lut3d { size, rgb }
}

/// A table that changes fast between its entries, so that the trilinear blend matters.
fn waves(size: u32) -> Lut3d {
    let last = (size - 1) as f32;
    let rgb = (0..size.pow(3))
        .map(|index| {
            let [r, g, b] =
                [index % size, index / size % size, index / (size * size)].map(|i| i as f32 / last);
            [
                0.5 + 0.5 * (r * 19.0 + b * 3.0).sin(),
                0.5 + 0.5 * (g * 23.0 - r * 5.0).cos(),
                (b * 7.0 + g).fract(),
            ]
        })
        .collect();
    Lut3d { size, rgb }
}

/// A grid of `cells × cells` squares, two clockwise triangles each, except that every
/// seventh triangle runs anticlockwise (a back face both renderers must skip).
fn grid(cells: u32) -> Topology {
    let at = |column: u32, row: u32| row * (cells + 1) + column;
    let mut triangles = Vec::new();
    for row in 0..cells {
        for column in 0..cells {
            let (a, b, c, d) = (
                at(column, row),
                at(column + 1, row),
                at(column, row + 1),
                at(column + 1, row + 1),
            );
            triangles.push([a, b, d]);
            triangles.push([a, d, c]);
        }
    }
    for triangle in triangles.iter_mut().skip(3).step_by(7) {
        triangle.swap(1, 2);
    }
    Topology {
        vertex_count: (cells + 1).pow(2),
        triangles,
    }
}

pub fn assets() -> SceneAssets {
    SceneAssets {
        textures: vec![sticker(), mask(), paint()],
        luts: vec![grade(17), waves(33)],
        topologies: vec![grid(FINE), grid(FACE)],
    }
}

/// Where a grid mesh goes and how it looks.
pub struct GridPlacement {
    pub origin: [f32; 2],
    pub cell: f32,
    /// How far interior corners wander, in cells; 0 keeps them on the grid.
    pub jitter: f32,
    /// Perspective: `w` runs from `w_left` at the left to `w_right` at the right.
    pub w_left: f32,
    pub w_right: f32,
}

/// The corners of a `cells × cells` grid mesh: alpha 0 on the outer ring and varying
/// inside, u and v running a little past 0..1 so that the texture's edge shows.
pub fn grid_vertices(rng: &mut Rng, cells: u32, placement: &GridPlacement) -> Vec<MeshVertex> {
    let mut vertices = Vec::new();
    for row in 0..=cells {
        for column in 0..=cells {
            let edge = row == 0 || column == 0 || row == cells || column == cells;
            let wander = if edge { 0.0 } else { placement.jitter };
            let (fx, fy) = (column as f32 / cells as f32, row as f32 / cells as f32);
            let x =
                placement.origin[0] + placement.cell * (column as f32 + rng.range(-wander, wander));
            let y =
                placement.origin[1] + placement.cell * (row as f32 + rng.range(-wander, wander));
            vertices.push(MeshVertex {
                x,
                y,
                w: placement.w_left
                    + (placement.w_right - placement.w_left) * fx
                    + rng.range(-0.05, 0.05),
                u: -0.05 + 1.1 * fx,
                v: -0.05 + 1.1 * fy,
                alpha: if edge { 0.0 } else { rng.range(0.3, 1.0) },
            });
        }
    }
    vertices
}

/// Four overlapping grid meshes, one per blend mode; one on whole and half pixels so that
/// its edges run through pixel centres.
pub fn mesh_scene(scene: &mut Scene, rng: &mut Rng) {
    let modes = [
        (BlendMode::Normal, 0.9, [20.5, 30.5], 0.0),
        (BlendMode::Multiply, 1.0, [90.3, 60.7], 0.3),
        (BlendMode::Screen, 0.8, [150.0, 20.25], 0.35),
        (BlendMode::Add, 0.6, [60.1, 120.9], 0.25),
    ];
    for (index, (blend, opacity, origin, jitter)) in modes.into_iter().enumerate() {
        let placement = GridPlacement {
            origin,
            cell: [8.0, 7.3, 9.1, 6.7][index],
            jitter,
            w_left: 0.5,
            w_right: [1.0, 2.5, 0.7, 1.8][index],
        };
        let vertices = scene.push_vertices(grid_vertices(rng, FINE, &placement));
        scene.commands.push(DrawCommand::Mesh(MeshDraw {
            topology: FINE_GRID,
            vertices,
            texture: MASK,
            blend,
            opacity,
        }));
    }
}

/// Stickers rotated by odd angles and scaled, overlapping, one mirrored.
pub fn quad_scene(scene: &mut Scene) {
    let quads = [
        (BlendMode::Normal, 1.0, [140.0, 110.0], 17.3f32, 2.1, 1.0),
        (BlendMode::Normal, 0.75, [190.0, 140.0], -33.7, 1.7, 1.0),
        (BlendMode::Multiply, 1.0, [170.0, 90.0], 71.1, 1.3, -1.0),
        (BlendMode::Screen, 0.9, [230.0, 120.0], 123.4, 0.8, 1.0),
        (BlendMode::Add, 0.5, [160.0, 160.0], -8.2, 3.3, 1.0),
    ];
    for (blend, opacity, centre, degrees, scale, mirror) in quads {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let (half_width, half_height) = (32.0 * scale, 24.0 * scale);
        let across = [
            cos * 2.0 * half_width * mirror,
            sin * 2.0 * half_width * mirror,
        ];
        let down = [-sin * 2.0 * half_height, cos * 2.0 * half_height];
        let top_left = [
            centre[0] - across[0] / 2.0 - down[0] / 2.0,
            centre[1] - across[1] / 2.0 - down[1] / 2.0,
        ];
        scene.commands.push(DrawCommand::Quad(QuadDraw {
            texture: STICKER,
            corners: [
                Point2::new(top_left[0], top_left[1]),
                Point2::new(top_left[0] + across[0], top_left[1] + across[1]),
                Point2::new(top_left[0] + down[0], top_left[1] + down[1]),
            ],
            blend,
            opacity,
        }));
    }
}

/// A face model's output: stripes and rings under a feathered oval mask.
fn push_patch(scene: &mut Scene, side: u32, transform: CropTransform, strength: f32) {
    let (range, pixels) = scene.push_patch(side);
    let mut straight = vec![0u8; pixels.len()];
    for (index, pixel) in straight.chunks_exact_mut(4).enumerate() {
        let (x, y) = (index as u32 % side, index as u32 / side);
        let (u, v) = (
            (x as f32 + 0.5) / side as f32,
            (y as f32 + 0.5) / side as f32,
        );
        let r = (((u - 0.5) / 0.45).powi(2) + ((v - 0.5) / 0.5).powi(2)).sqrt();
        let feather = ((1.0 - r) / 0.3).clamp(0.0, 1.0);
        let ring = (r * 14.0).sin() * 0.5 + 0.5;
        pixel.copy_from_slice(&[
            (255.0 * ring) as u8,
            (255.0 * v) as u8,
            if (x / 5) % 2 == 0 { 200 } else { 30 },
            (255.0 * feather * strength).round() as u8,
        ]);
    }
    let premultiplied = Texture::from_straight_rgba(side, side, &straight).unwrap();
    pixels.copy_from_slice(&premultiplied.premultiplied_rgba);
    scene.commands.push(DrawCommand::Patch(PatchDraw {
        pixels: range,
        side,
        crop_to_frame: transform.crop_to_frame_matrix(),
    }));
}

pub fn patch_scene(scene: &mut Scene) {
    let transform = |x, y, scale, degrees: f32, side| CropTransform {
        center: Point2::new(x, y),
        scale,
        rotation: degrees.to_radians(),
        side,
    };
    push_patch(scene, 96, transform(200.3, 170.8, 1.73, 23.5, 96), 0.9);
    // A second patch of the same side (another pooled texture) and a shrunk one.
    push_patch(scene, 96, transform(330.0, 120.0, 0.61, -151.0, 96), 1.0);
    push_patch(scene, 40, transform(120.5, 260.5, 2.5, 90.0, 40), 0.7);
}

/// The wave table over a mesh, then the grade over the whole frame. The wave table turns a
/// one-code difference in what it reads into tens of codes, so it goes first, where both
/// renderers read the same frame; scenes that add draws put them after this.
pub fn lut_scene(scene: &mut Scene, rng: &mut Rng) {
    let placement = GridPlacement {
        origin: [110.2, 70.6],
        cell: 9.3,
        jitter: 0.3,
        w_left: 0.6,
        w_right: 1.9,
    };
    let vertices = scene.push_vertices(grid_vertices(rng, FACE, &placement));
    scene.commands.push(DrawCommand::Lut(LutDraw {
        lut: WAVES,
        region: LutRegion::Mesh {
            topology: FACE_GRID,
            vertices,
        },
        strength: 1.0,
    }));
    scene.commands.push(DrawCommand::Lut(LutDraw {
        lut: GRADE,
        region: LutRegion::Frame,
        strength: 0.85,
    }));
}

/// The paint on a face-sized mesh and as a rotated sticker over it.
pub fn paint_scene(scene: &mut Scene, rng: &mut Rng) {
    let placement = GridPlacement {
        origin: [60.3, 40.8],
        cell: 12.0,
        jitter: 0.3,
        w_left: 0.8,
        w_right: 1.3,
    };
    let vertices = scene.push_vertices(grid_vertices(rng, FACE, &placement));
    scene.commands.push(DrawCommand::Mesh(MeshDraw {
        topology: FACE_GRID,
        vertices,
        texture: PAINT,
        blend: BlendMode::Normal,
        opacity: 0.9,
    }));
    let (sin, cos) = 21.7f32.to_radians().sin_cos();
    let (across, down) = ([cos * 230.0, sin * 230.0], [-sin * 190.0, cos * 190.0]);
    let top_left = [100.0, 30.0];
    scene.commands.push(DrawCommand::Quad(QuadDraw {
        texture: PAINT,
        corners: [
            Point2::new(top_left[0], top_left[1]),
            Point2::new(top_left[0] + across[0], top_left[1] + across[1]),
            Point2::new(top_left[0] + down[0], top_left[1] + down[1]),
        ],
        blend: BlendMode::Screen,
        opacity: 0.8,
    }));
}

/// Moves every draw of `scene` by `by` frame pixels.
pub fn shift(scene: &mut Scene, by: [f32; 2]) {
    for vertex in &mut scene.vertices {
        vertex.x += by[0];
        vertex.y += by[1];
    }
    for command in &mut scene.commands {
        match command {
            DrawCommand::Quad(quad) => {
                for corner in &mut quad.corners {
                    *corner = Point2::new(corner.x + by[0], corner.y + by[1]);
                }
            }
            DrawCommand::Patch(patch) => {
                patch.crop_to_frame[0][2] += by[0];
                patch.crop_to_frame[1][2] += by[1];
            }
            DrawCommand::Mesh(_) | DrawCommand::Lut(_) => {}
        }
    }
}

/// Every kind of draw but a grade of the whole frame, within about 430 × 330 pixels of the
/// origin: the wave table over a mesh first (see [`lut_scene`]), then meshes, the paint,
/// patches and stickers.
pub fn local_scene(scene: &mut Scene, rng: &mut Rng) {
    lut_scene(scene, rng);
    // Only the grade over the mesh: the whole-frame one is the last command.
    scene.commands.pop();
    mesh_scene(scene, rng);
    paint_scene(scene, rng);
    patch_scene(scene);
    quad_scene(scene);
}
