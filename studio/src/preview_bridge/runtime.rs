//! The runtime's preview worker behind [`PreviewPort`]: commands and events pass through;
//! frames are turned into the studio's types (images for iced, the stage times named, the
//! faces reduced to what the overlays draw, trigger events named).

use std::cell::RefCell;
use std::sync::Arc;

use effect_api::manifest::Manifest;
use effect_api::trigger::TriggerPhase;
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::player::{FaceSnapshot, FrameStats};
use lensmith_runtime::preview::{PreviewFrame, PreviewSettings, PreviewWorker, RendererFactory};
use lensmith_runtime::render::cpu::CpuRenderer;
use lensmith_runtime::render::gpu::GpuRenderer;
use lensmith_runtime::render::{RenderError, Renderer};

use super::{
    FaceOverlay, FrameUpdate, Launcher, OpenRequest, PoseOverlay, PreviewCommand, PreviewEvent,
    PreviewImage, PreviewPort, TriggerNotice,
};
use crate::stats::StageTimes;

/// Which renderer the worker draws with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RendererChoice {
    /// wgpu when it finds an adapter, else the CPU renderer; the performance panel names
    /// the one drawing, and the reason wgpu could not is printed.
    #[default]
    Auto,
    /// The CPU reference renderer: works everywhere.
    Cpu,
    /// wgpu on its own device (a software adapter such as lavapipe will do), or nothing.
    Gpu,
}

/// The launcher the studio runs with: the runtime's preview worker, drawing with `renderer`.
pub fn runtime_launcher(renderer: RendererChoice) -> Launcher {
    Arc::new(move |request: &OpenRequest| {
        let cache = AssetCache::locate().map_err(|error| {
            format!("the face models are not set up: {error} (run `cargo xtask setup`)")
        })?;
        let settings = PreviewSettings::new(request.bundle.clone(), request.source.clone(), cache);
        let worker = PreviewWorker::spawn(settings, renderer_factory(renderer))
            .map_err(|error| error.to_string())?;
        Ok(Box::new(RuntimePreview {
            worker,
            state: RefCell::new(BridgeState::default()),
        }) as Box<dyn PreviewPort>)
    })
}

fn renderer_factory(choice: RendererChoice) -> RendererFactory {
    Box::new(move || -> Result<Box<dyn Renderer>, RenderError> {
        Ok(match choice {
            RendererChoice::Cpu => Box::new(CpuRenderer::default()),
            RendererChoice::Gpu => Box::new(GpuRenderer::new()?),
            RendererChoice::Auto => match GpuRenderer::new() {
                Ok(gpu) => Box::new(gpu),
                Err(error) => {
                    eprintln!("lensmith-studio: drawing with the CPU renderer: {error}");
                    Box::new(CpuRenderer::default())
                }
            },
        })
    })
}

/// What the bridge learns from the events to make sense of the frames.
#[derive(Debug, Default)]
struct BridgeState {
    layers: Vec<String>,
    /// The trigger rules' names, by position (events carry the position).
    rules: Vec<String>,
    fps: f64,
    /// The source pixels last shown and their handle: a still's frame is the same buffer
    /// every time, so it is uploaded once.
    last_source: Option<(Arc<Vec<u8>>, PreviewImage)>,
}

struct RuntimePreview {
    worker: PreviewWorker,
    state: RefCell<BridgeState>,
}

impl PreviewPort for RuntimePreview {
    fn send(&self, command: PreviewCommand) {
        self.worker.send(command);
    }

    fn latest_frame(&self) -> Option<FrameUpdate> {
        let frame = self.worker.latest_frame()?;
        Some(self.state.borrow_mut().frame_update(frame))
    }

    fn try_event(&self) -> Option<PreviewEvent> {
        let event = self.worker.try_event()?;
        let mut state = self.state.borrow_mut();
        match &event {
            PreviewEvent::Opened {
                manifest,
                layers,
                frame_rate,
                ..
            } => {
                state.layers.clone_from(layers);
                state.rules = rule_names(manifest);
                state.fps = *frame_rate;
            }
            PreviewEvent::Reloaded {
                manifest, layers, ..
            } => {
                state.layers.clone_from(layers);
                state.rules = rule_names(manifest);
            }
            _ => {}
        }
        Some(event)
    }
}

