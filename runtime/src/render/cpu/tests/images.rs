//! Quads and patches: the blend formulas, the transparent border and the paste-back of a
//! crop, on RGB and RGBA frames.

use super::*;
use crate::render::{LutDraw, LutId, LutRegion, PatchDraw};

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
