//! The CPU renderer against the rules of [`crate::render::scene`], on small frames whose
//! every pixel can be worked out by hand.

use std::time::{Duration, Instant};

use effect_api::{Frame, PixelFormat, Point2};

use super::CpuRenderer;
use crate::render::{
    BlendMode, DrawCommand, Lut3d, LutDraw, LutId, LutRegion, MeshDraw, MeshVertex, PatchDraw,
    QuadDraw, RenderError, Renderer, Scene, SceneAssets, Texture, TextureId, Topology, TopologyId,
};

fn flat_texture(width: u32, height: u32, rgba: [u8; 4]) -> Texture {
    Texture {
        width,
        height,
        premultiplied_rgba: rgba.repeat((width * height) as usize),
    }
}

fn renderer(assets: SceneAssets) -> CpuRenderer {
    let mut renderer = CpuRenderer::new();
    renderer.load_assets(&assets).unwrap();
    renderer
}

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

fn red(frame: &Frame, x: usize, y: usize) -> u8 {
    let bytes = match frame.format() {
        PixelFormat::Rgb8 => 3,
        PixelFormat::Rgba8 => 4,
    };
    frame.data()[(y * frame.width() as usize + x) * bytes]
}

fn round(value: f64) -> u8 {
    (value * 255.0).round().clamp(0.0, 255.0) as u8
}

#[test]
fn triangles_sharing_edges_cover_each_pixel_once() {
    // Two squares side by side, each split along a different diagonal; corners sit on
    // pixel centres, so every edge runs through centres. Add blends a half-value texture
    // over black: a pixel covered twice would reach 255, one missed would stay 0.
    let p = |x: f32, y: f32| corner(x + 0.5, y + 0.5);
    let corners = [
        p(0.0, 0.0),
        p(5.0, 0.0),
        p(10.0, 0.0),
        p(0.0, 6.0),
        p(5.0, 6.0),
        p(10.0, 6.0),
    ];
    let topology = Topology {
        vertex_count: 6,
        triangles: vec![[0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 5, 4]],
    };
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(4, 4, [128, 128, 128, 255])],
        luts: vec![],
        topologies: vec![topology],
    });
    let mut scene = Scene::default();
    mesh(&mut scene, 0, &corners, BlendMode::Add, 1.0);
    let mut frame = Frame::filled(12, 8, [0, 0, 0]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    for y in 0..8 {
        for x in 0..12 {
            // Left and top edges are in, right and bottom ones out.
            let expected = if x < 10 && y < 6 { 128 } else { 0 };
            assert_eq!(red(&frame, x, y), expected, "pixel ({x}, {y})");
        }
    }
}

#[test]
fn counter_clockwise_triangles_are_skipped() {
    let topology = |triangle| Topology {
        vertex_count: 3,
        triangles: vec![triangle],
    };
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(2, 2, [255; 4])],
        luts: vec![],
        topologies: vec![topology([0, 1, 2]), topology([0, 2, 1])],
    });
    let corners = [corner(0.0, 0.0), corner(8.0, 0.0), corner(0.0, 8.0)];
    let mut scene = Scene::default();
    mesh(&mut scene, 1, &corners, BlendMode::Normal, 1.0);
    let mut frame = Frame::filled(8, 8, [9, 9, 9]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    assert!(frame.data().iter().all(|&byte| byte == 9));
    scene.clear();
    mesh(&mut scene, 0, &corners, BlendMode::Normal, 1.0);
    renderer.render(&mut frame, &scene).unwrap();
    assert_eq!(red(&frame, 1, 1), 255);
}

#[test]
fn each_blend_mode_follows_its_formula() {
    let texel = [60u8, 100, 20, 128];
    let frame_rgb = [200u8, 50, 128];
    let k = 0.75;
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(4, 4, texel)],
        ..SceneAssets::default()
    });
    let value = |code: u8| f64::from(code) / 255.0;
    let a = value(texel[3]) * k;
    for mode in [
        BlendMode::Normal,
        BlendMode::Multiply,
        BlendMode::Screen,
        BlendMode::Add,
    ] {
        let mut scene = Scene::default();
        scene
            .commands
            .push(quad(0, 0.0, 0.0, 4.0, 4.0, mode, k as f32));
        let mut frame = Frame::filled(4, 4, frame_rgb).unwrap();
        renderer.render(&mut frame, &scene).unwrap();
        for channel in 0..3 {
            let (p, d) = (value(texel[channel]) * k, value(frame_rgb[channel]));
            let expected = round(match mode {
                BlendMode::Normal => p + d * (1.0 - a),
                BlendMode::Multiply => d * (1.0 - a + p),
                BlendMode::Screen => p + d * (1.0 - p),
                BlendMode::Add => (d + p).min(1.0),
            });
            for pixel in frame.data().chunks_exact(3) {
                assert_eq!(pixel[channel], expected, "{mode:?}, channel {channel}");
            }
        }
    }
}

