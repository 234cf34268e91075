//! The part of the frame a scene can change: the bounding box of every pixel its draws can
//! touch, so that only that rectangle is uploaded, drawn and read back.

/// A box in frame pixels (continuous coordinates), grown point by point; empty until the
/// first point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Bounds {
    min: [f32; 2],
    max: [f32; 2],
}

impl Bounds {
    /// Holds nothing.
    pub const EMPTY: Self = Self {
        min: [f32::INFINITY; 2],
        max: [f32::NEG_INFINITY; 2],
    };

    /// The whole `width × height` frame.
    pub fn frame([width, height]: [f32; 2]) -> Self {
        Self {
            min: [0.0, 0.0],
            max: [width, height],
        }
    }

    /// Grows the box to hold `point`. A coordinate that is not a number could be anywhere,
    /// so it makes the box unbounded on that axis.
    pub fn add(&mut self, point: [f32; 2]) {
        for (axis, &value) in point.iter().enumerate() {
            if value.is_nan() {
                self.min[axis] = f32::NEG_INFINITY;
                self.max[axis] = f32::INFINITY;
            } else {
                self.min[axis] = self.min[axis].min(value);
                self.max[axis] = self.max[axis].max(value);
            }
        }
    }

    /// Grows the box to hold `other`.
    pub fn union(&mut self, other: Self) {
        for axis in 0..2 {
            self.min[axis] = self.min[axis].min(other.min[axis]);
            self.max[axis] = self.max[axis].max(other.max[axis]);
        }
    }

    /// The pixels of a `width × height` frame whose centres the box can reach, with one
    /// pixel more on every side for the GPU's rounding of positions; `None` when there are
    /// none.
    pub fn pixels(self, width: u32, height: u32) -> Option<PixelRect> {
        // A pixel centre i + 0.5 within [min, max] has floor(min) − 1 ≤ i < ceil(max), so
        // the padding is already there on the far side; one more there is for rounding.
        let span = |axis: usize, size: u32| {
            let size = size as f32;
            let low = (self.min[axis].floor() - 1.0).clamp(0.0, size);
            let high = (self.max[axis].ceil() + 1.0).clamp(0.0, size);
            // Both are whole numbers in 0..=size (frames are far smaller than 2^24).
            (low < high).then_some((low as u32, high as u32))
        };
        let (x, right) = span(0, width)?;
        let (y, bottom) = span(1, height)?;
        Some(PixelRect {
            x,
            y,
            width: right - x,
            height: bottom - y,
        })
    }
}

/// A non-empty rectangle of whole pixels inside the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PixelRect {
    /// The leftmost column.
    pub x: u32,
    /// The top row.
    pub y: u32,
    /// Columns, at least 1.
    pub width: u32,
    /// Rows, at least 1.
    pub height: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(points: &[[f32; 2]]) -> Bounds {
        let mut bounds = Bounds::EMPTY;
        for &point in points {
            bounds.add(point);
        }
        bounds
    }

    #[test]
    fn a_box_covers_the_pixels_it_reaches_and_one_more() {
        let rect = bounds(&[[10.5, 20.25], [30.0, 40.75]]).pixels(100, 100);
        assert_eq!(
            rect,
            Some(PixelRect {
                x: 9,
                y: 19,
                width: 31 - 9,
                height: 42 - 19,
            })
        );
    }

    #[test]
    fn boxes_are_clipped_to_the_frame() {
        let rect = bounds(&[[-50.0, 90.0], [500.0, 1e9]]).pixels(100, 100);
        assert_eq!(
            rect,
            Some(PixelRect {
                x: 0,
                y: 89,
                width: 100,
                height: 11,
            })
        );
        let whole = Bounds::frame([64.0, 48.0]).pixels(64, 48);
        assert_eq!(
            whole,
            Some(PixelRect {
                x: 0,
                y: 0,
                width: 64,
                height: 48,
            })
        );
    }

    #[test]
    fn boxes_off_the_frame_or_empty_have_no_pixels() {
        assert_eq!(Bounds::EMPTY.pixels(100, 100), None);
        assert_eq!(bounds(&[[-9.0, 5.0], [-2.0, 50.0]]).pixels(100, 100), None);
        assert_eq!(
            bounds(&[[5.0, 102.0], [50.0, 300.0]]).pixels(100, 100),
            None
        );
        // Within one pixel of the edge still counts (the padding).
        assert!(
            bounds(&[[-1.5, 5.0], [-0.5, 6.0]])
                .pixels(100, 100)
                .is_some()
        );
    }

    #[test]
    fn unknown_and_infinite_coordinates_reach_the_edges() {
        let mut nan = bounds(&[[10.0, 10.0]]);
        nan.add([f32::NAN, 12.0]);
        let rect = nan.pixels(100, 100).unwrap();
        assert_eq!((rect.x, rect.width, rect.y, rect.height), (0, 100, 9, 4));
        let infinite = bounds(&[[f32::NEG_INFINITY, 3.0], [f32::INFINITY, 3.0]]);
        let rect = infinite.pixels(100, 100).unwrap();
        assert_eq!((rect.x, rect.width), (0, 100));
        let mut joined = bounds(&[[1.0, 1.0]]);
        joined.union(bounds(&[[50.0, 60.0]]));
        assert_eq!(joined, bounds(&[[1.0, 1.0], [50.0, 60.0]]));
    }
}
