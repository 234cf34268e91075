//! The editor of one layer's manifest fields, built from the manifest's own schema
//! (`effect_api::manifest::schema`): a pick list for fields with a fixed set of values, a
//! checkbox for switches, a slider (written on release) for numbers with a known range, a
//! text field (written on Enter, refused unless it parses) for other numbers, lists,
//! paths and a plugin's free `settings` (the text between an inline table's braces), and
//! Choose… for a layer's asset. Only values of the field's type leave here; the
//! manifest checker judges the rest before anything is written.

use effect_api::manifest::schema::{Field, Kind, layer_fields};
use iced::widget::{button, checkbox, column, pick_list, row, slider, text, text_input};
use iced::{Alignment, Element, Fill};
use lensmith_runtime::bundle::manifest_edit::{FieldValue, inline_table};

use super::Message;
use crate::screen::widgets;

/// The fields whose value is a file in the bundle, chosen with Choose….
pub const ASSET_FIELDS: &[&str] = &["texture", "image", "file", "model"];

/// Numbers with a range a slider can cover: (field, smallest, largest).
const RANGES: &[(&str, f64, f64)] = &[
    ("opacity", 0.0, 1.0),
    ("strength", 0.0, 1.0),
    ("feather", 0.0, 0.5),
    ("scale", 0.05, 4.0),
    ("rotation_deg", -180.0, 180.0),
];

/// A TOML number, whole or not, as `f64` (`0` and `0.0` alike).
pub fn number(value: &toml::Value) -> Option<f64> {
    value
        .as_float()
        .or_else(|| value.as_integer().map(|whole| whole as f64))
}

/// The text a field shows: its value as written, or empty.
pub fn shown(value: Option<&toml::Value>) -> String {
    match value {
        None => String::new(),
        Some(toml::Value::String(text)) => text.clone(),
        // A table (a plugin's settings) as the text between its braces.
        Some(toml::Value::Table(table)) => table
            .iter()
            .map(|(key, value)| format!("{key} = {value}"))
            .collect::<Vec<_>>()
            .join(", "),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                toml::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The fields of a layer of `kind` that the editor offers, besides `kind` and `name`.
pub fn editable_fields(kind: &str) -> Vec<Field> {
    // A free table (a plugin's `settings`) is typed as the text between its braces.
    let mut fields: Vec<Field> = layer_fields(kind).unwrap_or_default().to_vec();
    // Which trigger shows the layer: every kind has it.
    fields.push(Field {
        name: "trigger",
        kind: Kind::Text,
        required: false,
    });
    fields
}

/// Typed text as a value of `kind`; `Ok(Remove)` for an empty optional field.
pub fn parse(kind: Kind, required: bool, typed: &str) -> Result<FieldValue, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return if required {
            Err("this field is required".to_owned())
        } else {
            Ok(FieldValue::Remove)
        };
    }
    let number = |item: &str| {
        item.trim()
            .parse::<f64>()
            .ok()
            .filter(|number| number.is_finite())
            .ok_or_else(|| format!("`{}` is not a number", item.trim()))
    };
    let integer = |item: &str| {
        item.trim()
            .parse::<i64>()
            .map_err(|_| format!("`{}` is not a whole number", item.trim()))
    };
    let items = || typed.trim_matches(['[', ']']).split(',');
    match kind {
        Kind::Number => number(typed).map(FieldValue::Number),
        Kind::Integer => integer(typed).map(FieldValue::Integer),
        Kind::ArrayOf(Kind::Integer) => items()
            .map(integer)
            .collect::<Result<_, _>>()
            .map(FieldValue::Integers),
        Kind::ArrayOf(Kind::Number) => items()
            .map(number)
            .collect::<Result<_, _>>()
            .map(FieldValue::Numbers),
        Kind::Boolean => match typed {
            "true" => Ok(FieldValue::Boolean(true)),
            "false" => Ok(FieldValue::Boolean(false)),
            _ => Err("write true or false".to_owned()),
        },
        Kind::Free => inline_table(typed).map(|_| FieldValue::InlineTable(typed.to_owned())),
        Kind::OneOf(choices) => choices
            .contains(&typed)
            .then(|| FieldValue::Text(typed.to_owned()))
            .ok_or_else(|| format!("choose one of {}", choices.join(", "))),
        _ => Ok(FieldValue::Text(typed.to_owned())),
    }
}

