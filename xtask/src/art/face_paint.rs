//! `effects/face-paint/textures/face_paint.png`: a festival face paint in the canonical
//! mesh's UV space (1024² RGBA), every feature placed by landmarks so it lines up on any
//! face: a rainbow arching over the brows, a violet-to-pink wash around each eye with
//! glitter along its rim, star clusters on the cheeks, dots down the nose ridge and a heart
//! on the chin. It stays clear of the eyes and lips (transparent inside them, with a soft
//! margin) and fades to nothing towards the face outline, so it blends into the skin.

use super::canvas::{
    Canvas, Rgba, V2, coverage, hex, mix, polygon_distance, smooth_closed, smoothstep,
    star_outline, v2,
};
use super::face::{FACE_OVAL, FaceLayout, LEFT_EYE, LIPS_OUTER, RIGHT_EYE};

/// Side of the texture in pixels.
pub const SIDE: u32 = 1024;

/// Rainbow bands, outermost first.
const RAINBOW: [u32; 6] = [0xff3b3b, 0xff9a1f, 0xffe13b, 0x3bd16f, 0x3b9bff, 0x9b5cff];
const WHITE: u32 = 0xffffff;
const VIOLET: u32 = 0x8f5cff;
const PINK: u32 = 0xff4fa3;
const GOLD: u32 = 0xffd23f;
const CYAN: u32 = 0x3fd7ff;
const MINT: u32 = 0x5fe3a0;
const LILAC: u32 = 0xb7a6ff;

/// Draws the paint.
pub fn draw(face: &FaceLayout) -> Canvas {
    let mut canvas = Canvas::new(SIDE, SIDE);
    for side in [Side::Right, Side::Left] {
        eye_wash(&mut canvas, face, side);
    }
    rainbow(&mut canvas, face);
    for side in [Side::Right, Side::Left] {
        cheek_stars(&mut canvas, face, side);
    }
    nose_dots(&mut canvas, face);
    chin_heart(&mut canvas, face);
    clear_openings_and_fade_edges(&mut canvas, face);
    canvas
}

/// The subject's right (image left) or left (image right) half of the face.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Right,
    Left,
}

impl Side {
    /// Picks the landmark of this side from a mirror pair (the subject's right, left).
    fn pick(self, pair: (usize, usize)) -> usize {
        match self {
            Side::Right => pair.0,
            Side::Left => pair.1,
        }
    }

    /// An offset drawn for the image-left half, mirrored for the other.
    fn offset(self, x: f32, y: f32) -> V2 {
        match self {
            Side::Right => v2(x, y),
            Side::Left => v2(-x, y),
        }
    }
}

/// Concentric rainbow bands arching over the brows, centred on the nose bridge, each with a
/// white rim and round ends.
fn rainbow(canvas: &mut Canvas, face: &FaceLayout) {
    // Centre a little below the top of the nose bridge (168), so the arches clear the brows'
    // inner ends and reach up to the hairline.
    let centre = face.at(168) + v2(0.0, 40.0);
    let band = 16.0;
    let gap = 3.0;
    // The innermost band runs just above the middle of the brows (landmark 9).
    let inner_radius = centre.y - (face.at(9).y - 18.0);
    let outer_radius = inner_radius + RAINBOW.len() as f32 * (band + gap);
    let aperture = 1.0_f32; // radians each side of vertical
    let arc = move |p: V2, radius: f32, half_width: f32| {
        // Distance to an arc of `radius` around the vertical (opening downwards on screen),
        // with round caps.
        let q = v2((p.x - centre.x).abs(), centre.y - p.y);
        let (sin, cos) = aperture.sin_cos();
        let end = v2(sin, cos) * radius;
        let beyond = cos * q.x > sin * q.y;
        (if beyond {
            (q - end).length()
        } else {
            (q.length() - radius).abs()
        }) - half_width
    };
    let bounds = canvas.around(centre, outer_radius + 12.0);
    // Each band over a white rim a little wider than itself, so white runs between the
    // bands and around their round ends; then a cloud at each end of the bow.
    let radii: Vec<f32> = (0..RAINBOW.len())
        .map(|index| outer_radius - (index as f32 + 0.5) * (band + gap))
        .collect();
    for &radius in &radii {
        canvas.fill(bounds, hex(WHITE, 0.92), |p| {
            arc(p, radius, band / 2.0 + gap + 1.0)
        });
    }
    for (&radius, &colour) in radii.iter().zip(&RAINBOW) {
        canvas.fill(bounds, hex(colour, 1.0), |p| arc(p, radius, band / 2.0));
    }
    let rim_radius = (inner_radius + outer_radius) / 2.0;
    let (sin, cos) = aperture.sin_cos();
    for direction in [-1.0, 1.0] {
        let end = centre + v2(direction * sin, -cos) * rim_radius;
        cloud(
            canvas,
            end + v2(direction * 6.0, 22.0),
            0.42 * (outer_radius - inner_radius),
        );
    }
}

