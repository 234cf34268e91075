//! Drawing tracking results onto frames for inspection: landmarks, the region of interest,
//! each face's id and its face crop. Plain pixel drawing, no font or GUI dependency.

use effect_api::{Frame, PixelFormat, Point2};

use crate::face_crop::CropTransform;
use crate::tracking::TrackedFace;

/// A frame being annotated: packed RGB pixels.
#[derive(Debug, Clone)]
pub struct Canvas {
    data: Vec<u8>,
    width: u32,
    height: u32,
}

/// 3×5 bitmaps of the digits 0–9, one row of three bits per entry, top row first.
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b010, 0b010, 0b010],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

impl Canvas {
    /// A copy of `frame` to draw on.
    pub fn from_frame(frame: &Frame) -> Self {
        let view = frame.view();
        let mut data = Vec::with_capacity((frame.width() * frame.height() * 3) as usize);
        for y in 0..frame.height() {
            for x in 0..frame.width() {
                data.extend_from_slice(&view.rgb(x, y));
            }
        }
        Self {
            data,
            width: frame.width(),
            height: frame.height(),
        }
    }

    /// The annotated frame.
    pub fn into_frame(self) -> Frame {
        // The buffer was sized for these dimensions in `from_frame`.
        Frame::from_packed(self.data, self.width, self.height, PixelFormat::Rgb8)
            .expect("canvas buffer matches its size")
    }

    fn put(&mut self, x: i64, y: i64, rgb: [u8; 3]) {
        if x >= 0 && y >= 0 && x < i64::from(self.width) && y < i64::from(self.height) {
            let offset = ((y as usize) * self.width as usize + x as usize) * 3;
            self.data[offset..offset + 3].copy_from_slice(&rgb);
        }
    }

    /// A filled square of side `2·radius + 1` centred on `point`.
    pub fn dot(&mut self, point: Point2, radius: i64, rgb: [u8; 3]) {
        let (cx, cy) = (point.x.round() as i64, point.y.round() as i64);
        for y in cy - radius..=cy + radius {
            for x in cx - radius..=cx + radius {
                self.put(x, y, rgb);
            }
        }
    }

    /// A one-pixel line.
    pub fn line(&mut self, from: Point2, to: Point2, rgb: [u8; 3]) {
        let steps = (to.x - from.x)
            .abs()
            .max((to.y - from.y).abs())
            .ceil()
            .clamp(1.0, 100_000.0) as i64;
        for step in 0..=steps {
            let t = step as f32 / steps as f32;
            let x = from.x + (to.x - from.x) * t;
            let y = from.y + (to.y - from.y) * t;
            self.put(x.round() as i64, y.round() as i64, rgb);
        }
    }

    /// A number drawn with a 3×5 pixel font scaled by `scale`, top-left at `at`.
    pub fn number(&mut self, value: u32, at: Point2, scale: i64, rgb: [u8; 3]) {
        for (position, digit) in value.to_string().bytes().enumerate() {
            let glyph = DIGITS[usize::from(digit - b'0')];
            let left = at.x.round() as i64 + position as i64 * 4 * scale;
            for (row, bits) in glyph.iter().enumerate() {
                for column in 0..3 {
                    if bits & (0b100 >> column) != 0 {
                        for dy in 0..scale {
                            for dx in 0..scale {
                                self.put(
                                    left + column * scale + dx,
                                    at.y.round() as i64 + row as i64 * scale + dy,
                                    rgb,
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    /// Landmarks, region of interest and id of one tracked face.
    pub fn face(&mut self, face: &TrackedFace) {
        const ROI: [u8; 3] = [255, 200, 0];
        const LANDMARK: [u8; 3] = [0, 255, 90];
        let corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
            .map(|(u, v)| face.roi.point_in_frame(u, v));
        for index in 0..4 {
            self.line(corners[index], corners[(index + 1) % 4], ROI);
        }
        let radius = if face.roi.size > 300.0 { 1 } else { 0 };
        for &[x, y, _] in &face.landmarks {
            self.dot(Point2::new(x, y), radius, LANDMARK);
        }
        let scale = ((face.roi.size / 60.0).round() as i64).clamp(2, 12);
        self.number(
            face.id,
            Point2::new(corners[0].x + 3.0, corners[0].y + 3.0),
            scale,
            ROI,
        );
    }

    /// The outline of a face crop, with a tick from the middle of its top edge towards
    /// its centre, so that its rotation reads at a glance.
    pub fn crop(&mut self, crop: &CropTransform) {
        const CROP: [u8; 3] = [0, 200, 255];
        let side = crop.side as f32;
        let corners = [(0.0, 0.0), (side, 0.0), (side, side), (0.0, side)]
            .map(|(x, y)| crop.crop_to_frame(Point2::new(x, y)));
        for index in 0..4 {
            self.line(corners[index], corners[(index + 1) % 4], CROP);
        }
        let top_middle = crop.crop_to_frame(Point2::new(side / 2.0, 0.0));
        let below = crop.crop_to_frame(Point2::new(side / 2.0, side * 0.08));
        self.line(top_middle, below, CROP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_stays_inside_the_frame_and_marks_pixels() {
        let frame = Frame::filled(20, 10, [0, 0, 0]).unwrap();
        let mut canvas = Canvas::from_frame(&frame);
        canvas.line(Point2::new(-50.0, 5.0), Point2::new(70.0, 5.0), [255, 0, 0]);
        canvas.dot(Point2::new(19.0, 0.0), 3, [0, 255, 0]);
        // The digit 1 starts with its middle column lit.
        canvas.number(1234567890, Point2::new(0.0, 0.0), 1, [0, 0, 255]);
        let out = canvas.into_frame();
        assert_eq!(out.view().rgb(10, 5), [255, 0, 0]);
        assert_eq!(out.view().rgb(19, 0), [0, 255, 0]);
        assert_eq!(out.view().rgb(1, 0), [0, 0, 255]);
    }
}
