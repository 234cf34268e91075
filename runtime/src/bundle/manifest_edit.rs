//! Editing `effect.toml` the way an authoring tool does, keeping every comment and the
//! layout of what an edit does not touch, and replacing the file atomically:
//! - live parameter values written back as their new defaults (a designer's "save"): only
//!   the `default` of each changed `[[layer.parameter]]` (and the layer's own key of the
//!   same name, which the parameter drives) is rewritten;
//! - structural edits ([`structure`]): layers and trigger rules added, removed, moved,
//!   renamed and tuned, each refused whole when the result would not check;
//! - a whole text put back (undo and redo), only over the text the editor last wrote.

mod structure;

use std::path::Path;

pub use structure::{FieldValue, ManifestEdit, apply_edit, inline_table};

use effect_api::plugin::Value;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

use crate::atomic_file;

/// One parameter's new default.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterDefault {
    /// The layer's name.
    pub layer: String,
    /// The parameter's name.
    pub parameter: String,
    /// The value, which must match the parameter's `type`.
    pub value: Value,
}

/// Why the defaults could not be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestEditError {
    /// The manifest is not TOML (fix it first; `lensmith validate` says where).
    #[error("{file}: cannot be edited, it is not valid TOML: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// The parser's message, with its line and column.
        message: String,
    },
    /// The layer or parameter is not in the manifest (any more).
    #[error("{file}: {what} is not in the manifest; reload the bundle and try again")]
    Missing {
        /// The file.
        file: String,
        /// Which layer or parameter.
        what: String,
    },
    /// The value does not fit the parameter's declared type.
    #[error("{file}: layer `{layer}`, parameter `{parameter}`: {problem}")]
    Value {
        /// The file.
        file: String,
        /// The layer.
        layer: String,
        /// The parameter.
        parameter: String,
        /// What does not fit.
        problem: String,
    },
    /// A layer or trigger of that name is there already.
    #[error("{file}: there is already {what}; choose another name")]
    NameTaken {
        /// The file.
        file: String,
        /// What is taken.
        what: String,
    },
    /// The edit would leave a manifest the checker refuses; nothing was changed.
    #[error("{file}: cannot {edit}: {}", problems.join("; "))]
    Rejected {
        /// The file.
        file: String,
        /// The edit, in words.
        edit: String,
        /// What the checker found, each with its hint.
        problems: Vec<String>,
    },
    /// The file changed on disk since the editor wrote it (an edit in a text editor):
    /// putting an older text back would lose that change.
    #[error(
        "{file}: changed on disk since the studio last wrote it; the undo history stops here (edit it again, or undo in the text editor)"
    )]
    ChangedOnDisk {
        /// The file.
        file: String,
    },
    /// Reading or writing the file failed.
    #[error("{file}: cannot {action}: {message}")]
    Io {
        /// The file.
        file: String,
        /// What was being done.
        action: &'static str,
        /// The system's message.
        message: String,
    },
}

/// `text` (an `effect.toml` named `file` in messages) with each change's parameter
/// default set.
pub fn set_parameter_defaults(
    text: &str,
    file: &str,
    changes: &[ParameterDefault],
) -> Result<String, ManifestEditError> {
    let mut document = parse_document(text, file)?;
    for change in changes {
        let missing = |what: String| ManifestEditError::Missing {
            file: file.to_owned(),
            what,
        };
        let layer = document
            .get_mut("layer")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|layers| named_mut(layers, &change.layer))
            .ok_or_else(|| missing(format!("layer `{}`", change.layer)))?;
        let parameter = layer
            .get_mut("parameter")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|parameters| named_mut(parameters, &change.parameter))
            .ok_or_else(|| {
                missing(format!(
                    "parameter `{}` of layer `{}`",
                    change.parameter, change.layer
                ))
            })?;
        let declared = parameter
            .get("type")
            .and_then(Item::as_str)
            .unwrap_or_default()
            .to_owned();
        let value =
            toml_value(&declared, change.value).map_err(|problem| ManifestEditError::Value {
                file: file.to_owned(),
                layer: change.layer.clone(),
                parameter: change.parameter.clone(),
                problem,
            })?;
        replace_keeping_decor(parameter, "default", value.clone());
        // The layer's own key of the same name (`opacity = 0.85`) says the same thing;
        // keep the two in step so the file does not contradict itself.
        if layer.contains_key(&change.parameter) {
            replace_keeping_decor(layer, &change.parameter, value);
        }
    }
    Ok(document.to_string())
}

