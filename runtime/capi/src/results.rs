//! What the host reads back after a frame: each face (id, box, mesh, pose, expression
//! scores, the triggers on for it) and the frame's trigger events, copied into buffers the
//! runtime owns so that the pointers handed out stay valid until the next frame.

use std::ffi::{CString, c_char};
use std::mem::offset_of;

use effect_api::{Expression, TriggerPhase, TriggerRule};
use lensmith_runtime::player::FrameSnapshot;

use crate::sized::{SizeRule, layout_size};

/// How many expression scores a face carries at least, indexed by `LENSMITH_EXPRESSION_*`
/// (`LensmithFace::expression_count` may say more in later releases).
pub const LENSMITH_EXPRESSION_COUNT: usize = 16;
/// The subject's left eye closed.
pub const LENSMITH_EXPRESSION_BLINK_LEFT: u32 = 0;
/// The subject's right eye closed.
pub const LENSMITH_EXPRESSION_BLINK_RIGHT: u32 = 1;
/// Both eyes closed (a wink is not).
pub const LENSMITH_EXPRESSION_BLINK: u32 = 2;
/// A smile.
pub const LENSMITH_EXPRESSION_SMILE: u32 = 3;
/// The mouth open.
pub const LENSMITH_EXPRESSION_MOUTH_OPEN: u32 = 4;
/// The brows raised.
pub const LENSMITH_EXPRESSION_BROWS_RAISED: u32 = 5;
/// A kiss (lips pursed).
pub const LENSMITH_EXPRESSION_KISS: u32 = 6;
/// A nod.
pub const LENSMITH_EXPRESSION_NOD: u32 = 7;
/// A head shake.
pub const LENSMITH_EXPRESSION_SHAKE: u32 = 8;
/// The head turned to its left.
pub const LENSMITH_EXPRESSION_TURN_LEFT: u32 = 9;
/// The head turned to its right.
pub const LENSMITH_EXPRESSION_TURN_RIGHT: u32 = 10;
/// The brows drawn down (a frown).
pub const LENSMITH_EXPRESSION_BROWS_LOWERED: u32 = 11;
/// The eyes looking to the subject's left, within the head.
pub const LENSMITH_EXPRESSION_LOOK_LEFT: u32 = 12;
/// The eyes looking to the subject's right, within the head.
pub const LENSMITH_EXPRESSION_LOOK_RIGHT: u32 = 13;
/// The eyes looking up, within the head.
pub const LENSMITH_EXPRESSION_LOOK_UP: u32 = 14;
/// The eyes looking down, within the head (not a blink).
pub const LENSMITH_EXPRESSION_LOOK_DOWN: u32 = 15;

/// A trigger started this frame.
pub const LENSMITH_TRIGGER_STARTED: u32 = 0;
/// A trigger is still on (every frame after the one it started in).
pub const LENSMITH_TRIGGER_ACTIVE: u32 = 1;
/// A trigger ended this frame.
pub const LENSMITH_TRIGGER_ENDED: u32 = 2;

