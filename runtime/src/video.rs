//! Frame sources and sinks: still images, image folders, Y4M, any video through ffmpeg, and
//! a live camera (with the `camera` feature, on Linux).
//!
//! [`open_source`] and [`create_sink`] pick the right reader or writer from the path, so the
//! pipeline only sees [`FrameSource`] and [`FrameSink`].

mod camera;
mod ffmpeg;
mod ffmpeg_writer;
mod images;
mod png_sequence;
mod y4m;
mod y4m_writer;
pub(crate) mod yuv;
mod yuyv;

use std::path::{Path, PathBuf};

use effect_api::{Frame, FrameView};

use crate::image_io::{ImageReadError, is_still_image, unread_photo_format};

#[cfg(all(feature = "camera", target_os = "linux"))]
pub use camera::CameraSource;
pub use camera::{CAMERA_RATE, CAMERA_SIZE, CameraSpec};
pub use ffmpeg::FfmpegReader;
pub use ffmpeg_writer::{AudioPassThrough, FfmpegWriter, audio_codecs, pads_odd_sides};
pub use images::{ImageFolder, StillImage};
pub use png_sequence::{PngSequence, SinglePng};
pub use y4m::Y4mReader;
pub use y4m_writer::Y4mWriter;
pub use yuyv::yuyv_to_rgb;

/// The frame rate given to sources that have none of their own (stills and image folders).
pub const STILLS_FRAME_RATE: f64 = 30.0;

/// One decoded frame and where it sits in its source.
#[derive(Debug, Clone)]
pub struct SourceFrame {
    /// The pixels, always [`effect_api::PixelFormat::Rgb8`].
    pub frame: Frame,
    /// Position in the source, counting from 0.
    pub index: u64,
    /// Presentation time in seconds: `index / frame_rate`.
    pub time_s: f64,
    /// The file name for image sources, `"frame N"` (N = `index`) otherwise.
    pub name: String,
}

/// Something that yields frames in order: a video file, a folder of images, one still.
///
/// `Send` so a pipeline can open a source on one thread and run it on a worker.
pub trait FrameSource: Send {
    /// The next frame, or `None` once the source is exhausted.
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, VideoError>;
    /// Frames per second (sources without timing report [`STILLS_FRAME_RATE`]).
    fn frame_rate(&self) -> f64;
    /// Width and height of every frame, when known before decoding.
    fn size_hint(&self) -> Option<(u32, u32)>;
    /// True when frames are unrelated stills (an image folder, one photo), so tracking
    /// state from one frame must not carry into the next.
    fn is_independent_stills(&self) -> bool;
    /// How many frames the source holds, when it can tell before decoding them: exact for
    /// stills, image folders and Y4M files, the container's figure for other videos (which
    /// may be off by a few). `None` when unknown, and for a live camera.
    fn frame_count_hint(&self) -> Option<u64> {
        None
    }
    /// How many frames a video's header counts, where the container counts them (MP4 and
    /// QuickTime) rather than leaving them to be estimated from a duration that may be the
    /// longer audio's: a video that yields fewer was cut short. `None` elsewhere.
    fn counted_frames(&self) -> Option<u64> {
        None
    }
    /// True for a live source (a camera): frames come at the device's pace, the newest
    /// first; they cannot be revisited and never end.
    fn is_live(&self) -> bool {
        false
    }
}

/// Something that stores frames: a video file, a PNG or a folder of PNGs.
///
/// Output appears under its final name only after [`FrameSink::finish`] succeeds; a sink
/// dropped without finishing leaves no partial file behind.
pub trait FrameSink: Send {
    /// Appends one frame (RGB or RGBA, with or without row padding).
    fn write_frame(&mut self, frame: FrameView) -> Result<(), VideoError>;
    /// Flushes everything and moves the output to its final name.
    fn finish(self: Box<Self>) -> Result<(), VideoError>;
}

