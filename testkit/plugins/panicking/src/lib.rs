//! A test plugin that panics in `process` (or in `create`, when its settings say
//! `panic_in = "create"`), to check that the host reports the panic and keeps going.

use effect_api::plugin::{
    CreateContext, EffectPlugin, FrameInfo, FramePixels, OverlayPixels, PluginError,
};

/// The plugin.
struct Panicking;

impl EffectPlugin for Panicking {
    fn create(context: &CreateContext<'_>) -> Result<Self, PluginError> {
        let settings = context.settings()?;
        if settings.get("panic_in").and_then(|value| value.as_str()) == Some("create") {
            panic!("deliberate panic in create");
        }
        Ok(Panicking)
    }

    fn process(
        &mut self,
        _frame: &FrameInfo<'_>,
        _pixels: &mut FramePixels<'_>,
        _overlay: &mut OverlayPixels<'_>,
    ) -> Result<(), PluginError> {
        panic!("deliberate panic in process");
    }
}

effect_api::export_effect!(Panicking);
