//! What `lensmith render` reads and writes: the kind of input, the output it may become
//! (an image for an image, a folder for a folder, a video for a video), the refusals (never
//! over the input), and the writers. Single files are written under a temporary name and
//! renamed into place when complete, so an error leaves no half-written output.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use effect_api::FrameView;
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder};
use lensmith_runtime::atomic_file::PendingFile;
use lensmith_runtime::image_io::{is_still_image, unread_photo_format};
use lensmith_runtime::video::{
    AudioPassThrough, FfmpegWriter, FrameSink, FrameSource, ImageFolder, SourceFrame, audio_codecs,
    create_sink, open_source,
};

/// JPEG quality for a still written as `.jpg`: high, since the effect's detail matters.
const JPEG_QUALITY: u8 = 95;

/// The video containers written through ffmpeg (which can carry audio).
const VIDEO_EXTENSIONS: [&str; 4] = ["mp4", "mkv", "mov", "webm"];

/// What the input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// One still image.
    Still,
    /// A folder of still images.
    Folder,
    /// A `.y4m` file (no audio).
    Y4m,
    /// Anything else, read through ffmpeg.
    Video,
}

/// What the output is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutputKind {
    /// One `.png`.
    Png,
    /// One `.jpg` or `.jpeg`.
    Jpeg,
    /// A folder of PNGs named after the input images.
    NamedFolder,
    /// A `.y4m` file.
    Y4m,
    /// A video written through ffmpeg.
    Video,
    /// A folder of `frame_000000.png`, … (from a video).
    FrameFolder,
}

