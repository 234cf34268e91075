//! The golden-test panel: what the preview shows now (its source, the frame in view and the
//! parameters the designer changed) recorded as a case of the bundle's `tests/golden.toml`,
//! with its expected frames, so `lensmith test` and CI keep the effect looking like this.

use iced::widget::{button, column, row, text, text_input};
use iced::{Alignment, Element, Task};

use crate::screen::widgets;

/// The panel's state.
#[derive(Debug, Clone, Default)]
pub struct Golden {
    name: String,
    running: bool,
    outcome: Option<Result<String, String>>,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The case's name typed.
    NameTyped(String),
    /// Record it.
    Record,
    /// The recording ended: what it wrote, or why it failed.
    Finished(Result<String, String>),
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Record a case of this name from the preview.
    Record(String),
}

impl Golden {
    /// The last outcome.
    pub fn outcome(&self) -> Option<&Result<String, String>> {
        self.outcome.as_ref()
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::NameTyped(name) => {
                self.name = name;
                None
            }
            Message::Record => {
                let name = self.name.trim().to_owned();
                (!name.is_empty() && !self.running).then(|| {
                    self.running = true;
                    self.outcome = None;
                    Event::Record(name)
                })
            }
            Message::Finished(outcome) => {
                self.running = false;
                self.outcome = Some(outcome);
                None
            }
        };
        (Task::none(), event)
    }

    /// The panel.
    pub fn view(&self) -> Element<'_, Message> {
        let mut panel = column![
            widgets::caption(
                "The source, the frame in view and the parameters you changed become a case of tests/golden.toml, with its expected frames."
            ),
            row![
                text_input("case name", &self.name)
                    .on_input(Message::NameTyped)
                    .on_submit(Message::Record)
                    .size(13),
                button(text(if self.running { "Recording…" } else { "Record golden case" }).size(13))
                    .on_press_maybe(
                        (!self.running && !self.name.trim().is_empty()).then_some(Message::Record)
                    ),
            ]
            .spacing(6)
            .align_y(Alignment::Center),
        ]
        .spacing(6);
        match &self.outcome {
            Some(Ok(report)) => {
                panel = panel.push(widgets::mono(report.as_str()).style(text::success))
            }
            Some(Err(problem)) => {
                panel = panel.push(text(problem.as_str()).size(12).style(text::danger))
            }
            None => {}
        }
        panel.into()
    }
}
