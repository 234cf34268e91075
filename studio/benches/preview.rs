//! The studio's live preview, measured on the real worker and the studio's own update
//! loop (the window's drawing excepted):
//!
//! - **save → frame**: `effect.toml` is saved (written whole under a temporary name and
//!   renamed, as editors save), and the time until the studio takes the first frame of the
//!   reloaded bundle is measured: the watcher's quiet time, the reload, the next frame
//!   drawn, and the UI's next poll. Twenty saves on a playing 720p clip, then twenty on
//!   the still photo.
//! - **fps**: frames the studio takes per second while a 1280×720 clip with one face
//!   plays (the UI polls as its subscription does), and the effect's own median frame time.
//!
//! `cargo bench -p lensmith-studio --bench preview` (the face models must be set up:
//! `cargo xtask setup`; making the clip needs ffmpeg). The effect is drawn by the CPU
//! renderer; `LENSMITH_BENCH_RENDERER=gpu` draws it with wgpu instead.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use effect_api::{Frame, PixelFormat, Point2};
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::video::create_sink;
use lensmith_studio::app::{IDLE_POLL_INTERVAL, Message, POLL_INTERVAL};
use lensmith_studio::preview_bridge::{OpenRequest, RendererChoice, runtime_launcher};
use lensmith_studio::{Options, Studio};
use lensmith_testkit::{Motion, TempDir};

/// The clip: 1280×720, 25 fps, 8 s.
const CLIP_SIZE: (u32, u32) = (1280, 720);
const CLIP_RATE: f64 = 25.0;
const CLIP_FRAMES: usize = 200;
/// Saves timed per source.
const SAVES: usize = 20;
/// How long the clip plays before and while its rate is counted.
const WARM_UP: Duration = Duration::from_secs(3);
const COUNTED: Duration = Duration::from_secs(10);

fn main() -> Result<()> {
    let cache = AssetCache::locate().context("the face models: run `cargo xtask setup`")?;
    let photo = lensmith_testkit::astronaut_path(&cache);
    let work = TempDir::new("studio-bench");
    let clip = make_clip(&photo, &work.join("clip-720p.mp4"))?;
    let bundle = work.join("face-paint");
    lensmith_testkit::copy_folder(
        &lensmith_testkit::workspace_root().join("effects/face-paint"),
        &bundle,
        &[],
    );

    let renderer = match std::env::var("LENSMITH_BENCH_RENDERER").as_deref() {
        Ok("gpu") => RendererChoice::Gpu,
        Ok("cpu") | Err(_) => RendererChoice::Cpu,
        Ok(other) => bail!("LENSMITH_BENCH_RENDERER={other}: say cpu or gpu"),
    };
    println!("== a 1280×720 clip, one face, face paint, {renderer:?} renderer ==");
    let mut studio = open(&bundle, &clip, renderer)?;
    let (shown, effect_ms) = count_frames(&mut studio)?;
    println!(
        "frames taken by the UI: {:.1} per second (the clip has {CLIP_RATE}); effect alone: median {effect_ms:.1} ms per frame ({:.0} fps)",
        shown,
        1000.0 / effect_ms
    );
    report(
        "save → frame, playing clip",
        &time_saves(&mut studio, &bundle, POLL_INTERVAL)?,
    );
    drop(studio);

    println!("== the photo (a still) ==");
    let mut studio = open(&bundle, &photo, renderer)?;
    wait_for_frame(&mut studio, 0, IDLE_POLL_INTERVAL)?;
    report(
        "save → frame, still photo",
        &time_saves(&mut studio, &bundle, IDLE_POLL_INTERVAL)?,
    );
    Ok(())
}

/// The photo on a grey 1280×720 canvas, swaying and zooming: 200 frames as H.264.
fn make_clip(photo: &Path, path: &Path) -> Result<PathBuf> {
    let face = image::open(photo)?.to_rgb8();
    let side = CLIP_SIZE.1;
    let face = image::imageops::resize(&face, side, side, image::imageops::FilterType::Triangle);
    let mut canvas =
        image::RgbImage::from_pixel(CLIP_SIZE.0, CLIP_SIZE.1, image::Rgb([90, 90, 96]));
    image::imageops::overlay(&mut canvas, &face, i64::from((CLIP_SIZE.0 - side) / 2), 0);
    let still = Frame::from_packed(
        canvas.into_raw(),
        CLIP_SIZE.0,
        CLIP_SIZE.1,
        PixelFormat::Rgb8,
    )?;
    let mut sink = create_sink(path, CLIP_RATE)?;
    let centre = Point2::new(CLIP_SIZE.0 as f32 / 2.0, 260.0);
    for index in 0..CLIP_FRAMES {
        let moved = Motion::sweep(index % 50, 50, centre).render(&still);
        sink.write_frame(moved.view())?;
    }
    sink.finish()?;
    Ok(path.to_owned())
}

