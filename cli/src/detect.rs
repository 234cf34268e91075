//! `lensmith detect IMAGE`: faces, keypoints and mesh on one still image.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use effect_api::{DetectionKeypoint, Rect};
use lensmith_runtime::detection::{DetectorSettings, FaceDetector};
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::landmarks::{FaceRoi, LandmarkModel};
use lensmith_runtime::models::{AssetCache, Model, ModelKind, ModelOptions};
use serde::Serialize;

/// Arguments of `lensmith detect`.
#[derive(Args)]
pub struct DetectArgs {
    /// The image to look at (PNG, JPEG, WebP, BMP, TIFF, PPM).
    image: PathBuf,
    /// Print the result as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Minimum detection score, 0..1.
    #[arg(long, default_value_t = DetectorSettings::default().min_score, value_parser = crate::number_args::zero_to_one)]
    min_score: f32,
    /// Threads ONNX Runtime may use per model.
    #[arg(long, default_value_t = ModelOptions::default().intra_threads)]
    threads: usize,
}

#[derive(Serialize)]
struct FaceReport {
    score: f32,
    #[serde(rename = "box")]
    bounds: [f32; 4],
    keypoints: Vec<(DetectionKeypoint, [f32; 2])>,
    mesh_presence: f32,
    mesh_bounds: [f32; 4],
    landmarks: Vec<[f32; 3]>,
}

#[derive(Serialize)]
struct Report {
    source: String,
    width: u32,
    height: u32,
    faces: Vec<FaceReport>,
    timings_ms: Timings,
}

#[derive(Serialize)]
struct Timings {
    decode: f64,
    detect: f64,
    landmarks: f64,
}

fn xywh(rect: Rect) -> [f32; 4] {
    [rect.x, rect.y, rect.width, rect.height]
}

/// Runs the detector and the mesh on the image and prints what they found.
pub fn run(args: &DetectArgs) -> Result<()> {
    let cache = AssetCache::locate()?;
    let options = ModelOptions {
        intra_threads: args.threads,
    };
    let mut detector = FaceDetector::new(
        Model::load(&cache, ModelKind::FaceDetector, options)?,
        DetectorSettings {
            min_score: args.min_score,
            ..DetectorSettings::default()
        },
    )?;
    let mut mesh_model =
        LandmarkModel::new(Model::load(&cache, ModelKind::FaceLandmarks, options)?)?;

    let started = Instant::now();
    let frame = read_rgb_frame(&args.image)?;
    let decoded = Instant::now();
    let detections = detector.detect(frame.view())?;
    let detected = Instant::now();
    let mut faces = Vec::with_capacity(detections.len());
    for detection in &detections {
        let mesh = mesh_model.run(frame.view(), &FaceRoi::from_detection(detection))?;
        faces.push(FaceReport {
            score: detection.score,
            bounds: xywh(detection.bounds),
            keypoints: DetectionKeypoint::ALL
                .iter()
                .map(|&which| {
                    (
                        which,
                        [detection.keypoint(which).x, detection.keypoint(which).y],
                    )
                })
                .collect(),
            mesh_presence: mesh.presence,
            mesh_bounds: xywh(mesh.bounds()),
            landmarks: mesh.points.clone(),
        });
    }
    let finished = Instant::now();
    let milliseconds = |from: Instant, to: Instant| (to - from).as_secs_f64() * 1e3;
    let report = Report {
        source: args.image.display().to_string(),
        width: frame.width(),
        height: frame.height(),
        faces,
        timings_ms: Timings {
            decode: milliseconds(started, decoded),
            detect: milliseconds(decoded, detected),
            landmarks: milliseconds(detected, finished),
        },
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report, detector.last_max_score());
    }
    Ok(())
}

fn print_text(report: &Report, best_anchor: f32) {
    println!(
        "{} ({}x{}): {} face(s)",
        report.source,
        report.width,
        report.height,
        report.faces.len()
    );
    for (index, face) in report.faces.iter().enumerate() {
        let [x, y, w, h] = face.bounds;
        println!(
            "  face {index}: score {:.3}, box {w:.0}x{h:.0} at ({x:.0}, {y:.0})",
            face.score
        );
        for (which, [kx, ky]) in &face.keypoints {
            println!("    {which:?}: ({kx:.1}, {ky:.1})");
        }
        let [mx, my, mw, mh] = face.mesh_bounds;
        println!(
            "    mesh: {} landmarks, presence {:.3}, spanning {mw:.0}x{mh:.0} at ({mx:.0}, {my:.0})",
            face.landmarks.len(),
            face.mesh_presence
        );
    }
    if report.faces.is_empty() {
        println!("  (best anchor score {best_anchor:.3})");
    }
    let timings = &report.timings_ms;
    println!(
        "  timings: decode {:.1} ms, detect {:.1} ms, landmarks {:.1} ms",
        timings.decode, timings.detect, timings.landmarks
    );
}
