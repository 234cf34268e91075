//! Face tracking as MediaPipe's face-landmark front graph does it: the detector finds
//! faces only while fewer than `max_faces` are tracked; each tracked face's next region
//! comes from its current mesh; a face whose mesh loses confidence is dropped. Each face
//! keeps a stable id, and its landmarks are smoothed over time.
//!
//! A face the detector has just found is confirmed before it is reported: the mesh is run
//! again from the region its own points give, and a true face's mesh stays where it is,
//! while a mesh the model spread over something else (a face and a shoulder, two faces)
//! moves. A mesh that has not settled after a few runs is dropped, not reported.

use std::time::Instant;

use effect_api::{FrameView, Point2, Rect};

use crate::detection::{DetectorSettings, FaceDetector};
use crate::landmarks::{FaceRoi, LandmarkModel};
use crate::models::{AssetCache, Model, ModelError, ModelKind, ModelOptions};
use crate::smoothing::{LandmarkSmoother, SmoothingSettings};

/// The default [`TrackerSettings::max_new_mesh_change`]. Chosen on the photos of the
/// training people: meshes started from the detector's and from displaced regions, of
/// which those that landed on the face moved by at most 0.104 (99th percentile) and those
/// that landed elsewhere by 0.11 (median).
pub const DEFAULT_MAX_NEW_MESH_CHANGE: f32 = 0.10;
/// Runs of the mesh from its own region that a new face gets to settle.
pub const SETTLING_RUNS: usize = 2;

/// What may be tuned in tracking, live.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackerSettings {
    /// Most faces tracked at once.
    pub max_faces: usize,
    /// While fewer than `max_faces` are tracked (but at least one), run the detector every
    /// this many frames to look for more; with none tracked it runs every frame.
    pub detection_interval: u32,
    /// A face whose mesh presence falls below this is dropped.
    pub min_presence: f32,
    /// A newly detected face is kept only once its mesh, run again from its own region,
    /// moves by at most this (mean point move over the mesh's size) within
    /// [`SETTLING_RUNS`] runs; `None` keeps every new face whose presence is high enough.
    pub max_new_mesh_change: Option<f32>,
    /// Regions overlapping a tracked face's region by more than this IoU are the same face.
    pub same_face_iou: f32,
    /// Detector settings.
    pub detector: DetectorSettings,
    /// Landmark smoothing; `None` for still images or raw output.
    pub smoothing: Option<SmoothingSettings>,
}

impl Default for TrackerSettings {
    fn default() -> Self {
        Self {
            max_faces: 1,
            detection_interval: 5,
            min_presence: 0.5,
            max_new_mesh_change: Some(DEFAULT_MAX_NEW_MESH_CHANGE),
            same_face_iou: 0.5,
            detector: DetectorSettings::default(),
            smoothing: Some(SmoothingSettings::default()),
        }
    }
}

impl TrackerSettings {
    /// Settings for unrelated still images: no smoothing.
    pub fn still_images() -> Self {
        Self {
            smoothing: None,
            ..Self::default()
        }
    }
}

/// One tracked face in one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedFace {
    /// Stable id: the same face keeps it from frame to frame.
    pub id: u32,
    /// Mesh presence score, 0..1.
    pub score: f32,
    /// The 468 landmarks, x and y in frame pixels, z in the same scale (smoothed when enabled).
    pub landmarks: Vec<[f32; 3]>,
    /// The region the mesh was computed in.
    pub roi: FaceRoi,
}

impl TrackedFace {
    /// The (x, y) of one landmark.
    pub fn point(&self, index: usize) -> Option<Point2> {
        self.landmarks
            .get(index)
            .map(|&[x, y, _]| Point2::new(x, y))
    }

    /// The axis-aligned box around the landmarks.
    pub fn bounds(&self) -> Rect {
        crate::landmarks::bounds(&self.landmarks)
    }
}

/// Time each stage took for one frame, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimings {
    /// Face detection (zero when it did not run).
    pub detect_ms: f64,
    /// Mesh inference for every face, with its pre- and post-processing.
    pub landmarks_ms: f64,
    /// Landmark smoothing.
    pub smoothing_ms: f64,
    /// The whole `process` call.
    pub total_ms: f64,
}

/// What tracking found in one frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackedFrame {
    /// Faces, in id order.
    pub faces: Vec<TrackedFace>,
    /// Per-stage times.
    pub timings: StageTimings,
    /// Whether the detector ran on this frame.
    pub detector_ran: bool,
}

