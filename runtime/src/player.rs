//! The effect player: a bundle made ready to play, then per frame: track faces →
//! expressions and triggers → each layer in order (shown, faded or hidden by its trigger,
//! with its live parameters) → one scene drawn by the chosen renderer, each stage timed.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use lensmith_runtime::models::AssetCache;
//! use lensmith_runtime::player::{EffectPlayer, PlayerOptions};
//! use lensmith_runtime::render::cpu::CpuRenderer;
//!
//! let cache = AssetCache::locate()?;
//! let options = PlayerOptions::default();
//! let mut player = EffectPlayer::open(
//!     "effects/face-paint".as_ref(), &cache, &options, Box::new(CpuRenderer::default()))?;
//! let mut frame = lensmith_runtime::image_io::read_rgb_frame("face.png".as_ref())?;
//! let stats = player.process(&mut frame, 0.0)?;
//! println!("{} faces, {:.1} ms", stats.faces, stats.total_ms);
//! # Ok(()) }
//! ```

mod face_mesh;
mod face_model;
mod face_settings;
mod feather;
mod live_controls;
mod loading;
mod paste_region;
mod plugin_layer;
mod reload;
mod snapshot;
mod stages;
mod sticker;

use std::path::{Path, PathBuf};
use std::time::Instant;

use effect_api::manifest::{FaceSelection, LutScope, Manifest};
use effect_api::{Diagnostic, Frame, TriggerMode, TriggerRule, TriggerSignal};

use crate::bundle::archive::{self, ArchiveLimits, BundleFiles};
use crate::bundle::{BundleError, validate_for};
use crate::detection::DetectorRange;
use crate::face_pipeline::{FacePipeline, FacePipelineError, FacePipelineTimings, FaceResult};
use crate::models::{AssetCache, ImageModelError, ModelError, ModelOptions};
use crate::plugin::{PluginCode, PluginError, PluginLog};
use crate::render::{DrawCommand, LutDraw, LutRegion, MeshDraw, RenderError, Renderer, Scene};

use loading::{LoadContext, load_layers};
use plugin_layer::PluginFrame;
pub use reload::ReloadReport;
pub use snapshot::{FaceSnapshot, FrameSnapshot};
use stages::{LayerRuntime, Stage};

/// How a player runs.
#[derive(Debug, Clone)]
pub struct PlayerOptions {
    /// Threads ONNX Runtime may use per model (face models and effect models).
    pub threads: usize,
    /// Most faces to track and draw on.
    pub max_faces: usize,
    /// Frames are unrelated stills: no tracking or smoothing from one to the next, and
    /// triggers show at once instead of fading.
    pub still_images: bool,
    /// Limits and the trusted signers for reading `.effect` archives.
    pub limits: ArchiveLimits,
    /// Whether plugin libraries may be loaded out of bundles, or only plugins linked into
    /// the program and registered played.
    pub plugin_code: PluginCode,
    /// Which of MediaPipe's detectors finds faces: the full-range one finds small faces
    /// (group photos, selfie sticks).
    pub detector_range: DetectorRange,
}

impl Default for PlayerOptions {
    fn default() -> Self {
        Self {
            threads: ModelOptions::default().intra_threads,
            max_faces: 1,
            still_images: false,
            limits: ArchiveLimits::default(),
            plugin_code: PluginCode::platform_default(),
            detector_range: DetectorRange::Short,
        }
    }
}

