//! Meshes: coverage by the top-left rule, winding, perspective-correct interpolation,
//! rounding once per command, and triangles that cannot be drawn.

use super::*;
use crate::render::Topology;

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
