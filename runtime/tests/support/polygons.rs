//! Plane geometry the tests check results with.

use effect_api::Point2;

/// Whether `point` lies inside the closed `polygon` (even-odd rule).
pub fn inside_polygon(polygon: &[Point2], point: Point2) -> bool {
    let mut inside = false;
    for (index, a) in polygon.iter().enumerate() {
        let b = polygon[(index + 1) % polygon.len()];
        if (a.y > point.y) != (b.y > point.y) {
            let x = a.x + (point.y - a.y) / (b.y - a.y) * (b.x - a.x);
            if point.x < x {
                inside = !inside;
            }
        }
    }
    inside
}
