//! `cargo xtask bench`: face tracking's speed per frame against MediaPipe's own FaceMesh in
//! video mode, on the same 1280×720 frames, in one run: tracking alone against FaceMesh,
//! and tracking with the eyes refined (by the distilled eye landmark model, and by
//! MediaPipe's own iris landmark model) against FaceMesh with `refine_landmarks=True`.
//! Both sides load every frame into memory first and time only the per-frame call; the
//! rounds alternate between them so that a machine that slows down part-way slows both.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::python_env::{MEDIAPIPE, PYTHON_HINT};

/// What `cargo xtask bench` may be told.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchOptions {
    /// Times each side plays the clip; the reported figures are the medians over rounds.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Frames in the clip.
    #[arg(long, default_value_t = 150)]
    frames: usize,
    /// ONNX Runtime threads per model to try, comma-separated (the detector and the mesh;
    /// the eye model runs each eye with one, the two eyes side by side).
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2])]
    threads: Vec<usize>,
}

const WIDTH: u32 = 1280;
/// Characters of the tables' first column: the longest row label fits.
const LABEL_WIDTH: usize = 58;
const HEIGHT: u32 = 720;

/// One side's result in one round.
#[derive(Debug, Clone, Copy)]
struct Timing {
    median_ms: f64,
    p95_ms: f64,
    frames: u64,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// The medians over rounds of each round's median and p95.
fn pooled(rounds: &[Timing]) -> (f64, f64) {
    let mut medians: Vec<f64> = rounds.iter().map(|timing| timing.median_ms).collect();
    let mut p95s: Vec<f64> = rounds.iter().map(|timing| timing.p95_ms).collect();
    (median(&mut medians), median(&mut p95s))
}

/// Runs the benchmark and prints the comparison.
pub fn run(options: &BenchOptions) -> Result<()> {
    if options.rounds == 0 || options.frames < 10 || options.threads.is_empty() {
        bail!("give at least 1 round, 10 frames and one thread count");
    }
    crate::setup::run()?;
    let home = crate::paths::lensmith_home()?;
    let python = MEDIAPIPE.ensure(&home)?;
    let out_dir = target_dir().join("bench");
    let frames = bench_frames(&python, &home, &out_dir, options.frames)?;
    crate::commands::cargo(
        &["build", "--release", "--quiet", "--package", "lensmith-cli"],
        "building the lensmith command failed (see above)",
    )?;
    let lensmith = target_dir().join("release").join("lensmith");

    let empty: Vec<Vec<Timing>> = vec![Vec::new(); options.threads.len()];
    let (mut ours, mut ours_with_eyes, mut ours_with_iris_model) =
        (empty.clone(), empty.clone(), empty);
    let (mut theirs, mut theirs_refined) = (Vec::new(), Vec::new());
    let iris_model = home.join("models").join("iris_landmark.onnx");
    for round in 1..=options.rounds {
        println!("round {round} of {}", options.rounds);
        for (index, &threads) in options.threads.iter().enumerate() {
            let (report, json) = lensmith_round(&lensmith, &frames, &out_dir, threads, None)?;
            ours[index].push(timing(&report["tracking"], &json)?);
            ours_with_eyes[index].push(timing(&report["tracking_with_eyes"], &json)?);
            let (report, json) =
                lensmith_round(&lensmith, &frames, &out_dir, threads, Some(&iris_model))?;
            ours_with_iris_model[index].push(timing(&report["tracking_with_eyes"], &json)?);
        }
        theirs.push(mediapipe_round(&python, &frames, &out_dir, false)?);
        theirs_refined.push(mediapipe_round(&python, &frames, &out_dir, true)?);
    }
    println!(
        "\nface tracking per frame, tracking path (detector skipped), {WIDTH}x{HEIGHT}, {} timed \
         frames a round, median over {} rounds; {} CPU(s): {}",
        theirs[0].frames,
        options.rounds,
        std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model()
    );
    print_table(
        options,
        ("lensmith", &ours),
        ("MediaPipe 0.10.21 FaceMesh (video)", &theirs),
    );
    print_table(
        options,
        ("lensmith with eyes", &ours_with_eyes),
        ("FaceMesh refine_landmarks=True", &theirs_refined),
    );
    print_table(
        options,
        ("lensmith, MediaPipe's iris model", &ours_with_iris_model),
        ("FaceMesh refine_landmarks=True", &theirs_refined),
    );
    Ok(())
}

/// One round of `lensmith bench` on the clip, `eye_model` in place of the cache's eye
/// model: its report and the file it was read from.
fn lensmith_round(
    lensmith: &Path,
    frames: &Path,
    out_dir: &Path,
    threads: usize,
    eye_model: Option<&Path>,
) -> Result<(Value, PathBuf)> {
    let name = match eye_model {
        Some(_) => format!("lensmith-{threads}-threads-iris-model.json"),
        None => format!("lensmith-{threads}-threads.json"),
    };
    let json = out_dir.join(name);
    let mut command = Command::new(lensmith);
    command
        .arg("bench")
        .arg(frames)
        .args(["--threads", &threads.to_string(), "--json"])
        .arg(&json);
    if let Some(model) = eye_model {
        command.arg("--eye-model").arg(model);
    }
    run_quietly(&mut command, "lensmith bench")?;
    let report = read_json(&json)?;
    if report["frames_without_face"].as_u64() != Some(0) {
        bail!("{}: lensmith lost the face in some frames", json.display());
    }
    Ok((report, json))
}

/// One round of MediaPipe's FaceMesh on the clip, `refine` for `refine_landmarks=True`.
fn mediapipe_round(python: &Path, frames: &Path, out_dir: &Path, refine: bool) -> Result<Timing> {
    let json = out_dir.join(if refine {
        "mediapipe-refined.json"
    } else {
        "mediapipe.json"
    });
    let script = crate::paths::xtask_dir()
        .join("python")
        .join("mediapipe_bench.py");
    let mut command = Command::new(python);
    command.arg(&script).arg(frames).arg("--json").arg(&json);
    if refine {
        command.arg("--refine");
    }
    quiet_mediapipe_logs(&mut command);
    run_quietly(&mut command, "python xtask/python/mediapipe_bench.py")?;
    let report = read_json(&json)?;
    let timing = timing(&report, &json)?;
    if report["faces_found"].as_u64() != Some(timing.frames) {
        bail!(
            "{}: MediaPipe found the face in only {} of {} frames, so its times are not \
             the tracking path's",
            json.display(),
            report["faces_found"],
            timing.frames
        );
    }
    Ok(timing)
}

/// Our rounds per thread count against MediaPipe's, as medians over rounds and ratios.
fn print_table(
    options: &BenchOptions,
    (our_label, ours): (&str, &[Vec<Timing>]),
    (their_label, theirs): (&str, &[Timing]),
) {
    let (their_median, their_p95) = pooled(theirs);
    println!(
        "  {:<LABEL_WIDTH$} {:>9} {:>9}   ratio to MediaPipe (median, p95)",
        "", "median", "p95"
    );
    for (threads, rounds) in options.threads.iter().zip(ours) {
        let (median, p95) = pooled(rounds);
        println!(
            "  {:<LABEL_WIDTH$} {median:>6.2} ms {p95:>6.2} ms   {:.2}, {:.2}",
            format!("{our_label}, {threads} ORT thread(s)/model"),
            median / their_median,
            p95 / their_p95
        );
    }
    println!("  {their_label:<LABEL_WIDTH$} {their_median:>6.2} ms {their_p95:>6.2} ms");
}

/// Where cargo puts build output (`$CARGO_TARGET_DIR`, else `target/`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::paths::workspace_root().join("target"))
}

