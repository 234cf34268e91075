//! What a designer may tweak live: the layer's `strength` and `feather` parameters.

use effect_api::plugin::{Parameters, PluginError};

use crate::mask::FEATHER;

/// The live settings, read from the layer's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// How much of the stored eye shows, 0..=1 (parameter `strength`, default 1).
    pub strength: f32,
    /// The mask's fade as a multiple of the default (parameter `feather`, default 1,
    /// 0..=4): larger hides a seam on soft video, smaller keeps a sharp one tight.
    pub feather: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            strength: 1.0,
            feather: 1.0,
        }
    }
}

impl Settings {
    /// Takes the values `parameters` gives, keeping the others; a non-numeric or
    /// non-finite value is refused with the parameter's name.
    pub fn update(&mut self, parameters: &Parameters<'_>) -> Result<(), PluginError> {
        let number = |name: &str, range: (f32, f32)| -> Result<Option<f32>, PluginError> {
            let Some(value) = parameters.get(name) else {
                return Ok(None);
            };
            match value.as_f64() {
                Some(number) if number.is_finite() => {
                    Ok(Some((number as f32).clamp(range.0, range.1)))
                }
                _ => Err(PluginError::new(format!(
                    "never-blink: parameter `{name}` must be a number, got {value:?}"
                ))),
            }
        };
        if let Some(strength) = number("strength", (0.0, 1.0))? {
            self.strength = strength;
        }
        if let Some(feather) = number("feather", (0.0, 4.0))? {
            self.feather = feather;
        }
        Ok(())
    }

    /// The mask's fade in corner distances.
    pub fn feather_width(&self) -> f32 {
        FEATHER * self.feather
    }
}
