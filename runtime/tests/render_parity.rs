//! The wgpu renderer against the CPU reference on demanding synthetic scenes: meshes of
//! many small triangles with varying `w` and alpha in every blend mode, rotated
//! overlapping stickers, a rotated and scaled soft patch, and colour grades over the frame
//! and over a mesh; and all of them in a corner of a 720p frame, where the GPU renderer
//! moves and draws only the part of the frame the draws can reach, and leaves out what
//! samples only transparent texels of a mostly empty face paint. The two must agree to a
//! mean difference of at most 1/255 and a largest one of at most 4/255 per channel. The
//! tests need a GPU adapter (lavapipe counts); where there is none they say so and pass,
//! unless `LENSMITH_REQUIRE_GPU` is set.
#![cfg(feature = "gpu")]

#[path = "support/parity_scenes.rs"]
mod parity_scenes;

use std::io::Write as _;
use std::time::Instant;

use effect_api::Point2;
use effect_api::{Frame, PixelFormat};
use lensmith_runtime::render::cpu::CpuRenderer;
use lensmith_runtime::render::{
    BlendMode, DrawCommand, GpuRenderer, LutDraw, LutId, LutRegion, MeshDraw, PatchDraw, QuadDraw,
    Renderer, Scene, TopologyId,
};

use self::parity_scenes::{
    FACE, FACE_GRID, FINE, FINE_GRID, GRADE, GridPlacement, MASK, Rng, STICKER, assets, base_frame,
    grid_vertices, local_scene, lut_scene, mesh_scene, patch_scene, quad_scene, shift,
    synthetic_rgb,
};

/// Largest mean absolute difference per channel, in codes.
const MEAN_LIMIT: f64 = 1.0;
/// Largest absolute difference of any pixel and channel, in codes.
const MAX_LIMIT: u8 = 4;

/// Writes a line where the test harness does not capture it.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A renderer on the machine's GPU, or `None` after saying loudly why the test is skipped.
fn gpu_or_skip(test: &str) -> Option<GpuRenderer> {
    match GpuRenderer::new() {
        Ok(renderer) => Some(renderer),
        Err(error) => {
            if std::env::var_os("LENSMITH_REQUIRE_GPU").is_some() {
                panic!("{test}: a GPU adapter is required here (LENSMITH_REQUIRE_GPU): {error}");
            }
            say(&format!(
                "\n*** {test} SKIPPED: no GPU adapter (install mesa-vulkan-drivers)\n*** {error}\n"
            ));
            None
        }
    }
}

/// Per-channel mean and largest absolute differences, in codes, and the share of pixels
/// the scene changed at all.
struct Parity {
    mean: [f64; 3],
    max: [u8; 3],
    changed: f64,
}

fn parity(before: &Frame, cpu: &Frame, gpu: &Frame) -> Parity {
    let channels = before.format().bytes_per_pixel();
    let (mut sum, mut max, mut changed) = ([0u64; 3], [0u8; 3], 0usize);
    let pixels = before.data().chunks_exact(channels);
    let both = cpu
        .data()
        .chunks_exact(channels)
        .zip(gpu.data().chunks_exact(channels));
    for (original, (a, b)) in pixels.zip(both) {
        for channel in 0..3 {
            let difference = a[channel].abs_diff(b[channel]);
            sum[channel] += u64::from(difference);
            max[channel] = max[channel].max(difference);
        }
        changed += usize::from(original[..3] != a[..3]);
        if channels == 4 {
            assert_eq!(
                original[3], b[3],
                "the GPU renderer changed the frame's alpha"
            );
        }
    }
    let count = (before.width() * before.height()) as f64;
    Parity {
        mean: sum.map(|total| total as f64 / count),
        max,
        changed: changed as f64 / count,
    }
}

/// Renders `scene` on both renderers and checks that they agree.
fn check_parity(test: &str, format: PixelFormat, build: impl FnOnce(&mut Scene)) {
    let Some((mut gpu, mut cpu)) = renderers(test) else {
        return;
    };
    let mut scene = Scene::default();
    build(&mut scene);
    let before = base_frame(format);
    let (found, _) = compare(test, &mut gpu, &mut cpu, &before, &scene);
    assert!(
        found.changed > 0.02,
        "{test}: the scene drew almost nothing"
    );
}

