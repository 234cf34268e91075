//! `docs/images/uv_layout.png`: a guide to the canonical face's UV layout for designers
//! painting masks: the mesh's triangles, the face outline, eyes, brows, nose ridge and lips
//! in colour, a 0.1 grid with its u and v values, and key landmarks with their numbers.

use std::collections::BTreeSet;

use super::canvas::{Canvas, Rgba, V2, hex, polygon_distance, segment_distance, v2};
use super::face::{
    FACE_OVAL, FaceLayout, LEFT_BROW, LEFT_EYE, LIPS_INNER, LIPS_OUTER, RIGHT_BROW, RIGHT_EYE,
};
use super::font::{draw_text, text_height, text_width};

/// Side of the guide in pixels.
pub const SIDE: u32 = 1024;

/// The nose ridge, from between the eyes to under the nose tip.
const NOSE_RIDGE: [u32; 10] = [168, 6, 197, 195, 5, 4, 1, 19, 94, 2];

/// Where a landmark's number goes relative to its dot.
#[derive(Clone, Copy)]
enum Label {
    Right,
    Left,
    Above,
    Below,
}

/// Landmarks marked on the guide: the ones effects anchor to most (forehead, chin, eye
/// corners and lids, brows, nose, mouth, cheeks, outline).
const KEY_LANDMARKS: [(usize, Label); 44] = [
    (10, Label::Below),
    (151, Label::Right),
    (9, Label::Right),
    (168, Label::Right),
    (6, Label::Right),
    (4, Label::Right),
    (1, Label::Left),
    (2, Label::Below),
    (152, Label::Above),
    (175, Label::Right),
    (0, Label::Above),
    (17, Label::Below),
    (13, Label::Above),
    (14, Label::Below),
    (61, Label::Left),
    (291, Label::Right),
    (33, Label::Left),
    (133, Label::Right),
    (159, Label::Above),
    (145, Label::Below),
    (263, Label::Right),
    (362, Label::Left),
    (386, Label::Above),
    (374, Label::Below),
    (70, Label::Left),
    (105, Label::Above),
    (107, Label::Above),
    (300, Label::Right),
    (334, Label::Above),
    (336, Label::Above),
    (50, Label::Left),
    (205, Label::Below),
    (280, Label::Right),
    (425, Label::Below),
    (98, Label::Left),
    (327, Label::Right),
    (234, Label::Right),
    (454, Label::Left),
    (127, Label::Right),
    (356, Label::Left),
    (58, Label::Right),
    (288, Label::Left),
    (172, Label::Right),
    (397, Label::Left),
];

const BACKGROUND: u32 = 0x14171e;
const GRID: u32 = 0x2b3344;
const MESH: u32 = 0x6a7a99;
const OUTLINE: u32 = 0xffd23f;
const EYES: u32 = 0x3fd7ff;
const BROWS: u32 = 0x62e36e;
const NOSE: u32 = 0xff9f40;
const LIPS: u32 = 0xff4fa3;
const MOUTH: u32 = 0xffa6d5;