/// Why a bundle cannot be played, or a frame not drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    /// The bundle could not be read or verified.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The bundle has problems `lensmith validate` reports; each names its file and line.
    #[error("{label}: {} problem(s):\n{}", diagnostics.len(), render_diagnostics(diagnostics))]
    Invalid {
        /// The bundle.
        label: String,
        /// Every problem found.
        diagnostics: Vec<Diagnostic>,
    },
    /// An asset could not be used.
    #[error("{file}: {message}")]
    Asset {
        /// The file, with the bundle's label.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The bundle needs something this runtime does not have.
    #[error("{what}")]
    Unsupported {
        /// What, and why.
        what: String,
    },
    /// A face model or the ONNX Runtime library failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The face pipeline failed.
    #[error(transparent)]
    Pipeline(#[from] FacePipelineError),
    /// An effect's model failed on a frame.
    #[error("layer `{layer}`: {source}")]
    EffectModel {
        /// The layer.
        layer: String,
        /// What failed.
        source: ImageModelError,
    },
    /// The renderer failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A plugin library could not be loaded or was refused.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// A live parameter cannot be set.
    #[error("{0}")]
    Parameter(String),
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One frame's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameStats {
    /// Faces tracked.
    pub faces: usize,
    /// The face pipeline's stages.
    pub pipeline: FacePipelineTimings,
    /// Milliseconds each layer took to prepare its draws (a face model's inference
    /// included), in manifest order.
    pub layers_ms: Vec<f64>,
    /// Milliseconds the renderer took.
    pub render_ms: f64,
    /// The whole frame.
    pub total_ms: f64,
}

/// A bundle playing on a stream of frames.
pub struct EffectPlayer {
    manifest: Manifest,
    pipeline: FacePipeline,
    layers: Vec<LayerRuntime>,
    renderer: Box<dyn Renderer>,
    scene: Scene,
    stats: FrameStats,
    options: PlayerOptions,
    onnx_runtime: PathBuf,
    plugin_log: PluginLog,
    snapshot: Option<FrameSnapshot>,
}

impl std::fmt::Debug for EffectPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectPlayer")
            .field("effect", &self.manifest.effect.id)
            .field("renderer", &self.renderer.name())
            .finish_non_exhaustive()
    }
}

/// How messages name the bundle at `path`: `folder/` or `file.effect:`, so that a member's
/// path can follow.
pub fn bundle_label(path: &Path) -> String {
    if path.is_dir() {
        format!("{}/", path.display())
    } else {
        format!("{}:", path.display())
    }
}

/// Validates the bundle in full; its manifest, or every problem found.
fn validated_manifest(
    files: &BundleFiles,
    label: &str,
    onnx_runtime: &Path,
    plugin_code: PluginCode,
) -> Result<Manifest, PlayerError> {
    let report = validate_for(&files.files, label, Some(onnx_runtime), plugin_code);
    match report.manifest {
        Some(manifest) if report.diagnostics.is_empty() => Ok(manifest),
        _ => Err(PlayerError::Invalid {
            label: label.to_owned(),
            diagnostics: report.diagnostics,
        }),
    }
}

/// Reads a bundle folder or `.effect` file, verifying what it can.
pub fn read_bundle(path: &Path, limits: &ArchiveLimits) -> Result<BundleFiles, BundleError> {
    if path.is_dir() {
        archive::read_dir(path, limits)
    } else {
        archive::read(path, limits)
    }
}

impl EffectPlayer {
    /// Opens the bundle at `path` (a folder or a `.effect` file), validates it in full,
    /// loads the face models from `cache` and the bundle's assets into `renderer`.
    pub fn open(
        path: &Path,
        cache: &AssetCache,
        options: &PlayerOptions,
        renderer: Box<dyn Renderer>,
    ) -> Result<Self, PlayerError> {
        let files = read_bundle(path, &options.limits)?;
        Self::from_files(&files, &bundle_label(path), cache, options, renderer)
    }

    /// Plays bundle files already read (and verified) by the caller; `label` names the
    /// bundle in messages.
    pub fn from_files(
        files: &BundleFiles,
        label: &str,
        cache: &AssetCache,
        options: &PlayerOptions,
        mut renderer: Box<dyn Renderer>,
    ) -> Result<Self, PlayerError> {
        let onnx_runtime = cache.onnxruntime_library()?;
        let manifest = validated_manifest(files, label, &onnx_runtime, options.plugin_code)?;
        // Before the face models load: a plugin that cannot play here refuses at once.
        plugin_layer::check_playable(&manifest, label, options.plugin_code)?;
        let model_options = ModelOptions {
            intra_threads: options.threads.max(1),
        };
        let pipeline = FacePipeline::load(
            cache,
            model_options,
            face_settings::pipeline_settings(options, &manifest),
            manifest.triggers.clone(),
        )?;
        let plugin_log = PluginLog::default();
        let loaded = load_layers(
            &manifest,
            &LoadContext {
                files: &files.files,
                label,
                canonical: pipeline.canonical_face(),
                onnx_runtime: &onnx_runtime,
                model_options,
                still_images: options.still_images,
                plugin_log: &plugin_log,
                plugin_code: options.plugin_code,
            },
        )?;
        renderer.load_assets(&loaded.assets)?;
        Ok(Self {
            stats: FrameStats {
                layers_ms: vec![0.0; loaded.layers.len()],
                ..FrameStats::default()
            },
            manifest,
            pipeline,
            layers: loaded.layers,
            renderer,
            scene: Scene::default(),
            options: options.clone(),
            onnx_runtime,
            plugin_log,
            snapshot: None,
        })
    }

