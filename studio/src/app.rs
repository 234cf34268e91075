//! The studio's root: its state, the message every panel's message is wrapped in, the
//! mapping of the panels' events onto the preview, the manifest editor ([`authoring`]) and
//! the configuration, and the subscriptions (the preview poll, shortcuts, window size,
//! files dropped on the window). The window's layout is in `layout`, the worker's events
//! in `preview_events`.

pub mod authoring;
mod layout;
mod preview_events;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::keyboard;
use iced::{Size, Subscription, Task, Theme};
use lensmith_runtime::bundle::manifest_edit::save_parameter_defaults;

use crate::config::{StudioConfig, ViewChoices, WindowSize};
use crate::editing::History;
use crate::file_dialog::{Dropped, classify_drop};
use crate::panels::{FoldedPanels, Panel};
use crate::preview_bridge::{Launcher, OpenRequest, PreviewCommand, PreviewPort};
use crate::screen::viewer::Compare;
use crate::screen::viewer::overlay::Overlays;
use crate::screen::{
    effect_info, export, golden, layers, new_effect, performance, problems, toolbar, triggers,
    viewer,
};
use crate::shortcut::{Shortcut, shortcut_for};

/// How often the UI takes the newest frame and the worker's events while playing.
pub const POLL_INTERVAL: Duration = Duration::from_millis(15);

/// How often it looks while paused or on a still: only edits and parameter changes bring
/// new frames then, and every poll redraws the window (costly on a software renderer).
pub const IDLE_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// How the studio starts.
#[derive(Clone)]
pub struct Options {
    /// Starts previews (the runtime's worker, or a fake in tests).
    pub launcher: Launcher,
    /// What was remembered.
    pub config: StudioConfig,
    /// Where to remember things; `None` keeps nothing.
    pub config_path: Option<PathBuf>,
    /// Open this at once.
    pub open: Option<OpenRequest>,
    /// Write this file once the first frame is shown (for scripts that wait for it).
    pub ready_file: Option<PathBuf>,
    /// The overlays shown at start.
    pub overlays: Overlays,
    /// How to compare the result with the source at start.
    pub compare: Compare,
    /// The side panels folded at start.
    pub folded: FoldedPanels,
}

/// The studio.
pub struct Studio {
    launcher: Launcher,
    config: StudioConfig,
    config_path: Option<PathBuf>,
    /// When the window size last changed and is not saved yet.
    config_dirty_since: Option<Instant>,
    preview: Option<Box<dyn PreviewPort>>,
    session: Option<OpenRequest>,
    toolbar: toolbar::Toolbar,
    viewer: viewer::Viewer,
    layers: layers::Layers,
    problems: problems::Problems,
    performance: performance::Performance,
    export: export::Export,
    triggers: triggers::Triggers,
    effect_info: effect_info::EffectInfo,
    golden: golden::Golden,
    new_effect: new_effect::NewEffect,
    show_new_effect: bool,
    history: History,
    /// Side panels the designer folded to their titles.
    folded: FoldedPanels,
    status: String,
    frames_shown: u64,
    ready_file: Option<PathBuf>,
}

/// Everything that happens to the studio.
#[derive(Debug, Clone)]
pub enum Message {
    /// The toolbar.
    Toolbar(toolbar::Message),
    /// The preview and transport.
    Viewer(viewer::Message),
    /// The layer list.
    Layers(layers::Message),
    /// The problems panel.
    Problems(problems::Message),
    /// The performance panel.
    Performance(performance::Message),
    /// The export panel.
    Export(export::Message),
    /// Time to poll the preview.
    Tick(Instant),
    /// A keyboard shortcut.
    Shortcut(Shortcut),
    /// The window was resized.
    WindowResized(Size),
    /// The trigger editor.
    Triggers(triggers::Message),
    /// The New effect panel.
    NewEffect(new_effect::Message),
    /// The golden-test panel.
    Golden(golden::Message),
    /// The effect panel.
    EffectInfo(effect_info::Message),
    /// A new effect was made, or why not.
    EffectCreated(Result<lensmith_templates::CreatedEffect, String>),
    /// A file dialog for a layer's asset closed.
    AssetChosen {
        /// The layer.
        layer: String,
        /// Its asset field.
        field: String,
        /// The file chosen, if any.
        path: Option<PathBuf>,
    },
    /// The file dialog for a new plugin layer's library closed.
    PluginLibraryChosen(Option<PathBuf>),
    /// A file or folder was dropped on the window.
    FileDropped(PathBuf),
    /// A side panel folded or unfolded.
    Fold(Panel),
}

