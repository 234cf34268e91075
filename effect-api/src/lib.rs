//! The stable contract of Lensmith: the frame and face types, expressions and trigger
//! rules that the runtime, effect plugins and embedding hosts share. It depends on serde,
//! toml and thiserror only.

pub mod expression;
pub mod face;
pub mod frame;
pub mod geometry;
pub mod trigger;

pub use expression::{Expression, ExpressionScores};
pub use face::{DetectionKeypoint, FaceDetection};
pub use frame::{Frame, FrameError, FrameView, PixelFormat};
pub use geometry::{Point2, Rect};
pub use trigger::{
    TriggerEvent, TriggerFileError, TriggerMode, TriggerPhase, TriggerRule, TriggerRuleError,
    TriggerRules, TriggerSignal,
};
