//! A small floating-point RGBA canvas with anti-aliased shapes drawn from signed distances,
//! enough to paint `art`'s images deterministically without a drawing library.

use std::ops::{Add, Mul, Sub};
use std::path::Path;

use anyhow::{Context, Result};

/// A point or vector in pixels (x right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct V2 {
    /// Right.
    pub x: f32,
    /// Down.
    pub y: f32,
}

/// Shorthand for [`V2`].
pub const fn v2(x: f32, y: f32) -> V2 {
    V2 { x, y }
}

impl V2 {
    /// Euclidean length.
    pub fn length(self) -> f32 {
        self.x.hypot(self.y)
    }

    /// Dot product.
    pub fn dot(self, other: V2) -> f32 {
        self.x * other.x + self.y * other.y
    }

    /// Rotated by `angle` radians (clockwise on screen, as y points down).
    pub fn rotated(self, angle: f32) -> V2 {
        let (sin, cos) = angle.sin_cos();
        v2(self.x * cos - self.y * sin, self.x * sin + self.y * cos)
    }

    /// The point `t` of the way from `self` to `other`.
    pub fn lerp(self, other: V2, t: f32) -> V2 {
        self + (other - self) * t
    }
}

impl Add for V2 {
    type Output = V2;
    fn add(self, other: V2) -> V2 {
        v2(self.x + other.x, self.y + other.y)
    }
}

impl Sub for V2 {
    type Output = V2;
    fn sub(self, other: V2) -> V2 {
        v2(self.x - other.x, self.y - other.y)
    }
}

impl Mul<f32> for V2 {
    type Output = V2;
    fn mul(self, factor: f32) -> V2 {
        v2(self.x * factor, self.y * factor)
    }
}

/// A straight (not premultiplied) colour, sRGB-encoded channels and alpha in 0..=1.
pub type Rgba = [f32; 4];

/// A colour from `0xRRGGBB` with the given alpha.
pub fn hex(rgb: u32, alpha: f32) -> Rgba {
    let channel = |shift: u32| ((rgb >> shift) & 0xff) as f32 / 255.0;
    [channel(16), channel(8), channel(0), alpha]
}

/// `a` blended towards `b` by `t`, channel by channel.
pub fn mix(a: Rgba, b: Rgba, t: f32) -> Rgba {
    std::array::from_fn(|i| a[i] + (b[i] - a[i]) * t)
}

/// 0 below `edge0`, 1 above `edge1`, a smooth Hermite step between (either order).
pub fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// How much of a pixel a shape covers, from the signed distance of the pixel's centre to
/// its edge (negative inside): a one-pixel ramp, which anti-aliases the edge.
pub fn coverage(distance: f32) -> f32 {
    (0.5 - distance).clamp(0.0, 1.0)
}

/// Distance from `p` to the segment `a`–`b`.
pub fn segment_distance(p: V2, a: V2, b: V2) -> f32 {
    let (pa, ba) = (p - a, b - a);
    let length_squared = ba.dot(ba);
    let t = if length_squared > 0.0 {
        (pa.dot(ba) / length_squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (pa - ba * t).length()
}

/// Signed distance from `p` to a closed polygon (negative inside, even-odd rule).
pub fn polygon_distance(p: V2, points: &[V2]) -> f32 {
    let mut distance = f32::INFINITY;
    let mut inside = false;
    for (index, &a) in points.iter().enumerate() {
        let b = points[(index + 1) % points.len()];
        distance = distance.min(segment_distance(p, a, b));
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            inside = !inside;
        }
    }
    if inside { -distance } else { distance }
}

/// A star's outline: `points` tips at `outer` radius alternating with notches at `inner`,
/// the first tip pointing up, turned by `turn` radians.
pub fn star_outline(centre: V2, outer: f32, inner: f32, points: usize, turn: f32) -> Vec<V2> {
    (0..points * 2)
        .map(|index| {
            let radius = if index % 2 == 0 { outer } else { inner };
            let angle = turn + index as f32 * std::f32::consts::PI / points as f32;
            centre + v2(angle.sin(), -angle.cos()) * radius
        })
        .collect()
}

/// A four-pointed sparkle's outline: the concave curve |x|^k + |y|^k = r^k with k < 1
/// (k = 0.5 gives slim, curved points), sampled finely, turned by `turn` radians.
pub fn sparkle_outline(centre: V2, radius: f32, exponent: f32, turn: f32) -> Vec<V2> {
    let samples = 160;
    (0..samples)
        .map(|index| {
            let t = index as f32 / samples as f32 * std::f32::consts::TAU;
            let (sin, cos) = t.sin_cos();
            let shape = |value: f32| value.signum() * value.abs().powf(2.0 / exponent);
            centre + v2(shape(cos), shape(sin)).rotated(turn) * radius
        })
        .collect()
}

/// A smooth closed curve through `points` (a uniform Catmull-Rom spline), `steps` samples
/// per span: rounds a polygon of landmarks into an organic shape.
pub fn smooth_closed(points: &[V2], steps: usize) -> Vec<V2> {
    let n = points.len();
    let mut curve = Vec::with_capacity(n * steps);
    for index in 0..n {
        let [p0, p1, p2, p3] = [n - 1, 0, 1, 2].map(|shift| points[(index + shift) % n]);
        for step in 0..steps {
            let t = step as f32 / steps as f32;
            let (t2, t3) = (t * t, t * t * t);
            let point = p0 * (-0.5 * t3 + t2 - 0.5 * t)
                + p1 * (1.5 * t3 - 2.5 * t2 + 1.0)
                + p2 * (-1.5 * t3 + 2.0 * t2 + 0.5 * t)
                + p3 * (0.5 * t3 - 0.5 * t2);
            curve.push(point);
        }
    }
    curve
}

/// Pixel bounds `[x0, x1) × [y0, y1)` to visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

/// Premultiplied RGBA pixels in f32, sRGB-encoded values blended as they are (as image
/// editors and the runtime's renderer blend).
pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<[f32; 4]>,
}