/// A puffy white cloud with a lilac edge, shaded lilac underneath, about `2 · size` wide,
/// its flat base `0.55 · size` below `centre`.
fn cloud(canvas: &mut Canvas, centre: V2, size: f32) {
    let puffs = [
        (v2(0.0, -0.25), 0.62),
        (v2(-0.62, 0.12), 0.42),
        (v2(0.64, 0.1), 0.46),
        (v2(-0.3, 0.2), 0.5),
        (v2(0.3, 0.22), 0.5),
    ];
    let distance = move |p: V2| {
        let round = puffs
            .iter()
            .map(|&(offset, radius)| (p - (centre + offset * size)).length() - radius * size)
            .fold(f32::INFINITY, f32::min);
        // Cut flat below the base.
        round.max(p.y - (centre.y + 0.55 * size))
    };
    let bounds = canvas.around(centre, size * 1.4);
    canvas.fill(bounds, hex(LILAC, 1.0), |p| distance(p) - 3.0);
    canvas.paint(bounds, |p| {
        let inside = coverage(distance(p));
        let shade = smoothstep(-0.1 * size, 0.5 * size, p.y - centre.y);
        let [r, g, b, a] = mix(hex(WHITE, 1.0), hex(0xe4dcff, 1.0), shade);
        [r, g, b, a * inside]
    });
}

/// A soft wash of colour around one eye, from violet by the nose to pink at the temple,
/// with glitter along its rim.
fn eye_wash(canvas: &mut Canvas, face: &FaceLayout, side: Side) {
    let brow_lower = [(55, 285), (65, 295), (52, 282), (53, 283), (46, 276)];
    let cheekbone = [(117, 346), (118, 347), (119, 348), (120, 349)];
    let mut outline: Vec<V2> = brow_lower
        .iter()
        .map(|&pair| face.at(side.pick(pair)) + v2(0.0, 6.0))
        .collect();
    // From the brow's outer end the wing sweeps up and out to a tip at the temple, then
    // curves back in and down to the cheekbone.
    let temple = face.at(side.pick((46, 276)));
    let tip = temple + side.offset(-92.0, -62.0);
    outline.push(tip);
    outline.push(temple + side.offset(-66.0, 62.0));
    outline.extend(
        cheekbone
            .iter()
            .map(|&pair| face.at(side.pick(pair)) + v2(0.0, 12.0)),
    );
    let inner_corner = face.at(side.pick((133, 362)));
    outline.push(inner_corner + side.offset(22.0, 24.0));
    outline.push(inner_corner + side.offset(26.0, -30.0));
    let outline = smooth_closed(&outline, 8);

    let (inner_x, tip_x) = (inner_corner.x + side.offset(26.0, 0.0).x, tip.x);
    let bounds = canvas.around_points(&outline, 40.0);
    canvas.paint(bounds, |p| {
        let distance = polygon_distance(p, &outline);
        let alpha = 0.7 * smoothstep(24.0, -28.0, distance);
        let t = ((p.x - inner_x) / (tip_x - inner_x)).clamp(0.0, 1.0);
        let [r, g, b, _] = mix(hex(VIOLET, 1.0), hex(PINK, 1.0), smoothstep(0.1, 0.9, t));
        [r, g, b, alpha]
    });

    // Glitter: points of a fixed sequence that fall on the wash's rim.
    let mut random = Halton::default();
    let low = outline
        .iter()
        .fold(v2(f32::INFINITY, f32::INFINITY), |l, p| {
            v2(l.x.min(p.x), l.y.min(p.y))
        });
    let high = outline
        .iter()
        .fold(v2(f32::NEG_INFINITY, f32::NEG_INFINITY), |h, p| {
            v2(h.x.max(p.x), h.y.max(p.y))
        });
    let mut placed = 0;
    while placed < 34 {
        let (a, b, c) = random.next();
        let p = v2(low.x + (high.x - low.x) * a, low.y + (high.y - low.y) * b);
        let distance = polygon_distance(p, &outline);
        if !(-22.0..=4.0).contains(&distance) {
            continue;
        }
        placed += 1;
        let radius = 1.6 + 2.4 * c;
        let colour = if placed % 3 == 0 {
            hex(GOLD, 1.0)
        } else {
            hex(WHITE, 0.95)
        };
        let bounds = canvas.around(p, radius + 2.0);
        canvas.fill(bounds, colour, |q| (q - p).length() - radius);
    }
}

