//! Luminance and the Jarosz tent-filter downsampling to 64×64.
//!
//! Every arithmetic step uses `f32` in the reference's order of operations:
//! a different rounding anywhere here can flip a hash bit whose DCT
//! coefficient lies next to the median.

/// Luma weights of the reference (ITU-R BT.601), applied in `f32`.
const LUMA_FROM_R: f32 = 0.299;
const LUMA_FROM_G: f32 = 0.587;
const LUMA_FROM_B: f32 = 0.114;

/// The reference's file hasher first shrinks images wider or taller than
/// this to exactly this square size with a nearest-neighbour pick, because
/// the two-pass box filter is slow on large inputs.
pub const PRESCALE_DIMENSION: usize = 512;

/// Side of the downsampled square the DCT reads.
pub const DOWNSAMPLED_DIMENSION: usize = 64;

/// Number of (rows, columns) box-filter pass pairs; two make a tent filter.
const JAROSZ_PASSES: usize = 2;

/// Luminance of one RGB pixel, as the reference computes it.
#[inline]
pub fn luma_of_rgb(red: u8, green: u8, blue: u8) -> f32 {
    LUMA_FROM_R * f32::from(red) + LUMA_FROM_G * f32::from(green) + LUMA_FROM_B * f32::from(blue)
}

/// Source coordinate that CImg's nearest-neighbour resize (its default
/// interpolation) picks for `target` when scaling `source_len` to `target_len`.
#[inline]
pub fn nearest_source_index(target: usize, source_len: usize, target_len: usize) -> usize {
    // Widen so the product cannot overflow on 32-bit targets.
    ((target as u128 * source_len as u128) / target_len as u128) as usize
}

/// Size the image has after the reference's optional pre-shrink.
pub fn prescaled_size(width: usize, height: usize) -> (usize, usize) {
    if width > PRESCALE_DIMENSION || height > PRESCALE_DIMENSION {
        (PRESCALE_DIMENSION, PRESCALE_DIMENSION)
    } else {
        (width, height)
    }
}

/// Builds the row-major `f32` luma plane of `out_width`×`out_height`, picking
/// source pixels by nearest neighbour (identity when sizes agree).
///
/// `pixel_luma(x, y)` gives the luma of source pixel (x, y); callers make
/// sure it is only called with in-range coordinates.
pub fn sample_luma(
    width: usize,
    height: usize,
    out_width: usize,
    out_height: usize,
    mut pixel_luma: impl FnMut(usize, usize) -> f32,
) -> Vec<f32> {
    let columns: Vec<usize> = (0..out_width)
        .map(|x| nearest_source_index(x, width, out_width))
        .collect();
    let mut plane = Vec::with_capacity(out_width * out_height);
    for y in 0..out_height {
        let source_y = nearest_source_index(y, height, out_height);
        plane.extend(
            columns
                .iter()
                .map(|&source_x| pixel_luma(source_x, source_y)),
        );
    }
    plane
}

/// Window size of one box pass: half of the input pixels per output pixel,
/// rounded up, as in the reference.
pub fn jarosz_window_size(old_dimension: usize, new_dimension: usize) -> usize {
    old_dimension.div_ceil(2 * new_dimension)
}

/// One-dimensional box filter over `length` values starting at `start`,
/// `stride` apart, with the reference's running sum and edge handling.
fn box_1d(
    input: &[f32],
    output: &mut [f32],
    start: usize,
    length: usize,
    stride: usize,
    window: usize,
) {
    let half_window = (window + 2) / 2;
    let phase_1 = half_window - 1;
    let phase_2 = window - half_window + 1;
    let phase_3 = length.saturating_sub(window);
    let phase_4 = half_window - 1;

    let mut left = start;
    let mut right = start;
    let mut out = start;
    let mut sum = 0.0f32;
    let mut current_window = 0usize;

    for _ in 0..phase_1 {
        sum += input[right];
        current_window += 1;
        right += stride;
    }
    for _ in 0..phase_2 {
        sum += input[right];
        current_window += 1;
        output[out] = sum / current_window as f32;
        right += stride;
        out += stride;
    }
    for _ in 0..phase_3 {
        sum += input[right];
        sum -= input[left];
        output[out] = sum / current_window as f32;
        left += stride;
        right += stride;
        out += stride;
    }
    for _ in 0..phase_4 {
        sum -= input[left];
        current_window -= 1;
        output[out] = sum / current_window as f32;
        left += stride;
        out += stride;
    }
}

/// The box filter of [`box_1d`] down every column at once, sweeping rows
/// so that memory is read in order. Each column sees exactly the additions,
/// subtractions and divisions `box_1d` would do, so results are identical.
fn box_columns(input: &[f32], output: &mut [f32], rows: usize, columns: usize, window: usize) {
    let half_window = (window + 2) / 2;
    let phase_1 = half_window - 1;
    let phase_2 = window - half_window + 1;
    let phase_3 = rows.saturating_sub(window);
    let phase_4 = half_window - 1;

    let row = |index: usize| &input[index * columns..(index + 1) * columns];
    let mut sums = vec![0.0f32; columns];
    let (mut left, mut right, mut out) = (0usize, 0usize, 0usize);
    let mut current_window = 0usize;

    let write = |out: usize, sums: &[f32], count: usize, output: &mut [f32]| {
        let divisor = count as f32;
        for (target, sum) in output[out * columns..(out + 1) * columns]
            .iter_mut()
            .zip(sums)
        {
            *target = sum / divisor;
        }
    };
    for _ in 0..phase_1 {
        sums.iter_mut()
            .zip(row(right))
            .for_each(|(sum, v)| *sum += v);
        current_window += 1;
        right += 1;
    }
    for _ in 0..phase_2 {
        sums.iter_mut()
            .zip(row(right))
            .for_each(|(sum, v)| *sum += v);
        current_window += 1;
        write(out, &sums, current_window, output);
        right += 1;
        out += 1;
    }
    for _ in 0..phase_3 {
        sums.iter_mut()
            .zip(row(right).iter().zip(row(left)))
            .for_each(|(sum, (add, sub))| {
                *sum += add;
                *sum -= sub;
            });
        write(out, &sums, current_window, output);
        left += 1;
        right += 1;
        out += 1;
    }
    for _ in 0..phase_4 {
        sums.iter_mut()
            .zip(row(left))
            .for_each(|(sum, v)| *sum -= v);
        current_window -= 1;
        write(out, &sums, current_window, output);
        left += 1;
        out += 1;
    }
}

