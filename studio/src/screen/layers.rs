//! The layer list and editor: each layer with its enable toggle and its live parameters
//! as widgets (sliders for numbers, checkboxes for switches, three sliders and a swatch for
//! colours) that apply at once; and, for a bundle folder, the editing of the manifest
//! itself: layers added from a kind, removed, moved, renamed, and every field edited
//! ([`fields`]), each edit written to `effect.toml` by the studio.

mod editing;
mod fields;
mod parameter_editor;

use std::collections::BTreeMap;

use effect_api::manifest::{Manifest, ParameterValue as Spec};
use effect_api::plugin::Value;
use iced::widget::{button, checkbox, column, container, pick_list, row, slider, text, text_input};
use iced::{Alignment, Background, Border, Color, Element, Fill, Task};

use crate::editing::starter::ADDABLE_KINDS;
use crate::preview_bridge::PreviewCommand;
use crate::screen::widgets;
use lensmith_runtime::bundle::manifest_edit::{FieldValue, ManifestEdit, ParameterDefault};

pub use fields::{ASSET_FIELDS, editable_fields, number, parse, shown};

/// One live parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Its type, range and default, as the manifest declares them.
    pub spec: Spec,
    /// What it is set to now.
    pub value: Value,
    /// The designer changed it: a reload keeps the value (as the preview worker does).
    pub overridden: bool,
}

/// One layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Its name.
    pub name: String,
    /// Its kind (`face_mask`, `sticker`, …).
    pub kind: String,
    /// The trigger rule that shows it, if any.
    pub trigger: Option<String>,
    /// Shown or hidden by the designer.
    pub enabled: bool,
    /// Why the runtime disabled it, if it did.
    pub failure: Option<String>,
    /// Its live parameters.
    pub parameters: Vec<Parameter>,
    /// The properties a parameter can drive, with their ranges (none for a plugin, whose
    /// parameters are its own).
    pub live: Vec<(String, f64, f64)>,
}

/// The layer list, under the effect's name.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    effect: Option<effect_api::manifest::EffectInfo>,
    layers: Vec<Layer>,
    /// The manifest can be edited (a bundle folder, not a packed `.effect`).
    editable: bool,
    /// Each layer's table as `effect.toml` has it.
    tables: Vec<toml::Table>,
    /// The trigger rules' names.
    triggers: Vec<String>,
    /// The layer whose editor is open.
    expanded: Option<usize>,
    /// Its name being typed.
    rename: String,
    /// Its fields being typed, by field.
    drafts: BTreeMap<String, String>,
    /// Why a typed field was refused, by field.
    refusals: BTreeMap<String, String>,
    /// The kind Add makes.
    add_kind: Option<String>,
    /// The layer whose anchor the next click on the preview sets.
    anchoring: Option<String>,
    /// The parameter being added in the open editor.
    new_parameter: parameter_editor::NewParameter,
    /// Why the last parameter could not be added.
    parameter_refusal: Option<String>,
}

/// What the user did to a layer.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Layer N shown or hidden.
    Toggled(usize, bool),
    /// Parameter `.1` of layer `.0` set to `.2`.
    Changed(usize, usize, Value),
    /// The kind Add makes was chosen.
    AddKindChosen(String),
    /// Add a layer of the chosen kind.
    AddLayer,
    /// Remove layer N.
    Remove(usize),
    /// Move layer N one place up (drawn earlier) or down.
    Move(usize, MoveTo),
    /// Open or close layer N's editor.
    Expand(usize),
    /// The open layer's new name typed.
    RenameTyped(String),
    /// The open layer's new name confirmed.
    RenameSubmitted,
    /// Field `.1` of layer `.0` typed (or its slider moved).
    FieldTyped(usize, String, String),
    /// Field `.1` of layer `.0` confirmed (Enter, or the slider released).
    FieldSubmitted(usize, String),
    /// Field `.1` of layer `.0` set outright (a pick list, a checkbox).
    FieldSet(usize, String, FieldValue),
    /// Choose a file for asset field `.1` of layer `.0`.
    ChooseAsset(usize, String),
    /// Start (or stop) picking layer N's anchor on the preview.
    PickAnchor(usize),
    /// The new parameter's name typed or chosen.
    ParameterNameTyped(String),
    /// The new parameter's type chosen (plugin layers).
    ParameterTypeChosen(String),
    /// Add the new parameter to layer N.
    AddParameter(usize),
    /// Remove parameter `.1` of layer `.0`.
    RemoveParameter(usize, String),
}

