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

/// How visible a triggered layer is on each face, fading in and out.
#[derive(Debug, Default)]
pub(crate) struct Visibility {
    faces: Vec<(u32, f32, bool)>,
    last_time_s: Option<f64>,
}

impl Visibility {
    /// Starts a frame at `time_s`; returns the largest step a value may take this frame
    /// (1 for stills or a first frame: no fading).
    pub(crate) fn begin_frame(&mut self, time_s: f64, still_images: bool) -> f32 {
        for face in &mut self.faces {
            face.2 = false;
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
        match self.faces.iter_mut().find(|face| face.0 == face_id) {
            Some(face) => {
                face.1 += (target - face.1).clamp(-step, step);
                face.2 = true;
                face.1
            }
            None => {
                self.faces.push((face_id, target, true));
                target
            }
        }
    }

    /// Ends a frame, forgetting faces that were not updated.
    pub(crate) fn end_frame(&mut self) {
        self.faces.retain(|face| face.2);
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
}
