//! `effects/face-paint/stickers/sparkles.png`: the sticker shown while the face smiles, a
//! crown of four-pointed sparkles with soft glows and glinting dots over the head, on a
//! transparent background. The sparkles sit in an arc that opens downwards, so that with
//! the effect's anchor (landmark 10, 0.45 face widths up, 1.1 face widths wide) they ring
//! the top of the head.

use super::canvas::{
    Canvas, Rgba, V2, hex, mix, polygon_distance, smoothstep, sparkle_outline, v2,
};

/// Side of the sticker in pixels.
pub const SIDE: u32 = 512;

/// One sparkle: centre, radius of its points, tint, turn in radians.
struct Sparkle {
    centre: V2,
    radius: f32,
    tint: u32,
    turn: f32,
}

const fn sparkle(x: f32, y: f32, radius: f32, tint: u32, turn: f32) -> Sparkle {
    Sparkle {
        centre: v2(x, y),
        radius,
        tint,
        turn,
    }
}

const GOLD: u32 = 0xffd54a;
const PINK: u32 = 0xff6ec7;
const CYAN: u32 = 0x5ee7ff;
const LILAC: u32 = 0xb99cff;
const MINT: u32 = 0x7dffb0;

/// The sparkles, biggest in the middle of the arc, drawn back to front.
const SPARKLES: [Sparkle; 11] = [
    sparkle(40.0, 352.0, 26.0, LILAC, 0.15),
    sparkle(472.0, 350.0, 28.0, MINT, -0.1),
    sparkle(72.0, 250.0, 38.0, CYAN, -0.12),
    sparkle(442.0, 244.0, 40.0, PINK, 0.1),
    sparkle(150.0, 168.0, 30.0, MINT, 0.2),
    sparkle(364.0, 160.0, 32.0, LILAC, -0.2),
    sparkle(136.0, 300.0, 58.0, PINK, 0.08),
    sparkle(378.0, 292.0, 62.0, CYAN, -0.08),
    sparkle(206.0, 96.0, 22.0, PINK, 0.0),
    sparkle(316.0, 88.0, 24.0, CYAN, 0.3),
    sparkle(256.0, 214.0, 100.0, GOLD, 0.0),
];

/// A small deterministic generator (SplitMix64), so the glints land in the same places on
/// every run and platform.
struct SplitMix(u64);

impl SplitMix {
    fn next_unit(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Draws the sticker.
pub fn draw() -> Canvas {
    let mut canvas = Canvas::new(SIDE, SIDE);

    // Glints: small soft dots scattered along the arc the sparkles follow.
    let mut random = SplitMix(0x5eed_1e75);
    let tints = [GOLD, PINK, CYAN, LILAC, MINT, 0xffffff];
    let arc_centre = v2(256.0, 420.0);
    for index in 0..46 {
        let angle = (random.next_unit() - 0.5) * 2.6;
        let distance = 150.0 + random.next_unit() * 200.0;
        let centre = arc_centre + v2(angle.sin(), -angle.cos()) * distance;
        let radius = 2.5 + random.next_unit() * 5.0;
        let tint = tints[index % tints.len()];
        glow(&mut canvas, centre, radius * 2.6, hex(tint, 0.35));
        let bounds = canvas.around(centre, radius + 2.0);
        canvas.fill(bounds, mix(hex(tint, 1.0), hex(0xffffff, 1.0), 0.45), |p| {
            (p - centre).length() - radius
        });
    }

    for sparkle in &SPARKLES {
        draw_sparkle(&mut canvas, sparkle);
    }

    // Keep the edges clear whatever the shapes do: fade the last 12 pixels to nothing.
    let side = SIDE as f32;
    canvas.mask(|p| {
        let edge = p.x.min(p.y).min(side - p.x).min(side - p.y);
        smoothstep(0.0, 12.0, edge)
    });
    canvas
}

/// A soft round glow, strongest at its centre and gone by `radius`.
fn glow(canvas: &mut Canvas, centre: V2, radius: f32, colour: Rgba) {
    let bounds = canvas.around(centre, radius);
    canvas.paint(bounds, |p| {
        let t = ((p - centre).length() / radius).min(1.0);
        let [r, g, b, a] = colour;
        [r, g, b, a * (1.0 - t) * (1.0 - t)]
    });
}

/// One sparkle: a glow, a slim diagonal twinkle behind, and the four-pointed body, white
/// at its heart and tinted towards its points.
fn draw_sparkle(canvas: &mut Canvas, sparkle: &Sparkle) {
    let Sparkle {
        centre,
        radius,
        tint,
        turn,
    } = *sparkle;
    glow(canvas, centre, radius * 1.25, hex(tint, 0.55));
    glow(canvas, centre, radius * 0.45, hex(0xffffff, 0.6));

    let twinkle = sparkle_outline(
        centre,
        radius * 0.55,
        0.45,
        turn + std::f32::consts::FRAC_PI_4,
    );
    let bounds = canvas.around(centre, radius * 0.6);
    canvas.fill(bounds, mix(hex(tint, 0.9), hex(0xffffff, 0.9), 0.3), |p| {
        polygon_distance(p, &twinkle)
    });

    let body = sparkle_outline(centre, radius, 0.55, turn);
    let bounds = canvas.around(centre, radius + 2.0);
    let colour = hex(tint, 1.0);
    canvas.paint(bounds, |p| {
        let inside = super::canvas::coverage(polygon_distance(p, &body));
        let t = smoothstep(0.05, 0.75, (p - centre).length() / radius);
        let [r, g, b, _] = mix(hex(0xffffff, 1.0), colour, t);
        [r, g, b, inside]
    });
}