/// Two passes of (box along rows, box along columns), in place in `plane`;
/// `scratch` is a same-size work buffer.
///
/// The window never exceeds the dimension it runs along (callers guarantee
/// at least the reference's minimum size, and the window is about 1/128 of
/// it), so every index stays inside the plane.
pub fn jarosz_filter(
    plane: &mut [f32],
    scratch: &mut [f32],
    rows: usize,
    columns: usize,
    window_along_rows: usize,
    window_along_columns: usize,
) {
    for _ in 0..JAROSZ_PASSES {
        for row in 0..rows {
            box_1d(plane, scratch, row * columns, columns, 1, window_along_rows);
        }
        box_columns(scratch, plane, rows, columns, window_along_columns);
    }
}
/// Picks the 64×64 samples at the centres of the target cells.
pub fn decimate(plane: &[f32], rows: usize, columns: usize) -> [[f32; 64]; 64] {
    let mut out = [[0.0f32; 64]; 64];
    for (out_row, out_line) in out.iter_mut().enumerate() {
        let in_row = centre_index(out_row, rows);
        for (out_column, value) in out_line.iter_mut().enumerate() {
            let in_column = centre_index(out_column, columns);
            *value = plane[in_row * columns + in_column];
        }
    }
    out
}

#[inline]
fn centre_index(out_index: usize, in_len: usize) -> usize {
    (((out_index as f64 + 0.5) * in_len as f64) / DOWNSAMPLED_DIMENSION as f64) as usize
}

/// Downsamples a luma plane to 64×64 as the reference does: blur with the
/// tent filter, then decimate. A plane that is already 64×64 is copied
/// unless `always_filter` (the reference's dihedral path always filters).
pub fn downsample_to_64(
    mut plane: Vec<f32>,
    rows: usize,
    columns: usize,
    always_filter: bool,
) -> [[f32; 64]; 64] {
    if !always_filter && rows == DOWNSAMPLED_DIMENSION && columns == DOWNSAMPLED_DIMENSION {
        let mut out = [[0.0f32; 64]; 64];
        for (out_line, in_line) in out.iter_mut().zip(plane.chunks_exact(64)) {
            out_line.copy_from_slice(in_line);
        }
        return out;
    }
    let window_along_rows = jarosz_window_size(columns, DOWNSAMPLED_DIMENSION);
    let window_along_columns = jarosz_window_size(rows, DOWNSAMPLED_DIMENSION);
    let mut scratch = vec![0.0f32; plane.len()];
    jarosz_filter(
        &mut plane,
        &mut scratch,
        rows,
        columns,
        window_along_rows,
        window_along_columns,
    );
    decimate(&plane, rows, columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_size_rounds_up_half_block() {
        assert_eq!(jarosz_window_size(1024, 64), 8);
        assert_eq!(jarosz_window_size(1025, 64), 9);
        assert_eq!(jarosz_window_size(64, 64), 1);
        assert_eq!(jarosz_window_size(5, 64), 1);
        assert_eq!(jarosz_window_size(512, 64), 4);
    }

    #[test]
    fn box_filter_matches_reference_worked_example() {
        // The reference documents window 7 over 0..15 with these sums.
        let input: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let mut output = vec![0.0f32; 16];
        box_1d(&input, &mut output, 0, 16, 1, 7);
        let sums = [
            6, 10, 15, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 75, 65, 54,
        ];
        let counts = [4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 5, 4];
        for ((value, sum), count) in output.iter().zip(sums).zip(counts) {
            assert_eq!(*value, sum as f32 / count as f32);
        }
    }

    #[test]
    fn column_sweep_equals_per_column_filter() {
        let (rows, columns) = (37, 11);
        let input: Vec<f32> = (0..rows * columns)
            .map(|i| ((i * 7919) % 251) as f32 * 0.37)
            .collect();
        for window in [1, 2, 3, 6, 7] {
            let mut swept = vec![0.0f32; input.len()];
            box_columns(&input, &mut swept, rows, columns, window);
            let mut per_column = vec![0.0f32; input.len()];
            for column in 0..columns {
                box_1d(&input, &mut per_column, column, rows, columns, window);
            }
            // Bit-identical, not merely close.
            let same = swept
                .iter()
                .zip(&per_column)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "window {window}");
        }
    }

    #[test]
    fn nearest_pick_matches_cimg_offsets() {
        assert_eq!(nearest_source_index(0, 1600, 512), 0);
        assert_eq!(nearest_source_index(1, 1600, 512), 3);
        assert_eq!(nearest_source_index(511, 1600, 512), 1596);
        assert_eq!(nearest_source_index(5, 300, 512), 2);
    }

    #[test]
    fn flat_plane_stays_flat() {
        let plane = vec![42.5f32; 100 * 70];
        let out = downsample_to_64(plane, 70, 100, false);
        assert!(out.iter().flatten().all(|&v| (v - 42.5).abs() < 1e-3));
    }
}