/// The lowercase extension of `path`, or `""`.
fn extension(path: &Path) -> String {
    path.extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// True when `a` and `b` are the same file or folder (through links and other spellings).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return (a.dev(), a.ino()) == (b.dev(), b.ino());
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The source and what it holds, as far as known before decoding.
pub struct Source {
    /// The frames.
    pub frames: Box<dyn FrameSource>,
    /// How many frames it holds, for images and folders; `None` for videos.
    pub count: Option<u64>,
}

/// The input and the output of one run, checked against each other before anything loads.
#[derive(Debug)]
pub struct OutputPlan {
    input: PathBuf,
    output: PathBuf,
    input_kind: InputKind,
    output_kind: OutputKind,
}

impl OutputPlan {
    /// Works out what `input` is and checks that `output` is a matching kind that does not
    /// overwrite the input.
    pub fn new(input: &Path, output: &Path) -> Result<Self> {
        let metadata = match std::fs::metadata(input) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
                "input {} does not exist: give an image (.png, .jpg, .webp...), a folder of \
                 images, a .y4m file or a video",
                input.display()
            ),
            Err(error) => bail!("cannot read input {}: {error}", input.display()),
        };
        let input_kind = if metadata.is_dir() {
            InputKind::Folder
        } else {
            match extension(input).as_str() {
                // A phone's HEIC is a photo too: opening it says how to convert it.
                _ if is_still_image(input) || unread_photo_format(input).is_some() => {
                    InputKind::Still
                }
                "y4m" => InputKind::Y4m,
                _ => InputKind::Video,
            }
        };
        if same_file(input, output) {
            bail!(
                "the output {} is the input: refusing to overwrite it; give -o another path",
                output.display()
            );
        }
        let output_extension = extension(output);
        let output_is_dir = output.is_dir();
        let names_a_file = ["png", "jpg", "jpeg", "y4m"].contains(&output_extension.as_str())
            || VIDEO_EXTENSIONS.contains(&output_extension.as_str());
        if output_is_dir && names_a_file && input_kind != InputKind::Folder {
            bail!(
                "{} is an existing folder, though named like a file: give -o the path of the \
                 file to write{}",
                output.display(),
                match input_kind {
                    InputKind::Still => "",
                    _ => ", or a folder without a file ending for PNG frames",
                }
            );
        }
        let output_kind = match input_kind {
            InputKind::Still => match output_extension.as_str() {
                "png" if !output_is_dir => OutputKind::Png,
                "jpg" | "jpeg" if !output_is_dir => OutputKind::Jpeg,
                _ => bail!(
                    "{} is one image, so the output is one image too: name it .png or .jpg \
                     (not {})",
                    input.display(),
                    output.display()
                ),
            },
            InputKind::Folder => {
                if output.exists() && !output_is_dir {
                    bail!(
                        "{} is a folder of images, so the output is a folder, but {} is a \
                         file: give a folder path",
                        input.display(),
                        output.display()
                    );
                }
                if !output_is_dir && !output_extension.is_empty() {
                    bail!(
                        "{} is a folder of images, so the output is a folder (the images \
                         keep their names, as PNG), but {} looks like a file: give a folder \
                         path",
                        input.display(),
                        output.display()
                    );
                }
                refuse_clashing_names(input)?;
                OutputKind::NamedFolder
            }
            InputKind::Y4m | InputKind::Video => match output_extension.as_str() {
                _ if output_is_dir => OutputKind::FrameFolder,
                "y4m" => OutputKind::Y4m,
                ext if VIDEO_EXTENSIONS.contains(&ext) => OutputKind::Video,
                "" => OutputKind::FrameFolder,
                _ => bail!(
                    "{} is a video, so the output is a video: name it .y4m, .mp4, .mkv, .mov \
                     or .webm (or give a folder for PNG frames), not {}",
                    input.display(),
                    output.display()
                ),
            },
        };
        if matches!(
            output_kind,
            OutputKind::Png | OutputKind::Jpeg | OutputKind::Y4m | OutputKind::Video
        ) {
            let parent = lensmith_runtime::atomic_file::folder_of(output);
            if !parent.is_dir() {
                bail!(
                    "the folder {} of the output {} does not exist: create it first or give \
                     -o another path",
                    parent.display(),
                    output.display()
                );
            }
        }
        Ok(Self {
            input: input.to_owned(),
            output: output.to_owned(),
            input_kind,
            output_kind,
        })
    }

    /// What the input is.
    pub fn input_kind(&self) -> InputKind {
        self.input_kind
    }

    /// Refuses a report file (`flag`'s value) that is the input or the output.
    pub fn check_side_file(&self, path: &Path, flag: &str) -> Result<()> {
        if same_file(path, &self.input) || path == self.input {
            bail!(
                "{flag} {} is the input: refusing to overwrite it; give another path",
                path.display()
            );
        }
        if same_file(path, &self.output) || path == self.output {
            bail!(
                "{flag} {} is also the output: give another path",
                path.display()
            );
        }
        crate::json_file::check_json_destination(flag, path)
    }

    /// Opens the input. For a folder, also checks that no two images would be written
    /// under one name.
    pub fn open_source(&self) -> Result<Source> {
        match self.input_kind {
            InputKind::Folder => {
                let folder = ImageFolder::open(&self.input)?;
                let mut names: BTreeMap<String, &Path> = BTreeMap::new();
                for file in folder.files() {
                    let name = png_name(&file.file_name().unwrap_or_default().to_string_lossy());
                    if let Some(first) = names.insert(name.clone(), file) {
                        bail!(
                            "{} and {} would both be written as {}: rename one of them",
                            first.display(),
                            file.display(),
                            self.output.join(name).display()
                        );
                    }
                }
                let count = folder.files().len() as u64;
                Ok(Source {
                    frames: Box::new(folder),
                    count: Some(count),
                })
            }
            kind => Ok(Source {
                frames: open_source(&self.input)?,
                count: (kind == InputKind::Still).then_some(1),
            }),
        }
    }

    /// Creates the writer; a video output carries the input video's audio.
    pub fn create_writer(&self, frame_rate: f64) -> Result<Writer> {
        let output = &self.output;
        let (kind, audio, note) = match self.output_kind {
            OutputKind::Png | OutputKind::Y4m | OutputKind::FrameFolder => {
                let note = (self.input_kind == InputKind::Video)
                    .then(|| self.dropped_audio_note())
                    .flatten();
                (
                    WriterKind::Sink(create_sink(output, frame_rate)?),
                    AudioPassThrough::None,
                    note,
                )
            }
            OutputKind::Jpeg => (
                WriterKind::Jpeg {
                    pending: PendingFile::new(output),
                    written: false,
                },
                AudioPassThrough::None,
                None,
            ),
            OutputKind::NamedFolder => {
                std::fs::create_dir_all(output)
                    .with_context(|| format!("creating the output folder {}", output.display()))?;
                (
                    WriterKind::Folder(output.clone()),
                    AudioPassThrough::None,
                    None,
                )
            }
            OutputKind::Video => {
                let mut writer = FfmpegWriter::create(output, frame_rate)?;
                if self.input_kind == InputKind::Video {
                    writer = writer.with_audio_from(&self.input)?;
                }
                let audio = writer.audio().clone();
                (WriterKind::Sink(Box::new(writer)), audio, None)
            }
        };
        Ok(Writer {
            kind,
            frames: 0,
            audio,
            note,
        })
    }

    /// A note for a video with audio written where audio cannot go; `None` when it has
    /// none (or ffprobe cannot tell, in which case reading the video will say why).
    fn dropped_audio_note(&self) -> Option<String> {
        let codecs = audio_codecs(&self.input).ok()?;
        (!codecs.is_empty()).then(|| {
            format!(
                "note: {} holds no audio, so the audio of {} is left out; write .mp4, .mkv, \
                 .mov or .webm to keep it",
                self.output.display(),
                self.input.display()
            )
        })
    }
}