impl Studio {
    /// The studio in its starting state, and its first task (opening `options.open`).
    pub fn new(options: Options) -> (Self, Task<Message>) {
        let mut studio = Self {
            launcher: options.launcher,
            toolbar: toolbar::Toolbar::new(&options.config),
            config: options.config,
            config_path: options.config_path,
            config_dirty_since: None,
            preview: None,
            session: None,
            viewer: viewer::Viewer::new(options.overlays, options.compare),
            layers: layers::Layers::default(),
            problems: problems::Problems::default(),
            performance: performance::Performance::default(),
            export: export::Export::default(),
            triggers: triggers::Triggers::default(),
            effect_info: effect_info::EffectInfo::default(),
            golden: golden::Golden::default(),
            new_effect: new_effect::NewEffect::default(),
            show_new_effect: false,
            history: History::default(),
            folded: options.folded,
            status: "Type a bundle and a source (or drop them on the window), then Open; New… makes an effect.".into(),
            frames_shown: 0,
            ready_file: options.ready_file,
        };
        if let Some(request) = options.open {
            studio.open(request);
        }
        (studio, Task::none())
    }

    /// The window's title.
    pub fn title(&self) -> String {
        match &self.session {
            Some(session) => format!("{} — Lensmith Studio", session.bundle.display()),
            None => "Lensmith Studio".into(),
        }
    }

    /// The theme.
    pub fn theme(&self) -> Theme {
        Theme::TokyoNight
    }

    /// The layer list (for tests and tools).
    pub fn layers(&self) -> &layers::Layers {
        &self.layers
    }

    /// The problems panel.
    pub fn problems(&self) -> &problems::Problems {
        &self.problems
    }

    /// The viewer.
    pub fn viewer(&self) -> &viewer::Viewer {
        &self.viewer
    }

    /// The golden-test panel.
    pub fn golden(&self) -> &golden::Golden {
        &self.golden
    }

    /// The trigger editor.
    pub fn triggers(&self) -> &triggers::Triggers {
        &self.triggers
    }

    /// The performance panel.
    pub fn performance(&self) -> &performance::Performance {
        &self.performance
    }

    /// The export panel.
    pub fn export(&self) -> &export::Export {
        &self.export
    }

    /// The status line.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// The remembered state.
    pub fn config(&self) -> &StudioConfig {
        &self.config
    }

    /// How many frames were shown since the last open.
    pub fn frames_shown(&self) -> u64 {
        self.frames_shown
    }

    fn send(&self, command: PreviewCommand) {
        if let Some(preview) = &self.preview {
            preview.send(command);
        }
    }

    /// Starts previewing `request`, replacing any preview.
    fn open(&mut self, request: OpenRequest) {
        // The old worker stops when dropped, before the new one loads its models.
        self.preview = None;
        if self.session.as_ref().map(|session| &session.bundle) != Some(&request.bundle) {
            self.history.clear();
            self.toolbar.set_history(false, false);
        }
        if let Some(parent) = request
            .bundle
            .canonicalize()
            .ok()
            .as_deref()
            .and_then(|b| b.parent())
        {
            self.new_effect.set_folder(parent);
        }
        self.problems.clear();
        self.performance.reset(30.0);
        self.frames_shown = 0;
        self.toolbar.opened(&request);
        match (self.launcher)(&request) {
            Ok(preview) => {
                self.preview = Some(preview);
                self.status = format!(
                    "Opening {} on {}…",
                    request.bundle.display(),
                    request.source.display()
                );
                self.export.set_bundle(&request.bundle);
                self.config.remember(&request.bundle, &request.source);
                self.toolbar.remember(&self.config);
                self.save_config();
                self.session = Some(request);
            }
            Err(reason) => {
                self.status = "Could not open the preview.".into();
                self.problems.error(reason);
                self.session = None;
            }
        }
    }

