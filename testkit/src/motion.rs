//! Known similarity motion of a photo, for tests that move a face by a known amount.

use effect_api::{Frame, PixelFormat, Point2};
use lensmith_runtime::sampling::bilinear;

/// A similarity transform about a centre: out = scale · R(angle) · (p − centre) + centre + shift.
#[derive(Clone, Copy, Debug)]
pub struct Motion {
    /// Rotation in radians, positive clockwise on screen.
    pub angle: f32,
    /// Scale factor.
    pub scale: f32,
    /// Translation after rotating and scaling, in pixels.
    pub shift: Point2,
    /// The point rotated and scaled about, in pixels.
    pub centre: Point2,
}

impl Motion {
    /// Step `index` of `frames` of one smooth sweep about `centre`: turning to +30° while
    /// growing to 1.3×, back through upright to −30° while shrinking to 0.7×, drifting
    /// sideways and down on the way.
    pub fn sweep(index: usize, frames: usize, centre: Point2) -> Self {
        let phase = index as f32 / (frames - 1) as f32 * std::f32::consts::TAU;
        Self {
            angle: 30f32.to_radians() * phase.sin(),
            scale: 1.0 + 0.3 * phase.sin(),
            shift: Point2::new(40.0 * phase.sin(), 25.0 * (1.0 - phase.cos())),
            centre,
        }
    }

    /// Where the point (`x`, `y`) moves to.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let (sin, cos) = self.angle.sin_cos();
        let (dx, dy) = (x - self.centre.x, y - self.centre.y);
        (
            self.scale * (cos * dx - sin * dy) + self.centre.x + self.shift.x,
            self.scale * (sin * dx + cos * dy) + self.centre.y + self.shift.y,
        )
    }

    /// Where the point that moves to (`x`, `y`) came from.
    pub fn invert(&self, x: f32, y: f32) -> (f32, f32) {
        let (sin, cos) = self.angle.sin_cos();
        let (dx, dy) = (
            x - self.centre.x - self.shift.x,
            y - self.centre.y - self.shift.y,
        );
        (
            (cos * dx + sin * dy) / self.scale + self.centre.x,
            (-sin * dx + cos * dy) / self.scale + self.centre.y,
        )
    }

    /// Renders `source` moved by this transform; uncovered pixels repeat the source's edge.
    /// Positions measure from pixel corners, as landmarks do: output pixel (x, y) is the
    /// square from (x, y) to (x + 1, y + 1), and `bilinear` takes pixel centres.
    pub fn render(&self, source: &Frame) -> Frame {
        let (width, height) = (source.width(), source.height());
        let mut data = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for x in 0..width {
                let (sx, sy) = self.invert(x as f32 + 0.5, y as f32 + 0.5);
                data.extend(
                    bilinear(source.view(), sx - 0.5, sy - 0.5)
                        .map(|channel| channel.round() as u8),
                );
            }
        }
        Frame::from_packed(data, width, height, PixelFormat::Rgb8).unwrap()
    }
}

/// `photo` (packed RGB) turned left to right, as a mirror shows it: a face turned one way is
/// then turned the other.
pub fn mirrored(photo: &Frame) -> Frame {
    let (width, height) = (photo.width(), photo.height());
    let view = photo.view();
    let mut data = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for pixel in view.row(y).chunks_exact(3).rev() {
            data.extend_from_slice(pixel);
        }
    }
    Frame::from_packed(data, width, height, PixelFormat::Rgb8).expect("same size as the photo")
}