/// Why a video could not be read or written. Every message names the path and what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VideoError {
    /// The input path does not exist.
    #[error("{path} does not exist: check the path of the video, image or image folder")]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// A file or folder could not be opened, read, written or renamed.
    #[error("cannot {action} {path}: {reason}; check that the path exists and is writable")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done ("read", "create", ...).
        action: &'static str,
        /// The operating system's reason.
        reason: String,
    },
    /// An image in a folder or a still could not be decoded. (Not a `source`: the message
    /// already says what the image's error says.)
    #[error("{0}; replace or remove that file")]
    Image(ImageReadError),
    /// A folder source holds no still images.
    #[error(
        "folder {path} holds no images (PNG, JPEG, WebP, BMP, TIFF or PPM/PGM): add frames (sorted by file name) or choose another folder"
    )]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },
    /// The YUV4MPEG2 header is malformed or asks for something unsupported.
    #[error(
        "bad YUV4MPEG2 header in {path}, field {field}: {reason}; re-export it, e.g. `ffmpeg -i IN -pix_fmt yuv420p OUT.y4m`"
    )]
    Y4mHeader {
        /// The file.
        path: PathBuf,
        /// The header field ("W", "H", "F", "C" or "signature").
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A Y4M frame is malformed or cut short.
    #[error(
        "{path}: frame {frame} (counting from 0) {reason}; the file is damaged or was not finished: re-export it or cut the last frame"
    )]
    Y4mFrame {
        /// The file.
        path: PathBuf,
        /// Index of the bad frame.
        frame: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// ffmpeg or ffprobe is not installed.
    #[error(
        "{tool} is needed for {path} but was not found on PATH: install it (`apt-get install ffmpeg`), or use a .y4m file or a PNG folder instead"
    )]
    ToolMissing {
        /// `"ffmpeg"` or `"ffprobe"`.
        tool: String,
        /// The file it was needed for.
        path: PathBuf,
    },
    /// ffmpeg or ffprobe failed.
    #[error(
        "{tool} failed on {path} ({status}): {stderr}; check that the file plays and the codec is installed"
    )]
    ToolFailed {
        /// `"ffmpeg"` or `"ffprobe"`.
        tool: String,
        /// The file being read or written.
        path: PathBuf,
        /// The exit status, or what went wrong talking to it.
        status: String,
        /// What it printed on stderr (the tail, when long).
        stderr: String,
    },
    /// ffprobe's answer did not describe a usable video stream.
    #[error("cannot use the video stream of {path}: {reason}; convert it with ffmpeg first")]
    Probe {
        /// The file.
        path: PathBuf,
        /// What was missing or unreadable.
        reason: String,
    },
    /// A sink got a frame whose size differs from the first frame's.
    #[error(
        "{path}: frame {frame} is {got_width}x{got_height} but the output is {width}x{height}; resize frames to one size before writing"
    )]
    SizeChanged {
        /// The output.
        path: PathBuf,
        /// Index of the offending frame.
        frame: u64,
        /// Width fixed by the first frame.
        width: u32,
        /// Height fixed by the first frame.
        height: u32,
        /// Width of the offending frame.
        got_width: u32,
        /// Height of the offending frame.
        got_height: u32,
    },
    /// A single-image output was given zero or several frames.
    #[error(
        "{path} is a single PNG and takes exactly one frame, but got {frames}; give a folder path to write a PNG sequence"
    )]
    NotOneFrame {
        /// The output.
        path: PathBuf,
        /// How many frames were offered.
        frames: u64,
    },
    /// A video sink was finished without any frame, so it has no size.
    #[error("no frames were written to {path}: the source produced nothing, so no file was made")]
    NoFrames {
        /// The output.
        path: PathBuf,
    },
    /// The output frame rate is not a usable number.
    #[error("frame rate {rate} for {path} is not usable: give a rate above 0 and at most 1000 fps")]
    BadFrameRate {
        /// The output.
        path: PathBuf,
        /// The rate given.
        rate: f64,
    },
    /// A photo in a format this build does not decode (HEIC and AVIF, as phones save).
    #[error(
        "cannot read {path}: {format} photos are not read here; convert it to JPEG or PNG \
         first (for example `heif-convert {path} photo.jpg`, or export it as JPEG from the phone)"
    )]
    UnsupportedPhoto {
        /// The photo.
        path: PathBuf,
        /// Its format's name.
        format: &'static str,
    },
    /// The output path names a format that cannot be written.
    #[error(
        "cannot write {path}: {reason}; use .y4m, .mp4, .mkv, .mov, .webm, .png or a folder path"
    )]
    UnsupportedOutput {
        /// The output.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// A camera could not be opened or stopped sending frames.
    #[error("camera {camera}: {reason}")]
    Camera {
        /// The camera, as the source named it.
        camera: String,
        /// What went wrong and what to do.
        reason: String,
    },
}