    /// Keeps the view choices (overlays, comparison, folded panels) for the next start.
    fn remember_view(&mut self) {
        self.config.view = ViewChoices {
            overlays: self.viewer.overlays(),
            compare: self.viewer.compare(),
            folded: self.folded,
        };
        self.config_dirty_since = Some(Instant::now());
    }

    fn save_config(&mut self) {
        self.config_dirty_since = None;
        if let Some(path) = &self.config_path
            && let Err(error) = self.config.save(path)
        {
            self.problems.error(error.to_string());
        }
    }

    fn save_parameters(&mut self) {
        let Some(session) = &self.session else {
            return;
        };
        if !session.bundle.is_dir() {
            self.problems.error(format!(
                "{}: only a bundle folder can be saved to; open the folder the .effect was packed from",
                session.bundle.display()
            ));
            return;
        }
        let values = self.layers.values();
        let manifest = session.bundle.join("effect.toml");
        match save_parameter_defaults(&manifest, &values) {
            // The watcher sees the new file and reloads it; the values stay as they are.
            Ok(()) => {
                self.status = format!(
                    "Saved {} parameter(s) to {}",
                    values.len(),
                    manifest.display()
                );
            }
            Err(error) => self.problems.error(error.to_string()),
        }
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Toolbar(message) => {
                let (task, event) = self.toolbar.update(message);
                match event {
                    Some(toolbar::Event::Open(request)) => self.open(request),
                    Some(toolbar::Event::Reload) => self.send(PreviewCommand::Reload),
                    Some(toolbar::Event::Save) => self.save_parameters(),
                    Some(toolbar::Event::Invalid(reason)) => self.status = reason,
                    Some(toolbar::Event::New) => self.show_new_effect = true,
                    Some(toolbar::Event::Undo) => self.undo_or_redo(true),
                    Some(toolbar::Event::Redo) => self.undo_or_redo(false),
                    None => {}
                }
                task.map(Message::Toolbar)
            }
            Message::Viewer(message) => {
                let (task, event) = self.viewer.update(message);
                match event {
                    Some(viewer::Event::Command(command)) => self.send(command),
                    Some(viewer::Event::ViewChanged) => self.remember_view(),
                    Some(viewer::Event::Sticker(placement)) => self.place_sticker(placement),
                    None => {}
                }
                task.map(Message::Viewer)
            }
            Message::Layers(message) => {
                let (task, event) = self.layers.update(message);
                let mut extra = Task::none();
                match event {
                    Some(layers::Event::Command(command)) => self.send(command),
                    Some(layers::Event::Edit(edit)) => self.edit(edit),
                    Some(layers::Event::AddLayer(kind)) if kind == "plugin" => {
                        extra = crate::file_dialog::choose(crate::file_dialog::Purpose::Asset(
                            "library",
                        ))
                        .map(Message::PluginLibraryChosen);
                    }
                    Some(layers::Event::AddLayer(kind)) => self.add_layer(&kind),
                    Some(layers::Event::ChooseAsset { layer, field }) => {
                        extra = self.choose_asset(layer, field);
                    }
                    Some(layers::Event::PickAnchor(layer)) => {
                        self.viewer.set_placing(layer.is_some());
                        if layer.is_some() {
                            self.status = "Click a landmark on the preview to anchor the sticker; drag to move it, scroll to scale it.".into();
                        }
                    }
                    None => {}
                }
                Task::batch([task.map(Message::Layers), extra])
            }
            Message::Problems(message) => {
                let (task, event) = self.problems.update(message);
                if let Some(event) = event {
                    match event {}
                }
                task.map(Message::Problems)
            }
            Message::Performance(message) => {
                let (task, event) = self.performance.update(message);
                if let Some(event) = event {
                    match event {}
                }
                task.map(Message::Performance)
            }
            Message::Export(message) => {
                let (task, event) = self.export.update(message);
                if let Some(event) = event {
                    match event {}
                }
                task.map(Message::Export)
            }
            Message::Tick(now) => {
                self.poll(now);
                if self.config_dirty_since.is_some_and(|since| {
                    now.saturating_duration_since(since) > Duration::from_secs(1)
                }) {
                    self.save_config();
                }
                Task::none()
            }
            Message::Triggers(message) => {
                let (task, event) = self.triggers.update(message);
                if let Some(triggers::Event::Edit(edit)) = event {
                    self.edit(edit);
                }
                task.map(Message::Triggers)
            }
            Message::NewEffect(message) => {
                let (task, event) = self.new_effect.update(message);
                let extra = match event {
                    Some(new_effect::Event::Create(request)) => self.create_effect(request),
                    Some(new_effect::Event::Close) => {
                        self.show_new_effect = false;
                        Task::none()
                    }
                    None => Task::none(),
                };
                Task::batch([task.map(Message::NewEffect), extra])
            }
            Message::EffectInfo(message) => {
                let (task, event) = self.effect_info.update(message);
                if let Some(effect_info::Event::Edit(edit)) = event {
                    self.edit(edit);
                }
                task.map(Message::EffectInfo)
            }
            Message::Golden(message) => {
                let (task, event) = self.golden.update(message);
                let extra = match event {
                    Some(golden::Event::Record(name)) => self.record_golden(name),
                    None => Task::none(),
                };
                Task::batch([task.map(Message::Golden), extra])
            }
            Message::EffectCreated(made) => {
                self.effect_created(made);
                Task::none()
            }
            Message::AssetChosen { layer, field, path } => {
                self.asset_chosen(layer, field, path);
                Task::none()
            }
            Message::PluginLibraryChosen(library) => {
                if let Some(library) = library {
                    self.add_plugin_layer(&library);
                }
                Task::none()
            }
            Message::FileDropped(path) => {
                match classify_drop(path) {
                    Dropped::Bundle(bundle) => self.toolbar.set_path(true, &bundle),
                    Dropped::Source(source) => self.toolbar.set_path(false, &source),
                }
                // Open when both are known; otherwise the status says what is missing.
                self.update(Message::Toolbar(toolbar::Message::Open))
            }
            Message::Fold(panel) => {
                self.folded.toggle(panel);
                self.remember_view();
                Task::none()
            }
            Message::Shortcut(shortcut) => self.shortcut(shortcut),
            Message::WindowResized(size) => {
                self.config.window = Some(WindowSize {
                    width: size.width,
                    height: size.height,
                });
                self.config_dirty_since = Some(Instant::now());
                Task::none()
            }
        }
    }

    fn shortcut(&mut self, shortcut: Shortcut) -> Task<Message> {
        match shortcut {
            Shortcut::PlayPause => self.update(Message::Viewer(viewer::Message::PlayPause)),
            Shortcut::Step => self.update(Message::Viewer(viewer::Message::Step)),
            Shortcut::Reload => self.update(Message::Toolbar(toolbar::Message::Reload)),
            Shortcut::Save => self.update(Message::Toolbar(toolbar::Message::Save)),
            Shortcut::Open => self.update(Message::Toolbar(toolbar::Message::Open)),
            Shortcut::Undo => {
                self.undo_or_redo(true);
                Task::none()
            }
            Shortcut::Redo => {
                self.undo_or_redo(false);
                Task::none()
            }
            Shortcut::Compare => {
                // The viewer owns the mode; the shortcut moves to the next one.
                let compare = self.viewer.compare().next();
                self.update(Message::Viewer(viewer::Message::Compare(compare)))
            }
        }
    }

    /// The preview poll (while a preview runs), the shortcuts and window resizes.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            keyboard::listen().filter_map(shortcut_for),
            iced::window::resize_events().map(|(_id, size)| Message::WindowResized(size)),
            iced::event::listen_with(file_dropped),
        ];
        if self.preview.is_some() || self.config_dirty_since.is_some() {
            let interval = if self.viewer.is_playing() {
                POLL_INTERVAL
            } else {
                IDLE_POLL_INTERVAL
            };
            subscriptions.push(iced::time::every(interval).map(Message::Tick));
        }
        Subscription::batch(subscriptions)
    }
}

/// A file or folder dropped on the window.
fn file_dropped(
    event: iced::Event,
    _status: iced::event::Status,
    _window: iced::window::Id,
) -> Option<Message> {
    match event {
        iced::Event::Window(iced::window::Event::FileDropped(path)) => {
            Some(Message::FileDropped(path))
        }
        _ => None,
    }
}
