//! The live face pipeline as one stage: track faces → stable crop → head pose → eyes
//! refined by the eye model → expressions → trigger rules, per frame, with each stage's
//! time. What the effect player, `lensmith track` and benchmarks run; the per-face results
//! are borrowed from the stages, so nothing is copied or allocated per frame once warm.

use std::time::Instant;

use effect_api::{ExpressionScores, FrameView, TriggerEvent, TriggerPhase, TriggerRule};

use crate::detection::DetectorRange;
use crate::expressions::{ExpressionAnalyzer, ExpressionSettings, FaceExpressions, FaceMetrics};
use crate::eyes::{EyeRefiner, RefinedEye, landmarks_with_irises};
use crate::face_crop::{CropError, CropSettings, CropTransform, FaceCrop, FaceCropper};
use crate::models::{AssetCache, ModelError, ModelOptions};
use crate::pose::{CanonicalFace, GeometryError, HeadPose, PoseEstimator};
use crate::tracking::{FaceTracker, StageTimings, TrackedFace, TrackerSettings};
use crate::triggers::{FaceSignals, TriggerEngine};

/// How the pipeline runs.
#[derive(Debug, Clone)]
pub struct FacePipelineSettings {
    /// Detection and landmark tracking.
    pub tracker: TrackerSettings,
    /// The stable face crop.
    pub crop: CropSettings,
    /// Expression scoring.
    pub expressions: ExpressionSettings,
    /// Refine each face's eyes with the eye model from the first frame (the gaze scores
    /// and the refined lids; blinks are read from the mesh either way); without it, the
    /// gaze scores stay 0. The model is loaded with the pipeline where this is on, else on
    /// the first frame after [`FacePipeline::set_refine_eyes`] turns the refinement on.
    pub refine_eyes: bool,
    /// Every frame is an unrelated still: all state is forgotten between frames.
    pub still_images: bool,
}

impl FacePipelineSettings {
    /// For video: tracking from frame to frame, smoothing, adapting baselines.
    pub fn video(max_faces: usize) -> Self {
        Self {
            tracker: TrackerSettings {
                max_faces: max_faces.max(1),
                ..TrackerSettings::default()
            },
            crop: CropSettings::default(),
            expressions: ExpressionSettings::default(),
            refine_eyes: true,
            still_images: false,
        }
    }

    /// For unrelated stills: detect afresh every frame, no smoothing.
    pub fn still_images(max_faces: usize) -> Self {
        Self {
            tracker: TrackerSettings {
                max_faces: max_faces.max(1),
                ..TrackerSettings::still_images()
            },
            crop: CropSettings {
                smoothing: None,
                ..CropSettings::default()
            },
            expressions: ExpressionSettings::still_images(),
            refine_eyes: true,
            still_images: true,
        }
    }

    /// These settings with the faces found by `range`'s detector (the full-range one finds
    /// faces down to about 5% of the frame's width).
    pub fn with_detector_range(mut self, range: DetectorRange) -> Self {
        self.tracker.detector.range = range;
        self
    }
}

/// Why the pipeline could not start or process a frame.
#[derive(Debug, thiserror::Error)]
pub enum FacePipelineError {
    /// A face model failed to load or run.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The canonical face geometry could not be read.
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// The crop settings are unusable.
    #[error(transparent)]
    Crop(#[from] CropError),
}

/// Milliseconds each stage took for one frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FacePipelineTimings {
    /// Detection, landmarks and smoothing, as the tracker reports them.
    pub tracking: StageTimings,
    /// The stable crops.
    pub crop_ms: f64,
    /// Head poses.
    pub pose_ms: f64,
    /// The eye model on every face's eyes.
    pub eyes_ms: f64,
    /// Expression scores and trigger rules.
    pub expressions_ms: f64,
}

impl FacePipelineTimings {
    /// The whole pipeline.
    pub fn total_ms(&self) -> f64 {
        self.tracking.total_ms + self.crop_ms + self.pose_ms + self.eyes_ms + self.expressions_ms
    }
}

/// Runs the face stages over successive frames.
pub struct FacePipeline {
    settings: FacePipelineSettings,
    tracker: FaceTracker,
    cropper: FaceCropper,
    pose: PoseEstimator,
    poses: Vec<Option<HeadPose>>,
    /// Where the face models come from: the eye model is loaded from here when first
    /// needed.
    cache: AssetCache,
    /// The eye model's two sessions, once some frame has needed them.
    eye_refiner: Option<EyeRefiner>,
    refining_eyes: bool,
    eyes: Vec<[Option<RefinedEye>; 2]>,
    /// Per face, its mesh with the irises appended (kept between frames for the buffers).
    landmarks_with_irises: Vec<Vec<[f32; 3]>>,
    analyzer: ExpressionAnalyzer,
    triggers: TriggerEngine,
    canonical: CanonicalFace,
}

