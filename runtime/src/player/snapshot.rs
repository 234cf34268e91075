//! What a player saw on its last frame, copied out for tools that draw it (the studio's
//! overlays): each face's mesh, crop, pose, expression scores and the triggers on for it,
//! and the frame's trigger events. Kept only when asked for, in buffers reused frame to
//! frame.

use effect_api::{ExpressionScores, TriggerEvent, TriggerRule};

use crate::face_crop::CropTransform;
use crate::face_pipeline::FaceFrame;
use crate::pose::HeadPose;

/// One face as the last frame saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaceSnapshot {
    /// Stable id.
    pub id: u32,
    /// Mesh presence score, 0..=1.
    pub score: f32,
    /// The mesh's 468 landmarks, then both irises at 468–477 where the eyes were refined
    /// ([`effect_api::face_regions::LANDMARK_COUNT_WITH_IRISES`]), frame pixels.
    pub landmarks: Vec<[f32; 3]>,
    /// The stable crop, when one was made.
    pub crop: Option<CropTransform>,
    /// The head pose, when estimated.
    pub pose: Option<HeadPose>,
    /// The expression scores, when measured.
    pub scores: Option<ExpressionScores>,
    /// The names of the trigger rules on for this face.
    pub triggers_on: Vec<String>,
}

/// The last frame's faces and trigger events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameSnapshot {
    /// The faces, in tracking order.
    pub faces: Vec<FaceSnapshot>,
    /// The frame's trigger events (face found and lost included).
    pub events: Vec<TriggerEvent>,
}

impl FrameSnapshot {
    /// Copies `faces` in, reusing the buffers.
    pub(crate) fn capture(&mut self, faces: &FaceFrame<'_>, rules: &[TriggerRule]) {
        self.faces
            .resize_with(faces.face_count(), FaceSnapshot::default);
        for (snapshot, face) in self.faces.iter_mut().zip(faces.faces()) {
            snapshot.id = face.tracked.id;
            snapshot.score = face.tracked.score;
            snapshot.landmarks.clear();
            snapshot.landmarks.extend_from_slice(face.landmarks);
            snapshot.crop = face.crop.copied();
            snapshot.pose = face.pose.copied();
            snapshot.scores = face.scores.copied();
            snapshot.triggers_on.clear();
            snapshot.triggers_on.extend(
                rules
                    .iter()
                    .enumerate()
                    .filter(|(index, _)| faces.trigger_on(*index as u32, face.tracked.id))
                    .map(|(_, rule)| rule.name.clone()),
            );
        }
        self.events.clear();
        self.events.extend_from_slice(faces.events());
    }
}