/// A big star with smaller stars and dots around it, on one cheek.
fn cheek_stars(canvas: &mut Canvas, face: &FaceLayout, side: Side) {
    let cheek = face
        .at(side.pick((50, 280)))
        .lerp(face.at(side.pick((205, 425))), 0.45);
    let (small_a, small_b) = match side {
        Side::Right => (PINK, CYAN),
        Side::Left => (CYAN, PINK),
    };
    let stars = [
        (side.offset(0.0, 10.0), 50.0, GOLD, 0.12),
        (side.offset(-84.0, 62.0), 24.0, small_a, -0.2),
        (side.offset(58.0, 78.0), 19.0, small_b, 0.3),
        (side.offset(-66.0, -40.0), 15.0, MINT, 0.05),
    ];
    for (offset, radius, colour, turn) in stars {
        let centre = cheek + offset;
        let turn = match side {
            Side::Right => turn,
            Side::Left => -turn,
        };
        star(canvas, centre, radius, hex(colour, 1.0), turn);
    }
    let dots = [
        (side.offset(-104.0, -4.0), 7.0, small_b),
        (side.offset(66.0, 22.0), 8.0, small_a),
        (side.offset(-22.0, 92.0), 6.5, MINT),
        (side.offset(-130.0, 48.0), 5.0, GOLD),
        (side.offset(12.0, -52.0), 5.5, small_b),
        (side.offset(96.0, 44.0), 4.5, GOLD),
    ];
    for (offset, radius, colour) in dots {
        let centre = cheek + offset;
        let bounds = canvas.around(centre, radius + 6.0);
        canvas.fill(bounds, hex(WHITE, 0.95), |p| {
            (p - centre).length() - radius - 2.5
        });
        canvas.fill(bounds, hex(colour, 1.0), |p| (p - centre).length() - radius);
    }
}

/// A five-pointed star with a white rim and a highlight.
fn star(canvas: &mut Canvas, centre: V2, radius: f32, colour: Rgba, turn: f32) {
    let body = star_outline(centre, radius, radius * 0.48, 5, turn);
    let bounds = canvas.around(centre, radius + 8.0);
    // The rim: the same star grown by 4 pixels (rounded where it grows).
    canvas.fill(bounds, hex(WHITE, 0.95), |p| {
        polygon_distance(p, &body) - 4.0
    });
    let light = centre + v2(-0.2, -0.25) * radius;
    canvas.paint(bounds, |p| {
        let inside = coverage(polygon_distance(p, &body));
        let shine = 1.0 - smoothstep(0.0, 0.55 * radius, (p - light).length());
        let [r, g, b, a] = mix(colour, hex(WHITE, 1.0), 0.45 * shine);
        [r, g, b, a * inside]
    });
}

/// Dots down the nose ridge, from violet between the brows to gold above the tip.
fn nose_dots(canvas: &mut Canvas, face: &FaceLayout) {
    let dots = [
        (168, 9.0, VIOLET),
        (6, 8.0, 0x3b9bff),
        (197, 7.0, MINT),
        (195, 6.0, GOLD),
    ];
    for (index, radius, colour) in dots {
        let centre = face.at(index);
        let bounds = canvas.around(centre, radius + 6.0);
        canvas.fill(bounds, hex(WHITE, 0.95), |p| {
            (p - centre).length() - radius - 2.5
        });
        canvas.fill(bounds, hex(colour, 1.0), |p| (p - centre).length() - radius);
    }
}

