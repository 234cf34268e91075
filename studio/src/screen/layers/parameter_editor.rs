//! Adding and removing a layer's live parameters (`[[layer.parameter]]`) in its editor: a
//! face layer offers the properties a parameter can drive (its opacity, a sticker's scale,
//! …) with their ranges, starting at the value the layer has now; a plugin layer takes any
//! name and type.

use iced::widget::{button, column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Fill};
use lensmith_runtime::bundle::manifest_edit::{FieldValue, ManifestEdit};

use super::{Layer, Message, number};
use crate::screen::widgets;

/// The types a plugin's parameter may have.
const TYPES: &[&str] = &["float", "int", "bool", "color"];

/// The largest value offered for a property without an upper bound (a sticker's scale).
const OPEN_RANGE_TOP: f64 = 4.0;

/// What is being typed for a new parameter.
#[derive(Debug, Clone, Default)]
pub struct NewParameter {
    /// Its name.
    pub name: String,
    /// Its type (plugin layers).
    pub kind: Option<String>,
}

/// The edit adding parameter `name` to `layer`, whose table in the manifest is `table`.
pub fn add_edit(
    layer: &Layer,
    table: &toml::Table,
    name: &str,
    kind: Option<&str>,
) -> Result<ManifestEdit, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("name the parameter first".to_owned());
    }
    let edit = |kind: &str, min: Option<f64>, max: Option<f64>, default: FieldValue| {
        ManifestEdit::AddParameter {
            layer: layer.name.clone(),
            parameter: name.to_owned(),
            kind: kind.to_owned(),
            min,
            max,
            default,
        }
    };
    if let Some((_, low, high)) = layer.live.iter().find(|(property, ..)| property == name) {
        let high = if high.is_finite() {
            *high
        } else {
            OPEN_RANGE_TOP
        };
        let low = if *low <= 0.0 && name == "scale" {
            0.05
        } else {
            *low
        };
        let now = table
            .get(name)
            .and_then(number)
            .unwrap_or(if name == "rotation_deg" {
                0.0
            } else {
                high.min(1.0)
            })
            .clamp(low, high);
        return Ok(edit(
            "float",
            Some(low),
            Some(high),
            FieldValue::Number(now),
        ));
    }
    if !layer.live.is_empty() {
        return Err(format!(
            "a {} layer's parameters drive its properties: choose one of {}",
            layer.kind,
            layer
                .live
                .iter()
                .map(|(property, ..)| property.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(match kind.unwrap_or("float") {
        "int" => edit("int", Some(0.0), Some(10.0), FieldValue::Integer(0)),
        "bool" => edit("bool", None, None, FieldValue::Boolean(false)),
        "color" => edit(
            "color",
            None,
            None,
            FieldValue::Numbers(vec![1.0, 1.0, 1.0, 1.0]),
        ),
        _ => edit("float", Some(0.0), Some(1.0), FieldValue::Number(0.5)),
    })
}

/// The parameters section of layer `index`'s editor.
pub fn view<'a>(index: usize, layer: &'a Layer, new: &'a NewParameter) -> Element<'a, Message> {
    let mut section = column![widgets::caption("live parameters")].spacing(4);
    let mut existing = row![].spacing(6).align_y(Alignment::Center);
    for parameter in &layer.parameters {
        existing = existing.push(
            button(text(format!("Remove {}", parameter.name)).size(12))
                .padding([2, 6])
                .style(button::secondary)
                .on_press(Message::RemoveParameter(index, parameter.name.clone())),
        );
    }
    section = section.push(existing.wrap());
    let taken = |name: &str| {
        layer
            .parameters
            .iter()
            .any(|parameter| parameter.name == name)
    };
    let add = button(text("Add parameter").size(12))
        .padding([3, 6])
        .on_press_maybe((!new.name.trim().is_empty()).then_some(Message::AddParameter(index)));
    let adder: Element<'a, Message> = if layer.live.is_empty() {
        row![
            text_input("name", &new.name)
                .on_input(Message::ParameterNameTyped)
                .size(13)
                .width(Fill),
            pick_list(
                TYPES
                    .iter()
                    .map(|kind| (*kind).to_owned())
                    .collect::<Vec<_>>(),
                new.kind.clone(),
                Message::ParameterTypeChosen,
            )
            .placeholder("type")
            .text_size(13),
            add,
        ]
        .spacing(6)
        .align_y(Alignment::Center)
        .into()
    } else {
        let free: Vec<String> = layer
            .live
            .iter()
            .map(|(property, ..)| property.clone())
            .filter(|property| !taken(property))
            .collect();
        row![
            pick_list(
                free,
                Some(new.name.clone()).filter(|name| !name.is_empty()),
                Message::ParameterNameTyped,
            )
            .placeholder("property")
            .text_size(13)
            .width(Fill),
            add,
        ]
        .spacing(6)
        .align_y(Alignment::Center)
        .into()
    };
    section.push(adder).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sticker() -> Layer {
        Layer {
            name: "hat".into(),
            kind: "sticker".into(),
            trigger: None,
            enabled: true,
            failure: None,
            parameters: Vec::new(),
            live: vec![
                ("opacity".into(), 0.0, 1.0),
                ("scale".into(), 0.0, f64::INFINITY),
            ],
        }
    }

    #[test]
    fn a_face_layer_s_parameter_starts_at_its_property_s_value() {
        let table: toml::Table = "scale = 1.3".parse().unwrap();
        assert_eq!(
            add_edit(&sticker(), &table, "scale", None),
            Ok(ManifestEdit::AddParameter {
                layer: "hat".into(),
                parameter: "scale".into(),
                kind: "float".into(),
                min: Some(0.05),
                max: Some(OPEN_RANGE_TOP),
                default: FieldValue::Number(1.3),
            })
        );
        let refused = add_edit(&sticker(), &table, "glow", None).unwrap_err();
        assert!(refused.contains("opacity, scale"), "{refused}");
        let mut plugin = sticker();
        plugin.live.clear();
        assert!(matches!(
            add_edit(&plugin, &table, "glow", Some("bool")),
            Ok(ManifestEdit::AddParameter { kind, .. }) if kind == "bool"
        ));
    }
}
