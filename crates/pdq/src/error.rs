//! Errors of PDQ hashing and hash parsing.

/// Why an image could not be hashed or a hash could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdqError {
    /// A hex hash of the wrong length.
    #[error("a PDQ hash has 64 hex digits, found {found} characters")]
    HexLength {
        /// Number of characters found.
        found: usize,
    },
    /// A character that is not a hex digit.
    #[error(
        "a PDQ hash has only hex digits 0-9 and a-f, found another character at position {position}"
    )]
    HexDigit {
        /// Zero-based byte position of the offending character.
        position: usize,
    },
    /// Width or height is zero.
    #[error("the image is {width}x{height} pixels; both sides must be at least 1")]
    EmptyImage {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// The pixel buffer does not hold width × height pixels.
    #[error(
        "the pixel buffer holds {found} bytes but a {width}x{height} image with {channels} channel(s) needs {expected}"
    )]
    BufferSize {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
        /// Bytes per pixel.
        channels: usize,
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// The bytes are neither PNG nor JPEG.
    #[error("unrecognised image format: only PNG and JPEG files can be hashed")]
    UnknownFormat,
    /// The PNG decoder rejected the file.
    #[error("cannot decode PNG: {0}")]
    Png(String),
    /// The JPEG decoder rejected the file.
    #[error("cannot decode JPEG: {0}")]
    Jpeg(String),
    /// The index cannot number more entries.
    #[error(
        "the index is full: it holds at most 4,294,967,295 hashes; split the bank across several indexes"
    )]
    IndexFull,
}
