//! The stable contract of Lensmith: the frame and face types, expressions and trigger
//! rules that the runtime, effect plugins and embedding hosts share. It depends on serde,
//! toml and thiserror only.

pub mod diagnostic;
pub mod expression;
pub mod face;
pub mod face_regions;
pub mod frame;
pub mod geometry;
pub mod manifest;
pub mod plugin;
pub mod trigger;

pub use diagnostic::Diagnostic;
pub use expression::{Expression, ExpressionScores};
pub use face::{DetectionKeypoint, FaceDetection};
pub use frame::{Frame, FrameError, FrameView, PixelFormat};
pub use geometry::{Point2, Rect};
pub use manifest::{API_VERSION, Layer, LayerKind, Manifest, Parameter, ParameterValue};
pub use trigger::{
    TriggerEvent, TriggerFileError, TriggerMode, TriggerPhase, TriggerRule, TriggerRuleError,
    TriggerRuleProblem, TriggerRules, TriggerSignal,
};
