//! The top bar: the bundle and source paths (typed, picked from the recent ones or chosen
//! in a file dialog), open, reload and save; New, Undo and Redo.

use std::path::{Path, PathBuf};

use iced::widget::{button, column, pick_list, row, text, text_input, tooltip};
use iced::{Alignment, Element, Fill, Task};

use crate::config::StudioConfig;
use crate::file_dialog::{self, Purpose};
use crate::preview_bridge::OpenRequest;
use crate::screen::widgets;

/// The toolbar's state.
#[derive(Debug, Clone, Default)]
pub struct Toolbar {
    bundle: String,
    source: String,
    recent_bundles: Vec<String>,
    recent_sources: Vec<String>,
    open: bool,
    can_undo: bool,
    can_redo: bool,
}

/// What the user did in the toolbar.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The bundle path was edited.
    BundleEdited(String),
    /// The source path was edited.
    SourceEdited(String),
    /// A recent bundle was picked.
    RecentBundle(String),
    /// A recent source was picked.
    RecentSource(String),
    /// Open the bundle on the source.
    Open,
    /// Read the bundle again now.
    Reload,
    /// Save the live parameters into `effect.toml`.
    Save,
    /// Choose the bundle folder with a dialog.
    BrowseBundle,
    /// Choose a packed `.effect` with a dialog.
    BrowseEffect,
    /// Choose the source with a dialog.
    BrowseSource,
    /// A dialog closed: the bundle (`true`) or source chosen, if any.
    Browsed(bool, Option<PathBuf>),
    /// Make a new effect from a template.
    New,
    /// Undo the last edit of `effect.toml`.
    Undo,
    /// Redo the last undone edit.
    Redo,
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Start previewing.
    Open(OpenRequest),
    /// Reload the bundle.
    Reload,
    /// Save the parameters.
    Save,
    /// The request cannot be made; the text says why.
    Invalid(String),
    /// Show the New effect panel.
    New,
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
}

impl Toolbar {
    /// A toolbar showing the remembered paths and recent lists.
    pub fn new(config: &StudioConfig) -> Self {
        let mut toolbar = Self::default();
        toolbar.remember(config);
        toolbar.bundle = path_text(config.last_bundle.as_deref());
        toolbar.source = path_text(config.last_source.as_deref());
        toolbar
    }

    /// Refreshes the recent lists from `config`.
    pub fn remember(&mut self, config: &StudioConfig) {
        self.recent_bundles = config
            .recent_bundles
            .iter()
            .map(|p| path_text(Some(p)))
            .collect();
        self.recent_sources = config
            .recent_sources
            .iter()
            .map(|p| path_text(Some(p)))
            .collect();
    }

    /// Shows `request`'s paths and enables reload and save.
    pub fn opened(&mut self, request: &OpenRequest) {
        self.bundle = path_text(Some(&request.bundle));
        self.source = path_text(Some(&request.source));
        self.open = true;
    }