/// Both renderers with [`assets`] loaded, or `None` (said) when there is no GPU.
fn renderers(test: &str) -> Option<(GpuRenderer, CpuRenderer)> {
    let mut gpu = gpu_or_skip(test)?;
    let assets = assets();
    let mut cpu = CpuRenderer::default();
    cpu.load_assets(&assets).unwrap();
    gpu.load_assets(&assets).unwrap();
    Some((gpu, cpu))
}

/// Renders `scene` onto copies of `before` on both renderers, says how they differ, checks
/// that they agree, and returns the differences and the GPU's frame.
fn compare(
    test: &str,
    gpu: &mut GpuRenderer,
    cpu: &mut CpuRenderer,
    before: &Frame,
    scene: &Scene,
) -> (Parity, Frame) {
    let (mut on_cpu, mut on_gpu) = (before.clone(), before.clone());
    cpu.render(&mut on_cpu, scene).unwrap();
    gpu.render(&mut on_gpu, scene).unwrap();
    let found = parity(before, &on_cpu, &on_gpu);
    say(&format!(
        "{test} on {}: {}×{} frame, {:.1}% of pixels drawn; mean |cpu − gpu| per channel \
         {:.4} {:.4} {:.4} codes, max {:?} codes",
        gpu.name(),
        before.width(),
        before.height(),
        found.changed * 100.0,
        found.mean[0],
        found.mean[1],
        found.mean[2],
        found.max,
    ));
    assert_agree(test, &found);
    (found, on_gpu)
}

/// Fails unless the differences are within the limits.
fn assert_agree(test: &str, found: &Parity) {
    assert!(
        found.mean.iter().all(|&mean| mean <= MEAN_LIMIT),
        "{test}: mean difference {:?} codes is over {MEAN_LIMIT}",
        found.mean
    );
    assert!(
        found.max.iter().all(|&max| max <= MAX_LIMIT),
        "{test}: largest difference {:?} codes is over {MAX_LIMIT}",
        found.max
    );
}

/// The `width × height` pixels of `frame` from `(x, y)`, as a frame of their own.
fn window(frame: &Frame, [x, y, width, height]: [u32; 4]) -> Frame {
    let bytes = frame.format().bytes_per_pixel();
    let view = frame.view();
    let data = (y..y + height)
        .flat_map(|row| {
            let start = x as usize * bytes;
            view.row(row)[start..start + width as usize * bytes].to_vec()
        })
        .collect();
    Frame::from_packed(data, width, height, frame.format()).unwrap()
}

#[test]
fn gpu_matches_cpu_on_meshes_in_every_blend_mode() {
    let test = "gpu_matches_cpu_on_meshes_in_every_blend_mode";
    check_parity(test, PixelFormat::Rgb8, |scene| {
        mesh_scene(scene, &mut Rng(1))
    });
}

#[test]
fn gpu_matches_cpu_on_meshes_with_corners_that_cannot_be_drawn() {
    let test = "gpu_matches_cpu_on_meshes_with_corners_that_cannot_be_drawn";
    check_parity(test, PixelFormat::Rgb8, |scene| {
        mesh_scene(scene, &mut Rng(7));
        // A broken landmark model's output: both renderers skip the triangles these
        // corners belong to and draw the rest.
        let broken = [(40, f32::NAN, 1.0), (300, 50.0, 0.0), (500, 80.0, -1.0)];
        for (index, x, w) in broken {
            scene.vertices[index].x = x;
            scene.vertices[index].w = w;
        }
        scene.vertices[1500].alpha = f32::INFINITY;
        scene.vertices[2000].y = 1e7;
    });
}

#[test]
fn gpu_matches_cpu_on_rotated_overlapping_quads() {
    check_parity(
        "gpu_matches_cpu_on_rotated_overlapping_quads",
        PixelFormat::Rgb8,
        quad_scene,
    );
}

#[test]
fn gpu_matches_cpu_on_rotated_scaled_soft_patches() {
    check_parity(
        "gpu_matches_cpu_on_rotated_scaled_soft_patches",
        PixelFormat::Rgb8,
        patch_scene,
    );
}

#[test]
fn gpu_matches_cpu_on_luts_over_the_frame_and_a_mesh() {
    let test = "gpu_matches_cpu_on_luts_over_the_frame_and_a_mesh";
    check_parity(test, PixelFormat::Rgb8, |scene| {
        lut_scene(scene, &mut Rng(2))
    });
}