/// The clip, made once per frame count and reused while the photo and script are unchanged.
fn bench_frames(python: &Path, home: &Path, out_dir: &Path, count: usize) -> Result<PathBuf> {
    let photo = home.join("data").join("astronaut.png");
    let script = crate::paths::xtask_dir()
        .join("python")
        .join("make_bench_frames.py");
    let recipe = format!(
        "{} {} {count}",
        crate::digest::sha256_file(&photo)?,
        crate::digest::sha256_file(&script)?
    );
    let frames = out_dir.join(format!("frames-{WIDTH}x{HEIGHT}-{count}"));
    let stamp = frames.join("recipe.txt");
    if std::fs::read_to_string(&stamp).is_ok_and(|text| text == recipe) {
        return Ok(frames);
    }
    let _ = std::fs::remove_dir_all(&frames);
    let mut command = Command::new(python);
    command
        .arg(&script)
        .arg(&photo)
        .arg(&frames)
        .args([
            "--width",
            &WIDTH.to_string(),
            "--height",
            &HEIGHT.to_string(),
        ])
        .args(["--frames", &count.to_string()]);
    println!("making the {count}-frame clip in {}", frames.display());
    run_quietly(&mut command, "python xtask/python/make_bench_frames.py")?;
    // The recipe is written last, so an interrupted run is redone rather than reused.
    crate::digest::write_atomically(&stamp, recipe.as_bytes())?;
    Ok(frames)
}

fn quiet_mediapipe_logs(command: &mut Command) {
    command
        .env("GLOG_minloglevel", "2")
        .env("TF_CPP_MIN_LOG_LEVEL", "2");
}

/// Runs a tool, showing its output only when it fails.
fn run_quietly(command: &mut Command, what: &str) -> Result<()> {
    crate::fetch::run_tool(command, what, PYTHON_HINT)
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn timing(value: &Value, source: &Path) -> Result<Timing> {
    let number = |key: &str| {
        value[key]
            .as_f64()
            .with_context(|| format!("{}: no number `{key}`", source.display()))
    };
    let timing = Timing {
        median_ms: number("median_ms")?,
        p95_ms: number("p95_ms")?,
        frames: number("frames")? as u64,
    };
    if timing.frames == 0 {
        bail!("{}: no frame was timed", source.display());
    }
    Ok(timing)
}

/// The CPU's model name from /proc/cpuinfo, where there is one.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_pool_by_their_medians() {
        let round = |median_ms, p95_ms| Timing {
            median_ms,
            p95_ms,
            frames: 10,
        };
        let rounds = [round(3.0, 5.0), round(1.0, 9.0), round(2.0, 4.0)];
        assert_eq!(pooled(&rounds), (2.0, 5.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
