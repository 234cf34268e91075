//! What the studio's tests share: a scratch copy of a shipped bundle, a studio driven by a
//! fake preview, the simulator at the window's size, and running the messages it records.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use iced::{Settings, Size};
use iced_test::Simulator;
use lensmith_studio::app::Message;
use lensmith_studio::config::StudioConfig;
use lensmith_studio::preview_bridge::{FakePreview, OpenRequest};
use lensmith_studio::{Options, Studio};
use lensmith_testkit::TempDir;

/// The window size the simulator lays out at (the studio's default window).
pub const WINDOW: Size = Size::new(1500.0, 940.0);

/// A scratch copy of `effects/<name>` and a config path beside it.
pub struct Scratch {
    pub dir: TempDir,
    pub bundle: PathBuf,
    pub config: PathBuf,
}

impl Scratch {
    pub fn new(label: &str, effect: &str) -> Self {
        let dir = TempDir::new(label);
        let bundle = dir.join(effect);
        lensmith_testkit::copy_folder(
            &lensmith_testkit::workspace_root()
                .join("effects")
                .join(effect),
            &bundle,
            &[],
        );
        let config = dir.join("config/studio.toml");
        Self {
            dir,
            bundle,
            config,
        }
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.bundle.join("effect.toml")
    }

    pub fn manifest_text(&self) -> String {
        std::fs::read_to_string(self.manifest_path()).unwrap()
    }
}

/// A studio whose previews are `fake`, remembering into `config`.
pub fn studio(fake: &FakePreview, config: &Path, open: Option<OpenRequest>) -> Studio {
    let (studio, _task) = Studio::new(Options {
        launcher: fake.launcher(),
        config: StudioConfig::default(),
        config_path: Some(config.to_owned()),
        open,
        ready_file: None,
        overlays: Default::default(),
        compare: Default::default(),
    });
    studio
}

/// Runs `interact` on the studio's view in the simulator, then feeds the messages it
/// produced back to the studio; returns them.
pub fn interact(
    studio: &mut Studio,
    interact: impl FnOnce(&mut Simulator<'_, Message>),
) -> Vec<Message> {
    let messages: Vec<Message> = {
        let mut ui = Simulator::with_size(Settings::default(), WINDOW, studio.view());
        interact(&mut ui);
        ui.into_messages().collect()
    };
    for message in &messages {
        let _ = studio.update(message.clone());
    }
    messages
}

/// True when the view shows exactly `text` somewhere.
pub fn shows(studio: &Studio, text: &str) -> bool {
    let mut ui = Simulator::with_size(Settings::default(), WINDOW, studio.view());
    ui.find(text).is_ok()
}

/// One poll of the preview, as the subscription's tick does.
pub fn tick(studio: &mut Studio) {
    let _ = studio.update(Message::Tick(Instant::now()));
}