#[derive(Debug)]
struct Track {
    id: u32,
    roi: FaceRoi,
    smoother: LandmarkSmoother,
    /// Its mesh has settled (see [`TrackerSettings::max_new_mesh_change`]).
    settled: bool,
}

/// Tracks faces across frames. On frames where the detector does not run, tracking
/// allocates nothing on the Rust side once warm: the result and every face's landmarks
/// live in buffers reused from frame to frame.
#[derive(Debug)]
pub struct FaceTracker {
    detector: FaceDetector,
    landmarks: LandmarkModel,
    settings: TrackerSettings,
    tracks: Vec<Track>,
    next_id: u32,
    frames_since_detection: u32,
    result: TrackedFrame,
    /// The previous run's points while a new face settles.
    settling_points: Vec<[f32; 3]>,
}

fn milliseconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

impl FaceTracker {
    /// A tracker with both models loaded from `cache`.
    pub fn load(
        cache: &AssetCache,
        options: ModelOptions,
        settings: TrackerSettings,
    ) -> Result<Self, ModelError> {
        let detector = FaceDetector::new(
            Model::load(cache, settings.detector.range.model_kind(), options)?,
            settings.detector,
        )?;
        let landmarks = LandmarkModel::new(Model::load(cache, ModelKind::FaceLandmarks, options)?)?;
        Ok(Self::new(detector, landmarks, settings))
    }

    /// A tracker from loaded models.
    pub fn new(
        detector: FaceDetector,
        landmarks: LandmarkModel,
        settings: TrackerSettings,
    ) -> Self {
        Self {
            detector,
            landmarks,
            settings,
            tracks: Vec::new(),
            next_id: 0,
            frames_since_detection: 0,
            result: TrackedFrame::default(),
            settling_points: Vec::new(),
        }
    }

    /// Changes the settings from the next frame on.
    pub fn set_settings(&mut self, settings: TrackerSettings) {
        self.detector.set_settings(settings.detector);
        self.settings = settings;
    }

    /// Forgets every tracked face and restarts ids at 0 (for a cut in the video, or
    /// unrelated stills).
    pub fn reset(&mut self) {
        self.tracks.clear();
        self.next_id = 0;
        self.frames_since_detection = 0;
    }

    /// Tracks faces in the next frame, taken at `time_s` seconds (which should increase).
    /// The result lives in the tracker until the next call; clone what must outlive it.
    pub fn process(
        &mut self,
        frame: FrameView<'_>,
        time_s: f64,
    ) -> Result<&TrackedFrame, ModelError> {
        let started = Instant::now();
        let mut timings = StageTimings::default();
        let max_faces = self.settings.max_faces.max(1);

        let wants_more = self.tracks.len() < max_faces;
        let detector_due = self.tracks.is_empty()
            || self.frames_since_detection + 1 >= self.settings.detection_interval.max(1);
        let detector_ran = wants_more && detector_due;
        if detector_ran {
            let detect_start = Instant::now();
            self.add_tracks_from_detections(frame)?;
            timings.detect_ms = milliseconds_since(detect_start);
            self.frames_since_detection = 0;
        } else {
            self.frames_since_detection = self.frames_since_detection.saturating_add(1);
        }

        // Tracks before `kept` have been updated for this frame and survive it.
        let mut kept = 0;
        while kept < self.tracks.len() {
            let landmarks_start = Instant::now();
            if !self.tracks[kept].settled {
                let settled = self.settled_region(frame, self.tracks[kept].roi)?;
                let Some(roi) = settled else {
                    timings.landmarks_ms += milliseconds_since(landmarks_start);
                    self.tracks.remove(kept);
                    continue;
                };
                self.tracks[kept].roi = roi;
                self.tracks[kept].settled = true;
            }
            let mesh = self.landmarks.run(frame, &self.tracks[kept].roi)?;
            timings.landmarks_ms += milliseconds_since(landmarks_start);
            let next_roi = FaceRoi::from_landmarks(&mesh.points)
                .filter(|_| mesh.presence >= self.settings.min_presence);
            // Two tracks that drifted onto one face: keep the older id.
            let same_face_iou = self.settings.same_face_iou;
            let next_roi = next_roi.filter(|next| {
                !self.tracks[..kept].iter().any(|other| {
                    other.roi.bounding_rect().iou(&next.bounding_rect()) > same_face_iou
                })
            });
            let Some(next_roi) = next_roi else {
                // Lost (the detector will look for it again) or a duplicate.
                self.tracks.remove(kept);
                continue;
            };
            let track = &mut self.tracks[kept];
            if kept == self.result.faces.len() {
                self.result.faces.push(TrackedFace {
                    id: track.id,
                    score: 0.0,
                    landmarks: Vec::with_capacity(mesh.points.len()),
                    roi: mesh.roi,
                });
            }
            let face = &mut self.result.faces[kept];
            face.id = track.id;
            face.score = mesh.presence;
            face.roi = mesh.roi;
            face.landmarks.clear();
            face.landmarks.extend_from_slice(&mesh.points);
            if let Some(smoothing) = &self.settings.smoothing {
                let smoothing_start = Instant::now();
                track
                    .smoother
                    .smooth(&mut face.landmarks, time_s, mesh.roi.face_size(), smoothing);
                timings.smoothing_ms += milliseconds_since(smoothing_start);
            }
            // The next region follows the raw mesh, as MediaPipe's does: smoothing would
            // make the region lag behind a moving face.
            track.roi = next_roi;
            kept += 1;
        }
        self.result.faces.truncate(kept);
        timings.total_ms = milliseconds_since(started);
        self.result.timings = timings;
        self.result.detector_ran = detector_ran;
        Ok(&self.result)
    }

