//! Weighted similarity alignment of two point sets (rotation, scale, translation) by
//! Horn's closed-form quaternion method: the best rotation is the eigenvector of a 4×4
//! symmetric matrix built from the weighted cross-covariance.

/// A rotation matrix, rows first.
pub type Matrix3 = [[f32; 3]; 3];

/// The similarity that best maps `from` onto `to` under `weights`: to ≈ scale·R·from + t.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Rotation.
    pub rotation: Matrix3,
    /// Uniform scale.
    pub scale: f32,
    /// Translation.
    pub translation: [f32; 3],
}

fn centroid(points: &[[f32; 3]], weights: &[f32], total: f64) -> [f64; 3] {
    let mut sum = [0.0f64; 3];
    for (point, &weight) in points.iter().zip(weights) {
        for axis in 0..3 {
            sum[axis] += f64::from(point[axis]) * f64::from(weight);
        }
    }
    sum.map(|value| value / total)
}

/// Largest-eigenvalue eigenvector of a symmetric 4×4 matrix, by cyclic Jacobi rotations.
fn dominant_eigenvector(mut matrix: [[f64; 4]; 4]) -> [f64; 4] {
    let mut vectors = [[0.0f64; 4]; 4];
    for (index, row) in vectors.iter_mut().enumerate() {
        row[index] = 1.0;
    }
    for _sweep in 0..50 {
        let off_diagonal: f64 = (0..4)
            .flat_map(|p| (p + 1..4).map(move |q| (p, q)))
            .map(|(p, q)| matrix[p][q].powi(2))
            .sum();
        if off_diagonal < 1e-22 {
            break;
        }
        for p in 0..4 {
            for q in p + 1..4 {
                if matrix[p][q].abs() < 1e-30 {
                    continue;
                }
                let theta = (matrix[q][q] - matrix[p][p]) / (2.0 * matrix[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                // Rotate columns p and q, then rows p and q: matrix ← Jᵀ·matrix·J.
                for row in matrix.iter_mut() {
                    let (mkp, mkq) = (row[p], row[q]);
                    row[p] = c * mkp - s * mkq;
                    row[q] = s * mkp + c * mkq;
                }
                let (row_p, row_q) = (matrix[p], matrix[q]);
                for column in 0..4 {
                    matrix[p][column] = c * row_p[column] - s * row_q[column];
                    matrix[q][column] = s * row_p[column] + c * row_q[column];
                }
                for row in vectors.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    let best = (0..4)
        .max_by(|&a, &b| matrix[a][a].total_cmp(&matrix[b][b]))
        .unwrap_or(0);
    [
        vectors[0][best],
        vectors[1][best],
        vectors[2][best],
        vectors[3][best],
    ]
}

/// Aligns `from` onto `to`. `None` when the sets differ in length, the weights sum to
/// zero, or `from` has no extent.
pub fn align(from: &[[f32; 3]], to: &[[f32; 3]], weights: &[f32]) -> Option<Similarity> {
    if from.len() != to.len() || from.len() != weights.len() || from.is_empty() {
        return None;
    }
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let (from_centre, to_centre) = (centroid(from, weights, total), centroid(to, weights, total));
    let mut covariance = [[0.0f64; 3]; 3];
    let mut from_spread = 0.0f64;
    for ((a, b), &weight) in from.iter().zip(to).zip(weights) {
        let a: [f64; 3] = std::array::from_fn(|axis| f64::from(a[axis]) - from_centre[axis]);
        let b: [f64; 3] = std::array::from_fn(|axis| f64::from(b[axis]) - to_centre[axis]);
        for row in 0..3 {
            for column in 0..3 {
                covariance[row][column] += f64::from(weight) * a[row] * b[column];
            }
        }
        from_spread += f64::from(weight) * (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    }
    if from_spread <= 1e-12 {
        return None;
    }
    let [[sxx, sxy, sxz], [syx, syy, syz], [szx, szy, szz]] = covariance;
    let horn = [
        [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
        [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
        [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
        [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
    ];
    let [w, x, y, z] = dominant_eigenvector(horn);
    let norm = (w * w + x * x + y * y + z * z).sqrt();
    let (w, x, y, z) = (w / norm, x / norm, y / norm, z / norm);
    let rotation64 = [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y - w * z),
            2.0 * (x * z + w * y),
        ],
        [
            2.0 * (x * y + w * z),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z - w * x),
        ],
        [
            2.0 * (x * z - w * y),
            2.0 * (y * z + w * x),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ];
    // scale = Σ w·b·(R a) / Σ w·|a|², which is trace(Rᵀ·S') with S' the transpose of the covariance.
    let mut correlation = 0.0;
    for row in 0..3 {
        for column in 0..3 {
            correlation += rotation64[row][column] * covariance[column][row];
        }
    }
    let scale = correlation / from_spread;
    let translation: [f64; 3] = std::array::from_fn(|row| {
        to_centre[row]
            - scale
                * (0..3)
                    .map(|column| rotation64[row][column] * from_centre[column])
                    .sum::<f64>()
    });
    Some(Similarity {
        rotation: rotation64.map(|row| row.map(|value| value as f32)),
        scale: scale as f32,
        translation: translation.map(|value| value as f32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotate(rotation: &Matrix3, point: [f32; 3]) -> [f32; 3] {
        std::array::from_fn(|row| {
            (0..3)
                .map(|column| rotation[row][column] * point[column])
                .sum()
        })
    }

    #[test]
    fn recovers_a_known_similarity() {
        let (yaw, pitch): (f32, f32) = (0.4, -0.3);
        let ry = [
            [yaw.cos(), 0.0, yaw.sin()],
            [0.0, 1.0, 0.0],
            [-yaw.sin(), 0.0, yaw.cos()],
        ];
        let rx = [
            [1.0, 0.0, 0.0],
            [0.0, pitch.cos(), -pitch.sin()],
            [0.0, pitch.sin(), pitch.cos()],
        ];
        let rotation: Matrix3 = std::array::from_fn(|r| {
            std::array::from_fn(|c| (0..3).map(|k| ry[r][k] * rx[k][c]).sum())
        });
        let from: Vec<[f32; 3]> = (0..20)
            .map(|i| [(i % 5) as f32, (i / 5) as f32 * 1.5, ((i * 7) % 3) as f32])
            .collect();
        let to: Vec<[f32; 3]> = from
            .iter()
            .map(|&p| {
                let r = rotate(&rotation, p);
                [2.5 * r[0] + 10.0, 2.5 * r[1] - 4.0, 2.5 * r[2] + 1.0]
            })
            .collect();
        let found = align(&from, &to, &vec![1.0; from.len()]).unwrap();
        assert!((found.scale - 2.5).abs() < 1e-4, "scale {}", found.scale);
        for (row, expected_row) in found.rotation.iter().zip(rotation) {
            for (value, expected) in row.iter().zip(expected_row) {
                assert!((value - expected).abs() < 1e-4);
            }
        }
        assert!((found.translation[0] - 10.0).abs() < 1e-3);
    }

    #[test]
    fn degenerate_input_gives_none() {
        assert!(align(&[[1.0; 3]; 4], &[[2.0; 3]; 4], &[1.0; 4]).is_none());
        assert!(align(&[[0.0; 3]], &[], &[1.0]).is_none());
        assert!(
            align(
                &[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]],
                &[[0.0; 3]; 2],
                &[0.0; 2]
            )
            .is_none()
        );
    }
}
