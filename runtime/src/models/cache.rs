//! The asset cache that `cargo xtask setup` fills: `$LENSMITH_HOME`, else
//! `~/.cache/lensmith`, with `lib/`, `models/` and `data/` inside.

use std::path::{Path, PathBuf};

use super::{ModelError, ModelKind};

/// The file name of the ONNX Runtime library the cache holds.
pub const ONNXRUNTIME_LIBRARY: &str = "libonnxruntime.so.1.31.1";

/// Where the cache is: `$LENSMITH_HOME` when set and not empty, else `~/.cache/lensmith`.
pub fn cache_dir() -> Result<PathBuf, ModelError> {
    if let Some(home) = std::env::var_os("LENSMITH_HOME").filter(|value| !value.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .filter(|value| !value.is_empty())
        .map(|home| PathBuf::from(home).join(".cache").join("lensmith"))
        .ok_or(ModelError::NoCacheLocation)
}

/// A located asset cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetCache {
    root: PathBuf,
}

impl AssetCache {
    /// The cache [`cache_dir`] names. It need not exist yet: lookups of its files say so.
    pub fn locate() -> Result<Self, ModelError> {
        Ok(Self::at(cache_dir()?))
    }

    /// A cache at an explicit folder.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The ONNX Runtime library, checked to exist.
    pub fn onnxruntime_library(&self) -> Result<PathBuf, ModelError> {
        self.existing(
            Path::new("lib").join(ONNXRUNTIME_LIBRARY),
            "the ONNX Runtime library",
        )
    }

    /// A model file, checked to exist.
    pub fn model(&self, kind: ModelKind) -> Result<PathBuf, ModelError> {
        self.existing(
            Path::new("models").join(kind.spec().file_name),
            &format!("the {kind} model"),
        )
    }

    /// MediaPipe's face geometry (canonical mesh and Procrustes weights), checked to exist.
    pub fn face_geometry(&self) -> Result<PathBuf, ModelError> {
        self.existing(
            Path::new("models").join("geometry_pipeline_metadata_landmarks.binarypb"),
            "MediaPipe's face geometry",
        )
    }

    /// The sample face photo (NASA's public-domain astronaut portrait), checked to exist.
    pub fn sample_photo(&self) -> Result<PathBuf, ModelError> {
        self.existing(Path::new("data").join("astronaut.png"), "the sample photo")
    }

    fn existing(&self, relative: PathBuf, what: &str) -> Result<PathBuf, ModelError> {
        let path = self.root.join(relative);
        if path.is_file() {
            Ok(path)
        } else {
            Err(ModelError::Missing {
                what: what.to_owned(),
                path,
                cache: self.root.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_name_the_path_and_the_fix() {
        let cache = AssetCache::at("/nonexistent/lensmith-cache");
        let message = cache
            .model(ModelKind::FaceDetector)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("/nonexistent/lensmith-cache/models/face_detection_short_range.onnx"),
            "{message}"
        );
        assert!(message.contains("cargo xtask setup"), "{message}");
        let message = cache.onnxruntime_library().unwrap_err().to_string();
        assert!(message.contains("libonnxruntime.so.1.31.1"), "{message}");
    }
}