#[test]
fn quads_fade_out_over_one_texel_past_their_edge() {
    // An opaque white 4×4 image on the 8×8 square at (10, 10): two pixels a texel.
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(4, 4, [255; 4])],
        ..SceneAssets::default()
    });
    let mut scene = Scene::default();
    scene
        .commands
        .push(quad(0, 10.0, 10.0, 8.0, 8.0, BlendMode::Normal, 1.0));
    let mut frame = Frame::filled(24, 24, [0, 0, 0]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    let row: Vec<u8> = (7..21).map(|x| red(&frame, x, 14)).collect();
    assert_eq!(
        row,
        [0, 0, 64, 191, 255, 255, 255, 255, 255, 255, 191, 64, 0, 0]
    );
    let column: Vec<u8> = (7..21).map(|y| red(&frame, 14, y)).collect();
    assert_eq!(column, row);
}

#[test]
fn mesh_attributes_are_perspective_correct() {
    // A 64×8 strip: u = 0 and w = 1 on the left, u = 1 and w = 2 on the right, over a
    // 256-texel ramp whose red code equals the texel index.
    let ramp: Vec<u8> = (0..=255u8).flat_map(|i| [i, 0, 0, 255]).collect();
    let mut renderer = renderer(SceneAssets {
        textures: vec![Texture {
            width: 256,
            height: 1,
            premultiplied_rgba: ramp,
        }],
        luts: vec![],
        topologies: vec![Topology {
            vertex_count: 4,
            triangles: vec![[0, 1, 2], [0, 2, 3]],
        }],
    });
    let at = |x: f32, y: f32, w: f32, u: f32| MeshVertex {
        x,
        y,
        w,
        u,
        v: 0.5,
        alpha: 1.0,
    };
    let corners = [
        at(0.0, 0.0, 1.0, 0.0),
        at(64.0, 0.0, 2.0, 1.0),
        at(64.0, 8.0, 2.0, 1.0),
        at(0.0, 8.0, 1.0, 0.0),
    ];
    let mut scene = Scene::default();
    mesh(&mut scene, 0, &corners, BlendMode::Normal, 1.0);
    let mut frame = Frame::filled(64, 8, [0, 0, 0]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    for x in [8usize, 31, 32, 50] {
        let t = (x as f64 + 0.5) / 64.0;
        // u/w and 1/w interpolate linearly on screen.
        let u = (t / 2.0) / ((1.0 - t) + t / 2.0);
        let expected = u * 256.0 - 0.5;
        let affine = t * 256.0 - 0.5;
        for y in [0, 7] {
            let found = f64::from(red(&frame, x, y));
            assert!(
                (found - expected).abs() <= 0.5 + 1e-3,
                "x {x}: {found} vs {expected}"
            );
            assert!((found - affine).abs() > 10.0, "x {x}: affine {affine}");
        }
    }
}

#[test]
fn a_patch_on_an_identity_crop_reproduces_its_pixels() {
    let side = 4usize;
    let mut scene = Scene::default();
    let (pixels, bytes) = scene.push_patch(side as u32);
    for (index, texel) in bytes.chunks_exact_mut(4).enumerate() {
        let code = (index * 37 % 200) as u8;
        texel.copy_from_slice(&[code, 255 - code, code / 3, 255]);
    }
    // The last texel is half transparent: premultiplied 40 over the frame's 100.
    bytes[side * side * 4 - 4..].copy_from_slice(&[40, 40, 40, 128]);
    let patch_bytes = bytes.to_vec();
    scene.commands.push(DrawCommand::Patch(PatchDraw {
        pixels,
        side: side as u32,
        crop_to_frame: [[1.0, 0.0, 5.0], [0.0, 1.0, 7.0]],
    }));
    let mut renderer = CpuRenderer::new();
    let mut frame = Frame::filled(16, 16, [100, 100, 100]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    let data = frame.data();
    for y in 0..16 {
        for x in 0..16 {
            let pixel = &data[(y * 16 + x) * 3..][..3];
            let inside = (5..5 + side).contains(&x) && (7..7 + side).contains(&y);
            let expected = if !inside {
                [100; 3]
            } else if (x, y) == (8, 10) {
                [round(40.0 / 255.0 + 100.0 / 255.0 * (1.0 - 128.0 / 255.0)); 3]
            } else {
                let texel = &patch_bytes[((y - 7) * side + x - 5) * 4..][..3];
                [texel[0], texel[1], texel[2]]
            };
            assert_eq!(pixel, expected, "pixel ({x}, {y})");
        }
    }
}

/// A size-N table mapping each lattice point to itself, or to its inverse.
fn table(size: u32, invert: bool) -> Lut3d {
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

fn varied_frame(width: u32, height: u32, format: PixelFormat) -> Frame {
    let bytes = width * height * format.bytes_per_pixel() as u32;
    let data = (0..bytes).map(|index| (index * 73 % 256) as u8).collect();
    Frame::from_packed(data, width, height, format).unwrap()
}

#[test]
fn luts_grade_by_their_table() {
    let mut renderer = renderer(SceneAssets {
        luts: vec![table(17, false), table(2, true)],
        ..SceneAssets::default()
    });
    let grade = |lut: u32, strength: f32| {
        DrawCommand::Lut(LutDraw {
            lut: LutId(lut),
            region: LutRegion::Frame,
            strength,
        })
    };
    let original = varied_frame(16, 8, PixelFormat::Rgb8);
    let mut frame = original.clone();
    let mut scene = Scene::default();
    scene.commands.push(grade(0, 1.0));
    renderer.render(&mut frame, &scene).unwrap();
    assert_eq!(frame, original);

    scene.commands = vec![grade(1, 1.0)];
    renderer.render(&mut frame, &scene).unwrap();
    for (graded, before) in frame.data().iter().zip(original.data()) {
        assert_eq!(*graded, 255 - before);
    }

    // A quarter of the inverse: d + (1 − 2d) / 4.
    let mut frame = original.clone();
    scene.commands = vec![grade(1, 0.25)];
    renderer.render(&mut frame, &scene).unwrap();
    for (graded, before) in frame.data().iter().zip(original.data()) {
        let d = f64::from(*before) / 255.0;
        let expected = d + (1.0 - 2.0 * d) * 0.25;
        assert!(
            (f64::from(*graded) - expected * 255.0).abs() <= 0.5 + 1e-3,
            "{before} → {graded}"
        );
    }
}

#[test]
fn a_lut_on_a_mesh_grades_only_what_the_mesh_covers() {
    let mut renderer = renderer(SceneAssets {
        luts: vec![table(2, true)],
        topologies: vec![Topology {
            vertex_count: 3,
            triangles: vec![[0, 1, 2]],
        }],
        ..SceneAssets::default()
    });
    let mut scene = Scene::default();
    let vertices = scene.push_vertices([corner(0.0, 0.0), corner(8.0, 0.0), corner(0.0, 8.0)]);
    scene.commands.push(DrawCommand::Lut(LutDraw {
        lut: LutId(0),
        region: LutRegion::Mesh {
            topology: TopologyId(0),
            vertices,
        },
        strength: 1.0,
    }));
    let mut frame = Frame::filled(8, 8, [10, 20, 30]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    assert_eq!(&frame.data()[..3], &[245, 235, 225]);
    assert_eq!(&frame.data()[(7 * 8 + 7) * 3..], &[10, 20, 30]);
}

#[test]
fn each_command_rounds_but_triangles_within_one_do_not() {
    // Code 1 at opacity 0.4 adds 0.4 of a code: rounded away by each command on its own,
    // but two overlapping triangles of one mesh add up to 0.8, which rounds to 1.
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(2, 2, [1, 1, 1, 255])],
        luts: vec![],
        topologies: vec![Topology {
            vertex_count: 3,
            triangles: vec![[0, 1, 2], [0, 1, 2]],
        }],
    });
    let mut scene = Scene::default();
    for _ in 0..2 {
        scene
            .commands
            .push(quad(0, 0.0, 0.0, 2.0, 2.0, BlendMode::Add, 0.4));
    }
    let mut frame = Frame::filled(2, 2, [0, 0, 0]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    assert!(frame.data().iter().all(|&byte| byte == 0));

    scene.clear();
    let corners = [corner(0.0, 0.0), corner(9.0, 0.0), corner(0.0, 9.0)];
    mesh(&mut scene, 0, &corners, BlendMode::Add, 0.4);
    renderer.render(&mut frame, &scene).unwrap();
    assert_eq!(red(&frame, 0, 0), 1);
}

#[test]
fn rgba_frames_keep_their_alpha() {
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(2, 2, [200, 100, 0, 255])],
        luts: vec![table(2, true)],
        ..SceneAssets::default()
    });
    let original = varied_frame(6, 6, PixelFormat::Rgba8);
    let mut frame = original.clone();
    let mut scene = Scene::default();
    scene
        .commands
        .push(quad(0, 1.0, 1.0, 4.0, 4.0, BlendMode::Normal, 1.0));
    scene.commands.push(DrawCommand::Lut(LutDraw {
        lut: LutId(0),
        region: LutRegion::Frame,
        strength: 1.0,
    }));
    renderer.render(&mut frame, &scene).unwrap();
    let pairs = frame
        .data()
        .chunks_exact(4)
        .zip(original.data().chunks_exact(4));
    for (index, (after, before)) in pairs.enumerate() {
        assert_eq!(after[3], before[3], "alpha of pixel {index}");
    }
    // Pixel (2, 2) is inside the quad: white-ish orange, then inverted.
    assert_eq!(&frame.data()[(2 * 6 + 2) * 4..][..3], &[55, 155, 255]);
}

