//! Writing any video ffmpeg can encode: raw RGB frames piped to an `ffmpeg` process that
//! encodes into a temporary file, made durable and renamed into place on finish.

use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use effect_api::FrameView;

use super::ffmpeg::{FFMPEG, StderrTail, failed, file_url, spawn, wait_success};
use super::{
    FrameSink, VideoError, check_rate, check_size, commit_pending, create_pending, pack_rgb,
    rate_fraction,
};
use crate::atomic_file::PendingFile;

/// A running ffmpeg encoder, killed and reaped if dropped before it finishes.
#[derive(Debug)]
struct Encoder {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: StderrTail,
}

impl Drop for Encoder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A [`FrameSink`] encoding H.264 (`.mp4`, `.mov`, `.mkv`) or VP9 (`.webm`) through
/// ffmpeg into a temporary file renamed on finish. The size is fixed by the first frame;
/// H.264 needs even sides, so odd-sized frames get one black row or column added.
#[derive(Debug)]
pub struct FfmpegWriter {
    // Declared before `pending` so ffmpeg is stopped before its file is removed.
    encoder: Option<Encoder>,
    pending: PendingFile,
    rate: (u32, u32),
    size: Option<(u32, u32)>,
    frames: u64,
    packed: Vec<u8>,
}

impl FfmpegWriter {
    /// Prepares to write `path` at `frame_rate` fps; fails now if ffmpeg is missing or
    /// the folder is not writable. ffmpeg itself starts with the first frame.
    pub fn create(path: &Path, frame_rate: f64) -> Result<Self, VideoError> {
        check_rate(path, frame_rate)?;
        spawn(
            Command::new(FFMPEG)
                .arg("-version")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            FFMPEG,
            path,
        )?
        .wait()
        .map_err(|error| {
            failed(
                FFMPEG,
                path,
                format!("lost the process: {error}"),
                String::new(),
            )
        })?;
        let pending = PendingFile::new(path);
        create_pending(&pending)?;
        Ok(Self {
            encoder: None,
            pending,
            rate: rate_fraction(frame_rate),
            size: None,
            frames: 0,
            packed: Vec::new(),
        })
    }

    fn start(&self, width: u32, height: u32) -> Result<Encoder, VideoError> {
        let path = self.pending.target();
        let codec: &[&str] = if super::extension(path) == "webm" {
            &["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "32"]
        } else {
            &["-c:v", "libx264", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
        };
        let (numerator, denominator) = self.rate;
        let mut child = spawn(
            Command::new(FFMPEG)
                .args([
                    "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                ])
                .args(["-s", &format!("{width}x{height}")])
                .args(["-r", &format!("{numerator}/{denominator}"), "-i", "-"])
                .args(codec)
                .args(["-pix_fmt", "yuv420p"])
                .arg(file_url(self.pending.temp()))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
            FFMPEG,
            path,
        )?;
        // Both pipes were asked for above, so both are present.
        let stdin = child.stdin.take().expect("stdin is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        Ok(Encoder {
            stdin: Some(stdin),
            stderr: StderrTail::spawn(stderr, FFMPEG, path)?,
            child,
        })
    }

    /// Stops the encoder after a failed write and reports why ffmpeg gave up.
    fn broken(&mut self, error: std::io::Error) -> VideoError {
        let encoder = self.encoder.take();
        let path = self.pending.target();
        let Some(mut encoder) = encoder else {
            return VideoError::io(path, "write", error);
        };
        encoder.stdin = None;
        match wait_success(&mut encoder.child, &mut encoder.stderr, FFMPEG, path) {
            Err(exit) => exit,
            Ok(()) => failed(
                FFMPEG,
                path,
                format!("stopped reading frames: {error}"),
                String::new(),
            ),
        }
    }
}

impl FrameSink for FfmpegWriter {
    fn write_frame(&mut self, frame: FrameView) -> Result<(), VideoError> {
        let (width, height) =
            check_size(&mut self.size, &frame, self.frames, self.pending.target())?;
        if self.encoder.is_none() && self.frames == 0 {
            self.encoder = Some(self.start(width, height)?);
        }
        pack_rgb(&frame, &mut self.packed);
        let written = match self
            .encoder
            .as_mut()
            .and_then(|encoder| encoder.stdin.as_mut())
        {
            Some(stdin) => stdin.write_all(&self.packed),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        };
        written.map_err(|error| self.broken(error))?;
        self.frames += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), VideoError> {
        let path = self.pending.target().to_owned();
        let Some(mut encoder) = self.encoder.take() else {
            return Err(VideoError::NoFrames { path });
        };
        // Closing stdin tells ffmpeg the stream has ended.
        encoder.stdin = None;
        wait_success(&mut encoder.child, &mut encoder.stderr, FFMPEG, &path)?;
        drop(encoder);
        let Self { pending, .. } = *self;
        // ffmpeg has exited, so its file is complete; committing flushes it to disk
        // before the rename.
        commit_pending(pending)
    }
}