/// Refuses a folder where two images would be written under one name (`face.jpg` and
/// `face.webp` both become `face.png`): the second would replace the first's result.
/// A folder that cannot be listed, or holds no image, is left for opening it to report.
fn refuse_clashing_names(folder: &Path) -> Result<()> {
    let Ok(images) = ImageFolder::open(folder) else {
        return Ok(());
    };
    let mut written: BTreeMap<String, &Path> = BTreeMap::new();
    for image in images.files() {
        let name = image.file_name().unwrap_or_default().to_string_lossy();
        if let Some(earlier) = written.insert(png_name(&name), image) {
            bail!(
                "{} and {} in {} would both be written as {}: rename one of them",
                earlier.file_name().unwrap_or_default().to_string_lossy(),
                name,
                folder.display(),
                png_name(&name)
            );
        }
    }
    Ok(())
}

/// The output name of input image `name`: the same name, as PNG (`a.jpg` → `a.png`).
fn png_name(name: &str) -> String {
    let stem = Path::new(name)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_owned());
    format!("{stem}.png")
}

enum WriterKind {
    /// A runtime sink (PNG, Y4M, ffmpeg, PNG sequence).
    Sink(Box<dyn FrameSink>),
    /// One JPEG, encoded into `pending` and renamed into place on finish.
    Jpeg { pending: PendingFile, written: bool },
    /// A folder of PNGs named after the input images, each written atomically.
    Folder(PathBuf),
}

/// Writes the processed frames.
pub struct Writer {
    kind: WriterKind,
    frames: u64,
    audio: AudioPassThrough,
    note: Option<String>,
}

impl Writer {
    /// A note for the user before the run (audio that cannot be kept), if any.
    pub fn audio_note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Writes one processed frame.
    pub fn write(&mut self, frame: &SourceFrame) -> Result<()> {
        let view = frame.frame.view();
        match &mut self.kind {
            WriterKind::Sink(sink) => sink.write_frame(view)?,
            WriterKind::Jpeg { pending, written } => {
                if *written {
                    bail!(
                        "{} is one JPEG and takes exactly one frame",
                        pending.target().display()
                    );
                }
                write_jpeg(pending, &view)
                    .with_context(|| format!("writing {}", pending.target().display()))?;
                *written = true;
            }
            WriterKind::Folder(dir) => {
                let path = dir.join(png_name(&frame.name));
                let mut sink = create_sink(&path, 1.0)?;
                sink.write_frame(view)?;
                sink.finish()?;
            }
        }
        self.frames += 1;
        Ok(())
    }

    /// Finishes the output (a video's file appears under its name only now) and says what
    /// happened to the audio, if there was any.
    pub fn finish(self) -> Result<Option<String>> {
        match self.kind {
            WriterKind::Sink(sink) => sink.finish()?,
            WriterKind::Jpeg { pending, written } => {
                if !written {
                    bail!(
                        "no frame was written to {}: the input produced nothing",
                        pending.target().display()
                    );
                }
                let target = pending.target().to_owned();
                pending
                    .commit()
                    .with_context(|| format!("writing {}", target.display()))?;
            }
            WriterKind::Folder(dir) => {
                if self.frames == 0 {
                    bail!("no images were written to {}", dir.display());
                }
            }
        }
        Ok(match self.audio {
            AudioPassThrough::None => None,
            AudioPassThrough::Copied(codecs) => Some(format!("copied ({})", codecs.join(", "))),
            AudioPassThrough::Reencoded { from, to } => Some(format!(
                "re-encoded to {to} (the container cannot hold {})",
                from.join(", ")
            )),
        })
    }
}