/// A layer's move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveTo {
    /// One place earlier (drawn under the one before).
    Up,
    /// One place later.
    Down,
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Tell the preview.
    Command(PreviewCommand),
    /// Write this edit into `effect.toml`.
    Edit(ManifestEdit),
    /// Add a layer of this kind, with its starting asset.
    AddLayer(String),
    /// Let the designer choose a file for a layer's asset field.
    ChooseAsset {
        /// The layer.
        layer: String,
        /// The field (`texture`, `image`, …).
        field: String,
    },
    /// The next click on the preview sets this layer's anchor (`None`: stop picking).
    PickAnchor(Option<String>),
}

/// The value a parameter starts at.
fn default_value(spec: &Spec) -> Value {
    match spec {
        Spec::Float { default, .. } => Value::Float(*default),
        Spec::Int { default, .. } => Value::Int(*default),
        Spec::Bool { default } => Value::Bool(*default),
        Spec::Color { default } => {
            let channel = |index: usize, otherwise: f64| {
                default.get(index).copied().unwrap_or(otherwise) as f32
            };
            Value::Color([
                channel(0, 0.0),
                channel(1, 0.0),
                channel(2, 0.0),
                channel(3, 1.0),
            ])
        }
    }
}

impl Layers {
    /// The layers shown.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Shows `manifest`'s layers with their parameters at their defaults, except those
    /// the designer changed (matched by layer and name, of the same type), which keep
    /// their value within the new range: the preview worker keeps them across a reload
    /// too. Layers hidden before stay hidden; the commands returned say so to the preview
    /// again (harmless where it remembers).
    pub fn load(&mut self, manifest: &Manifest) -> Vec<PreviewCommand> {
        let kept = |layer: &str, name: &str, spec: &Spec| -> Option<Value> {
            let old = self
                .layers
                .iter()
                .find(|old| old.name == layer)?
                .parameters
                .iter()
                .find(|old| old.name == name && old.overridden)?;
            (std::mem::discriminant(&old.spec) == std::mem::discriminant(spec))
                .then(|| clamp(spec, old.value))
        };
        let hidden: Vec<String> = self
            .layers
            .iter()
            .filter(|layer| !layer.enabled)
            .map(|layer| layer.name.clone())
            .collect();
        let layers = manifest
            .layers
            .iter()
            .map(|layer| Layer {
                name: layer.name.clone(),
                kind: layer.kind.name().to_owned(),
                trigger: layer.trigger.clone(),
                enabled: !hidden.contains(&layer.name),
                failure: None,
                live: layer
                    .kind
                    .live_properties()
                    .unwrap_or_default()
                    .iter()
                    .map(|(property, low, high)| ((*property).to_owned(), *low, *high))
                    .collect(),
                parameters: layer
                    .parameters
                    .iter()
                    .map(|parameter| {
                        let kept = kept(&layer.name, &parameter.name, &parameter.value);
                        Parameter {
                            name: parameter.name.clone(),
                            value: kept.unwrap_or_else(|| default_value(&parameter.value)),
                            overridden: kept.is_some(),
                            spec: parameter.value.clone(),
                        }
                    })
                    .collect(),
            })
            .collect();
        self.layers = layers;
        self.effect = Some(manifest.effect.clone());
        self.layers
            .iter()
            .filter(|layer| !layer.enabled)
            .map(|layer| PreviewCommand::SetLayerEnabled {
                layer: layer.name.clone(),
                enabled: false,
            })
            .collect()
    }

    /// Marks `layer` as disabled by the runtime, with why.
    pub fn mark_failed(&mut self, layer: &str, message: &str) {
        if let Some(entry) = self.layers.iter_mut().find(|entry| entry.name == layer) {
            entry.failure = Some(message.to_owned());
        }
    }

    /// Every parameter's current value, for saving.
    pub fn values(&self) -> Vec<ParameterDefault> {
        self.layers
            .iter()
            .flat_map(|layer| {
                layer.parameters.iter().map(|parameter| ParameterDefault {
                    layer: layer.name.clone(),
                    parameter: parameter.name.clone(),
                    value: parameter.value,
                })
            })
            .collect()
    }

    /// The parameters the designer changed, as (layer, parameter, value).
    pub fn changed_values(&self) -> Vec<(String, String, Value)> {
        self.layers
            .iter()
            .flat_map(|layer| {
                layer
                    .parameters
                    .iter()
                    .filter(|parameter| parameter.overridden)
                    .map(|parameter| (layer.name.clone(), parameter.name.clone(), parameter.value))
            })
            .collect()
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        if !matches!(message, Message::Toggled(..) | Message::Changed(..)) {
            return (Task::none(), self.edit(message));
        }
        let event = match message {
            Message::Toggled(index, enabled) => self.layers.get_mut(index).map(|layer| {
                layer.enabled = enabled;
                Event::Command(PreviewCommand::SetLayerEnabled {
                    layer: layer.name.clone(),
                    enabled,
                })
            }),
            Message::Changed(index, parameter, value) => {
                self.layers.get_mut(index).and_then(|layer| {
                    let entry = layer.parameters.get_mut(parameter)?;
                    entry.value = clamp(&entry.spec, value);
                    entry.overridden = true;
                    Some(Event::Command(PreviewCommand::SetParameter {
                        layer: layer.name.clone(),
                        name: entry.name.clone(),
                        value: entry.value,
                    }))
                })
            }
            _ => None,
        };
        (Task::none(), event)
    }

