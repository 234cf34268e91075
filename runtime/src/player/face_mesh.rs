//! The tracked face as a textured mesh: the canonical mesh's triangles (with the eye and
//! mouth openings left open or filled), its UVs, and per-vertex alpha that fades the mesh
//! out at the face's outline and around open holes, so a mask never ends in a hard edge.

use crate::face_regions::{EYE_OPENINGS, FACE_OVAL, MOUTH_OPENING};
use crate::pose::CanonicalFace;
use crate::render::{MeshVertex, Topology};

/// MediaPipe's geometry pipeline assumes a camera with a 63° vertical field of view; the
/// mesh's depth is turned into perspective with the same camera.
const VERTICAL_FIELD_OF_VIEW_DEG: f32 = 63.0;

/// Which openings of the face a mesh leaves uncovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Openings {
    /// The eyes show through.
    pub eyes: bool,
    /// The mouth shows through.
    pub mouth: bool,
}

/// The canonical mesh's triangles for a choice of openings, wound clockwise on screen as
/// the renderers require (the canonical file winds them the other way).
pub(crate) fn topology(face: &CanonicalFace, openings: Openings) -> Topology {
    let inside = |contour: &[u32], triangle: &[u32; 3]| {
        triangle.iter().all(|corner| contour.contains(corner))
    };
    let triangles = face
        .triangles
        .iter()
        .filter(|triangle| {
            let in_eye = EYE_OPENINGS.iter().any(|eye| inside(eye, triangle));
            let in_mouth = inside(&MOUTH_OPENING, triangle);
            let covered = (openings.eyes && in_eye) || (openings.mouth && in_mouth);
            !covered
        })
        .map(|&[a, b, c]| [a, c, b])
        .collect();
    Topology {
        vertex_count: face.vertices.len() as u32,
        triangles,
    }
}

/// Per-vertex alpha: 0 on the face's outline and on the rim of each open hole, 1 elsewhere.
pub(crate) fn edge_alpha(vertex_count: usize, openings: Openings) -> Vec<f32> {
    let mut alpha = vec![1.0; vertex_count];
    let mut fade = |contour: &[u32]| {
        for &index in contour {
            if let Some(value) = alpha.get_mut(index as usize) {
                *value = 0.0;
            }
        }
    };
    fade(&FACE_OVAL);
    if openings.eyes {
        EYE_OPENINGS.iter().for_each(|eye| fade(eye));
    }
    if openings.mouth {
        fade(&MOUTH_OPENING);
    }
    alpha
}

/// Turns landmarks (frame pixels, z away from the viewer at the scale of x) into mesh
/// vertices with UVs, per-vertex alpha and a perspective divisor for a camera of
/// MediaPipe's field of view over a frame `frame_height` pixels tall.
pub(crate) fn vertices<'a>(
    landmarks: &'a [[f32; 3]],
    uvs: &'a [[f32; 2]],
    alpha: &'a [f32],
    frame_height: u32,
) -> impl Iterator<Item = MeshVertex> + 'a {
    let focal = frame_height as f32 / (2.0 * (VERTICAL_FIELD_OF_VIEW_DEG.to_radians() / 2.0).tan());
    let mean_depth =
        landmarks.iter().map(|point| point[2]).sum::<f32>() / landmarks.len().max(1) as f32;
    landmarks
        .iter()
        .zip(uvs)
        .zip(alpha)
        .map(move |((point, uv), &alpha)| MeshVertex {
            x: point[0],
            y: point[1],
            w: (1.0 + (point[2] - mean_depth) / focal).max(0.1),
            u: uv[0],
            v: uv[1],
            alpha,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square_face() -> CanonicalFace {
        // Vertex 33 is on the right eye's contour: a triangle made only of contour points
        // counts as inside the opening.
        let mut vertices = vec![[0.0; 3]; 468];
        vertices[33] = [0.0, 0.0, 0.0];
        vertices[7] = [1.0, 0.0, 0.0];
        vertices[163] = [0.0, 1.0, 0.0];
        CanonicalFace {
            vertices,
            uvs: vec![[0.5; 2]; 468],
            triangles: vec![[33, 7, 163], [33, 7, 1]],
            procrustes_weights: Vec::new(),
        }
    }

    #[test]
    fn open_eyes_drop_the_triangles_inside_them_and_winding_is_flipped() {
        let face = square_face();
        let open = topology(
            &face,
            Openings {
                eyes: true,
                mouth: true,
            },
        );
        assert_eq!(open.triangles, vec![[33, 1, 7]]);
        let closed = topology(
            &face,
            Openings {
                eyes: false,
                mouth: true,
            },
        );
        assert_eq!(closed.triangles.len(), 2);
    }

    #[test]
    fn alpha_fades_on_the_outline_and_open_rims_only() {
        let alpha = edge_alpha(
            468,
            Openings {
                eyes: false,
                mouth: true,
            },
        );
        assert_eq!(alpha[10], 0.0, "forehead top is on the outline");
        assert_eq!(alpha[33], 1.0, "closed eyes are painted over");
        assert_eq!(alpha[13], 0.0, "the open mouth's rim fades");
        assert_eq!(alpha[1], 1.0);
    }
}
