//! `lensmith bench INPUT`: how long face tracking takes per frame, measured on frames held
//! in memory so that decoding and disk stay out of the numbers. The figure that matters
//! for a live effect is the tracking path: frames where the face is followed from the
//! previous frame's mesh and the detector does not run, alone and with each face's eyes
//! refined by the eye landmark model (`--eye-model` times another, such as MediaPipe's
//! iris landmark model). The stages after tracking (eyes, head pose, expressions and
//! triggers) are timed per face on the same frames.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use effect_api::{Expression, Frame, TriggerMode, TriggerRule, TriggerSignal};
use lensmith_runtime::expressions::{ExpressionAnalyzer, ExpressionSettings};
use lensmith_runtime::eyes::EyeRefiner;
use lensmith_runtime::models::{ModelKind, ModelOptions};
use lensmith_runtime::pose::{CanonicalFace, PoseEstimator};
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};
use lensmith_runtime::triggers::{FaceSignals, TriggerEngine};
use lensmith_runtime::video::open_source;
use serde::Serialize;

use crate::eye_model_choice::EyeModelChoice;
use crate::json_file::{check_json_destination, write_json_atomically};
use crate::renderer_choice::RendererChoice;

mod effect;

/// Arguments of `lensmith bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// A folder of images, a .y4m file or a video, played as one clip.
    input: PathBuf,
    /// Frames processed untimed first (model warm-up and the first detection).
    #[arg(long, default_value_t = 5)]
    warmup: usize,
    /// Play the clip this many times (tracking continues across the loop).
    #[arg(long, default_value_t = 1, value_parser = crate::number_args::at_least_one)]
    rounds: usize,
    /// Most frames to load; they are held in memory as RGB.
    #[arg(long, default_value_t = 600)]
    max_frames: usize,
    /// Threads ONNX Runtime may use per model (the detector, the mesh and a whole effect's
    /// student; the eye model runs each eye with one, the two eyes side by side).
    #[arg(long, default_value_t = ModelOptions::default().intra_threads)]
    threads: usize,
    /// Also write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Time a whole effect (a bundle folder or `.effect` file) instead of tracking alone.
    #[arg(long)]
    effect: Option<PathBuf>,
    /// The renderer for `--effect`.
    #[arg(long, value_enum, default_value_t = RendererChoice::Cpu)]
    renderer: RendererChoice,
    #[command(flatten)]
    eye_model: EyeModelChoice,
}

/// Median, 95th percentile and mean of a set of times, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub(crate) struct Summary {
    pub(crate) median_ms: f64,
    pub(crate) p95_ms: f64,
    pub(crate) mean_ms: f64,
    pub(crate) frames: usize,
}

impl Summary {
    /// Summarises `times_ms`; percentiles by linear interpolation between order
    /// statistics (numpy's default, which the MediaPipe yardstick script uses).
    pub(crate) fn of(times_ms: &[f64]) -> Self {
        if times_ms.is_empty() {
            return Self::default();
        }
        let mut sorted = times_ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        let percentile = |fraction: f64| {
            let position = fraction * (sorted.len() - 1) as f64;
            let (low, high) = (position.floor() as usize, position.ceil() as usize);
            sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
        };
        Self {
            median_ms: percentile(0.5),
            p95_ms: percentile(0.95),
            mean_ms: sorted.iter().sum::<f64>() / sorted.len() as f64,
            frames: sorted.len(),
        }
    }
}

#[derive(Default)]
struct StageTimes {
    process: Vec<f64>,
    /// Tracking and every face's eyes.
    process_with_eyes: Vec<f64>,
    landmarks: Vec<f64>,
    smoothing: Vec<f64>,
    /// Per face, after tracking.
    eyes: Vec<f64>,
    pose: Vec<f64>,
    expressions_and_triggers: Vec<f64>,
}

#[derive(Serialize)]
struct StagesJson {
    landmarks: Summary,
    smoothing: Summary,
}

/// Stages that follow tracking, per face per frame.
#[derive(Serialize)]
struct PerFaceJson {
    /// The eye landmark model on both eyes, with its crops and measures.
    eyes: Summary,
    pose: Summary,
    /// Expression scores and one `while_active` trigger rule per expression.
    expressions_and_triggers: Summary,
}