/// One face of the last frame. Coordinates are pixels of the upright frame (the stored
/// image turned by its rotation and mirror). Pointers (`landmarks`, `expressions`,
/// `triggers_on`) stay valid until the next call that processes a frame, loads a bundle or
/// destroys the runtime.
///
/// The struct only grows at its end: new fields are only ever appended, so a program built
/// against an older `lensmith.h` reads the fields it knows, and one built against a newer
/// header finds the fields this library lacks zeroed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LensmithFace {
    /// Stable id: the same face keeps it from frame to frame.
    pub id: u32,
    /// Mesh presence score, 0 to 1.
    pub score: f32,
    /// The mesh's bounding box: left, top, width, height.
    pub bounds: [f32; 4],
    /// `landmark_count` points of 3 floats: x, y in pixels and z in the same scale.
    pub landmarks: *const f32,
    /// 468, MediaPipe's face mesh; 478 where the bundle refines the eyes (a blink or gaze
    /// trigger, a sticker on an iris, a plugin asking for the irises): the irises follow at 468–477
    /// as MediaPipe's `refine_landmarks` numbers them (468 and 473 their centres).
    pub landmark_count: u32,
    /// Nonzero when `yaw`, `pitch` and `roll` hold the head pose.
    pub has_pose: u32,
    /// Turn about the vertical axis in degrees; positive towards the image's right.
    pub yaw: f32,
    /// Nod in degrees; positive looks down.
    pub pitch: f32,
    /// Tilt in the image plane in degrees; positive is counter-clockwise.
    pub roll: f32,
    /// Nonzero when `expressions` holds scores.
    pub has_expressions: u32,
    /// `expression_count` scores 0 to 1, indexed by `LENSMITH_EXPRESSION_*` (all 0 when
    /// `has_expressions` is 0). Never NULL for a face the library wrote.
    pub expressions: *const f32,
    /// How many scores `expressions` holds: at least `LENSMITH_EXPRESSION_COUNT`, so every
    /// `LENSMITH_EXPRESSION_*` index is valid; a later release may add more.
    pub expression_count: u32,
    /// One byte per trigger of the bundle (`lensmith_trigger_count`): 1 when it is on for
    /// this face.
    pub triggers_on: *const u8,
    /// How many bytes `triggers_on` holds.
    pub trigger_count: u32,
}

/// `sizeof(LensmithFace)` in the first release that could grow it (this one): smaller
/// buffers are refused.
pub(crate) const FIRST_FACE_SIZE: usize = layout_size(
    offset_of!(LensmithFace, trigger_count) + size_of::<u32>(),
    align_of::<*const f32>(),
);

/// The sizes `lensmith_get_face_sized` takes.
pub(crate) const FACE_SIZES: SizeRule =
    SizeRule::of::<LensmithFace>("LensmithFace", "size", FIRST_FACE_SIZE);

/// Something a trigger did in the last frame.
///
/// The struct only grows at its end: new fields are only ever appended.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LensmithTriggerEvent {
    /// The trigger's name as the manifest gives it; valid until the next bundle loads.
    pub trigger: *const c_char,
    /// The trigger's position among the bundle's triggers.
    pub trigger_index: u32,
    /// The face it happened on.
    pub face_id: u32,
    /// `LENSMITH_TRIGGER_STARTED`, `_ACTIVE` or `_ENDED`.
    pub phase: u32,
    /// The frame's time in seconds.
    pub time_s: f64,
}

/// `sizeof(LensmithTriggerEvent)` in the first release, unchanged since.
pub(crate) const FIRST_EVENT_SIZE: usize = layout_size(
    offset_of!(LensmithTriggerEvent, time_s) + size_of::<f64>(),
    align_of::<f64>(),
);

/// The sizes `lensmith_get_event_sized` takes.
pub(crate) const EVENT_SIZES: SizeRule =
    SizeRule::of::<LensmithTriggerEvent>("LensmithTriggerEvent", "size", FIRST_EVENT_SIZE);

/// The last frame's faces and events, in buffers reused from frame to frame.
#[derive(Debug, Default)]
pub(crate) struct FrameResults {
    faces: Vec<LensmithFace>,
    landmarks: Vec<Vec<f32>>,
    expressions: Vec<[f32; LENSMITH_EXPRESSION_COUNT]>,
    triggers_on: Vec<Vec<u8>>,
    events: Vec<LensmithTriggerEvent>,
    trigger_names: Vec<CString>,
}

impl FrameResults {
    /// Results for a newly loaded bundle with `rules`.
    pub fn for_rules(rules: &[TriggerRule]) -> Self {
        Self {
            trigger_names: rules
                .iter()
                .map(|rule| CString::new(rule.name.replace('\0', "")).unwrap_or_default())
                .collect(),
            ..Self::default()
        }
    }

    /// How many triggers the bundle has.
    pub fn trigger_count(&self) -> usize {
        self.trigger_names.len()
    }

    /// Trigger `index`'s name.
    pub fn trigger_name(&self, index: usize) -> Option<*const c_char> {
        self.trigger_names.get(index).map(|name| name.as_ptr())
    }

