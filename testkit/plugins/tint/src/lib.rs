//! A test plugin: shades each face's landmark box, red through the overlay (version 1)
//! or blue straight into the frame (feature `v2`, the "rebuilt" plugin), and counts the
//! frames it has seen, carrying the count over reloads with `save_state`/`restore_state`.
//! Every frame it logs `frame N` so that tests can read the count; with the setting
//! `report_irises = true` it also logs, at info level, how many landmarks each face has and
//! where its irises are.

use effect_api::plugin::{
    CreateContext, EffectPlugin, FrameInfo, FramePixels, Host, LogLevel, OverlayPixels, Parameters,
    PluginError,
};

/// The plugin.
struct Tint {
    host: Host,
    frames: u64,
    strength: f64,
    report_irises: bool,
}

impl EffectPlugin for Tint {
    fn create(context: &CreateContext<'_>) -> Result<Self, PluginError> {
        let settings = context.settings()?;
        if settings.contains_key("fail") {
            return Err(PluginError::new("the settings ask create to fail"));
        }
        Ok(Self {
            host: context.host(),
            frames: 0,
            strength: context.parameters().number("strength").unwrap_or(1.0),
            report_irises: settings
                .get("report_irises")
                .and_then(|value| value.as_bool())
                .unwrap_or(false),
        })
    }

    fn set_parameters(&mut self, parameters: &Parameters<'_>) -> Result<(), PluginError> {
        if let Some(strength) = parameters.number("strength") {
            self.strength = strength.clamp(0.0, 1.0);
        }
        Ok(())
    }

    fn process(
        &mut self,
        frame: &FrameInfo<'_>,
        pixels: &mut FramePixels<'_>,
        overlay: &mut OverlayPixels<'_>,
    ) -> Result<(), PluginError> {
        self.frames += 1;
        self.host
            .log(LogLevel::Debug, &format!("frame {}", self.frames));
        for face in frame.faces() {
            if self.report_irises {
                let irises = match face.iris_centers() {
                    Some([right, left]) => format!(
                        "irises at ({:.1}, {:.1}) and ({:.1}, {:.1})",
                        right.x, right.y, left.x, left.y
                    ),
                    None => "no irises".to_owned(),
                };
                let count = face.landmarks().len();
                self.host
                    .log(LogLevel::Info, &format!("{count} landmarks, {irises}"));
            }
            let Some(bounds) = face.bounds().filter(|bounds| bounds.area() > 0.0) else {
                continue;
            };
            let (left, top) = (bounds.x, bounds.y);
            let (right, bottom) = (left + bounds.width, top + bounds.height);
            let alpha = (self.strength * f64::from(face.visibility()) * 255.0).round() as u8;
            for y in top.max(0.0) as u32..bottom.max(0.0) as u32 {
                for x in left.max(0.0) as u32..right.max(0.0) as u32 {
                    if cfg!(feature = "v2") {
                        if alpha > 0 {
                            pixels.set_rgb(x, y, [0, 0, 255]);
                        }
                    } else {
                        overlay.blend_premultiplied(x, y, [alpha, 0, 0, alpha]);
                    }
                }
            }
        }
        Ok(())
    }

    fn save_state(&self) -> Result<Vec<u8>, PluginError> {
        Ok(self.frames.to_le_bytes().to_vec())
    }

    fn restore_state(&mut self, state: &[u8]) -> Result<(), PluginError> {
        let bytes: [u8; 8] = state.try_into().map_err(|_| {
            PluginError::new(format!("a saved state of {} bytes, not 8", state.len()))
        })?;
        self.frames = u64::from_le_bytes(bytes);
        Ok(())
    }
}

effect_api::export_effect!(Tint);
