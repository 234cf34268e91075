//! PNG outputs: one `.png` for a single frame, or a folder of `frame_000000.png`, … for a
//! sequence. Each file is written beside its name, flushed to disk and renamed into place
//! when complete. RGB frames become RGB PNGs and RGBA frames keep their alpha.

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
/// created if missing. Files already there with the same names are replaced as frames
/// arrive; [`FrameSink::finish`] then removes the frames of an earlier, longer sequence
/// (names of exactly this pattern numbered past the last frame written), so the folder
/// holds this sequence only. Other files in the folder are never touched.
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

    /// Removes the frames numbered `self.frames` and up left by an earlier run.
    fn remove_stale_frames(&self) -> Result<(), VideoError> {
        let list_error = |error| VideoError::io(&self.dir, "list", error);
        for entry in std::fs::read_dir(&self.dir).map_err(list_error)? {
            let entry = entry.map_err(list_error)?;
            let stale = entry
                .file_name()
                .to_str()
                .and_then(frame_index)
                .is_some_and(|index| index >= self.frames);
            // A folder that happens to carry a frame's name is not this sink's to delete.
            if !stale || entry.file_type().map_err(list_error)?.is_dir() {
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                // Someone else removed it first: the goal is met.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    return Err(VideoError::io(&entry.path(), "remove old frame", error));
                }
                Ok(()) => {}
            }
        }
        Ok(())
    }
}

/// The index in a name [`PngSequence::frame_path`] gives (`frame_000042.png` → 42), or
/// `None` for every other name, other spellings of a number (`frame_42.png`) included.
fn frame_index(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("frame_")?.strip_suffix(".png")?;
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let index: u64 = digits.parse().ok()?;
    (format!("{index:06}") == digits).then_some(index)
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
            // Nothing replaces the old frames, so they stay as they were.
            return Err(VideoError::NoFrames { path: self.dir });
        }
        self.remove_stale_frames()
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

#[cfg(test)]
mod tests {
    use effect_api::Frame;

    use super::*;

    #[test]
    fn only_the_sequences_own_names_are_frames() {
        assert_eq!(frame_index("frame_000000.png"), Some(0));
        assert_eq!(frame_index("frame_000042.png"), Some(42));
        assert_eq!(frame_index("frame_1234567.png"), Some(1_234_567));
        for name in [
            "frame_42.png",
            "frame_0000042.png",
            "frame_.png",
            "frame_+00042.png",
            "frame_000042.PNG",
            "Frame_000042.png",
            "frame_000042.png.bak",
            ".frame_000042.partial-1-0.png",
            "frame_99999999999999999999999.png",
        ] {
            assert_eq!(frame_index(name), None, "{name}");
        }
    }

    #[test]
    fn finishing_removes_frames_of_an_earlier_longer_run_only() {
        let dir = std::env::temp_dir().join(format!("lensmith-png-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("frame_000009.png")).unwrap();
        let kept = [
            "frame_7.png",
            "frame_0000005.png",
            "frame_000006.jpg",
            "notes.txt",
        ];
        for name in (0..5)
            .map(|index| format!("frame_{index:06}.png"))
            .chain(kept.map(String::from))
        {
            std::fs::write(dir.join(name), "old").unwrap();
        }

        // A run that writes nothing fails and leaves the old sequence as it was.
        let empty = Box::new(PngSequence::create(&dir).unwrap());
        assert!(matches!(empty.finish(), Err(VideoError::NoFrames { .. })));
        assert!(dir.join("frame_000004.png").exists());

        let frame = Frame::from_packed(vec![128; 2 * 2 * 3], 2, 2, PixelFormat::Rgb8).unwrap();
        let mut sink = Box::new(PngSequence::create(&dir).unwrap());
        for _ in 0..2 {
            sink.write_frame(frame.view()).unwrap();
        }
        sink.finish().unwrap();

        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let mut expected = vec!["frame_000000.png", "frame_000001.png", "frame_000009.png"];
        expected.extend(kept);
        expected.sort();
        assert_eq!(names, expected);
        for index in 0..2 {
            let png = std::fs::read(dir.join(format!("frame_{index:06}.png"))).unwrap();
            assert!(png.starts_with(b"\x89PNG"), "frame {index} was rewritten");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