#[test]
fn broken_triangles_are_skipped_and_the_rest_drawn() {
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(2, 2, [255; 4])],
        luts: vec![],
        topologies: vec![Topology {
            vertex_count: 5,
            triangles: vec![[0, 1, 2], [3, 1, 4]],
        }],
    });
    let mut scene = Scene::default();
    let mut nan = corner(8.0, 8.0);
    nan.x = f32::NAN;
    let mut flat = corner(0.0, 8.0);
    flat.w = 0.0;
    let corners = [
        corner(0.0, 0.0),
        corner(8.0, 0.0),
        corner(0.0, 8.0),
        nan,
        flat,
    ];
    mesh(&mut scene, 0, &corners, BlendMode::Normal, 1.0);
    let mut frame = Frame::filled(8, 8, [0, 0, 0]).unwrap();
    renderer.render(&mut frame, &scene).unwrap();
    assert_eq!(red(&frame, 1, 1), 255);
    assert_eq!(red(&frame, 7, 7), 0);
}

#[test]
fn bad_scenes_are_errors_and_leave_the_frame_alone() {
    let mut renderer = renderer(SceneAssets {
        textures: vec![flat_texture(2, 2, [255; 4])],
        luts: vec![],
        topologies: vec![Topology {
            vertex_count: 3,
            triangles: vec![[0, 1, 2]],
        }],
    });
    let original = Frame::filled(4, 4, [1, 2, 3]).unwrap();
    let mut frame = original.clone();
    let mut render = |commands: Vec<DrawCommand>, vertices: usize| {
        let mut scene = Scene::default();
        scene.push_vertices(vec![corner(0.0, 0.0); vertices]);
        // A draw that would change the frame, before the bad one.
        scene
            .commands
            .push(quad(0, 0.0, 0.0, 4.0, 4.0, BlendMode::Normal, 1.0));
        scene.commands.extend(commands);
        renderer.render(&mut frame, &scene).unwrap_err()
    };
    let error = render(vec![quad(3, 0.0, 0.0, 1.0, 1.0, BlendMode::Normal, 1.0)], 0);
    assert!(matches!(
        error,
        RenderError::MissingAsset {
            kind: "texture",
            index: 3,
            loaded: 1
        }
    ));
    let lut = DrawCommand::Lut(LutDraw {
        lut: LutId(0),
        region: LutRegion::Frame,
        strength: 1.0,
    });
    assert!(matches!(
        render(vec![lut], 0),
        RenderError::MissingAsset { kind: "lut", .. }
    ));
    let draw = |topology: u32, vertices: std::ops::Range<u32>| {
        DrawCommand::Mesh(MeshDraw {
            topology: TopologyId(topology),
            vertices,
            texture: TextureId(0),
            blend: BlendMode::Normal,
            opacity: 1.0,
        })
    };
    assert!(matches!(
        render(vec![draw(1, 0..3)], 3),
        RenderError::MissingAsset {
            kind: "topology",
            ..
        }
    ));
    let error = render(vec![draw(0, 0..4)], 4).to_string();
    assert!(
        error.contains("joins 3 vertices") && error.contains("holds 4"),
        "{error}"
    );
    let error = render(vec![draw(0, 2..5)], 4).to_string();
    assert!(error.contains("outside the scene's 4 vertices"), "{error}");
    let patch = DrawCommand::Patch(PatchDraw {
        pixels: 0..10,
        side: 2,
        crop_to_frame: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
    });
    assert!(
        render(vec![patch], 0)
            .to_string()
            .contains("needs 16 bytes")
    );
    assert_eq!(frame, original);
}