    /// The list.
    pub fn view(&self) -> Element<'_, Message> {
        if self.layers.is_empty() {
            return widgets::caption("Open a bundle to see its layers.");
        }
        let mut list = column![].spacing(8);
        if let Some(effect) = &self.effect {
            list = list.push(
                column![
                    row![
                        text(effect.name.as_str()).size(16),
                        widgets::mono(format!("{} · {}", effect.version, effect.id))
                            .style(text::secondary),
                    ]
                    .spacing(10)
                    .align_y(Alignment::Center),
                    widgets::caption(effect.description.as_str()),
                ]
                .spacing(2),
            );
        }
        list = list.extend(
            self.layers
                .iter()
                .enumerate()
                .map(|(index, layer)| self.layer_view(index, layer)),
        );
        if self.editable {
            list = list.push(
                row![
                    pick_list(
                        ADDABLE_KINDS
                            .iter()
                            .map(|kind| (*kind).to_owned())
                            .collect::<Vec<_>>(),
                        self.add_kind.clone(),
                        Message::AddKindChosen,
                    )
                    .placeholder("layer kind")
                    .text_size(13),
                    button(text("Add layer").size(13))
                        .on_press_maybe(self.add_kind.is_some().then_some(Message::AddLayer)),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        } else {
            list = list.push(widgets::caption(
                "A packed .effect is read-only: open its folder to edit the layers.",
            ));
        }
        list.into()
    }

    fn layer_view<'a>(&'a self, index: usize, layer: &'a Layer) -> Element<'a, Message> {
        let mut body = column![layer_header(index, layer, self.editable, self.layers.len())];
        if let Some(failure) = &layer.failure {
            body = body.push(
                text(format!("disabled: {failure}"))
                    .size(12)
                    .style(text::danger),
            );
        }
        for (parameter_index, parameter) in layer.parameters.iter().enumerate() {
            body = body.push(parameter_view(index, parameter_index, parameter));
        }
        if self.expanded == Some(index)
            && let Some(table) = self.tables.get(index)
        {
            body = body.push(
                row![
                    widgets::mono("name").width(104),
                    text_input("name", &self.rename)
                        .on_input(Message::RenameTyped)
                        .on_submit(Message::RenameSubmitted)
                        .size(13),
                ]
                .spacing(6)
                .align_y(Alignment::Center),
            );
            body = body.push(
                fields::FieldsView {
                    index,
                    kind: &layer.kind,
                    table,
                    drafts: &self.drafts,
                    refusals: &self.refusals,
                    triggers: &self.triggers,
                    anchoring: self.anchoring.as_deref() == Some(layer.name.as_str()),
                }
                .view(),
            );
            body = body.push(parameter_editor::view(index, layer, &self.new_parameter));
            if let Some(refusal) = &self.parameter_refusal {
                body = body.push(text(refusal.clone()).size(12).style(text::danger));
            }
        }
        container(body.spacing(6))
            .padding(8)
            .width(Fill)
            .style(container::bordered_box)
            .into()
    }
}

/// A small button for the layer header.
fn tool(label: &str, message: Option<Message>) -> Element<'_, Message> {
    button(text(label).size(12))
        .padding([2, 6])
        .style(button::secondary)
        .on_press_maybe(message)
        .into()
}

/// Keeps a value inside its parameter's range and type.
fn clamp(spec: &Spec, value: Value) -> Value {
    match (spec, value) {
        (Spec::Float { min, max, .. }, Value::Float(number)) => {
            Value::Float(number.clamp(*min, *max))
        }
        (Spec::Int { min, max, .. }, Value::Int(number)) => Value::Int(number.clamp(*min, *max)),
        (Spec::Int { min, max, .. }, Value::Float(number)) => {
            Value::Int((number.round() as i64).clamp(*min, *max))
        }
        (_, Value::Color(rgba)) => Value::Color(rgba.map(|channel| channel.clamp(0.0, 1.0))),
        (_, other) => other,
    }
}

