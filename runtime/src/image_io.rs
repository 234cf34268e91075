//! Reading still images from disk into frames, turned upright as their EXIF orientation
//! says, and a bundle's textures, which keep to the formats every player reads.

use std::io::{BufRead, Cursor, Seek};
use std::path::{Path, PathBuf};

use effect_api::{Frame, PixelFormat};
use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, ImageResult, metadata::Orientation,
};

/// The file name endings (lower case) read as one still photo: the formats this build
/// decodes. The format itself is told from the file's first bytes, so a mislabelled file
/// among them still reads.
pub const STILL_IMAGE_EXTENSIONS: [&str; 12] = [
    "png", "jpg", "jpeg", "jpe", "jfif", "webp", "bmp", "tif", "tiff", "ppm", "pgm", "pnm",
];

/// What the still formats are called in messages.
pub const STILL_IMAGE_FORMATS: &str = "PNG, JPEG, WebP, BMP, TIFF or PPM/PGM";

/// The ending of `path`'s name in lower case, if it has one.
fn lowercase_extension(path: &Path) -> Option<String> {
    Some(path.extension()?.to_string_lossy().to_ascii_lowercase())
}

/// True when `path`'s name ends in one of [`STILL_IMAGE_EXTENSIONS`] (any case).
pub fn is_still_image(path: &Path) -> bool {
    lowercase_extension(path)
        .is_some_and(|extension| STILL_IMAGE_EXTENSIONS.contains(&extension.as_str()))
}

/// The name of the photo format `path` is in, by its name's ending, where it is one that
/// phones save and this build does not decode (HEIC, HEIF, AVIF); `None` for any other.
pub fn unread_photo_format(path: &Path) -> Option<&'static str> {
    match lowercase_extension(path)?.as_str() {
        "heic" | "heif" => Some("HEIC"),
        "avif" => Some("AVIF"),
        _ => None,
    }
}

/// The formats a bundle's images may use. Bundles travel to players of other versions and
/// platforms, so they keep to the two every player has always read.
const BUNDLE_IMAGE_FORMATS: [ImageFormat; 2] = [ImageFormat::Png, ImageFormat::Jpeg];

/// Why an image file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot read image {path}: {reason}")]
pub struct ImageReadError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong (missing, unsupported format, corrupt data...).
    pub reason: String,
}

/// Decodes a still image (any of [`STILL_IMAGE_FORMATS`]) into an upright RGB frame
/// (alpha is dropped).
pub fn read_rgb_frame(path: &Path) -> Result<Frame, ImageReadError> {
    // Decoders' messages may end in a line break; the reason goes mid-sentence.
    let error = |reason: String| ImageReadError {
        path: path.to_owned(),
        reason: reason.trim_end().to_owned(),
    };
    let reader = ImageReader::open(path)
        .map_err(|io| error(io.to_string()))?
        .with_guessed_format()
        .map_err(|io| error(io.to_string()))?;
    if reader.format().is_none() {
        return Err(error(format!(
            "not an image this program reads ({STILL_IMAGE_FORMATS})"
        )));
    }
    let decoded = decode_upright(reader).map_err(|decode| error(decode.to_string()))?;
    let rgb = decoded.to_rgb8();
    let (width, height) = rgb.dimensions();
    Frame::from_packed(rgb.into_raw(), width, height, PixelFormat::Rgb8)
        .map_err(|frame| error(frame.to_string()))
}

