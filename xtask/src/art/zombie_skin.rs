//! `effects/risen-zombie/textures/zombie_skin.png`: a zombie's skin in the canonical mesh's
//! UV space (1024² RGBA), made to be laid on the face with the `multiply` blend, eyes and
//! mouth included. It is mostly a pale grey-green, so the real face's shading shows
//! through, darkened where the flesh has died: mottled mould, bruises and spots of decay,
//! hollow cheeks and temples, veins branching in from the temples and jaw, cracks in the
//! dried skin ([`strokes`]), deep purple-black sockets that follow each eye's outline
//! around yellowed, bloodshot eyes, grey-violet lips over stained teeth, a stitched wound
//! from the mouth corner towards the ear, and blood running from the lower lip. It fades
//! out over the last 45 px inside the face outline. Every feature is placed by landmarks,
//! so it lines up on any face.

use super::canvas::{
    Canvas, V2, coverage, hex, mix, polygon_distance, segment_distance, smooth_closed, smoothstep,
    v2,
};
use super::face::{FACE_OVAL, FaceLayout, LEFT_EYE, LIPS_INNER, LIPS_OUTER, RIGHT_EYE};
use super::noise::{Random, fbm};

mod strokes;

use strokes::StrokeField;

/// Side of the texture in pixels.
pub const SIDE: u32 = 1024;

// Multiply colours: white keeps the face as it is, black blackens it.
const SKIN: u32 = 0xeeefe8;
const MOULD: u32 = 0xb6b89c;
const BRUISE: u32 = 0xb8a2bc;
const LESION: u32 = 0x7a6656;
const HOLLOW: u32 = 0x6e5e80;
const SOCKET: u32 = 0x54465a;
const SOCKET_DEEP: u32 = 0x160a14;
const EYE: u32 = 0xf4e8b4;
const EYE_RIM: u32 = 0xd88c80;
const VEIN: u32 = 0x4a3a66;
const CRACK: u32 = 0x3a1a1a;
const WOUND: u32 = 0x6a1426;
const SWELLING: u32 = 0xc48a96;
const THREAD: u32 = 0x181010;
const LIPS: u32 = 0x86709a;
const TEETH: u32 = 0xb89c72;
const BLOOD: u32 = 0x6e060c;
const BLOOD_DARK: u32 = 0x3c0206;
const SMEAR: u32 = 0x7e2c2a;

/// Draws the skin.
pub fn draw(face: &FaceLayout) -> Canvas {
    let mut canvas = Canvas::new(SIDE, SIDE);
    mottled_skin(&mut canvas, face);
    gaunt_shadows(&mut canvas, face);
    strokes::branching_lines(&mut canvas, &strokes::veins(face), VEIN, 20.0);
    strokes::branching_lines(&mut canvas, &strokes::cracks(face), CRACK, 8.0);
    for (eye, inner_corner) in [(&RIGHT_EYE[..], 133), (&LEFT_EYE[..], 362)] {
        eye_socket(&mut canvas, &face.outline(eye), face.at(inner_corner));
    }
    lips(&mut canvas, face);
    stitched_wound(&mut canvas, face);
    blood(&mut canvas, face);
    fade_out(&mut canvas, face);
    canvas
}

/// The base: pale grey skin clouded with grey-olive mould and purple bruising (two fields
/// of fractal noise), dark spots of decay where a third peaks, over a fine grain.
fn mottled_skin(canvas: &mut Canvas, face: &FaceLayout) {
    let bounds = canvas.around_points(&face.outline(&FACE_OVAL), 4.0);
    canvas.paint(bounds, |p| {
        let mould = smoothstep(0.35, 0.75, fbm(p, 130.0, 5, 11));
        let bruise = smoothstep(0.55, 0.78, fbm(p, 95.0, 5, 23));
        let lesion = smoothstep(0.66, 0.85, fbm(p, 40.0, 4, 91));
        let grain = 1.0 + 0.1 * (fbm(p, 5.0, 2, 37) - 0.5);
        let colour = mix(hex(SKIN, 1.0), hex(MOULD, 1.0), 0.9 * mould);
        let colour = mix(colour, hex(BRUISE, 1.0), 0.8 * bruise);
        let [r, g, b, _] = mix(colour, hex(LESION, 1.0), 0.75 * lesion);
        [r * grain, g * grain, b * grain, 1.0]
    });
}

