//! Scenes and assets the renderer refuses, and the scratch memory it keeps.

use super::*;
use crate::render::{LutDraw, LutId, LutRegion, PatchDraw, RenderError, Topology};

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
