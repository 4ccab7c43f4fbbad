//! PDQ hashing of decoded pixels, step for step as Meta's C++ reference.
//!
//! Pipeline: `f32` luma → two-pass box (tent) filter and decimation to 64×64 → quality
//! metric on the 64×64 block → 16×16 DCT → one bit per coefficient, set when
//! it exceeds the median.

use crate::dct::{Block16, Orientation, dct_64_to_16, reorient};
use crate::downscale::{downsample_to_64, luma_of_rgb, prescaled_size, sample_luma};
use crate::error::PdqError;
use crate::hash::PdqHash;
use crate::median::torben;

/// Images narrower or shorter than this get the all-zero hash and quality 0,
/// as in the reference: too little content to say anything.
pub const MIN_HASHABLE_DIMENSION: usize = 5;

/// How the pixels are laid out in the buffer handed to [`hash_pixels`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelLayout {
    /// One grey byte per pixel.
    Luma,
    /// Grey then alpha; alpha is ignored.
    LumaAlpha,
    /// Red, green, blue.
    Rgb,
    /// Red, green, blue, alpha; alpha is ignored.
    Rgba,
}

impl PixelLayout {
    /// Bytes per pixel.
    pub fn channels(self) -> usize {
        match self {
            PixelLayout::Luma => 1,
            PixelLayout::LumaAlpha => 2,
            PixelLayout::Rgb => 3,
            PixelLayout::Rgba => 4,
        }
    }
}

/// Hash of one orientation plus the quality it shares with the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DihedralHashes {
    /// Hashes in the order of [`Orientation::ALL`].
    pub hashes: [PdqHash; 8],
    /// Quality of the image (0..=100), the same for every orientation.
    pub quality: u32,
}

impl DihedralHashes {
    /// The hash of one orientation.
    pub fn get(&self, orientation: Orientation) -> PdqHash {
        let position = Orientation::ALL
            .iter()
            .position(|&candidate| candidate == orientation)
            .unwrap_or(0);
        self.hashes[position]
    }
}

/// PDQ hash and quality (0..=100) of packed 8-bit RGB pixels, row-major,
/// `width * height * 3` bytes.
///
/// Agrees bit for bit with the reference's hashing routine on the same
/// decoded pixels, at any image size. Images under 5 pixels on a side give
/// the zero hash with quality 0.
pub fn hash_rgb(width: usize, height: usize, rgb: &[u8]) -> Result<(PdqHash, u32), PdqError> {
    hash_pixels(width, height, rgb, PixelLayout::Rgb)
}

/// PDQ hash and quality of 8-bit grey pixels, `width * height` bytes.
///
/// Grey values are used as luma directly (as the reference does for
/// single-channel images), which can differ in the last float bit from
/// hashing the same image expanded to RGB.
pub fn hash_luma(width: usize, height: usize, luma: &[u8]) -> Result<(PdqHash, u32), PdqError> {
    hash_pixels(width, height, luma, PixelLayout::Luma)
}

/// PDQ hash and quality of pixels in any [`PixelLayout`].
pub fn hash_pixels(
    width: usize,
    height: usize,
    pixels: &[u8],
    layout: PixelLayout,
) -> Result<(PdqHash, u32), PdqError> {
    hash_prepared(prepare_luma(width, height, pixels, layout, false)?)
}

/// Like [`hash_pixels`], but first shrinks images wider or taller than 512
/// pixels to exactly 512×512 by nearest neighbour, as the reference's
/// command-line file hasher (`pdq-photo-hasher`) does before hashing.
///
/// Use it only to reproduce hashes made by that tool: hash lists made with
/// the reference library routine or its Python binding (and the shared
/// conformance data) hash the full-size pixels, as [`hash_pixels`] does.
/// The two can differ by a few bits on large images.
pub fn hash_pixels_prescaled(
    width: usize,
    height: usize,
    pixels: &[u8],
    layout: PixelLayout,
) -> Result<(PdqHash, u32), PdqError> {
    hash_prepared(prepare_luma(width, height, pixels, layout, true)?)
}

