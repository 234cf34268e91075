//! What an app or the studio changes while an effect plays: a layer's live properties and
//! parameters, and whether a layer is drawn, each from the next frame on.

use effect_api::plugin::Value;

use super::stages::Stage;
use super::{EffectPlayer, PlayerError};

impl EffectPlayer {
    /// The place of the layer named `layer`.
    fn layer_index(&self, layer: &str) -> Result<usize, PlayerError> {
        self.layers
            .iter()
            .position(|candidate| candidate.name == layer)
            .ok_or_else(|| PlayerError::Parameter(format!("no layer is named `{layer}`")))
    }

    /// Changes live property `property` of layer `layer` (a parameter's name) from the
    /// next frame on; the value is clamped to what the property accepts.
    pub fn set_parameter(
        &mut self,
        layer: &str,
        property: &str,
        value: f64,
    ) -> Result<(), PlayerError> {
        let index = self.layer_index(layer)?;
        if !value.is_finite() {
            return Err(PlayerError::Parameter(format!(
                "`{layer}.{property}` = {value} is not a number"
            )));
        }
        if let Stage::Plugin(stage) = &mut self.layers[index].stage {
            return stage.set_parameter(property, value);
        }
        let kind = &self.manifest.layers[index].kind;
        let range = kind
            .live_properties()
            .and_then(|properties| properties.iter().find(|(name, ..)| *name == property))
            .map(|&(_, low, high)| (low, high));
        let (Some((low, high)), Some(slot)) = (
            range,
            self.layers[index]
                .live
                .iter_mut()
                .find(|(name, _)| *name == property),
        ) else {
            return Err(PlayerError::Parameter(format!(
                "layer `{layer}` ({}) has no live property `{property}`",
                kind.name()
            )));
        };
        slot.1 = value.clamp(low, high);
        Ok(())
    }

    /// Switches layer `layer` on or off from the next frame on (it is on after opening
    /// and after a reload).
    pub fn set_layer_enabled(&mut self, layer: &str, enabled: bool) -> Result<(), PlayerError> {
        let index = self.layer_index(layer)?;
        self.layers[index].enabled = enabled;
        Ok(())
    }

    /// Sets parameter `name` of layer `layer` to any value: a number as
    /// [`EffectPlayer::set_parameter`] does, a colour for a plugin layer's colour parameter.
    pub fn set_parameter_value(
        &mut self,
        layer: &str,
        name: &str,
        value: Value,
    ) -> Result<(), PlayerError> {
        if let Some(number) = value.as_f64() {
            return self.set_parameter(layer, name, number);
        }
        let index = self.layer_index(layer)?;
        match &mut self.layers[index].stage {
            Stage::Plugin(stage) => stage.set_value(name, value),
            _ => Err(PlayerError::Parameter(format!(
                "layer `{layer}` has no colour property `{name}`"
            ))),
        }
    }
}
