//! Torben Mogensen's median: the exact lower median without sorting or
//! copying, which is what the reference thresholds the DCT coefficients at.

/// The lower median (the `(n + 1) / 2`-th smallest value) of `values`;
/// `None` when empty. NaN values are not expected (the hash pipeline cannot
/// produce them from finite pixels).
pub fn torben(values: &[f32]) -> Option<f32> {
    let first = *values.first()?;
    let half = values.len().div_ceil(2);
    let (mut min, mut max) = (first, first);
    for &value in values {
        if value < min {
            min = value;
        }
        if value > max {
            max = value;
        }
    }
    loop {
        let guess = (min + max) / 2.0;
        let (mut less, mut greater, mut equal) = (0usize, 0usize, 0usize);
        let (mut max_below, mut min_above) = (min, max);
        for &value in values {
            if value < guess {
                less += 1;
                if value > max_below {
                    max_below = value;
                }
            } else if value > guess {
                greater += 1;
                if value < min_above {
                    min_above = value;
                }
            } else {
                equal += 1;
            }
        }
        if less <= half && greater <= half {
            return Some(if less >= half {
                max_below
            } else if less + equal >= half {
                guess
            } else {
                min_above
            });
        }
        if less > greater {
            max = max_below;
        } else {
            min = min_above;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_cases() {
        assert_eq!(torben(&[]), None);
        assert_eq!(torben(&[3.0]), Some(3.0));
        assert_eq!(torben(&[1.0, 2.0]), Some(1.0));
        assert_eq!(torben(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(torben(&[2.0, 2.0, 2.0, 9.0]), Some(2.0));
    }

    proptest! {
        #[test]
        fn equals_sorted_lower_median(values in prop::collection::vec(-1000i32..1000, 1..300)) {
            let floats: Vec<f32> = values.iter().map(|&v| v as f32 / 7.0).collect();
            let mut sorted = floats.clone();
            sorted.sort_by(f32::total_cmp);
            let expected = sorted[sorted.len().div_ceil(2) - 1];
            prop_assert_eq!(torben(&floats), Some(expected));
        }
    }
}
