//! `lensmith bench INPUT --effect BUNDLE`: how long a whole effect takes per frame — face
//! pipeline, each layer, the renderer — on frames held in memory, with the stage that
//! bounds the frame rate named.

use std::path::Path;

use anyhow::{Context, Result};
use effect_api::Frame;
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::player::{EffectPlayer, PlayerOptions};
use serde::Serialize;

use super::Summary;
use crate::renderer_choice::RendererChoice;

/// One stage's times over the timed frames.
#[derive(Serialize)]
struct StageJson {
    stage: String,
    #[serde(flatten)]
    summary: Summary,
}

/// What `bench --effect` reports.
#[derive(Serialize)]
pub struct EffectBenchJson {
    effect: String,
    renderer: String,
    width: u32,
    height: u32,
    threads: usize,
    /// The whole frame: face pipeline, layers and rendering.
    frame: Summary,
    /// Frames per second at the mean frame time.
    fps: f64,
    stages: Vec<StageJson>,
    /// The stage with the largest median.
    bound_by: String,
    frames_without_face: usize,
}

/// Plays `frames` through the effect at `bundle` and times every frame after `warmup`.
pub fn run(
    bundle: &Path,
    renderer: RendererChoice,
    frames: &[Frame],
    frame_rate: f64,
    total_frames: usize,
    warmup: usize,
    threads: usize,
) -> Result<EffectBenchJson> {
    let cache = AssetCache::locate()?;
    let options = PlayerOptions {
        threads,
        ..PlayerOptions::default()
    };
    let mut player = EffectPlayer::open(bundle, &cache, &options, renderer.create()?)
        .with_context(|| format!("opening the effect {}", bundle.display()))?;
    let layer_names: Vec<String> = player.layer_names().map(str::to_owned).collect();
    let mut columns: Vec<(String, Vec<f64>)> =
        ["tracking", "crop", "pose", "eyes", "expressions + triggers"]
            .iter()
            .map(|name| (name.to_string(), Vec::new()))
            .chain(
                layer_names
                    .iter()
                    .map(|name| (format!("layer `{name}`"), Vec::new())),
            )
            .chain([("render".to_owned(), Vec::new())])
            .collect();
    let mut totals = Vec::new();
    let mut frames_without_face = 0;
    let mut work = frames[0].clone();
    for (step, frame) in frames.iter().cycle().take(total_frames).enumerate() {
        work.data_mut().copy_from_slice(frame.data());
        let stats = player
            .process(&mut work, step as f64 / frame_rate)
            .with_context(|| format!("frame {step}"))?;
        if step < warmup {
            continue;
        }
        frames_without_face += usize::from(stats.faces == 0);
        totals.push(stats.total_ms);
        let pipeline = &stats.pipeline;
        let values = [
            pipeline.tracking.total_ms,
            pipeline.crop_ms,
            pipeline.pose_ms,
            pipeline.eyes_ms,
            pipeline.expressions_ms,
        ]
        .into_iter()
        .chain(stats.layers_ms.iter().copied())
        .chain([stats.render_ms]);
        for ((_, column), value) in columns.iter_mut().zip(values) {
            column.push(value);
        }
    }
    let stages: Vec<StageJson> = columns
        .into_iter()
        .map(|(stage, times)| StageJson {
            stage,
            summary: Summary::of(&times),
        })
        .collect();
    let bound_by = stages
        .iter()
        .max_by(|a, b| a.summary.median_ms.total_cmp(&b.summary.median_ms))
        .map(|stage| stage.stage.clone())
        .unwrap_or_default();
    let frame = Summary::of(&totals);
    Ok(EffectBenchJson {
        effect: bundle.display().to_string(),
        renderer: player.renderer_name(),
        width: frames[0].width(),
        height: frames[0].height(),
        threads,
        fps: if frame.mean_ms > 0.0 {
            1e3 / frame.mean_ms
        } else {
            0.0
        },
        frame,
        stages,
        bound_by,
        frames_without_face,
    })
}

/// Prints the figures.
pub fn print(report: &EffectBenchJson) {
    println!(
        "{} on {}x{} with the {} renderer, {} ONNX Runtime thread(s) per model",
        report.effect, report.width, report.height, report.renderer, report.threads
    );
    let line = |label: &str, summary: &Summary| {
        println!(
            "  {label:<30} median {:>7.3} ms   p95 {:>7.3} ms   mean {:>7.3} ms",
            summary.median_ms, summary.p95_ms, summary.mean_ms
        );
    };
    line("whole frame", &report.frame);
    for stage in &report.stages {
        line(&format!("  {}", stage.stage), &stage.summary);
    }
    println!(
        "  {:.1} frames per second; the largest stage is {}",
        report.fps, report.bound_by
    );
    if report.frames_without_face > 0 {
        println!(
            "  {} timed frame(s) had no face",
            report.frames_without_face
        );
    }
}
