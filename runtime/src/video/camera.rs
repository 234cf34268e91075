//! A live camera as a [`FrameSource`]. Sources named `camera`, `camera:N` or `/dev/videoN`
//! are cameras; capture is built with the `camera` feature, through Video4Linux2 (the `v4l`
//! crate), so on Linux only. Elsewhere, or without the feature, opening one says so.
//!
//! A capture thread owns the device and keeps only the newest frame, converted to RGB
//! (from `YUYV`, or from `MJPG` for cameras that offer nothing else at that size);
//! [`FrameSource::next_frame`] waits for a frame newer than the last one it gave, so a
//! slow reader drops frames instead of falling behind the camera.

use std::path::{Path, PathBuf};

use super::VideoError;

/// The size asked of a camera; the driver picks the nearest it supports.
pub const CAMERA_SIZE: (u32, u32) = (1280, 720);
/// The rate asked of a camera.
pub const CAMERA_RATE: u32 = 30;

/// Which camera a source names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSpec {
    /// The Nth camera (`camera` is the first, `camera:N` the Nth from 0).
    Index(usize),
    /// A device file (`/dev/video2`).
    Device(PathBuf),
}

impl CameraSpec {
    /// The camera `path` names, if it names one: `camera`, `camera:N`, or a path under
    /// `/dev/` whose name starts with `video`.
    pub fn parse(path: &Path) -> Option<Self> {
        let text = path.to_str()?;
        if text == "camera" {
            return Some(Self::Index(0));
        }
        if let Some(index) = text.strip_prefix("camera:") {
            return index.parse().ok().map(Self::Index);
        }
        let is_video_device = path.parent() == Some(Path::new("/dev"))
            && path
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("video"));
        is_video_device.then(|| Self::Device(path.to_owned()))
    }

    /// How messages name it.
    pub fn describe(&self) -> String {
        match self {
            Self::Index(index) => format!("camera:{index}"),
            Self::Device(path) => path.display().to_string(),
        }
    }
}

/// Why a camera could not be used.
pub(super) fn camera_error(spec: &CameraSpec, reason: impl Into<String>) -> VideoError {
    VideoError::Camera {
        camera: spec.describe(),
        reason: reason.into(),
    }
}

/// Opens the camera `spec` names.
#[cfg(all(feature = "camera", target_os = "linux"))]
pub(super) fn open_camera(spec: &CameraSpec) -> Result<Box<dyn super::FrameSource>, VideoError> {
    Ok(Box::new(capture::CameraSource::open(spec)?))
}

/// Opens the camera `spec` names: not in this build.
#[cfg(not(all(feature = "camera", target_os = "linux")))]
pub(super) fn open_camera(spec: &CameraSpec) -> Result<Box<dyn super::FrameSource>, VideoError> {
    Err(camera_error(
        spec,
        if cfg!(target_os = "linux") {
            "this build has no camera capture: build it with `--features camera` (needs libclang for the V4L2 bindings)"
        } else {
            "camera capture is implemented for Linux (Video4Linux2) only; use a video file here"
        },
    ))
}

#[cfg(all(feature = "camera", target_os = "linux"))]
pub use capture::CameraSource;

#[cfg(all(feature = "camera", target_os = "linux"))]
mod capture;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cameras_are_named_by_index_or_device() {
        let parse = |text: &str| CameraSpec::parse(Path::new(text));
        assert_eq!(parse("camera"), Some(CameraSpec::Index(0)));
        assert_eq!(parse("camera:2"), Some(CameraSpec::Index(2)));
        assert_eq!(
            parse("/dev/video1"),
            Some(CameraSpec::Device(PathBuf::from("/dev/video1")))
        );
        assert_eq!(parse("camera:first"), None);
        assert_eq!(parse("clips/camera.mp4"), None);
        assert_eq!(parse("/dev/sda"), None);
        assert_eq!(parse("video1.mp4"), None);
    }

    #[test]
    fn a_missing_camera_is_named_with_what_to_do() {
        let Err(error) = crate::video::open_source(Path::new("/dev/video99")) else {
            panic!("there is no /dev/video99 here");
        };
        let message = error.to_string();
        assert!(message.starts_with("camera /dev/video99: "), "{message}");
        if cfg!(all(feature = "camera", target_os = "linux")) {
            assert!(
                message.contains("cannot open it") && message.contains("v4l2-ctl"),
                "{message}"
            );
        } else {
            assert!(message.contains("camera"), "{message}");
        }
    }
}
