//! Choosing LSH bands × rows for a Jaccard threshold.
//!
//! Two signatures become candidates when all `rows` values of at least one
//! of `bands` bands agree, which happens with probability
//! `1 − (1 − s^rows)^bands` at similarity `s`. The best split trades the
//! area under that curve below the threshold (false positives) against the
//! area above it that is missed (false negatives), as datasketch's
//! `_optimal_param` does, with the same integration so that both pick the
//! same parameters.

use crate::error::MinHashError;

/// Integration step of datasketch's midpoint rule.
const INTEGRATION_STEP: f64 = 0.001;

/// How signatures are cut into bands for locality-sensitive hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LshParams {
    bands: usize,
    rows: usize,
}

impl LshParams {
    /// Explicit bands × rows; both must be at least 1.
    pub fn new(bands: usize, rows: usize) -> Result<Self, MinHashError> {
        if bands == 0 || rows == 0 {
            return Err(MinHashError::ZeroBandsOrRows { bands, rows });
        }
        Ok(Self { bands, rows })
    }

    /// The bands × rows that minimise the weighted false-positive and
    /// false-negative areas for `threshold`, using at most `num_perm`
    /// signature values. Equal weights (0.5, 0.5) are datasketch's default.
    ///
    /// ```
    /// use crosswatch_minhash::LshParams;
    /// let params = LshParams::optimal(0.8, 128, 0.5, 0.5).unwrap();
    /// assert!(params.bands() * params.rows() <= 128);
    /// assert!(params.candidate_probability(0.95) > 0.99);
    /// ```
    pub fn optimal(
        threshold: f64,
        num_perm: usize,
        false_positive_weight: f64,
        false_negative_weight: f64,
    ) -> Result<Self, MinHashError> {
        check_threshold(threshold)?;
        if num_perm == 0 {
            return Err(MinHashError::ZeroPermutations);
        }
        let weights_valid = false_positive_weight >= 0.0
            && false_negative_weight >= 0.0
            && (false_positive_weight + false_negative_weight - 1.0).abs() < 1e-9;
        if !weights_valid {
            return Err(MinHashError::InvalidWeights {
                false_positive: false_positive_weight,
                false_negative: false_negative_weight,
            });
        }
        let mut best = Self { bands: 1, rows: 1 };
        let mut best_error = f64::INFINITY;
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let params = Self { bands, rows };
                let error = false_positive_weight * params.false_positive_area(threshold)
                    + false_negative_weight * params.false_negative_area(threshold);
                if error < best_error {
                    best_error = error;
                    best = params;
                }
            }
        }
        Ok(best)
    }

    /// Number of bands (hash tables).
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// Signature values per band.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Signature values used: `bands × rows`.
    pub fn values_used(&self) -> usize {
        self.bands * self.rows
    }

    /// Probability that two documents of Jaccard similarity `similarity`
    /// share at least one band.
    pub fn candidate_probability(&self, similarity: f64) -> f64 {
        let band_match = similarity.powi(saturating_i32(self.rows));
        1.0 - (1.0 - band_match).powi(saturating_i32(self.bands))
    }

    /// Area under the candidate curve below `threshold`.
    pub fn false_positive_area(&self, threshold: f64) -> f64 {
        integrate(|s| self.candidate_probability(s), 0.0, threshold)
    }

    /// Area above the candidate curve from `threshold` to 1.
    pub fn false_negative_area(&self, threshold: f64) -> f64 {
        integrate(|s| 1.0 - self.candidate_probability(s), threshold, 1.0)
    }

    /// Checks that signatures of `num_perm` values have enough for the bands.
    pub(crate) fn check_fits(&self, num_perm: usize) -> Result<(), MinHashError> {
        if self.values_used() > num_perm {
            return Err(MinHashError::ParamsExceedPermutations {
                bands: self.bands,
                rows: self.rows,
                num_perm,
            });
        }
        Ok(())
    }
}

/// Rejects thresholds outside (0, 1] and NaN.
pub(crate) fn check_threshold(threshold: f64) -> Result<(), MinHashError> {
    if threshold > 0.0 && threshold <= 1.0 {
        Ok(())
    } else {
        Err(MinHashError::InvalidThreshold(threshold))
    }
}

fn saturating_i32(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// Midpoint rule with datasketch's fixed step.
fn integrate(f: impl Fn(f64) -> f64, from: f64, to: f64) -> f64 {
    let mut area = 0.0;
    let mut x = from;
    while x < to {
        area += f(x + 0.5 * INTEGRATION_STEP) * INTEGRATION_STEP;
        x += INTEGRATION_STEP;
    }
    area
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_inputs() {
        assert!(matches!(
            LshParams::optimal(0.0, 128, 0.5, 0.5),
            Err(MinHashError::InvalidThreshold(_))
        ));
        assert!(matches!(
            LshParams::optimal(f64::NAN, 128, 0.5, 0.5),
            Err(MinHashError::InvalidThreshold(_))
        ));
        assert!(matches!(
            LshParams::optimal(0.5, 128, 0.7, 0.7),
            Err(MinHashError::InvalidWeights { .. })
        ));
        assert_eq!(
            LshParams::optimal(0.5, 0, 0.5, 0.5).unwrap_err(),
            MinHashError::ZeroPermutations
        );
        assert!(LshParams::new(0, 4).is_err());
    }

    #[test]
    fn matches_datasketch_choices() {
        // Values printed by datasketch 2.0 `_optimal_param(t, 128, 0.5, 0.5)`.
        for (threshold, bands, rows) in DATASKETCH_CHOICES {
            let params = LshParams::optimal(threshold, 128, 0.5, 0.5).unwrap();
            assert_eq!(
                (params.bands(), params.rows()),
                (bands, rows),
                "threshold {threshold}"
            );
        }
    }

    const DATASKETCH_CHOICES: [(f64, usize, usize); 5] = [
        (0.3, 37, 3),
        (0.5, 25, 5),
        (0.7, 14, 9),
        (0.8, 9, 13),
        (0.9, 5, 25),
    ];

    #[test]
    fn higher_threshold_means_stricter_bands() {
        let loose = LshParams::optimal(0.5, 128, 0.5, 0.5).unwrap();
        let strict = LshParams::optimal(0.9, 128, 0.5, 0.5).unwrap();
        assert!(strict.candidate_probability(0.5) < loose.candidate_probability(0.5));
        assert!(strict.candidate_probability(0.95) > 0.75);
    }
}