#[derive(Serialize)]
struct BenchJson {
    source: String,
    width: u32,
    height: u32,
    threads: usize,
    cpus: usize,
    /// Frames followed from the previous mesh, detector skipped: the live path.
    tracking: Summary,
    /// The same frames' tracking with every face's eyes refined (what MediaPipe's
    /// FaceMesh does with `refine_landmarks=True`).
    tracking_with_eyes: Summary,
    /// The eye landmark model file that refined them.
    eye_model: String,
    tracking_stages: StagesJson,
    /// After tracking, per face per frame (tracking-path frames only).
    per_face: PerFaceJson,
    /// Frames where the detector ran (the first, and after a face was lost).
    with_detection: Summary,
    /// Timed frames in which no face was found.
    frames_without_face: usize,
}

fn load_frames(args: &BenchArgs) -> Result<(Vec<Frame>, f64)> {
    let mut source = open_source(&args.input)?;
    let frame_rate = source.frame_rate();
    let mut frames: Vec<Frame> = Vec::new();
    while frames.len() < args.max_frames.max(1) {
        let Some(frame) = source.next_frame()? else {
            break;
        };
        // One clip, one size: a folder of photos of several sizes would be timed as if
        // every frame had the first one's (and an effect's frame buffer cannot hold them).
        if let Some(first) = frames.first()
            && (frame.frame.width(), frame.frame.height()) != (first.width(), first.height())
        {
            bail!(
                "{}: frame {} is {}x{}, but the first is {}x{}; bench plays one clip of one \
                 size: resize the images to one size, or bench each size apart",
                args.input.display(),
                frames.len(),
                frame.frame.width(),
                frame.frame.height(),
                first.width(),
                first.height()
            );
        }
        frames.push(frame.frame);
    }
    if frames.is_empty() {
        bail!("{}: no frames to benchmark", args.input.display());
    }
    if frames.len() == 1 && args.rounds <= args.warmup + 1 {
        // A single photo played over and over is a fair tracking benchmark, but only if
        // it is played more often than the warm-up takes.
        eprintln!(
            "note: {} is a single frame; give --rounds (say 200) to time it as a still clip",
            args.input.display()
        );
    }
    Ok((frames, frame_rate))
}

/// A `while_active` rule on every expression, so that the trigger stage does its full work.
fn one_rule_per_expression() -> Vec<TriggerRule> {
    Expression::ALL
        .into_iter()
        .map(|expression| TriggerRule {
            name: expression.name().to_owned(),
            when: TriggerSignal::Expression(expression),
            on: 0.6,
            off: 0.4,
            hold_ms: 0,
            cooldown_ms: 0,
            mode: TriggerMode::WhileActive,
        })
        .collect()
}