/// Grey-purple shadows where a face without flesh sinks: under each cheekbone (from in
/// front of the ear down towards the mouth corner), at each temple, and along each
/// nose-to-mouth fold.
fn gaunt_shadows(canvas: &mut Canvas, face: &FaceLayout) {
    // (start, end, radius, strength)
    let mut shadows = Vec::new();
    for (ear, corner, temple, brow, wing) in [(234, 61, 127, 70, 98), (454, 291, 356, 300, 327)] {
        let (ear, corner) = (face.at(ear), face.at(corner));
        shadows.push((
            ear.lerp(corner, 0.2) + v2(0.0, 40.0),
            corner.lerp(ear, 0.25) + v2(0.0, -12.0),
            70.0,
            0.95,
        ));
        let temple = face.at(temple).lerp(face.at(brow), 0.45);
        shadows.push((temple, temple + v2(0.0, 40.0), 62.0, 0.8));
        let wing = face.at(wing);
        let fold_end = corner.lerp(wing, 0.1) + (corner - wing) * 0.15;
        shadows.push((wing, fold_end, 16.0, 0.55));
    }
    for (start, end, radius, strength) in shadows {
        let bounds = canvas.around_points(&[start, end], radius * 2.2);
        canvas.paint(bounds, |p| {
            let d = segment_distance(p, start, end) / radius;
            let patchy = 0.7 + 0.6 * fbm(p, 40.0, 3, 51);
            let [r, g, b, _] = hex(HOLLOW, 1.0);
            [r, g, b, (strength * (-d * d).exp() * patchy).min(0.95)]
        });
    }
}

/// A sunken socket around one eye: near black at the lids and deepest by the nose (the
/// `inner_corner`), dark purple out to the brow and down over the eye bag, with a ragged
/// edge. The socket is the eye's own outline grown (more upwards, to the brow, than
/// sideways), so it follows the eye's shape.
fn eye_socket(canvas: &mut Canvas, eye: &[V2], inner_corner: V2) {
    let centre = eye.iter().fold(v2(0.0, 0.0), |sum, &p| sum + p) * (1.0 / eye.len() as f32);
    let grown: Vec<V2> = eye
        .iter()
        .map(|&p| {
            let d = p - centre;
            let vertical = if d.y < 0.0 { 3.8 } else { 2.9 };
            centre + v2(d.x * 1.45, d.y * vertical) + v2(0.0, -8.0)
        })
        .collect();
    let socket = smooth_closed(&grown, 8);
    let bounds = canvas.around_points(&socket, 70.0);
    canvas.paint(bounds, |p| {
        let ragged = (fbm(p, 26.0, 3, 61) - 0.5) * 44.0;
        let outer = smoothstep(36.0, -30.0, polygon_distance(p, &socket) + ragged);
        let lid = smoothstep(60.0, 0.0, polygon_distance(p, eye));
        let by_nose = (-((p - inner_corner).length() / 55.0).powi(2)).exp();
        let deep = lid.powf(0.8).max(0.8 * by_nose * outer);
        let [r, g, b, _] = mix(hex(SOCKET, 1.0), hex(SOCKET_DEEP, 1.0), deep);
        [r, g, b, outer.max(lid)]
    });
    // The eye itself (the mask is laid over it, `eye_holes = false`): a sickly yellow,
    // bloodshot towards the lids.
    canvas.paint(bounds, |p| {
        let d = polygon_distance(p, eye);
        let [r, g, b, _] = mix(hex(EYE_RIM, 1.0), hex(EYE, 1.0), smoothstep(-1.0, -12.0, d));
        [r, g, b, coverage(d)]
    });
}

/// Grey-violet lips, blotchy, with dark cracks across them; between them (the mask is
/// laid over the mouth too, `mouth_hole = false`), a rotten yellow-brown that stains the
/// teeth when the mouth opens.
fn lips(canvas: &mut Canvas, face: &FaceLayout) {
    let outline = face.outline(&LIPS_OUTER);
    let opening = face.outline(&LIPS_INNER);
    let bounds = canvas.around_points(&outline, 12.0);
    canvas.paint(bounds, |p| {
        let inside = smoothstep(6.0, -6.0, polygon_distance(p, &outline));
        // Vertical cracks every 16 px, wavering.
        let across = ((p.x + 8.0 * fbm(p, 12.0, 2, 73)) / 16.0).fract();
        let crack = 0.45 * smoothstep(0.16, 0.04, (across - 0.5).abs());
        let shade = (0.85 + 0.3 * fbm(p, 14.0, 3, 71)) * (1.0 - crack);
        let [r, g, b, _] = hex(LIPS, 1.0);
        [r * shade, g * shade, b * shade, inside * 0.95]
    });
    // The canonical lips are all but closed, so the whole opening is sampled from a slit a
    // few pixels tall: grow it, so nothing of the lips bleeds onto the teeth.
    canvas.fill(bounds, hex(TEETH, 1.0), |p| {
        polygon_distance(p, &opening) - 4.0
    });
}

