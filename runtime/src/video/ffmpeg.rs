//! Any video ffmpeg understands, read as raw RGB through a pipe from the `ffmpeg`
//! command (and sized with `ffprobe`), plus the process plumbing that
//! [`super::ffmpeg_writer`] shares. Nothing is linked: without the tools installed, these
//! return [`VideoError::ToolMissing`].

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use effect_api::{Frame, PixelFormat};

use super::{FrameSource, STILLS_FRAME_RATE, SourceFrame, VideoError};

pub(super) const FFMPEG: &str = "ffmpeg";
const FFPROBE: &str = "ffprobe";
/// How much of a tool's stderr is kept for error messages.
const STDERR_TAIL_BYTES: usize = 4096;

/// Starts `command`, turning "not installed" into [`VideoError::ToolMissing`].
pub(super) fn spawn(command: &mut Command, tool: &str, path: &Path) -> Result<Child, VideoError> {
    command.spawn().map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => VideoError::ToolMissing {
            tool: tool.to_owned(),
            path: path.to_owned(),
        },
        _ => failed(
            tool,
            path,
            format!("could not start: {error}"),
            String::new(),
        ),
    })
}

/// A [`VideoError::ToolFailed`] for `tool` working on `path`.
pub(super) fn failed(tool: &str, path: &Path, status: String, stderr: String) -> VideoError {
    VideoError::ToolFailed {
        tool: tool.to_owned(),
        path: path.to_owned(),
        status,
        stderr,
    }
}

/// `path` as an ffmpeg URL, so names with a colon are not taken for a protocol.
pub(super) fn file_url(path: &Path) -> String {
    format!("file:{}", path.display())
}

/// Collects the tail of a child's stderr on a thread, so a chatty tool never blocks on
/// a full pipe while we feed or drain its other end.
#[derive(Debug)]
pub(super) struct StderrTail(Option<JoinHandle<String>>);

impl StderrTail {
    /// Starts draining `stderr` on a thread named after `tool`.
    pub(super) fn spawn(
        mut stderr: ChildStderr,
        tool: &str,
        path: &Path,
    ) -> Result<Self, VideoError> {
        let thread = std::thread::Builder::new()
            .name(format!("{tool}-stderr"))
            .spawn(move || {
                let (mut tail, mut chunk) = (Vec::new(), [0u8; 1024]);
                while let Ok(read @ 1..) = stderr.read(&mut chunk) {
                    tail.extend_from_slice(&chunk[..read]);
                    let excess = tail.len().saturating_sub(STDERR_TAIL_BYTES);
                    tail.drain(..excess);
                }
                String::from_utf8_lossy(&tail).trim().to_owned()
            })
            .map_err(|error| {
                failed(
                    tool,
                    path,
                    format!("no thread for stderr: {error}"),
                    String::new(),
                )
            })?;
        Ok(Self(Some(thread)))
    }

    /// Waits for the pipe to close and returns what was printed.
    fn collect(&mut self) -> String {
        self.0
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default()
    }
}

/// Waits for `child` and turns a non-zero exit into an error carrying its stderr; returns
/// what it printed (errors only: every run says `-v error`).
pub(super) fn wait_success(
    child: &mut Child,
    stderr: &mut StderrTail,
    tool: &str,
    path: &Path,
) -> Result<String, VideoError> {
    let status = child.wait().map_err(|error| {
        failed(
            tool,
            path,
            format!("lost the process: {error}"),
            String::new(),
        )
    })?;
    let text = stderr.collect();
    if status.success() {
        Ok(text)
    } else {
        Err(failed(tool, path, status.to_string(), text))
    }
}

/// What `ffprobe` reports about the first video stream.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Probe {
    /// Size of the decoded frames, after ffmpeg's automatic rotation.
    width: u32,
    height: u32,
    rate: f64,
    /// Frames, as the container counts them (or its duration times the rate).
    frame_count: Option<u64>,
    /// Frames as the stream's header counts them (`nb_frames`: MP4 and QuickTime), not
    /// estimated from a duration.
    counted_frames: Option<u64>,
}