fn hash_prepared(prepared: Option<(Vec<f32>, usize, usize)>) -> Result<(PdqHash, u32), PdqError> {
    let Some((plane, rows, columns)) = prepared else {
        return Ok((PdqHash::default(), 0));
    };
    let block = downsample_to_64(plane, rows, columns, false);
    let quality = quality_metric(&block);
    let coefficients = dct_64_to_16(&block);
    Ok((bits_from_coefficients(&coefficients), quality))
}

/// Hashes of all eight rotations and mirror images from a single pass, for
/// matching content that was flipped or rotated before re-posting.
///
/// As in the reference, this path always runs the box filter, so on an
/// image of exactly 64×64 pixels its original-orientation hash can differ
/// by a bit or two from [`hash_pixels`], which copies such an image as is.
pub fn dihedral_hashes(
    width: usize,
    height: usize,
    pixels: &[u8],
    layout: PixelLayout,
) -> Result<DihedralHashes, PdqError> {
    let Some((plane, rows, columns)) = prepare_luma(width, height, pixels, layout, false)? else {
        return Ok(DihedralHashes {
            hashes: [PdqHash::default(); 8],
            quality: 0,
        });
    };
    let block = downsample_to_64(plane, rows, columns, true);
    let quality = quality_metric(&block);
    let coefficients = dct_64_to_16(&block);
    let hashes = Orientation::ALL
        .map(|orientation| bits_from_coefficients(&reorient(&coefficients, orientation)));
    Ok(DihedralHashes { hashes, quality })
}

/// Validates the buffer and builds the `f32` luma plane, pre-shrunk when
/// `prescale`; `None` when the image is below the minimum hashable size.
fn prepare_luma(
    width: usize,
    height: usize,
    pixels: &[u8],
    layout: PixelLayout,
    prescale: bool,
) -> Result<Option<(Vec<f32>, usize, usize)>, PdqError> {
    if width == 0 || height == 0 {
        return Err(PdqError::EmptyImage { width, height });
    }
    let channels = layout.channels();
    let expected = width
        .checked_mul(height)
        .and_then(|count| count.checked_mul(channels))
        .ok_or(PdqError::BufferSize {
            width,
            height,
            channels,
            expected: usize::MAX,
            found: pixels.len(),
        })?;
    if pixels.len() != expected {
        return Err(PdqError::BufferSize {
            width,
            height,
            channels,
            expected,
            found: pixels.len(),
        });
    }
    // The reference checks the size after its pre-shrink, which only ever
    // produces 512×512, so checking the original size is equivalent.
    if width < MIN_HASHABLE_DIMENSION || height < MIN_HASHABLE_DIMENSION {
        return Ok(None);
    }
    let (columns, rows) = if prescale {
        prescaled_size(width, height)
    } else {
        (width, height)
    };
    // In range: x < width and y < height, so the offset is below `expected`.
    let pixel_luma = |x: usize, y: usize| {
        let offset = (y * width + x) * channels;
        match layout {
            PixelLayout::Luma | PixelLayout::LumaAlpha => f32::from(pixels[offset]),
            PixelLayout::Rgb | PixelLayout::Rgba => {
                luma_of_rgb(pixels[offset], pixels[offset + 1], pixels[offset + 2])
            }
        }
    };
    Ok(Some((
        sample_luma(width, height, columns, rows, pixel_luma),
        rows,
        columns,
    )))
}

/// The reference's heuristic quality: the sum of quantised gradients of the
/// 64×64 block, scaled and capped at 100. Flat or featureless images score
/// low and their hashes match too much to be trusted.
pub fn quality_metric(block: &[[f32; 64]; 64]) -> u32 {
    let mut gradient_sum: i64 = 0;
    let quantised = |u: f32, v: f32| -> i64 {
        // `as` truncates toward zero like the reference's int conversion.
        let scaled = ((u - v) * 100.0) / 255.0;
        i64::from((scaled as i32).unsigned_abs())
    };
    for (upper, lower) in block.iter().zip(block.iter().skip(1)) {
        for (&u, &v) in upper.iter().zip(lower) {
            gradient_sum += quantised(u, v);
        }
    }
    for row in block.iter() {
        for (&u, &v) in row.iter().zip(row.iter().skip(1)) {
            gradient_sum += quantised(u, v);
        }
    }
    let quality = gradient_sum / 90;
    quality.clamp(0, 100) as u32
}