    /// The ONNX Runtime options the bundle's models run with.
    fn pipeline_model_options(&self) -> ModelOptions {
        ModelOptions {
            intra_threads: self.options.threads.max(1),
        }
    }

    /// The last frame's figures (all zero before the first frame).
    pub fn last_stats(&self) -> &FrameStats {
        &self.stats
    }

    /// The playing bundle's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The renderer's name, for reports.
    pub fn renderer_name(&self) -> String {
        self.renderer.name()
    }

    /// The layers' names, in the order of [`FrameStats::layers_ms`].
    pub fn layer_names(&self) -> impl Iterator<Item = &str> {
        self.layers.iter().map(|layer| layer.name.as_str())
    }

    /// The last frame's draws (for tools that inspect them).
    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// Keeps (or stops keeping) a copy of each frame's faces and trigger events, for
    /// [`EffectPlayer::snapshot`].
    pub fn keep_snapshots(&mut self, keep: bool) {
        self.snapshot = keep.then(FrameSnapshot::default);
    }

    /// The last frame's faces and events, when [`EffectPlayer::keep_snapshots`] asked.
    pub fn snapshot(&self) -> Option<&FrameSnapshot> {
        self.snapshot.as_ref()
    }

    /// The layers disabled because their plugin failed or panicked, with the error.
    pub fn layer_failures(&self) -> impl Iterator<Item = (&str, &PluginError)> {
        self.layers.iter().filter_map(|layer| match &layer.stage {
            Stage::Plugin(stage) => stage
                .failure
                .as_ref()
                .map(|failure| (layer.name.as_str(), failure)),
            _ => None,
        })
    }

    /// What the bundle's plugins logged (the newest messages; take them with `drain`).
    pub fn plugin_log(&self) -> &PluginLog {
        &self.plugin_log
    }

    /// Forgets every face (for a cut in the video).
    pub fn reset(&mut self) {
        self.pipeline.reset();
    }

    /// Plays the effect on `frame` (taken at `time_s` seconds, increasing) in place and
    /// returns the frame's figures.
    pub fn process(&mut self, frame: &mut Frame, time_s: f64) -> Result<&FrameStats, PlayerError> {
        let started = Instant::now();
        let still_images = self.options.still_images;
        let faces = self.pipeline.process(frame.view(), time_s)?;
        if let Some(snapshot) = &mut self.snapshot {
            snapshot.capture(&faces, &self.manifest.triggers);
        }
        self.scene.clear();
        self.stats.render_ms = 0.0;
        let first_face = faces.faces().map(|face| face.tracked.id).min();
        for (index, layer) in self.layers.iter_mut().enumerate() {
            if !layer.enabled {
                self.stats.layers_ms[index] = 0.0;
                continue;
            }
            let layer_start = Instant::now();
            let step = layer.visibility.begin_frame(time_s, still_images);
            if let Stage::Sticker(stage) = &mut layer.stage {
                stage.begin_frame();
            }
            let mut flush_ms = 0.0;
            if let Stage::Plugin(stage) = &mut layer.stage {
                // A plugin sees the frame with every layer below it drawn.
                if !self.scene.commands.is_empty() {
                    let render_start = Instant::now();
                    self.renderer.render(frame, &self.scene)?;
                    flush_ms = render_start.elapsed().as_secs_f64() * 1e3;
                    self.stats.render_ms += flush_ms;
                    self.scene.clear();
                }
                let context = PluginFrame {
                    faces: &faces,
                    rules: &self.manifest.triggers,
                    time_s,
                    still_image: still_images,
                };
                stage.play(frame, &context, layer.trigger, &mut layer.visibility, step);
            } else if layer.stage.is_frame_wide() {
                let on = match layer.trigger {
                    None => true,
                    Some(rule) => faces
                        .faces()
                        .any(|face| faces.trigger_on(rule, face.tracked.id)),
                };
                let shown = match layer
                    .trigger
                    .is_some_and(|rule| is_momentary(&self.manifest.triggers, rule))
                {
                    true => layer
                        .visibility
                        .update_momentary(u32::MAX, on, time_s, step),
                    false => layer.visibility.update(u32::MAX, on, step),
                };
                if shown > 0.0 {
                    draw_frame_wide(layer, shown, &mut self.scene);
                }
            } else {
                let momentary = layer
                    .trigger
                    .is_some_and(|rule| is_momentary(&self.manifest.triggers, rule));
                for face in faces.faces() {
                    let selected = match layer.stage.faces() {
                        FaceSelection::All => true,
                        FaceSelection::First => Some(face.tracked.id) == first_face,
                    };
                    if !selected {
                        continue;
                    }
                    let on = layer
                        .trigger
                        .is_none_or(|rule| faces.trigger_on(rule, face.tracked.id));
                    let id = face.tracked.id;
                    let shown = match momentary {
                        true => layer.visibility.update_momentary(id, on, time_s, step),
                        false => layer.visibility.update(id, on, step),
                    };
                    if shown > 0.0 {
                        draw_face(layer, &face, shown, frame, time_s, &mut self.scene)?;
                    }
                }
            }
            layer.visibility.end_frame();
            if let Stage::Sticker(stage) = &mut layer.stage {
                stage.end_frame();
            }
            // A plugin layer's time is its own work, not the drawing flushed before it.
            self.stats.layers_ms[index] = layer_start.elapsed().as_secs_f64() * 1e3 - flush_ms;
        }
        self.stats.faces = faces.face_count();
        self.stats.pipeline = faces.timings;
        let render_start = Instant::now();
        self.renderer.render(frame, &self.scene)?;
        self.stats.render_ms += render_start.elapsed().as_secs_f64() * 1e3;
        self.stats.total_ms = started.elapsed().as_secs_f64() * 1e3;
        Ok(&self.stats)
    }
}