/// Plays the clip through the tracker and times every frame after the warm-up.
pub fn run(args: &BenchArgs) -> Result<()> {
    if args.effect.is_some() && args.eye_model.is_given() {
        bail!(
            "--eye-model times tracking with another eye model; an effect runs the cache's (leave \
             out --eye-model, or --effect)"
        );
    }
    if let Some(path) = &args.json {
        check_json_destination("--json", path)?;
    }
    let cache = args.eye_model.cache()?;
    let (frames, frame_rate) = load_frames(args)?;
    let (width, height) = (frames[0].width(), frames[0].height());
    let total_frames = frames.len() * args.rounds.max(1);
    if total_frames <= args.warmup {
        bail!(
            "{}: {total_frames} frames, but --warmup {} leaves none to time; give more frames, \
             more --rounds or a smaller --warmup",
            args.input.display(),
            args.warmup
        );
    }
    if let Some(bundle) = &args.effect {
        let report = effect::run(
            bundle,
            args.renderer,
            &frames,
            frame_rate,
            total_frames,
            args.warmup,
            args.threads.max(1),
        )?;
        effect::print(&report);
        if let Some(path) = &args.json {
            write_json_atomically(path, &report)?;
            println!("results written to {}", path.display());
        }
        return Ok(());
    }
    let mut tracker = FaceTracker::load(
        &cache,
        ModelOptions {
            intra_threads: args.threads.max(1),
        },
        TrackerSettings::default(),
    )?;

    let mut eye_refiner = EyeRefiner::load(&cache)?;
    let canonical = CanonicalFace::load(&cache.face_geometry()?)?;
    let mut pose_estimator = PoseEstimator::new(&canonical);
    let mut analyzer = ExpressionAnalyzer::new(ExpressionSettings::default());
    let mut triggers = TriggerEngine::new(one_rule_per_expression());
    let (mut poses, mut eyes) = (Vec::new(), Vec::new());

    let (mut tracking, mut detecting) = (StageTimes::default(), Vec::new());
    let mut frames_without_face = 0;
    for (step, frame) in frames.iter().cycle().take(total_frames).enumerate() {
        let started = Instant::now();
        let time_s = step as f64 / frame_rate;
        let tracked = tracker
            .process(frame.view(), time_s)
            .with_context(|| format!("tracking frame {step}"))?;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
        let eyes_start = Instant::now();
        eyes.clear();
        for face in &tracked.faces {
            eyes.push(eye_refiner.refine(frame.view(), &face.landmarks)?);
        }
        let eyes_ms = eyes_start.elapsed().as_secs_f64() * 1e3;
        let pose_start = Instant::now();
        pose_estimator.estimate_all(&tracked.faces, &mut poses);
        let pose_ms = pose_start.elapsed().as_secs_f64() * 1e3;
        let expressions_start = Instant::now();
        let expressions = analyzer.update(&tracked.faces, &poses, &eyes, time_s);
        triggers.update(expressions.iter().map(FaceSignals::from), time_s);
        let expressions_ms = expressions_start.elapsed().as_secs_f64() * 1e3;
        if step < args.warmup {
            continue;
        }
        if tracked.faces.is_empty() {
            frames_without_face += 1;
        }
        if tracked.detector_ran {
            detecting.push(elapsed_ms);
        } else if !tracked.faces.is_empty() {
            tracking.process.push(elapsed_ms);
            tracking.process_with_eyes.push(elapsed_ms + eyes_ms);
            tracking.landmarks.push(tracked.timings.landmarks_ms);
            tracking.smoothing.push(tracked.timings.smoothing_ms);
            let faces = tracked.faces.len() as f64;
            tracking.eyes.push(eyes_ms / faces);
            tracking.pose.push(pose_ms / faces);
            tracking
                .expressions_and_triggers
                .push(expressions_ms / faces);
        }
    }

    let report = BenchJson {
        source: args.input.display().to_string(),
        width,
        height,
        threads: args.threads.max(1),
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        tracking: Summary::of(&tracking.process),
        tracking_with_eyes: Summary::of(&tracking.process_with_eyes),
        eye_model: cache.model(ModelKind::IrisLandmarks)?.display().to_string(),
        tracking_stages: StagesJson {
            landmarks: Summary::of(&tracking.landmarks),
            smoothing: Summary::of(&tracking.smoothing),
        },
        per_face: PerFaceJson {
            eyes: Summary::of(&tracking.eyes),
            pose: Summary::of(&tracking.pose),
            expressions_and_triggers: Summary::of(&tracking.expressions_and_triggers),
        },
        with_detection: Summary::of(&detecting),
        frames_without_face,
    };
    print_report(&report);
    if report.tracking.frames == 0 {
        eprintln!(
            "warning: no timed frame took the tracking path (the detector ran on every one, or \
             no face was found), so there is no tracking figure"
        );
    }
    if let Some(path) = &args.json {
        write_json_atomically(path, &report)?;
        println!("results written to {}", path.display());
    }
    Ok(())
}

fn print_report(report: &BenchJson) {
    println!(
        "{}: {}x{}, {} ONNX Runtime thread(s) per model, {} CPU(s)",
        report.source, report.width, report.height, report.threads, report.cpus
    );
    let line = |label: &str, summary: &Summary| {
        println!(
            "  {label:<26} median {:>7.3} ms   p95 {:>7.3} ms   mean {:>7.3} ms   ({} frames)",
            summary.median_ms, summary.p95_ms, summary.mean_ms, summary.frames
        );
    };
    line("tracking path (per frame)", &report.tracking);
    line("  of which landmarks", &report.tracking_stages.landmarks);
    line("  of which smoothing", &report.tracking_stages.smoothing);
    line("tracking path with eyes", &report.tracking_with_eyes);
    line("frames with detection", &report.with_detection);
    println!("  after tracking, per face:");
    line("  eyes", &report.per_face.eyes);
    println!("    (eye landmark model: {})", report.eye_model);
    line("  head pose", &report.per_face.pose);
    line(
        "  expressions + triggers",
        &report.per_face.expressions_and_triggers,
    );
    if report.frames_without_face > 0 {
        println!(
            "  {} timed frame(s) had no face",
            report.frames_without_face
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let summary = Summary::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(summary.median_ms, 2.5);
        // numpy.percentile([1, 2, 3, 4], 95) == 3.85
        assert!((summary.p95_ms - 3.85).abs() < 1e-12);
        assert_eq!(summary.mean_ms, 2.5);
        assert_eq!(Summary::of(&[]), Summary::default());
    }
}
