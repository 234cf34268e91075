//! `effects/risen-zombie/stickers/roar.png`: the sticker shown while the zombie roars, a
//! comic-book shout: a jagged blood-red burst with a long spike pointing down and left (at
//! the mouth, as the effect places it to the face's right), a yellow burst inside it, and
//! "ROAR!" in heavy slanted toxic-green letters with a black outline, a dark extruded
//! shadow and slime dripping off them; a few drops of spit fly off the spike. The letters
//! are stroked from polylines defined here (no font files).

use super::canvas::{
    Canvas, V2, coverage, hex, mix, polygon_distance, segment_distance, smoothstep, v2,
};
use super::noise::Random;

/// Width of the sticker in pixels.
pub const WIDTH: u32 = 640;
/// Height of the sticker in pixels.
pub const HEIGHT: u32 = 448;

const BLOOD: u32 = 0xc4121c;
const BLOOD_DARK: u32 = 0x7a0610;
const YELLOW: u32 = 0xffe45c;
const YELLOW_DEEP: u32 = 0xffb21f;
const SLIME: u32 = 0xb8ff4a;
const SLIME_DEEP: u32 = 0x4fa81a;
const EXTRUDE: u32 = 0x1e3a0a;
const INK: u32 = 0x0e0a0a;

/// Where the burst is centred.
const CENTRE: V2 = v2(350.0, 222.0);
/// The direction the spike points: down and to the left.
const SPIKE_ANGLE: f32 = 2.62;

/// Draws the sticker.
pub fn draw() -> Canvas {
    let mut canvas = Canvas::new(WIDTH, HEIGHT);
    let bounds = canvas.all();

    let outer = burst(&mut Random::new(0x00b1_00d5), v2(262.0, 162.0), 22, true);
    let inner = burst(&mut Random::new(0x5e11), v2(214.0, 122.0), 16, false);
    // A soft drop shadow, then the outer burst with a thick ink outline.
    canvas.paint(bounds, |p| {
        let d = polygon_distance(p - v2(8.0, 10.0), &outer);
        [0.0, 0.0, 0.0, 0.35 * smoothstep(8.0, -6.0, d)]
    });
    canvas.fill(bounds, hex(INK, 1.0), |p| polygon_distance(p, &outer) - 7.0);
    canvas.paint(bounds, |p| {
        let inside = coverage(polygon_distance(p, &outer));
        // Darker towards the tips, so the burst bulges.
        let t = smoothstep(120.0, 300.0, (p - CENTRE).length());
        let [r, g, b, _] = mix(hex(BLOOD, 1.0), hex(BLOOD_DARK, 1.0), t);
        [r, g, b, inside]
    });
    canvas.fill(bounds, hex(INK, 1.0), |p| polygon_distance(p, &inner) - 4.0);
    canvas.paint(bounds, |p| {
        let inside = coverage(polygon_distance(p, &inner));
        let t = smoothstep(40.0, 230.0, (p - (CENTRE - v2(30.0, 40.0))).length());
        let [r, g, b, _] = mix(hex(YELLOW, 1.0), hex(YELLOW_DEEP, 1.0), t);
        [r, g, b, inside]
    });

    spit(&mut canvas, &outer);
    lettering(&mut canvas);

    // Keep the edges clear whatever the shapes do: fade the last 6 pixels to nothing.
    let (width, height) = (WIDTH as f32, HEIGHT as f32);
    canvas.mask(|p| smoothstep(0.0, 6.0, p.x.min(p.y).min(width - p.x).min(height - p.y)));
    canvas
}

/// A jagged burst around [`CENTRE`]: `spikes` tips on an ellipse of half-axes `radii`,
/// each pushed in or out at random, with notches between; with `spike`, the tip nearest
/// [`SPIKE_ANGLE`] reaches far out as a pointer and its notches close in around it.
fn burst(random: &mut Random, radii: V2, spikes: usize, spike: bool) -> Vec<V2> {
    let ellipse = |angle: f32| v2(angle.cos() * radii.x, angle.sin() * radii.y);
    let step = std::f32::consts::TAU / spikes as f32;
    let pointer = (SPIKE_ANGLE / step).round() as usize % spikes;
    let mut points = Vec::with_capacity(spikes * 2);
    for index in 0..spikes {
        let angle = index as f32 * step + random.range(-0.12, 0.12) * step;
        let is_pointer = spike && index == pointer;
        let tip = if is_pointer {
            let direction = v2(SPIKE_ANGLE.cos(), SPIKE_ANGLE.sin());
            CENTRE + direction * 330.0
        } else {
            CENTRE + ellipse(angle) * random.range(0.9, 1.1)
        };
        points.push(tip);
        let notch_angle = (index as f32 + 0.5) * step;
        let next_is_pointer = spike && (index + 1) % spikes == pointer;
        let depth = if is_pointer || next_is_pointer {
            0.62
        } else {
            random.range(0.72, 0.8)
        };
        points.push(CENTRE + ellipse(notch_angle) * depth);
    }
    points
}

