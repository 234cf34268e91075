//! Colour grades over the whole frame and over a mesh.

use super::*;
use crate::render::{LutDraw, LutId, LutRegion, Topology};

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
