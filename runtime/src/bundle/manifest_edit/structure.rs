//! Structural edits of `effect.toml`, the authoring tool's layer and trigger editors:
//! layers added, removed, moved, renamed and their fields set; trigger rules added,
//! removed and tuned; the effect's own fields. Each edit keeps every comment and the
//! layout of what it does not touch, and is refused (nothing changes) when the edited
//! manifest would not pass the manifest checker.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

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

/// Calls `visit` on every table of `item` and below, each before what is nested in it,
/// in document order.
fn visit_tables(item: &mut Item, visit: &mut dyn FnMut(&mut Table)) {
    match item {
        Item::Table(table) => visit_table(table, visit),
        Item::ArrayOfTables(tables) => {
            for table in tables.iter_mut() {
                visit_table(table, visit);
            }
        }
        _ => {}
    }
}

fn visit_table(table: &mut Table, visit: &mut dyn FnMut(&mut Table)) {
    visit(table);
    for (_, child) in table.iter_mut() {
        visit_tables(child, visit);
    }
}

/// The document positions (the order tables are written in) of the tables of `array`
/// and of everything nested in them.
fn positions_under(document: &mut DocumentMut, array: &str) -> Vec<isize> {
    let mut positions = Vec::new();
    if let Some(item) = document.get_mut(array) {
        visit_tables(item, &mut |table| positions.extend(table.position()));
    }
    positions
}

/// The position just after every table of `array` and its nested tables, if any.
fn after_all(document: &mut DocumentMut, array: &str) -> Option<isize> {
    positions_under(document, array)
        .into_iter()
        .max()
        .map(|last| last + 1)
}

/// The position of the first table of `array`, if any.
fn first_position(document: &mut DocumentMut, array: &str) -> Option<isize> {
    positions_under(document, array).into_iter().min()
}

/// A document position for a new table: `at` (tables from `at` on move down one), or
/// after every table without one.
fn make_room(document: &mut DocumentMut, at: Option<isize>) -> isize {
    let root = document.as_table_mut();
    match at {
        Some(at) => {
            visit_table(root, &mut |existing| {
                if let Some(position) = existing.position().filter(|&position| position >= at) {
                    existing.set_position(position + 1);
                }
            });
            at
        }
        None => {
            let mut last = 0;
            visit_table(root, &mut |existing| {
                last = last.max(existing.position().unwrap_or(0));
            });
            last + 1
        }
    }
}

/// Appends `table` to `array`, written at document position `at` (tables from `at` on
/// move down one), or at the end of the file without one.
fn push_at(document: &mut DocumentMut, array: &str, mut table: Table, at: Option<isize>) {
    let position = make_room(document, at);
    table.set_position(position);
    tables_mut(document, array).push(table);
}

