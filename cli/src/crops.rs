//! `lensmith crops INPUT -o DIR --size 256`: writes the stable, rotation-aligned face crops
//! a `face_model` layer would feed its student, for training one. The crops are cut by the
//! runtime's own pipeline (tracking, smoothing, FFHQ-style alignment) and resampled as the
//! layer resamples them, so training crops and run-time crops match pixel for pixel.
//!
//! For each crop it writes `NAME.png` (RGB, `size`²) and `NAME.json` (its source, frame,
//! face id, crop transform and the 468 landmarks in crop pixels), and for the run
//! `crops.json`, the list of every crop with the input it came from.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use effect_api::{Frame, PixelFormat, Point2};
use lensmith_runtime::face_crop::CropTransform;
use lensmith_runtime::face_pipeline::{FacePipeline, FacePipelineSettings};
use lensmith_runtime::models::{AssetCache, ModelOptions};
use lensmith_runtime::video::{create_sink, open_source};
use serde::Serialize;

use crate::detector_choice::DetectorChoice;
use crate::json_file::write_json_atomically;

/// Arguments of `lensmith crops`.
#[derive(Args)]
pub struct CropsArgs {
    /// An image (PNG, JPEG, WebP, BMP, TIFF, PPM), a folder of them, a .y4m file or a video
    /// ffmpeg reads.
    input: PathBuf,
    /// The folder to write the crops into (made if missing; crops of another input may
    /// already be there: names start with the input's name).
    #[arg(short, long)]
    output: PathBuf,
    /// Side of the square crops in pixels: the `crop_size` of the face_model layer the
    /// student will serve.
    #[arg(long, default_value_t = 256)]
    size: u32,
    /// Keep one frame in this many (videos hold many near-identical frames).
    #[arg(long, default_value_t = 1)]
    every: u64,
    /// Most faces per frame.
    #[arg(long, default_value_t = 4, value_parser = crate::number_args::at_least_one)]
    max_faces: usize,
    #[command(flatten)]
    detector: DetectorChoice,
    /// Skip faces that would be enlarged more than this much to fill the crop: their
    /// crops would be blurred (at least 1: 1 takes only faces at least the crop's size).
    #[arg(long, default_value_t = 2.0, value_parser = crate::number_args::factor_at_least_one)]
    max_upscale: f32,
    /// Treat every frame as an unrelated still: detect afresh, no smoothing (always so
    /// for images and image folders).
    #[arg(long = "static")]
    still_images: bool,
    /// Threads ONNX Runtime may use per model.
    #[arg(long, default_value_t = ModelOptions::default().intra_threads)]
    threads: usize,
}

/// What `NAME.json` holds.
#[derive(Serialize)]
struct CropRecord {
    /// The crop's PNG, beside this file.
    image: String,
    /// The input it was cut from, as given.
    source: String,
    /// The frame's index in the input.
    frame: u64,
    /// The frame's name (a file name for image folders).
    frame_name: String,
    /// The tracked face's id.
    face_id: u32,
    /// The crop in the frame: centre (frame pixels), frame pixels per crop pixel,
    /// rotation (radians) and side.
    transform: TransformRecord,
    /// Frame pixels per crop pixel (1 / how much the face was enlarged).
    frame_pixels_per_crop_pixel: f32,
    /// The 468 landmarks in crop pixels (x, y from the crop's top-left corner; z scaled
    /// as x).
    landmarks: Vec<[f32; 3]>,
}

#[derive(Serialize)]
struct TransformRecord {
    center: [f32; 2],
    scale: f32,
    rotation: f32,
    side: u32,
}

/// What `crops.json` holds: the run and its crops.
#[derive(Serialize)]
struct RunRecord {
    source: String,
    size: u32,
    every: u64,
    frames_read: u64,
    crops: Vec<String>,
    skipped_small: u64,
}

