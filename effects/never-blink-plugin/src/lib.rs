//! "Never blink": while a face's blink trigger is on, each eye is covered by the most
//! recent open-eye patch of that eye of that face, warped to where the eye is now and
//! blended through a feathered mask, so the face never appears to blink.
//!
//! Per face and eye the plugin keeps a few patches captured while the eye was clearly
//! open (see [`memory`]), in a frame fixed by the eye's corners (see [`eye_frame`]); it
//! pastes the best of them (see [`patch`]). It runs in the layer of the bundle
//! `effects/never-blink`, whose trigger rule `blink` turns it on.

pub mod eye_frame;
pub mod mask;
pub mod memory;
pub mod patch;
pub mod settings;
pub mod state;

use effect_api::plugin::{
    CreateContext, EffectPlugin, FrameInfo, FramePixels, Host, LogLevel, OverlayPixels, Parameters,
    PluginError,
};

use eye_frame::{Eye, EyeFrame};
use memory::Memory;
use patch::{CONTOUR_LEN, PasteStyle};
use settings::Settings;

/// An eye whose own blink score is below this is clearly open: its patch may be stored.
pub const OPEN_BELOW: f32 = 0.3;

/// One face as the plugin needs it: what the host's face view holds, as plain data, so
/// the logic runs the same in unit tests.
#[derive(Debug, Clone, Copy)]
pub struct FaceInput<'a> {
    /// The host's stable face id.
    pub id: u32,
    /// The 468-point mesh in frame pixels.
    pub landmarks: &'a [[f32; 3]],
    /// Each eye's blink score (subject's right, left), when the host computed them.
    pub blink: [Option<f32>; 2],
    /// Whether the layer's trigger is on for this face.
    pub trigger_active: bool,
    /// The trigger's fade, 0..=1.
    pub visibility: f32,
}

/// The plugin's state: settings, the remembered eyes and scratch space.
#[derive(Debug, Default)]
pub struct NeverBlink {
    settings: Settings,
    memory: Memory,
    /// The host's log, for saying which stored eye is pasted (none in unit tests).
    host: Option<Host>,
    /// The mask of the patch being pasted, reused from eye to eye and frame to frame.
    scratch: Vec<f32>,
}

impl NeverBlink {
    /// A plugin with `settings` and nothing remembered.
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            ..Self::default()
        }
    }

    /// What is remembered (for tests and tools).
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// Starts a frame at `time_s`: forgets faces gone for a while, and everything when
    /// frames are unrelated stills (an eye from one photo must never land in another).
    pub fn begin_frame(&mut self, time_s: f64, still_image: bool) {
        if still_image {
            self.memory.faces.clear();
        } else {
            self.memory.forget_stale(time_s);
        }
    }

    /// Handles one face: stores its eyes while they are clearly open and the trigger is
    /// off, and pastes the stored eyes while the trigger is on or fading out. Returns, per
    /// eye, the capture time of the stored eye when it differs from the last frame's
    /// (pasting started, or moved to another stored eye).
    pub fn process_face(
        &mut self,
        face: &FaceInput<'_>,
        time_s: f64,
        pixels: &mut FramePixels<'_>,
    ) -> [Option<f64>; 2] {
        // On at once when the trigger starts: the lid is already coming down, and a fade
        // in would show it through the patch. Faded out as the host fades the layer after
        // the trigger ends, when the live eye is open again, so the swap back is soft.
        let shown = if face.trigger_active {
            1.0
        } else {
            face.visibility.clamp(0.0, 1.0)
        };
        let weight = self.settings.strength * shown;
        let style = PasteStyle {
            weight,
            feather: self.settings.feather_width(),
        };
        let memory = self.memory.face(face.id, time_s);
        let mut changed = [None; 2];
        for eye in Eye::BOTH {
            let eyes = &mut memory.eyes[eye.index()];
            let mut pasted = None;
            if let Some(frame) = EyeFrame::of_eye(eye, face.landmarks) {
                let open = face.blink[eye.index()].is_some_and(|score| score < OPEN_BELOW);
                if open
                    && !face.trigger_active
                    && eyes.capture_due(time_s)
                    && let Some(contour) = normalized_contour(eye, &frame, face.landmarks)
                {
                    eyes.slot_to_fill().capture(pixels, &frame, contour, time_s);
                }
                if weight > 0.0
                    && let Some(patch) = eyes.best()
                {
                    patch.paste(pixels, &frame, style, &mut self.scratch);
                    pasted = Some(patch.time_s);
                }
            }
            let last = &mut memory.pasted[eye.index()];
            if pasted != *last {
                changed[eye.index()] = pasted;
                *last = pasted;
            }
        }
        changed
    }
}

/// `eye`'s lid contour in its normalised frame; `None` when a landmark is missing.
fn normalized_contour(
    eye: Eye,
    frame: &EyeFrame,
    landmarks: &[[f32; 3]],
) -> Option<[[f32; 2]; CONTOUR_LEN]> {
    let mut contour = [[0.0; 2]; CONTOUR_LEN];
    for (slot, &index) in contour.iter_mut().zip(eye.contour()) {
        let &[x, y, _] = landmarks.get(index as usize)?;
        *slot = frame.to_normalized([x, y]);
    }
    contour
        .iter()
        .all(|point| point.iter().all(|value| value.is_finite()))
        .then_some(contour)
}

impl EffectPlugin for NeverBlink {
    fn create(context: &CreateContext<'_>) -> Result<Self, PluginError> {
        let mut settings = Settings::default();
        settings.update(context.parameters())?;
        Ok(Self {
            host: Some(context.host()),
            ..Self::new(settings)
        })
    }

    fn set_parameters(&mut self, parameters: &Parameters<'_>) -> Result<(), PluginError> {
        self.settings.update(parameters)
    }

    fn process(
        &mut self,
        frame: &FrameInfo<'_>,
        pixels: &mut FramePixels<'_>,
        _overlay: &mut OverlayPixels<'_>,
    ) -> Result<(), PluginError> {
        let time_s = frame.time_s();
        self.begin_frame(time_s, frame.still_image());
        for face in frame.faces() {
            let input = FaceInput {
                id: face.id(),
                landmarks: face.landmarks(),
                blink: Eye::BOTH.map(|eye| face.expression(eye.blink())),
                trigger_active: face.trigger_active(),
                visibility: face.visibility(),
            };
            let changed = self.process_face(&input, time_s, pixels);
            if let Some(host) = self.host {
                for (eye, from) in Eye::BOTH.iter().zip(changed) {
                    if let Some(from) = from {
                        host.log(
                            LogLevel::Debug,
                            &format!(
                                "face {} {eye:?} eye at {time_s:.3} s: pasting the open eye \
                                 seen at {from:.3} s",
                                face.id()
                            ),
                        );
                    }
                }
            }
        }
        Ok(())
    }

    fn save_state(&self) -> Result<Vec<u8>, PluginError> {
        if self.memory.faces.is_empty() {
            return Ok(Vec::new());
        }
        Ok(state::encode(&self.memory))
    }

    fn restore_state(&mut self, bytes: &[u8]) -> Result<(), PluginError> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.memory = state::decode(bytes)?;
        // Tell the log afresh which stored eye is pasted.
        for face in &mut self.memory.faces {
            face.pasted = [None; 2];
        }
        Ok(())
    }
}

effect_api::export_effect!(NeverBlink);

#[cfg(test)]
mod tests;