/// A wound cut from the subject's left mouth corner up towards the ear, swollen at its
/// edges and closed with cross stitches of black thread.
fn stitched_wound(canvas: &mut Canvas, face: &FaceLayout) {
    let start = face.at(291) + v2(16.0, -2.0);
    let end = face.at(454).lerp(face.at(291), 0.42) + v2(0.0, -40.0);
    let control = start.lerp(end, 0.5) + v2(16.0, 46.0);
    let curve: Vec<V2> = (0..=40)
        .map(|index| {
            let t = index as f32 / 40.0;
            start * ((1.0 - t) * (1.0 - t)) + control * (2.0 * t * (1.0 - t)) + end * (t * t)
        })
        .collect();
    let cut: Vec<(V2, V2, f32)> = curve
        .windows(2)
        .enumerate()
        .map(|(index, pair)| {
            // Widest in the middle, closing to a point at each end.
            let t = index as f32 / 40.0;
            (
                pair[0],
                pair[1],
                1.5 + 6.0 * (t * std::f32::consts::PI).sin(),
            )
        })
        .collect();
    let field = StrokeField::new(&cut);
    let bounds = canvas.around_points(&curve, 40.0);
    canvas.paint(bounds, |p| {
        let [r, g, b, _] = hex(SWELLING, 1.0);
        [r, g, b, 0.7 * smoothstep(22.0, 2.0, field.at(p))]
    });
    canvas.paint(bounds, |p| {
        let [r, g, b, _] = hex(WOUND, 1.0);
        [r, g, b, coverage(field.at(p))]
    });

    // Stitches every 30 px along the cut: a bar across it, slanted, with a hole at each end.
    let mut random = Random::new(505);
    let mut stitches = Vec::new();
    let mut travelled = 16.0;
    for pair in curve.windows(2) {
        let length = (pair[1] - pair[0]).length();
        while travelled < length {
            let centre = pair[0].lerp(pair[1], travelled / length);
            let along = (pair[1] - pair[0]) * (1.0 / length);
            let across = v2(-along.y, along.x).rotated(random.range(-0.25, 0.25));
            stitches.push((centre - across * 20.0, centre + across * 20.0));
            travelled += 30.0;
        }
        travelled -= length;
    }
    for (a, b) in stitches {
        let bounds = canvas.around_points(&[a, b], 10.0);
        for end in [a, b] {
            canvas.fill(bounds, hex(WOUND, 0.9), |p| (p - end).length() - 5.5);
        }
        canvas.fill(bounds, hex(THREAD, 1.0), |p| {
            segment_distance(p, a, b) - 3.8
        });
    }
}

/// Blood over the lower lip and smeared down from it, running down the chin in wavering
/// drips that end in drops, and one from the wounded mouth corner.
fn blood(canvas: &mut Canvas, face: &FaceLayout) {
    let (inner, outer) = (face.at(14), face.at(17));
    let bounds = canvas.around(outer, 150.0);
    canvas.paint(bounds, |p| {
        // 0 at the lips' parting, 1 about 90 px below it; 0 in the middle, 1 out to
        // either side; both with ragged ends.
        let down = (p.y - inner.y) / 90.0;
        let across = (p.x - inner.x - 8.0).abs() / 105.0;
        let ragged = fbm(p, 16.0, 4, 81) - 0.5;
        let amount = smoothstep(1.0, 0.55, across + 0.8 * ragged)
            * smoothstep(1.0, 0.25, down + 0.9 * ragged)
            * smoothstep(-0.02, 0.06, down);
        let [r, g, b, _] = hex(SMEAR, 1.0);
        [r, g, b, 0.8 * amount]
    });
    // (start landmark on the lips' outline, length, width, phase)
    let drips = [
        (84, 78.0, 8.0, 0.0),
        (17, 150.0, 10.0, 2.0),
        (314, 104.0, 7.5, 4.0),
        (291, 74.0, 7.0, 1.0),
    ];
    let mut segments = Vec::new();
    for (landmark, length, width, phase) in drips {
        // From halfway up the lip (the corner's own height at the corner).
        let top = face
            .at(landmark)
            .lerp(v2(face.at(landmark).x, inner.y), 0.5);
        let along = |t: f32| top + v2(3.0 * (t * 5.0 + phase).sin(), t * length);
        for index in 0..16 {
            let t = index as f32 / 16.0;
            // Thinning as it runs, bulging here and there.
            let half = width * (1.0 - 0.45 * t + 0.12 * (t * 11.0 + phase).sin());
            segments.push((along(t), along(t + 1.0 / 16.0), half));
        }
        let drop = along(1.0) + v2(0.0, width * 0.4);
        segments.push((drop, drop, width * 1.2));
    }
    let field = StrokeField::new(&segments);
    let bounds = canvas.around(outer + v2(0.0, 60.0), 170.0);
    canvas.paint(bounds, |p| {
        let d = field.at(p);
        let [r, g, b, _] = mix(
            hex(BLOOD, 1.0),
            hex(BLOOD_DARK, 1.0),
            smoothstep(-5.0, 0.0, d),
        );
        [r, g, b, 0.95 * coverage(d)]
    });
}