/// Drops of spit flying off the spike: slime-green beads with ink rims, outside the burst.
fn spit(canvas: &mut Canvas, burst: &[V2]) {
    let drops = [
        (v2(44.0, 300.0), 9.0),
        (v2(26.0, 350.0), 6.0),
        (v2(92.0, 404.0), 11.0),
        (v2(140.0, 430.0), 6.5),
        (v2(20.0, 262.0), 5.0),
        (v2(60.0, 428.0), 4.5),
    ];
    for (centre, radius) in drops {
        if polygon_distance(centre, burst) < radius + 8.0 {
            continue;
        }
        let bounds = canvas.around(centre, radius + 6.0);
        canvas.fill(bounds, hex(INK, 1.0), |p| {
            (p - centre).length() - radius - 3.0
        });
        canvas.fill(bounds, hex(SLIME, 1.0), |p| (p - centre).length() - radius);
        let glint = centre + v2(-0.35, -0.35) * radius;
        canvas.fill(bounds, hex(0xffffff, 0.9), |p| {
            (p - glint).length() - radius * 0.3
        });
    }
}

/// A glyph's strokes: polylines in a box 1.4 units tall (y down), and its width.
fn glyph(character: char) -> (Vec<Vec<V2>>, f32) {
    match character {
        'R' => (
            vec![
                vec![
                    v2(0.0, 1.4),
                    v2(0.0, 0.0),
                    v2(0.46, 0.0),
                    v2(0.7, 0.1),
                    v2(0.8, 0.34),
                ],
                vec![v2(0.8, 0.34), v2(0.72, 0.6), v2(0.46, 0.7), v2(0.0, 0.7)],
                vec![v2(0.36, 0.7), v2(0.84, 1.4)],
            ],
            0.84,
        ),
        'O' => {
            let ring = (0..=32)
                .map(|index| {
                    let t = index as f32 / 32.0 * std::f32::consts::TAU;
                    v2(0.44 + 0.44 * t.sin(), 0.7 - 0.7 * t.cos())
                })
                .collect();
            (vec![ring], 0.88)
        }
        'A' => (
            vec![
                vec![v2(0.0, 1.4), v2(0.44, 0.0), v2(0.88, 1.4)],
                vec![v2(0.2, 0.92), v2(0.68, 0.92)],
            ],
            0.88,
        ),
        '!' => (
            vec![
                vec![v2(0.0, 0.0), v2(0.0, 0.92)],
                vec![v2(0.0, 1.36), v2(0.0, 1.36)],
            ],
            0.0,
        ),
        _ => (Vec::new(), 0.5),
    }
}

/// "ROAR!" as stroke segments (start, end, half width) in sticker pixels: heavy, slanted,
/// turned a little anticlockwise, each letter bounced and sized on its own, with slime
/// drips hanging off three of them.
fn lettering_strokes() -> Vec<(V2, V2, f32)> {
    const TEXT: &str = "ROAR!";
    let unit = 76.0; // pixels per glyph unit: letters 106 px tall
    let half_width = 0.17 * unit;
    let gap = 0.5;
    let slant = 0.22;
    let turn = -0.11_f32;
    let bounce = [
        (-6.0, 1.0),
        (8.0, 0.94),
        (-12.0, 1.06),
        (4.0, 0.98),
        (-4.0, 1.1),
    ];
    let glyphs: Vec<_> = TEXT.chars().map(glyph).collect();
    let total: f32 = glyphs.iter().map(|(_, width)| width + gap).sum::<f32>() - gap;
    let origin = CENTRE - v2(total * unit / 2.0 + 4.0, 0.7 * unit + 6.0);
    let mut segments = Vec::new();
    let mut x = 0.0;
    for ((strokes, width), (lift, size)) in glyphs.iter().zip(bounce) {
        let place = |q: V2| {
            let local = v2(
                x + (q.x + slant * (1.4 - q.y)) * size,
                0.7 + (q.y - 0.7) * size,
            );
            let p = origin + local * unit + v2(0.0, lift);
            CENTRE + (p - CENTRE).rotated(turn)
        };
        for stroke in strokes {
            for pair in stroke.windows(2) {
                segments.push((place(pair[0]), place(pair[1]), half_width * size));
            }
        }
        x += width + gap;
    }
    // Slime running off the bottoms of the first R, the A and the last R.
    let drips = [(0, 0.02, 0.55), (2, 0.8, 0.75), (3, 0.8, 0.4)];
    let mut x = 0.0;
    let starts: Vec<f32> = glyphs
        .iter()
        .map(|(_, width)| {
            let start = x;
            x += width + gap;
            start
        })
        .collect();
    for (letter, along, length) in drips {
        let (lift, size) = bounce[letter];
        let foot = origin
            + v2(
                (starts[letter] + along * size) * unit,
                (0.7 + 0.7 * size) * unit + lift,
            );
        let foot = CENTRE + (foot - CENTRE).rotated(turn);
        let end = foot + v2(0.0, length * unit);
        segments.push((foot, end, half_width * 0.45));
        segments.push((end, end, half_width * 0.62));
    }
    segments
}

