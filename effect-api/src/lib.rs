//! The stable contract of Lensmith: the frame and face types that the runtime, effect
//! plugins and embedding hosts share. It depends on serde and thiserror only.

pub mod face;
pub mod frame;
pub mod geometry;

pub use face::{DetectionKeypoint, FaceDetection};
pub use frame::{Frame, FrameError, FrameView, PixelFormat};
pub use geometry::{Point2, Rect};