/// Whether rule `rule` of `rules` is on for single frames only: a `once` rule, or the
/// `face_found` event (its layers then show for a moment, see
/// [`stages::Visibility::update_momentary`]).
fn is_momentary(rules: &[TriggerRule], rule: u32) -> bool {
    rules
        .get(rule as usize)
        .is_some_and(|rule| rule.mode == TriggerMode::Once || rule.when == TriggerSignal::FaceFound)
}

/// A frame-wide layer's draw (a LUT over the whole frame).
fn draw_frame_wide(layer: &LayerRuntime, shown: f32, scene: &mut Scene) {
    if let Stage::Lut(stage) = &layer.stage {
        scene.commands.push(DrawCommand::Lut(LutDraw {
            lut: stage.lut,
            region: LutRegion::Frame,
            strength: layer.live("strength") * shown,
        }));
    }
}

/// One face's draws for one layer; `shown` (0..=1) is how far its trigger has faded it in.
fn draw_face(
    layer: &mut LayerRuntime,
    face: &FaceResult<'_>,
    shown: f32,
    frame: &Frame,
    time_s: f64,
    scene: &mut Scene,
) -> Result<(), PlayerError> {
    let landmarks = face.tracked.landmarks.as_slice();
    let height = frame.height();
    let (opacity, feather, scale, rotation) = (
        layer.live("opacity") * shown,
        layer.live("feather"),
        layer.live("scale"),
        layer.live("rotation_deg"),
    );
    let strength = layer.live("strength") * shown;
    match &mut layer.stage {
        Stage::FaceModel(stage) => {
            let Some(crop) = face.crop else {
                return Ok(());
            };
            stage
                .draw_face(frame.view(), crop, landmarks, opacity, feather, scene)
                .map_err(|source| PlayerError::EffectModel {
                    layer: layer.name.clone(),
                    source,
                })?;
        }
        Stage::Mask(stage) => {
            let vertices = scene.push_vertices(face_mesh::vertices(
                landmarks,
                &stage.uvs,
                &stage.alpha,
                height,
            ));
            scene.commands.push(DrawCommand::Mesh(MeshDraw {
                topology: stage.topology,
                vertices,
                texture: stage.texture,
                blend: stage.layer.blend,
                opacity,
            }));
        }
        Stage::Sticker(stage) => {
            stage.draw_face(
                face.tracked.id,
                // With the irises where they were refined: a sticker may be pinned to them.
                face.landmarks,
                time_s,
                (opacity, scale, rotation),
                scene,
            );
        }
        Stage::Lut(stage) => {
            debug_assert_eq!(stage.layer.scope, LutScope::Face);
            let vertices = scene.push_vertices(face_mesh::vertices(
                landmarks,
                &stage.uvs,
                &stage.alpha,
                height,
            ));
            scene.commands.push(DrawCommand::Lut(LutDraw {
                lut: stage.lut,
                region: LutRegion::Mesh {
                    topology: stage.topology,
                    vertices,
                },
                strength,
            }));
        }
        // Played by `PluginStage::play`, never drawn through the scene.
        Stage::Plugin(_) => {}
    }
    Ok(())
}
