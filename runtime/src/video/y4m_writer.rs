//! Writing YUV4MPEG2 (`.y4m`) files: 4:2:0 (`C420jpeg`, each chroma sample the mean of a
//! 2x2 block) in BT.601 limited range, written beside the target and renamed on finish.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use effect_api::FrameView;

use super::{FrameSink, VideoError, check_rate, check_size, rate_fraction};
use super::{commit_pending, create_pending};
use crate::atomic_file::PendingFile;
use crate::host_image::{HostImageLayout, HostImageMut, HostPixelFormat, write_upright};

/// A [`FrameSink`] that writes a `.y4m` file. The size is fixed by the first frame.
#[derive(Debug)]
pub struct Y4mWriter {
    // Declared before `pending` so the file closes before an unfinished one is removed.
    writer: BufWriter<File>,
    pending: PendingFile,
    rate: (u32, u32),
    size: Option<(u32, u32)>,
    frames: u64,
    planes: Vec<u8>,
    /// The frame's (V, U) pairs, as the NV21 encoder writes them.
    interleaved_chroma: Vec<u8>,
}

impl Y4mWriter {
    /// Starts writing `path` at `frame_rate` frames per second (above 0, at most 1000).
    pub fn create(path: &Path, frame_rate: f64) -> Result<Self, VideoError> {
        check_rate(path, frame_rate)?;
        let pending = PendingFile::new(path);
        let writer = BufWriter::with_capacity(1 << 16, create_pending(&pending)?);
        Ok(Self {
            writer,
            pending,
            rate: rate_fraction(frame_rate),
            size: None,
            frames: 0,
            planes: Vec::new(),
            interleaved_chroma: Vec::new(),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), VideoError> {
        self.writer
            .write_all(bytes)
            .map_err(|error| VideoError::io(self.pending.target(), "write", error))
    }
}

impl FrameSink for Y4mWriter {
    fn write_frame(&mut self, frame: FrameView) -> Result<(), VideoError> {
        let first = self.size.is_none();
        let (width, height) =
            check_size(&mut self.size, &frame, self.frames, self.pending.target())?;
        if first {
            let (numerator, denominator) = self.rate;
            let header = format!(
                "YUV4MPEG2 W{width} H{height} F{numerator}:{denominator} Ip A1:1 C420jpeg\n"
            );
            self.write(header.as_bytes())?;
        }
        let mut planes = std::mem::take(&mut self.planes);
        encode_420(&frame, &mut planes, &mut self.interleaved_chroma);
        let written = self.write(b"FRAME\n").and_then(|()| self.write(&planes));
        self.planes = planes;
        written?;
        self.frames += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), VideoError> {
        let Self {
            writer,
            pending,
            frames,
            ..
        } = *self;
        if frames == 0 {
            return Err(VideoError::NoFrames {
                path: pending.target().to_owned(),
            });
        }
        let target = pending.target().to_owned();
        let file = writer
            .into_inner()
            .map_err(|error| VideoError::io(&target, "write", error.into_error()))?;
        // Durable before the rename, so a power cut cannot leave an empty file in its place.
        file.sync_all()
            .map_err(|error| VideoError::io(&target, "write", error))?;
        drop(file);
        commit_pending(pending)
    }
}

/// Converts `frame` into Y', Cb and Cr planes (chroma at ceil(w/2) x ceil(h/2)) with the
/// camera buffers' NV21 encoder, then parts its interleaved (V, U) pairs (kept in `vu`)
/// into the two chroma planes: one 4:2:0 encoder serves Y4M files and hosts' NV21 buffers,
/// so both hold the same samples.
fn encode_420(frame: &FrameView, planes: &mut Vec<u8>, vu: &mut Vec<u8>) {
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let chroma_plane = width.div_ceil(2) * height.div_ceil(2);
    planes.clear();
    planes.resize(width * height + 2 * chroma_plane, 0);
    vu.clear();
    vu.resize(2 * chroma_plane, 0);
    let (luma, chroma) = planes.split_at_mut(width * height);
    let layout = HostImageLayout::packed(HostPixelFormat::Nv21, frame.width(), frame.height());
    // The planes are exactly the packed NV21 size of the frame, which is at least 1x1 and
    // in memory already, and the image is the frame's own size: neither step can fail.
    let mut image = HostImageMut::new(layout, [luma, vu.as_mut_slice()])
        .expect("packed NV21 planes of a frame's size are valid");
    write_upright(*frame, &mut image).expect("the NV21 image has the frame's size");
    let (cb, cr) = chroma.split_at_mut(chroma_plane);
    for ((pair, blue), red) in vu.chunks_exact(2).zip(cb).zip(cr) {
        (*red, *blue) = (pair[0], pair[1]);
    }
}