#[test]
fn gpu_matches_cpu_on_everything_at_once_in_rgba() {
    let test = "gpu_matches_cpu_on_everything_at_once_in_rgba";
    check_parity(test, PixelFormat::Rgba8, |scene| {
        let mut rng = Rng(3);
        // The LUTs first (see `lut_scene`); the smooth grade again last, over everything.
        lut_scene(scene, &mut rng);
        mesh_scene(scene, &mut rng);
        patch_scene(scene);
        quad_scene(scene);
        scene.commands.push(DrawCommand::Lut(LutDraw {
            lut: GRADE,
            region: LutRegion::Frame,
            strength: 0.6,
        }));
    });
}

#[test]
fn gpu_draws_a_720p_frame_with_a_face_sized_mesh() {
    let test = "gpu_draws_a_720p_frame_with_a_face_sized_mesh";
    let Some(mut gpu) = gpu_or_skip(test) else {
        return;
    };
    gpu.load_assets(&assets()).unwrap();
    let (_, _, rgb) = synthetic_rgb(1280, 720);
    let mut frame = Frame::from_packed(rgb, 1280, 720, PixelFormat::Rgb8).unwrap();
    let mut scene = Scene::default();
    let placement = GridPlacement {
        origin: [480.0, 200.0],
        cell: 15.0,
        jitter: 0.3,
        w_left: 0.8,
        w_right: 1.2,
    };
    let vertices = scene.push_vertices(grid_vertices(&mut Rng(4), FACE, &placement));
    scene.commands.push(DrawCommand::Mesh(MeshDraw {
        topology: FACE_GRID,
        vertices,
        texture: MASK,
        blend: BlendMode::Normal,
        opacity: 0.9,
    }));
    for _ in 0..3 {
        gpu.render(&mut frame, &scene).unwrap();
    }
    let frames = 20;
    let start = Instant::now();
    for _ in 0..frames {
        gpu.render(&mut frame, &scene).unwrap();
    }
    let each = start.elapsed() / frames;
    say(&format!(
        "{test}: {each:?} a frame on {} (upload, 882 triangles, read back)",
        gpu.name()
    ));
}

#[test]
fn gpu_refuses_bad_scenes_and_keeps_drawing_after() {
    let test = "gpu_refuses_bad_scenes_and_keeps_drawing_after";
    let Some(mut gpu) = gpu_or_skip(test) else {
        return;
    };
    gpu.load_assets(&assets()).unwrap();
    let mut frame = base_frame(PixelFormat::Rgb8);
    let before = frame.clone();
    let mesh = |topology, vertices| {
        DrawCommand::Mesh(MeshDraw {
            topology,
            vertices,
            texture: MASK,
            blend: BlendMode::Normal,
            opacity: 1.0,
        })
    };
    let mut scene = Scene::default();
    scene.push_vertices(grid_vertices(&mut Rng(5), FINE, &GRID_FOR_ERRORS));
    let all = 0..(FINE + 1).pow(2);
    let bad = [
        mesh(TopologyId(7), all.clone()),
        mesh(FINE_GRID, 1..(FINE + 1).pow(2) + 1),
        mesh(FACE_GRID, all),
        DrawCommand::Patch(PatchDraw {
            pixels: 0..16,
            side: 2,
            crop_to_frame: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        }),
        DrawCommand::Lut(LutDraw {
            lut: LutId(9),
            region: LutRegion::Frame,
            strength: 1.0,
        }),
    ];
    for command in bad {
        scene.commands = vec![command];
        let error = gpu.render(&mut frame, &scene).unwrap_err();
        say(&format!("{test}: refused with: {error}"));
    }
    assert!(frame == before, "a refused scene changed the frame");
    let mut bad_assets = assets();
    bad_assets.topologies[0].triangles[0][1] = 10_000;
    assert!(gpu.load_assets(&bad_assets).is_err());
    // Still usable: draws the same as the CPU afterwards.
    let mut cpu = CpuRenderer::default();
    let assets = assets();
    cpu.load_assets(&assets).unwrap();
    gpu.load_assets(&assets).unwrap();
    let mut scene = Scene::default();
    quad_scene(&mut scene);
    let (mut on_cpu, mut on_gpu) = (before.clone(), before.clone());
    cpu.render(&mut on_cpu, &scene).unwrap();
    gpu.render(&mut on_gpu, &scene).unwrap();
    let found = parity(&before, &on_cpu, &on_gpu);
    assert!(found.max.iter().all(|&max| max <= MAX_LIMIT));
}

