//! The JSON `lensmith track --json` writes: per frame, each face's id, score, box,
//! landmarks, pose, face crop, refined eyes and expression scores, the frame's trigger
//! events and its per-stage timings.

use effect_api::{ExpressionScores, TriggerEvent, TriggerPhase, TriggerRule};
use lensmith_runtime::expressions::FaceMetrics;
use lensmith_runtime::eyes::{IRIS_POINTS, RefinedEye};
use lensmith_runtime::face_pipeline::FaceResult;
use serde::Serialize;

/// The whole report.
#[derive(Serialize)]
pub struct Report {
    pub source: String,
    pub width: u32,
    pub height: u32,
    /// The trigger rules' names, in the order events refer to them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trigger_rules: Vec<String>,
    pub frames: Vec<FrameReport>,
}

#[derive(Serialize)]
pub struct FrameReport {
    pub index: u64,
    pub name: String,
    pub time_s: f64,
    pub faces: Vec<FaceReport>,
    /// Faces that appeared or disappeared in this frame.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub face_events: Vec<FaceEvent>,
    /// Trigger events of this frame, present when a rule file was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triggers: Option<Vec<TriggerReport>>,
    pub timings_ms: Timings,
}

#[derive(Serialize)]
pub struct PoseReport {
    yaw: f32,
    pitch: f32,
    roll: f32,
}

/// The stable face crop: a `side`×`side` square centred on `center`, `size` frame pixels
/// wide, turned by `rotation_deg` (clockwise on screen), and the matrix taking crop pixels
/// to frame pixels.
#[derive(Serialize)]
pub struct CropReport {
    center: [f32; 2],
    size: f32,
    rotation_deg: f32,
    side: u32,
    crop_to_frame: [[f32; 3]; 2],
}

#[derive(Serialize)]
pub struct FaceReport {
    id: u32,
    score: f32,
    #[serde(rename = "box")]
    bounds: [f32; 4],
    landmarks: Vec<[f32; 3]>,
    pose: Option<PoseReport>,
    crop: Option<CropReport>,
    /// Image-left eye first; absent when eyes are not refined.
    #[serde(skip_serializing_if = "Option::is_none")]
    eyes: Option<[Option<EyeReport>; 2]>,
    expressions: Option<ExpressionScores>,
    /// What the expression scores were measured from, in the canonical face's centimetres
    /// (eye openness: lid gap over eye width), for judging thresholds.
    measurements: Option<FaceMetrics>,
}

/// One eye as the eye model refined it: the iris (centre, then four edge points, frame
/// pixels), the refined lids' openness over the eye's width, and the iris's offset from
/// the eye's middle over its width (along the corner line towards the image's right, and
/// across it down the face).
#[derive(Serialize)]
pub struct EyeReport {
    iris: [[f32; 3]; IRIS_POINTS],
    openness: f32,
    gaze: [f32; 2],
}

impl From<&RefinedEye> for EyeReport {
    fn from(eye: &RefinedEye) -> Self {
        Self {
            iris: eye.iris,
            openness: eye.measures.openness,
            gaze: [eye.measures.gaze_x, eye.measures.gaze_y],
        }
    }
}

/// A face appearing (`face_found`: a new id) or disappearing (`face_lost`).
#[derive(Serialize)]
pub struct FaceEvent {
    pub face_id: u32,
    pub event: &'static str,
}

/// The face events between the ids of the previous frame and of this one.
pub fn face_events(previous: &[u32], current: &[u32]) -> Vec<FaceEvent> {
    let found = current
        .iter()
        .filter(|id| !previous.contains(id))
        .map(|&face_id| FaceEvent {
            face_id,
            event: "face_found",
        });
    let lost = previous
        .iter()
        .filter(|id| !current.contains(id))
        .map(|&face_id| FaceEvent {
            face_id,
            event: "face_lost",
        });
    found.chain(lost).collect()
}

#[derive(Serialize)]
pub struct TriggerReport {
    rule: String,
    face_id: u32,
    phase: TriggerPhase,
    time_s: f64,
}

#[derive(Serialize, Default)]
pub struct Timings {
    pub decode: f64,
    pub detect: f64,
    pub landmarks: f64,
    pub smoothing: f64,
    pub crop: f64,
    pub pose: f64,
    pub eyes: f64,
    pub expressions: f64,
    pub total: f64,
}

/// One face's entry from everything the pipeline found for it.
pub fn face_report(found: &FaceResult<'_>) -> FaceReport {
    let (face, pose, crop) = (found.tracked, found.pose, found.crop);
    let bounds = face.bounds();
    FaceReport {
        id: face.id,
        score: face.score,
        bounds: [bounds.x, bounds.y, bounds.width, bounds.height],
        landmarks: face.landmarks.clone(),
        pose: pose.map(|pose| PoseReport {
            yaw: pose.yaw,
            pitch: pose.pitch,
            roll: pose.roll,
        }),
        crop: crop.map(|transform| CropReport {
            center: [transform.center.x, transform.center.y],
            size: transform.scale * transform.side as f32,
            rotation_deg: transform.rotation.to_degrees(),
            side: transform.side,
            crop_to_frame: transform.crop_to_frame_matrix(),
        }),
        eyes: found
            .eyes
            .map(|eyes| eyes.each_ref().map(|eye| eye.as_ref().map(EyeReport::from))),
        expressions: found.scores.copied(),
        measurements: found.measurements.copied(),
    }
}

/// One trigger event, with its rule named.
pub fn trigger_report(event: &TriggerEvent, rules: &[TriggerRule]) -> TriggerReport {
    TriggerReport {
        rule: rules
            .get(event.rule as usize)
            .map_or_else(|| format!("#{}", event.rule), |rule| rule.name.clone()),
        face_id: event.face_id,
        phase: event.phase,
        time_s: event.time_s,
    }
}
