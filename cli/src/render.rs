//! `lensmith render BUNDLE INPUT -o OUTPUT`: plays an effect bundle on an image, a folder
//! of images, a Y4M file or any video ffmpeg reads and writes the result (a video keeps its
//! audio), with a progress bar and, on request, per-stage statistics.

mod output;
mod progress;
mod report;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use effect_api::plugin::LogLevel;
use lensmith_runtime::models::{AssetCache, ModelOptions};
use lensmith_runtime::player::{EffectPlayer, PlayerOptions};
use lensmith_runtime::video::pads_odd_sides;
use lensmith_runtime::watch::BundleWatcher;

use crate::detector_choice::DetectorChoice;
use crate::json_file::write_json_atomically;
use crate::renderer_choice::RendererChoice;
use output::{OutputPlan, Source};
use progress::Progress;
use report::{Recorder, RunInfo};

/// Arguments of `lensmith render`.
#[derive(Args)]
pub struct RenderArgs {
    /// The effect: a bundle folder (with `effect.toml`) or a `.effect` file.
    bundle: PathBuf,
    /// An image (PNG, JPEG, WebP, BMP, TIFF, PPM), a folder of them, a .y4m file or a video
    /// ffmpeg reads.
    input: PathBuf,
    /// Where to write: a .png or .jpg for an image; a folder for a folder (the same file
    /// names, as PNG); a .y4m or a video (.mp4, .mkv, .mov, .webm: the input's audio is
    /// carried across) or a folder of PNG frames for a video.
    #[arg(short, long)]
    output: PathBuf,
    /// What draws the effect's layers: the exact CPU reference or the GPU (wgpu).
    #[arg(long, value_enum, default_value_t = RendererChoice::Cpu)]
    renderer: RendererChoice,
    /// After the run, print frames, faces per frame, fps, each stage's p50 and p95 and the
    /// peak memory.
    #[arg(long)]
    report: bool,
    /// Write the same statistics as JSON here.
    #[arg(long, value_name = "FILE")]
    json_report: Option<PathBuf>,
    /// Most faces to track and draw on.
    #[arg(long, default_value_t = 1, value_parser = crate::number_args::at_least_one)]
    max_faces: usize,
    #[command(flatten)]
    detector: DetectorChoice,
    /// Threads ONNX Runtime may use per model.
    #[arg(long, default_value_t = ModelOptions::default().intra_threads)]
    threads: usize,
    /// Treat every frame as an unrelated still: detect afresh, no smoothing, triggers
    /// show at once (always so for images and image folders).
    #[arg(long = "static")]
    still_images: bool,
    /// After rendering, keep watching the bundle and render again whenever one of its
    /// files changes (its manifest, an asset, a rebuilt plugin); a broken edit is reported
    /// and the output keeps the last good version. Stop with Ctrl-C.
    #[arg(long)]
    watch: bool,
}

/// How long the bundle must be quiet before `--watch` reloads it.
const WATCH_DEBOUNCE: Duration = Duration::from_millis(150);

fn milliseconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Plays the bundle over the input and writes the output (and the reports asked for).
pub fn run(args: &RenderArgs) -> Result<()> {
    // The cheap checks first, so that a bad path fails before the models load.
    if !args.bundle.exists() {
        bail!(
            "bundle {} does not exist: give an effect bundle folder (with effect.toml) or a \
             .effect file",
            args.bundle.display()
        );
    }
    let plan = OutputPlan::new(&args.input, &args.output)?;
    if let Some(json) = &args.json_report {
        plan.check_side_file(json, "--json-report")?;
    }
    if args.watch {
        let written = std::iter::once(("-o", &args.output))
            .chain(args.json_report.iter().map(|json| ("--json-report", json)));
        for (flag, path) in written {
            refuse_inside_watched_bundle(&args.bundle, flag, path)?;
        }
    }
    let cache = AssetCache::locate()?;
    let still_images = args.still_images || plan.open_source()?.frames.is_independent_stills();
    let options = PlayerOptions {
        threads: args.threads.max(1),
        max_faces: args.max_faces,
        still_images,
        detector_range: args.detector.range(),
        ..PlayerOptions::default()
    };
    let load_start = Instant::now();
    let renderer = match args.renderer {
        RendererChoice::Cpu => args.renderer.create()?,
        RendererChoice::Gpu => args.renderer.create().context(
            "--renderer gpu: the GPU renderer cannot start; fix what the message below says, \
             or draw on the CPU with --renderer cpu",
        )?,
    };
    // The watcher starts before the first load, so that no edit made meanwhile is missed.
    let watcher = match args.watch {
        true => Some(BundleWatcher::new(&args.bundle, WATCH_DEBOUNCE)?),
        false => None,
    };
    // `PlayerError::Invalid` lists every problem with its file and line; nothing to add.
    let mut player = EffectPlayer::open(&args.bundle, &cache, &options, renderer)?;
    let load_s = load_start.elapsed().as_secs_f64();
    render_once(args, &plan, &mut player, load_s)?;
    let Some(watcher) = watcher else {
        return Ok(());
    };
    eprintln!(
        "watching {} for changes (Ctrl-C to stop)",
        args.bundle.display()
    );
    loop {
        let Some(change) = watcher.wait(Duration::from_secs(3600))? else {
            continue;
        };
        let reload_start = Instant::now();
        match player.reload(&args.bundle) {
            Ok(reload) => {
                eprintln!(
                    "reloaded after a change to {} in {:.0} ms{}",
                    change.paths.join(", "),
                    milliseconds_since(reload_start),
                    match reload.restored_layers.is_empty() {
                        true => String::new(),
                        false => format!("; state kept: {}", reload.restored_layers.join(", ")),
                    }
                );
                for problem in &reload.state_problems {
                    eprintln!("warning: {problem}; that layer starts afresh");
                }
                player.reset();
                let load_s = reload_start.elapsed().as_secs_f64();
                match render_once(args, &plan, &mut player, load_s) {
                    Ok(()) => eprintln!("{} written; watching for changes", args.output.display()),
                    Err(error) => eprintln!("error: {error:#}"),
                }
            }
            Err(error) => eprintln!(
                "error: {error}\nthe output keeps the last good version; waiting for the next change"
            ),
        }
    }
}

