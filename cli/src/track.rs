//! `lensmith track INPUT`: face tracking over an image, a folder of images, a Y4M file or
//! any video ffmpeg reads, with JSON results and an annotated copy of the frames.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use lensmith_runtime::annotate::Canvas;
use lensmith_runtime::face_crop::{CropSettings, FaceCrop, FaceCropper};
use lensmith_runtime::models::{AssetCache, ModelOptions};
use lensmith_runtime::pose::{CanonicalFace, PoseEstimator};
use lensmith_runtime::tracking::{FaceTracker, TrackedFrame, TrackerSettings};
use lensmith_runtime::video::{FrameSink, create_sink, open_source};
use serde::Serialize;

use crate::json_file::write_json_atomically;

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
    #[arg(long, default_value_t = 1)]
    max_faces: usize,
    /// Treat every frame as an unrelated still: detect afresh, no smoothing.
    #[arg(long = "static")]
    still_images: bool,
    /// Threads ONNX Runtime may use per model.
    #[arg(long, default_value_t = ModelOptions::default().intra_threads)]
    threads: usize,
}

#[derive(Serialize)]
struct PoseJson {
    yaw: f32,
    pitch: f32,
    roll: f32,
}

/// The stable face crop: a `side`×`side` square centred on `center`, `size` frame pixels
/// wide, turned by `rotation_deg` (clockwise on screen), and the matrix taking crop pixels
/// to frame pixels.
#[derive(Serialize)]
struct CropJson {
    center: [f32; 2],
    size: f32,
    rotation_deg: f32,
    side: u32,
    crop_to_frame: [[f32; 3]; 2],
}

#[derive(Serialize)]
struct FaceJson {
    id: u32,
    score: f32,
    #[serde(rename = "box")]
    bounds: [f32; 4],
    landmarks: Vec<[f32; 3]>,
    pose: Option<PoseJson>,
    crop: Option<CropJson>,
}

#[derive(Serialize)]
struct TimingsJson {
    decode: f64,
    detect: f64,
    landmarks: f64,
    smoothing: f64,
    pose: f64,
    total: f64,
}

#[derive(Serialize)]
struct FrameJson {
    index: u64,
    name: String,
    time_s: f64,
    faces: Vec<FaceJson>,
    timings_ms: TimingsJson,
}

#[derive(Serialize)]
struct ReportJson {
    source: String,
    width: u32,
    height: u32,
    frames: Vec<FrameJson>,
}

fn milliseconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Tracks faces through the input and writes what was asked for.
pub fn run(args: &TrackArgs) -> Result<()> {
    let cache = AssetCache::locate()?;
    let mut source = open_source(&args.input)?;
    let still_images = args.still_images || source.is_independent_stills();
    let base = if still_images {
        TrackerSettings::still_images()
    } else {
        TrackerSettings::default()
    };
    let settings = TrackerSettings {
        max_faces: args.max_faces.max(1),
        ..base
    };
    let mut tracker = FaceTracker::load(
        &cache,
        ModelOptions {
            intra_threads: args.threads,
        },
        settings,
    )?;
    let mut pose = PoseEstimator::new(&CanonicalFace::load(&cache.face_geometry()?)?);
    let mut cropper = FaceCropper::new(if still_images {
        CropSettings {
            smoothing: None,
            ..CropSettings::default()
        }
    } else {
        CropSettings::default()
    });
    let mut sink: Option<Box<dyn FrameSink>> = args
        .overlay
        .as_deref()
        .map(|path| create_sink(path, source.frame_rate()))
        .transpose()?;

    let mut report = ReportJson {
        source: args.input.display().to_string(),
        width: 0,
        height: 0,
        frames: Vec::new(),
    };
    let mut faces_seen = 0usize;
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
            tracker.reset();
            cropper.reset();
        }
        let tracked = tracker
            .process(frame.frame.view(), frame.time_s)
            .with_context(|| format!("tracking {}", frame.name))?;
        let crops = cropper
            .update(&tracked.faces, frame.time_s)
            .context("computing the face crops")?;
        let pose_start = Instant::now();
        let faces = faces_json(tracked, crops, &mut pose);
        let pose_ms = milliseconds_since(pose_start);
        faces_seen += faces.len();
        if let Some(sink) = sink.as_mut() {
            let mut canvas = Canvas::from_frame(&frame.frame);
            for face in &tracked.faces {
                canvas.face(face);
            }
            for crop in crops {
                canvas.crop(&crop.transform);
            }
            sink.write_frame(canvas.into_frame().view())?;
        }
        let timings = tracked.timings;
        report.frames.push(FrameJson {
            index: frame.index,
            name: frame.name,
            time_s: frame.time_s,
            faces,
            timings_ms: TimingsJson {
                decode: decode_ms,
                detect: timings.detect_ms,
                landmarks: timings.landmarks_ms,
                smoothing: timings.smoothing_ms,
                pose: pose_ms,
                total: decode_ms + timings.total_ms + pose_ms,
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

fn faces_json(
    tracked: &TrackedFrame,
    crops: &[FaceCrop],
    pose: &mut PoseEstimator,
) -> Vec<FaceJson> {
    tracked
        .faces
        .iter()
        .map(|face| {
            let bounds = face.bounds();
            FaceJson {
                id: face.id,
                score: face.score,
                bounds: [bounds.x, bounds.y, bounds.width, bounds.height],
                landmarks: face.landmarks.clone(),
                pose: pose.estimate(&face.landmarks).map(|pose| PoseJson {
                    yaw: pose.yaw,
                    pitch: pose.pitch,
                    roll: pose.roll,
                }),
                crop: crops
                    .iter()
                    .find(|crop| crop.face_id == face.id)
                    .map(|crop| {
                        let transform = &crop.transform;
                        CropJson {
                            center: [transform.center.x, transform.center.y],
                            size: transform.scale * transform.side as f32,
                            rotation_deg: transform.rotation.to_degrees(),
                            side: transform.side,
                            crop_to_frame: transform.crop_to_frame_matrix(),
                        }
                    }),
            }
        })
        .collect()
}