impl std::fmt::Debug for FacePipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FacePipeline")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn milliseconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

impl FacePipeline {
    /// Loads the face models and the canonical face from `cache`; `rules` are the trigger
    /// rules to run (checked by whoever read them).
    pub fn load(
        cache: &AssetCache,
        options: ModelOptions,
        settings: FacePipelineSettings,
        rules: Vec<TriggerRule>,
    ) -> Result<Self, FacePipelineError> {
        let tracker = FaceTracker::load(cache, options, settings.tracker)?;
        let canonical = CanonicalFace::load(&cache.face_geometry()?)?;
        let eye_refiner = if settings.refine_eyes {
            Some(EyeRefiner::load(cache)?)
        } else {
            None
        };
        Ok(Self {
            cropper: FaceCropper::new(settings.crop),
            analyzer: ExpressionAnalyzer::new(settings.expressions),
            pose: PoseEstimator::new(&canonical),
            poses: Vec::new(),
            refining_eyes: settings.refine_eyes,
            cache: cache.clone(),
            eye_refiner,
            eyes: Vec::new(),
            landmarks_with_irises: Vec::new(),
            triggers: TriggerEngine::new(rules),
            tracker,
            canonical,
            settings,
        })
    }

    /// The canonical face mesh (vertices, UVs, triangles) the pose is measured against.
    pub fn canonical_face(&self) -> &CanonicalFace {
        &self.canonical
    }

    /// The settings in use.
    pub fn settings(&self) -> &FacePipelineSettings {
        &self.settings
    }

    /// The trigger rules, in the order events refer to them.
    pub fn trigger_rules(&self) -> &[TriggerRule] {
        self.triggers.rules()
    }

    /// Replaces the trigger rules (a bundle was reloaded); every face's rule state restarts.
    pub fn set_trigger_rules(&mut self, rules: Vec<TriggerRule>) {
        self.triggers = TriggerEngine::new(rules);
    }

    /// Runs the eye model on every face from the next frame on, or stops (where nothing
    /// reads gaze, its time is saved and the gaze scores stay 0). The model is loaded on
    /// the next frame if it has not been yet: that frame's eye time includes the load, and
    /// an error loading it is that frame's.
    pub fn set_refine_eyes(&mut self, on: bool) {
        self.refining_eyes = on;
    }

    /// Whether the eye model runs on every face.
    pub fn refines_eyes(&self) -> bool {
        self.refining_eyes
    }

    /// Forgets every face (for a cut in the video).
    pub fn reset(&mut self) {
        self.tracker.reset();
        self.cropper.reset();
        self.analyzer.reset();
        self.triggers.reset();
    }

    /// Runs every stage on the next frame, taken at `time_s` seconds.
    pub fn process(
        &mut self,
        frame: FrameView<'_>,
        time_s: f64,
    ) -> Result<FaceFrame<'_>, FacePipelineError> {
        if self.settings.still_images {
            self.reset();
        }
        let tracked = self.tracker.process(frame, time_s)?;
        let crop_start = Instant::now();
        let crops = self.cropper.update(&tracked.faces, time_s)?;
        let crop_ms = milliseconds_since(crop_start);
        let pose_start = Instant::now();
        self.pose.estimate_all(&tracked.faces, &mut self.poses);
        let pose_ms = milliseconds_since(pose_start);
        let eyes_start = Instant::now();
        self.eyes.clear();
        if self.refining_eyes {
            let eye_refiner = match &mut self.eye_refiner {
                Some(loaded) => loaded,
                empty => empty.insert(EyeRefiner::load(&self.cache)?),
            };
            for face in &tracked.faces {
                self.eyes.push(eye_refiner.refine(frame, &face.landmarks)?);
            }
            let faces = tracked.faces.len();
            if self.landmarks_with_irises.len() < faces {
                self.landmarks_with_irises.resize_with(faces, Vec::new);
            }
            for ((face, eyes), out) in tracked
                .faces
                .iter()
                .zip(&self.eyes)
                .zip(&mut self.landmarks_with_irises)
            {
                landmarks_with_irises(&face.landmarks, eyes, out);
            }
        }
        let eyes_ms = milliseconds_since(eyes_start);
        let expressions_start = Instant::now();
        let expressions = self
            .analyzer
            .update(&tracked.faces, &self.poses, &self.eyes, time_s);
        let events = self
            .triggers
            .update(expressions.iter().map(FaceSignals::from), time_s);
        let expressions_ms = milliseconds_since(expressions_start);
        Ok(FaceFrame {
            faces: &tracked.faces,
            crops,
            poses: &self.poses,
            eyes: &self.eyes,
            landmarks_with_irises: &self.landmarks_with_irises,
            expressions,
            events,
            detector_ran: tracked.detector_ran,
            timings: FacePipelineTimings {
                tracking: tracked.timings,
                crop_ms,
                pose_ms,
                eyes_ms,
                expressions_ms,
            },
        })
    }
}

