//! The layer kinds an effect is built from. Rendering them is the runtime's job; here is
//! only what a manifest says about each.

use serde::{Deserialize, Serialize};

/// What a layer draws, chosen by its `kind` key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LayerKind {
    /// An image-to-image model run on the stable face crop and blended back.
    FaceModel(FaceModelLayer),
    /// A texture in the canonical face mesh's UV space, drawn on the face.
    FaceMask(MaskLayer),
    /// An image anchored to landmarks, following the face.
    Sticker(StickerLayer),
    /// A colour grade from a `.cube` file.
    Lut(LutLayer),
    /// A native plugin.
    Plugin(PluginLayer),
}

impl LayerKind {
    /// The `kind` name as written in the manifest.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::FaceModel(_) => "face_model",
            Self::FaceMask(_) => "face_mask",
            Self::Sticker(_) => "sticker",
            Self::Lut(_) => "lut",
            Self::Plugin(_) => "plugin",
        }
    }

    /// The value the layer's own field gives the live property `name` (one of
    /// [`LayerKind::live_properties`]), before any parameter sets it.
    pub fn live_property(&self, name: &str) -> Option<f64> {
        match (self, name) {
            (Self::FaceModel(layer), "opacity") => Some(layer.opacity),
            (Self::FaceModel(layer), "feather") => Some(layer.feather),
            (Self::FaceMask(layer), "opacity") => Some(layer.opacity),
            (Self::Sticker(layer), "opacity") => Some(layer.opacity),
            (Self::Sticker(layer), "scale") => Some(layer.scale),
            (Self::Sticker(layer), "rotation_deg") => Some(layer.rotation_deg),
            (Self::Lut(layer), "strength") => Some(layer.strength),
            _ => None,
        }
    }

    /// The properties a float parameter of the same name drives live, as
    /// `(name, smallest, largest)`; a plugin layer's parameters go to the plugin instead
    /// (`None`).
    pub const fn live_properties(&self) -> Option<&'static [(&'static str, f64, f64)]> {
        match self {
            Self::FaceModel(_) => Some(&[("opacity", 0.0, 1.0), ("feather", 0.0, 0.5)]),
            Self::FaceMask(_) => Some(&[("opacity", 0.0, 1.0)]),
            Self::Sticker(_) => Some(&[
                ("opacity", 0.0, 1.0),
                ("scale", 0.0, f64::INFINITY),
                ("rotation_deg", -360.0, 360.0),
            ]),
            Self::Lut(_) => Some(&[("strength", 0.0, 1.0)]),
            Self::Plugin(_) => None,
        }
    }
}

/// How a model's image tensor is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TensorLayout {
    /// Batch, channels, height, width (PyTorch's export).
    #[default]
    Nchw,
    /// Batch, height, width, channels (TensorFlow's).
    Nhwc,
}

/// The value range of a model's pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TensorRange {
    /// -1 to 1 (most GAN-distilled students).
    #[default]
    MinusOneToOne,
    /// 0 to 1.
    ZeroToOne,
    /// 0 to 255.
    ZeroTo255,
}

/// The order of a model's colour channels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelOrder {
    /// Red, green, blue (PyTorch and most exports).
    #[default]
    Rgb,
    /// Blue, green, red (OpenCV-trained models).
    Bgr,
}

/// Which faces a face layer applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceSelection {
    /// Every tracked face.
    #[default]
    All,
    /// Only the face tracked longest (the lowest id).
    First,
}

/// `kind = "face_model"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceModelLayer {
    /// The ONNX model, a path inside the bundle.
    pub model: String,
    /// Side of the square face crop the model takes, in pixels.
    #[serde(default = "default_crop_size")]
    pub crop_size: u32,
    /// Input tensor layout.
    #[serde(default)]
    pub input_layout: TensorLayout,
    /// Output tensor layout.
    #[serde(default)]
    pub output_layout: TensorLayout,
    /// Pixel value range of input and output.
    #[serde(default)]
    pub value_range: TensorRange,
    /// Colour channel order of input and output.
    #[serde(default)]
    pub channel_order: ChannelOrder,
    /// How much of the model's result shows, 0..=1.
    #[serde(default = "default_opacity")]
    pub opacity: f64,
    /// Width of the soft edge blending the result into the frame, as a fraction of the
    /// crop side (0..=0.5).
    #[serde(default = "default_feather")]
    pub feather: f64,
    /// Which part of the model's result reaches the frame, feathered at its edge.
    #[serde(default)]
    pub region: PasteRegion,
    /// Which faces it applies to.
    #[serde(default)]
    pub faces: FaceSelection,
}

