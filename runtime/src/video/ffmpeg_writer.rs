//! Writing any video ffmpeg can encode: raw RGB frames piped to an `ffmpeg` process that
//! encodes into a temporary file, made durable and renamed into place on finish; optionally
//! with the audio of another file carried across (copied, or re-encoded where the container
//! cannot hold its codec).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use effect_api::FrameView;

use super::ffmpeg::{FFMPEG, StderrTail, failed, file_url, run_probe, spawn, wait_success};

/// The prober, for the audio streams of [`FfmpegWriter::with_audio_from`]'s source.
const FFPROBE: &str = "ffprobe";
use super::{
    FrameSink, VideoError, check_rate, check_size, commit_pending, create_pending, pack_rgb,
    rate_fraction,
};
use crate::atomic_file::PendingFile;

/// What ffmpeg prints when it could not complete the file it wrote (a full disk, a folder
/// gone), though it may still exit with success: ffmpeg 5 does so when writing the
/// container's closing index fails, and the MP4 left has no index and does not play.
const UNFINISHED_FILE_ERRORS: [&str; 4] = [
    "Error writing trailer",
    "No space left on device",
    "Error closing file",
    "Disk quota exceeded",
];

/// Whether a video written to `path` is H.264 (`.mp4`, `.mkv`, `.mov`), which takes only
/// even sides: odd-sized frames get one black row or column added. WebM (VP9) keeps any
/// size.
pub fn pads_odd_sides(path: &Path) -> bool {
    matches!(super::extension(path).as_str(), "mp4" | "mkv" | "mov")
}

/// The first line of ffmpeg's error output `printed` that says the file is unfinished.
fn unfinished_file_error(printed: &str) -> Option<&str> {
    printed.lines().find(|line| {
        UNFINISHED_FILE_ERRORS
            .iter()
            .any(|words| line.contains(words))
    })
}

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

/// What happens to the audio of the file given to [`FfmpegWriter::with_audio_from`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioPassThrough {
    /// No audio is written: none was asked for, or the source has none.
    None,
    /// The source's audio streams are copied as they are; their codecs, in stream order.
    Copied(Vec<String>),
    /// The output's container cannot hold some of the source's codecs (`from`), so every
    /// audio stream is re-encoded to `to`.
    Reencoded {
        /// The source's codecs, in stream order.
        from: Vec<String>,
        /// The codec written.
        to: &'static str,
    },
}

