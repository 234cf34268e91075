//! The CPU reference renderer (being written).

use effect_api::Frame;

use super::{RenderError, Renderer, Scene, SceneAssets};

/// Draws scenes on the CPU, exactly by the rules in [`super::scene`].
#[derive(Debug, Default)]
pub struct CpuRenderer {
    assets: SceneAssets,
}

impl Renderer for CpuRenderer {
    fn name(&self) -> String {
        "cpu".to_owned()
    }

    fn load_assets(&mut self, assets: &SceneAssets) -> Result<(), RenderError> {
        self.assets = assets.clone();
        Ok(())
    }

    fn render(&mut self, _frame: &mut Frame, _scene: &Scene) -> Result<(), RenderError> {
        Err(RenderError::InvalidAsset("the CPU renderer is not written yet".to_owned()))
    }
}