/// The part of a face model's output that is blended into the frame. Every region is
/// feathered by the layer's `feather` and fades out before the crop's edge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasteRegion {
    /// Inside the face mesh's outline (forehead to chin, cheek to cheek): skin effects
    /// that must leave hair and background alone.
    #[default]
    FaceOval,
    /// The face outline widened and raised to take in the hair and ears, stopping at the
    /// jaw: looks that restyle the whole head (cartoons, hair colour).
    Head,
    /// The whole crop: looks that change the background around the face too.
    Crop,
}

fn default_crop_size() -> u32 {
    256
}

fn default_feather() -> f64 {
    0.08
}

/// How a mask or sticker combines with the frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlendMode {
    /// Ordinary alpha blending.
    #[default]
    Normal,
    /// Darkens: frame × texture.
    Multiply,
    /// Lightens: 1 − (1 − frame)(1 − texture).
    Screen,
    /// Adds light.
    Add,
}

/// `kind = "face_mask"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaskLayer {
    /// The texture (PNG with alpha), laid out in the canonical face mesh's UV space.
    pub texture: String,
    /// How it combines with the face.
    #[serde(default)]
    pub blend: BlendMode,
    /// 0..=1.
    #[serde(default = "default_opacity")]
    pub opacity: f64,
    /// Leave the eyes uncovered.
    #[serde(default = "default_true")]
    pub eye_holes: bool,
    /// Leave the mouth uncovered.
    #[serde(default = "default_true")]
    pub mouth_hole: bool,
    /// Which faces it applies to.
    #[serde(default)]
    pub faces: FaceSelection,
}

fn default_opacity() -> f64 {
    1.0
}

fn default_true() -> bool {
    true
}

/// `kind = "sticker"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StickerLayer {
    /// The image (PNG with alpha).
    pub image: String,
    /// The landmark(s) it is pinned to (MediaPipe indices: 0–467 the mesh, 468–477 the
    /// irises, which run the eye model); with several, their centre.
    pub anchor: Vec<u32>,
    /// Offset from the anchor in face widths, x to the face's right (the subject's left),
    /// y down the face.
    #[serde(default)]
    pub offset: [f64; 2],
    /// Width of the image in face widths.
    #[serde(default = "default_sticker_scale")]
    pub scale: f64,
    /// Extra rotation in degrees, on top of the face's own roll.
    #[serde(default)]
    pub rotation_deg: f64,
    /// How it combines with the frame.
    #[serde(default)]
    pub blend: BlendMode,
    /// 0..=1.
    #[serde(default = "default_opacity")]
    pub opacity: f64,
    /// Which faces it applies to.
    #[serde(default)]
    pub faces: FaceSelection,
}

fn default_sticker_scale() -> f64 {
    0.5
}

/// Where a colour grade applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LutScope {
    /// The whole frame.
    #[default]
    Frame,
    /// Inside the face only.
    Face,
}

/// `kind = "lut"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LutLayer {
    /// The `.cube` file.
    pub file: String,
    /// Where it applies.
    #[serde(default)]
    pub scope: LutScope,
    /// 0..=1: how much of the grade to apply.
    #[serde(default = "default_opacity")]
    pub strength: f64,
}

/// `kind = "plugin"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginLayer {
    /// The plugin's shared library, a path inside the bundle without the platform's folder,
    /// prefix and extension: `plugins/glitter` finds `plugins/linux-x86_64/libglitter.so`,
    /// `plugins/android-aarch64/libglitter.so`, `plugins/windows-x86_64/glitter.dll`, ...
    pub library: String,
    /// Free-form settings passed to the plugin as TOML text.
    #[serde(default)]
    pub settings: Option<toml::Table>,
    /// The plugin reads the irises: the eye model then runs on every face, and each face's
    /// landmarks hold 478 points, the irises at 468–477
    /// ([`crate::face_regions::LANDMARK_COUNT_WITH_IRISES`]).
    #[serde(default)]
    pub irises: bool,
}
