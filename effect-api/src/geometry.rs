//! Plain 2-D geometry in frame pixels: points and axis-aligned rectangles.

use serde::{Deserialize, Serialize};

/// A point in frame pixels; x grows to the right, y grows downwards.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Point2 {
    /// Horizontal position in pixels.
    pub x: f32,
    /// Vertical position in pixels.
    pub y: f32,
}

impl Point2 {
    /// Makes a point from its coordinates.
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }

    /// Euclidean distance to `other`.
    pub fn distance(self, other: Point2) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// An axis-aligned rectangle: top-left corner and size, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width, never negative for a rectangle made by [`Rect::from_corners`].
    pub width: f32,
    /// Height, never negative for a rectangle made by [`Rect::from_corners`].
    pub height: f32,
}

impl Rect {
    /// The rectangle spanned by two opposite corners, in any order.
    pub fn from_corners(a: Point2, b: Point2) -> Self {
        Self {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
            width: (a.x - b.x).abs(),
            height: (a.y - b.y).abs(),
        }
    }

    /// The smallest rectangle holding every point; `None` without points, or when one is
    /// not finite.
    pub fn around(points: impl IntoIterator<Item = Point2>) -> Option<Self> {
        let mut points = points.into_iter();
        let first = points.next()?;
        let (mut low, mut high) = (first, first);
        for point in points {
            (low.x, low.y) = (low.x.min(point.x), low.y.min(point.y));
            (high.x, high.y) = (high.x.max(point.x), high.y.max(point.y));
        }
        let finite = [low.x, low.y, high.x, high.y]
            .iter()
            .all(|value| value.is_finite());
        finite.then(|| Self::from_corners(low, high))
    }

    /// The centre point.
    pub fn center(&self) -> Point2 {
        Point2::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Area in square pixels.
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// Area of the overlap with `other`, zero when they do not touch.
    pub fn intersection_area(&self, other: &Rect) -> f32 {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let right = (self.x + self.width).min(other.x + other.width);
        let bottom = (self.y + self.height).min(other.y + other.height);
        (right - left).max(0.0) * (bottom - top).max(0.0)
    }

    /// Intersection over union, in `0..=1`; zero when both are empty.
    pub fn iou(&self, other: &Rect) -> f32 {
        let overlap = self.intersection_area(other);
        let union = self.area() + other.area() - overlap;
        if union <= 0.0 { 0.0 } else { overlap / union }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rectangle_around_points_holds_them_all() {
        let points = [
            Point2::new(3.0, 7.0),
            Point2::new(-1.0, 2.0),
            Point2::new(5.0, 4.0),
        ];
        let around = Rect::around(points).unwrap();
        assert_eq!(
            around,
            Rect {
                x: -1.0,
                y: 2.0,
                width: 6.0,
                height: 5.0
            }
        );
        assert_eq!(Rect::around([]), None);
        assert_eq!(Rect::around([Point2::new(f32::NAN, 1.0)]), None);
    }

    #[test]
    fn iou_of_identical_rects_is_one_and_of_disjoint_is_zero() {
        let a = Rect::from_corners(Point2::new(0.0, 0.0), Point2::new(10.0, 10.0));
        let b = Rect::from_corners(Point2::new(20.0, 20.0), Point2::new(30.0, 30.0));
        assert_eq!(a.iou(&a), 1.0);
        assert_eq!(a.iou(&b), 0.0);
    }

    #[test]
    fn iou_of_half_overlap() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        let b = Rect {
            x: 5.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        // overlap 50, union 150
        assert!((a.iou(&b) - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn corners_in_any_order_give_the_same_rect() {
        let a = Rect::from_corners(Point2::new(4.0, 1.0), Point2::new(1.0, 3.0));
        assert_eq!(
            a,
            Rect {
                x: 1.0,
                y: 1.0,
                width: 3.0,
                height: 2.0
            }
        );
        assert_eq!(a.center(), Point2::new(2.5, 2.0));
    }
}
