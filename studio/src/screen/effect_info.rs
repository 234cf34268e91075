//! The effect panel: the manifest's `[effect]` (name, id, version, author, description)
//! and `[budget]` (sizes and the device class the effect must fit), edited with fields
//! built from the manifest's schema; each confirmed field is an edit of `effect.toml`.

use std::collections::BTreeMap;

use effect_api::manifest::schema::{Field, Kind, MANIFEST};
use iced::widget::{column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Fill, Task};
use lensmith_runtime::bundle::manifest_edit::{FieldValue, ManifestEdit};

use crate::screen::layers::{parse, shown};
use crate::screen::widgets;

/// The tables edited here.
const TABLES: [&str; 2] = ["effect", "budget"];

/// Fields shown but not edited: the API version follows the runtime, not the designer.
const READ_ONLY: &[&str] = &["api_version"];

/// The panel's state.
#[derive(Debug, Clone, Default)]
pub struct EffectInfo {
    manifest: Option<toml::Table>,
    drafts: BTreeMap<(String, String), String>,
    refusal: Option<String>,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Field `.1` of table `.0` typed.
    Typed(String, String, String),
    /// Field `.1` of table `.0` confirmed.
    Submitted(String, String),
    /// Field `.1` of table `.0` chosen from its list.
    Chosen(String, String, String),
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Write this edit into `effect.toml`.
    Edit(ManifestEdit),
}

/// The fields of table `table` in the schema.
fn fields_of(table: &str) -> &'static [Field] {
    MANIFEST
        .iter()
        .find(|field| field.name == table)
        .map_or(&[], |field| match field.kind {
            Kind::Table(fields) => fields,
            _ => &[],
        })
}

impl EffectInfo {
    /// Takes the manifest as written; `None` for a packed bundle (read-only).
    pub fn set_manifest(&mut self, table: Option<&toml::Table>) {
        self.manifest = table.cloned();
        self.drafts.clear();
    }

    fn value(&self, table: &str, field: &str) -> Option<&toml::Value> {
        self.manifest.as_ref()?.get(table)?.get(field)
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::Typed(table, field, typed) => {
                self.refusal = None;
                self.drafts.insert((table, field), typed);
                None
            }
            Message::Submitted(table, field) => {
                let typed = self.drafts.get(&(table.clone(), field.clone())).cloned();
                let spec = fields_of(&table).iter().find(|spec| spec.name == field);
                match (typed, spec) {
                    (Some(typed), Some(spec)) => match parse(spec.kind, spec.required, &typed) {
                        Ok(value) => {
                            self.drafts.remove(&(table.clone(), field.clone()));
                            Some(Event::Edit(ManifestEdit::SetTableField {
                                table,
                                field,
                                value,
                            }))
                        }
                        Err(refusal) => {
                            self.refusal = Some(format!("[{table}] {field}: {refusal}"));
                            None
                        }
                    },
                    _ => None,
                }
            }
            Message::Chosen(table, field, choice) => {
                Some(Event::Edit(ManifestEdit::SetTableField {
                    table,
                    field,
                    value: FieldValue::Text(choice),
                }))
            }
        };
        (Task::none(), event)
    }

    /// The panel.
    pub fn view(&self) -> Element<'_, Message> {
        if self.manifest.is_none() {
            return widgets::caption("Open a bundle folder to edit the effect's details.");
        }
        let mut rows = column![].spacing(4);
        for table in TABLES {
            rows = rows.push(widgets::caption(format!("[{table}]")));
            for field in fields_of(table) {
                rows = rows.push(self.field_row(table, *field));
            }
        }
        if let Some(refusal) = &self.refusal {
            rows = rows.push(text(refusal.clone()).size(12).style(text::danger));
        }
        rows.into()
    }

    fn field_row(&self, table: &'static str, field: Field) -> Element<'_, Message> {
        let name = field.name;
        let written = self.value(table, name);
        let control: Element<'_, Message> = match field.kind {
            Kind::OneOf(choices) => pick_list(
                choices
                    .iter()
                    .map(|choice| (*choice).to_owned())
                    .collect::<Vec<_>>(),
                written.and_then(toml::Value::as_str).map(str::to_owned),
                move |choice| Message::Chosen(table.to_owned(), name.to_owned(), choice),
            )
            .placeholder("default")
            .text_size(13)
            .width(Fill)
            .into(),
            _ if READ_ONLY.contains(&name) => widgets::mono(shown(written)).into(),
            _ => {
                let typed = self
                    .drafts
                    .get(&(table.to_owned(), name.to_owned()))
                    .cloned()
                    .unwrap_or_else(|| shown(written));
                text_input(
                    if field.required {
                        "required"
                    } else {
                        "default"
                    },
                    &typed,
                )
                .on_input(move |typed| Message::Typed(table.to_owned(), name.to_owned(), typed))
                .on_submit(Message::Submitted(table.to_owned(), name.to_owned()))
                .size(13)
                .width(Fill)
                .into()
            }
        };
        row![widgets::mono(name).width(110), control]
            .spacing(6)
            .align_y(Alignment::Center)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_budget_is_an_edit_and_a_bad_one_is_refused() {
        let mut panel = EffectInfo::default();
        panel.set_manifest(Some(&"[effect]\nname = \"X\"\n".parse().unwrap()));
        let typed =
            |value: &str| Message::Typed("budget".into(), "max_total_mb".into(), value.into());
        let submit = Message::Submitted("budget".into(), "max_total_mb".into());
        let _ = panel.update(typed("lots"));
        assert_eq!(panel.update(submit.clone()).1, None);
        assert!(
            panel
                .refusal
                .as_deref()
                .unwrap()
                .contains("`lots` is not a number")
        );
        let _ = panel.update(typed("16"));
        assert_eq!(
            panel.update(submit).1,
            Some(Event::Edit(ManifestEdit::SetTableField {
                table: "budget".into(),
                field: "max_total_mb".into(),
                value: FieldValue::Number(16.0),
            }))
        );
    }
}
