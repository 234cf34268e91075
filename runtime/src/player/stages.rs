//! A bundle's layers made ready to draw: each layer's stage (model session, texture, LUT,
//! mesh), its trigger, which faces it covers, its live properties, and how visible its
//! trigger has made it on each face.

use effect_api::manifest::{FaceSelection, LutLayer, LutScope, MaskLayer};

use crate::render::{LutId, TextureId, TopologyId};

use super::face_model::FaceModelStage;
use super::plugin_layer::PluginStage;
use super::sticker::StickerStage;

/// How long a triggered layer takes to fade fully in or out, in seconds.
const TRIGGER_FADE_S: f64 = 0.15;

/// A `face_mask` layer: its texture on the face mesh.
#[derive(Debug)]
pub(crate) struct MaskStage {
    pub layer: MaskLayer,
    pub texture: TextureId,
    pub topology: TopologyId,
    /// Per-vertex texture coordinates (the canonical mesh's).
    pub uvs: Vec<[f32; 2]>,
    /// Per-vertex alpha for the layer's openings.
    pub alpha: Vec<f32>,
}

/// A `lut` layer: its table, and the face mesh for `scope = "face"`.
#[derive(Debug)]
pub(crate) struct LutStage {
    pub layer: LutLayer,
    pub lut: LutId,
    pub topology: TopologyId,
    /// Per-vertex texture coordinates (unused by the LUT, kept for the vertex layout).
    pub uvs: Vec<[f32; 2]>,
    /// Per-vertex alpha fading the graded region out at the face's outline.
    pub alpha: Vec<f32>,
}

/// What a layer draws with.
#[derive(Debug)]
pub(crate) enum Stage {
    FaceModel(Box<FaceModelStage>),
    Mask(MaskStage),
    Sticker(StickerStage),
    Lut(LutStage),
    Plugin(Box<PluginStage>),
}

impl Stage {
    /// Which faces the layer covers (a frame-wide LUT covers the frame, not faces).
    pub(crate) fn faces(&self) -> FaceSelection {
        match self {
            Self::FaceModel(stage) => stage.layer().faces,
            Self::Mask(stage) => stage.layer.faces,
            Self::Sticker(stage) => stage.layer().faces,
            Self::Lut(_) | Self::Plugin(_) => FaceSelection::All,
        }
    }

    /// Whether the layer draws once per frame rather than once per face.
    pub(crate) fn is_frame_wide(&self) -> bool {
        matches!(self, Self::Lut(stage) if stage.layer.scope == LutScope::Frame)
    }
}

/// How long a layer on a momentary trigger (a `once` rule, or `face_found`, which fire on
/// one frame) stays fully shown after it fires, before it fades out, in seconds: long
/// enough to be seen as a burst, where following the one-frame trigger showed it at a
/// fifth of its strength for a single frame of video.
const MOMENTARY_HOLD_S: f64 = 1.0;

/// How visible a triggered layer is on each face, fading in and out.
#[derive(Debug, Default)]
pub(crate) struct Visibility {
    faces: Vec<FaceVisibility>,
    last_time_s: Option<f64>,
}

/// One face's visibility of a layer.
#[derive(Debug, Clone, Copy)]
struct FaceVisibility {
    id: u32,
    value: f32,
    /// Updated this frame (faces that were not are forgotten at its end).
    seen: bool,
    /// Until when a momentary trigger keeps the layer fully shown.
    hold_until_s: f64,
}

impl Visibility {
    /// Starts a frame at `time_s`; returns the largest step a value may take this frame
    /// (1 for stills or a first frame: no fading).
    pub(crate) fn begin_frame(&mut self, time_s: f64, still_images: bool) -> f32 {
        for face in &mut self.faces {
            face.seen = false;
        }
        let step = match self.last_time_s {
            Some(last) if !still_images && time_s > last => {
                ((time_s - last) / TRIGGER_FADE_S).min(1.0) as f32
            }
            _ => 1.0,
        };
        self.last_time_s = Some(time_s);
        step
    }

    /// Moves face `face_id`'s visibility towards `on` by at most `step` and returns it.
    /// A face seen for the first time starts where its trigger is.
    pub(crate) fn update(&mut self, face_id: u32, on: bool, step: f32) -> f32 {
        let target = if on { 1.0 } else { 0.0 };
        let face = self.face(face_id, target);
        face.value += (target - face.value).clamp(-step, step);
        face.value
    }

