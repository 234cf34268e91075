//! What the plugin remembers of each face: per eye, its last few open-eye patches, from
//! which the one to paste is chosen; faces not seen for a while are forgotten.

use crate::patch::EyePatch;

/// Patches kept per eye. The newest open frame before a blink is often already closing
/// (the score that starts the trigger lags the lid), so a few are kept and the most open
/// of the recent ones is used.
pub const SLOTS: usize = 5;

/// The least time between two captures of one eye: with [`SLOTS`] slots the history spans
/// at least 5 × 33 ms, longer than a lid takes to close, whatever the frame rate.
pub const CAPTURE_INTERVAL_S: f64 = 0.030;

/// A face not seen for this long is forgotten (it left, or its id was given up).
pub const FORGET_AFTER_S: f64 = 3.0;

/// The most faces remembered; past it the face seen longest ago is forgotten.
pub const MAX_FACES: usize = 8;

/// Only patches this close in time to the newest one compete as the most open: an older
/// wide-eyed frame would show a stale gaze and expression.
const RECENT_S: f64 = 1.0;

/// A patch at least this fraction as open as the most open recent one is open enough;
/// the newest such is pasted, so the gaze is as current as possible.
const OPEN_ENOUGH: f32 = 0.92;

/// One eye's stored patches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EyeMemory {
    /// At most [`SLOTS`], in no particular order.
    pub slots: Vec<EyePatch>,
}

impl EyeMemory {
    /// Whether a capture at `time_s` is due (none for [`CAPTURE_INTERVAL_S`]).
    pub fn capture_due(&self, time_s: f64) -> bool {
        self.newest()
            .is_none_or(|newest| time_s - newest.time_s >= CAPTURE_INTERVAL_S)
    }

    /// The slot to capture into: a new one while there is room, else the oldest (its
    /// buffer is reused, so a warm plugin captures without allocating).
    pub fn slot_to_fill(&mut self) -> &mut EyePatch {
        if self.slots.len() < SLOTS {
            self.slots.push(EyePatch::empty());
            let last = self.slots.len() - 1;
            return &mut self.slots[last];
        }
        let oldest = (0..self.slots.len())
            .min_by(|&a, &b| self.slots[a].time_s.total_cmp(&self.slots[b].time_s))
            .unwrap_or(0);
        &mut self.slots[oldest]
    }

    /// The most recently captured patch.
    pub fn newest(&self) -> Option<&EyePatch> {
        self.slots
            .iter()
            .max_by(|a, b| a.time_s.total_cmp(&b.time_s))
    }

    /// The patch to paste: among those from the last [`RECENT_S`] before the newest, the
    /// newest that is nearly as open as the most open.
    pub fn best(&self) -> Option<&EyePatch> {
        let newest = self.newest()?.time_s;
        let recent = || {
            self.slots
                .iter()
                .filter(move |patch| newest - patch.time_s <= RECENT_S)
        };
        let widest = recent().map(|patch| patch.openness).fold(0.0, f32::max);
        recent()
            .filter(|patch| patch.openness >= widest * OPEN_ENOUGH)
            .max_by(|a, b| a.time_s.total_cmp(&b.time_s))
    }
}

/// One face's memory.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceMemory {
    /// The host's face id.
    pub id: u32,
    /// When it was last seen (seconds).
    pub last_seen_s: f64,
    /// The subject's right eye, then the left.
    pub eyes: [EyeMemory; 2],
    /// Per eye, the capture time of the stored eye pasted in the last frame (not saved:
    /// only for telling the log when it changes).
    pub pasted: [Option<f64>; 2],
}

/// Every remembered face.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    /// The faces, at most [`MAX_FACES`].
    pub faces: Vec<FaceMemory>,
}

impl Memory {
    /// Face `id`'s memory, seen at `time_s`; made when new (forgetting the face seen
    /// longest ago when full).
    pub fn face(&mut self, id: u32, time_s: f64) -> &mut FaceMemory {
        let index = match self.faces.iter().position(|face| face.id == id) {
            Some(index) => index,
            None => {
                if self.faces.len() >= MAX_FACES
                    && let Some(stalest) = (0..self.faces.len()).min_by(|&a, &b| {
                        self.faces[a]
                            .last_seen_s
                            .total_cmp(&self.faces[b].last_seen_s)
                    })
                {
                    self.faces.swap_remove(stalest);
                }
                self.faces.push(FaceMemory {
                    id,
                    last_seen_s: time_s,
                    eyes: Default::default(),
                    pasted: [None; 2],
                });
                self.faces.len() - 1
            }
        };
        let face = &mut self.faces[index];
        face.last_seen_s = time_s;
        face
    }

    /// Forgets faces not seen for [`FORGET_AFTER_S`] by `time_s`; everything when time
    /// went backwards (a new stream, or a seek).
    pub fn forget_stale(&mut self, time_s: f64) {
        self.faces.retain(|face| {
            let age = time_s - face.last_seen_s;
            (0.0..=FORGET_AFTER_S).contains(&age)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(time_s: f64, openness: f32) -> EyePatch {
        EyePatch {
            time_s,
            openness,
            ..EyePatch::empty()
        }
    }

    #[test]
    fn the_newest_nearly_widest_recent_patch_is_pasted() {
        let eye = EyeMemory {
            slots: vec![
                patch(1.00, 0.30),
                patch(1.04, 0.31),
                patch(1.08, 0.29),
                patch(1.12, 0.20), // the lid already coming down
            ],
        };
        assert_eq!(eye.best().unwrap().time_s, 1.08);
        let stale = EyeMemory {
            slots: vec![patch(0.0, 0.9), patch(5.0, 0.3), patch(5.04, 0.28)],
        };
        assert_eq!(
            stale.best().unwrap().time_s,
            5.04,
            "a wide eye of long ago is ignored"
        );
        assert!(EyeMemory::default().best().is_none());
    }

    #[test]
    fn slots_are_reused_oldest_first_and_captures_spaced() {
        let mut eye = EyeMemory::default();
        for index in 0..SLOTS {
            assert!(eye.capture_due(index as f64 * 0.04));
            *eye.slot_to_fill() = patch(index as f64 * 0.04, 0.3);
        }
        assert!(!eye.capture_due(0.17), "within the capture interval");
        assert!(eye.capture_due(0.2));
        eye.slot_to_fill().time_s = 0.2;
        assert_eq!(eye.slots.len(), SLOTS);
        assert!(
            eye.slots.iter().all(|slot| slot.time_s > 0.0),
            "the oldest was reused"
        );
    }

    #[test]
    fn faces_are_forgotten_when_gone_or_when_time_jumps_back() {
        let mut memory = Memory::default();
        memory.face(1, 0.0);
        memory.face(2, 2.0);
        memory.forget_stale(3.5);
        assert_eq!(
            memory.faces.iter().map(|face| face.id).collect::<Vec<_>>(),
            [2]
        );
        memory.forget_stale(1.0);
        assert!(memory.faces.is_empty());
        for id in 0..20 {
            memory.face(id, f64::from(id));
        }
        assert_eq!(memory.faces.len(), MAX_FACES);
        assert!(
            memory.faces.iter().all(|face| face.id >= 12),
            "the oldest went first"
        );
    }
}