/// Draws the lettering: a dark extruded shadow down and right, an ink outline, and a
/// slime-green fill lit along its upper-left edges.
fn lettering(canvas: &mut Canvas) {
    let segments = lettering_strokes();
    // The distance to the letters, kept per pixel so the extrusion can look it up shifted.
    let (width, height) = (WIDTH as usize, HEIGHT as usize);
    let mut field = vec![f32::INFINITY; width * height];
    for y in 0..height {
        for x in 0..width {
            let p = v2(x as f32 + 0.5, y as f32 + 0.5);
            field[y * width + x] = segments
                .iter()
                .map(|&(a, b, half)| segment_distance(p, a, b) - half)
                .fold(f32::INFINITY, f32::min);
        }
    }
    let at = |p: V2| {
        let (x, y) = (p.x.floor(), p.y.floor());
        if x < 0.0 || y < 0.0 || x >= WIDTH as f32 || y >= HEIGHT as f32 {
            return f32::INFINITY;
        }
        field[y as usize * width + x as usize]
    };
    let bounds = canvas.all();
    let outline = 7.0;
    canvas.paint(bounds, |p| {
        let extruded = (1..=12)
            .map(|step| at(p - v2(0.9, 1.1) * step as f32))
            .fold(f32::INFINITY, f32::min);
        [0.0, 0.0, 0.0, coverage(extruded - outline)]
    });
    canvas.paint(bounds, |p| {
        let extruded = (1..=10)
            .map(|step| at(p - v2(0.9, 1.1) * step as f32))
            .fold(f32::INFINITY, f32::min);
        let [r, g, b, _] = hex(EXTRUDE, 1.0);
        [r, g, b, coverage(extruded - outline + 3.0)]
    });
    canvas.fill(bounds, hex(INK, 1.0), |p| at(p) - outline);
    let top = CENTRE.y - 70.0;
    canvas.paint(bounds, |p| {
        let inside = coverage(at(p));
        let t = smoothstep(top, top + 150.0, p.y);
        let colour = mix(hex(SLIME, 1.0), hex(SLIME_DEEP, 1.0), t);
        let lit = 1.0 - coverage(at(p - v2(5.0, 6.0)));
        let [r, g, b, _] = mix(colour, hex(0xf4ffd8, 1.0), 0.75 * lit);
        [r, g, b, inside]
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sticker_is_opaque_in_the_middle_and_clear_at_its_edges() {
        let image = draw().to_rgba8();
        for (x, y, pixel) in image.enumerate_pixels() {
            if x == 0 || y == 0 || x == WIDTH - 1 || y == HEIGHT - 1 {
                assert_eq!(pixel.0[3], 0, "({x}, {y}) is not clear");
            }
        }
        let middle = image.get_pixel(CENTRE.x as u32, CENTRE.y as u32).0;
        assert_eq!(middle[3], 255);
        // The letters' fill is green; the burst around them is red and yellow.
        let letters = lettering_strokes();
        let (a, b, _) = letters[0];
        let on_stroke = a.lerp(b, 0.5);
        let [r, g, _, alpha] = image.get_pixel(on_stroke.x as u32, on_stroke.y as u32).0;
        assert!(
            alpha == 255 && g > r,
            "the first R's stem is {r}, {g} at {on_stroke:?}"
        );
    }
}