/// What the editor of one layer needs to draw.
pub struct FieldsView<'a> {
    /// The layer's place in the list.
    pub index: usize,
    /// Its kind.
    pub kind: &'a str,
    /// Its table as written.
    pub table: &'a toml::Table,
    /// The texts being typed, by field.
    pub drafts: &'a std::collections::BTreeMap<String, String>,
    /// Why a typed text was refused, by field.
    pub refusals: &'a std::collections::BTreeMap<String, String>,
    /// The trigger rules a layer can be shown by.
    pub triggers: &'a [String],
    /// The designer is clicking a landmark for this layer's anchor.
    pub anchoring: bool,
}

impl<'a> FieldsView<'a> {
    /// Every field's row.
    pub fn view(self) -> Element<'a, Message> {
        let mut rows = column![].spacing(4);
        for field in editable_fields(self.kind) {
            rows = rows.push(self.field_row(field));
            if let Some(refusal) = self.refusals.get(field.name) {
                rows = rows.push(text(refusal.clone()).size(12).style(text::danger));
            }
        }
        rows.into()
    }

    fn field_row(&self, field: Field) -> Element<'a, Message> {
        let index = self.index;
        let name = field.name;
        let value = self.table.get(name);
        let label = widgets::mono(name).width(104);
        let control: Element<'a, Message> = match field.kind {
            Kind::OneOf(choices) => {
                let selected = value.and_then(toml::Value::as_str).map(str::to_owned);
                pick_list(
                    choices
                        .iter()
                        .map(|choice| (*choice).to_owned())
                        .collect::<Vec<_>>(),
                    selected,
                    move |choice| {
                        Message::FieldSet(index, name.to_owned(), FieldValue::Text(choice))
                    },
                )
                .placeholder("default")
                .text_size(13)
                .width(Fill)
                .into()
            }
            Kind::Boolean => checkbox(value.and_then(toml::Value::as_bool).unwrap_or(false))
                .on_toggle(move |on| {
                    Message::FieldSet(index, name.to_owned(), FieldValue::Boolean(on))
                })
                .into(),
            Kind::Number if RANGES.iter().any(|(field, ..)| *field == name) => {
                self.slider_control(name, value)
            }
            _ if name == "trigger" => {
                let mut choices = vec!["(always)".to_owned()];
                choices.extend(self.triggers.iter().cloned());
                let selected = Some(
                    value
                        .and_then(toml::Value::as_str)
                        .unwrap_or("(always)")
                        .to_owned(),
                );
                pick_list(choices, selected, move |choice| {
                    let value = if choice == "(always)" {
                        FieldValue::Remove
                    } else {
                        FieldValue::Text(choice)
                    };
                    Message::FieldSet(index, name.to_owned(), value)
                })
                .text_size(13)
                .width(Fill)
                .into()
            }
            _ => self.text_control(field, value),
        };
        row![label, control]
            .spacing(6)
            .align_y(Alignment::Center)
            .into()
    }

    fn slider_control(
        &self,
        name: &'static str,
        value: Option<&toml::Value>,
    ) -> Element<'a, Message> {
        let index = self.index;
        let (_, low, high) = RANGES
            .iter()
            .find(|(field, ..)| *field == name)
            .copied()
            .expect("only called for a field in RANGES");
        let written = value.and_then(number);
        let current = self
            .drafts
            .get(name)
            .and_then(|draft| draft.parse::<f64>().ok())
            .or(written)
            .unwrap_or(
                if name == "scale" || name == "opacity" || name == "strength" {
                    1.0
                } else {
                    0.0
                },
            )
            .clamp(low, high);
        row![
            slider(low..=high, current, move |number| {
                Message::FieldTyped(index, name.to_owned(), format!("{number:.3}"))
            })
            .step((high - low) / 200.0)
            .on_release(Message::FieldSubmitted(index, name.to_owned()))
            .width(Fill),
            widgets::mono(format!("{current:.2}")).width(48),
        ]
        .spacing(6)
        .align_y(Alignment::Center)
        .into()
    }

    fn text_control(&self, field: Field, value: Option<&toml::Value>) -> Element<'a, Message> {
        let index = self.index;
        let name = field.name;
        let typed = self
            .drafts
            .get(name)
            .cloned()
            .unwrap_or_else(|| shown(value));
        let input = text_input(
            if field.required {
                "required"
            } else {
                "default"
            },
            &typed,
        )
        .on_input(move |typed| Message::FieldTyped(index, name.to_owned(), typed))
        .on_submit(Message::FieldSubmitted(index, name.to_owned()))
        .size(13)
        .width(Fill);
        let mut control = row![input].spacing(4).align_y(Alignment::Center);
        if ASSET_FIELDS.contains(&name) {
            control = control.push(
                button(text("Choose…").size(12))
                    .padding([3, 6])
                    .on_press(Message::ChooseAsset(index, name.to_owned())),
            );
        }
        if name == "anchor" {
            control = control.push(
                button(
                    text(if self.anchoring {
                        "Click a landmark…"
                    } else {
                        "Pick on face"
                    })
                    .size(12),
                )
                .padding([3, 6])
                .style(if self.anchoring {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::PickAnchor(index)),
            );
        }
        control.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_a_value_of_the_field_kind_or_is_refused() {
        assert_eq!(
            parse(Kind::ArrayOf(&Kind::Integer), true, "10, 151"),
            Ok(FieldValue::Integers(vec![10, 151]))
        );
        assert_eq!(
            parse(Kind::ArrayOf(&Kind::Number), false, "[0, -0.5]"),
            Ok(FieldValue::Numbers(vec![0.0, -0.5]))
        );
        assert_eq!(parse(Kind::Number, false, ""), Ok(FieldValue::Remove));
        assert!(parse(Kind::Text, true, " ").is_err());
        assert_eq!(
            parse(Kind::Integer, false, "2.5"),
            Err("`2.5` is not a whole number".to_owned())
        );
        assert!(parse(Kind::OneOf(&["a", "b"]), false, "c").is_err());
        assert_eq!(
            parse(Kind::Number, false, "inf"),
            Err("`inf` is not a number".to_owned())
        );
    }

    #[test]
    fn every_kind_offers_its_fields_and_a_trigger() {
        let sticker: Vec<&str> = editable_fields("sticker").iter().map(|f| f.name).collect();
        assert_eq!(
            sticker,
            [
                "image",
                "anchor",
                "offset",
                "scale",
                "rotation_deg",
                "blend",
                "opacity",
                "faces",
                "trigger"
            ]
        );
        let plugin: Vec<&str> = editable_fields("plugin").iter().map(|f| f.name).collect();
        assert_eq!(plugin, ["library", "settings", "irises", "trigger"]);
        assert_eq!(
            parse(Kind::Free, false, "strength = 0.5"),
            Ok(FieldValue::InlineTable("strength = 0.5".into()))
        );
        assert!(parse(Kind::Free, false, "strength =").is_err());
        let settings: toml::Table = "settings = { strength = 0.5, mode = \"soft\" }"
            .parse()
            .unwrap();
        assert_eq!(
            shown(settings.get("settings")),
            "mode = \"soft\", strength = 0.5"
        );
    }
}