    /// Copies the player's snapshot in.
    pub fn capture(&mut self, snapshot: &FrameSnapshot, rules: &[TriggerRule]) {
        let count = snapshot.faces.len();
        self.landmarks.resize_with(count, Vec::new);
        self.triggers_on.resize_with(count, Vec::new);
        self.expressions
            .resize(count, [0.0; LENSMITH_EXPRESSION_COUNT]);
        self.faces.clear();
        for (((face, points), on), expressions) in snapshot
            .faces
            .iter()
            .zip(&mut self.landmarks)
            .zip(&mut self.triggers_on)
            .zip(&mut self.expressions)
        {
            points.clear();
            points.extend(face.landmarks.iter().flatten());
            on.clear();
            on.extend(
                rules
                    .iter()
                    .map(|rule| u8::from(face.triggers_on.contains(&rule.name))),
            );
            *expressions = [0.0; LENSMITH_EXPRESSION_COUNT];
            if let Some(scores) = &face.scores {
                for (slot, expression) in expressions.iter_mut().zip(Expression::ALL) {
                    *slot = scores.get(expression);
                }
            }
            let pose = face.pose.as_ref();
            self.faces.push(LensmithFace {
                id: face.id,
                score: face.score,
                bounds: bounds(&face.landmarks),
                landmarks: points.as_ptr(),
                landmark_count: face.landmarks.len() as u32,
                has_pose: u32::from(pose.is_some()),
                yaw: pose.map_or(0.0, |pose| pose.yaw),
                pitch: pose.map_or(0.0, |pose| pose.pitch),
                roll: pose.map_or(0.0, |pose| pose.roll),
                has_expressions: u32::from(face.scores.is_some()),
                expressions: expressions.as_ptr(),
                expression_count: LENSMITH_EXPRESSION_COUNT as u32,
                triggers_on: on.as_ptr(),
                trigger_count: on.len() as u32,
            });
        }
        self.events.clear();
        for event in &snapshot.events {
            let Some(name) = self.trigger_names.get(event.rule as usize) else {
                continue;
            };
            self.events.push(LensmithTriggerEvent {
                trigger: name.as_ptr(),
                trigger_index: event.rule,
                face_id: event.face_id,
                phase: match event.phase {
                    TriggerPhase::Started => LENSMITH_TRIGGER_STARTED,
                    TriggerPhase::Active => LENSMITH_TRIGGER_ACTIVE,
                    TriggerPhase::Ended => LENSMITH_TRIGGER_ENDED,
                },
                time_s: event.time_s,
            });
        }
    }

    /// The faces.
    pub fn faces(&self) -> &[LensmithFace] {
        &self.faces
    }

    /// The events.
    pub fn events(&self) -> &[LensmithTriggerEvent] {
        &self.events
    }
}