/// Draws the guide (opaque).
pub fn draw(face: &FaceLayout) -> Canvas {
    let mut canvas = Canvas::new(SIDE, SIDE);
    let all = canvas.all();
    canvas.paint(all, |_| hex(BACKGROUND, 1.0));
    draw_grid(&mut canvas);

    // The openings, tinted, under the wireframe.
    for (outline, colour) in [
        (&RIGHT_EYE[..], hex(EYES, 0.22)),
        (&LEFT_EYE[..], hex(EYES, 0.22)),
        (&LIPS_OUTER[..], hex(LIPS, 0.16)),
        (&LIPS_INNER[..], hex(MOUTH, 0.22)),
    ] {
        let points = face.outline(outline);
        let bounds = canvas.around_points(&points, 2.0);
        canvas.fill(bounds, colour, |p| polygon_distance(p, &points));
    }

    // Every edge of the mesh once, in a stable order.
    let edges: BTreeSet<(u32, u32)> = face
        .triangles
        .iter()
        .flat_map(|&[a, b, c]| [(a, b), (b, c), (c, a)])
        .map(|(a, b)| (a.min(b), a.max(b)))
        .collect();
    for (a, b) in edges {
        let (a, b) = (face.at(a as usize), face.at(b as usize));
        line(&mut canvas, a, b, 0.55, hex(MESH, 0.9));
    }

    for (outline, colour) in [
        (&FACE_OVAL[..], OUTLINE),
        (&RIGHT_EYE[..], EYES),
        (&LEFT_EYE[..], EYES),
        (&RIGHT_BROW[..], BROWS),
        (&LEFT_BROW[..], BROWS),
        (&LIPS_OUTER[..], LIPS),
        (&LIPS_INNER[..], MOUTH),
    ] {
        let points = face.outline(outline);
        for (index, &a) in points.iter().enumerate() {
            line(
                &mut canvas,
                a,
                points[(index + 1) % points.len()],
                1.4,
                hex(colour, 1.0),
            );
        }
    }
    let ridge = face.outline(&NOSE_RIDGE);
    for pair in ridge.windows(2) {
        line(&mut canvas, pair[0], pair[1], 1.4, hex(NOSE, 1.0));
    }

    let scale = 2.0;
    for (index, label) in KEY_LANDMARKS {
        let p = face.at(index);
        let bounds = canvas.around(p, 8.0);
        canvas.fill(bounds, hex(BACKGROUND, 1.0), |q| (q - p).length() - 5.5);
        canvas.fill(bounds, hex(0xffffff, 1.0), |q| (q - p).length() - 3.5);
        let text = index.to_string();
        let (width, height) = (text_width(&text, scale), text_height(scale));
        let gap = 9.0;
        let origin = match label {
            Label::Right => p + v2(gap, -height / 2.0),
            Label::Left => p + v2(-gap - width, -height / 2.0),
            Label::Above => p + v2(-width / 2.0, -gap - height),
            Label::Below => p + v2(-width / 2.0, gap),
        };
        draw_text(
            &mut canvas,
            origin,
            scale,
            &text,
            hex(0xffffff, 1.0),
            hex(BACKGROUND, 0.85),
        );
    }
    canvas
}

/// The 0.1 grid, its values along the top and left edges, and the axis names.
fn draw_grid(canvas: &mut Canvas) {
    let side = SIDE as f32;
    for step in 1..10 {
        let at = side * step as f32 / 10.0;
        line(canvas, v2(at, 0.0), v2(at, side), 0.5, hex(GRID, 1.0));
        line(canvas, v2(0.0, at), v2(side, at), 0.5, hex(GRID, 1.0));
        let text = format!("0.{step}");
        let colour = hex(0x8090b0, 1.0);
        let halo = hex(BACKGROUND, 1.0);
        // Values right of each vertical line at the top, below each horizontal line at
        // the left, except at v = 0.4 and 0.5, where the face's outline reaches the edge.
        draw_text(canvas, v2(at + 4.0, 4.0), 2.0, &text, colour, halo);
        if !(4..=5).contains(&step) {
            draw_text(canvas, v2(4.0, at + 4.0), 2.0, &text, colour, halo);
        }
    }
    let colour = hex(0xc0c8e0, 1.0);
    let halo = hex(BACKGROUND, 1.0);
    draw_text(canvas, v2(side - 60.0, 26.0), 2.0, "u", colour, halo);
    arrow(canvas, v2(side - 44.0, 33.0), v2(side - 10.0, 33.0), colour);
    draw_text(canvas, v2(26.0, side - 56.0), 2.0, "v", colour, halo);
    arrow(canvas, v2(33.0, side - 38.0), v2(33.0, side - 6.0), colour);
}

/// An anti-aliased line `2 · half_width` pixels wide.
fn line(canvas: &mut Canvas, a: V2, b: V2, half_width: f32, colour: Rgba) {
    let bounds = canvas.around_points(&[a, b], half_width + 1.0);
    canvas.fill(bounds, colour, |p| segment_distance(p, a, b) - half_width);
}

/// A line with a head at `to`.
fn arrow(canvas: &mut Canvas, from: V2, to: V2, colour: Rgba) {
    line(canvas, from, to, 1.0, colour);
    let back = (from - to) * (7.0 / (from - to).length());
    line(canvas, to, to + back.rotated(0.5), 1.0, colour);
    line(canvas, to, to + back.rotated(-0.5), 1.0, colour);
}
