//! A new layer of each kind as the layers panel adds it: a unique name, the fields its kind
//! requires, and a starting asset from the templates (the mask's UV guide texture, the
//! sticker's sparkles, a neutral LUT, the generative template's student) copied into the
//! bundle, so the effect plays at once and the designer swaps the asset for their own.

use std::path::Path;

use lensmith_runtime::bundle::manifest_edit::{FieldValue, ManifestEdit};

use super::assets::add_to_bundle;

/// The kinds a layer can be added as, in the order the panel offers them.
pub const ADDABLE_KINDS: &[&str] = &["sticker", "face_mask", "lut", "face_model"];

/// A 2×2×2 `.cube` that changes nothing: a grade to start from.
const NEUTRAL_CUBE: &str = "TITLE \"neutral\"\nLUT_3D_SIZE 2\n\
0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n";

/// The first of `stem`, `stem-2`, `stem-3`, … not in `taken`.
pub fn unique_name(stem: &str, taken: &[String]) -> String {
    (1..)
        .map(|number| {
            if number == 1 {
                stem.to_owned()
            } else {
                format!("{stem}-{number}")
            }
        })
        .find(|name| !taken.contains(name))
        .expect("an unbounded range has a free name")
}

fn template_file(template: &str, path: &str) -> Result<&'static [u8], String> {
    lensmith_templates::file(template, path)
        .ok_or_else(|| format!("the `{template}` template has no {path}; this build is incomplete"))
}

/// The edit adding a layer of `kind` to the bundle folder `bundle`, whose layers are named
/// `taken`; its starting asset is copied in first.
pub fn new_layer(bundle: &Path, kind: &str, taken: &[String]) -> Result<ManifestEdit, String> {
    let text = |value: &str| FieldValue::Text(value.to_owned());
    let (stem, fields) = match kind {
        "sticker" => {
            let image = add_to_bundle(
                bundle,
                "stickers",
                "sparkles.png",
                template_file("sticker", "stickers/sparkles.png")?,
            )?;
            (
                "sticker",
                vec![
                    ("image", text(&image)),
                    ("anchor", FieldValue::Integers(vec![10])),
                    ("offset", FieldValue::Numbers(vec![0.0, -0.45])),
                    ("scale", FieldValue::Number(1.0)),
                ],
            )
        }
        "face_mask" => {
            let texture = add_to_bundle(
                bundle,
                "textures",
                "mask.png",
                template_file("mask", "textures/mask.png")?,
            )?;
            (
                "mask",
                vec![
                    ("texture", text(&texture)),
                    ("blend", text("normal")),
                    ("opacity", FieldValue::Number(0.9)),
                ],
            )
        }
        "lut" => {
            let file = add_to_bundle(bundle, "luts", "neutral.cube", NEUTRAL_CUBE.as_bytes())?;
            (
                "grade",
                vec![
                    ("file", text(&file)),
                    ("scope", text("frame")),
                    ("strength", FieldValue::Number(1.0)),
                ],
            )
        }
        "face_model" => {
            let model = add_to_bundle(
                bundle,
                "models",
                "student.onnx",
                template_file("generative", "models/student.onnx")?,
            )?;
            (
                "model",
                vec![
                    ("model", text(&model)),
                    ("crop_size", FieldValue::Integer(256)),
                    ("input_layout", text("nchw")),
                    ("output_layout", text("nchw")),
                    ("value_range", text("minus_one_to_one")),
                    ("channel_order", text("rgb")),
                    ("feather", FieldValue::Number(0.08)),
                    ("region", text("face_oval")),
                ],
            )
        }
        "plugin" => {
            return Err(
                "a plugin layer needs a built plugin: make the effect with New from the `plugin` template, or build one with `lensmith plugin build` and add its layer in effect.toml"
                    .to_owned(),
            );
        }
        other => return Err(format!("there is no layer kind `{other}`")),
    };
    Ok(ManifestEdit::AddLayer {
        kind: kind.to_owned(),
        name: unique_name(stem, taken),
        fields: fields
            .into_iter()
            .map(|(field, value)| (field.to_owned(), value))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let taken = vec!["sticker".to_owned(), "sticker-2".to_owned()];
        assert_eq!(unique_name("sticker", &taken), "sticker-3");
        assert_eq!(unique_name("mask", &taken), "mask");
    }

    #[test]
    fn the_neutral_cube_is_a_valid_lut() {
        lensmith_runtime::bundle::validate::check_cube(NEUTRAL_CUBE.as_bytes()).unwrap();
    }
}
