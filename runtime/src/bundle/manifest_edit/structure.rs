//! Structural edits of `effect.toml`, the authoring tool's layer and trigger editors:
//! layers added, removed, moved, renamed and their fields set; trigger rules added,
//! removed and tuned; the effect's own fields. Each edit keeps every comment and the
//! layout of what it does not touch, and is refused (nothing changes) when the edited
//! manifest would not pass the manifest checker.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

mod positions;

use positions::{after_all, first_position, make_room, move_table, push_at, visit_table};

use super::{ManifestEditError, named_mut, parse_document, replace_keeping_decor};

/// A value to set a manifest field to.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A string (a path, a name, one of a field's choices).
    Text(String),
    /// A number.
    Number(f64),
    /// A whole number.
    Integer(i64),
    /// `true` or `false`.
    Boolean(bool),
    /// An array of whole numbers (a sticker's `anchor`).
    Integers(Vec<i64>),
    /// An array of numbers (a sticker's `offset`).
    Numbers(Vec<f64>),
    /// A table written inline, given as the text between its braces (a plugin's
    /// `settings`: `strength = 0.5, mode = "soft"`).
    InlineTable(String),
    /// The key removed: the field takes its default.
    Remove,
}

/// One edit of the manifest, naming layers and triggers by their `name`.
#[derive(Debug, Clone, PartialEq)]
pub enum ManifestEdit {
    /// A new layer after the last one, with these fields besides `kind` and `name`.
    AddLayer {
        /// Its kind (`face_mask`, `sticker`, `lut`, `face_model`, `plugin`).
        kind: String,
        /// Its name, unique among the layers.
        name: String,
        /// Its other fields, in this order.
        fields: Vec<(String, FieldValue)>,
    },
    /// A layer removed, with its parameters and the comment above it.
    RemoveLayer {
        /// The layer.
        layer: String,
    },
    /// A layer moved to position `to` (0 is drawn first), with its parameters and comment.
    MoveLayer {
        /// The layer.
        layer: String,
        /// Its new position, clamped to the list.
        to: usize,
    },
    /// A layer renamed.
    RenameLayer {
        /// The layer.
        layer: String,
        /// The new name, unique among the layers.
        to: String,
    },
    /// One field of a layer set or removed.
    SetLayerField {
        /// The layer.
        layer: String,
        /// The field (`opacity`, `anchor`, `trigger`, …).
        field: String,
        /// Its value.
        value: FieldValue,
    },
    /// A live parameter (`[[layer.parameter]]`) added to a layer, after its others.
    AddParameter {
        /// The layer.
        layer: String,
        /// The parameter's name: for a face layer, the property it drives (`opacity`).
        parameter: String,
        /// Its type: `float`, `int`, `bool` or `color`.
        kind: String,
        /// The smallest value (numbers only).
        min: Option<f64>,
        /// The largest value (numbers only).
        max: Option<f64>,
        /// Its default.
        default: FieldValue,
    },
    /// A live parameter removed from a layer.
    RemoveParameter {
        /// The layer.
        layer: String,
        /// The parameter.
        parameter: String,
    },
    /// A new trigger rule after the last one (before the layers when it is the first).
    AddTrigger {
        /// Its name, unique among the rules.
        name: String,
        /// The signal it listens to (`smile`, `face_found`, …).
        when: String,
    },
    /// A trigger rule removed; layers shown by it are then shown always.
    RemoveTrigger {
        /// The rule.
        trigger: String,
    },
    /// A trigger rule renamed, and the layers shown by it follow.
    RenameTrigger {
        /// The rule.
        trigger: String,
        /// The new name, unique among the rules.
        to: String,
    },
    /// One field of a trigger rule set or removed.
    SetTriggerField {
        /// The rule.
        trigger: String,
        /// The field (`on`, `off`, `hold_ms`, `mode`, …).
        field: String,
        /// Its value.
        value: FieldValue,
    },
    /// One field of `[effect]` (`name`, `description`, `version`, …) or `[budget]`
    /// (`max_total_mb`, …) set or removed; a missing `[budget]` is made, before the
    /// triggers and layers.
    SetTableField {
        /// `effect` or `budget`.
        table: String,
        /// The field.
        field: String,
        /// Its value.
        value: FieldValue,
    },
}

