//! Reloading the playing bundle in place: the new version is read, validated and loaded
//! in full before anything changes, so a failed reload leaves the last good version
//! playing. Plugin layers carry their state into the new build (`save_state` →
//! `restore_state`), and the face tracking goes on without a hitch.

use std::path::Path;

use crate::bundle::archive::BundleFiles;

use super::loading::{LoadContext, load_layers};
use super::stages::Stage;
use super::{EffectPlayer, FrameStats, PlayerError, bundle_label, read_bundle, validated_manifest};

/// What a successful reload did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReloadReport {
    /// Plugin layers whose state was carried into the new instance.
    pub restored_layers: Vec<String>,
    /// Plugin layers whose state could not be carried over, and why; they start fresh.
    pub state_problems: Vec<String>,
}

impl EffectPlayer {
    /// Reloads the bundle at `path` (a folder or `.effect` file). On error nothing
    /// changes: the previous version keeps playing.
    pub fn reload(&mut self, path: &Path) -> Result<ReloadReport, PlayerError> {
        let files = read_bundle(path, &self.options.limits)?;
        self.reload_files(&files, &bundle_label(path))
    }

    /// Reloads from bundle files already read by the caller; as [`EffectPlayer::reload`].
    pub fn reload_files(
        &mut self,
        files: &BundleFiles,
        label: &str,
    ) -> Result<ReloadReport, PlayerError> {
        let manifest =
            validated_manifest(files, label, &self.onnx_runtime, self.options.plugin_code)?;
        let mut loaded = load_layers(
            &manifest,
            &LoadContext {
                files: &files.files,
                label,
                canonical: self.pipeline.canonical_face(),
                onnx_runtime: &self.onnx_runtime,
                model_options: self.pipeline_model_options(),
                still_images: self.options.still_images,
                plugin_log: &self.plugin_log,
                plugin_code: self.options.plugin_code,
            },
        )?;
        self.renderer.load_assets(&loaded.assets)?;
        let mut reload = ReloadReport::default();
        for layer in &mut loaded.layers {
            let Stage::Plugin(new) = &mut layer.stage else {
                continue;
            };
            let old = self.layers.iter_mut().find_map(|old| match &mut old.stage {
                Stage::Plugin(old_stage) if old.name == layer.name => old_stage.instance.as_mut(),
                _ => None,
            });
            let (Some(old), Some(new_instance)) = (old, new.instance.as_mut()) else {
                continue;
            };
            let carried = old.save_state().and_then(|state| match state.is_empty() {
                true => Ok(false),
                false => new_instance.restore_state(&state),
            });
            match carried {
                Ok(true) => reload.restored_layers.push(layer.name.clone()),
                Ok(false) => {}
                Err(error) => reload.state_problems.push(error.to_string()),
            }
        }
        if manifest.triggers != self.manifest.triggers {
            self.pipeline.set_trigger_rules(manifest.triggers.clone());
        }
        self.pipeline
            .set_refine_eyes(super::face_settings::refines_eyes(&manifest));
        self.stats = FrameStats {
            layers_ms: vec![0.0; loaded.layers.len()],
            ..FrameStats::default()
        };
        self.layers = loaded.layers;
        self.manifest = manifest;
        self.scene.clear();
        Ok(reload)
    }
}
