//! The progress bar of `lensmith render`: drawn on stderr for inputs of more than one frame,
//! and only when stderr is a terminal (so logs and pipes stay clean).

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use super::output::InputKind;

/// A progress bar, or nothing; cleared when finished or dropped (on an error), so that
/// messages after it are not mixed into it.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for an input of `count` frames (estimated for videos when `None`), hidden
    /// for a single frame or when stderr is not a terminal.
    pub fn new(count: Option<u64>, kind: InputKind, input: &Path, frame_rate: f64) -> Self {
        if count.is_some_and(|count| count <= 1) || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let count = count.or_else(|| match kind {
            InputKind::Y4m => y4m_frames(input),
            InputKind::Video => video_frames(input, frame_rate),
            InputKind::Still | InputKind::Folder => None,
        });
        let bar = match count {
            Some(count) => ProgressBar::with_draw_target(Some(count), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "{spinner} {elapsed_precise} [{bar:40}] {pos}/{len} frames \
                         ({fps}, {eta} left)",
                    )
                    // The template is a constant known to parse.
                    .expect("the progress template parses")
                    .with_key("fps", fps)
                    .progress_chars("=> "),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} frames ({fps})")
                    // The template is a constant known to parse.
                    .expect("the progress template parses")
                    .with_key("fps", fps),
            ),
        };
        bar.enable_steady_tick(Duration::from_millis(200));
        Self(Some(bar))
    }

    /// One more frame done.
    pub fn advance(&self) {
        if let Some(bar) = &self.0 {
            // An estimate can fall short; grow the bar rather than overflow it.
            if bar.length().is_some_and(|length| bar.position() >= length) {
                bar.inc_length(1);
            }
            bar.inc(1);
        }
    }

    /// Clears the bar.
    pub fn finish(self) {
        // Drop clears it.
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

/// The `{fps}` of the templates: frames per second with one decimal.
fn fps(state: &ProgressState, out: &mut dyn std::fmt::Write) {
    let _ = write!(out, "{:.1} fps", state.per_sec());
}

/// The number of frames of a Y4M file, from its size and its header's frame size (frames
/// with parameters on their `FRAME` line make this a slight overestimate).
fn y4m_frames(path: &Path) -> Option<u64> {
    let length = std::fs::metadata(path).ok()?.len();
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(path)
        .ok()?
        .take(512)
        .read_to_end(&mut head)
        .ok()?;
    let end = head.iter().position(|&byte| byte == b'\n')?;
    let header = std::str::from_utf8(&head[..end]).ok()?;
    let tag = |letter: char| {
        header
            .split(' ')
            .find_map(|field| field.strip_prefix(letter))
    };
    let width: u64 = tag('W')?.parse().ok()?;
    let height: u64 = tag('H')?.parse().ok()?;
    let (half_width, half_height) = (width.div_ceil(2), height.div_ceil(2));
    let picture = match tag('C').unwrap_or("420") {
        "444" => 3 * width * height,
        "444alpha" => 4 * width * height,
        "422" => width * height + 2 * half_width * height,
        "mono" => width * height,
        _ => width * height + 2 * half_width * half_height,
    };
    let frame = picture + b"FRAME\n".len() as u64;
    Some(length.saturating_sub(end as u64 + 1) / frame.max(1))
}

/// The number of frames of a video, from ffprobe (its frame count, or its duration times
/// `frame_rate`); `None` when ffprobe cannot say.
fn video_frames(path: &Path, frame_rate: f64) -> Option<u64> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_frames:format=duration"])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(format!("file:{}", path.display()))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let value = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .filter(|value| value.is_finite() && *value > 0.0)
    };
    value("nb_frames")
        .or_else(|| Some(value("duration")? * frame_rate))
        .map(|frames| frames.round() as u64)
}