/// A reader for one of a bundle's images, its format told from its bytes; an error (to go
/// after the file's name) where the bytes are no image, or one in a format bundles do not
/// hold.
pub fn bundle_image_reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, String> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| error.to_string())?;
    match reader.format() {
        Some(format) if BUNDLE_IMAGE_FORMATS.contains(&format) => Ok(reader),
        Some(format) => Err(format!(
            "it is a {format:?} image, and bundles hold PNG or JPEG images only"
        )),
        None => Err("it is not a PNG or JPEG image".to_owned()),
    }
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
            (
                "not-an-image.txt",
                "not an image this program reads (PNG, JPEG, WebP",
            ),
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

    /// A small colour picture, every pixel different, as RGB bytes.
    fn gradient(width: u32, height: u32) -> Vec<u8> {
        (0..height)
            .flat_map(|y| (0..width).flat_map(move |x| [x as u8 * 20, y as u8 * 30, 200]))
            .collect()
    }

    /// `rgb` encoded losslessly in the format of file name ending `extension`.
    fn encoded(extension: &str, rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
        use image::ImageEncoder;
        use image::codecs::{bmp, pnm, tiff, webp};
        let mut bytes = Vec::new();
        let colour = image::ExtendedColorType::Rgb8;
        match extension {
            "webp" => {
                webp::WebPEncoder::new_lossless(&mut bytes).write_image(rgb, width, height, colour)
            }
            "bmp" => bmp::BmpEncoder::new(&mut bytes).write_image(rgb, width, height, colour),
            "tiff" => tiff::TiffEncoder::new(std::io::Cursor::new(&mut bytes))
                .write_image(rgb, width, height, colour),
            "ppm" => pnm::PnmEncoder::new(&mut bytes).write_image(rgb, width, height, colour),
            other => panic!("no encoder for .{other} here"),
        }
        .unwrap();
        bytes
    }

    #[test]
    fn photos_in_webp_bmp_tiff_and_ppm_read_pixel_for_pixel() {
        let (width, height) = (7, 5);
        let rgb = gradient(width, height);
        for extension in ["webp", "bmp", "tiff", "ppm"] {
            let name = format!("lensmith-{}-still.{extension}", std::process::id());
            let path = std::env::temp_dir().join(name);
            std::fs::write(&path, encoded(extension, &rgb, width, height)).unwrap();
            assert!(is_still_image(&path), ".{extension} is a still");
            let frame = read_rgb_frame(&path);
            std::fs::remove_file(&path).unwrap();
            let frame = frame.unwrap_or_else(|error| panic!(".{extension}: {error}"));
            assert_eq!(
                (frame.width(), frame.height()),
                (width, height),
                ".{extension}"
            );
            assert_eq!(frame.data(), rgb.as_slice(), ".{extension}: pixels differ");
        }
    }

    #[test]
    fn still_images_are_told_by_their_name_in_any_case() {
        for still in [
            "a.png", "b.JPG", "c.jpeg", "d.Webp", "e.bmp", "f.TIF", "g.tiff", "h.ppm",
        ] {
            assert!(is_still_image(Path::new(still)), "{still}");
        }
        for other in [
            "clip.mp4",
            "clip.y4m",
            "anim.gif",
            "notes.txt",
            "folder",
            ".png",
        ] {
            assert!(!is_still_image(Path::new(other)), "{other}");
        }
    }

    #[test]
    fn a_decoders_trailing_line_break_stays_out_of_the_message() {
        let path = std::env::temp_dir().join(format!("lensmith-{}-empty.jpg", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        let message = read_rgb_frame(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(!message.ends_with(char::is_whitespace), "{message:?}");
    }

    #[test]
    fn bundles_keep_to_png_and_jpeg() {
        let (width, height) = (4, 3);
        let rgb = gradient(width, height);
        let mut png = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut png),
            &rgb,
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
        assert!(bundle_image_reader(&png).is_ok());
        let webp = encoded("webp", &rgb, width, height);
        let refusal = bundle_image_reader(&webp)
            .err()
            .expect("a WebP texture is refused");
        assert!(
            refusal.contains("WebP") && refusal.contains("PNG or JPEG"),
            "{refusal}"
        );
        let refusal = bundle_image_reader(b"not pixels")
            .err()
            .expect("text is refused");
        assert!(refusal.contains("not a PNG or JPEG"), "{refusal}");
    }
}
