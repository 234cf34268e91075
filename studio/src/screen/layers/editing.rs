//! The layer list's editing half: the manifest's layer tables and trigger names read for
//! the editor, and the editing messages turned into edits of `effect.toml` (add, remove,
//! move, rename, a field typed, chosen or picked on the face).

use lensmith_runtime::bundle::manifest_edit::ManifestEdit;

use super::{Event, Layers, Message, MoveTo, editable_fields, parameter_editor, parse};

impl Layers {
    /// Takes the manifest as written (parsed as TOML), for the editor; `None` for a packed
    /// bundle, which cannot be edited.
    pub fn set_manifest(&mut self, table: Option<&toml::Table>) {
        self.editable = table.is_some();
        let list = |key: &str| -> Vec<toml::Table> {
            table
                .and_then(|table| table.get(key))
                .and_then(toml::Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|item| item.as_table().cloned())
                        .collect()
                })
                .unwrap_or_default()
        };
        self.tables = list("layer");
        self.triggers = list("trigger")
            .iter()
            .filter_map(|rule| {
                rule.get("name")
                    .and_then(toml::Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        self.drafts.clear();
        self.refusals.clear();
        if self
            .expanded
            .is_some_and(|index| index >= self.tables.len())
        {
            self.expanded = None;
        }
        if let Some(index) = self.expanded {
            self.rename = self
                .layers
                .get(index)
                .map(|layer| layer.name.clone())
                .unwrap_or_default();
        }
    }

    /// The layer whose anchor the next click on the preview sets.
    pub fn anchoring(&self) -> Option<&str> {
        self.anchoring.as_deref()
    }

    /// The open editor's layer, if any.
    pub fn expanded(&self) -> Option<usize> {
        self.expanded
    }

    /// A layer's table as written in `effect.toml`.
    pub fn table(&self, layer: &str) -> Option<&toml::Table> {
        let index = self.layers.iter().position(|entry| entry.name == layer)?;
        self.tables.get(index)
    }

    /// The anchor was picked (or picking stopped elsewhere).
    pub fn stop_anchoring(&mut self) {
        self.anchoring = None;
    }

    fn name_of(&self, index: usize) -> Option<String> {
        self.layers.get(index).map(|layer| layer.name.clone())
    }

    /// Handles an editing message; `None` when `message` is not one.
    pub(super) fn edit(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::AddKindChosen(kind) => {
                self.add_kind = Some(kind);
                None
            }
            Message::AddLayer => self.add_kind.clone().map(Event::AddLayer),
            Message::Remove(index) => {
                self.expanded = None;
                Some(Event::Edit(ManifestEdit::RemoveLayer {
                    layer: self.name_of(index)?,
                }))
            }
            Message::Move(index, direction) => {
                let to = match direction {
                    MoveTo::Up => index.checked_sub(1)?,
                    MoveTo::Down => (index + 1 < self.layers.len()).then_some(index + 1)?,
                };
                if self.expanded == Some(index) {
                    self.expanded = Some(to);
                }
                Some(Event::Edit(ManifestEdit::MoveLayer {
                    layer: self.name_of(index)?,
                    to,
                }))
            }
            Message::Expand(index) => {
                self.expanded = (self.expanded != Some(index)).then_some(index);
                self.rename = self.name_of(index).unwrap_or_default();
                self.drafts.clear();
                self.refusals.clear();
                None
            }
            Message::RenameTyped(typed) => {
                self.rename = typed;
                None
            }
            Message::RenameSubmitted => {
                let layer = self.name_of(self.expanded?)?;
                let to = self.rename.trim().to_owned();
                (to != layer && !to.is_empty())
                    .then_some(Event::Edit(ManifestEdit::RenameLayer { layer, to }))
            }
            Message::FieldTyped(_, field, typed) => {
                self.refusals.remove(&field);
                self.drafts.insert(field, typed);
                None
            }
            Message::FieldSubmitted(index, field) => {
                let typed = self.drafts.get(&field)?.clone();
                let kind = self.tables.get(index)?.get("kind")?.as_str()?.to_owned();
                let spec = editable_fields(&kind)
                    .into_iter()
                    .find(|spec| spec.name == field)?;
                match parse(spec.kind, spec.required, &typed) {
                    Ok(value) => {
                        self.drafts.remove(&field);
                        Some(Event::Edit(ManifestEdit::SetLayerField {
                            layer: self.name_of(index)?,
                            field,
                            value,
                        }))
                    }
                    Err(refusal) => {
                        self.refusals.insert(field, refusal);
                        None
                    }
                }
            }
            Message::FieldSet(index, field, value) => {
                Some(Event::Edit(ManifestEdit::SetLayerField {
                    layer: self.name_of(index)?,
                    field,
                    value,
                }))
            }
            Message::ChooseAsset(index, field) => Some(Event::ChooseAsset {
                layer: self.name_of(index)?,
                field,
            }),
            Message::PickAnchor(index) => {
                let layer = self.name_of(index)?;
                self.anchoring =
                    (self.anchoring.as_deref() != Some(layer.as_str())).then_some(layer);
                Some(Event::PickAnchor(self.anchoring.clone()))
            }
            Message::ParameterNameTyped(name) => {
                self.new_parameter.name = name;
                self.parameter_refusal = None;
                None
            }
            Message::ParameterTypeChosen(kind) => {
                self.new_parameter.kind = Some(kind);
                None
            }
            Message::AddParameter(index) => {
                let layer = self.layers.get(index)?;
                let table = self.tables.get(index)?;
                match parameter_editor::add_edit(
                    layer,
                    table,
                    &self.new_parameter.name,
                    self.new_parameter.kind.as_deref(),
                ) {
                    Ok(edit) => {
                        self.new_parameter = Default::default();
                        Some(Event::Edit(edit))
                    }
                    Err(refusal) => {
                        self.parameter_refusal = Some(refusal);
                        None
                    }
                }
            }
            Message::RemoveParameter(index, parameter) => {
                Some(Event::Edit(ManifestEdit::RemoveParameter {
                    layer: self.name_of(index)?,
                    parameter,
                }))
            }
            Message::Toggled(..) | Message::Changed(..) => None,
        }
    }
}