/// The raw text of `"key": value` in ffprobe's JSON (a string's contents or a number).
/// ffprobe's output is flat enough that this stands in for a JSON parser.
fn json_value<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let start = json.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = json[start..].trim_start().strip_prefix(':')?.trim_start();
    match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next(),
        None => rest.split([',', '}', ']', '\n']).next().map(str::trim),
    }
}

/// How far (as a share) a stream's average rate may stray from its nominal one and the
/// stream still count as evenly spaced: containers round rates and durations.
const VARIABLE_RATE_TOLERANCE: f64 = 0.01;

/// Reads ffprobe's JSON; `Err` says what is missing.
fn parse_probe(json: &str) -> Result<Probe, String> {
    let side = |key| {
        json_value(json, key)
            .and_then(|value| value.parse::<u32>().ok())
            .filter(|&side| side > 0)
            .ok_or_else(|| format!("ffprobe reports no video stream with a {key}"))
    };
    let (width, height) = (side("width")?, side("height")?);
    let rate_of = |key| {
        json_value(json, key)
            .and_then(|value| value.split_once('/'))
            .and_then(|(num, den)| Some(num.parse::<f64>().ok()? / den.parse::<f64>().ok()?))
            .filter(|rate: &f64| rate.is_finite() && *rate > 0.0)
    };
    // The frames are read as they are stored (ffmpeg's passthrough), so they are played at
    // the stream's average rate where its frames are spaced unevenly (a phone's variable
    // frame rate, whose `r_frame_rate` is a ceiling such as 120), and at `r_frame_rate`
    // where they are even. A stream with neither ("0/0") plays at the stills rate.
    let nominal = rate_of("r_frame_rate");
    let average = rate_of("avg_frame_rate");
    let rate = match (nominal, average) {
        (Some(nominal), Some(average))
            if (average - nominal).abs() > VARIABLE_RATE_TOLERANCE * nominal =>
        {
            average
        }
        (Some(nominal), _) => nominal,
        (None, Some(average)) => average,
        (None, None) => STILLS_FRAME_RATE,
    };
    // Newer ffprobe puts rotation in side data, older in a `rotate` tag.
    let rotation = json_value(json, "rotation")
        .or_else(|| json_value(json, "rotate"))
        .and_then(|value| value.parse::<f64>().ok())
        .unwrap_or(0.0);
    let quarter_turns = (rotation / 90.0).round() as i64;
    // `nb_frames` is in the stream's header for MP4 and MOV; Matroska and WebM give only a
    // duration (the stream's, else the whole file's, which ffprobe prints after it).
    let counted_frames = json_value(json, "nb_frames")
        .and_then(|value| value.parse::<u64>().ok())
        .filter(|&frames| frames > 0);
    let frame_count = counted_frames
        .or_else(|| {
            json_value(json, "duration")
                .and_then(|value| value.parse::<f64>().ok())
                .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
                .map(|seconds| (seconds * rate).round() as u64)
        })
        .filter(|&frames| frames > 0);
    let (width, height) = if quarter_turns % 2 != 0 {
        (height, width)
    } else {
        (width, height)
    };
    Ok(Probe {
        width,
        height,
        rate,
        frame_count,
        counted_frames,
    })
}

