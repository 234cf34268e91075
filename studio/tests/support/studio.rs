//! What the studio's tests share: a scratch copy of a shipped bundle, a studio driven by a
//! fake preview, the simulator at the window's size, and running the messages it records.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use effect_api::manifest::Manifest;
use iced::{Settings, Size};
use iced_test::Simulator;
use lensmith_studio::app::Message;
use lensmith_studio::config::StudioConfig;
use lensmith_studio::preview_bridge::{FakePreview, OpenRequest, PreviewEvent};
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
        manifest_text_of(&self.bundle)
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
        folded: Default::default(),
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

/// The `effect.toml` of the bundle folder `bundle`, as written.
pub fn manifest_text_of(bundle: &Path) -> String {
    std::fs::read_to_string(bundle.join("effect.toml")).unwrap()
}

/// The manifest of the bundle folder `bundle`, as the worker would load it.
pub fn manifest_of(bundle: &Path) -> Arc<Manifest> {
    let text = manifest_text_of(bundle);
    let checked = effect_api::manifest::check("effect.toml", &text);
    Arc::new(checked.manifest.expect("the manifest is valid"))
}

fn layer_names(manifest: &Manifest) -> Vec<String> {
    manifest
        .layers
        .iter()
        .map(|layer| layer.name.clone())
        .collect()
}

/// What the worker reports when it opens the scratch bundle (3 MiB, 30 fps) on stills or
/// on a clip.
pub fn opened_event(scratch: &Scratch, still_images: bool) -> PreviewEvent {
    opened_event_of(&scratch.bundle, still_images)
}

/// What the worker reports when it opens the bundle folder `bundle` (as if 3 MiB, 30 fps)
/// on stills or on a clip.
pub fn opened_event_of(bundle: &Path, still_images: bool) -> PreviewEvent {
    let manifest = manifest_of(bundle);
    PreviewEvent::Opened {
        layers: layer_names(&manifest),
        manifest,
        frame_rate: 30.0,
        bundle_bytes: 3 << 20,
        renderer: "cpu".to_owned(),
        still_images,
    }
}

/// What the worker reports when it reloads the scratch bundle after `changed`.
pub fn reloaded_event(scratch: &Scratch, changed: &str, reload_ms: f64) -> PreviewEvent {
    reloaded_event_of(&scratch.bundle, changed, reload_ms)
}

/// What the worker reports when it reloads the bundle folder `bundle` after `changed`.
pub fn reloaded_event_of(bundle: &Path, changed: &str, reload_ms: f64) -> PreviewEvent {
    let manifest = manifest_of(bundle);
    PreviewEvent::Reloaded {
        changed: vec![changed.to_owned()],
        reload_ms,
        report: Default::default(),
        bundle_bytes: 3 << 20,
        layers: layer_names(&manifest),
        manifest,
    }
}