/// Fades everything out over the last 45 px inside the face outline, so the grade of the
/// effect's LUT carries the zombie colour to the edge without a seam.
fn fade_out(canvas: &mut Canvas, face: &FaceLayout) {
    let oval = face.outline(&FACE_OVAL);
    canvas.mask(|p| smoothstep(3.0, 45.0, -polygon_distance(p, &oval)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luma(pixel: [u8; 4]) -> f32 {
        (0.2126 * f32::from(pixel[0]) + 0.7152 * f32::from(pixel[1]) + 0.0722 * f32::from(pixel[2]))
            / 255.0
    }

    #[test]
    fn the_skin_is_light_with_dark_sockets_yellowed_eyes_and_clear_outside_the_face() {
        let test = "the_skin_is_light_with_dark_sockets_yellowed_eyes_and_clear_outside_the_face";
        let Some(face) = crate::art::canonical_face_for_tests(test) else {
            return;
        };
        let layout = FaceLayout::new(&face, SIDE).unwrap();
        let image = draw(&layout).to_rgba8();
        let oval = layout.outline(&FACE_OVAL);
        let eyes = [layout.outline(&RIGHT_EYE), layout.outline(&LEFT_EYE)];
        let mut lumas = Vec::new();
        let (mut socket, mut in_eye) = (Vec::new(), Vec::new());
        for (x, y, pixel) in image.enumerate_pixels() {
            let p = v2(x as f32 + 0.5, y as f32 + 0.5);
            if polygon_distance(p, &oval) > -2.0 {
                assert_eq!(
                    pixel.0[3], 0,
                    "skin at ({x}, {y}), on or outside the outline"
                );
                continue;
            }
            if pixel.0[3] == 255 {
                lumas.push(luma(pixel.0));
            }
            let to_eye = eyes
                .iter()
                .map(|eye| polygon_distance(p, eye))
                .fold(f32::INFINITY, f32::min);
            if (1.0..12.0).contains(&to_eye) {
                socket.push(luma(pixel.0));
            }
            if to_eye < -14.0 {
                in_eye.push(pixel.0);
            }
        }
        let mean = |values: &[f32]| values.iter().sum::<f32>() / values.len() as f32;
        // Mostly light, so multiplying keeps the face's own shading, and a quarter of it
        // lighter still (the skin between the patches of rot).
        lumas.sort_by(f32::total_cmp);
        let (median, upper) = (lumas[lumas.len() / 2], lumas[lumas.len() * 3 / 4]);
        assert!(median > 0.6, "the median skin luma is {median}");
        assert!(
            upper > 0.75,
            "the upper quartile of the skin's luma is {upper}"
        );
        // The ring of skin just around each eye is near black ...
        let socket = mean(&socket);
        assert!(socket < 0.25, "the sockets' luma is {socket}");
        // ... and the eyes inside it light (they must still be seen), tinted yellow.
        assert!(
            in_eye.len() > 1000,
            "only {} pixels inside the eyes",
            in_eye.len()
        );
        let eye = mean(&in_eye.iter().map(|&pixel| luma(pixel)).collect::<Vec<_>>());
        assert!(eye > 0.8, "the eyes' luma is {eye}");
        assert!(
            in_eye
                .iter()
                .all(|pixel| pixel[2] + 40 < pixel[0] && pixel[3] == 255)
        );
    }
}