impl ManifestEdit {
    /// What the edit does, in a few words (for undo lists and status lines).
    pub fn describe(&self) -> String {
        match self {
            Self::AddLayer { kind, name, .. } => format!("add {kind} layer `{name}`"),
            Self::RemoveLayer { layer } => format!("remove layer `{layer}`"),
            Self::MoveLayer { layer, to } => format!("move layer `{layer}` to place {}", to + 1),
            Self::RenameLayer { layer, to } => format!("rename layer `{layer}` to `{to}`"),
            Self::SetLayerField { layer, field, .. } => format!("set `{field}` of layer `{layer}`"),
            Self::AddParameter {
                layer, parameter, ..
            } => format!("add parameter `{parameter}` to layer `{layer}`"),
            Self::RemoveParameter { layer, parameter } => {
                format!("remove parameter `{parameter}` of layer `{layer}`")
            }
            Self::AddTrigger { name, when } => format!("add trigger `{name}` on {when}"),
            Self::RemoveTrigger { trigger } => format!("remove trigger `{trigger}`"),
            Self::RenameTrigger { trigger, to } => {
                format!("rename trigger `{trigger}` to `{to}`")
            }
            Self::SetTriggerField { trigger, field, .. } => {
                format!("set `{field}` of trigger `{trigger}`")
            }
            Self::SetTableField { table, field, .. } => format!("set `{field}` in [{table}]"),
        }
    }
}

/// `text` (an `effect.toml` named `file` in messages) with `edit` made. Refused, with
/// every problem, when the result would not pass [`effect_api::manifest::check`].
pub fn apply_edit(
    text: &str,
    file: &str,
    edit: &ManifestEdit,
) -> Result<String, ManifestEditError> {
    let mut document = parse_document(text, file)?;
    let editor = Editor { file };
    editor.edit(&mut document, edit)?;
    let edited = document.to_string();
    let checked = effect_api::manifest::check(file, &edited);
    if checked.diagnostics.is_empty() {
        Ok(edited)
    } else {
        Err(ManifestEditError::Rejected {
            file: file.to_owned(),
            edit: edit.describe(),
            problems: checked
                .diagnostics
                .iter()
                .map(|diagnostic| match &diagnostic.hint {
                    Some(hint) => format!("{} ({hint})", diagnostic.message),
                    None => diagnostic.message.clone(),
                })
                .collect(),
        })
    }
}

/// Makes edits in one document, naming `file` in its errors.
struct Editor<'a> {
    file: &'a str,
}

