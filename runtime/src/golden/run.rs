//! Playing a golden test case and judging it: each case plays its input through a fresh
//! [`EffectPlayer`] on the CPU reference renderer, and each chosen frame is compared with
//! its expected frame (or, when updating, written as the new expected frame).
//!
//! A frame that fails leaves two pictures under `tests/report/<case>/`: what was rendered
//! (`frame_NNNNNN.actual.png`) and where it differs (`frame_NNNNNN.diff.png`, see
//! [`super::difference::difference_picture`]). The report folder is the tool's own: it is
//! emptied of earlier pictures when its case runs again, and holds a `.gitignore` that
//! keeps it out of version control.

use std::path::{Path, PathBuf};

use effect_api::{Frame, FrameView};

use super::difference::{Difference, difference_picture};
use super::motion::MotionSource;
use super::suite::{Case, CaseInput};
use super::{EXPECTED_FOLDER, GoldenError, REPORT_FOLDER};
use crate::image_io::{STILL_IMAGE_FORMATS, read_rgb_frame};
use crate::models::AssetCache;
use crate::player::{EffectPlayer, PlayerOptions};
use crate::render::cpu::CpuRenderer;
use crate::video::{self, FrameSource};

/// Whether a run compares frames or writes them as the new expected frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compare with the expected frames.
    Check,
    /// Write the rendered frames as the expected frames.
    Update,
}

/// What happened to one chosen frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Within the tolerance.
    Matched(Difference),
    /// Outside it; the pictures are in the report folder.
    Differs {
        /// How far.
        difference: Difference,
        /// What was rendered.
        actual: PathBuf,
        /// Where it differs.
        picture: PathBuf,
    },
    /// The expected frame has another size.
    SizeDiffers {
        /// The expected frame's width and height.
        expected: (u32, u32),
        /// The rendered frame's.
        actual: (u32, u32),
        /// What was rendered.
        actual_path: PathBuf,
    },
    /// No expected frame exists yet.
    Missing {
        /// Where it should be.
        expected: PathBuf,
        /// What was rendered.
        actual: PathBuf,
    },
    /// Written as the new expected frame (updating).
    Written(PathBuf),
}

impl Verdict {
    /// Whether the frame passes (matched, or written when updating).
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Matched(_) | Verdict::Written(_))
    }
}

/// One chosen frame's result.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameOutcome {
    /// Its index in the input.
    pub index: u64,
    /// Faces drawn on in it.
    pub faces: usize,
    /// The verdict.
    pub verdict: Verdict,
}

/// A case's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    /// Each chosen frame, in order.
    pub frames: Vec<FrameOutcome>,
    /// Expected frames of this case that no longer belong to it, removed when updating.
    pub removed: Vec<PathBuf>,
}

/// Where a case's files live.
#[derive(Debug, Clone)]
pub struct CaseFolders {
    /// Its expected frames: `tests/expected/<case>/`.
    pub expected: PathBuf,
    /// Its failure pictures: `tests/report/<case>/`.
    pub report: PathBuf,
}

impl CaseFolders {
    /// The folders of `case` in the bundle's tests folder `tests`.
    pub fn new(tests: &Path, case: &str) -> Self {
        Self {
            expected: tests.join(EXPECTED_FOLDER).join(case),
            report: tests.join(REPORT_FOLDER).join(case),
        }
    }
}

/// The name of frame `index`'s files.
pub fn frame_file_name(index: u64, suffix: &str) -> String {
    format!("frame_{index:06}{suffix}.png")
}

/// Why `value` for parameter `parameter` of layer `layer` lies outside the range the
/// manifest declares for it, if it does: the player would clamp it (as a slider does), and
/// the frames would show another value than the case says.
fn outside_declared_range(
    manifest: &effect_api::Manifest,
    layer: &str,
    parameter: &str,
    value: &effect_api::plugin::Value,
) -> Option<String> {
    let number = value.as_f64()?;
    let declared = manifest
        .layers
        .iter()
        .find(|candidate| candidate.name == layer)?
        .parameters
        .iter()
        .find(|candidate| candidate.name == parameter)?;
    let (min, max) = match declared.value {
        effect_api::manifest::ParameterValue::Float { min, max, .. } => (min, max),
        effect_api::manifest::ParameterValue::Int { min, max, .. } => (min as f64, max as f64),
        _ => return None,
    };
    (!(min..=max).contains(&number)).then(|| {
        format!(
            "`{layer}.{parameter}` = {number} is outside the range effect.toml declares for it, \
             {min} ..= {max}; the frames would show it clamped"
        )
    })
}

/// Opens every chosen case's input, so that an update stops before writing anything when
/// one of them cannot be read (a misspelt sample, a missing file).
pub fn check_case_input(tests: &Path, case: &Case, cache: &AssetCache) -> Result<(), GoldenError> {
    open_input(tests, case, cache).map(drop)
}

