//! Triangle rasterisation by the mesh rules of [`crate::render::scene`]: corners snapped to
//! 1/256 pixel, clockwise triangles only, exact integer edge functions with the top-left
//! rule, one span per row, and `u`, `v`, `alpha` interpolated perspective-correctly.

use crate::render::MeshVertex;

/// Sub-pixel steps per pixel: corners snap to 1/256 pixel.
const SUBPIXEL: i64 = 256;

/// The pixels a draw may touch: columns `x0..x1` and rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    /// First column.
    pub(super) x0: usize,
    /// First row.
    pub(super) y0: usize,
    /// One past the last column.
    pub(super) x1: usize,
    /// One past the last row.
    pub(super) y1: usize,
}

impl Rect {
    /// Columns in the rectangle.
    pub(super) fn width(&self) -> usize {
        self.x1.saturating_sub(self.x0)
    }

    /// True when it holds no pixel.
    pub(super) fn is_empty(&self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }
}

/// The pixels whose centres may lie in a triangle with the given corners (any that are not
/// drawable are left out), clipped to `clip`.
pub(super) fn bounds(vertices: &[MeshVertex], clip: Rect) -> Rect {
    let (mut low, mut high) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for vertex in vertices.iter().filter(|vertex| vertex.is_drawable()) {
        low = [low[0].min(vertex.x), low[1].min(vertex.y)];
        high = [high[0].max(vertex.x), high[1].max(vertex.y)];
    }
    if low[0] > high[0] {
        return Rect {
            x0: clip.x0,
            y0: clip.y0,
            x1: clip.x0,
            y1: clip.y0,
        };
    }
    // A centre `i + 0.5` lies in [low, high] only for floor(low) ≤ i ≤ floor(high); one
    // pixel of slack on each side covers the snapping.
    let first = |value: f32, min: usize| ((value.floor() - 1.0).max(0.0) as usize).max(min);
    let end = |value: f32, max: usize| ((value.floor() + 2.0).max(0.0) as usize).min(max);
    Rect {
        x0: first(low[0], clip.x0),
        y0: first(low[1], clip.y0),
        x1: end(high[0], clip.x1),
        y1: end(high[1], clip.y1),
    }
}

/// One edge's function `E(p) = (p1 − p0) × (p − p0)`, positive inside a clockwise
/// triangle, at a triangle's first pixel, with its change per pixel.
#[derive(Debug, Clone, Copy)]
struct Edge {
    /// E at the centre of the first pixel.
    exact: i64,
    /// `exact` minus one unless the edge is a top or left one, so that a centre is covered
    /// exactly when every edge's biased value is ≥ 0.
    start: i64,
    /// Change per column.
    step_x: i64,
    /// Change per row.
    step_y: i64,
}

impl Edge {
    fn new(from: [i64; 2], to: [i64; 2], first_centre: [i64; 2]) -> Self {
        let (dx, dy) = (to[0] - from[0], to[1] - from[1]);
        let value = dx * (first_centre[1] - from[1]) - dy * (first_centre[0] - from[0]);
        // Clockwise on screen with y down: a top edge runs exactly to the right, a left
        // edge runs upwards.
        let top_left = (dy == 0 && dx > 0) || dy < 0;
        Self {
            exact: value,
            start: value - i64::from(!top_left),
            step_x: -dy * SUBPIXEL,
            step_y: dx * SUBPIXEL,
        }
    }

    /// Narrows `span` (columns relative to the first pixel, inclusive) to where the edge's
    /// value at row value `row` is ≥ 0.
    fn clip(&self, row: i64, span: [i64; 2]) -> [i64; 2] {
        match self.step_x {
            0 if row < 0 => [1, 0],
            0 => span,
            step if step > 0 => [span[0].max(-row.div_euclid(step)), span[1]],
            step => [span[0], span[1].min(row.div_euclid(-step))],
        }
    }
}

/// A linear function of the pixel position, relative to the triangle's first pixel.
#[derive(Debug, Clone, Copy)]
struct Plane {
    start: f32,
    step_x: f32,
    step_y: f32,
}

/// `u`, `v` and `alpha` at a covered pixel, interpolated perspective-correctly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Interpolated {
    /// Texture coordinate across.
    pub(super) u: f32,
    /// Texture coordinate down.
    pub(super) v: f32,
    /// Vertex alpha.
    pub(super) alpha: f32,
}

/// A run of covered pixels in one row, with `1/w`, `u/w`, `v/w` and `alpha/w` at its
/// first pixel and their change per pixel to the right.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    /// The frame row.
    pub(super) row: usize,
    /// The first covered column.
    pub(super) first: usize,
    /// How many pixels are covered, from `first` on.
    pub(super) len: usize,
    start: [f32; 4],
    step: [f32; 4],
}

