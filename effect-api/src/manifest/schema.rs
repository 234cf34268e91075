//! The shape of `effect.toml`, as data: which keys each table takes, of which type, and
//! which are required. The checker walks a parsed file against it, so that every unknown
//! key, wrong type and missing key is reported at once with its position.

use crate::expression::Expression;

/// What a value must be.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Any string.
    Text,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A whole number.
    Integer,
    /// A number (whole numbers accepted).
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array whose items are each of the inner kind.
    ArrayOf(&'static Kind),
    /// A table with these fields.
    Table(&'static [Field]),
    /// An array of tables with these fields.
    Tables(&'static [Field]),
    /// An array of layer tables, whose fields depend on their `kind`.
    Layers,
    /// Anything (a plugin's own settings).
    Free,
}

/// One key of a table.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The key.
    pub name: &'static str,
    /// What its value must be.
    pub kind: Kind,
    /// Whether the key must be present.
    pub required: bool,
}

const fn required(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

const fn optional(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// Trigger signal names (`when`).
pub const SIGNALS: &[&str] = &{
    let mut names = [""; Expression::ALL.len() + 2];
    let mut index = 0;
    while index < Expression::ALL.len() {
        names[index] = Expression::ALL[index].name();
        index += 1;
    }
    names[index] = "face_found";
    names[index + 1] = "face_lost";
    names
};

const FACES: Kind = Kind::OneOf(&["all", "first"]);
const BLEND: Kind = Kind::OneOf(&["normal", "multiply", "screen", "add"]);
const LAYOUT: Kind = Kind::OneOf(&["nchw", "nhwc"]);

/// The whole file.
pub const MANIFEST: &[Field] = &[
    required("effect", Kind::Table(EFFECT)),
    optional("budget", Kind::Table(BUDGET)),
    optional("trigger", Kind::Tables(TRIGGER)),
    optional("layer", Kind::Layers),
];

const EFFECT: &[Field] = &[
    required("id", Kind::Text),
    required("name", Kind::Text),
    required("version", Kind::Text),
    required("api_version", Kind::Text),
    optional("author", Kind::Text),
    optional("description", Kind::Text),
    optional("thumbnail", Kind::Text),
];

const BUDGET: &[Field] = &[
    optional("max_total_mb", Kind::Number),
    optional("max_texture_px", Kind::Integer),
    optional("max_model_mb", Kind::Number),
    optional("device_class", Kind::OneOf(&["low", "mid", "high"])),
];

const TRIGGER: &[Field] = &[
    required("name", Kind::Text),
    required("when", Kind::OneOf(SIGNALS)),
    optional("on", Kind::Number),
    optional("off", Kind::Number),
    optional("hold_ms", Kind::Integer),
    optional("cooldown_ms", Kind::Integer),
    optional("mode", Kind::OneOf(&["while_active", "toggle", "once"])),
];

const PARAMETER: &[Field] = &[
    required("name", Kind::Text),
    required("type", Kind::OneOf(&["float", "int", "bool", "color"])),
    optional("min", Kind::Number),
    optional("max", Kind::Number),
    required("default", Kind::Free),
];

/// Fields every layer takes, whatever its kind.
pub const LAYER_COMMON: &[Field] = &[
    required("kind", Kind::OneOf(LAYER_KINDS)),
    required("name", Kind::Text),
    optional("trigger", Kind::Text),
    optional("parameter", Kind::Tables(PARAMETER)),
];

/// The layer kinds.
pub const LAYER_KINDS: &[&str] = &["face_model", "face_mask", "sticker", "lut", "plugin"];

/// The fields of one layer kind, besides the common ones.
pub fn layer_fields(kind: &str) -> Option<&'static [Field]> {
    Some(match kind {
        "face_model" => FACE_MODEL,
        "face_mask" => FACE_MASK,
        "sticker" => STICKER,
        "lut" => LUT,
        "plugin" => PLUGIN,
        _ => return None,
    })
}

const FACE_MODEL: &[Field] = &[
    required("model", Kind::Text),
    optional("crop_size", Kind::Integer),
    optional("input_layout", LAYOUT),
    optional("output_layout", LAYOUT),
    optional(
        "value_range",
        Kind::OneOf(&["minus_one_to_one", "zero_to_one", "zero_to_255"]),
    ),
    optional("channel_order", Kind::OneOf(&["rgb", "bgr"])),
    optional("opacity", Kind::Number),
    optional("feather", Kind::Number),
    optional("region", Kind::OneOf(&["face_oval", "head", "crop"])),
    optional("faces", FACES),
];

const FACE_MASK: &[Field] = &[
    required("texture", Kind::Text),
    optional("blend", BLEND),
    optional("opacity", Kind::Number),
    optional("eye_holes", Kind::Boolean),
    optional("mouth_hole", Kind::Boolean),
    optional("faces", FACES),
];

const STICKER: &[Field] = &[
    required("image", Kind::Text),
    required("anchor", Kind::ArrayOf(&Kind::Integer)),
    optional("offset", Kind::ArrayOf(&Kind::Number)),
    optional("scale", Kind::Number),
    optional("rotation_deg", Kind::Number),
    optional("blend", BLEND),
    optional("opacity", Kind::Number),
    optional("faces", FACES),
];

const LUT: &[Field] = &[
    required("file", Kind::Text),
    optional("scope", Kind::OneOf(&["frame", "face"])),
    optional("strength", Kind::Number),
];

const PLUGIN: &[Field] = &[
    required("library", Kind::Text),
    optional("settings", Kind::Free),
    optional("irises", Kind::Boolean),
];