/// A studio with the real worker, opened on `bundle` and `source`, remembering nothing.
fn open(bundle: &Path, source: &Path, renderer: RendererChoice) -> Result<Studio> {
    let (studio, _) = Studio::new(Options {
        launcher: runtime_launcher(renderer),
        config: Default::default(),
        config_path: None,
        open: Some(OpenRequest {
            bundle: bundle.to_owned(),
            source: source.to_owned(),
        }),
        ready_file: None,
        overlays: Default::default(),
        compare: Default::default(),
        folded: Default::default(),
    });
    Ok(studio)
}

/// One poll, as the subscription makes it.
fn poll(studio: &mut Studio, interval: Duration) {
    std::thread::sleep(interval);
    let _ = studio.update(Message::Tick(Instant::now()));
}

/// Polls until a frame of a generation after `generation` is shown; its generation.
fn wait_for_frame(studio: &mut Studio, generation: u64, interval: Duration) -> Result<u64> {
    let started = Instant::now();
    loop {
        poll(studio, interval);
        if let Some(frame) = studio.viewer().frame()
            && frame.generation > generation
        {
            return Ok(frame.generation);
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("no frame after 60 s: {}", studio.status());
        }
    }
}

/// Frames the UI took per second while playing, and the effect's median frame time.
fn count_frames(studio: &mut Studio) -> Result<(f64, f64)> {
    wait_for_frame(studio, 0, POLL_INTERVAL)?;
    let warm = Instant::now();
    while warm.elapsed() < WARM_UP {
        poll(studio, POLL_INTERVAL);
    }
    let before = studio.frames_shown();
    let counting = Instant::now();
    while counting.elapsed() < COUNTED {
        poll(studio, POLL_INTERVAL);
    }
    let shown = (studio.frames_shown() - before) as f64 / counting.elapsed().as_secs_f64();
    let effect_ms = studio
        .performance()
        .window()
        .summary()
        .last()
        .map_or(f64::NAN, |total| total.p50);
    Ok((shown, effect_ms))
}

/// Saves `effect.toml` [`SAVES`] times, each changing the paint's opacity; the time from
/// each save to the first frame of the reloaded bundle.
fn time_saves(studio: &mut Studio, bundle: &Path, interval: Duration) -> Result<Vec<f64>> {
    let manifest = bundle.join("effect.toml");
    let original = std::fs::read_to_string(&manifest)?;
    let mut generation = wait_for_frame(studio, 0, interval)?;
    let mut latencies = Vec::new();
    for save in 0..SAVES {
        // Let the watcher and worker settle between saves.
        let quiet = Instant::now();
        while quiet.elapsed() < Duration::from_millis(400) {
            poll(studio, interval);
        }
        let opacity = format!("0.{}", 50 + save);
        let edited = original.replacen("0.85", &opacity, 2);
        let temporary = bundle.join(".effect.toml.saving");
        std::fs::write(&temporary, edited)?;
        let saved = Instant::now();
        std::fs::rename(&temporary, &manifest)?;
        generation = wait_for_frame(studio, generation, interval)?;
        latencies.push(saved.elapsed().as_secs_f64() * 1e3);
    }
    std::fs::write(&manifest, original)?;
    Ok(latencies)
}

fn report(what: &str, latencies: &[f64]) {
    let mut sorted = latencies.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |share: f64| sorted[((sorted.len() - 1) as f64 * share).round() as usize];
    println!(
        "{what}: median {:.0} ms, p95 {:.0} ms, min {:.0} ms, max {:.0} ms over {} saves",
        at(0.5),
        at(0.95),
        sorted[0],
        sorted[sorted.len() - 1],
        sorted.len()
    );
}