#[test]
fn bad_assets_are_refused_on_load() {
    let mut renderer = CpuRenderer::new();
    let load = |renderer: &mut CpuRenderer, assets: SceneAssets| {
        renderer.load_assets(&assets).unwrap_err().to_string()
    };
    let mut short = flat_texture(2, 2, [0; 4]);
    short.premultiplied_rgba.pop();
    let textures = SceneAssets {
        textures: vec![flat_texture(1, 1, [0; 4]), short],
        ..SceneAssets::default()
    };
    assert!(load(&mut renderer, textures).contains("texture #1 is 2×2 and holds 15 bytes"));
    let luts = SceneAssets {
        luts: vec![Lut3d {
            size: 1,
            rgb: vec![[0.0; 3]],
        }],
        ..SceneAssets::default()
    };
    assert!(load(&mut renderer, luts).contains("LUT #0: its size is 1"));
    let topologies = SceneAssets {
        topologies: vec![Topology {
            vertex_count: 3,
            triangles: vec![[0, 1, 3]],
        }],
        ..SceneAssets::default()
    };
    assert!(load(&mut renderer, topologies).contains("names vertex 3, but has only 3"));
}

#[test]
fn rendering_again_reuses_the_scratch_buffer() {
    let (scene, mut frame, mut renderer) = face_mask_scene(64, 48, 20);
    renderer.render(&mut frame, &scene).unwrap();
    let capacity = renderer.scratch.capacity();
    renderer.render(&mut frame, &scene).unwrap();
    assert_eq!(renderer.scratch.capacity(), capacity);
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

/// CPU time this thread has used, where Linux says (`/proc/thread-self/schedstat`): on a
/// busy machine it is steadier than the wall clock.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanoseconds))
}

