//! PNG outputs: one `.png` for a single frame, or a folder of `frame_000000.png`, … for a
//! sequence. Each file is written beside its name and renamed into place when complete.
//! RGB frames become RGB PNGs and RGBA frames keep their alpha.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use effect_api::{FrameView, PixelFormat};
use image::{ExtendedColorType, ImageEncoder, codecs::png::PngEncoder};

use super::{FrameSink, VideoError};
use super::{commit_pending, create_pending};
use crate::atomic_file::PendingFile;

/// Encodes `frame` as a PNG into `pending`'s temporary file, packing rows into `packed`.
fn encode_png(
    pending: &PendingFile,
    frame: &FrameView,
    packed: &mut Vec<u8>,
) -> Result<(), VideoError> {
    packed.clear();
    for y in 0..frame.height() {
        packed.extend_from_slice(frame.row(y));
    }
    let colour = match frame.format() {
        PixelFormat::Rgb8 => ExtendedColorType::Rgb8,
        PixelFormat::Rgba8 => ExtendedColorType::Rgba8,
    };
    let target = pending.target();
    let mut writer = BufWriter::new(create_pending(pending)?);
    PngEncoder::new(&mut writer)
        .write_image(packed, frame.width(), frame.height(), colour)
        .map_err(|error| VideoError::Io {
            path: target.to_owned(),
            action: "encode PNG",
            reason: error.to_string(),
        })?;
    writer
        .flush()
        .map_err(|error| VideoError::io(target, "write", error))
}

/// A [`FrameSink`] writing `frame_000000.png`, `frame_000001.png`, … into a folder,
/// created if missing. Files already there with the same names are replaced.
#[derive(Debug)]
pub struct PngSequence {
    dir: PathBuf,
    frames: u64,
    packed: Vec<u8>,
}

impl PngSequence {
    /// Creates the folder `dir` (and its parents) if needed.
    pub fn create(dir: &Path) -> Result<Self, VideoError> {
        std::fs::create_dir_all(dir)
            .map_err(|error| VideoError::io(dir, "create folder", error))?;
        Ok(Self {
            dir: dir.to_owned(),
            frames: 0,
            packed: Vec::new(),
        })
    }

    /// The file frame `index` is written to.
    pub fn frame_path(&self, index: u64) -> PathBuf {
        self.dir.join(format!("frame_{index:06}.png"))
    }
}

impl FrameSink for PngSequence {
    fn write_frame(&mut self, frame: FrameView) -> Result<(), VideoError> {
        let pending = PendingFile::new(&self.frame_path(self.frames));
        encode_png(&pending, &frame, &mut self.packed)?;
        commit_pending(pending)?;
        self.frames += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), VideoError> {
        if self.frames == 0 {
            return Err(VideoError::NoFrames { path: self.dir });
        }
        Ok(())
    }
}

/// A [`FrameSink`] for one `.png` file: exactly one frame, else an error.
#[derive(Debug)]
pub struct SinglePng {
    pending: PendingFile,
    frames: u64,
    packed: Vec<u8>,
}

impl SinglePng {
    /// Prepares to write `path`; nothing touches the disk until the frame arrives.
    pub fn create(path: &Path) -> Self {
        Self {
            pending: PendingFile::new(path),
            frames: 0,
            packed: Vec::new(),
        }
    }
}

impl FrameSink for SinglePng {
    fn write_frame(&mut self, frame: FrameView) -> Result<(), VideoError> {
        if self.frames > 0 {
            self.frames += 1;
            return Err(VideoError::NotOneFrame {
                path: self.pending.target().to_owned(),
                frames: self.frames,
            });
        }
        encode_png(&self.pending, &frame, &mut self.packed)?;
        // Counted only once encoded, so `finish` never renames a broken file into place.
        self.frames = 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), VideoError> {
        if self.frames != 1 {
            return Err(VideoError::NotOneFrame {
                path: self.pending.target().to_owned(),
                frames: self.frames,
            });
        }
        commit_pending(self.pending)
    }
}