const GRID_FOR_ERRORS: GridPlacement = GridPlacement {
    origin: [10.0, 10.0],
    cell: 5.0,
    jitter: 0.0,
    w_left: 1.0,
    w_right: 1.0,
};

#[test]
fn gpu_keeps_up_with_frames_changing_size() {
    let test = "gpu_keeps_up_with_frames_changing_size";
    let Some(mut gpu) = gpu_or_skip(test) else {
        return;
    };
    let assets = assets();
    let mut cpu = CpuRenderer::default();
    cpu.load_assets(&assets).unwrap();
    gpu.load_assets(&assets).unwrap();
    let mut scene = Scene::default();
    // The LUTs first (see `lut_scene`).
    lut_scene(&mut scene, &mut Rng(6));
    quad_scene(&mut scene);
    patch_scene(&mut scene);
    // Larger, smaller, wider than both (the targets regrow in one dimension), and RGBA.
    for (width, height, format) in [
        (400, 300, PixelFormat::Rgb8),
        (150, 100, PixelFormat::Rgb8),
        (700, 120, PixelFormat::Rgba8),
        (333, 333, PixelFormat::Rgba8),
    ] {
        let (_, _, rgb) = synthetic_rgb(width, height);
        let data = match format {
            PixelFormat::Rgb8 => rgb,
            PixelFormat::Rgba8 => rgb
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 9])
                .collect(),
        };
        let before = Frame::from_packed(data, width, height, format).unwrap();
        let (mut on_cpu, mut on_gpu) = (before.clone(), before.clone());
        cpu.render(&mut on_cpu, &scene).unwrap();
        gpu.render(&mut on_gpu, &scene).unwrap();
        let found = parity(&before, &on_cpu, &on_gpu);
        say(&format!(
            "{test}: {width}×{height}: mean {:.4?} codes, max {:?} codes",
            found.mean, found.max
        ));
        assert!(found.mean.iter().all(|&mean| mean <= MEAN_LIMIT));
        assert!(found.max.iter().all(|&max| max <= MAX_LIMIT));
    }
}

/// A 1280×720 frame of [`synthetic_rgb`], its colours inverted if `inverted`, in `format`.
fn large_frame(format: PixelFormat, inverted: bool) -> Frame {
    let (width, height, rgb) = synthetic_rgb(1280, 720);
    let rgb = rgb
        .into_iter()
        .map(|code| if inverted { 255 - code } else { code });
    let data: Vec<u8> = match format {
        PixelFormat::Rgb8 => rgb.collect(),
        PixelFormat::Rgba8 => {
            let rgb: Vec<u8> = rgb.collect();
            rgb.chunks_exact(3)
                .enumerate()
                .flat_map(|(index, pixel)| [pixel[0], pixel[1], pixel[2], (index % 251) as u8])
                .collect()
        }
    };
    Frame::from_packed(data, width, height, format).unwrap()
}

/// Where [`local_scene`] goes in the bottom-right corner of a 720p frame: partly past its
/// right and bottom edges.
const CORNER: [f32; 2] = [950.0, 480.0];

/// The pixels of a 720p frame around the draws [`local_scene`] makes at [`CORNER`].
const CORNER_WINDOW: [u32; 4] = [900, 430, 380, 290];

/// Whether `before` and `after` are the same in every pixel left of column `right` or
/// above row `bottom`.
fn same_outside(before: &Frame, after: &Frame, [right, bottom]: [u32; 2]) -> bool {
    (0..before.height()).all(|row| {
        let bytes = before.format().bytes_per_pixel();
        let (old, new) = (before.view().row(row), after.view().row(row));
        let upto = if row < bottom {
            old.len()
        } else {
            right as usize * bytes
        };
        old[..upto] == new[..upto]
    })
}