/// Cuts and writes the crops.
pub fn run(args: &CropsArgs) -> Result<()> {
    if !(16..=1024).contains(&args.size) {
        bail!("--size {} is outside 16..=1024", args.size);
    }
    if args.every == 0 {
        bail!("--every must be at least 1");
    }
    let cache = AssetCache::locate()?;
    let mut source = open_source(&args.input)?;
    let still_images = args.still_images || source.is_independent_stills();
    let settings = match still_images {
        true => FacePipelineSettings::still_images(args.max_faces),
        false => FacePipelineSettings::video(args.max_faces),
    };
    let settings = settings.with_detector_range(args.detector.range());
    let mut pipeline = FacePipeline::load(
        &cache,
        ModelOptions {
            intra_threads: args.threads.max(1),
        },
        settings,
        Vec::new(),
    )?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let stem = input_stem(&args.input);
    refuse_another_inputs_crops(&args.output, &stem, &args.input)?;
    let mut run = RunRecord {
        source: args.input.display().to_string(),
        size: args.size,
        every: args.every,
        frames_read: 0,
        crops: Vec::new(),
        skipped_small: 0,
    };
    let mut pixels = vec![0u8; (args.size * args.size * 3) as usize];
    while let Some(frame) = source.next_frame()? {
        run.frames_read += 1;
        // Every frame is tracked (tracking needs them all); only some are kept.
        let found = pipeline
            .process(frame.frame.view(), frame.time_s)
            .with_context(|| format!("tracking {}", frame.name))?;
        if frame.index % args.every != 0 {
            continue;
        }
        for face in found.faces() {
            let Some(crop) = face.crop else { continue };
            // The layer's resampling: the pipeline's crop rescaled to the model's side.
            let transform = CropTransform {
                scale: crop.scale * crop.side as f32 / args.size as f32,
                side: args.size,
                ..*crop
            };
            if 1.0 / transform.scale > args.max_upscale {
                run.skipped_small += 1;
                continue;
            }
            // The buffer is size² RGB, as the transform's side asks.
            transform.sample_rgb(frame.frame.view(), &mut pixels);
            let name = format!("{stem}_{:06}_face{}", frame.index, face.tracked.id);
            let image = format!("{name}.png");
            write_png(&args.output.join(&image), &pixels, args.size)?;
            let record = CropRecord {
                image: image.clone(),
                source: args.input.display().to_string(),
                frame: frame.index,
                frame_name: frame.name.clone(),
                face_id: face.tracked.id,
                transform: TransformRecord {
                    center: [transform.center.x, transform.center.y],
                    scale: transform.scale,
                    rotation: transform.rotation,
                    side: transform.side,
                },
                frame_pixels_per_crop_pixel: transform.scale,
                landmarks: face
                    .tracked
                    .landmarks
                    .iter()
                    .map(|&[x, y, z]| {
                        let at = transform.frame_to_crop(Point2::new(x, y));
                        [at.x, at.y, z / transform.scale]
                    })
                    .collect(),
            };
            write_json_atomically(&args.output.join(format!("{name}.json")), &record)?;
            run.crops.push(image);
        }
    }
    let summary = args.output.join(format!("{stem}.crops.json"));
    write_json_atomically(&summary, &run)?;
    println!(
        "{}: {} frame(s) read, {} crop(s) of {}² written to {}{}; list in {}",
        args.input.display(),
        run.frames_read,
        run.crops.len(),
        args.size,
        args.output.display(),
        match run.skipped_small {
            0 => String::new(),
            skipped => format!(
                " ({skipped} face(s) skipped: smaller than 1/{} of the crop)",
                args.max_upscale
            ),
        },
        summary.display()
    );
    if run.crops.is_empty() {
        match run.skipped_small {
            0 => bail!(
                "no face crop was written: no face was found in {}",
                args.input.display()
            ),
            skipped => bail!(
                "no face crop was written: the {skipped} face(s) found in {} are too small to \
                 fill a {size}x{size} crop without enlarging them more than {upscale} times; \
                 give a smaller --size, or a larger --max-upscale to accept blurred crops",
                args.input.display(),
                size = args.size,
                upscale = args.max_upscale
            ),
        }
    }
    Ok(())
}

/// Refuses to write over the crops another input left in `output` under the same names
/// (`face.jpg` and `face.png` both make `face_*`): its list, `{stem}.crops.json`, names
/// its source. Crops of the same input are made again, as asked.
fn refuse_another_inputs_crops(output: &Path, stem: &str, input: &Path) -> Result<()> {
    let list = output.join(format!("{stem}.crops.json"));
    let Ok(text) = std::fs::read_to_string(&list) else {
        return Ok(());
    };
    let earlier = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|record| record["source"].as_str().map(str::to_owned));
    let same = earlier.as_deref().is_some_and(|source| {
        let (earlier, now) = (Path::new(source), input);
        earlier == now
            || earlier
                .canonicalize()
                .ok()
                .zip(now.canonicalize().ok())
                .is_some_and(|(a, b)| a == b)
    });
    if !same {
        bail!(
            "{} already holds the crops of {} under the names {stem}_*, which {} would replace: \
             give another folder with -o, or remove those crops first",
            output.display(),
            earlier.as_deref().unwrap_or("another input"),
            input.display()
        );
    }
    Ok(())
}

/// The input's file or folder name without its extension, safe in file names.
fn input_stem(input: &Path) -> String {
    let stem = input
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".to_owned());
    stem.chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '_',
            },
        )
        .collect()
}

/// Writes `side`² RGB pixels as a PNG, atomically.
fn write_png(path: &Path, pixels: &[u8], side: u32) -> Result<()> {
    let frame = Frame::from_packed(pixels.to_vec(), side, side, PixelFormat::Rgb8)?;
    let mut sink = create_sink(path, 30.0)?;
    sink.write_frame(frame.view())?;
    sink.finish()?;
    Ok(())
}
