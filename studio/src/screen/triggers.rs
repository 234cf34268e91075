//! The trigger editor: the bundle's trigger rules, each with its signal, mode, hold and
//! cooldown, and a live meter of its signal for the face in view on which the designer
//! drags the rule's `on` and `off` levels; rules added and removed. Every change is an
//! edit of `effect.toml` that the studio writes (levels when the drag ends).

mod meter;

use std::collections::BTreeMap;

use effect_api::manifest::schema::SIGNALS;
use iced::widget::{button, canvas, column, container, pick_list, row, text, text_input};
use iced::{Alignment, Element, Fill, Task};
use lensmith_runtime::bundle::manifest_edit::{FieldValue, ManifestEdit};

pub use meter::{Level, LevelMeter};

use crate::screen::layers::number;
use crate::screen::widgets;

/// The modes a rule can have.
const MODES: &[&str] = &["while_active", "toggle", "once"];

/// One rule as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// Its signal.
    pub when: String,
    /// The level that starts it.
    pub on: f32,
    /// The level that ends it.
    pub off: f32,
    /// Its mode.
    pub mode: String,
    /// Its hold, ms.
    pub hold_ms: i64,
    /// Its cooldown, ms.
    pub cooldown_ms: i64,
}

/// The trigger editor's state.
#[derive(Debug, Clone, Default)]
pub struct Triggers {
    rules: Vec<Rule>,
    editable: bool,
    /// The current face's scores by signal.
    scores: BTreeMap<String, f32>,
    /// Levels being dragged: (rule, level) → value.
    dragging: BTreeMap<(usize, Level), f32>,
    /// Numbers and names being typed: (rule, field) → text.
    drafts: BTreeMap<(usize, String), String>,
    /// The signal Add uses.
    add_signal: Option<String>,
    /// Why a typed value was refused.
    refusal: Option<String>,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The signal for Add chosen.
    AddSignalChosen(String),
    /// Add a rule on the chosen signal.
    Add,
    /// Remove rule N.
    Remove(usize),
    /// Rule N's signal chosen.
    SignalChosen(usize, String),
    /// Rule N's mode chosen.
    ModeChosen(usize, String),
    /// A level dragged on rule N's meter.
    LevelDragged(usize, Level, f32),
    /// The drag of a level on rule N's meter ended: write it.
    LevelReleased(usize, Level),
    /// Field `.1` of rule `.0` typed (`name`, `hold_ms`, `cooldown_ms`).
    Typed(usize, String, String),
    /// Field `.1` of rule `.0` confirmed.
    Submitted(usize, String),
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Write this edit into `effect.toml`.
    Edit(ManifestEdit),
}