/// One bit per coefficient: set when it is strictly above the median.
fn bits_from_coefficients(coefficients: &Block16) -> PdqHash {
    let flat: Vec<f32> = coefficients.iter().flatten().copied().collect();
    let mut hash = PdqHash::default();
    let Some(median) = torben(&flat) else {
        return hash;
    };
    for (index, &value) in flat.iter().enumerate() {
        if value > median {
            hash.set_bit(index);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random bytes (xorshift64*), so tests need no
    /// random-number crate and always see the same "noise".
    pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut state = seed.max(1);
        (0..len)
            .map(|_| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }

    fn image(width: usize, height: usize, pixel: impl Fn(usize, usize) -> [u8; 3]) -> Vec<u8> {
        let mut rgb = Vec::with_capacity(width * height * 3);
        for y in 0..height {
            for x in 0..width {
                rgb.extend_from_slice(&pixel(x, y));
            }
        }
        rgb
    }

    /// A textured scene of a few overlapping waves: structured like a
    /// photo, with enough edges for a high quality score.
    fn scene(width: usize, height: usize) -> Vec<u8> {
        image(width, height, |x, y| {
            let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
            let v = 128.0
                + 50.0 * (fx * 13.0 + fy * 2.0).sin()
                + 40.0 * (fy * 17.0 - fx * 5.0).cos()
                + 20.0 * ((fx + fy) * 31.0).sin();
            let v = v.clamp(0.0, 255.0) as u8;
            [v, v / 2 + 40, 255 - v]
        })
    }

    #[test]
    fn brightness_shift_stays_within_threshold() {
        let (width, height) = (200, 150);
        let original = scene(width, height);
        let brighter: Vec<u8> = original.iter().map(|v| v.saturating_add(12)).collect();
        let (a, quality) = hash_rgb(width, height, &original).unwrap();
        let (b, _) = hash_rgb(width, height, &brighter).unwrap();
        assert!(quality >= 50, "scene quality {quality}");
        assert!(
            a.hamming_distance(&b) <= 31,
            "distance {}",
            a.hamming_distance(&b)
        );
    }

    #[test]
    fn downscaled_copy_stays_within_threshold() {
        let big = scene(400, 300);
        let small = scene(100, 75);
        let (a, _) = hash_rgb(400, 300, &big).unwrap();
        let (b, _) = hash_rgb(100, 75, &small).unwrap();
        assert!(
            a.hamming_distance(&b) <= 31,
            "distance {}",
            a.hamming_distance(&b)
        );
    }

    #[test]
    fn unrelated_images_are_far_apart() {
        let (width, height) = (128, 96);
        let (a, _) = hash_rgb(width, height, &scene(width, height)).unwrap();
        let (b, quality) = hash_rgb(width, height, &noise(width * height * 3, 7)).unwrap();
        let (c, _) = hash_rgb(width, height, &noise(width * height * 3, 8)).unwrap();
        let checker = image(width, height, |x, y| {
            if (x / 16 + y / 16) % 2 == 0 {
                [255; 3]
            } else {
                [0; 3]
            }
        });
        let (d, _) = hash_rgb(width, height, &checker).unwrap();
        assert!(quality > 0);
        for (x, y) in [(a, b), (b, c), (a, d), (b, d)] {
            assert!(
                x.hamming_distance(&y) > 64,
                "distance {}",
                x.hamming_distance(&y)
            );
        }
    }

    #[test]
    fn half_the_bits_are_set() {
        // Thresholding at the median sets at most 128 of 256 bits.
        let (hash, _) = hash_rgb(90, 90, &noise(90 * 90 * 3, 3)).unwrap();
        assert!(hash.count_ones() <= 128 && hash.count_ones() > 100);
    }

    #[test]
    fn flat_image_has_zero_quality() {
        let grey = vec![128u8; 80 * 60];
        let (_, quality) = hash_luma(80, 60, &grey).unwrap();
        assert_eq!(quality, 0);
    }

    #[test]
    fn tiny_images_get_the_zero_hash() {
        assert_eq!(
            hash_rgb(4, 100, &vec![9u8; 4 * 100 * 3]).unwrap(),
            (PdqHash::default(), 0)
        );
        assert_eq!(
            hash_rgb(0, 10, &[]),
            Err(PdqError::EmptyImage {
                width: 0,
                height: 10
            })
        );
        assert!(matches!(
            hash_rgb(10, 10, &[0u8; 299]),
            Err(PdqError::BufferSize {
                expected: 300,
                found: 299,
                ..
            })
        ));
    }

    #[test]
    fn alpha_channel_is_ignored() {
        let rgb = scene(60, 40);
        let rgba: Vec<u8> = rgb
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 7])
            .collect();
        assert_eq!(
            hash_pixels(60, 40, &rgba, PixelLayout::Rgba).unwrap(),
            hash_rgb(60, 40, &rgb).unwrap()
        );
        let grey = noise(30 * 30, 5);
        let grey_alpha: Vec<u8> = grey.iter().flat_map(|&g| [g, 0]).collect();
        assert_eq!(
            hash_pixels(30, 30, &grey_alpha, PixelLayout::LumaAlpha).unwrap(),
            hash_luma(30, 30, &grey).unwrap()
        );
    }

    #[test]
    fn prescaled_hash_equals_hash_of_nearest_neighbour_shrink() {
        let (width, height) = (700, 530);
        let big = scene(width, height);
        let mut shrunk = Vec::with_capacity(512 * 512 * 3);
        for y in 0..512 {
            for x in 0..512 {
                let offset = ((y * height / 512) * width + x * width / 512) * 3;
                shrunk.extend_from_slice(&big[offset..offset + 3]);
            }
        }
        let prescaled = hash_pixels_prescaled(width, height, &big, PixelLayout::Rgb).unwrap();
        assert_eq!(prescaled, hash_rgb(512, 512, &shrunk).unwrap());
        // Small images are not touched.
        let small = scene(300, 200);
        assert_eq!(
            hash_pixels_prescaled(300, 200, &small, PixelLayout::Rgb).unwrap(),
            hash_rgb(300, 200, &small).unwrap()
        );
    }

    #[test]
    fn dihedral_hashes_match_hashes_of_transformed_pixels() {
        let side = 96;
        let base = scene(side, side);
        let dihedral = dihedral_hashes(side, side, &base, PixelLayout::Rgb).unwrap();
        assert_eq!(
            dihedral.get(Orientation::Original),
            hash_rgb(side, side, &base).unwrap().0
        );
        for orientation in Orientation::ALL {
            let moved = image(side, side, |x, y| {
                let last = side - 1;
                let (sx, sy) = match orientation {
                    Orientation::Original => (x, y),
                    Orientation::Rotate90 => (last - y, x),
                    Orientation::Rotate180 => (last - x, last - y),
                    Orientation::Rotate270 => (y, last - x),
                    Orientation::FlipX => (x, last - y),
                    Orientation::FlipY => (last - x, y),
                    Orientation::FlipPlus1 => (y, x),
                    Orientation::FlipMinus1 => (last - y, last - x),
                };
                let offset = (sy * side + sx) * 3;
                [base[offset], base[offset + 1], base[offset + 2]]
            });
            let (direct, _) = hash_rgb(side, side, &moved).unwrap();
            let distance = direct.hamming_distance(&dihedral.get(orientation));
            assert!(distance <= 16, "{orientation:?}: distance {distance}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn any_buffer_and_size_never_panics(
            width in 0usize..40,
            height in 0usize..40,
            layout in proptest::sample::select(vec![
                PixelLayout::Luma,
                PixelLayout::LumaAlpha,
                PixelLayout::Rgb,
                PixelLayout::Rgba,
            ]),
            exact in proptest::prelude::any::<bool>(),
            extra in 0usize..9,
            seed in 1u64..1000,
        ) {
            let len = if exact { width * height * layout.channels() } else { extra * 17 };
            let pixels = noise(len, seed);
            let result = hash_pixels(width, height, &pixels, layout);
            if let Ok((_, quality)) = result {
                proptest::prop_assert!(quality <= 100);
            }
            let _ = dihedral_hashes(width, height, &pixels, layout);
        }
    }
}
