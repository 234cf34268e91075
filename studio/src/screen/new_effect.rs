//! The New effect panel: a name, an id, a template (mask, sticker, generative, plugin) and
//! the folder to make it in; Create makes the folder from the template (as `lensmith new`
//! does, off the UI thread: a plugin's first build takes a minute) and the studio opens it.

use std::path::PathBuf;

use iced::widget::{button, column, pick_list, row, text, text_input};
use iced::{Alignment, Element, Fill, Task};
use lensmith_templates::{NewEffect as Request, folder_name};

use crate::file_dialog::{self, Purpose};
use crate::screen::widgets;

/// The panel's state.
#[derive(Debug, Clone)]
pub struct NewEffect {
    name: String,
    id: String,
    template: Option<String>,
    folder: String,
    /// A creation is running.
    busy: bool,
}

impl Default for NewEffect {
    fn default() -> Self {
        Self {
            name: String::new(),
            id: String::new(),
            template: Some("mask".to_owned()),
            folder: std::env::current_dir()
                .map(|folder| folder.display().to_string())
                .unwrap_or_default(),
            busy: false,
        }
    }
}

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The name typed.
    NameTyped(String),
    /// The id typed.
    IdTyped(String),
    /// The template chosen.
    TemplateChosen(String),
    /// The parent folder typed.
    FolderTyped(String),
    /// Choose the parent folder with a dialog.
    BrowseFolder,
    /// The dialog closed.
    FolderChosen(Option<PathBuf>),
    /// Make it.
    Create,
    /// Close the panel.
    Cancel,
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Make this effect, then open it.
    Create(Request),
    /// Close the panel.
    Close,
}

impl NewEffect {
    /// Sets where new effects go (the folder beside the bundle open now).
    pub fn set_folder(&mut self, folder: &std::path::Path) {
        self.folder = folder.display().to_string();
    }

    /// The creation ended.
    pub fn finished(&mut self) {
        self.busy = false;
    }

    /// The folder the effect would be made as.
    fn target(&self) -> PathBuf {
        PathBuf::from(self.folder.trim()).join(folder_name(&self.name))
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::NameTyped(name) => {
                self.name = name;
                None
            }
            Message::IdTyped(id) => {
                self.id = id;
                None
            }
            Message::TemplateChosen(template) => {
                self.template = Some(template);
                None
            }
            Message::FolderTyped(folder) => {
                self.folder = folder;
                None
            }
            Message::BrowseFolder => {
                return (
                    file_dialog::choose(Purpose::NewEffectFolder).map(Message::FolderChosen),
                    None,
                );
            }
            Message::FolderChosen(folder) => {
                if let Some(folder) = folder {
                    self.set_folder(&folder);
                }
                None
            }
            Message::Create => match self.template.clone() {
                Some(template) if !self.busy => {
                    self.busy = true;
                    Some(Event::Create(Request {
                        name: self.name.trim().to_owned(),
                        template,
                        id: Some(self.id.trim().to_owned()).filter(|id| !id.is_empty()),
                        folder: self.target(),
                        effect_api: None,
                    }))
                }
                _ => None,
            },
            Message::Cancel => Some(Event::Close),
        };
        (Task::none(), event)
    }

    /// The form.
    pub fn view(&self) -> Element<'_, Message> {
        let label = |name: &'static str| widgets::mono(name).width(80);
        let slug = folder_name(&self.name);
        let made_as = if slug.is_empty() {
            "type a name".to_owned()
        } else {
            format!("makes {}", self.target().display())
        };
        column![
            row![
                label("name"),
                text_input("Neon Mask", &self.name)
                    .on_input(Message::NameTyped)
                    .on_submit(Message::Create)
                    .size(13)
            ]
            .spacing(6)
            .align_y(Alignment::Center),
            row![
                label("id"),
                text_input(&format!("com.example.{slug}"), &self.id)
                    .on_input(Message::IdTyped)
                    .size(13)
            ]
            .spacing(6)
            .align_y(Alignment::Center),
            row![
                label("template"),
                pick_list(
                    lensmith_templates::names()
                        .into_iter()
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                    self.template.clone(),
                    Message::TemplateChosen
                )
                .text_size(13)
                .width(Fill),
            ]
            .spacing(6)
            .align_y(Alignment::Center),
            row![
                label("in folder"),
                text_input("folder", &self.folder)
                    .on_input(Message::FolderTyped)
                    .size(13),
                button(text("Choose…").size(12))
                    .padding([3, 6])
                    .on_press(Message::BrowseFolder),
            ]
            .spacing(6)
            .align_y(Alignment::Center),
            widgets::caption(made_as),
            row![
                button(text(if self.busy { "Creating…" } else { "Create" }))
                    .on_press_maybe((!self.busy && !slug.is_empty()).then_some(Message::Create)),
                button(text("Cancel"))
                    .style(button::secondary)
                    .on_press(Message::Cancel),
            ]
            .spacing(8),
        ]
        .spacing(6)
        .into()
    }
}