/// With `--watch`, a file written inside the bundle folder is a change to the bundle: each
/// render would start the next, without end.
fn refuse_inside_watched_bundle(bundle: &Path, flag: &str, path: &Path) -> Result<()> {
    if !bundle.is_dir() {
        return Ok(());
    }
    let folder = lensmith_runtime::atomic_file::folder_of(path);
    let (Ok(bundle), Ok(folder)) = (bundle.canonicalize(), folder.canonicalize()) else {
        return Ok(()); // a missing folder is reported where the file is written
    };
    if folder.starts_with(&bundle) {
        bail!(
            "{flag} {} is inside the bundle folder that --watch watches, so writing it would \
             start the next render, without end: write it outside the bundle",
            path.display()
        );
    }
    Ok(())
}

/// Plays the effect over the whole input once and writes the output and reports.
fn render_once(
    args: &RenderArgs,
    plan: &OutputPlan,
    player: &mut EffectPlayer,
    load_s: f64,
) -> Result<()> {
    let Source {
        frames: mut source,
        count,
    } = plan.open_source()?;
    let mut writer = plan.create_writer(source.frame_rate())?;
    if let Some(note) = writer.audio_note() {
        eprintln!("{note}");
    }

    let progress = Progress::new(count, plan.input_kind(), &args.input, source.frame_rate());
    let mut recorder = Recorder::new(player.layer_names().map(str::to_owned).collect());
    let mut size = None;
    // What the container counts, to tell a file cut short from a short one.
    let declared_frames = source.counted_frames();
    let run_start = Instant::now();
    loop {
        let decode_start = Instant::now();
        let Some(mut frame) = source.next_frame()? else {
            break;
        };
        let decode_ms = milliseconds_since(decode_start);
        size.get_or_insert((frame.frame.width(), frame.frame.height()));
        let process_start = Instant::now();
        let stats = player
            .process(&mut frame.frame, frame.time_s)
            .with_context(|| {
                format!(
                    "playing {} on {} ({})",
                    args.bundle.display(),
                    args.input.display(),
                    frame.name
                )
            })?;
        let process_ms = milliseconds_since(process_start);
        recorder.record(stats, process_ms, decode_ms);
        let encode_start = Instant::now();
        writer.write(&frame)?;
        recorder.record_encode(milliseconds_since(encode_start));
        progress.advance();
    }
    let finish_start = Instant::now();
    let frames_written = writer.frames();
    let audio = writer.finish()?;
    recorder.record_finish(milliseconds_since(finish_start));
    let overall_s = run_start.elapsed().as_secs_f64();
    progress.finish();

    let (width, height) = size.unwrap_or_default();
    let report = recorder.finish(RunInfo {
        bundle: args.bundle.display().to_string(),
        effect: player.manifest().effect.id.clone(),
        input: args.input.display().to_string(),
        output: args.output.display().to_string(),
        renderer: player.renderer_name(),
        width,
        height,
        audio,
        load_s,
        overall_s,
    });
    println!(
        "{} → {}: {} frame(s), {} face(s) drawn on with {} ({}){}",
        args.input.display(),
        args.output.display(),
        frames_written,
        report.faces.total,
        report.effect,
        report.renderer,
        report
            .audio
            .as_deref()
            .map(|audio| format!("; audio {audio}"))
            .unwrap_or_default()
    );
    if let Some(declared) = declared_frames
        && (frames_written as f64) < 0.9 * declared as f64
    {
        eprintln!(
            "warning: {} says it holds about {declared} frames, but only {frames_written} could \
             be read: it may be cut short or damaged, and the output holds only those",
            args.input.display()
        );
    }
    if pads_odd_sides(&args.output) && (width % 2 == 1 || height % 2 == 1) {
        eprintln!(
            "note: the frames are {width}x{height}; H.264 takes only even sides, so {} is \
             {}x{} with a black edge added; write .webm or .y4m to keep the size",
            args.output.display(),
            width + width % 2,
            height + height % 2
        );
    }
    for (layer, failure) in player.layer_failures() {
        eprintln!("warning: layer `{layer}` was disabled: {failure}");
    }
    for record in player.plugin_log().drain() {
        // Debug lines are for the plugin's developer, who reads them in the studio.
        if record.level != LogLevel::Debug {
            eprintln!("{:?} [{}] {}", record.level, record.layer, record.message);
        }
    }
    if args.report {
        print!("{}", report.text());
    }
    if let Some(path) = &args.json_report {
        write_json_atomically(path, &report)?;
        println!("report written to {}", path.display());
    }
    Ok(())
}
