//! Named regions of MediaPipe's 468-point face mesh, as closed contours of landmark
//! indices: the face's outline, the eye openings, the lips, the mouth opening and the
//! brows. Masks cut holes and fade edges along them; the face-model layer's blend mask
//! follows the outline; the art tools place paint by them. Also the numbering of the irises
//! appended to the mesh where the eyes are refined, as MediaPipe's `refine_landmarks` does.

/// Points of MediaPipe's face mesh.
pub const MESH_LANDMARK_COUNT: u32 = 468;

/// Points of the mesh with both irises appended (where the eyes are refined), numbered as
/// MediaPipe's `refine_landmarks` numbers them: 468 is the centre of the subject's right
/// iris (on the image's left) and 469–472 points on its edge; 473 is the centre of the
/// left iris and 474–477 points on its edge.
pub const LANDMARK_COUNT_WITH_IRISES: u32 = 478;

/// The centre of each iris: the subject's right (on the image's left), then left.
pub const IRIS_CENTERS: [u32; 2] = [468, 473];

/// The face's outline, clockwise on screen from the top of the forehead (landmark 10).
pub const FACE_OVAL: [u32; 36] = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/// The subject's right eye opening (on the image's left), along the lid margins.
pub const RIGHT_EYE: [u32; 16] = [
    33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246,
];

/// The subject's left eye opening (on the image's right), along the lid margins.
pub const LEFT_EYE: [u32; 16] = [
    263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466,
];

/// The mouth opening, along the inner edge of the lips.
pub const MOUTH_OPENING: [u32; 20] = [
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191,
];

/// The outer edge of the lips, from the subject's right mouth corner (61).
pub const LIPS_OUTER: [u32; 20] = [
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
];

/// The subject's right brow (on the image's left): the upper edge from the temple inwards,
/// then the lower edge back out.
pub const RIGHT_BROW: [u32; 10] = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46];

/// The subject's left brow (on the image's right), as [`RIGHT_BROW`].
pub const LEFT_BROW: [u32; 10] = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276];

/// The eye openings, the subject's right eye first.
pub const EYE_OPENINGS: [&[u32]; 2] = [&RIGHT_EYE, &LEFT_EYE];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contours_are_distinct_landmarks_of_the_mesh() {
        for contour in [
            &FACE_OVAL[..],
            &RIGHT_EYE,
            &LEFT_EYE,
            &MOUTH_OPENING,
            &LIPS_OUTER,
            &RIGHT_BROW,
            &LEFT_BROW,
        ] {
            let mut sorted = contour.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), contour.len());
            assert!(contour.iter().all(|&index| index < 468));
        }
    }
}