impl From<ImageReadError> for VideoError {
    fn from(error: ImageReadError) -> Self {
        Self::Image(error)
    }
}

impl VideoError {
    /// An I/O failure on `path` while doing `action`.
    pub(crate) fn io(path: &Path, action: &'static str, error: std::io::Error) -> Self {
        VideoError::Io {
            path: path.to_owned(),
            action,
            reason: error.to_string(),
        }
    }
}

/// Opens a frame source, chosen by what `path` is: a camera (`camera`, `camera:N`,
/// `/dev/videoN`), a folder of still images, a `.y4m` file, one still image (a name ending
/// in one of [`crate::image_io::STILL_IMAGE_EXTENSIONS`]), or any other video through
/// ffmpeg.
pub fn open_source(path: &Path) -> Result<Box<dyn FrameSource>, VideoError> {
    if let Some(camera) = CameraSpec::parse(path) {
        return camera::open_camera(&camera);
    }
    let metadata = std::fs::metadata(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => VideoError::NotFound {
            path: path.to_owned(),
        },
        _ => VideoError::io(path, "open", error),
    })?;
    if metadata.is_dir() {
        return Ok(Box::new(ImageFolder::open(path)?));
    }
    // Phones' photo formats, which neither the image decoders here nor ffmpeg builds as old
    // as Debian 12's read: say so, rather than leave it to ffprobe's "invalid data".
    if let Some(format) = unread_photo_format(path) {
        return Err(VideoError::UnsupportedPhoto {
            path: path.to_owned(),
            format,
        });
    }
    Ok(match extension(path).as_str() {
        "y4m" => Box::new(Y4mReader::open(path)?),
        _ if is_still_image(path) => Box::new(StillImage::open(path)?),
        _ => Box::new(FfmpegReader::open(path)?),
    })
}

/// Creates a sink for `path`: `.y4m` → [`Y4mWriter`]; `.mp4`, `.mkv`, `.mov`, `.webm` →
/// [`FfmpegWriter`]; `.png` → [`SinglePng`]; any other path (a folder, existing or not) →
/// [`PngSequence`]. `frame_rate` is used by the video formats only, but is checked for all.
pub fn create_sink(path: &Path, frame_rate: f64) -> Result<Box<dyn FrameSink>, VideoError> {
    check_rate(path, frame_rate)?;
    Ok(match extension(path).as_str() {
        "y4m" => Box::new(Y4mWriter::create(path, frame_rate)?),
        "mp4" | "mkv" | "mov" | "webm" => Box::new(FfmpegWriter::create(path, frame_rate)?),
        "png" => Box::new(SinglePng::create(path)),
        // A folder called `x.jpg` is almost surely a mistake, not a wish for PNGs.
        "jpg" | "jpeg" => {
            return Err(VideoError::UnsupportedOutput {
                path: path.to_owned(),
                reason: "JPEG output is not supported (it would lose quality each pass)".into(),
            });
        }
        other if !path.is_dir() && is_unwritten_media_ending(other) => {
            return Err(VideoError::UnsupportedOutput {
                path: path.to_owned(),
                reason: format!(
                    ".{other} files are not written (a folder of PNGs by that name would be)"
                ),
            });
        }
        _ => Box::new(PngSequence::create(path)?),
    })
}

/// Endings of pictures and videos that [`create_sink`] does not write: a name ending so
/// is a wish for that format, which a folder of PNGs under that name would not grant.
fn is_unwritten_media_ending(extension: &str) -> bool {
    const OTHER_ENDINGS: [&str; 15] = [
        "avi", "gif", "m4v", "mpg", "mpeg", "ts", "flv", "wmv", "3gp", "ogv", "apng", "mjpeg",
        "heic", "heif", "avif",
    ];
    OTHER_ENDINGS.contains(&extension)
        || crate::image_io::STILL_IMAGE_EXTENSIONS.contains(&extension)
}