/// A small heart on the chin, pink with a white rim.
fn chin_heart(canvas: &mut Canvas, face: &FaceLayout) {
    let centre = face.at(199) + v2(0.0, -4.0);
    let size = 1.9;
    let outline: Vec<V2> = (0..120)
        .map(|index| {
            let t = index as f32 / 120.0 * std::f32::consts::TAU;
            let x = 16.0 * t.sin().powi(3);
            let y =
                13.0 * t.cos() - 5.0 * (2.0 * t).cos() - 2.0 * (3.0 * t).cos() - (4.0 * t).cos();
            centre + v2(x, -y - 2.5) * size
        })
        .collect();
    let bounds = canvas.around(centre, 40.0);
    canvas.fill(bounds, hex(WHITE, 0.95), |p| {
        polygon_distance(p, &outline) - 4.0
    });
    canvas.fill(bounds, hex(PINK, 1.0), |p| polygon_distance(p, &outline));
}

/// Clears the eyes and lips with a soft margin, and fades everything towards the face
/// outline.
fn clear_openings_and_fade_edges(canvas: &mut Canvas, face: &FaceLayout) {
    let oval = face.outline(&FACE_OVAL);
    let eyes = [face.outline(&RIGHT_EYE), face.outline(&LEFT_EYE)];
    let lips = face.outline(&LIPS_OUTER);
    canvas.mask(|p| {
        let inside_face = -polygon_distance(p, &oval);
        let eye_distance = eyes
            .iter()
            .map(|eye| polygon_distance(p, eye))
            .fold(f32::INFINITY, f32::min);
        smoothstep(4.0, 60.0, inside_face)
            * smoothstep(14.0, 30.0, eye_distance)
            * smoothstep(8.0, 22.0, polygon_distance(p, &lips))
    });
}

/// A low-discrepancy sequence in 3-D (Halton, bases 2, 3 and 5): evenly spread points, the
/// same on every run.
#[derive(Default)]
struct Halton {
    index: u32,
}

impl Halton {
    fn next(&mut self) -> (f32, f32, f32) {
        self.index += 1;
        let radical = |base: u32| {
            let (mut n, mut result, mut fraction) = (self.index, 0.0f32, 1.0f32);
            while n > 0 {
                fraction /= base as f32;
                result += fraction * (n % base) as f32;
                n /= base;
            }
            result
        };
        (radical(2), radical(3), radical(5))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paint_leaves_eyes_and_lips_clear_and_fades_out_at_the_outline() {
        let Some(face) = crate::art::canonical_face_for_tests(
            "the_paint_leaves_eyes_and_lips_clear_and_fades_out_at_the_outline",
        ) else {
            return;
        };
        let layout = FaceLayout::new(&face, SIDE).unwrap();
        let image = draw(&layout).to_rgba8();
        let keep_out = [
            layout.outline(&RIGHT_EYE),
            layout.outline(&LEFT_EYE),
            layout.outline(&LIPS_OUTER),
        ];
        let oval = layout.outline(&FACE_OVAL);
        let mut painted = 0;
        for (x, y, pixel) in image.enumerate_pixels() {
            let p = v2(x as f32 + 0.5, y as f32 + 0.5);
            let alpha = pixel.0[3];
            if keep_out
                .iter()
                .any(|outline| polygon_distance(p, outline) < 8.0)
            {
                assert_eq!(
                    alpha, 0,
                    "paint at ({x}, {y}), in or next to an eye or the lips"
                );
            }
            if polygon_distance(p, &oval) > -6.0 {
                assert_eq!(
                    alpha, 0,
                    "paint at ({x}, {y}), on or outside the face outline"
                );
            }
            painted += usize::from(alpha > 200);
        }
        // Stars, rainbow and wash together cover a good part of the face.
        assert!(
            painted > 40_000,
            "only {painted} pixels are strongly painted"
        );
    }

    #[test]
    fn the_halton_sequence_starts_as_published() {
        let mut halton = Halton::default();
        assert_eq!(halton.next(), (0.5, 1.0 / 3.0, 0.2));
        assert_eq!(halton.next(), (0.25, 2.0 / 3.0, 0.4));
    }
}
