//! The part of a face model's output that reaches the frame (the layer's `region`): the
//! polygon, in crop pixels, that the feathered mask fills.
//!
//! The crop is aligned with the face (eyes level, face upright), so "up" in the crop is
//! up the face whatever the head's roll.

use effect_api::manifest::PasteRegion;

/// How far the head region reaches past the face outline, as multiples of the outline's
/// own extent from its centre: sideways for the ears and the hair at the temples...
const HEAD_WIDENING: f32 = 1.35;
/// ...narrowing to this at the chin, so that the neck and shoulders are left alone...
const HEAD_WIDENING_AT_CHIN: f32 = 1.05;
/// ...and upwards for the hair above the forehead.
const HEAD_RAISING: f32 = 1.75;

/// Writes the outline of `region` into `outline`, given the face mesh's oval in crop pixels
/// (`face_oval`, in the mesh's order around the face) and the crop's side.
pub(crate) fn region_outline(
    region: PasteRegion,
    face_oval: &[[f32; 2]],
    side: u32,
    outline: &mut Vec<[f32; 2]>,
) {
    outline.clear();
    match region {
        PasteRegion::FaceOval => outline.extend_from_slice(face_oval),
        PasteRegion::Head => head_outline(face_oval, outline),
        PasteRegion::Crop => {
            // A square well beyond the crop, so that the feather's blur does not darken
            // the crop's edge: the mask's own fade to the crop's edge is the only ramp.
            let side = side as f32;
            let (low, high) = (-side, 2.0 * side);
            outline.extend_from_slice(&[[low, low], [high, low], [high, high], [low, high]]);
        }
    }
}

/// The face oval pushed out from its centre: raised above the eyes for the hair, widened
/// at the temples and ears, and back to the jaw line at the chin.
fn head_outline(face_oval: &[[f32; 2]], outline: &mut Vec<[f32; 2]>) {
    if face_oval.is_empty() {
        return;
    }
    let count = face_oval.len() as f32;
    let centre = face_oval.iter().fold([0.0, 0.0], |sum, point| {
        [sum[0] + point[0] / count, sum[1] + point[1] / count]
    });
    outline.extend(face_oval.iter().map(|point| {
        let (dx, dy) = (point[0] - centre[0], point[1] - centre[1]);
        let length = dx.hypot(dy).max(f32::EPSILON);
        // 1 straight above the centre, 0 level with it; likewise below (crop y is down).
        let up = (-dy / length).max(0.0);
        let down = (dy / length).max(0.0);
        let widening = HEAD_WIDENING + (HEAD_WIDENING_AT_CHIN - HEAD_WIDENING) * down;
        let raising = 1.0 + (HEAD_RAISING - 1.0) * up;
        [centre[0] + dx * widening, centre[1] + dy * raising]
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ellipse of 36 points around (128, 140), radii 60 × 80, starting at the top and
    /// going clockwise on screen, like MediaPipe's face oval.
    fn oval() -> Vec<[f32; 2]> {
        (0..36)
            .map(|step| {
                let angle = step as f32 / 36.0 * std::f32::consts::TAU;
                [128.0 + 60.0 * angle.sin(), 140.0 - 80.0 * angle.cos()]
            })
            .collect()
    }

    fn bounds(points: &[[f32; 2]]) -> [f32; 4] {
        points.iter().fold(
            [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
            |[left, top, right, bottom], p| {
                [
                    left.min(p[0]),
                    top.min(p[1]),
                    right.max(p[0]),
                    bottom.max(p[1]),
                ]
            },
        )
    }

    #[test]
    fn the_face_oval_region_is_the_oval_itself() {
        let mut outline = Vec::new();
        region_outline(PasteRegion::FaceOval, &oval(), 256, &mut outline);
        assert_eq!(outline, oval());
    }

    #[test]
    fn the_head_reaches_above_and_beside_the_face_but_not_below_the_chin() {
        let mut outline = Vec::new();
        region_outline(PasteRegion::Head, &oval(), 256, &mut outline);
        let [face_left, face_top, face_right, face_bottom] = bounds(&oval());
        let [left, top, right, bottom] = bounds(&outline);
        assert!(
            (face_top - top - 60.0).abs() < 0.5,
            "raised by three quarters of the upper extent: {top}"
        );
        assert!(
            (face_left - left - 21.0).abs() < 0.5 && (right - face_right - 21.0).abs() < 0.5,
            "widened by 35 % at the sides: {left}..{right}"
        );
        assert!(
            (bottom - face_bottom).abs() < 1e-3,
            "the chin stays: {bottom}"
        );
        // The chin's point keeps its place; the point at the top only moves up.
        let moved = |index: usize| {
            let ([x, y], [face_x, face_y]) = (outline[index], oval()[index]);
            [x - face_x, y - face_y]
        };
        assert!(
            moved(18).iter().all(|delta| delta.abs() < 1e-3),
            "{:?}",
            moved(18)
        );
        assert!(
            moved(0)[0].abs() < 1e-3 && moved(0)[1] < -59.0,
            "{:?}",
            moved(0)
        );
    }

    #[test]
    fn the_crop_region_covers_the_whole_crop() {
        let mut outline = Vec::new();
        region_outline(PasteRegion::Crop, &oval(), 256, &mut outline);
        let [left, top, right, bottom] = bounds(&outline);
        assert!(left < 0.0 && top < 0.0 && right > 256.0 && bottom > 256.0);
    }
}
