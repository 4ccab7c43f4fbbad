//! Decoding PNG and JPEG bytes into pixels the hasher takes.
//!
//! Like the reference, EXIF orientation is not applied: a hash describes the
//! stored pixels, and [`crate::dihedral_hashes`] covers rotated copies.

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::error::PdqError;
use crate::hash::PdqHash;
use crate::hashing::{PixelLayout, hash_pixels};

/// Largest decoded image accepted, in bytes, so that a small hostile file
/// cannot make the decoder allocate without bound.
pub const MAX_DECODED_BYTES: usize = 1 << 30;

/// Largest side accepted by the JPEG decoder.
const MAX_JPEG_SIDE: usize = 1 << 16;

/// A decoded image: 8-bit samples, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedImage {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// How `pixels` is laid out.
    pub layout: PixelLayout,
    /// The samples.
    pub pixels: Vec<u8>,
}

/// Decodes PNG or JPEG bytes (recognised by their signature) and hashes the
/// pixels, returning the hash and its quality (0..=100).
pub fn decode_and_hash(bytes: &[u8]) -> Result<(PdqHash, u32), PdqError> {
    let image = decode_image(bytes)?;
    hash_pixels(image.width, image.height, &image.pixels, image.layout)
}

/// Decodes PNG or JPEG bytes, recognised by their signature.
pub fn decode_image(bytes: &[u8]) -> Result<DecodedImage, PdqError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        decode_jpeg(bytes)
    } else {
        Err(PdqError::UnknownFormat)
    }
}

fn decode_png(bytes: &[u8]) -> Result<DecodedImage, PdqError> {
    let mut decoder = png::Decoder::new_with_limits(
        bytes,
        png::Limits {
            bytes: MAX_DECODED_BYTES,
        },
    );
    // Palette and low-bit images expand to 8 bits; 16-bit samples keep
    // their high byte.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder
        .read_info()
        .map_err(|err| PdqError::Png(err.to_string()))?;
    let mut pixels = vec![0u8; reader.output_buffer_size()];
    let frame = reader
        .next_frame(&mut pixels)
        .map_err(|err| PdqError::Png(err.to_string()))?;
    pixels.truncate(frame.buffer_size());
    let layout = match frame.color_type {
        png::ColorType::Grayscale => PixelLayout::Luma,
        png::ColorType::GrayscaleAlpha => PixelLayout::LumaAlpha,
        png::ColorType::Rgb => PixelLayout::Rgb,
        png::ColorType::Rgba => PixelLayout::Rgba,
        png::ColorType::Indexed => {
            return Err(PdqError::Png(
                "palette image was not expanded to RGB".to_string(),
            ));
        }
    };
    let (width, height) = (frame.width as usize, frame.height as usize);
    // Rows may be padded when the line size is not the packed size.
    let channels = layout.channels();
    let packed_line = width * channels;
    if frame.line_size != packed_line {
        let mut packed = Vec::with_capacity(packed_line * height);
        for line in pixels.chunks_exact(frame.line_size).take(height) {
            packed.extend_from_slice(line.get(..packed_line).unwrap_or(line));
        }
        pixels = packed;
    }
    Ok(DecodedImage {
        width,
        height,
        layout,
        pixels,
    })
}

fn decode_jpeg(bytes: &[u8]) -> Result<DecodedImage, PdqError> {
    let jpeg_error = |err: zune_jpeg::errors::DecodeErrors| PdqError::Jpeg(err.to_string());
    let base = DecoderOptions::default()
        .set_max_width(MAX_JPEG_SIDE)
        .set_max_height(MAX_JPEG_SIDE);
    let mut probe = JpegDecoder::new_with_options(ZCursor::new(bytes), base);
    probe.decode_headers().map_err(jpeg_error)?;
    let (width, height) = probe
        .dimensions()
        .ok_or_else(|| PdqError::Jpeg("no image dimensions in header".to_string()))?;
    // Grey JPEGs stay single-channel so that luma is the grey value itself,
    // as in the reference.
    let grey = matches!(probe.input_colorspace(), Some(ColorSpace::Luma));
    let (colorspace, layout) = if grey {
        (ColorSpace::Luma, PixelLayout::Luma)
    } else {
        (ColorSpace::RGB, PixelLayout::Rgb)
    };
    if width
        .saturating_mul(height)
        .saturating_mul(layout.channels())
        > MAX_DECODED_BYTES
    {
        return Err(PdqError::Jpeg(format!(
            "{width}x{height} is larger than the {MAX_DECODED_BYTES}-byte limit"
        )));
    }
    let options = base.jpeg_set_out_colorspace(colorspace);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let pixels = decoder.decode().map_err(jpeg_error)?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| PdqError::Jpeg("no image dimensions in header".to_string()))?;
    Ok(DecodedImage {
        width,
        height,
        layout,
        pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::hash_rgb;
    use proptest::prelude::*;

    fn encode_png(width: u32, height: u32, color: png::ColorType, pixels: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(pixels).unwrap();
        writer.finish().unwrap();
        out
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| ((i * 37) ^ (i / 91)) as u8).collect()
    }

    #[test]
    fn png_round_trip_hashes_like_raw_pixels() {
        let (width, height) = (48usize, 40usize);
        let rgb = pattern(width * height * 3);
        let bytes = encode_png(width as u32, height as u32, png::ColorType::Rgb, &rgb);
        assert_eq!(
            decode_and_hash(&bytes).unwrap(),
            hash_rgb(width, height, &rgb).unwrap()
        );
        let rgba: Vec<u8> = rgb
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
        let bytes = encode_png(width as u32, height as u32, png::ColorType::Rgba, &rgba);
        let image = decode_image(&bytes).unwrap();
        assert_eq!(image.layout, PixelLayout::Rgba);
        assert_eq!(
            decode_and_hash(&bytes).unwrap(),
            hash_rgb(width, height, &rgb).unwrap()
        );
    }

    #[test]
    fn rejects_unknown_and_broken_files() {
        assert_eq!(decode_and_hash(b"GIF89a..."), Err(PdqError::UnknownFormat));
        assert!(matches!(
            decode_and_hash(b"\x89PNG\r\n\x1a\nbroken"),
            Err(PdqError::Png(_))
        ));
        assert!(matches!(
            decode_and_hash(&[0xff, 0xd8, 0xff, 0xe0, 0, 3]),
            Err(PdqError::Jpeg(_))
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_bytes_never_panic(
            prefix in prop_oneof![
                Just(Vec::new()),
                Just(b"\x89PNG\r\n\x1a\n".to_vec()),
                Just(vec![0xffu8, 0xd8, 0xff]),
            ],
            body in prop::collection::vec(any::<u8>(), 0..512),
        ) {
            let mut bytes = prefix;
            bytes.extend(body);
            let _ = decode_and_hash(&bytes);
        }

        #[test]
        fn corrupted_png_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let mut bytes = encode_png(20, 20, png::ColorType::Rgb, &pattern(20 * 20 * 3));
            for (position, value) in flips {
                let at = position.index(bytes.len());
                bytes[at] = value;
            }
            let _ = decode_and_hash(&bytes);
        }
    }
}