    /// [`Visibility::update`] for a momentary trigger, which is on only on the frame it
    /// fires (at `time_s`): the layer shows at once and stays fully shown for
    /// [`MOMENTARY_HOLD_S`], then fades out by at most `step` a frame.
    pub(crate) fn update_momentary(
        &mut self,
        face_id: u32,
        fired: bool,
        time_s: f64,
        step: f32,
    ) -> f32 {
        let face = self.face(face_id, 0.0);
        if fired {
            face.hold_until_s = time_s + MOMENTARY_HOLD_S;
        }
        if fired || time_s < face.hold_until_s {
            face.value = 1.0;
        } else {
            face.value -= face.value.min(step);
        }
        face.value
    }

    /// Face `face_id`'s entry, marked seen this frame; a face seen for the first time starts
    /// at `value`.
    fn face(&mut self, face_id: u32, value: f32) -> &mut FaceVisibility {
        let index = match self.faces.iter().position(|face| face.id == face_id) {
            Some(index) => index,
            None => {
                self.faces.push(FaceVisibility {
                    id: face_id,
                    value,
                    seen: false,
                    hold_until_s: f64::NEG_INFINITY,
                });
                self.faces.len() - 1
            }
        };
        let face = &mut self.faces[index];
        face.seen = true;
        face
    }

    /// Ends a frame, forgetting faces that were not updated.
    pub(crate) fn end_frame(&mut self) {
        self.faces.retain(|face| face.seen);
    }
}

/// A layer of the playing bundle.
#[derive(Debug)]
pub(crate) struct LayerRuntime {
    /// The layer's name in the manifest.
    pub name: String,
    /// The trigger rule's index, for triggered layers.
    pub trigger: Option<u32>,
    pub stage: Stage,
    pub visibility: Visibility,
    /// Current values of the live properties, by name.
    pub live: Vec<(&'static str, f64)>,
    /// Whether the layer plays at all (a designer may switch one off to compare).
    pub enabled: bool,
}

impl LayerRuntime {
    /// The current value of live property `name`.
    pub(crate) fn live(&self, name: &str) -> f32 {
        self.live
            .iter()
            .find(|(property, _)| *property == name)
            .map_or(0.0, |(_, value)| *value as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_triggered_layer_fades_in_over_its_fade_time() {
        let mut visibility = Visibility::default();
        let step = visibility.begin_frame(0.0, false);
        assert_eq!(visibility.update(3, false, step), 0.0);
        let mut value = 0.0;
        for frame in 1..=3 {
            let step = visibility.begin_frame(frame as f64 * 0.05, false);
            value = visibility.update(3, true, step);
            visibility.end_frame();
        }
        assert!((value - 1.0).abs() < 1e-4, "after 150 ms: {value}");
        visibility.begin_frame(0.2, false);
        visibility.end_frame();
        assert!(visibility.faces.is_empty(), "an unseen face is forgotten");
    }

    #[test]
    fn a_momentary_trigger_shows_its_layer_whole_for_its_hold_then_fades() {
        let mut visibility = Visibility::default();
        let frame = 1.0 / 30.0;
        let mut shown = Vec::new();
        for index in 0..60 {
            let time = index as f64 * frame;
            let step = visibility.begin_frame(time, false);
            // Fires on frame 3 only, as a `once` rule does.
            shown.push(visibility.update_momentary(7, index == 3, time, step));
            visibility.end_frame();
        }
        assert!(shown[..3].iter().all(|&value| value == 0.0), "{shown:?}");
        // Whole from the frame it fires, for a second (30 frames at 30 fps).
        assert!(shown[3..33].iter().all(|&value| value == 1.0), "{shown:?}");
        // Then gone within the fade time (150 ms: 5 frames).
        assert!(shown[33] < 1.0 && shown[33] > 0.0, "{shown:?}");
        assert!(shown[38..].iter().all(|&value| value == 0.0), "{shown:?}");
        // Firing again while shown starts the hold afresh.
        let step = visibility.begin_frame(2.0, false);
        assert_eq!(visibility.update_momentary(7, true, 2.0, step), 1.0);
        let step = visibility.begin_frame(2.9, false);
        assert_eq!(visibility.update_momentary(7, false, 2.9, step), 1.0);
    }
}