impl Editor<'_> {
    fn missing(&self, what: String) -> ManifestEditError {
        ManifestEditError::Missing {
            file: self.file.to_owned(),
            what,
        }
    }

    fn refused(&self, edit: &ManifestEdit, problem: String) -> ManifestEditError {
        ManifestEditError::Rejected {
            file: self.file.to_owned(),
            edit: edit.describe(),
            problems: vec![problem],
        }
    }

    fn taken(&self, what: String) -> ManifestEditError {
        ManifestEditError::NameTaken {
            file: self.file.to_owned(),
            what,
        }
    }

    fn edit(
        &self,
        document: &mut DocumentMut,
        edit: &ManifestEdit,
    ) -> Result<(), ManifestEditError> {
        match edit {
            ManifestEdit::AddLayer { kind, name, fields } => {
                if index_of(document, "layer", name).is_some() {
                    return Err(self.taken(format!("a layer named `{name}`")));
                }
                let mut table = Table::new();
                table.insert("kind", toml_edit::value(kind.as_str()));
                table.insert("name", toml_edit::value(name.as_str()));
                for (field, value) in fields {
                    set_field(&mut table, field, value)
                        .map_err(|problem| self.refused(edit, problem))?;
                }
                let at = after_all(document, "layer");
                push_at(document, "layer", table, at);
            }
            ManifestEdit::RemoveLayer { layer } => {
                let index = self.index(document, "layer", layer)?;
                tables_mut(document, "layer").remove(index);
            }
            ManifestEdit::MoveLayer { layer, to } => {
                let from = self.index(document, "layer", layer)?;
                move_table(tables_mut(document, "layer"), from, *to);
            }
            ManifestEdit::RenameLayer { layer, to } => {
                if layer != to && index_of(document, "layer", to).is_some() {
                    return Err(self.taken(format!("a layer named `{to}`")));
                }
                let table = self.table(document, "layer", layer)?;
                replace_keeping_decor(table, "name", to.as_str().into());
            }
            ManifestEdit::SetLayerField {
                layer,
                field,
                value,
            } => {
                if matches!(field.as_str(), "kind" | "name" | "parameter") {
                    return Err(self.missing(format!(
                        "a field `{field}` that can be set this way (rename or re-add the layer instead)"
                    )));
                }
                set_field(self.table(document, "layer", layer)?, field, value)
                    .map_err(|problem| self.refused(edit, problem))?;
            }
            ManifestEdit::AddParameter {
                layer,
                parameter,
                kind,
                min,
                max,
                default,
            } => {
                let mut table = Table::new();
                table.insert("name", toml_edit::value(parameter.as_str()));
                table.insert("type", toml_edit::value(kind.as_str()));
                if let Some(min) = min {
                    table.insert("min", toml_edit::value(*min));
                }
                if let Some(max) = max {
                    table.insert("max", toml_edit::value(*max));
                }
                set_field(&mut table, "default", default)
                    .map_err(|problem| self.refused(edit, problem))?;
                let layer_table = self.table(document, "layer", layer)?;
                let taken = layer_table
                    .get("parameter")
                    .and_then(Item::as_array_of_tables)
                    .is_some_and(|parameters| {
                        parameters.iter().any(|existing| {
                            existing.get("name").and_then(Item::as_str) == Some(parameter.as_str())
                        })
                    });
                if taken {
                    return Err(self.taken(format!("a parameter `{parameter}` in layer `{layer}`")));
                }
                let mut last = None;
                visit_table(layer_table, &mut |table| {
                    last = last.max(table.position());
                });
                let position = make_room(document, last.map(|last| last + 1));
                table.set_position(position);
                let layer_table = self.table(document, "layer", layer)?;
                let parameters = layer_table
                    .entry("parameter")
                    .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
                match parameters.as_array_of_tables_mut() {
                    Some(parameters) => parameters.push(table),
                    None => {
                        return Err(self.refused(
                            edit,
                            "its `parameter` key is not an array of tables ([[layer.parameter]])"
                                .to_owned(),
                        ));
                    }
                }
            }
            ManifestEdit::RemoveParameter { layer, parameter } => {
                let layer_table = self.table(document, "layer", layer)?;
                let parameters = layer_table
                    .get_mut("parameter")
                    .and_then(Item::as_array_of_tables_mut);
                let index = parameters.as_ref().and_then(|parameters| {
                    parameters.iter().position(|existing| {
                        existing.get("name").and_then(Item::as_str) == Some(parameter.as_str())
                    })
                });
                match (parameters, index) {
                    (Some(parameters), Some(index)) => {
                        parameters.remove(index);
                        if parameters.is_empty() {
                            layer_table.remove("parameter");
                        }
                    }
                    _ => {
                        return Err(
                            self.missing(format!("parameter `{parameter}` of layer `{layer}`"))
                        );
                    }
                }
            }
            ManifestEdit::AddTrigger { name, when } => {
                if index_of(document, "trigger", name).is_some() {
                    return Err(self.taken(format!("a trigger named `{name}`")));
                }
                let mut table = Table::new();
                table.insert("name", toml_edit::value(name.as_str()));
                table.insert("when", toml_edit::value(when.as_str()));
                table.insert("on", toml_edit::value(0.6));
                table.insert("off", toml_edit::value(0.4));
                let at =
                    after_all(document, "trigger").or_else(|| first_position(document, "layer"));
                push_at(document, "trigger", table, at);
            }
            ManifestEdit::RemoveTrigger { trigger } => {
                let index = self.index(document, "trigger", trigger)?;
                tables_mut(document, "trigger").remove(index);
                for layer in layers_shown_by(document, trigger) {
                    layer.remove("trigger");
                }
            }
            ManifestEdit::RenameTrigger { trigger, to } => {
                if trigger != to && index_of(document, "trigger", to).is_some() {
                    return Err(self.taken(format!("a trigger named `{to}`")));
                }
                let table = self.table(document, "trigger", trigger)?;
                replace_keeping_decor(table, "name", to.as_str().into());
                for layer in layers_shown_by(document, trigger) {
                    replace_keeping_decor(layer, "trigger", to.as_str().into());
                }
            }
            ManifestEdit::SetTriggerField {
                trigger,
                field,
                value,
            } => {
                if field == "name" {
                    return Err(self.missing(
                        "a field `name` that can be set this way (rename the trigger instead)"
                            .to_owned(),
                    ));
                }
                set_field(self.table(document, "trigger", trigger)?, field, value)
                    .map_err(|problem| self.refused(edit, problem))?;
            }
            ManifestEdit::SetTableField {
                table,
                field,
                value,
            } => {
                if !matches!(table.as_str(), "effect" | "budget") {
                    return Err(self.missing(format!("a table [{table}] that can be set this way")));
                }
                if document.get(table).is_none() {
                    let at = first_position(document, "trigger")
                        .or_else(|| first_position(document, "layer"));
                    let mut made = Table::new();
                    let position = make_room(document, at);
                    made.set_position(position);
                    document.insert(table, Item::Table(made));
                }
                let found = document
                    .get_mut(table)
                    .and_then(Item::as_table_mut)
                    .ok_or_else(|| self.missing(format!("the [{table}] table")))?;
                set_field(found, field, value).map_err(|problem| self.refused(edit, problem))?;
            }
        }
        Ok(())
    }

    fn index(
        &self,
        document: &DocumentMut,
        array: &str,
        name: &str,
    ) -> Result<usize, ManifestEditError> {
        index_of(document, array, name).ok_or_else(|| self.missing(format!("{array} `{name}`")))
    }

    fn table<'d>(
        &self,
        document: &'d mut DocumentMut,
        array: &str,
        name: &str,
    ) -> Result<&'d mut Table, ManifestEditError> {
        document
            .get_mut(array)
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|tables| named_mut(tables, name))
            .ok_or_else(|| self.missing(format!("{array} `{name}`")))
    }
}