fn rule_names(manifest: &Manifest) -> Vec<String> {
    manifest
        .triggers
        .iter()
        .map(|rule| rule.name.clone())
        .collect()
}

impl BridgeState {
    fn frame_update(&mut self, frame: PreviewFrame) -> FrameUpdate {
        let (width, height) = (frame.width, frame.height);
        let source = match &self.last_source {
            Some((pixels, image)) if Arc::ptr_eq(pixels, &frame.source_rgba) => image.clone(),
            _ => {
                let pixels = bytes::Bytes::from_owner(SharedPixels(frame.source_rgba.clone()));
                let image = PreviewImage::from_rgba(width, height, pixels);
                self.last_source = Some((frame.source_rgba.clone(), image.clone()));
                image
            }
        };
        FrameUpdate {
            index: frame.index,
            generation: frame.generation,
            time_s: if self.fps > 0.0 {
                frame.index as f64 / self.fps
            } else {
                0.0
            },
            rendered: PreviewImage::from_rgba(width, height, frame.rendered_rgba),
            source,
            times: stage_times(&frame.stats, &self.layers),
            faces: frame.snapshot.faces.iter().map(face_overlay).collect(),
            events: frame
                .snapshot
                .events
                .iter()
                .filter(|event| event.phase != TriggerPhase::Active)
                .filter_map(|event| {
                    Some(TriggerNotice {
                        rule: self.rules.get(event.rule as usize)?.clone(),
                        face_id: event.face_id,
                        phase: event.phase,
                    })
                })
                .collect(),
        }
    }
}

/// Shares the worker's source pixels with iced without copying them.
struct SharedPixels(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedPixels {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The frame's stages in pipeline order, each layer by name.
pub fn stage_times(stats: &FrameStats, layers: &[String]) -> StageTimes {
    let pipeline = &stats.pipeline;
    let mut stages = vec![
        ("detect".to_owned(), pipeline.tracking.detect_ms),
        ("landmarks".to_owned(), pipeline.tracking.landmarks_ms),
        ("smoothing".to_owned(), pipeline.tracking.smoothing_ms),
        ("crop".to_owned(), pipeline.crop_ms),
        ("pose".to_owned(), pipeline.pose_ms),
        ("eyes".to_owned(), pipeline.eyes_ms),
        ("expressions".to_owned(), pipeline.expressions_ms),
    ];
    for (index, ms) in stats.layers_ms.iter().enumerate() {
        let name = layers
            .get(index)
            .map_or_else(|| format!("#{index}"), Clone::clone);
        stages.push((format!("layer {name}"), *ms));
    }
    stages.push(("render".to_owned(), stats.render_ms));
    StageTimes {
        stages,
        total_ms: stats.total_ms,
        faces: stats.faces,
    }
}

/// How long to draw the pose's axes: 6 cm of the canonical face.
const AXIS_CM: f32 = 6.0;

fn face_overlay(face: &FaceSnapshot) -> FaceOverlay {
    let crop_corners = face.crop.map(|crop| {
        let side = crop.side as f32;
        [(0.0, 0.0), (side, 0.0), (side, side), (0.0, side)].map(|(x, y)| {
            let point = crop.crop_to_frame(effect_api::Point2 { x, y });
            [point.x, point.y]
        })
    });
    let pose = face.pose.as_ref().map(|pose| {
        let origin = [pose.translation[0], pose.translation[1]];
        let length = pose.scale * AXIS_CM;
        // The rotation's columns are the face's axes in the camera's frame (y up); the
        // image's y runs down.
        let axes = [0, 1, 2].map(|axis| {
            [
                origin[0] + pose.rotation[0][axis] * length,
                origin[1] - pose.rotation[1][axis] * length,
            ]
        });
        PoseOverlay {
            yaw: pose.yaw,
            pitch: pose.pitch,
            roll: pose.roll,
            origin,
            axes,
        }
    });
    let scores = face
        .scores
        .map(|scores| {
            effect_api::Expression::ALL
                .iter()
                .map(|expression| (expression.name().to_owned(), scores.get(*expression)))
                .collect()
        })
        .unwrap_or_default();
    FaceOverlay {
        id: face.id,
        landmarks: face
            .landmarks
            .iter()
            .map(|point| [point[0], point[1]])
            .collect(),
        crop_corners,
        pose,
        scores,
        triggers_on: face.triggers_on.clone(),
    }
}
