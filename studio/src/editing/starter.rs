//! A new layer of each kind as the layers panel adds it: a unique name, the fields its kind
//! requires, and a starting asset from the templates (the mask's UV guide texture, the
//! sticker's sparkles, a neutral LUT, the generative template's student) copied into the
//! bundle, so the effect plays at once and the designer swaps the asset for their own.

use std::path::Path;

use lensmith_runtime::bundle::manifest_edit::{FieldValue, ManifestEdit};

use lensmith_runtime::plugin::binary_header::read_header;
use lensmith_runtime::plugin::build::install_library;
use lensmith_runtime::plugin::platform_folder::PlatformFolder;

use super::assets::add_to_bundle;

/// The kinds a layer can be added as, in the order the panel offers them (a plugin layer
/// starts from a built library the designer chooses: [`plugin_layer`]).
pub const ADDABLE_KINDS: &[&str] = &["sticker", "face_mask", "lut", "face_model", "plugin"];

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
                "a plugin layer starts from a built plugin library: choose it when adding the layer (make one with New from the `plugin` template, or `lensmith plugin build`)"
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

/// The edit adding a plugin layer for the built library at `library`, which is copied into
/// the bundle folder `bundle` under this machine's platform folder
/// (`plugins/linux-x86_64/libglitter.so` for `plugins/glitter`). A file that is not a
/// library this machine can load is refused before anything is copied, saying what it is.
pub fn plugin_layer(
    bundle: &Path,
    library: &Path,
    taken: &[String],
) -> Result<ManifestEdit, String> {
    let bytes = std::fs::read(library)
        .map_err(|error| format!("{}: cannot read it: {error}", library.display()))?;
    let folder = PlatformFolder::current()
        .ok_or("this machine's platform has no plugin folder; add the layer in effect.toml")?;
    let header = read_header(&bytes).map_err(|error| format!("{}: {error}", library.display()))?;
    if !folder.accepts(&header) {
        return Err(format!(
            "{} is {}; a plugin for this machine must be {} (build it with `lensmith plugin build`)",
            library.display(),
            header.describe(),
            folder.needs()
        ));
    }
    let stem = library
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = stem.strip_prefix("lib").unwrap_or(&stem).replace('-', "_");
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "{}: a plugin library's name must be letters, digits and underscores (libglitter.so)",
            library.display()
        ));
    }
    let key = format!("plugins/{name}");
    install_library(library, bundle, &key).map_err(|error| error.to_string())?;
    Ok(ManifestEdit::AddLayer {
        kind: "plugin".to_owned(),
        name: unique_name(&name.replace('_', "-"), taken),
        fields: vec![("library".to_owned(), FieldValue::Text(key))],
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
    fn a_file_that_is_no_library_for_this_machine_is_refused_before_anything_is_copied() {
        let bundle =
            std::env::temp_dir().join(format!("lensmith-studio-plugin-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&bundle);
        std::fs::create_dir_all(&bundle).unwrap();
        let bogus = bundle.join("libglitter.so");
        std::fs::write(&bogus, b"random bytes, not a library").unwrap();
        let refused = plugin_layer(&bundle, &bogus, &[]).unwrap_err();
        assert!(
            refused.contains("libglitter.so") && refused.contains("neither ELF"),
            "{refused}"
        );
        assert!(!bundle.join("plugins").exists());
        std::fs::remove_dir_all(&bundle).unwrap();
    }

    #[test]
    fn the_neutral_cube_is_a_valid_lut() {
        lensmith_runtime::bundle::validate::check_cube(NEUTRAL_CUBE.as_bytes()).unwrap();
    }
}
