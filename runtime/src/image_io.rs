//! Reading still images from disk into frames, turned upright as their EXIF orientation
//! says.

use std::io::{BufRead, Seek};
use std::path::{Path, PathBuf};

use effect_api::{Frame, PixelFormat};
use image::{DynamicImage, ImageDecoder, ImageReader, ImageResult, metadata::Orientation};

/// Why an image file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot read image {path}: {reason}")]
pub struct ImageReadError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong (missing, unsupported format, corrupt data...).
    pub reason: String,
}

/// Decodes a PNG or JPEG file into an upright RGB frame (alpha is dropped).
pub fn read_rgb_frame(path: &Path) -> Result<Frame, ImageReadError> {
    let error = |reason: String| ImageReadError {
        path: path.to_owned(),
        reason,
    };
    let reader = ImageReader::open(path)
        .map_err(|io| error(io.to_string()))?
        .with_guessed_format()
        .map_err(|io| error(io.to_string()))?;
    if reader.format().is_none() {
        return Err(error("not a PNG or JPEG file".to_owned()));
    }
    let decoded = decode_upright(reader).map_err(|decode| error(decode.to_string()))?;
    let rgb = decoded.to_rgb8();
    let (width, height) = rgb.dimensions();
    Frame::from_packed(rgb.into_raw(), width, height, PixelFormat::Rgb8)
        .map_err(|frame| error(frame.to_string()))
}

/// Decodes an image and turns it as its EXIF orientation says. Phone cameras store pixels
/// as the sensor held them and record the turn in that tag; every viewer applies it, so a
/// face that looks upright to the user is upright here too.
pub fn decode_upright<R: BufRead + Seek>(reader: ImageReader<R>) -> ImageResult<DynamicImage> {
    let mut decoder = reader.into_decoder()?;
    let orientation = exif_orientation(&mut decoder);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The width and height an image has once turned upright, read from its header only.
pub fn upright_dimensions<R: BufRead + Seek>(reader: ImageReader<R>) -> ImageResult<(u32, u32)> {
    let mut decoder = reader.into_decoder()?;
    let (width, height) = decoder.dimensions();
    Ok(match exif_orientation(&mut decoder) {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    })
}

/// The image's EXIF orientation. An EXIF block that cannot be read leaves the pixels as
/// stored, as image viewers do: the pixels themselves are fine, only a tag is damaged.
fn exif_orientation(decoder: &mut impl ImageDecoder) -> Orientation {
    decoder.orientation().unwrap_or(Orientation::NoTransforms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_files_name_the_path() {
        let missing = read_rgb_frame(Path::new("/nonexistent/face.png")).unwrap_err();
        assert!(missing.to_string().contains("/nonexistent/face.png"));

        for (name, expected) in [
            ("not-an-image.txt", "not a PNG or JPEG"),
            ("broken.png", "Invalid PNG signature"),
        ] {
            let path = std::env::temp_dir().join(format!("lensmith-{}-{name}", std::process::id()));
            std::fs::write(&path, b"this is text, not pixels").unwrap();
            let message = read_rgb_frame(&path).unwrap_err().to_string();
            std::fs::remove_file(&path).unwrap();
            assert!(
                message.contains(&path.display().to_string()) && message.contains(expected),
                "{message}"
            );
        }
    }

    /// A TIFF block holding one IFD entry: orientation (tag 0x0112, SHORT) = `value`.
    fn exif_with_orientation(value: u8) -> Vec<u8> {
        let mut tiff = b"II\x2a\x00\x08\x00\x00\x00\x01\x00".to_vec();
        tiff.extend_from_slice(&[
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, value, 0, 0, 0,
        ]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        tiff
    }

    /// Writes `pixels` (rows of grey levels) as a PNG carrying `exif`, and reads it back.
    fn stored_and_read(name: &str, pixels: &[&[u8]], exif: Option<Vec<u8>>) -> Frame {
        use image::ImageEncoder;
        let (width, height) = (pixels[0].len() as u32, pixels.len() as u32);
        let rgb: Vec<u8> = pixels
            .iter()
            .flat_map(|row| row.iter())
            .flat_map(|&v| [v, v, v])
            .collect();
        let mut bytes = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut bytes);
        if let Some(exif) = exif {
            encoder.set_exif_metadata(exif).unwrap();
        }
        encoder
            .write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        let path = std::env::temp_dir().join(format!("lensmith-{}-{name}.png", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let frame = read_rgb_frame(&path);
        let dimensions = upright_dimensions(
            ImageReader::new(std::io::Cursor::new(&bytes))
                .with_guessed_format()
                .unwrap(),
        );
        std::fs::remove_file(&path).unwrap();
        let frame = frame.unwrap();
        assert_eq!(
            dimensions.unwrap(),
            (frame.width(), frame.height()),
            "{name}"
        );
        frame
    }

    fn grey_rows(frame: &Frame) -> Vec<Vec<u8>> {
        frame
            .data()
            .chunks(frame.width() as usize * 3)
            .map(|row| row.iter().step_by(3).copied().collect())
            .collect()
    }

    #[test]
    fn photos_are_turned_upright_by_their_exif_orientation() {
        // Upright:  10 20 30 / 40 50 60.
        let upright: Vec<Vec<u8>> = vec![vec![10, 20, 30], vec![40, 50, 60]];
        // Tag 6 (a phone held upright): stored turned a quarter anticlockwise.
        let stored: &[&[u8]] = &[&[30, 60], &[20, 50], &[10, 40]];
        let read = stored_and_read("rotate90", stored, Some(exif_with_orientation(6)));
        assert_eq!(grey_rows(&read), upright);
        // Tag 3 (upside down): stored turned a half turn.
        let stored: &[&[u8]] = &[&[60, 50, 40], &[30, 20, 10]];
        let read = stored_and_read("rotate180", stored, Some(exif_with_orientation(3)));
        assert_eq!(grey_rows(&read), upright);
        // Tag 1, no tag, and a damaged EXIF block: the pixels as stored.
        let stored: &[&[u8]] = &[&[10, 20, 30], &[40, 50, 60]];
        for (name, exif) in [
            ("tag1", Some(exif_with_orientation(1))),
            ("untagged", None),
            ("damaged", Some(b"II\x2a\x00\xff\xff".to_vec())),
        ] {
            assert_eq!(
                grey_rows(&stored_and_read(name, stored, exif)),
                upright,
                "{name}"
            );
        }
    }
}
