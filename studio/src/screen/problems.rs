//! The problems panel: a broken edit's diagnostics as `file:line:column: message` (each a
//! button that copies it to the clipboard), layers the runtime disabled, and other errors.
//! A successful reload clears the edit's problems.

use effect_api::Diagnostic;
use iced::widget::{button, column, row, text};
use iced::{Alignment, Element, Fill, Task};

use crate::screen::widgets;

/// A broken edit of the bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct ReloadFailure {
    /// The whole error.
    pub message: String,
    /// Its problems, each with a place.
    pub diagnostics: Vec<Diagnostic>,
}

/// The panel's state.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    reload: Option<ReloadFailure>,
    errors: Vec<String>,
    copied: Option<String>,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Copy this line to the clipboard.
    Copy(String),
    /// Forget the errors that are not about the bundle's text.
    Dismiss,
}

/// The panel raises no events: copying is a task of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {}

impl Problems {
    /// A broken edit: its problems replace the last ones.
    pub fn reload_failed(&mut self, failure: ReloadFailure) {
        self.reload = Some(failure);
        self.copied = None;
    }

    /// The bundle loaded: its text has no problems any more.
    pub fn reload_succeeded(&mut self) {
        self.reload = None;
        self.copied = None;
    }

    /// A new bundle or source: everything starts clean.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Another error (a failed layer, the source, the renderer).
    pub fn error(&mut self, message: String) {
        if !self.errors.contains(&message) {
            self.errors.push(message);
        }
    }

    /// The broken edit, if the bundle has one.
    pub fn reload_failure(&self) -> Option<&ReloadFailure> {
        self.reload.as_ref()
    }

    /// The other errors.
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.reload.is_none() && self.errors.is_empty()
    }

    /// The lines shown, as they are copied.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(failure) = &self.reload {
            if failure.diagnostics.is_empty() {
                lines.push(failure.message.clone());
            }
            lines.extend(failure.diagnostics.iter().map(diagnostic_line));
        }
        lines.extend(self.errors.iter().cloned());
        lines
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Copy(line) => {
                self.copied = Some(line.clone());
                (iced::clipboard::write(line), None)
            }
            Message::Dismiss => {
                self.errors.clear();
                (Task::none(), None)
            }
        }
    }

    /// The panel.
    pub fn view(&self) -> Element<'_, Message> {
        let mut list = column![].spacing(2);
        if let Some(failure) = &self.reload {
            list = list.push(
                text("The last edit is broken; the last good version keeps playing.")
                    .size(13)
                    .style(text::warning),
            );
            if failure.diagnostics.is_empty() {
                list = list.push(line_button(failure.message.clone(), None));
            }
            for diagnostic in &failure.diagnostics {
                list = list.push(line_button(
                    diagnostic_line(diagnostic),
                    diagnostic.hint.as_deref(),
                ));
            }
        }
        for error in &self.errors {
            list = list.push(line_button(error.clone(), None));
        }
        let mut footer = row![widgets::caption("Click a line to copy it.")]
            .spacing(12)
            .align_y(Alignment::Center);
        if let Some(copied) = &self.copied {
            footer = footer.push(widgets::caption(format!("copied: {copied}")));
        }
        if !self.errors.is_empty() {
            footer = footer.push(
                button(text("Dismiss errors").size(12))
                    .on_press(Message::Dismiss)
                    .style(button::text),
            );
        }
        list.push(footer).into()
    }
}

/// `file:line:column: message`, the form editors and terminals make clickable.
pub fn diagnostic_line(diagnostic: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}",
        diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.message
    )
}

fn line_button(line: String, hint: Option<&str>) -> Element<'_, Message> {
    let mut content = column![widgets::mono(line.clone()).style(text::danger)];
    if let Some(hint) = hint {
        content = content.push(widgets::mono(format!("  hint: {hint}")).style(text::secondary));
    }
    button(content)
        .on_press(Message::Copy(line))
        .style(button::text)
        .width(Fill)
        .padding([2, 4])
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(line: usize) -> Diagnostic {
        Diagnostic {
            file: "fx/effect.toml".into(),
            line,
            column: 9,
            message: "expected a number".into(),
            hint: Some("write 0.5".into()),
        }
    }

    #[test]
    fn a_reload_failure_lists_its_places_until_a_reload_succeeds() {
        let mut problems = Problems::default();
        problems.reload_failed(ReloadFailure {
            message: "fx: 1 problem".into(),
            diagnostics: vec![diagnostic(12)],
        });
        assert_eq!(problems.lines(), ["fx/effect.toml:12:9: expected a number"]);
        let (_, event) = problems.update(Message::Copy(problems.lines()[0].clone()));
        assert_eq!(event, None);
        problems.error("layer `fx`: panicked".into());
        problems.reload_succeeded();
        assert_eq!(problems.lines(), ["layer `fx`: panicked"]);
        let _ = problems.update(Message::Dismiss);
        assert!(problems.is_empty());
    }
}
