//! Reading still images from disk into frames.

use std::path::{Path, PathBuf};

use effect_api::{Frame, PixelFormat};

/// Why an image file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot read image {path}: {reason}")]
pub struct ImageReadError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong (missing, unsupported format, corrupt data...).
    pub reason: String,
}

/// Decodes a PNG or JPEG file into an RGB frame (alpha is dropped).
pub fn read_rgb_frame(path: &Path) -> Result<Frame, ImageReadError> {
    let error = |reason: String| ImageReadError {
        path: path.to_owned(),
        reason,
    };
    let reader = image::ImageReader::open(path)
        .map_err(|io| error(io.to_string()))?
        .with_guessed_format()
        .map_err(|io| error(io.to_string()))?;
    if reader.format().is_none() {
        return Err(error("not a PNG or JPEG file".to_owned()));
    }
    let decoded = reader
        .decode()
        .map_err(|decode| error(decode.to_string()))?;
    let rgb = decoded.to_rgb8();
    let (width, height) = rgb.dimensions();
    Frame::from_packed(rgb.into_raw(), width, height, PixelFormat::Rgb8)
        .map_err(|frame| error(frame.to_string()))
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
}