/// Runs `program` (ffprobe) on `path` with `arguments` before the file, and returns what
/// it printed.
pub(super) fn run_probe(
    program: &str,
    arguments: &[&str],
    path: &Path,
) -> Result<String, VideoError> {
    let output = spawn(
        Command::new(program)
            .args(arguments)
            .arg(file_url(path))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        FFPROBE,
        path,
    )?
    .wait_with_output()
    .map_err(|error| {
        failed(
            FFPROBE,
            path,
            format!("lost the process: {error}"),
            String::new(),
        )
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(failed(FFPROBE, path, output.status.to_string(), stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `program` (ffprobe) on `path`.
fn probe(program: &str, path: &Path) -> Result<Probe, VideoError> {
    let arguments = [
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=width,height,r_frame_rate,avg_frame_rate,nb_frames,duration:stream_side_data=rotation:stream_tags=rotate:format=duration",
        "-of",
        "json",
    ];
    let printed = run_probe(program, &arguments, path)?;
    parse_probe(&printed).map_err(|reason| VideoError::Probe {
        path: path.to_owned(),
        reason,
    })
}

/// A [`FrameSource`] decoding any video through `ffmpeg`, which applies the stream's
/// rotation; the child process is killed when the reader is dropped.
#[derive(Debug)]
pub struct FfmpegReader {
    path: PathBuf,
    child: Child,
    stdout: ChildStdout,
    stderr: StderrTail,
    probe: Probe,
    index: u64,
    done: bool,
}

impl FfmpegReader {
    /// Probes `path` with ffprobe and starts ffmpeg decoding it.
    pub fn open(path: &Path) -> Result<Self, VideoError> {
        let probe = probe(FFPROBE, path)?;
        let mut child = spawn(
            Command::new(FFMPEG)
                .args(["-nostdin", "-v", "error", "-i"])
                .arg(file_url(path))
                // The stream ffprobe measured: left to itself ffmpeg picks the largest video
                // stream, and frames of another size were cut into garbage.
                .args(["-map", "0:v:0"])
                // Each stored frame once: without this, ffmpeg repeats frames to fill a
                // variable-rate stream up to its nominal rate (4.5 times as many frames
                // for a phone clip that declares 120 fps and holds 26).
                .args(["-vsync", "passthrough"])
                .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
            FFMPEG,
            path,
        )?;
        // Both pipes were asked for above, so both are present.
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr = StderrTail::spawn(stderr, FFMPEG, path)?;
        Ok(Self {
            path: path.to_owned(),
            child,
            stdout,
            stderr,
            probe,
            index: 0,
            done: false,
        })
    }
}

impl FrameSource for FfmpegReader {
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, VideoError> {
        if self.done {
            return Ok(None);
        }
        let Probe {
            width,
            height,
            rate,
            ..
        } = self.probe;
        let expected = width as usize * height as usize * 3;
        let mut data = Vec::with_capacity(expected);
        let got = (&mut self.stdout)
            .take(expected as u64)
            .read_to_end(&mut data)
            .map_err(|error| {
                failed(
                    FFMPEG,
                    &self.path,
                    format!("read failed: {error}"),
                    String::new(),
                )
            })?;
        if got < expected {
            self.done = true;
            wait_success(&mut self.child, &mut self.stderr, FFMPEG, &self.path)?;
            if got == 0 {
                return Ok(None);
            }
            return Err(VideoError::Probe {
                path: self.path.clone(),
                reason: format!(
                    "frame {} ended after {got} of {expected} bytes, so ffprobe's size {width}x{height} is wrong",
                    self.index
                ),
            });
        }
        let frame =
            Frame::from_packed(data, width, height, PixelFormat::Rgb8).map_err(|error| {
                VideoError::Probe {
                    path: self.path.clone(),
                    reason: error.to_string(),
                }
            })?;
        let index = self.index;
        self.index += 1;
        Ok(Some(SourceFrame {
            frame,
            index,
            time_s: index as f64 / rate,
            name: format!("frame {index}"),
        }))
    }

    fn frame_rate(&self) -> f64 {
        self.probe.rate
    }

    fn size_hint(&self) -> Option<(u32, u32)> {
        Some((self.probe.width, self.probe.height))
    }

    fn is_independent_stills(&self) -> bool {
        false
    }

    fn frame_count_hint(&self) -> Option<u64> {
        self.probe.frame_count
    }

    fn counted_frames(&self) -> Option<u64> {
        self.probe.counted_frames
    }
}

impl Drop for FfmpegReader {
    fn drop(&mut self) {
        // Stop decoding the rest of a video nobody will read; reap it so no zombie stays.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROBE_OUTPUT: &str = r#"{
    "programs": [],
    "streams": [
        {
            "width": 1920,
            "height": 1080,
            "r_frame_rate": "30000/1001",
            "side_data_list": [
                {
                    "rotation": -90
                }
            ]
        }
    ]
}"#;

    #[test]
    fn probe_output_gives_rotated_size_and_rate() {
        let probe = parse_probe(PROBE_OUTPUT).unwrap();
        assert_eq!((probe.width, probe.height), (1080, 1920));
        assert!((probe.rate - 29.97).abs() < 0.01);
        let upright = parse_probe(&PROBE_OUTPUT.replace("-90", "180")).unwrap();
        assert_eq!((upright.width, upright.height), (1920, 1080));
        let old_tag = r#"{"streams": [{"width": 4, "height": 2, "r_frame_rate": "0/0", "tags": {"rotate": "270"}}]}"#;
        let probe = parse_probe(old_tag).unwrap();
        assert_eq!(
            (probe.width, probe.height, probe.rate),
            (2, 4, STILLS_FRAME_RATE)
        );
    }

    #[test]
    fn uneven_streams_play_at_their_average_rate_and_even_ones_at_their_own() {
        let rate = |r: &str, avg: &str| {
            let json = format!(
                r#"{{"streams": [{{"width": 4, "height": 2, "r_frame_rate": "{r}", "avg_frame_rate": "{avg}"}}]}}"#
            );
            parse_probe(&json).unwrap().rate
        };
        assert!(
            (rate("120/1", "519168/19595") - 26.49).abs() < 0.01,
            "a phone's variable rate"
        );
        assert_eq!(rate("25/1", "25/1"), 25.0);
        assert_eq!(
            rate("30000/1001", "2997/100"),
            30000.0 / 1001.0,
            "rounding is not variability"
        );
        assert_eq!(rate("0/0", "24/1"), 24.0);
        assert_eq!(rate("0/0", "0/0"), STILLS_FRAME_RATE);
    }

    #[test]
    fn frame_count_comes_from_the_header_or_the_duration() {
        assert_eq!(parse_probe(PROBE_OUTPUT).unwrap().frame_count, None);
        let mp4 = r#"{"streams": [{"width": 4, "height": 2, "r_frame_rate": "25/1", "duration": "53.480000", "nb_frames": "1337"}]}"#;
        assert_eq!(parse_probe(mp4).unwrap().frame_count, Some(1337));
        assert_eq!(parse_probe(mp4).unwrap().counted_frames, Some(1337));
        let mkv = r#"{"streams": [{"width": 4, "height": 2, "r_frame_rate": "30/1"}], "format": {"duration": "2.000000"}}"#;
        assert_eq!(parse_probe(mkv).unwrap().frame_count, Some(60));
        assert_eq!(
            parse_probe(mkv).unwrap().counted_frames,
            None,
            "estimated, not counted"
        );
        let unknown = r#"{"streams": [{"width": 4, "height": 2, "r_frame_rate": "30/1", "nb_frames": "N/A"}]}"#;
        assert_eq!(parse_probe(unknown).unwrap().frame_count, None);
    }

    #[test]
    fn audio_only_files_are_refused() {
        let error = parse_probe(r#"{"programs": [], "streams": []}"#).unwrap_err();
        assert!(error.contains("no video stream"), "{error}");
    }

    #[test]
    fn a_missing_tool_says_how_to_install_it() {
        let error = probe("lensmith-no-such-ffprobe", Path::new("clip.mp4")).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, VideoError::ToolMissing { .. }), "{message}");
        assert!(message.contains("apt-get install ffmpeg") && message.contains("clip.mp4"));
    }
}