/// Plays `case` of the bundle at `bundle` (whose tests folder is `tests`), calling
/// `on_frame` as each chosen frame is judged. With `keep_frames`, every chosen frame is
/// also written to `keep_frames/<case>/frame_NNNNNN.png`, for comparing the frames of
/// runs on other machines.
#[allow(clippy::too_many_arguments)] // each is one independent input of the run
pub fn run_case(
    bundle: &Path,
    tests: &Path,
    case: &Case,
    cache: &AssetCache,
    options: &PlayerOptions,
    mode: Mode,
    keep_frames: Option<&Path>,
    mut on_frame: impl FnMut(&FrameOutcome),
) -> Result<CaseOutcome, GoldenError> {
    let folders = CaseFolders::new(tests, &case.name);
    let mut source = open_input(tests, case, cache)?;
    let options = PlayerOptions {
        still_images: case
            .still_images
            .unwrap_or_else(|| source.is_independent_stills()),
        ..options.clone()
    };
    let mut player = EffectPlayer::open(bundle, cache, &options, Box::new(CpuRenderer::default()))
        .map_err(|error| GoldenError::Player {
            case: case.name.clone(),
            message: error.to_string(),
        })?;
    for (layer, parameter, value) in &case.parameters {
        if let Some(problem) = outside_declared_range(player.manifest(), layer, parameter, value) {
            return Err(GoldenError::Parameter {
                case: case.name.clone(),
                message: problem,
            });
        }
        player
            .set_parameter_value(layer, parameter, *value)
            .map_err(|error| GoldenError::Parameter {
                case: case.name.clone(),
                message: error.to_string(),
            })?;
    }
    clear_report(&folders.report)?;
    let mut outcome = CaseOutcome {
        frames: Vec::new(),
        removed: Vec::new(),
    };
    let mut written = Vec::new();
    let mut seen = 0u64;
    while let Some(mut frame) = source.next_frame().map_err(|error| GoldenError::Input {
        case: case.name.clone(),
        message: error.to_string(),
    })? {
        seen += 1;
        let chosen = case
            .frames
            .as_ref()
            .is_none_or(|frames| frames.binary_search(&frame.index).is_ok());
        let stats = player
            .process(&mut frame.frame, frame.time_s)
            .map_err(|error| GoldenError::Player {
                case: case.name.clone(),
                message: format!("{} ({error})", frame.name),
            })?;
        let faces = stats.faces;
        if chosen && let Some(keep) = keep_frames {
            let path = keep.join(&case.name).join(frame_file_name(frame.index, ""));
            write_png(&path, frame.frame.view())?;
        }
        if chosen {
            let verdict = match mode {
                Mode::Check => judge(&folders, case, frame.index, &frame.frame)?,
                Mode::Update => {
                    let path = folders.expected.join(frame_file_name(frame.index, ""));
                    write_png(&path, frame.frame.view())?;
                    written.push(path.clone());
                    Verdict::Written(path)
                }
            };
            let judged = FrameOutcome {
                index: frame.index,
                faces,
                verdict,
            };
            on_frame(&judged);
            outcome.frames.push(judged);
        }
        let last_wanted = case.frames.as_ref().and_then(|frames| frames.last());
        if last_wanted.is_some_and(|&last| frame.index >= last) {
            break;
        }
    }
    if let Some(missing) = case
        .frames
        .as_ref()
        .and_then(|frames| frames.iter().find(|&&index| index >= seen))
    {
        return Err(GoldenError::Input {
            case: case.name.clone(),
            message: format!(
                "frame {missing} is asked for, but {} has {seen} frame(s)",
                case.input
            ),
        });
    }
    if seen == 0 {
        return Err(GoldenError::Input {
            case: case.name.clone(),
            message: format!("{} has no frames", case.input),
        });
    }
    if mode == Mode::Update {
        outcome.removed = remove_stale_frames(&folders.expected, &written)?;
    }
    Ok(outcome)
}

/// Opens the frames `case` plays.
fn open_input(
    tests: &Path,
    case: &Case,
    cache: &AssetCache,
) -> Result<Box<dyn FrameSource>, GoldenError> {
    let input_error = |message: String| GoldenError::Input {
        case: case.name.clone(),
        message,
    };
    let path = match &case.input {
        CaseInput::File(relative) => tests.join(relative),
        CaseInput::Sample(name) => {
            let path = cache.root().join("data").join(name);
            if !path.exists() {
                return Err(input_error(format!(
                    "sample `{name}` is not in the asset cache ({} is missing); \
                     `cargo xtask setup` in a Lensmith checkout fetches the samples",
                    path.display()
                )));
            }
            path
        }
    };
    let Some(motion) = case.motion else {
        return video::open_source(&path).map_err(|error| input_error(error.to_string()));
    };
    let still = read_rgb_frame(&path).map_err(|error| {
        input_error(format!(
            "{error}; `motion` sways one still photo ({STILL_IMAGE_FORMATS})"
        ))
    })?;
    Ok(Box::new(MotionSource::new(still, motion)))
}