/// The place of the table named `name` in the array of tables `array`.
fn index_of(document: &DocumentMut, array: &str, name: &str) -> Option<usize> {
    document
        .get(array)
        .and_then(Item::as_array_of_tables)?
        .iter()
        .position(|table| table.get("name").and_then(Item::as_str) == Some(name))
}

/// The array of tables `array`, created empty when missing.
fn tables_mut<'d>(document: &'d mut DocumentMut, array: &str) -> &'d mut ArrayOfTables {
    let item = document
        .entry(array)
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    if !item.is_array_of_tables() {
        *item = Item::ArrayOfTables(ArrayOfTables::new());
    }
    item.as_array_of_tables_mut()
        .expect("made an array of tables just above")
}

/// The layers whose `trigger` is `trigger`.
fn layers_shown_by<'d>(document: &'d mut DocumentMut, trigger: &str) -> Vec<&'d mut Table> {
    match document
        .get_mut("layer")
        .and_then(Item::as_array_of_tables_mut)
    {
        Some(layers) => layers
            .iter_mut()
            .filter(|layer| layer.get("trigger").and_then(Item::as_str) == Some(trigger))
            .collect(),
        None => Vec::new(),
    }
}

/// Sets (or removes) `field` in `table`, keeping the comment beside an old value.
fn set_field(table: &mut Table, field: &str, value: &FieldValue) -> Result<(), String> {
    let value: toml_edit::Value = match value {
        FieldValue::Remove => {
            table.remove(field);
            return Ok(());
        }
        FieldValue::InlineTable(body) => inline_table(body)?,
        FieldValue::Text(text) => text.as_str().into(),
        FieldValue::Number(number) => (*number).into(),
        FieldValue::Integer(number) => (*number).into(),
        FieldValue::Boolean(on) => (*on).into(),
        FieldValue::Integers(numbers) => toml_edit::Value::Array(numbers.iter().copied().collect()),
        FieldValue::Numbers(numbers) => toml_edit::Value::Array(numbers.iter().copied().collect()),
    };
    replace_keeping_decor(table, field, value);
    Ok(())
}

/// `body` (`a = 1, b = "x"`) as an inline table, or TOML's reason it is not one.
pub fn inline_table(body: &str) -> Result<toml_edit::Value, String> {
    let document: DocumentMut =
        format!("value = {{ {body} }}")
            .parse()
            .map_err(|error: toml_edit::TomlError| {
                format!(
                    "`{{ {body} }}` is not a TOML inline table: {}",
                    error.message()
                )
            })?;
    document
        .get("value")
        .and_then(Item::as_value)
        .filter(|value| value.is_inline_table())
        .cloned()
        .ok_or_else(|| format!("`{{ {body} }}` is not a TOML inline table"))
}

#[cfg(test)]
mod tests;