/// Sets the defaults in the manifest at `path` and replaces the file atomically.
pub fn save_parameter_defaults(
    path: &Path,
    changes: &[ParameterDefault],
) -> Result<(), ManifestEditError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| io_error(&file, "read it", &error))?;
    let edited = set_parameter_defaults(&text, &file, changes)?;
    write_whole(path, &edited)
}

/// An edit written to a file: the file's text before and after it, for undo and redo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedEdit {
    /// The text before.
    pub before: String,
    /// The text written.
    pub after: String,
}

/// Makes `edit` in the manifest at `path` and replaces the file atomically; a refused
/// edit leaves the file as it was.
pub fn save_edit(path: &Path, edit: &ManifestEdit) -> Result<SavedEdit, ManifestEditError> {
    let file = path.display().to_string();
    let before =
        std::fs::read_to_string(path).map_err(|error| io_error(&file, "read it", &error))?;
    let after = apply_edit(&before, &file, edit)?;
    write_whole(path, &after)?;
    Ok(SavedEdit { before, after })
}

/// Puts `text` back into the manifest at `path` (an undo or redo), only when the file
/// still holds `expected`, the text the editor itself last wrote.
pub fn replace_text(path: &Path, expected: &str, text: &str) -> Result<(), ManifestEditError> {
    let file = path.display().to_string();
    let now = std::fs::read_to_string(path).map_err(|error| io_error(&file, "read it", &error))?;
    if now != expected {
        return Err(ManifestEditError::ChangedOnDisk { file });
    }
    write_whole(path, text)
}

fn io_error(file: &str, action: &'static str, error: &std::io::Error) -> ManifestEditError {
    ManifestEditError::Io {
        file: file.to_owned(),
        action,
        message: error.to_string(),
    }
}

/// Replaces the file at `path` with `text`, whole or not at all.
fn write_whole(path: &Path, text: &str) -> Result<(), ManifestEditError> {
    atomic_file::write(path, text)
        .map_err(|error| io_error(&path.display().to_string(), "write it", &error))
}

/// `text` as an editable TOML document, or why it is not one.
fn parse_document(text: &str, file: &str) -> Result<DocumentMut, ManifestEditError> {
    text.parse()
        .map_err(|error: toml_edit::TomlError| ManifestEditError::Syntax {
            file: file.to_owned(),
            message: error.to_string(),
        })
}

/// The table in `tables` whose `name` is `name`.
fn named_mut<'a>(tables: &'a mut ArrayOfTables, name: &str) -> Option<&'a mut Table> {
    tables
        .iter_mut()
        .find(|table| table.get("name").and_then(Item::as_str) == Some(name))
}

/// `value` as TOML for a parameter of type `declared`.
fn toml_value(declared: &str, value: Value) -> Result<toml_edit::Value, String> {
    Ok(match (declared, value) {
        ("float", Value::Float(number)) if number.is_finite() => number.into(),
        ("float", Value::Int(number)) => (number as f64).into(),
        ("int", Value::Int(number)) => number.into(),
        ("int", Value::Float(number)) if number.fract() == 0.0 && number.is_finite() => {
            (number as i64).into()
        }
        ("bool", Value::Bool(on)) => on.into(),
        ("color", Value::Color(rgba)) => {
            let channels = rgba
                .iter()
                .map(|&channel| f64::from((channel.clamp(0.0, 1.0) * 1000.0).round() / 1000.0));
            toml_edit::Value::Array(channels.collect())
        }
        (declared, value) => return Err(format!("{value:?} does not fit type `{declared}`")),
    })
}