/// One frame's results, borrowed from the pipeline until its next frame.
#[derive(Debug, Clone, Copy)]
pub struct FaceFrame<'a> {
    faces: &'a [TrackedFace],
    crops: &'a [FaceCrop],
    poses: &'a [Option<HeadPose>],
    /// Per face (in order), its eyes; empty when eyes are not refined.
    eyes: &'a [[Option<RefinedEye>; 2]],
    /// Per face (in order, possibly more), its mesh and irises, where eyes are refined.
    landmarks_with_irises: &'a [Vec<[f32; 3]>],
    expressions: &'a [FaceExpressions],
    events: &'a [TriggerEvent],
    /// Whether the detector ran (tracking was lost or a new face was looked for).
    pub detector_ran: bool,
    /// Each stage's time.
    pub timings: FacePipelineTimings,
}

/// One face's results in one frame.
#[derive(Debug, Clone, Copy)]
pub struct FaceResult<'a> {
    /// The tracked face: id, score, 468 landmarks.
    pub tracked: &'a TrackedFace,
    /// Its landmarks: the 468 of the mesh, then, where the eyes were refined, both irises
    /// at 468–477 ([`effect_api::face_regions::LANDMARK_COUNT_WITH_IRISES`]).
    pub landmarks: &'a [[f32; 3]],
    /// Its stable crop, when one could be made.
    pub crop: Option<&'a CropTransform>,
    /// Its head pose, when it could be estimated.
    pub pose: Option<&'a HeadPose>,
    /// Its eyes refined by the eye model, image-left eye first, when refinement is on.
    pub eyes: Option<&'a [Option<RefinedEye>; 2]>,
    /// Its expression scores, when they could be measured.
    pub scores: Option<&'a ExpressionScores>,
    /// The measurements its expression scores came from (canonical centimetres and ratios).
    pub measurements: Option<&'a FaceMetrics>,
}

impl<'a> FaceFrame<'a> {
    /// The faces, in tracking order (the face tracked longest first).
    pub fn faces(&self) -> impl ExactSizeIterator<Item = FaceResult<'a>> + 'a {
        let (crops, expressions, eyes) = (self.crops, self.expressions, self.eyes);
        let with_irises = self.landmarks_with_irises;
        self.faces
            .iter()
            .zip(self.poses)
            .enumerate()
            .map(move |(index, (tracked, pose))| {
                let scored = expressions.iter().find(|found| found.face_id == tracked.id);
                FaceResult {
                    tracked,
                    landmarks: match eyes.get(index) {
                        Some(_) => &with_irises[index],
                        None => &tracked.landmarks,
                    },
                    crop: crops
                        .iter()
                        .find(|crop| crop.face_id == tracked.id)
                        .map(|crop| &crop.transform),
                    pose: pose.as_ref(),
                    eyes: eyes.get(index),
                    scores: scored.map(|found| &found.scores),
                    measurements: scored.map(|found| &found.metrics),
                }
            })
    }

    /// How many faces were found.
    pub fn face_count(&self) -> usize {
        self.faces.len()
    }

    /// This frame's trigger events (face found/lost included), face by face.
    pub fn events(&self) -> &'a [TriggerEvent] {
        self.events
    }

    /// Whether rule `rule` is on for face `face_id` this frame (it started or is active).
    pub fn trigger_on(&self, rule: u32, face_id: u32) -> bool {
        self.events.iter().any(|event| {
            event.rule == rule
                && event.face_id == face_id
                && matches!(event.phase, TriggerPhase::Started | TriggerPhase::Active)
        })
    }
}