impl Triggers {
    /// The rules shown.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Takes the rules from the manifest as written; `None` for a packed bundle (read-only).
    pub fn set_manifest(&mut self, table: Option<&toml::Table>) {
        self.editable = table.is_some();
        let rule_number = |rule: &toml::Table, key: &str, otherwise: f64| {
            rule.get(key).and_then(number).unwrap_or(otherwise)
        };
        self.rules = table
            .as_ref()
            .and_then(|table| table.get("trigger"))
            .and_then(toml::Value::as_array)
            .map(|rules| {
                rules
                    .iter()
                    .filter_map(toml::Value::as_table)
                    .map(|rule| {
                        let text = |key: &str, otherwise: &str| {
                            rule.get(key)
                                .and_then(toml::Value::as_str)
                                .unwrap_or(otherwise)
                                .to_owned()
                        };
                        Rule {
                            name: text("name", ""),
                            when: text("when", ""),
                            on: rule_number(rule, "on", 0.6) as f32,
                            off: rule_number(rule, "off", 0.4) as f32,
                            mode: text("mode", "while_active"),
                            hold_ms: rule_number(rule, "hold_ms", 0.0) as i64,
                            cooldown_ms: rule_number(rule, "cooldown_ms", 0.0) as i64,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.dragging.clear();
        self.drafts.clear();
    }

    /// The scores of the face in view (the first), to show on the meters.
    pub fn set_scores(&mut self, scores: &[(String, f32)]) {
        self.scores = scores.iter().cloned().collect();
    }

    fn set(&self, index: usize, field: &str, value: FieldValue) -> Option<Event> {
        Some(Event::Edit(ManifestEdit::SetTriggerField {
            trigger: self.rules.get(index)?.name.clone(),
            field: field.to_owned(),
            value,
        }))
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::AddSignalChosen(signal) => {
                self.add_signal = Some(signal);
                None
            }
            Message::Add => self.add_signal.clone().map(|when| {
                let taken: Vec<String> = self.rules.iter().map(|rule| rule.name.clone()).collect();
                Event::Edit(ManifestEdit::AddTrigger {
                    name: crate::editing::starter::unique_name(&when, &taken),
                    when,
                })
            }),
            Message::Remove(index) => self.rules.get(index).map(|rule| {
                Event::Edit(ManifestEdit::RemoveTrigger {
                    trigger: rule.name.clone(),
                })
            }),
            Message::SignalChosen(index, signal) => {
                self.set(index, "when", FieldValue::Text(signal))
            }
            Message::ModeChosen(index, mode) => self.set(index, "mode", FieldValue::Text(mode)),
            Message::LevelDragged(index, level, value) => {
                if let Some(rule) = self.rules.get(index) {
                    // `off` stays at or below `on`, as the rule requires.
                    let value = match level {
                        Level::On => value.clamp(rule.off, 1.0),
                        Level::Off => value.clamp(0.0, rule.on),
                    };
                    self.dragging
                        .insert((index, level), (value * 100.0).round() / 100.0);
                }
                None
            }
            Message::LevelReleased(index, level) => {
                let value = self.dragging.remove(&(index, level));
                value.and_then(|value| {
                    let field = match level {
                        Level::On => "on",
                        Level::Off => "off",
                    };
                    // Two decimals, as the meter shows them (not the f32's binary tail).
                    let value = (f64::from(value) * 100.0).round() / 100.0;
                    self.set(index, field, FieldValue::Number(value))
                })
            }
            Message::Typed(index, field, typed) => {
                self.refusal = None;
                self.drafts.insert((index, field), typed);
                None
            }
            Message::Submitted(index, field) => self.submit(index, field),
        };
        (Task::none(), event)
    }

    /// A typed name or number confirmed.
    fn submit(&mut self, index: usize, field: String) -> Option<Event> {
        let typed = self.drafts.remove(&(index, field.clone()))?;
        let typed = typed.trim().to_owned();
        if field == "name" {
            let rule = self.rules.get(index)?;
            (typed != rule.name && !typed.is_empty()).then(|| {
                Event::Edit(ManifestEdit::RenameTrigger {
                    trigger: rule.name.clone(),
                    to: typed,
                })
            })
        } else {
            match typed.parse::<i64>() {
                Ok(ms) if ms >= 0 => self.set(index, &field, FieldValue::Integer(ms)),
                _ => {
                    self.refusal = Some(format!(
                        "{field}: `{typed}` is not a whole number of milliseconds"
                    ));
                    None
                }
            }
        }
    }

    /// The rules and their meters.
    pub fn view(&self) -> Element<'_, Message> {
        if !self.editable {
            return widgets::caption("Open a bundle folder to edit its trigger rules.");
        }
        let mut list = column![].spacing(8);
        for (index, rule) in self.rules.iter().enumerate() {
            list = list.push(self.rule_view(index, rule));
        }
        if let Some(refusal) = &self.refusal {
            list = list.push(text(refusal.clone()).size(12).style(text::danger));
        }
        list.push(
            row![
                pick_list(
                    SIGNALS
                        .iter()
                        .map(|signal| (*signal).to_owned())
                        .collect::<Vec<_>>(),
                    self.add_signal.clone(),
                    Message::AddSignalChosen,
                )
                .placeholder("signal")
                .text_size(13),
                button(text("Add trigger").size(13))
                    .on_press_maybe(self.add_signal.is_some().then_some(Message::Add)),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        )
        .into()
    }

    fn draft(&self, index: usize, field: &str, written: String) -> String {
        self.drafts
            .get(&(index, field.to_owned()))
            .cloned()
            .unwrap_or(written)
    }

    fn rule_view<'a>(&'a self, index: usize, rule: &'a Rule) -> Element<'a, Message> {
        let on = self
            .dragging
            .get(&(index, Level::On))
            .copied()
            .unwrap_or(rule.on);
        let off = self
            .dragging
            .get(&(index, Level::Off))
            .copied()
            .unwrap_or(rule.off);
        let score = self.scores.get(&rule.when).copied();
        let signals: Vec<String> = SIGNALS.iter().map(|signal| (*signal).to_owned()).collect();
        let modes: Vec<String> = MODES.iter().map(|mode| (*mode).to_owned()).collect();
        let number_field = |field: &'static str, written: i64| {
            text_input("0", &self.draft(index, field, written.to_string()))
                .on_input(move |typed| Message::Typed(index, field.to_owned(), typed))
                .on_submit(Message::Submitted(index, field.to_owned()))
                .size(13)
                .width(64)
        };
        let is_level = !matches!(rule.when.as_str(), "face_found" | "face_lost");
        let mut body = column![
            row![
                text_input("name", &self.draft(index, "name", rule.name.clone()))
                    .on_input(move |typed| Message::Typed(index, "name".to_owned(), typed))
                    .on_submit(Message::Submitted(index, "name".to_owned()))
                    .size(13)
                    .width(Fill),
                pick_list(signals, Some(rule.when.clone()), move |signal| {
                    Message::SignalChosen(index, signal)
                })
                .text_size(13),
                button(text("Remove").size(12))
                    .padding([2, 6])
                    .style(button::secondary)
                    .on_press(Message::Remove(index)),
            ]
            .spacing(6)
            .align_y(Alignment::Center),
        ]
        .spacing(6);
        if is_level {
            body = body.push(
                row![
                    canvas(LevelMeter {
                        rule: index,
                        score,
                        on,
                        off,
                    })
                    .width(Fill)
                    .height(26),
                    widgets::mono(format!(
                        "on {on:.2} off {off:.2}{}",
                        score.map_or(String::new(), |score| format!(" · now {score:.2}"))
                    ))
                    .width(190),
                ]
                .spacing(6)
                .align_y(Alignment::Center),
            );
        }
        body = body.push(
            row![
                widgets::mono("mode"),
                pick_list(modes, Some(rule.mode.clone()), move |mode| {
                    Message::ModeChosen(index, mode)
                })
                .text_size(13),
                widgets::mono("hold ms"),
                number_field("hold_ms", rule.hold_ms),
                widgets::mono("cooldown ms"),
                number_field("cooldown_ms", rule.cooldown_ms),
            ]
            .spacing(6)
            .align_y(Alignment::Center)
            .wrap(),
        );
        container(body)
            .padding(8)
            .width(Fill)
            .style(container::bordered_box)
            .into()
    }
}