fn layer_header(index: usize, layer: &Layer, editable: bool, count: usize) -> Element<'_, Message> {
    let mut header = row![
        checkbox(layer.enabled)
            .label(layer.name.as_str())
            .on_toggle(move |enabled| Message::Toggled(index, enabled)),
        widgets::mono(layer.kind.as_str()).style(text::secondary),
    ]
    .spacing(10)
    .align_y(Alignment::Center);
    if let Some(trigger) = &layer.trigger {
        header = header.push(widgets::mono(format!("while {trigger}")).style(text::primary));
    }
    if editable {
        // The tools on a line of their own, so a long name and trigger never push them off
        // a narrow panel.
        let tools = row![
            tool(
                "Up",
                (index > 0).then_some(Message::Move(index, MoveTo::Up))
            ),
            tool(
                "Down",
                (index + 1 < count).then_some(Message::Move(index, MoveTo::Down))
            ),
            tool("Edit", Some(Message::Expand(index))),
            tool("Remove", Some(Message::Remove(index))),
        ]
        .spacing(6);
        return column![header, tools].spacing(4).into();
    }
    header.into()
}

fn parameter_view(layer: usize, index: usize, parameter: &Parameter) -> Element<'_, Message> {
    let label = || widgets::mono(parameter.name.as_str()).width(110);
    match (&parameter.spec, parameter.value) {
        (Spec::Float { min, max, .. }, Value::Float(value)) => row![
            label(),
            slider(*min..=*max, value, move |value| {
                Message::Changed(layer, index, Value::Float(value))
            })
            .step((max - min) / 200.0)
            .width(Fill),
            widgets::mono(format!("{value:.2}")).width(48),
        ]
        .spacing(8)
        .align_y(Alignment::Center)
        .into(),
        (Spec::Int { min, max, .. }, Value::Int(value)) => row![
            label(),
            slider(*min as f64..=*max as f64, value as f64, move |value| {
                Message::Changed(layer, index, Value::Int(value.round() as i64))
            })
            .step(1.0)
            .width(Fill),
            widgets::mono(value.to_string()).width(48),
        ]
        .spacing(8)
        .align_y(Alignment::Center)
        .into(),
        (Spec::Bool { .. }, Value::Bool(value)) => row![
            label(),
            checkbox(value).on_toggle(move |value| Message::Changed(
                layer,
                index,
                Value::Bool(value)
            )),
        ]
        .spacing(8)
        .align_y(Alignment::Center)
        .into(),
        (_, Value::Color(rgba)) => color_view(layer, index, parameter, rgba),
        (_, value) => row![label(), widgets::mono(format!("{value:?}"))].into(),
    }
}

/// A colour as a swatch and one slider per channel (iced 0.14 has no colour picker).
fn color_view<'a>(
    layer: usize,
    index: usize,
    parameter: &'a Parameter,
    rgba: [f32; 4],
) -> Element<'a, Message> {
    let swatch = container(text(""))
        .width(28)
        .height(28)
        .style(move |_theme| container::Style {
            background: Some(Background::Color(Color::from_rgba(
                rgba[0], rgba[1], rgba[2], rgba[3],
            ))),
            border: Border::default()
                .rounded(4)
                .width(1)
                .color(Color::from_rgb(0.5, 0.5, 0.5)),
            ..container::Style::default()
        });
    let channels = column(
        ["R", "G", "B", "A"]
            .into_iter()
            .enumerate()
            .map(|(channel, name)| {
                row![
                    widgets::mono(name).width(14),
                    slider(0.0..=1.0, rgba[channel], move |value| {
                        let mut changed = rgba;
                        changed[channel] = value;
                        Message::Changed(layer, index, Value::Color(changed))
                    })
                    .step(1.0 / 255.0)
                    .width(Fill),
                    widgets::mono(format!("{:.2}", rgba[channel])).width(40),
                ]
                .spacing(6)
                .align_y(Alignment::Center)
                .into()
            }),
    )
    .spacing(2);
    row![
        widgets::mono(parameter.name.as_str()).width(110),
        swatch,
        channels
    ]
    .spacing(8)
    .align_y(Alignment::Center)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamping_keeps_ranges_and_types() {
        let float = Spec::Float {
            min: 0.0,
            max: 1.0,
            default: 0.5,
        };
        assert_eq!(clamp(&float, Value::Float(3.0)), Value::Float(1.0));
        let int = Spec::Int {
            min: 0,
            max: 9,
            default: 3,
        };
        assert_eq!(clamp(&int, Value::Float(4.6)), Value::Int(5));
        assert_eq!(clamp(&int, Value::Int(-4)), Value::Int(0));
        let color = Spec::Color {
            default: vec![1.0, 0.0, 0.0],
        };
        assert_eq!(default_value(&color), Value::Color([1.0, 0.0, 0.0, 1.0]));
        assert_eq!(
            clamp(&color, Value::Color([2.0, -1.0, 0.5, 1.0])),
            Value::Color([1.0, 0.0, 0.5, 1.0])
        );
    }
}