/// Compares a rendered frame with its expected frame, writing the report's pictures when
/// they differ.
fn judge(
    folders: &CaseFolders,
    case: &Case,
    index: u64,
    actual: &Frame,
) -> Result<Verdict, GoldenError> {
    let expected_path = folders.expected.join(frame_file_name(index, ""));
    let actual_path = folders.report.join(frame_file_name(index, ".actual"));
    if !expected_path.exists() {
        write_report_png(folders, &actual_path, actual.view())?;
        return Ok(Verdict::Missing {
            expected: expected_path,
            actual: actual_path,
        });
    }
    let expected = read_rgb_frame(&expected_path).map_err(|error| GoldenError::Expected {
        path: expected_path.clone(),
        message: error.reason,
    })?;
    let sizes = (
        (expected.width(), expected.height()),
        (actual.width(), actual.height()),
    );
    if sizes.0 != sizes.1 {
        write_report_png(folders, &actual_path, actual.view())?;
        return Ok(Verdict::SizeDiffers {
            expected: sizes.0,
            actual: sizes.1,
            actual_path,
        });
    }
    let threshold = case.tolerance.pixel_threshold;
    let difference = Difference::measure(expected.view(), actual.view(), threshold);
    if difference.passes(&case.tolerance) {
        return Ok(Verdict::Matched(difference));
    }
    let picture = folders.report.join(frame_file_name(index, ".diff"));
    write_report_png(folders, &actual_path, actual.view())?;
    let marked = difference_picture(expected.view(), actual.view(), threshold);
    write_png(&picture, marked.view())?;
    Ok(Verdict::Differs {
        difference,
        actual: actual_path,
        picture,
    })
}

/// Writes a report picture, making the report folder (with its `.gitignore`) first.
fn write_report_png(
    folders: &CaseFolders,
    path: &Path,
    frame: FrameView<'_>,
) -> Result<(), GoldenError> {
    let report_root = folders.report.parent().unwrap_or(&folders.report);
    std::fs::create_dir_all(&folders.report)
        .map_err(|error| GoldenError::io("create", &folders.report, error))?;
    let ignore = report_root.join(".gitignore");
    if !ignore.exists() {
        let note = "# Written by `lensmith test`: pictures of failed frames. Not for version control.\n*\n";
        std::fs::write(&ignore, note).map_err(|error| GoldenError::io("write", &ignore, error))?;
    }
    write_png(path, frame)
}

/// Writes one PNG atomically, making its folder.
fn write_png(path: &Path, frame: FrameView<'_>) -> Result<(), GoldenError> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|error| GoldenError::io("create", folder, error))?;
    }
    let write = || -> Result<(), video::VideoError> {
        let mut sink = video::create_sink(path, video::STILLS_FRAME_RATE)?;
        sink.write_frame(frame)?;
        sink.finish()
    };
    write().map_err(|error| GoldenError::Write {
        path: path.to_owned(),
        message: error.to_string(),
    })
}

/// Removes the report pictures an earlier run of the case left.
fn clear_report(report: &Path) -> Result<(), GoldenError> {
    let Ok(entries) = std::fs::read_dir(report) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_frame_file(&name, ".actual") || is_frame_file(&name, ".diff") {
            std::fs::remove_file(entry.path())
                .map_err(|error| GoldenError::io("remove", &entry.path(), error))?;
        }
    }
    Ok(())
}

/// Removes the case's expected frames that this update did not write (frames no longer
/// chosen), and returns them.
fn remove_stale_frames(expected: &Path, written: &[PathBuf]) -> Result<Vec<PathBuf>, GoldenError> {
    let mut removed = Vec::new();
    let entries =
        std::fs::read_dir(expected).map_err(|error| GoldenError::io("list", expected, error))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_frame_file(&name, "") && !written.contains(&path) {
            std::fs::remove_file(&path).map_err(|error| GoldenError::io("remove", &path, error))?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

/// Whether `name` is `frame_NNNNNN{suffix}.png`.
fn is_frame_file(name: &str, suffix: &str) -> bool {
    name.strip_prefix("frame_")
        .and_then(|rest| rest.strip_suffix(".png"))
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|digits| digits.len() >= 6 && digits.bytes().all(|byte| byte.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_files_are_told_apart_from_report_pictures_and_others() {
        assert!(is_frame_file("frame_000012.png", ""));
        assert!(!is_frame_file("frame_000012.actual.png", ""));
        assert!(is_frame_file("frame_000012.actual.png", ".actual"));
        assert!(is_frame_file("frame_000012.diff.png", ".diff"));
        for other in [
            "frame_12.png",
            "notes.png",
            "frame_000012.png.bak",
            "frame_00001x.png",
        ] {
            assert!(!is_frame_file(other, ""), "{other}");
        }
        assert_eq!(frame_file_name(7, ".diff"), "frame_000007.diff.png");
    }
}