/// Moves table `from` of `tables` to place `to`, its nested tables with it: the document
/// positions the array's tables held are handed out again in the new order.
fn move_table(tables: &mut ArrayOfTables, from: usize, to: usize) {
    let mut slots = Vec::new();
    for table in tables.iter_mut() {
        visit_table(table, &mut |table| slots.extend(table.position()));
    }
    slots.sort_unstable();
    let mut order: Vec<Table> = tables.iter().cloned().collect();
    let to = to.min(order.len().saturating_sub(1));
    let moved = order.remove(from);
    order.insert(to, moved);
    tables.clear();
    let mut slots = slots.into_iter();
    for mut table in order {
        visit_table(&mut table, &mut |table| {
            if let Some(slot) = slots.next() {
                table.set_position(slot);
            }
        });
        tables.push(table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"# The effect.
[effect]
id = "com.example.x"
name = "X"
version = "0.1.0"
api_version = "1.0"

# Smiles.
[[trigger]]
name = "smiling"
when = "smile"

# The paint.
[[layer]]
kind = "face_mask"
name = "paint"
texture = "textures/paint.png"
opacity = 0.85   # how strong

[[layer.parameter]]
name = "opacity"
type = "float"
min = 0.0
max = 1.0
default = 0.85

# Sparkles while smiling.
[[layer]]
kind = "sticker"
name = "sparkles"
trigger = "smiling"
image = "stickers/sparkles.png"
anchor = [10]
"#;

    fn edit(text: &str, edit: ManifestEdit) -> String {
        apply_edit(text, "fx/effect.toml", &edit).unwrap()
    }

    fn layer_names(text: &str) -> Vec<String> {
        let checked = effect_api::manifest::check("effect.toml", text);
        checked
            .manifest
            .unwrap()
            .layers
            .iter()
            .map(|layer| layer.name.clone())
            .collect()
    }

    #[test]
    fn a_new_layer_goes_after_the_last_and_nothing_else_moves() {
        let added = edit(
            MANIFEST,
            ManifestEdit::AddLayer {
                kind: "sticker".into(),
                name: "hat".into(),
                fields: vec![
                    ("image".into(), FieldValue::Text("stickers/hat.png".into())),
                    ("anchor".into(), FieldValue::Integers(vec![10, 151])),
                    ("offset".into(), FieldValue::Numbers(vec![0.0, -0.5])),
                ],
            },
        );
        assert_eq!(
            added,
            format!(
                "{MANIFEST}\n[[layer]]\nkind = \"sticker\"\nname = \"hat\"\nimage = \"stickers/hat.png\"\nanchor = [10, 151]\noffset = [0.0, -0.5]\n"
            )
        );
    }

    #[test]
    fn a_moved_layer_takes_its_comment_and_parameters_with_it() {
        let moved = edit(
            MANIFEST,
            ManifestEdit::MoveLayer {
                layer: "paint".into(),
                to: 1,
            },
        );
        assert_eq!(layer_names(&moved), ["sparkles", "paint"]);
        let sparkles = moved.find("# Sparkles while smiling.").unwrap();
        let paint = moved.find("# The paint.").unwrap();
        let parameter = moved.find("[[layer.parameter]]").unwrap();
        assert!(sparkles < paint && paint < parameter, "{moved}");
        assert!(moved.contains("opacity = 0.85   # how strong"));
        // And back again gives the file as it was.
        let back = edit(
            &moved,
            ManifestEdit::MoveLayer {
                layer: "paint".into(),
                to: 0,
            },
        );
        assert_eq!(back, MANIFEST);
    }

    #[test]
    fn removing_a_trigger_shows_its_layers_always_and_renaming_one_follows() {
        let renamed = edit(
            MANIFEST,
            ManifestEdit::RenameTrigger {
                trigger: "smiling".into(),
                to: "grin".into(),
            },
        );
        assert!(renamed.contains("name = \"grin\"\nwhen = \"smile\""));
        assert!(renamed.contains("trigger = \"grin\""));
        let removed = edit(
            &renamed,
            ManifestEdit::RemoveTrigger {
                trigger: "grin".into(),
            },
        );
        assert!(
            !removed.contains("grin") && !removed.contains("[[trigger]]"),
            "{removed}"
        );
    }

    #[test]
    fn the_first_trigger_goes_before_the_layers() {
        let without = edit(
            MANIFEST,
            ManifestEdit::RemoveTrigger {
                trigger: "smiling".into(),
            },
        );
        let added = edit(
            &without,
            ManifestEdit::AddTrigger {
                name: "open".into(),
                when: "mouth_open".into(),
            },
        );
        let trigger = added.find("[[trigger]]").unwrap();
        assert!(trigger < added.find("[[layer]]").unwrap(), "{added}");
        assert!(added.contains("when = \"mouth_open\"\non = 0.6\noff = 0.4\n"));
        let tuned = edit(
            &added,
            ManifestEdit::SetTriggerField {
                trigger: "open".into(),
                field: "on".into(),
                value: FieldValue::Number(0.7),
            },
        );
        assert!(tuned.contains("on = 0.7\n"));
    }

    #[test]
    fn fields_are_set_and_removed_keeping_their_comments() {
        let set = edit(
            MANIFEST,
            ManifestEdit::SetLayerField {
                layer: "paint".into(),
                field: "opacity".into(),
                value: FieldValue::Number(0.5),
            },
        );
        assert!(set.contains("opacity = 0.5   # how strong"), "{set}");
        let removed = edit(
            &set,
            ManifestEdit::SetLayerField {
                layer: "sparkles".into(),
                field: "trigger".into(),
                value: FieldValue::Remove,
            },
        );
        assert!(!removed.contains("trigger = \"smiling\""));
        let renamed = edit(
            &removed,
            ManifestEdit::RenameLayer {
                layer: "paint".into(),
                to: "face".into(),
            },
        );
        assert_eq!(layer_names(&renamed), ["face", "sparkles"]);
    }

    #[test]
    fn a_plugin_s_settings_are_written_inline_or_refused_with_toml_s_reason() {
        let plugin = "[effect]\nid = \"com.example.x\"\nname = \"X\"\nversion = \"0.1.0\"\n\
            api_version = \"1.0\"\n\n[[layer]]\nkind = \"plugin\"\nname = \"glow\"\n\
            library = \"plugins/glow\"\n";
        let set = |body: &str| {
            apply_edit(
                plugin,
                "fx/effect.toml",
                &ManifestEdit::SetLayerField {
                    layer: "glow".into(),
                    field: "settings".into(),
                    value: FieldValue::InlineTable(body.into()),
                },
            )
        };
        let written = set("strength = 0.5, mode = \"soft\"").unwrap();
        assert!(
            written.ends_with("settings = { strength = 0.5, mode = \"soft\" }\n"),
            "{written}"
        );
        let refused = set("strength = ").unwrap_err().to_string();
        assert!(refused.contains("is not a TOML inline table"), "{refused}");
    }

    #[test]
    fn a_parameter_is_added_after_the_layer_s_others_and_removed() {
        let added = edit(
            MANIFEST,
            ManifestEdit::AddParameter {
                layer: "sparkles".into(),
                parameter: "scale".into(),
                kind: "float".into(),
                min: Some(0.1),
                max: Some(3.0),
                default: FieldValue::Number(1.0),
            },
        );
        assert!(
            added.ends_with(
                "anchor = [10]\n\n[[layer.parameter]]\nname = \"scale\"\ntype = \"float\"\nmin = 0.1\nmax = 3.0\ndefault = 1.0\n"
            ),
            "{added}"
        );
        // Added to a layer that is not the last, it goes after that layer's tables and
        // before the next layer.
        let moved = edit(
            MANIFEST,
            ManifestEdit::MoveLayer {
                layer: "sparkles".into(),
                to: 0,
            },
        );
        let first = edit(
            &moved,
            ManifestEdit::AddParameter {
                layer: "sparkles".into(),
                parameter: "rotation_deg".into(),
                kind: "float".into(),
                min: Some(-360.0),
                max: Some(360.0),
                default: FieldValue::Number(0.0),
            },
        );
        let rotation = first.find("name = \"rotation_deg\"").unwrap();
        assert!(rotation > first.find("anchor = [10]").unwrap(), "{first}");
        assert!(rotation < first.find("# The paint.").unwrap(), "{first}");
        let removed = edit(
            &added,
            ManifestEdit::RemoveParameter {
                layer: "sparkles".into(),
                parameter: "scale".into(),
            },
        );
        assert_eq!(removed.trim_end(), MANIFEST.trim_end());
        let twice = apply_edit(
            MANIFEST,
            "fx/effect.toml",
            &ManifestEdit::AddParameter {
                layer: "paint".into(),
                parameter: "opacity".into(),
                kind: "float".into(),
                min: Some(0.0),
                max: Some(1.0),
                default: FieldValue::Number(0.5),
            },
        );
        assert!(
            matches!(twice, Err(ManifestEditError::NameTaken { .. })),
            "{twice:?}"
        );
    }

    #[test]
    fn a_missing_budget_is_made_before_the_triggers() {
        let set = edit(
            MANIFEST,
            ManifestEdit::SetTableField {
                table: "budget".into(),
                field: "max_total_mb".into(),
                value: FieldValue::Number(16.0),
            },
        );
        let budget = set.find("[budget]\nmax_total_mb = 16.0\n").expect(&set);
        assert!(budget < set.find("# Smiles.").unwrap(), "{set}");
        let renamed = edit(
            &set,
            ManifestEdit::SetTableField {
                table: "effect".into(),
                field: "name".into(),
                value: FieldValue::Text("Y".into()),
            },
        );
        assert!(renamed.contains("name = \"Y\"\nversion"));
        let refused = apply_edit(
            &set,
            "fx/effect.toml",
            &ManifestEdit::SetTableField {
                table: "budget".into(),
                field: "device_class".into(),
                value: FieldValue::Text("huge".into()),
            },
        );
        assert!(
            matches!(refused, Err(ManifestEditError::Rejected { .. })),
            "{refused:?}"
        );
    }

    #[test]
    fn an_edit_the_checker_refuses_changes_nothing_and_says_why() {
        let refused = apply_edit(
            MANIFEST,
            "fx/effect.toml",
            &ManifestEdit::SetLayerField {
                layer: "paint".into(),
                field: "blend".into(),
                value: FieldValue::Text("normall".into()),
            },
        )
        .unwrap_err();
        let message = refused.to_string();
        assert!(
            message.starts_with("fx/effect.toml: cannot set `blend` of layer `paint`:")
                && message.contains("normall"),
            "{message}"
        );
        let taken = apply_edit(
            MANIFEST,
            "fx/effect.toml",
            &ManifestEdit::RenameLayer {
                layer: "paint".into(),
                to: "sparkles".into(),
            },
        )
        .unwrap_err();
        assert_eq!(
            taken.to_string(),
            "fx/effect.toml: there is already a layer named `sparkles`; choose another name"
        );
        let dangling = apply_edit(
            MANIFEST,
            "fx/effect.toml",
            &ManifestEdit::SetLayerField {
                layer: "paint".into(),
                field: "trigger".into(),
                value: FieldValue::Text("frowning".into()),
            },
        );
        assert!(
            matches!(dangling, Err(ManifestEditError::Rejected { .. })),
            "{dangling:?}"
        );
    }
}
