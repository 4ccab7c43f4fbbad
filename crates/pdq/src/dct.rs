//! The partial 2-D DCT (coefficients 1..=16 of each axis of a 64×64 block)
//! and the coefficient sign/transpose tricks that give the hashes of the
//! seven other dihedral orientations without re-hashing.

use std::sync::OnceLock;

/// A 16×16 block of DCT coefficients, row-major.
pub type Block16 = [[f32; 16]; 16];

/// The 16×64 DCT-II matrix of the reference: row `i` holds frequency `i + 1`
/// (the DC row is skipped), entries rounded to `f32` from `f64` maths.
fn dct_matrix() -> &'static [[f32; 64]; 16] {
    static MATRIX: OnceLock<[[f32; 64]; 16]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let scale = (2.0f64 / 64.0).sqrt() as f32;
        let mut matrix = [[0.0f32; 64]; 16];
        for (i, row) in matrix.iter_mut().enumerate() {
            for (j, value) in row.iter_mut().enumerate() {
                let angle =
                    (std::f64::consts::PI / 2.0 / 64.0) * (i as f64 + 1.0) * (2.0 * j as f64 + 1.0);
                *value = (f64::from(scale) * angle.cos()) as f32;
            }
        }
        matrix
    })
}

/// Computes `D · A · Dᵀ`, summing in the reference's order.
pub fn dct_64_to_16(block: &[[f32; 64]; 64]) -> Block16 {
    let matrix = dct_matrix();
    let mut partial = [[0.0f32; 64]; 16];
    for (row, partial_row) in matrix.iter().zip(partial.iter_mut()) {
        for (j, value) in partial_row.iter_mut().enumerate() {
            let mut sum = 0.0f32;
            for (k, weight) in row.iter().enumerate() {
                sum += weight * block[k][j];
            }
            *value = sum;
        }
    }
    let mut out = [[0.0f32; 16]; 16];
    for (partial_row, out_row) in partial.iter().zip(out.iter_mut()) {
        for (matrix_row, value) in matrix.iter().zip(out_row.iter_mut()) {
            let mut sum = 0.0f32;
            for (t, d) in partial_row.iter().zip(matrix_row) {
                sum += t * d;
            }
            *value = sum;
        }
    }
    out
}

/// One of the eight orientations of the square (the dihedral group D4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Orientation {
    /// The image as given.
    Original,
    /// Rotated 90° counter-clockwise.
    Rotate90,
    /// Rotated 180°.
    Rotate180,
    /// Rotated 270° counter-clockwise.
    Rotate270,
    /// Mirrored top to bottom.
    FlipX,
    /// Mirrored left to right.
    FlipY,
    /// Mirrored about the main diagonal (transposed).
    FlipPlus1,
    /// Mirrored about the anti-diagonal.
    FlipMinus1,
}

impl Orientation {
    /// All eight, in the reference's order.
    pub const ALL: [Orientation; 8] = [
        Orientation::Original,
        Orientation::Rotate90,
        Orientation::Rotate180,
        Orientation::Rotate270,
        Orientation::FlipX,
        Orientation::FlipY,
        Orientation::FlipPlus1,
        Orientation::FlipMinus1,
    ];

    /// Short stable name, as used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Orientation::Original => "original",
            Orientation::Rotate90 => "rotate90",
            Orientation::Rotate180 => "rotate180",
            Orientation::Rotate270 => "rotate270",
            Orientation::FlipX => "flipx",
            Orientation::FlipY => "flipy",
            Orientation::FlipPlus1 => "flipplus1",
            Orientation::FlipMinus1 => "flipminus1",
        }
    }
}

/// DCT coefficients of the re-oriented image, derived from the original's.
///
/// Odd-index cosine rows change sign under a mirror of their axis; a
/// transpose swaps the axes.
pub fn reorient(block: &Block16, orientation: Orientation) -> Block16 {
    let mut out = [[0.0f32; 16]; 16];
    for (i, row) in block.iter().enumerate() {
        for (j, &value) in row.iter().enumerate() {
            let (negate, transpose) = match orientation {
                Orientation::Original => (false, false),
                Orientation::Rotate90 => (j & 1 == 0, true),
                Orientation::Rotate180 => ((i + j) & 1 == 1, false),
                Orientation::Rotate270 => (i & 1 == 0, true),
                Orientation::FlipX => (i & 1 == 0, false),
                Orientation::FlipY => (j & 1 == 0, false),
                Orientation::FlipPlus1 => (false, true),
                Orientation::FlipMinus1 => ((i + j) & 1 == 1, true),
            };
            let value = if negate { -value } else { value };
            if transpose {
                out[j][i] = value;
            } else {
                out[i][j] = value;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_rows_are_orthonormal_cosines() {
        let matrix = dct_matrix();
        for a in 0..16 {
            for b in 0..16 {
                let dot: f64 = (0..64)
                    .map(|k| f64::from(matrix[a][k]) * f64::from(matrix[b][k]))
                    .sum();
                let expected = if a == b { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() < 1e-5, "rows {a},{b}: {dot}");
            }
        }
    }

    #[test]
    fn flat_block_has_no_ac_energy() {
        let block = [[100.0f32; 64]; 64];
        let out = dct_64_to_16(&block);
        assert!(out.iter().flatten().all(|v| v.abs() < 1e-2));
    }

    #[test]
    fn reorientations_match_transformed_pixels() {
        // A block with structure in both axes, transformed in pixel space.
        let mut block = [[0.0f32; 64]; 64];
        for (y, row) in block.iter_mut().enumerate() {
            for (x, value) in row.iter_mut().enumerate() {
                *value = ((x * 7 + y * 3) % 23) as f32 + (x as f32 * 0.5) - (y * y) as f32 * 0.01;
            }
        }
        let original = dct_64_to_16(&block);
        for orientation in Orientation::ALL {
            let mut moved = [[0.0f32; 64]; 64];
            for (y, line) in moved.iter_mut().enumerate() {
                for (x, value) in line.iter_mut().enumerate() {
                    let (sy, sx) = match orientation {
                        Orientation::Original => (y, x),
                        Orientation::Rotate90 => (x, 63 - y),
                        Orientation::Rotate180 => (63 - y, 63 - x),
                        Orientation::Rotate270 => (63 - x, y),
                        Orientation::FlipX => (63 - y, x),
                        Orientation::FlipY => (y, 63 - x),
                        Orientation::FlipPlus1 => (x, y),
                        Orientation::FlipMinus1 => (63 - x, 63 - y),
                    };
                    *value = block[sy][sx];
                }
            }
            let direct = dct_64_to_16(&moved);
            let derived = reorient(&original, orientation);
            for i in 0..16 {
                for j in 0..16 {
                    assert!(
                        (direct[i][j] - derived[i][j]).abs() < 1e-2,
                        "{orientation:?} at {i},{j}: {} vs {}",
                        direct[i][j],
                        derived[i][j]
                    );
                }
            }
        }
    }
}
