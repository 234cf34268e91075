//! Writing live parameter values back into `effect.toml` as their new defaults, the way a
//! designer's "save" in an authoring tool does: only the `default` of each changed
//! `[[layer.parameter]]` (and the layer's own key of the same name, which the parameter
//! drives) is rewritten; comments, order and layout stay as the designer left them, and
//! the file is replaced atomically.

use std::path::Path;

use effect_api::plugin::Value;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

use crate::atomic_file::PendingFile;

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
    let mut document: DocumentMut =
        text.parse()
            .map_err(|error: toml_edit::TomlError| ManifestEditError::Syntax {
                file: file.to_owned(),
                message: error.to_string(),
            })?;
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
    let io = |action: &'static str, error: std::io::Error| ManifestEditError::Io {
        file: file.clone(),
        action,
        message: error.to_string(),
    };
    let text = std::fs::read_to_string(path).map_err(|error| io("read it", error))?;
    let edited = set_parameter_defaults(&text, &file, changes)?;
    let pending = PendingFile::new(path);
    std::fs::write(pending.temp(), edited).map_err(|error| io("write it", error))?;
    pending.commit().map_err(|error| io("replace it", error))
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
}