/// The lowercase extension of `path`, or `""`.
fn extension(path: &Path) -> String {
    path.extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Refuses output frame rates that are not finite, not positive or above 1000 fps.
fn check_rate(path: &Path, rate: f64) -> Result<(), VideoError> {
    if rate.is_finite() && rate > 0.0 && rate <= 1000.0 {
        Ok(())
    } else {
        Err(VideoError::BadFrameRate {
            path: path.to_owned(),
            rate,
        })
    }
}

/// `rate` as a fraction `(numerator, denominator)`, recognising NTSC rates such as
/// 30000/1001. `rate` must be finite, above 0 and at most 1000 (checked by the sinks).
fn rate_fraction(rate: f64) -> (u32, u32) {
    let near_integer = |value: f64| (value - value.round()).abs() < 1e-3;
    if near_integer(rate) {
        return (rate.round().max(1.0) as u32, 1);
    }
    if near_integer(rate * 1.001) {
        return ((rate * 1.001).round() as u32 * 1000, 1001);
    }
    let numerator = (rate * 1000.0).round().max(1.0) as u32;
    let divisor = gcd(numerator, 1000);
    (numerator / divisor, 1000 / divisor)
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Checks that `frame` matches the `(width, height)` the first frame fixed, or fixes it.
fn check_size(
    size: &mut Option<(u32, u32)>,
    frame: &FrameView,
    index: u64,
    path: &Path,
) -> Result<(u32, u32), VideoError> {
    let got = (frame.width(), frame.height());
    let (width, height) = *size.get_or_insert(got);
    if got != (width, height) {
        return Err(VideoError::SizeChanged {
            path: path.to_owned(),
            frame: index,
            width,
            height,
            got_width: got.0,
            got_height: got.1,
        });
    }
    Ok(got)
}

/// Copies `frame` into `out` as tightly packed RGB, dropping alpha and row padding.
fn pack_rgb(frame: &FrameView, out: &mut Vec<u8>) {
    out.clear();
    let bytes_per_pixel = frame.format().bytes_per_pixel();
    for y in 0..frame.height() {
        let row = frame.row(y);
        if bytes_per_pixel == 3 {
            out.extend_from_slice(row);
        } else {
            for pixel in row.chunks_exact(bytes_per_pixel) {
                out.extend_from_slice(&pixel[..3]);
            }
        }
    }
}

/// Creates `pending`'s temporary file; an error names the final path.
fn create_pending(pending: &crate::atomic_file::PendingFile) -> Result<std::fs::File, VideoError> {
    pending
        .create()
        .map_err(|error| VideoError::io(pending.target(), "create", error))
}

/// Renames `pending`'s finished file into place; an error names the final path.
fn commit_pending(pending: crate::atomic_file::PendingFile) -> Result<(), VideoError> {
    let target = pending.target().to_owned();
    pending
        .commit()
        .map_err(|error| VideoError::io(&target, "rename into place", error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_become_exact_fractions() {
        assert_eq!(rate_fraction(30.0), (30, 1));
        assert_eq!(rate_fraction(30000.0 / 1001.0), (30000, 1001));
        assert_eq!(rate_fraction(24000.0 / 1001.0), (24000, 1001));
        assert_eq!(rate_fraction(12.5), (25, 2));
        assert_eq!(rate_fraction(0.5), (1, 2));
    }

    #[test]
    fn bad_rates_and_jpeg_outputs_are_refused() {
        let dir = std::env::temp_dir();
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let error = create_sink(&dir.join("x.y4m"), rate).err().unwrap();
            assert!(matches!(error, VideoError::BadFrameRate { .. }), "{error}");
        }
        let error = create_sink(&dir.join("x.jpg"), 30.0).err().unwrap();
        assert!(error.to_string().contains("x.jpg"), "{error}");
    }

    #[test]
    fn missing_inputs_name_the_path() {
        let error = open_source(Path::new("/nonexistent/clip.mp4"))
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("/nonexistent/clip.mp4"),
            "{error}"
        );
    }
}
