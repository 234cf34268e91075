//! The soft mask a stored eye is pasted through: the open eye's lid contour, grown a
//! little and faded out smoothly, in the eye's normalised frame (see
//! [`eye_frame`](crate::eye_frame)), so its edge scales with the eye.

/// How far past the open lid contour the mask stays fully opaque, in corner distances:
/// enough to cover the lash line and a closed lid that sits a little off the open contour.
pub const DILATE: f32 = 0.07;

/// The default width of the fade beyond [`DILATE`], in corner distances (about 2.5 px on
/// an eye 24 px wide); the `feather` parameter scales it.
pub const FEATHER: f32 = 0.11;

/// The narrowest fade in pixels: below it the edge of a small eye would show as a step.
pub const MIN_FEATHER_PX: f32 = 1.2;

/// The signed distance from `point` to the closed polygon `polygon`: negative inside,
/// positive outside. Infinite for a polygon of fewer than 3 points.
pub fn signed_distance(point: [f32; 2], polygon: &[[f32; 2]]) -> f32 {
    if polygon.len() < 3 {
        return f32::INFINITY;
    }
    let [px, py] = point;
    let mut nearest2 = f32::INFINITY;
    let mut inside = false;
    let mut previous = polygon[polygon.len() - 1];
    for &current in polygon {
        let [ax, ay] = previous;
        let [bx, by] = current;
        let (ex, ey) = (bx - ax, by - ay);
        let length2 = ex * ex + ey * ey;
        let t = if length2 > 0.0 {
            (((px - ax) * ex + (py - ay) * ey) / length2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (dx, dy) = (px - (ax + t * ex), py - (ay + t * ey));
        nearest2 = nearest2.min(dx * dx + dy * dy);
        // Even-odd rule: count the edges a ray to the right of the point crosses.
        if (ay > py) != (by > py) && px < ax + (py - ay) / (by - ay) * ex {
            inside = !inside;
        }
        previous = current;
    }
    let distance = nearest2.sqrt();
    if inside { -distance } else { distance }
}

/// The mask's opacity at signed distance `distance` from the contour: 1 up to `dilate`,
/// then a smoothstep down to 0 over `feather` (a step when `feather` is 0).
pub fn falloff(distance: f32, dilate: f32, feather: f32) -> f32 {
    if feather <= 0.0 {
        return if distance <= dilate { 1.0 } else { 0.0 };
    }
    let t = ((distance - dilate) / feather).clamp(0.0, 1.0);
    1.0 - t * t * (3.0 - 2.0 * t)
}

/// The area enclosed by `polygon` (either winding).
pub fn polygon_area(polygon: &[[f32; 2]]) -> f32 {
    let Some(&last) = polygon.last() else {
        return 0.0;
    };
    let mut previous = last;
    let mut twice = 0.0;
    for &current in polygon {
        twice += previous[0] * current[1] - current[0] * previous[1];
        previous = current;
    }
    (twice / 2.0).abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: [[f32; 2]; 4] = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];

    #[test]
    fn distance_is_negative_inside_and_positive_outside() {
        assert!((signed_distance([1.0, 1.0], &SQUARE) + 1.0).abs() < 1e-6);
        assert!((signed_distance([1.0, 0.5], &SQUARE) + 0.5).abs() < 1e-6);
        assert!((signed_distance([3.0, 1.0], &SQUARE) - 1.0).abs() < 1e-6);
        assert!((signed_distance([5.0, 6.0], &SQUARE) - 5.0).abs() < 1e-6);
        assert_eq!(signed_distance([0.0, 0.0], &SQUARE[..2]), f32::INFINITY);
    }

    #[test]
    fn the_mask_is_opaque_then_fades_smoothly_to_nothing() {
        let (dilate, feather) = (0.1, 0.2);
        assert_eq!(falloff(-1.0, dilate, feather), 1.0);
        assert_eq!(falloff(0.1, dilate, feather), 1.0);
        assert!((falloff(0.2, dilate, feather) - 0.5).abs() < 1e-6);
        assert_eq!(falloff(0.3, dilate, feather), 0.0);
        assert_eq!(falloff(9.0, dilate, feather), 0.0);
        // Monotonic, and without a step anywhere in the fade.
        let mut last = 1.0;
        for step in 0..=100 {
            let value = falloff(0.1 + step as f32 * 0.002, dilate, feather);
            assert!(
                value <= last && last - value < 0.02,
                "{step}: {last} → {value}"
            );
            last = value;
        }
        // Smoothstep: flat at both ends of the fade.
        assert!(1.0 - falloff(0.101, dilate, feather) < 1e-3);
        assert!(falloff(0.299, dilate, feather) < 1e-3);
        assert_eq!(falloff(0.11, 0.1, 0.0), 0.0);
    }

    #[test]
    fn areas_ignore_winding() {
        assert!((polygon_area(&SQUARE) - 4.0).abs() < 1e-6);
        let mut reversed = SQUARE;
        reversed.reverse();
        assert!((polygon_area(&reversed) - 4.0).abs() < 1e-6);
        assert_eq!(polygon_area(&[]), 0.0);
    }
}