    /// Where a new face's mesh settles, starting from `roi`: the region a mesh's own points
    /// give, once the mesh run there moved by at most the allowed change from the mesh it
    /// came from; `None` when it keeps moving for [`SETTLING_RUNS`] runs. The face is then
    /// reported from that region, as the next video frame would be, so a still's mesh does
    /// not hang on the detector's box. A mesh below the presence threshold is handed back
    /// as it is, for the caller to drop.
    fn settled_region(
        &mut self,
        frame: FrameView<'_>,
        roi: FaceRoi,
    ) -> Result<Option<FaceRoi>, ModelError> {
        let Some(max_change) = self.settings.max_new_mesh_change else {
            return Ok(Some(roi));
        };
        let mut next = roi;
        for run in 0..=SETTLING_RUNS {
            let mesh = self.landmarks.run(frame, &next)?;
            if mesh.presence < self.settings.min_presence {
                return Ok(Some(next));
            }
            if run > 0 && mesh_change(&self.settling_points, &mesh.points) <= max_change {
                return Ok(Some(next));
            }
            let Some(moved) = FaceRoi::from_landmarks(&mesh.points) else {
                return Ok(None);
            };
            self.settling_points.clear();
            self.settling_points.extend_from_slice(&mesh.points);
            next = moved;
        }
        Ok(None)
    }

    fn add_tracks_from_detections(&mut self, frame: FrameView<'_>) -> Result<(), ModelError> {
        let detections = self.detector.detect(frame)?;
        for detection in detections {
            if self.tracks.len() >= self.settings.max_faces.max(1) {
                break;
            }
            let roi = FaceRoi::from_detection(&detection);
            let already_tracked = self.tracks.iter().any(|track| {
                track.roi.bounding_rect().iou(&roi.bounding_rect()) > self.settings.same_face_iou
            });
            if !already_tracked {
                self.tracks.push(Track {
                    id: self.next_id,
                    roi,
                    smoother: LandmarkSmoother::default(),
                    settled: false,
                });
                self.next_id = self.next_id.wrapping_add(1);
            }
        }
        Ok(())
    }
}

/// How far a mesh moved from `before` to `after`: the mean distance between their points
/// in the image plane over the size of `before`'s box (the square root of its area).
fn mesh_change(before: &[[f32; 3]], after: &[[f32; 3]]) -> f32 {
    let bounds = crate::landmarks::bounds(before);
    let size = (bounds.width * bounds.height).sqrt();
    if before.len() != after.len() || before.is_empty() || size.is_nan() || size <= 0.0 {
        return f32::INFINITY;
    }
    let total: f32 = before
        .iter()
        .zip(after)
        .map(|(a, b)| (a[0] - b[0]).hypot(a[1] - b[1]))
        .sum();
    total / before.len() as f32 / size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_change_is_the_mean_move_over_the_meshs_size() {
        let before = [
            [0.0, 0.0, 0.0],
            [10.0, 0.0, 0.0],
            [0.0, 10.0, 5.0],
            [10.0, 10.0, 0.0],
        ];
        let shifted = before.map(|[x, y, z]| [x + 3.0, y + 4.0, z]);
        assert!((mesh_change(&before, &shifted) - 0.5).abs() < 1e-6);
        assert_eq!(mesh_change(&before, &before), 0.0);
        assert_eq!(mesh_change(&before, &shifted[..3]), f32::INFINITY);
        assert_eq!(mesh_change(&[[1.0, 1.0, 0.0]; 4], &shifted), f32::INFINITY);
    }
}
