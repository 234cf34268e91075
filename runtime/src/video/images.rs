//! Still images as frame sources: one photo (PNG, JPEG, WebP, BMP, TIFF, PPM/PGM), or a
//! folder of them played in file name order. Each image is an independent still, so
//! trackers must not carry state over.

use std::path::{Path, PathBuf};

use effect_api::Frame;

use super::{FrameSource, STILLS_FRAME_RATE, SourceFrame, VideoError};
use crate::image_io::{is_still_image, read_rgb_frame, unread_photo_format};

/// The file name of `path` as text, for [`SourceFrame::name`].
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A [`FrameSource`] over the still images of one folder, sorted by file name
/// (plain byte order: pad numbers, `frame_002.png` before `frame_010.png`). Other files
/// are skipped, and so are hidden ones (names starting with `.`: the `._face.jpg`
/// metadata files that macOS leaves beside photos copied from it are no images). Images
/// are decoded one at a time as they are asked for.
#[derive(Debug)]
pub struct ImageFolder {
    files: Vec<PathBuf>,
    next: usize,
}

impl ImageFolder {
    /// Lists the images in `dir`; a folder without any is an error, and so is one holding a
    /// photo in a format that is not read (a phone's HEIC), which would otherwise be left
    /// out unseen.
    pub fn open(dir: &Path) -> Result<Self, VideoError> {
        let entries = std::fs::read_dir(dir).map_err(|error| VideoError::io(dir, "list", error))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| VideoError::io(dir, "list", error))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') || !path.is_file() {
                continue;
            }
            if let Some(format) = unread_photo_format(&path) {
                return Err(VideoError::UnsupportedPhoto { path, format });
            }
            if is_still_image(&path) {
                files.push(path);
            }
        }
        if files.is_empty() {
            return Err(VideoError::EmptyFolder {
                path: dir.to_owned(),
            });
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(Self { files, next: 0 })
    }

    /// The images that will be played, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl FrameSource for ImageFolder {
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, VideoError> {
        let Some(path) = self.files.get(self.next) else {
            return Ok(None);
        };
        let frame = read_rgb_frame(path)?;
        let index = self.next as u64;
        self.next += 1;
        Ok(Some(SourceFrame {
            frame,
            index,
            time_s: index as f64 / STILLS_FRAME_RATE,
            name: file_name(path),
        }))
    }

    fn frame_rate(&self) -> f64 {
        STILLS_FRAME_RATE
    }

    /// `None`: each image may have its own size.
    fn size_hint(&self) -> Option<(u32, u32)> {
        None
    }

    fn is_independent_stills(&self) -> bool {
        true
    }

    fn frame_count_hint(&self) -> Option<u64> {
        Some(self.files.len() as u64)
    }
}

/// A [`FrameSource`] of exactly one frame: a still image decoded when opened.
#[derive(Debug)]
pub struct StillImage {
    frame: Option<Frame>,
    size: (u32, u32),
    name: String,
}

impl StillImage {
    /// Decodes `path`, so a broken file fails here rather than on the first frame.
    pub fn open(path: &Path) -> Result<Self, VideoError> {
        let frame = read_rgb_frame(path)?;
        Ok(Self {
            size: (frame.width(), frame.height()),
            frame: Some(frame),
            name: file_name(path),
        })
    }
}

impl FrameSource for StillImage {
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, VideoError> {
        Ok(self.frame.take().map(|frame| SourceFrame {
            frame,
            index: 0,
            time_s: 0.0,
            name: self.name.clone(),
        }))
    }

    fn frame_rate(&self) -> f64 {
        STILLS_FRAME_RATE
    }

    fn size_hint(&self) -> Option<(u32, u32)> {
        Some(self.size)
    }

    fn is_independent_stills(&self) -> bool {
        true
    }

    fn frame_count_hint(&self) -> Option<u64> {
        Some(1)
    }
}