/// The box around `points`: left, top, width, height (all 0 for no points).
fn bounds(points: &[[f32; 3]]) -> [f32; 4] {
    let Some(first) = points.first() else {
        return [0.0; 4];
    };
    let (mut low, mut high) = ([first[0], first[1]], [first[0], first[1]]);
    for point in points {
        for axis in 0..2 {
            low[axis] = low[axis].min(point[axis]);
            high[axis] = high[axis].max(point[axis]);
        }
    }
    [low[0], low[1], high[0] - low[0], high[1] - low[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expression_constants_follow_the_contracts_order() {
        let names = [
            (LENSMITH_EXPRESSION_BLINK_LEFT, "blink_left"),
            (LENSMITH_EXPRESSION_BLINK_RIGHT, "blink_right"),
            (LENSMITH_EXPRESSION_BLINK, "blink"),
            (LENSMITH_EXPRESSION_SMILE, "smile"),
            (LENSMITH_EXPRESSION_MOUTH_OPEN, "mouth_open"),
            (LENSMITH_EXPRESSION_BROWS_RAISED, "brows_raised"),
            (LENSMITH_EXPRESSION_KISS, "kiss"),
            (LENSMITH_EXPRESSION_NOD, "nod"),
            (LENSMITH_EXPRESSION_SHAKE, "shake"),
            (LENSMITH_EXPRESSION_TURN_LEFT, "turn_left"),
            (LENSMITH_EXPRESSION_TURN_RIGHT, "turn_right"),
            (LENSMITH_EXPRESSION_BROWS_LOWERED, "brows_lowered"),
            (LENSMITH_EXPRESSION_LOOK_LEFT, "look_left"),
            (LENSMITH_EXPRESSION_LOOK_RIGHT, "look_right"),
            (LENSMITH_EXPRESSION_LOOK_UP, "look_up"),
            (LENSMITH_EXPRESSION_LOOK_DOWN, "look_down"),
        ];
        assert_eq!(names.len(), Expression::ALL.len());
        for (index, name) in names {
            assert_eq!(Expression::ALL[index as usize].name(), name);
        }
    }

    /// Results of one frame with two faces: one scored (smiling), one not.
    fn two_faces() -> FrameResults {
        let scored = lensmith_runtime::player::FaceSnapshot {
            id: 4,
            landmarks: vec![[1.0, 2.0, 3.0]; 468],
            scores: Some(effect_api::ExpressionScores {
                smile: 0.75,
                look_down: 0.25,
                ..Default::default()
            }),
            ..Default::default()
        };
        let unscored = lensmith_runtime::player::FaceSnapshot {
            id: 5,
            ..Default::default()
        };
        let mut results = FrameResults::default();
        let snapshot = FrameSnapshot {
            faces: vec![scored, unscored],
            events: Vec::new(),
        };
        results.capture(&snapshot, &[]);
        results
    }

    #[test]
    fn every_face_points_at_all_its_expression_scores() {
        let results = two_faces();
        let [scored, unscored] = results.faces() else {
            panic!("two faces");
        };
        for face in [scored, unscored] {
            assert_eq!(face.expression_count as usize, LENSMITH_EXPRESSION_COUNT);
            assert!(!face.expressions.is_null());
        }
        // SAFETY: the results own the scores, alive while `results` is.
        let scores = |face: &LensmithFace| unsafe {
            std::slice::from_raw_parts(face.expressions, face.expression_count as usize)
        };
        assert_eq!(scored.has_expressions, 1);
        assert_eq!(scores(scored)[LENSMITH_EXPRESSION_SMILE as usize], 0.75);
        assert_eq!(scores(scored)[LENSMITH_EXPRESSION_LOOK_DOWN as usize], 0.25);
        assert_eq!(unscored.has_expressions, 0);
        assert!(scores(unscored).iter().all(|&score| score == 0.0));
    }

    #[test]
    fn a_face_is_written_no_further_than_the_size_given() {
        let results = two_faces();
        let face = results.faces()[0];
        let ours = size_of::<LensmithFace>();
        for size in [FIRST_FACE_SIZE, ours, ours + 16] {
            FACE_SIZES.check(size).expect("a size a header gives");
            let mut buffer = vec![0xC5u8; size + 64];
            // SAFETY: the buffer holds `size` bytes and more.
            unsafe { crate::sized::write(buffer.as_mut_ptr(), size, &face) };
            assert_eq!(&buffer[..4], &4u32.to_ne_bytes(), "the id");
            assert!(buffer[ours..size].iter().all(|&byte| byte == 0), "{size}");
            assert!(buffer[size..].iter().all(|&byte| byte == 0xC5), "{size}");
        }
        for size in [0, FIRST_FACE_SIZE - 8, ours + 1] {
            assert!(FACE_SIZES.check(size).is_err(), "{size}");
        }
    }

    #[test]
    fn the_first_growable_layouts_sizes() {
        assert_eq!(FIRST_FACE_SIZE, size_of::<LensmithFace>());
        assert_eq!(FIRST_EVENT_SIZE, size_of::<LensmithTriggerEvent>());
        #[cfg(target_pointer_width = "64")]
        assert_eq!((FIRST_FACE_SIZE, FIRST_EVENT_SIZE), (88, 32));
        #[cfg(target_pointer_width = "32")]
        assert_eq!(FIRST_FACE_SIZE, 68);
    }

    #[test]
    fn bounds_enclose_every_point() {
        let points = [[3.0, 9.0, 0.0], [-1.0, 4.0, 1.0], [7.0, 5.0, 2.0]];
        assert_eq!(bounds(&points), [-1.0, 4.0, 8.0, 5.0]);
        assert_eq!(bounds(&[]), [0.0; 4]);
    }
}