/// The fastest of `runs` renders by the wall clock, and their mean CPU time where known.
fn timed(
    runs: u32,
    renderer: &mut CpuRenderer,
    frame: &mut Frame,
    scene: &Scene,
) -> (Duration, Option<Duration>) {
    let cpu_start = thread_cpu_time();
    let fastest = (0..runs)
        .map(|_| {
            let start = Instant::now();
            renderer.render(frame, scene).unwrap();
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    let cpu = cpu_start
        .zip(thread_cpu_time())
        .map(|(start, end)| (end - start) / runs.max(1));
    (fastest, cpu)
}

#[test]
#[ignore = "a timing to read, not a check: run in release with --ignored --nocapture"]
fn time_a_face_mask() {
    // 21×21 cells: 882 triangles over 300×400 pixels.
    let runs: u32 = std::env::var("LENSMITH_TIMING_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(200);
    let (scene, mut frame, mut renderer) = face_mask_scene(300, 400, 21);
    let mesh = timed(runs, &mut renderer, &mut frame, &scene);
    let mut scene = Scene::default();
    scene.commands.push(DrawCommand::Lut(LutDraw {
        lut: LutId(0),
        region: LutRegion::Frame,
        strength: 0.8,
    }));
    renderer
        .load_assets(&SceneAssets {
            luts: vec![table(33, true)],
            ..SceneAssets::default()
        })
        .unwrap();
    let lut = timed(runs.div_ceil(10), &mut renderer, &mut frame, &scene);
    println!(
        "882-triangle mesh over 300×400 px: fastest {:?}, mean CPU {:?}",
        mesh.0, mesh.1
    );
    println!("1280×720 LUT: fastest {:?}, mean CPU {:?}", lut.0, lut.1);
}
