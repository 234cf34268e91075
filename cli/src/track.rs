//! `lensmith track INPUT`: face tracking over an image, a folder of images, a Y4M file or
//! any video ffmpeg reads, with pose, face crops, expression scores and trigger events in
//! JSON, and an annotated copy of the frames.

mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use effect_api::TriggerRules;
use lensmith_runtime::annotate::Canvas;
use lensmith_runtime::face_pipeline::{FacePipeline, FacePipelineSettings};
use lensmith_runtime::models::ModelOptions;
use lensmith_runtime::video::{FrameSink, create_sink, open_source};

use crate::detector_choice::DetectorChoice;
use crate::eye_model_choice::EyeModelChoice;
use crate::json_file::{check_json_destination, write_json_atomically};
use report::{FrameReport, Report, Timings, face_events, face_report, trigger_report};

/// Arguments of `lensmith track`.
#[derive(Args)]
pub struct TrackArgs {
    /// An image, a folder of images, a .y4m file or a video.
    input: PathBuf,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the frames with mesh, ids and regions drawn: a folder (PNG sequence), a .png,
    /// a .y4m or a video file (.mp4, .mkv, .mov, .webm; needs ffmpeg).
    #[arg(long)]
    overlay: Option<PathBuf>,
    /// Most faces to track at once.
    #[arg(long, default_value_t = 1, value_parser = crate::number_args::at_least_one)]
    max_faces: usize,
    #[command(flatten)]
    detector: DetectorChoice,
    #[command(flatten)]
    eye_model: EyeModelChoice,
    /// Treat every frame as an unrelated still: detect afresh, no smoothing.
    #[arg(long = "static")]
    still_images: bool,
    /// Threads ONNX Runtime may use per model.
    #[arg(long, default_value_t = ModelOptions::default().intra_threads)]
    threads: usize,
    /// Run the trigger rules in this TOML file (`[[trigger]]` tables) and add their
    /// events to the JSON.
    #[arg(long)]
    triggers: Option<PathBuf>,
}

fn milliseconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Reads and checks a trigger rule file.
fn load_rules(path: &Path) -> Result<TriggerRules> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the trigger rules in {}", path.display()))?;
    TriggerRules::from_toml(&text).with_context(|| {
        format!(
            "{}: not a valid trigger rule file (see the example at the top of \
             effect-api/src/trigger.rs)",
            path.display()
        )
    })
}

/// Tracks faces through the input and writes what was asked for.
pub fn run(args: &TrackArgs) -> Result<()> {
    let cache = args.eye_model.cache()?;
    // The cheap checks first, so that a bad argument fails before the models load.
    let rules = args.triggers.as_deref().map(load_rules).transpose()?;
    if let Some(path) = &args.json {
        check_json_destination("--json", path)?;
    }
    let mut source = open_source(&args.input)?;
    let still_images = args.still_images || source.is_independent_stills();
    let settings = if still_images {
        FacePipelineSettings::still_images(args.max_faces)
    } else {
        FacePipelineSettings::video(args.max_faces)
    };
    let settings = settings.with_detector_range(args.detector.range());
    let has_rules = rules.is_some();
    let rule_list = rules
        .as_ref()
        .map(|rules| rules.rules.clone())
        .unwrap_or_default();
    let mut pipeline = FacePipeline::load(
        &cache,
        ModelOptions {
            intra_threads: args.threads,
        },
        settings,
        rule_list.clone(),
    )?;
    let mut sink: Option<Box<dyn FrameSink>> = args
        .overlay
        .as_deref()
        .map(|path| create_sink(path, source.frame_rate()))
        .transpose()?;

    let mut report = Report {
        source: args.input.display().to_string(),
        width: 0,
        height: 0,
        trigger_rules: pipeline
            .trigger_rules()
            .iter()
            .map(|rule| rule.name.clone())
            .collect(),
        frames: Vec::new(),
    };
    let mut faces_seen = 0usize;
    let mut previous_ids: Vec<u32> = Vec::new();
    loop {
        let decode_start = Instant::now();
        let Some(frame) = source.next_frame()? else {
            break;
        };
        let decode_ms = milliseconds_since(decode_start);
        if report.frames.is_empty() {
            (report.width, report.height) = (frame.frame.width(), frame.frame.height());
        }
        if still_images {
            previous_ids.clear();
        }
        let found = pipeline
            .process(frame.frame.view(), frame.time_s)
            .with_context(|| format!("tracking {}", frame.name))?;
        let events = has_rules.then(|| {
            found
                .events()
                .iter()
                .map(|event| trigger_report(event, &rule_list))
                .collect()
        });
        let faces: Vec<_> = found.faces().map(|face| face_report(&face)).collect();
        faces_seen += faces.len();
        let ids: Vec<u32> = found.faces().map(|face| face.tracked.id).collect();
        let face_events = face_events(&previous_ids, &ids);
        previous_ids = ids;
        if let Some(sink) = sink.as_mut() {
            let mut canvas = Canvas::from_frame(&frame.frame);
            for face in found.faces() {
                canvas.face(face.tracked);
                if let Some(crop) = face.crop {
                    canvas.crop(crop);
                }
            }
            sink.write_frame(canvas.into_frame().view())?;
        }
        let timings = found.timings;
        report.frames.push(FrameReport {
            index: frame.index,
            name: frame.name,
            time_s: frame.time_s,
            faces,
            face_events,
            triggers: events,
            timings_ms: Timings {
                decode: decode_ms,
                detect: timings.tracking.detect_ms,
                landmarks: timings.tracking.landmarks_ms,
                smoothing: timings.tracking.smoothing_ms,
                crop: timings.crop_ms,
                pose: timings.pose_ms,
                eyes: timings.eyes_ms,
                expressions: timings.expressions_ms,
                total: decode_ms + timings.total_ms(),
            },
        });
    }
    if let Some(sink) = sink {
        sink.finish()?;
    }
    println!(
        "{}: {} frame(s), {} face(s) tracked in all{}",
        report.source,
        report.frames.len(),
        faces_seen,
        args.overlay
            .as_deref()
            .map(|path| format!("; overlay written to {}", path.display()))
            .unwrap_or_default()
    );
    if let Some(path) = &args.json {
        write_json_atomically(path, &report)?;
        println!("results written to {}", path.display());
    }
    Ok(())
}