impl Span {
    /// The interpolated values at the `offset`-th pixel of the span.
    #[inline(always)]
    pub(super) fn at(&self, offset: usize) -> Interpolated {
        // Spans are far shorter than 2³¹ pixels; `i32` converts in one instruction.
        let t = offset as i32 as f32;
        let [inverse_w, u, v, alpha]: [f32; 4] =
            std::array::from_fn(|lane| self.start[lane] + self.step[lane] * t);
        let w = 1.0 / inverse_w;
        Interpolated {
            u: u * w,
            v: v * w,
            alpha: alpha * w,
        }
    }
}

/// Calls `span` for each row's run of pixels in `clip` whose centres the triangle
/// `corners` covers; nothing when it is not clockwise or has a corner that is not drawable
/// (see [`MeshVertex::is_drawable`]).
pub(super) fn rasterize(corners: [&MeshVertex; 3], clip: Rect, mut span: impl FnMut(Span)) {
    if clip.is_empty() || !corners.iter().all(|corner| corner.is_drawable()) {
        return;
    }
    // Exact: |coordinate| ≤ 2²⁰ so each snapped value fits in 29 bits.
    let snapped = corners.map(|corner| {
        [
            (corner.x * SUBPIXEL as f32).round() as i64,
            (corner.y * SUBPIXEL as f32).round() as i64,
        ]
    });
    let [a, b, c] = snapped;
    let area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    if area <= 0 {
        return;
    }
    // Pixels whose centres 256·i + 128 lie within the snapped bounds.
    let low = |axis: usize| {
        let min = snapped.iter().map(|corner| corner[axis]).min().unwrap_or(0);
        (min - SUBPIXEL / 2 + SUBPIXEL - 1).div_euclid(SUBPIXEL)
    };
    let high = |axis: usize| {
        let max = snapped.iter().map(|corner| corner[axis]).max().unwrap_or(0);
        (max - SUBPIXEL / 2).div_euclid(SUBPIXEL)
    };
    // Column and row numbers are below 2²¹ here, so the conversions are exact.
    let first = [low(0).max(clip.x0 as i64), low(1).max(clip.y0 as i64)];
    let last = [
        high(0).min(clip.x1 as i64 - 1),
        high(1).min(clip.y1 as i64 - 1),
    ];
    if first[0] > last[0] || first[1] > last[1] {
        return;
    }
    let centre = [
        first[0] * SUBPIXEL + SUBPIXEL / 2,
        first[1] * SUBPIXEL + SUBPIXEL / 2,
    ];
    // Edge k is opposite corner k, so its value over the area is corner k's weight.
    let edges = [
        Edge::new(b, c, centre),
        Edge::new(c, a, centre),
        Edge::new(a, b, centre),
    ];
    let planes = attribute_planes(&corners, &edges, area);
    let width = last[0] - first[0];
    for row in 0..=last[1] - first[1] {
        let mut run = [0, width];
        for edge in &edges {
            run = edge.clip(edge.start + edge.step_y * row, run);
        }
        if run[0] > run[1] {
            continue;
        }
        let (y, x) = (row as f32, run[0] as f32);
        span(Span {
            row: (first[1] + row) as usize,
            first: (first[0] + run[0]) as usize,
            len: (run[1] - run[0] + 1) as usize,
            start: planes.map(|plane| plane.start + plane.step_y * y + plane.step_x * x),
            step: planes.map(|plane| plane.step_x),
        });
    }
}

