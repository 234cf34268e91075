//! The asset cache that `cargo xtask setup` fills: `$LENSMITH_HOME`, else
//! `~/.cache/lensmith`, with `lib/`, `models/` and `data/` inside. An app that ships the
//! files elsewhere (a phone app's own folders) names each one instead ([`AssetPaths`]).

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

/// Files an app keeps outside the cache's layout; each one given is used instead of the
/// cache's copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetPaths {
    /// The ONNX Runtime shared library (`libonnxruntime.so` in an Android app's libraries).
    pub onnxruntime_library: Option<PathBuf>,
    /// The face detector model (`face_detection_short_range.onnx`).
    pub face_detector: Option<PathBuf>,
    /// The full-range face detector model (`face_detection_full_range.onnx`).
    pub face_detector_full_range: Option<PathBuf>,
    /// The face mesh model (`face_landmark.onnx`).
    pub face_landmarks: Option<PathBuf>,
    /// The eye landmark model (`eye_landmarks.onnx`, distilled from MediaPipe's iris
    /// landmark model); MediaPipe's own `iris_landmark.onnx` has the same interface and may
    /// be named here instead.
    pub iris_landmarks: Option<PathBuf>,
    /// MediaPipe's face geometry (`geometry_pipeline_metadata_landmarks.binarypb`).
    pub face_geometry: Option<PathBuf>,
}

/// A located asset cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetCache {
    root: PathBuf,
    paths: AssetPaths,
}

impl AssetCache {
    /// The cache [`cache_dir`] names. It need not exist yet: lookups of its files say so.
    pub fn locate() -> Result<Self, ModelError> {
        Ok(Self::at(cache_dir()?))
    }

    /// A cache at an explicit folder.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            paths: AssetPaths::default(),
        }
    }

    /// This cache with the files `paths` names taken from there instead.
    pub fn with_paths(mut self, paths: AssetPaths) -> Self {
        self.paths = paths;
        self
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The ONNX Runtime library, checked to exist.
    pub fn onnxruntime_library(&self) -> Result<PathBuf, ModelError> {
        self.file(
            self.paths.onnxruntime_library.as_deref(),
            Path::new("lib").join(ONNXRUNTIME_LIBRARY),
            "the ONNX Runtime library",
        )
    }

    /// A model file, checked to exist.
    pub fn model(&self, kind: ModelKind) -> Result<PathBuf, ModelError> {
        let given = match kind {
            ModelKind::FaceDetector => &self.paths.face_detector,
            ModelKind::FaceDetectorFullRange => &self.paths.face_detector_full_range,
            ModelKind::FaceLandmarks => &self.paths.face_landmarks,
            ModelKind::IrisLandmarks => &self.paths.iris_landmarks,
        };
        self.file(
            given.as_deref(),
            Path::new("models").join(kind.spec().file_name),
            &format!("the {kind} model"),
        )
    }

    /// MediaPipe's face geometry (canonical mesh and Procrustes weights), checked to exist.
    pub fn face_geometry(&self) -> Result<PathBuf, ModelError> {
        self.file(
            self.paths.face_geometry.as_deref(),
            Path::new("models").join("geometry_pipeline_metadata_landmarks.binarypb"),
            "MediaPipe's face geometry",
        )
    }

    /// The file the app named, else the cache's copy at `relative`; checked to exist.
    fn file(
        &self,
        given: Option<&Path>,
        relative: PathBuf,
        what: &str,
    ) -> Result<PathBuf, ModelError> {
        match given {
            Some(path) if path.is_file() => Ok(path.to_owned()),
            Some(path) => Err(ModelError::NotAFile {
                what: what.to_owned(),
                path: path.to_owned(),
            }),
            None => self.existing(relative, what),
        }
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

    #[test]
    fn named_files_replace_the_caches_and_must_exist() {
        let folder = std::env::temp_dir().join(format!("lensmith-paths-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let detector = folder.join("detector.onnx");
        std::fs::write(&detector, b"not checked here").unwrap();
        let cache = AssetCache::at("/nonexistent/lensmith-cache").with_paths(AssetPaths {
            face_detector: Some(detector.clone()),
            face_landmarks: Some(folder.join("missing.onnx")),
            ..AssetPaths::default()
        });
        assert_eq!(cache.model(ModelKind::FaceDetector).unwrap(), detector);
        let message = cache
            .model(ModelKind::FaceLandmarks)
            .unwrap_err()
            .to_string();
        assert!(message.contains("missing.onnx"), "{message}");
        assert!(!message.contains("cargo xtask setup"), "{message}");
        // What was not named still comes from the cache.
        let message = cache.face_geometry().unwrap_err().to_string();
        assert!(
            message.contains("/nonexistent/lensmith-cache/models"),
            "{message}"
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