    /// The request the typed paths make, if both are there.
    pub fn request(&self) -> Result<OpenRequest, String> {
        let bundle = self.bundle.trim();
        let source = self.source.trim();
        if bundle.is_empty() {
            return Err("type the path of a bundle folder or .effect file first".into());
        }
        if source.is_empty() {
            return Err("type the path of an image, image folder or video to preview on".into());
        }
        Ok(OpenRequest {
            bundle: expand_home(bundle),
            source: expand_home(source),
        })
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::BundleEdited(value) => {
                self.bundle = value;
                None
            }
            Message::SourceEdited(value) => {
                self.source = value;
                None
            }
            Message::RecentBundle(value) => {
                self.bundle = value;
                None
            }
            Message::RecentSource(value) => {
                self.source = value;
                None
            }
            Message::Open => Some(match self.request() {
                Ok(request) => Event::Open(request),
                Err(reason) => Event::Invalid(reason),
            }),
            Message::Reload => self.open.then_some(Event::Reload),
            Message::Save => self.open.then_some(Event::Save),
            Message::BrowseBundle => {
                return (browse(true, Purpose::BundleFolder), None);
            }
            Message::BrowseEffect => {
                return (browse(true, Purpose::EffectFile), None);
            }
            Message::BrowseSource => {
                return (browse(false, Purpose::Source), None);
            }
            Message::Browsed(bundle, picked) => {
                if let Some(path) = picked {
                    let text = path.display().to_string();
                    if bundle {
                        self.bundle = text;
                    } else {
                        self.source = text;
                    }
                    // A bundle and a source chosen: open at once, as a user expects.
                    if !self.bundle.trim().is_empty() && !self.source.trim().is_empty() {
                        return self.update(Message::Open);
                    }
                }
                None
            }
            Message::New => Some(Event::New),
            Message::Undo => self.can_undo.then_some(Event::Undo),
            Message::Redo => self.can_redo.then_some(Event::Redo),
        };
        (Task::none(), event)
    }

    /// Whether Undo and Redo have something to do.
    pub fn set_history(&mut self, can_undo: bool, can_redo: bool) {
        self.can_undo = can_undo;
        self.can_redo = can_redo;
    }

    /// The source typed, if any (`~/` expanded).
    pub fn source(&self) -> Option<PathBuf> {
        let source = self.source.trim();
        (!source.is_empty()).then(|| expand_home(source))
    }

    /// Puts a dropped bundle or source in its field.
    pub fn set_path(&mut self, bundle: bool, path: &Path) {
        if bundle {
            self.bundle = path_text(Some(path));
        } else {
            self.source = path_text(Some(path));
        }
    }

    /// The bar.
    pub fn view(&self) -> Element<'_, Message> {
        let bundle = column![
            widgets::caption("Bundle"),
            row![
                text_input("effects/face-paint", &self.bundle)
                    .on_input(Message::BundleEdited)
                    .on_submit(Message::Open)
                    .width(Fill),
                pick_list(
                    self.recent_bundles.clone(),
                    None::<String>,
                    Message::RecentBundle
                )
                .placeholder("Recent")
                .width(110),
            ]
            .spacing(4),
        ]
        .spacing(2)
        .width(Fill);
        let source = column![
            widgets::caption(if cfg!(feature = "camera") {
                "Preview source (image, image folder, video, or camera:N)"
            } else {
                "Preview source (image, image folder or video)"
            }),
            row![
                text_input("~/.cache/lensmith/data/astronaut.png", &self.source)
                    .on_input(Message::SourceEdited)
                    .on_submit(Message::Open)
                    .width(Fill),
                pick_list(
                    self.recent_sources.clone(),
                    None::<String>,
                    Message::RecentSource
                )
                .placeholder("Recent")
                .width(110),
            ]
            .spacing(4),
        ]
        .spacing(2)
        .width(Fill);
        let actions = row![
            button(text("Open")).on_press(Message::Open),
            tooltip(
                button(text("Reload")).on_press_maybe(self.open.then_some(Message::Reload)),
                widgets::tip("Read the bundle again (Ctrl+R); edits also reload by themselves"),
                tooltip::Position::Bottom,
            ),
            tooltip(
                button(text("Save")).on_press_maybe(self.open.then_some(Message::Save)),
                widgets::tip("Write the parameters into effect.toml as defaults (Ctrl+S)"),
                tooltip::Position::Bottom,
            ),
        ]
        .spacing(6);
        let small = |label: &'static str, message: Option<Message>| {
            button(text(label).size(13))
                .padding([4, 8])
                .style(button::secondary)
                .on_press_maybe(message)
        };
        let edits = row![
            small("New…", Some(Message::New)),
            small("Undo", self.can_undo.then_some(Message::Undo)),
            small("Redo", self.can_redo.then_some(Message::Redo)),
        ]
        .spacing(6);
        let browse = row![
            small("Folder…", Some(Message::BrowseBundle)),
            small(".effect…", Some(Message::BrowseEffect)),
            small("Source…", Some(Message::BrowseSource)),
        ]
        .spacing(6);
        column![
            row![
                text("Lensmith Studio").size(18),
                edits,
                iced::widget::space::horizontal(),
                browse,
                actions
            ]
            .spacing(14)
            .align_y(Alignment::Center),
            row![bundle, source].spacing(14),
        ]
        .spacing(6)
        .into()
    }
}

/// A dialog for the bundle (`true`) or the source.
fn browse(bundle: bool, purpose: Purpose) -> Task<Message> {
    file_dialog::choose(purpose).map(move |picked| Message::Browsed(bundle, picked))
}

fn path_text(path: Option<&Path>) -> String {
    path.map(|path| path.display().to_string())
        .unwrap_or_default()
}

/// `~/x` → `$HOME/x`, as a shell would.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_needs_both_paths_and_expands_home() {
        let mut toolbar = Toolbar::default();
        let (_, event) = toolbar.update(Message::Open);
        assert!(matches!(event, Some(Event::Invalid(reason)) if reason.contains("bundle")));
        let _ = toolbar.update(Message::BundleEdited("effects/face-paint".into()));
        let _ = toolbar.update(Message::SourceEdited("~/photo.png".into()));
        let (_, event) = toolbar.update(Message::Open);
        let Some(Event::Open(request)) = event else {
            panic!("{event:?}")
        };
        assert_eq!(request.bundle, PathBuf::from("effects/face-paint"));
        assert!(request.source.ends_with("photo.png"));
        assert!(!request.source.starts_with("~"));
        // Reload and save mean nothing until something is open.
        assert_eq!(toolbar.update(Message::Save).1, None);
        toolbar.opened(&request);
        assert_eq!(toolbar.update(Message::Save).1, Some(Event::Save));
    }
}