/// The planes of `1/w`, `u/w`, `v/w` and `alpha/w` over the pixel grid, relative to the
/// triangle's first pixel (where the edges' values start).
fn attribute_planes(corners: &[&MeshVertex; 3], edges: &[Edge; 3], area: i64) -> [Plane; 4] {
    let area = area as f64;
    // The weights use the exact edge values: the top-left bias only decides coverage.
    let weights: [[f64; 3]; 3] =
        edges.map(|edge| [edge.exact as f64, edge.step_x as f64, edge.step_y as f64]);
    let values = corners.map(|corner| {
        let inverse_w = 1.0 / f64::from(corner.w);
        [
            inverse_w,
            f64::from(corner.u) * inverse_w,
            f64::from(corner.v) * inverse_w,
            f64::from(corner.alpha) * inverse_w,
        ]
    });
    std::array::from_fn(|attribute| {
        let combine = |term: usize| {
            let sum: f64 = (0..3)
                .map(|corner| values[corner][attribute] * weights[corner][term])
                .sum();
            (sum / area) as f32
        };
        Plane {
            start: combine(0),
            step_x: combine(1),
            step_y: combine(2),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vertex(x: f32, y: f32) -> MeshVertex {
        MeshVertex {
            x,
            y,
            w: 1.0,
            u: 0.0,
            v: 0.0,
            alpha: 1.0,
        }
    }

    fn covered(corners: [MeshVertex; 3], size: usize) -> Vec<u8> {
        let mut hits = vec![0u8; size * size];
        let clip = Rect {
            x0: 0,
            y0: 0,
            x1: size,
            y1: size,
        };
        rasterize([&corners[0], &corners[1], &corners[2]], clip, |span| {
            for x in span.first..span.first + span.len {
                hits[span.row * size + x] += 1;
            }
        });
        hits
    }

    #[test]
    fn shared_edges_through_centres_cover_each_pixel_once() {
        // Four squares with corners on pixel centres, split along both diagonals; every
        // edge (outer and inner) runs through pixel centres.
        let p = |x: f32, y: f32| vertex(x + 0.5, y + 0.5);
        let triangles = [
            [p(0.0, 0.0), p(4.0, 0.0), p(4.0, 4.0)],
            [p(0.0, 0.0), p(4.0, 4.0), p(0.0, 4.0)],
            [p(4.0, 0.0), p(8.0, 0.0), p(4.0, 4.0)],
            [p(8.0, 0.0), p(8.0, 4.0), p(4.0, 4.0)],
            [p(0.0, 4.0), p(4.0, 4.0), p(0.0, 8.0)],
            [p(4.0, 4.0), p(4.0, 8.0), p(0.0, 8.0)],
            [p(4.0, 4.0), p(8.0, 8.0), p(4.0, 8.0)],
            [p(4.0, 4.0), p(8.0, 4.0), p(8.0, 8.0)],
        ];
        let mut total = [0u8; 100];
        for triangle in triangles {
            for (sum, hit) in total.iter_mut().zip(covered(triangle, 10)) {
                *sum += hit;
            }
        }
        for y in 0..10 {
            for x in 0..10 {
                let expected = u8::from(x < 8 && y < 8);
                assert_eq!(total[y * 10 + x], expected, "pixel ({x}, {y})");
            }
        }
    }

    #[test]
    fn counter_clockwise_and_degenerate_triangles_are_skipped() {
        let (a, b, c) = (vertex(0.0, 0.0), vertex(8.0, 0.0), vertex(0.0, 8.0));
        assert_eq!(
            covered([a, b, c], 8).iter().filter(|&&hit| hit > 0).count(),
            28
        );
        assert!(covered([a, c, b], 8).iter().all(|&hit| hit == 0));
        assert!(
            covered([a, b, vertex(4.0, 0.0)], 8)
                .iter()
                .all(|&hit| hit == 0)
        );
        let broken = MeshVertex { x: f32::NAN, ..c };
        assert!(covered([a, b, broken], 8).iter().all(|&hit| hit == 0));
        let far = vertex(0.0, 1e9);
        assert!(covered([a, b, far], 8).iter().all(|&hit| hit == 0));
    }

    #[test]
    fn attributes_are_perspective_correct() {
        // Left edge w = 1, u = 0; right edge w = 2, u = 1.
        let corner = |x: f32, y: f32, w: f32, u: f32| MeshVertex {
            x,
            y,
            w,
            u,
            v: 0.0,
            alpha: 1.0,
        };
        let triangle = [
            corner(0.0, 0.0, 1.0, 0.0),
            corner(64.0, 0.0, 2.0, 1.0),
            corner(0.0, 64.0, 1.0, 0.0),
        ];
        let clip = Rect {
            x0: 0,
            y0: 0,
            x1: 64,
            y1: 64,
        };
        let mut found = None;
        rasterize([&triangle[0], &triangle[1], &triangle[2]], clip, |span| {
            if span.row == 0 {
                found = Some(span.at(20 - span.first));
            }
        });
        let values = found.unwrap();
        // At x = 20.5, y = 0.5 the screen weight of the right corner is 20.5/64.
        let t = 20.5f32 / 64.0;
        let expected = (t / 2.0) / ((1.0 - t) + t / 2.0);
        assert!(
            (values.u - expected).abs() < 1e-5,
            "{values:?} vs {expected}"
        );
        assert!((values.alpha - 1.0).abs() < 1e-5);
    }

    #[test]
    fn bounds_cover_the_drawable_corners() {
        let clip = Rect {
            x0: 0,
            y0: 0,
            x1: 100,
            y1: 50,
        };
        let corners = [vertex(10.2, 5.0), vertex(30.7, 60.0), vertex(f32::NAN, 0.0)];
        assert_eq!(
            bounds(&corners, clip),
            Rect {
                x0: 9,
                y0: 4,
                x1: 32,
                y1: 50
            }
        );
        assert!(bounds(&[], clip).is_empty());
    }
}