#[test]
fn gpu_matches_cpu_on_draws_in_a_corner_of_a_large_frame() {
    let test = "gpu_matches_cpu_on_draws_in_a_corner_of_a_large_frame";
    let Some((mut gpu, mut cpu)) = renderers(test) else {
        return;
    };
    // A whole-frame grade of another picture first, so that the GPU's copy of the frame
    // holds other pixels everywhere outside the corner drawn next.
    let mut graded = Scene::default();
    lut_scene(&mut graded, &mut Rng(8));
    quad_scene(&mut graded);
    let other = large_frame(PixelFormat::Rgb8, true);
    compare(test, &mut gpu, &mut cpu, &other, &graded);

    let before = large_frame(PixelFormat::Rgb8, false);
    let mut corner = Scene::default();
    local_scene(&mut corner, &mut Rng(9));
    shift(&mut corner, CORNER);
    let (found, on_gpu) = compare(test, &mut gpu, &mut cpu, &before, &corner);
    assert!(
        found.changed > 0.01,
        "{test}: the corner drew almost nothing"
    );
    assert!(
        same_outside(&before, &on_gpu, [CORNER_WINDOW[0], CORNER_WINDOW[1]]),
        "{test}: the GPU renderer changed pixels no draw reaches"
    );
    // The same draws, judged where they are: the mean over the whole frame is mostly
    // pixels both renderers leave alone.
    let mut on_cpu = before.clone();
    cpu.render(&mut on_cpu, &corner).unwrap();
    let near = parity(
        &window(&before, CORNER_WINDOW),
        &window(&on_cpu, CORNER_WINDOW),
        &window(&on_gpu, CORNER_WINDOW),
    );
    say(&format!(
        "{test}: around the corner's draws, {:.1}% of pixels drawn; mean {:.4?} codes, max \
         {:?} codes",
        near.changed * 100.0,
        near.mean,
        near.max
    ));
    assert_agree(test, &near);

    // Past the top-left corner instead: the draws start at negative coordinates.
    let mut top_left = Scene::default();
    local_scene(&mut top_left, &mut Rng(10));
    shift(&mut top_left, [-140.0, -110.0]);
    let (found, _) = compare(test, &mut gpu, &mut cpu, &before, &top_left);
    assert!(
        found.changed > 0.01,
        "{test}: the top left drew almost nothing"
    );

    // Wholly off the frame: nothing changes (and the GPU is not asked to do anything).
    let mut outside = Scene::default();
    local_scene(&mut outside, &mut Rng(11));
    shift(&mut outside, [1400.0, 100.0]);
    let mut on_gpu = before.clone();
    gpu.render(&mut on_gpu, &outside).unwrap();
    assert!(on_gpu == before, "{test}: draws off the frame changed it");
}

#[test]
fn gpu_matches_cpu_on_a_frame_wide_lut_with_draws_in_a_corner() {
    let test = "gpu_matches_cpu_on_a_frame_wide_lut_with_draws_in_a_corner";
    let Some((mut gpu, mut cpu)) = renderers(test) else {
        return;
    };
    let before = large_frame(PixelFormat::Rgba8, false);
    let mut corner = Scene::default();
    local_scene(&mut corner, &mut Rng(12));
    shift(&mut corner, CORNER);
    // The grade over the whole frame makes the whole frame the GPU's to move and draw.
    let mut graded = corner.clone();
    graded.commands.push(DrawCommand::Lut(LutDraw {
        lut: GRADE,
        region: LutRegion::Frame,
        strength: 0.7,
    }));
    let (found, _) = compare(test, &mut gpu, &mut cpu, &before, &graded);
    assert!(found.changed > 0.5, "{test}: the grade drew almost nothing");
    // The next frame's draws reach only the corner again, and one sticker is far off.
    let mut next = corner;
    next.commands.push(DrawCommand::Quad(QuadDraw {
        texture: STICKER,
        corners: [
            Point2::new(-900.0, 200.0),
            Point2::new(-700.0, 210.0),
            Point2::new(-905.0, 350.0),
        ],
        blend: BlendMode::Normal,
        opacity: 1.0,
    }));
    let (found, on_gpu) = compare(test, &mut gpu, &mut cpu, &before, &next);
    assert!(
        found.changed > 0.01,
        "{test}: the corner drew almost nothing"
    );
    assert!(
        same_outside(&before, &on_gpu, [CORNER_WINDOW[0], CORNER_WINDOW[1]]),
        "{test}: the GPU renderer changed pixels no draw reaches"
    );
}
