//! The one error type of this crate.

/// Invalid settings or mismatched inputs. Each message says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MinHashError {
    /// An n-gram size of zero would produce no shingles.
    #[error("{kind} must be at least 1 (got 0); 5 characters suits short posts")]
    ZeroNgram {
        /// Which setting was zero (`char_ngram` or `word_ngram`).
        kind: &'static str,
    },
    /// Neither character nor word shingles are enabled.
    #[error("no shingle kind is enabled: set char_ngram (e.g. 5) or word_ngram (e.g. 2)")]
    NoShingleKind,
    /// `num_perm` of zero gives empty signatures.
    #[error("num_perm must be at least 1 (128 is the usual choice)")]
    ZeroPermutations,
    /// A Jaccard threshold outside (0, 1].
    #[error("Jaccard threshold must be greater than 0 and at most 1, got {0}")]
    InvalidThreshold(f64),
    /// False-positive/negative weights that are negative or do not sum to 1.
    #[error(
        "false-positive weight ({false_positive}) and false-negative weight ({false_negative}) must be non-negative and sum to 1"
    )]
    InvalidWeights {
        /// The false-positive weight given.
        false_positive: f64,
        /// The false-negative weight given.
        false_negative: f64,
    },
    /// Zero LSH bands or rows.
    #[error("LSH bands and rows must both be at least 1 (got {bands} bands × {rows} rows)")]
    ZeroBandsOrRows {
        /// Bands given.
        bands: usize,
        /// Rows given.
        rows: usize,
    },
    /// bands × rows needs more signature values than there are.
    #[error(
        "LSH bands × rows = {bands} × {rows} needs more than the {num_perm} values of a signature; lower bands or rows, or raise num_perm"
    )]
    ParamsExceedPermutations {
        /// Bands given.
        bands: usize,
        /// Rows given.
        rows: usize,
        /// Signature length available.
        num_perm: usize,
    },
    /// A signature of the wrong length for this index or comparison.
    #[error(
        "signature has {actual} values but {expected} were expected; compute all signatures with the same num_perm"
    )]
    SignatureLength {
        /// Length expected.
        expected: usize,
        /// Length given.
        actual: usize,
    },
    /// The key is already in the index.
    #[error("key is already in the LSH index; remove it first to replace its signature")]
    DuplicateKey,
    /// More than 2³² documents were inserted into one index.
    #[error("LSH index is full (2^32 documents); shard the collection over several indexes")]
    IndexFull,
    /// Signatures and shingle sets of one batch differ in number.
    #[error(
        "batch has {signatures} signatures but {shingle_sets} shingle sets; compute both for the same documents"
    )]
    BatchLengthMismatch {
        /// Number of signatures.
        signatures: usize,
        /// Number of shingle sets.
        shingle_sets: usize,
    },
    /// A candidate pair names a document outside the batch.
    #[error(
        "pair ({left}, {right}) refers to a document beyond the {len} given; pass the same batch the pairs came from"
    )]
    PairOutOfRange {
        /// First index of the pair.
        left: usize,
        /// Second index of the pair.
        right: usize,
        /// Number of documents given.
        len: usize,
    },
    /// Band keys made with different bands × rows cannot be joined.
    #[error(
        "band keys of {left_bands} × {left_rows} and {right_bands} × {right_rows} cannot be joined; band every signature the same way"
    )]
    BandingMismatch {
        /// Bands of the keys joined into.
        left_bands: usize,
        /// Rows of the keys joined into.
        left_rows: usize,
        /// Bands of the keys appended.
        right_bands: usize,
        /// Rows of the keys appended.
        right_rows: usize,
    },
}
