//! Branching lines for the zombie's skin: a distance field that draws many segments as one
//! soft-edged stroke, a growth rule that makes meandering, forking lines, and the veins and
//! cracks grown with it.

use super::super::canvas::{Canvas, V2, coverage, hex, segment_distance, smoothstep, v2};
use super::super::face::FaceLayout;
use super::super::noise::{Random, fbm};
use super::SIDE;

/// A soft-edged stroke layer: the distance from each pixel to the nearest of many
/// segments, kept as a field so that overlapping segments draw as one line (no beads at
/// the joints).
pub(super) struct StrokeField {
    distance: Vec<f32>,
}

/// How far from a stroke the field is kept, in pixels.
const FIELD_REACH: f32 = 24.0;

impl StrokeField {
    /// The field of `segments` (start, end, half width).
    pub(super) fn new(segments: &[(V2, V2, f32)]) -> Self {
        let side = SIDE as usize;
        let mut distance = vec![f32::INFINITY; side * side];
        for &(a, b, half_width) in segments {
            let reach = FIELD_REACH + half_width;
            let low = v2(a.x.min(b.x), a.y.min(b.y)) - v2(reach, reach);
            let high = v2(a.x.max(b.x), a.y.max(b.y)) + v2(reach, reach);
            let clip = |value: f32| (value.max(0.0) as usize).min(side);
            for y in clip(low.y)..clip(high.y + 1.0) {
                for x in clip(low.x)..clip(high.x + 1.0) {
                    let p = v2(x as f32 + 0.5, y as f32 + 0.5);
                    let d = segment_distance(p, a, b) - half_width;
                    let cell = &mut distance[y * side + x];
                    *cell = cell.min(d);
                }
            }
        }
        Self { distance }
    }

    /// Signed distance to the nearest stroke at `p` (infinite beyond the reach).
    pub(super) fn at(&self, p: V2) -> f32 {
        let side = SIDE as usize;
        let (x, y) = ((p.x as usize).min(side - 1), (p.y as usize).min(side - 1));
        self.distance[y * side + x]
    }
}

/// Draws `segments` in `colour`: an anti-aliased core over a diffuse halo reaching `halo`
/// pixels out (at most [`FIELD_REACH`]): the line seen through the skin above it.
pub(super) fn branching_lines(
    canvas: &mut Canvas,
    segments: &[(V2, V2, f32)],
    colour: u32,
    halo: f32,
) {
    let field = StrokeField::new(segments);
    let bounds = canvas.all();
    let [r, g, b, _] = hex(colour, 1.0);
    canvas.paint(bounds, |p| {
        let d = field.at(p);
        if !d.is_finite() {
            return [0.0; 4];
        }
        // Deeper in places, as if the line dipped under the skin.
        let depth = 0.55 + 0.45 * smoothstep(0.3, 0.6, fbm(p, 60.0, 2, 43));
        let core = coverage(d);
        let spread = 0.45 * smoothstep(halo, 0.0, d);
        [r, g, b, core.max(spread) * 0.9 * depth]
    });
}

/// How a branching line grows: step length in pixels, the most its bend may change per
/// step and the most it may turn besides (radians), and the chance of a side branch per
/// step.
#[derive(Clone, Copy)]
struct Growth {
    step: f32,
    bend: f32,
    jitter: f32,
    branching: f32,
}

/// Grows a branching line from `start` heading at `angle` (radians, y down): `steps`
/// steps, its bend drifting (so it meanders instead of zigzagging), its width tapering to
/// a third; side branches split off `depth` levels deep.
#[allow(clippy::too_many_arguments)] // a growth rule's knobs, all used together
fn grow(
    segments: &mut Vec<(V2, V2, f32)>,
    random: &mut Random,
    start: V2,
    angle: f32,
    half_width: f32,
    steps: u32,
    growth: Growth,
    depth: u32,
) {
    let (mut p, mut angle, mut bend) = (start, angle, 0.0_f32);
    for index in 0..steps {
        let width = half_width * (1.0 - 0.67 * index as f32 / steps as f32);
        bend = (bend + random.range(-growth.bend, growth.bend)).clamp(-0.2, 0.2);
        angle += bend + random.range(-growth.jitter, growth.jitter);
        let next = p + v2(angle.cos(), angle.sin()) * (growth.step * random.range(0.7, 1.3));
        segments.push((p, next, width));
        if depth > 0 && random.unit() < growth.branching {
            let turn = random.range(0.45, 0.95) * if random.unit() < 0.5 { -1.0 } else { 1.0 };
            let rest = ((steps - index) as f32 * random.range(0.4, 0.7)) as u32;
            grow(
                segments,
                random,
                next,
                angle + turn,
                width * 0.75,
                rest.max(2),
                growth,
                depth - 1,
            );
        }
        p = next;
    }
}

/// Mirrors an angle drawn for the image's left half onto its right half.
fn mirrored(angle: f32, right: bool) -> f32 {
    if right {
        std::f32::consts::PI - angle
    } else {
        angle
    }
}

/// Veins fanning in from each temple and up from each side of the jaw, and one down the
/// forehead; each side grows from its own seed, so the two are not mirror images.
pub(super) fn veins(face: &FaceLayout) -> Vec<(V2, V2, f32)> {
    let mut segments = Vec::new();
    let growth = Growth {
        step: 13.0,
        bend: 0.08,
        jitter: 0.12,
        branching: 0.16,
    };
    for (right, temple, jaw, seed) in [(false, 127, 172, 101), (true, 356, 397, 202)] {
        let mut random = Random::new(seed);
        let inward = if right { -1.0 } else { 1.0 };
        let temple = face.at(temple);
        let jaw = face.at(jaw);
        let sources = [
            (
                temple + v2(inward * 40.0, -50.0),
                mirrored(-0.6, right),
                6.0,
                16,
            ),
            (
                temple + v2(inward * 46.0, 6.0),
                mirrored(-0.1, right),
                5.0,
                9,
            ),
            (
                jaw + v2(inward * 34.0, -22.0),
                mirrored(-1.2, right),
                6.0,
                16,
            ),
            (jaw + v2(inward * 70.0, 8.0), mirrored(-0.45, right), 4.5, 9),
        ];
        for (start, angle, width, steps) in sources {
            grow(
                &mut segments,
                &mut random,
                start,
                angle,
                width,
                steps,
                growth,
                2,
            );
        }
    }
    let mut random = Random::new(303);
    let hairline = face.at(10) + v2(-70.0, 40.0);
    grow(
        &mut segments,
        &mut random,
        hairline,
        1.75,
        5.0,
        10,
        growth,
        2,
    );
    segments
}

/// Jagged cracks in the dried skin: down from the hairline on the subject's left, up from
/// the chin on their right, and out from the left cheekbone.
pub(super) fn cracks(face: &FaceLayout) -> Vec<(V2, V2, f32)> {
    let mut segments = Vec::new();
    let growth = Growth {
        step: 11.0,
        bend: 0.0,
        jitter: 0.6,
        branching: 0.3,
    };
    let mut random = Random::new(404);
    let sources = [
        (face.at(10) + v2(95.0, 40.0), 1.95, 4.0, 13),
        (face.at(152) + v2(-70.0, -50.0), -2.1, 3.6, 9),
        (face.at(280).lerp(face.at(454), 0.45), 0.35, 3.4, 7),
    ];
    for (start, angle, width, steps) in sources {
        grow(
            &mut segments,
            &mut random,
            start,
            angle,
            width,
            steps,
            growth,
            2,
        );
    }
    segments
}
