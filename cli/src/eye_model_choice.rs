//! `--eye-model`, shared by the commands that refine eyes: the eye landmark model to run
//! instead of the cache's distilled one (MediaPipe's own `iris_landmark.onnx`, say).

use std::path::PathBuf;

use anyhow::Result;
use lensmith_runtime::models::{AssetCache, AssetPaths};

/// The eye-model flag, flattened into each command's arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct EyeModelChoice {
    /// Refine eyes with this eye landmark model instead of the cache's distilled
    /// `eye_landmarks.onnx`: any ONNX file with the interface of MediaPipe's iris landmark
    /// model, such as MediaPipe's own `iris_landmark.onnx` in the same cache folder.
    #[arg(long, value_name = "ONNX")]
    eye_model: Option<PathBuf>,
}

impl EyeModelChoice {
    /// Whether a model was named.
    pub fn is_given(&self) -> bool {
        self.eye_model.is_some()
    }

    /// The asset cache, with the chosen eye model in place of its own.
    pub fn cache(&self) -> Result<AssetCache> {
        let cache = AssetCache::locate()?;
        Ok(match &self.eye_model {
            Some(model) => cache.with_paths(AssetPaths {
                iris_landmarks: Some(model.clone()),
                ..AssetPaths::default()
            }),
            None => cache,
        })
    }
}