/// The audio input an encoder mixes in: the file and the codec arguments for it.
#[derive(Debug, Clone)]
struct AudioInput {
    path: PathBuf,
    codec: &'static [&'static str],
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
    audio: Option<AudioInput>,
    audio_plan: AudioPassThrough,
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
            audio: None,
            audio_plan: AudioPassThrough::None,
        })
    }

    /// Also writes the audio streams of `source` (any file ffmpeg reads, usually the video
    /// the frames came from) beside the frames, from time 0: copied when the output's
    /// container takes their codec, else re-encoded (AAC; Opus for `.webm`). A source
    /// without audio adds nothing. `source` is probed with ffprobe now; call this before
    /// the first frame.
    pub fn with_audio_from(mut self, source: &Path) -> Result<Self, VideoError> {
        let codecs = probe_audio(FFPROBE, source)?;
        let (audio, plan) = plan_audio(&super::extension(self.pending.target()), codecs);
        self.audio = audio.map(|codec| AudioInput {
            path: source.to_owned(),
            codec,
        });
        self.audio_plan = plan;
        Ok(self)
    }

    /// What happens to the audio (see [`FfmpegWriter::with_audio_from`]).
    pub fn audio(&self) -> &AudioPassThrough {
        &self.audio_plan
    }

    fn start(&self, width: u32, height: u32) -> Result<Encoder, VideoError> {
        let path = self.pending.target();
        let codec: &[&str] = if pads_odd_sides(path) {
            &["-c:v", "libx264", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
        } else {
            &["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "32"]
        };
        let (numerator, denominator) = self.rate;
        let mut command = Command::new(FFMPEG);
        command
            .args([
                "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
            ])
            .args(["-s", &format!("{width}x{height}")])
            .args(["-r", &format!("{numerator}/{denominator}"), "-i", "-"]);
        if let Some(audio) = &self.audio {
            // The frames are input 0, the audio's file input 1. Audio packets may wait in
            // the muxer while the video encoder fills its lookahead, hence the larger queue.
            command
                .args(["-vn", "-sn", "-dn", "-i"])
                .arg(file_url(&audio.path))
                .args(["-map", "0:v:0", "-map", "1:a"])
                .args(audio.codec)
                .args(["-max_muxing_queue_size", "4096"]);
        }
        let mut child = spawn(
            command
                .args(codec)
                .args(["-pix_fmt", "yuv420p"])
                // ffmpeg turns the RGB frames into Y'CbCr with BT.601's matrix at TV range;
                // saying so lets players decode them so. Untagged, players take a picture
                // of HD size for BT.709 and shift every colour (cyan bars lost their red).
                .args(["-colorspace", "smpte170m", "-color_range", "tv"])
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
            Ok(_) => failed(
                FFMPEG,
                path,
                format!("stopped reading frames: {error}"),
                String::new(),
            ),
        }
    }
}

/// The codec of every audio stream of `path` (any file ffmpeg reads), in stream order, as
/// ffprobe names them (`aac`, `opus`, `pcm_s16le`, ...); empty when it has no audio.
pub fn audio_codecs(path: &Path) -> Result<Vec<String>, VideoError> {
    probe_audio(FFPROBE, path)
}

fn probe_audio(program: &str, path: &Path) -> Result<Vec<String>, VideoError> {
    let arguments = [
        "-v",
        "error",
        "-select_streams",
        "a",
        "-show_entries",
        "stream=codec_name",
        "-of",
        "csv=p=0",
    ];
    Ok(run_probe(program, &arguments, path)?
        .lines()
        .map(|line| line.trim().trim_end_matches(',').to_owned())
        .filter(|codec| !codec.is_empty())
        .collect())
}

/// Whether a file with extension `extension` can hold audio coded with `codec` as it is.
/// Conservative: a codec the container takes only experimentally is re-encoded.
fn container_takes(extension: &str, codec: &str) -> bool {
    match extension {
        "mkv" => true,
        "webm" => matches!(codec, "opus" | "vorbis"),
        "mp4" => matches!(codec, "aac" | "mp3" | "ac3" | "eac3" | "alac"),
        "mov" => {
            matches!(codec, "aac" | "mp3" | "ac3" | "alac")
                || matches!(
                    codec,
                    "pcm_s16le"
                        | "pcm_s16be"
                        | "pcm_s24le"
                        | "pcm_s24be"
                        | "pcm_s32le"
                        | "pcm_f32le"
                )
        }
        _ => false,
    }
}

/// The audio codec arguments for an output with `extension` carrying `codecs`, and what
/// that does; `None` when there is no audio.
fn plan_audio(
    extension: &str,
    codecs: Vec<String>,
) -> (Option<&'static [&'static str]>, AudioPassThrough) {
    if codecs.is_empty() {
        return (None, AudioPassThrough::None);
    }
    if codecs.iter().all(|codec| container_takes(extension, codec)) {
        return (Some(&["-c:a", "copy"]), AudioPassThrough::Copied(codecs));
    }
    let (arguments, to): (&'static [&'static str], _) = if extension == "webm" {
        (&["-c:a", "libopus", "-b:a", "128k"], "opus")
    } else {
        (&["-c:a", "aac", "-b:a", "192k"], "aac")
    };
    (
        Some(arguments),
        AudioPassThrough::Reencoded { from: codecs, to },
    )
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
        let printed = wait_success(&mut encoder.child, &mut encoder.stderr, FFMPEG, &path)?;
        // ffmpeg 5 exits with success when it cannot finish the file (a full disk fails
        // the container's closing index): the words are the only sign.
        if let Some(line) = unfinished_file_error(&printed) {
            return Err(failed(
                FFMPEG,
                &path,
                "exited with success but could not finish the file".to_owned(),
                line.to_owned(),
            ));
        }
        drop(encoder);
        let Self { pending, .. } = *self;
        // ffmpeg has exited, so its file is complete; committing flushes it to disk
        // before the rename.
        commit_pending(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codecs(names: &[&str]) -> Vec<String> {
        names.iter().map(|&name| name.to_owned()).collect()
    }

    #[test]
    fn a_file_ffmpeg_could_not_finish_is_told_by_its_words() {
        // What ffmpeg 5.1 printed, exiting with success, when the disk filled up at the end
        // of an MP4 (its `moov` index was never written).
        let printed = "[mp4 @ 0x55d0c8f1a2c0] Error writing trailer of /out/.a.partial-1-0.mp4: \
                       No space left on device";
        assert_eq!(unfinished_file_error(printed), Some(printed));
        let full = "av_interleaved_write_frame(): No space left on device\nError closing file";
        assert_eq!(
            unfinished_file_error(full),
            Some("av_interleaved_write_frame(): No space left on device")
        );
        // A glitch in the source's audio is no reason to refuse the result.
        assert_eq!(
            unfinished_file_error("[aac @ 0x1] channel element 0.0 is not allocated"),
            None
        );
        assert_eq!(unfinished_file_error(""), None);
    }

    #[test]
    fn audio_is_copied_where_the_container_takes_it_and_reencoded_elsewhere() {
        assert_eq!(
            plan_audio("mp4", Vec::new()),
            (None, AudioPassThrough::None)
        );
        let (arguments, plan) = plan_audio("mp4", codecs(&["aac"]));
        assert_eq!(arguments, Some(&["-c:a", "copy"][..]));
        assert_eq!(plan, AudioPassThrough::Copied(codecs(&["aac"])));
        let (_, plan) = plan_audio("mkv", codecs(&["pcm_s16le", "flac"]));
        assert_eq!(
            plan,
            AudioPassThrough::Copied(codecs(&["pcm_s16le", "flac"]))
        );
        let (_, plan) = plan_audio("mp4", codecs(&["aac", "pcm_s16le"]));
        assert_eq!(
            plan,
            AudioPassThrough::Reencoded {
                from: codecs(&["aac", "pcm_s16le"]),
                to: "aac"
            }
        );
        let (arguments, plan) = plan_audio("webm", codecs(&["aac"]));
        assert!(arguments.is_some_and(|arguments| arguments.contains(&"libopus")));
        assert!(matches!(
            plan,
            AudioPassThrough::Reencoded { to: "opus", .. }
        ));
        let (_, plan) = plan_audio("mov", codecs(&["pcm_s16le"]));
        assert!(matches!(plan, AudioPassThrough::Copied(_)));
    }

    #[test]
    fn a_missing_prober_says_how_to_install_it() {
        let error = probe_audio("lensmith-no-such-ffprobe", Path::new("clip.mp4")).unwrap_err();
        assert!(matches!(error, VideoError::ToolMissing { .. }), "{error}");
    }
}