/// Encodes `frame` as a JPEG into `pending`'s temporary file.
fn write_jpeg(pending: &PendingFile, frame: &FrameView) -> Result<()> {
    let bytes_per_pixel = frame.format().bytes_per_pixel();
    let mut packed = Vec::with_capacity(frame.width() as usize * frame.height() as usize * 3);
    for y in 0..frame.height() {
        for pixel in frame.row(y).chunks_exact(bytes_per_pixel) {
            packed.extend_from_slice(&pixel[..3]);
        }
    }
    let mut file = BufWriter::new(pending.create()?);
    JpegEncoder::new_with_quality(&mut file, JPEG_QUALITY).write_image(
        &packed,
        frame.width(),
        frame.height(),
        ExtendedColorType::Rgb8,
    )?;
    file.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_images_keep_their_names_as_png() {
        assert_eq!(png_name("a.jpg"), "a.png");
        assert_eq!(png_name("frame_001.PNG"), "frame_001.png");
        assert_eq!(png_name("two.dots.jpeg"), "two.dots.png");
    }

    #[test]
    fn outputs_must_match_the_input_and_spare_it() {
        let dir = std::env::temp_dir().join(format!("lensmith-render-plan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("frames")).unwrap();
        let still = dir.join("face.png");
        std::fs::write(&still, b"not decoded here").unwrap();
        let video = dir.join("clip.mp4");
        std::fs::write(&video, b"not decoded here").unwrap();

        let plan = OutputPlan::new(&still, &dir.join("out.jpg")).unwrap();
        assert_eq!(plan.output_kind, OutputKind::Jpeg);
        let error = OutputPlan::new(&still, &still).unwrap_err().to_string();
        assert!(error.contains("refusing to overwrite"), "{error}");
        let error = OutputPlan::new(&still, &dir.join("out.mp4"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("one image"), "{error}");

        let frames = dir.join("frames");
        assert_eq!(
            OutputPlan::new(&frames, &dir.join("out"))
                .unwrap()
                .output_kind,
            OutputKind::NamedFolder
        );
        let error = OutputPlan::new(&frames, &dir.join("frames/../frames"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("refusing to overwrite"), "{error}");
        let error = OutputPlan::new(&frames, &still).unwrap_err().to_string();
        assert!(error.contains("is a file"), "{error}");

        // Photos in any still format are stills; two that would both become `face.png` in
        // an output folder are refused before anything is written.
        let webp = dir.join("face.webp");
        std::fs::write(&webp, b"not decoded here").unwrap();
        let plan = OutputPlan::new(&webp, &dir.join("out.png")).unwrap();
        assert_eq!(plan.input_kind, InputKind::Still);
        // A phone's HEIC is planned as a photo, so that opening it says how to convert it.
        let heic = dir.join("IMG_0001.HEIC");
        std::fs::write(&heic, b"not decoded here").unwrap();
        let plan = OutputPlan::new(&heic, &dir.join("out.png")).unwrap();
        assert_eq!(plan.input_kind, InputKind::Still);
        let clashing = dir.join("clashing");
        std::fs::create_dir_all(&clashing).unwrap();
        for name in ["face.jpg", "face.webp", "other.bmp"] {
            std::fs::write(clashing.join(name), b"not decoded here").unwrap();
        }
        let error = OutputPlan::new(&clashing, &dir.join("out"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("face.jpg and face.webp") && error.contains("face.png"),
            "{error}"
        );

        assert_eq!(
            OutputPlan::new(&video, &dir.join("out.webm"))
                .unwrap()
                .output_kind,
            OutputKind::Video
        );
        let error = OutputPlan::new(&video, &dir.join("out.png"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("is a video"), "{error}");
        let error = OutputPlan::new(&video, &dir.join("missing/out.mp4"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("does not exist"), "{error}");
        let plan = OutputPlan::new(&video, &dir.join("out.y4m")).unwrap();
        let error = plan.check_side_file(&video, "--json-report").unwrap_err();
        assert!(error.to_string().contains("is the input"), "{error}");

        let error = OutputPlan::new(&dir.join("nope.mp4"), &dir.join("out.mp4"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("nope.mp4 does not exist"), "{error}");
        // A folder named like a file is refused before any work (it was rendered into, then
        // failed at the end, or called a wrong file name).
        for (input, named) in [(&video, "named.mp4"), (&still, "named.png")] {
            std::fs::create_dir_all(dir.join(named)).unwrap();
            let error = OutputPlan::new(input, &dir.join(named))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("is an existing folder, though named like a file"),
                "{error}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