/// Sets `key` in `table` to `value`, keeping the comment and spacing around the old value.
fn replace_keeping_decor(table: &mut Table, key: &str, mut value: toml_edit::Value) {
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    table.insert(key, Item::Value(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"# The effect.
[effect]
id = "com.example.x"   # reverse DNS

[[layer]]
kind = "face_mask"
name = "paint"
opacity = 0.85   # how strong

# Lets the app fade the paint.
[[layer.parameter]]
name = "opacity"
type = "float"
min = 0.0
max = 1.0
default = 0.85 # the starting value

[[layer]]
kind = "plugin"
name = "glow"
library = "plugins/glow"

[[layer.parameter]]
name = "tint"
type = "color"
default = [1.0, 0.5, 0.0]

[[layer.parameter]]
name = "count"
type = "int"
min = 1
max = 9
default = 3
"#;

    fn change(layer: &str, parameter: &str, value: Value) -> ParameterDefault {
        ParameterDefault {
            layer: layer.to_owned(),
            parameter: parameter.to_owned(),
            value,
        }
    }

    #[test]
    fn only_the_defaults_change_and_every_comment_stays() {
        let edited = set_parameter_defaults(
            MANIFEST,
            "effect.toml",
            &[
                change("paint", "opacity", Value::Float(0.4)),
                change("glow", "tint", Value::Color([0.25, 1.0, 0.0, 1.0])),
                change("glow", "count", Value::Int(7)),
            ],
        )
        .unwrap();
        let expected = MANIFEST
            .replace(
                "opacity = 0.85   # how strong",
                "opacity = 0.4   # how strong",
            )
            .replace(
                "default = 0.85 # the starting value",
                "default = 0.4 # the starting value",
            )
            .replace(
                "default = [1.0, 0.5, 0.0]",
                "default = [0.25, 1.0, 0.0, 1.0]",
            )
            .replace("default = 3", "default = 7");
        assert_eq!(edited, expected);
        // The result is still a manifest the checker accepts as TOML.
        assert!(edited.parse::<toml::Table>().is_ok());
    }

    #[test]
    fn missing_names_and_wrong_types_are_refused_with_their_place() {
        let missing = set_parameter_defaults(
            MANIFEST,
            "fx/effect.toml",
            &[change("paint", "scale", Value::Float(1.0))],
        )
        .unwrap_err();
        assert_eq!(
            missing.to_string(),
            "fx/effect.toml: parameter `scale` of layer `paint` is not in the manifest; \
             reload the bundle and try again"
        );
        let wrong = set_parameter_defaults(
            MANIFEST,
            "fx/effect.toml",
            &[change("glow", "count", Value::Bool(true))],
        )
        .unwrap_err();
        assert!(
            wrong.to_string().contains("does not fit type `int`"),
            "{wrong}"
        );
        let broken = set_parameter_defaults("[effect\n", "fx/effect.toml", &[]).unwrap_err();
        assert!(
            matches!(broken, ManifestEditError::Syntax { .. }),
            "{broken}"
        );
    }

    #[test]
    fn saving_replaces_the_file_whole_and_leaves_nothing_beside_it() {
        let folder =
            std::env::temp_dir().join(format!("lensmith-manifest-edit-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("effect.toml");
        std::fs::write(&path, MANIFEST).unwrap();
        save_parameter_defaults(&path, &[change("glow", "count", Value::Int(5))]).unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        assert_eq!(saved, MANIFEST.replace("default = 3", "default = 5"));
        let names: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["effect.toml"]);
        // A refused change leaves the file as it was.
        assert!(save_parameter_defaults(&path, &[change("x", "y", Value::Int(1))]).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), saved);
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn an_undo_puts_a_text_back_only_over_what_the_editor_wrote() {
        let folder =
            std::env::temp_dir().join(format!("lensmith-manifest-undo-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("effect.toml");
        const MANIFEST: &str = "[effect]\nid = \"com.example.x\"\nname = \"X\"\n\
            version = \"0.1.0\"\napi_version = \"1.0\"\n\n[[layer]]\nkind = \"lut\"\n\
            name = \"glow\"\nfile = \"luts/warm.cube\"\nstrength = 0.85\n";
        std::fs::write(&path, MANIFEST).unwrap();
        let rename = ManifestEdit::RenameLayer {
            layer: "glow".into(),
            to: "shine".into(),
        };
        let saved = save_edit(&path, &rename).unwrap();
        assert_eq!(saved.before, MANIFEST);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), saved.after);
        replace_text(&path, &saved.after, &saved.before).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), MANIFEST);
        // Someone edits the file in a text editor: the redo is refused, the edit kept.
        std::fs::write(&path, MANIFEST.replace("0.85", "0.5")).unwrap();
        let refused = replace_text(&path, MANIFEST, &saved.after).unwrap_err();
        assert!(matches!(refused, ManifestEditError::ChangedOnDisk { .. }));
        assert!(std::fs::read_to_string(&path).unwrap().contains("0.5"));
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