impl Canvas {
    /// A transparent canvas.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![[0.0; 4]; width as usize * height as usize],
        }
    }

    /// The whole canvas.
    pub fn all(&self) -> Bounds {
        Bounds {
            x0: 0,
            y0: 0,
            x1: self.width,
            y1: self.height,
        }
    }

    /// The pixels around `centre` within `radius`, clipped to the canvas.
    pub fn around(&self, centre: V2, radius: f32) -> Bounds {
        self.covering(centre - v2(radius, radius), centre + v2(radius, radius))
    }

    /// The pixels whose centres may lie in the box `low`–`high` (plus one pixel), clipped.
    pub fn covering(&self, low: V2, high: V2) -> Bounds {
        let clip = |value: f32, limit: u32| value.clamp(0.0, limit as f32) as u32;
        Bounds {
            x0: clip(low.x.floor() - 1.0, self.width),
            y0: clip(low.y.floor() - 1.0, self.height),
            x1: clip(high.x.ceil() + 2.0, self.width),
            y1: clip(high.y.ceil() + 2.0, self.height),
        }
    }

    /// The pixels around every point of `points`, grown by `margin`.
    pub fn around_points(&self, points: &[V2], margin: f32) -> Bounds {
        let low = points
            .iter()
            .fold(v2(f32::INFINITY, f32::INFINITY), |low, p| {
                v2(low.x.min(p.x), low.y.min(p.y))
            });
        let high = points
            .iter()
            .fold(v2(f32::NEG_INFINITY, f32::NEG_INFINITY), |high, p| {
                v2(high.x.max(p.x), high.y.max(p.y))
            });
        self.covering(low - v2(margin, margin), high + v2(margin, margin))
    }

    /// Paints `shade(pixel centre)`, a straight colour whose alpha says how much of it
    /// shows there, over every pixel in `bounds` (the `normal` blend).
    pub fn paint(&mut self, bounds: Bounds, shade: impl Fn(V2) -> Rgba) {
        for y in bounds.y0..bounds.y1 {
            for x in bounds.x0..bounds.x1 {
                let [r, g, b, a] = shade(v2(x as f32 + 0.5, y as f32 + 0.5));
                if a <= 0.0 {
                    continue;
                }
                let a = a.min(1.0);
                let pixel = &mut self.pixels[(y * self.width + x) as usize];
                let keep = 1.0 - a;
                *pixel = [
                    r * a + pixel[0] * keep,
                    g * a + pixel[1] * keep,
                    b * a + pixel[2] * keep,
                    a + pixel[3] * keep,
                ];
            }
        }
    }

    /// Fills a shape given by its signed distance (negative inside) with `colour`,
    /// anti-aliased.
    pub fn fill(&mut self, bounds: Bounds, colour: Rgba, distance: impl Fn(V2) -> f32) {
        self.paint(bounds, |p| {
            let [r, g, b, a] = colour;
            [r, g, b, a * coverage(distance(p))]
        });
    }

    /// Multiplies every pixel (colour and alpha, as they are premultiplied) by
    /// `factor(pixel centre)`, clamped to 0..=1: soft masks and holes.
    pub fn mask(&mut self, factor: impl Fn(V2) -> f32) {
        for y in 0..self.height {
            for x in 0..self.width {
                let pixel = &mut self.pixels[(y * self.width + x) as usize];
                if pixel[3] <= 0.0 {
                    continue;
                }
                let k = factor(v2(x as f32 + 0.5, y as f32 + 0.5)).clamp(0.0, 1.0);
                for channel in pixel.iter_mut() {
                    *channel *= k;
                }
            }
        }
    }

    /// The canvas as straight RGBA8, rounded (colour is unpremultiplied; fully transparent
    /// pixels are transparent black).
    pub fn to_rgba8(&self) -> image::RgbaImage {
        let mut bytes = Vec::with_capacity(self.pixels.len() * 4);
        for &[r, g, b, a] in &self.pixels {
            let alpha = a.clamp(0.0, 1.0);
            let to_byte = |value: f32| (value.clamp(0.0, 1.0) * 255.0).round() as u8;
            let alpha_byte = to_byte(alpha);
            if alpha_byte == 0 {
                bytes.extend_from_slice(&[0, 0, 0, 0]);
            } else {
                bytes.extend_from_slice(&[
                    to_byte(r / alpha),
                    to_byte(g / alpha),
                    to_byte(b / alpha),
                    alpha_byte,
                ]);
            }
        }
        // The buffer has exactly width × height × 4 bytes, built just above.
        image::RgbaImage::from_raw(self.width, self.height, bytes).expect("buffer size matches")
    }

    /// Writes the canvas as an RGBA PNG (or RGB when `opaque`), best compression, creating
    /// folders and replacing the file atomically.
    pub fn save_png(&self, path: &Path, opaque: bool) -> Result<()> {
        use image::ImageEncoder;
        use image::codecs::png::{CompressionType, FilterType, PngEncoder};
        let rgba = self.to_rgba8();
        let (bytes, colour) = if opaque {
            let rgb = image::DynamicImage::ImageRgba8(rgba).to_rgb8();
            (rgb.into_raw(), image::ExtendedColorType::Rgb8)
        } else {
            (rgba.into_raw(), image::ExtendedColorType::Rgba8)
        };
        let mut png = Vec::new();
        PngEncoder::new_with_quality(&mut png, CompressionType::Best, FilterType::Adaptive)
            .write_image(&bytes, self.width, self.height, colour)
            .with_context(|| format!("encoding {}", path.display()))?;
        crate::digest::write_atomically(path, &png)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_are_negative_inside_and_positive_outside() {
        let square = [v2(0.0, 0.0), v2(10.0, 0.0), v2(10.0, 10.0), v2(0.0, 10.0)];
        assert_eq!(polygon_distance(v2(5.0, 5.0), &square), -5.0);
        assert_eq!(polygon_distance(v2(13.0, 5.0), &square), 3.0);
        assert_eq!(polygon_distance(v2(5.0, 1.0), &square), -1.0);
    }

    #[test]
    fn painting_blends_normally_and_masks_scale_premultiplied_pixels() {
        let mut canvas = Canvas::new(2, 1);
        let all = canvas.all();
        canvas.paint(all, |_| [1.0, 0.0, 0.0, 0.5]);
        canvas.paint(all, |p| {
            if p.x < 1.0 {
                [0.0, 0.0, 1.0, 0.5]
            } else {
                [0.0; 4]
            }
        });
        canvas.mask(|p| if p.x < 1.0 { 1.0 } else { 0.5 });
        let image = canvas.to_rgba8();
        // Left: blue half over red half: premultiplied (0.25, 0, 0.5, 0.75).
        assert_eq!(image.get_pixel(0, 0).0, [85, 0, 170, 191]);
        // Right: red at half alpha, then halved.
        assert_eq!(image.get_pixel(1, 0).0, [255, 0, 0, 64]);
    }

    #[test]
    fn smooth_curves_pass_through_their_points() {
        let square = [v2(0.0, 0.0), v2(10.0, 0.0), v2(10.0, 10.0), v2(0.0, 10.0)];
        let curve = smooth_closed(&square, 8);
        assert_eq!(curve.len(), 32);
        for (index, corner) in square.iter().enumerate() {
            assert!((curve[index * 8] - *corner).length() < 1e-5);
        }
    }

    #[test]
    fn stars_alternate_tips_and_notches() {
        let star = star_outline(v2(0.0, 0.0), 10.0, 4.0, 5, 0.0);
        assert_eq!(star.len(), 10);
        assert!((star[0].y + 10.0).abs() < 1e-5, "the first tip points up");
        assert!((star[1].length() - 4.0).abs() < 1e-5);
        assert!(polygon_distance(v2(0.0, 0.0), &star) < -3.0);
    }
}
