//! The one door between the studio and the runtime's preview worker: the UI sends the
//! worker's own commands and takes its events, and takes frames converted for iced (images
//! it can show, faces reduced to what the overlays draw), so the screens never see the
//! worker itself and tests can stand a [`FakePreview`] in its place.
//!
//! The worker owns a thread with the effect player, the frame source and the bundle
//! watcher; the UI only polls it ([`PreviewPort::latest_frame`] hands over the newest frame
//! and drops older ones), so no inference ever runs on the UI thread.

mod fake;
mod runtime;

use std::path::PathBuf;
use std::sync::Arc;

use effect_api::trigger::TriggerPhase;
use iced::widget::image;
pub use lensmith_runtime::preview::{PreviewCommand, PreviewEvent};

use crate::stats::StageTimes;

pub use fake::FakePreview;
pub use runtime::{RendererChoice, runtime_launcher};

/// RGBA pixels ready for an image widget.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels, uploaded once per frame by the renderer.
    pub handle: image::Handle,
}

impl PreviewImage {
    /// Wraps RGBA8 pixels, tightly packed, without copying them.
    pub fn from_rgba(width: u32, height: u32, rgba: impl Into<bytes::Bytes>) -> Self {
        Self {
            width,
            height,
            handle: image::Handle::from_rgba(width, height, rgba),
        }
    }

    /// Wraps tightly packed RGB8 pixels as RGBA (a copy).
    pub fn from_rgb(width: u32, height: u32, rgb: &[u8]) -> Self {
        let mut rgba = Vec::with_capacity(rgb.len() / 3 * 4);
        for pixel in rgb.chunks_exact(3) {
            rgba.extend_from_slice(&[pixel[0], pixel[1], pixel[2], 255]);
        }
        Self::from_rgba(width, height, rgba)
    }
}

/// One face as the frame saw it, in frame pixels, for the overlays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaceOverlay {
    /// Stable id.
    pub id: u32,
    /// The 468 mesh points (x, y).
    pub landmarks: Vec<[f32; 2]>,
    /// The stable crop's corners, clockwise from top-left.
    pub crop_corners: Option<[[f32; 2]; 4]>,
    /// Head pose: yaw, pitch and roll in degrees, and where to draw its axes.
    pub pose: Option<PoseOverlay>,
    /// Expression scores by name (`smile`, `blink`, …), each 0..=1.
    pub scores: Vec<(String, f32)>,
    /// The trigger rules on for this face.
    pub triggers_on: Vec<String>,
}

/// A head pose to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoseOverlay {
    /// Degrees.
    pub yaw: f32,
    /// Degrees.
    pub pitch: f32,
    /// Degrees.
    pub roll: f32,
    /// The axes' origin (the face's centre) in frame pixels.
    pub origin: [f32; 2],
    /// Where the face's x (its left to right), y (up) and z (out of the face) axes end,
    /// in frame pixels, each about half a face long.
    pub axes: [[f32; 2]; 3],
}

/// The newest rendered frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameUpdate {
    /// Its position in the source.
    pub index: u64,
    /// Which load of the bundle drew it: frames of a reloaded bundle have a larger number.
    pub generation: u64,
    /// Its time in the source, seconds.
    pub time_s: f64,
    /// With the effect.
    pub rendered: PreviewImage,
    /// Without it (for before/after).
    pub source: PreviewImage,
    /// How long each stage took.
    pub times: StageTimes,
    /// The faces, for the overlays.
    pub faces: Vec<FaceOverlay>,
    /// The trigger events since the last frame shown (of dropped frames too), oldest first.
    pub events: Vec<TriggerNotice>,
}

/// A trigger rule turned on or off for a face.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerNotice {
    /// The rule's name.
    pub rule: String,
    /// The face.
    pub face_id: u32,
    /// Started or ended.
    pub phase: TriggerPhase,
}

/// What to preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRequest {
    /// A bundle folder or `.effect` file.
    pub bundle: PathBuf,
    /// An image, image folder or video.
    pub source: PathBuf,
}

/// A running preview, as the UI sees it.
pub trait PreviewPort {
    /// Sends a command; it applies from the next frame the worker draws.
    fn send(&self, command: PreviewCommand);
    /// The newest frame drawn since the last call, if any (older ones were dropped).
    fn latest_frame(&self) -> Option<FrameUpdate>;
    /// The next event, if one is waiting.
    fn try_event(&self) -> Option<PreviewEvent>;
}

/// Starts a preview; the error says what to fix. A launcher must return at once: the
/// bundle and source are opened on the worker, and their problems arrive as events.
pub type Launcher = Arc<dyn Fn(&OpenRequest) -> Result<Box<dyn PreviewPort>, String> + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_becomes_opaque_rgba() {
        let image = PreviewImage::from_rgb(2, 1, &[1, 2, 3, 4, 5, 6]);
        assert_eq!((image.width, image.height), (2, 1));
        match image.handle {
            image::Handle::Rgba { pixels, .. } => {
                assert_eq!(&pixels[..], &[1, 2, 3, 255, 4, 5, 6, 255]);
            }
            other => panic!("not RGBA: {other:?}"),
        }
    }
}
