//! The bundle manifest, `effect.toml`: who made the effect and which runtime contract it
//! needs, its trigger rules, its ordered layers (each with live parameters and an
//! optional trigger), and the budgets it must fit.
//!
//! ```toml
//! [effect]
//! id = "com.example.cartoon"      # reverse-DNS, unique per effect
//! name = "Cartoon"
//! version = "1.2.0"               # semver
//! api_version = "1.0"             # the runtime contract it was made for
//! author = "Example Studio"
//! description = "A cartoon look on every face."
//! thumbnail = "thumbnail.png"
//!
//! [budget]
//! max_total_mb = 20.0
//! max_texture_px = 2048
//! max_model_mb = 12.0
//! device_class = "mid"
//!
//! [[trigger]]                     # same form as a rule file (see `trigger`)
//! name = "open_mouth"
//! when = "mouth_open"
//!
//! [[layer]]
//! kind = "face_model"
//! name = "cartoon"
//! model = "models/cartoon.onnx"
//! crop_size = 256
//! trigger = "open_mouth"          # optional: the layer shows while the trigger is on
//!
//! [[layer.parameter]]
//! name = "opacity"
//! type = "float"
//! min = 0.0
//! max = 1.0
//! default = 0.8
//! ```

mod check;
mod layer;
pub mod schema;
mod semantics;
#[cfg(test)]
mod tests;

pub use check::{CheckedManifest, check};
pub use semantics::bundle_path_problem;

pub use layer::{
    BlendMode, ChannelOrder, FaceModelLayer, FaceSelection, LayerKind, LutLayer, LutScope,
    MaskLayer, PasteRegion, PluginLayer, StickerLayer, TensorLayout, TensorRange,
};

use serde::{Deserialize, Serialize};

use crate::trigger::TriggerRule;

/// The runtime contract this build of Lensmith implements, `major.minor`. A bundle that
/// names a newer contract, major or minor, is refused with the version it needs: a newer
/// minor adds manifest fields and signals that this build would not understand (its
/// checker reports unknown keys), so playing it "minus what it added" would play another
/// effect than its designer made. An older minor of the same major plays.
pub const API_VERSION: (u32, u32) = (1, 0);

/// The folder at a bundle's root that holds its golden-frame tests (`tests/golden.toml`
/// and the expected frames), for `lensmith test`. Packing leaves it out and the bundle's
/// size does not count it, so manifest paths may not point into it.
pub const TESTS_FOLDER: &str = "tests";

/// A whole `effect.toml`. Unknown keys are not refused here but by [`check`], which
/// reports them all with their positions and still checks the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Identity and description.
    pub effect: EffectInfo,
    /// Size limits the bundle must fit.
    #[serde(default)]
    pub budget: Budget,
    /// Trigger rules that layers refer to by name.
    #[serde(default, rename = "trigger")]
    pub triggers: Vec<TriggerRule>,
    /// The layers, drawn in order (the first is at the bottom).
    #[serde(default, rename = "layer")]
    pub layers: Vec<Layer>,
}

/// The `[effect]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectInfo {
    /// Reverse-DNS identifier, e.g. `com.example.cartoon`.
    pub id: String,
    /// Name shown to users.
    pub name: String,
    /// The effect's own version, semver (`1.2.0`).
    pub version: String,
    /// The runtime contract it needs, `major.minor`.
    pub api_version: String,
    /// Who made it.
    #[serde(default)]
    pub author: String,
    /// One or two sentences for a gallery.
    #[serde(default)]
    pub description: String,
    /// A picture for galleries, a path inside the bundle.
    #[serde(default)]
    pub thumbnail: Option<String>,
}

/// Which phones an effect is meant for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    /// Entry-level phones.
    Low,
    /// Mid-range phones (the default).
    #[default]
    Mid,
    /// Flagships.
    High,
}

/// The `[budget]` table: limits the bundle must stay within.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Budget {
    /// Total size of every file in the bundle, in MiB.
    pub max_total_mb: f64,
    /// Largest width or height of any image, in pixels.
    pub max_texture_px: u32,
    /// Largest model file, in MiB.
    pub max_model_mb: f64,
    /// The phones it targets.
    pub device_class: DeviceClass,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_total_mb: 50.0,
            max_texture_px: 4096,
            max_model_mb: 30.0,
            device_class: DeviceClass::Mid,
        }
    }
}

/// One layer: what it draws (`kind` and its fields), when, and what may be tuned live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// Name, unique within the effect; parameters are addressed as `layer.parameter`.
    pub name: String,
    /// The name of a `[[trigger]]` rule: the layer shows while it is on. Always on without.
    #[serde(default)]
    pub trigger: Option<String>,
    /// Live parameters.
    #[serde(default, rename = "parameter")]
    pub parameters: Vec<Parameter>,
    /// What the layer draws.
    #[serde(flatten)]
    pub kind: LayerKind,
}

/// A value a designer or app may change while the effect plays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Name, unique within its layer.
    pub name: String,
    /// Type and range.
    #[serde(flatten)]
    pub value: ParameterValue,
}

/// A parameter's type, range and default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParameterValue {
    /// A number in `min..=max`.
    Float {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
        /// Starting value.
        default: f64,
    },
    /// A whole number in `min..=max`.
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
        /// Starting value.
        default: i64,
    },
    /// On or off.
    Bool {
        /// Starting value.
        default: bool,
    },
    /// An RGB(A) colour, each channel 0..=1.
    Color {
        /// Starting value.
        default: Vec<f64>,
    },
}
