//! A live preview for authoring tools, without a GUI: a worker thread that owns the
//! effect player, the frame source and a bundle watcher, plays the effect on the source
//! (looping, paused, stepped or scrubbed), reloads the bundle when its files change, and
//! leaves only the newest rendered frame in a one-slot mailbox: a slow reader drops
//! frames, it never builds a backlog. The caller's thread (a GUI's) never runs inference.

mod frames;
mod worker;

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use effect_api::Diagnostic;
use effect_api::manifest::Manifest;
use effect_api::plugin::Value;

use crate::models::AssetCache;
use crate::player::{FrameSnapshot, FrameStats, PlayerOptions, ReloadReport};
use crate::render::{RenderError, Renderer};

/// What to preview and how.
#[derive(Debug, Clone)]
pub struct PreviewSettings {
    /// The bundle: a folder or a `.effect` file.
    pub bundle: PathBuf,
    /// The source: an image, a folder of images, a `.y4m` file or a video ffmpeg reads.
    pub source: PathBuf,
    /// The face models.
    pub cache: AssetCache,
    /// How the player runs (`still_images` is set for you when the source is stills).
    pub player: PlayerOptions,
    /// How long the bundle's files must be quiet before a reload.
    pub debounce: Duration,
    /// Most bytes of decoded source frames kept for looping and scrubbing; frames past it
    /// are decoded again when needed.
    pub frame_memory: usize,
}

impl PreviewSettings {
    /// Settings for `bundle` on `source` with the defaults an authoring tool wants: 100 ms
    /// of quiet before a reload, 1 GiB of frames kept.
    pub fn new(bundle: PathBuf, source: PathBuf, cache: AssetCache) -> Self {
        Self {
            bundle,
            source,
            cache,
            player: PlayerOptions::default(),
            debounce: Duration::from_millis(100),
            frame_memory: 1 << 30,
        }
    }
}

/// What the worker is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewCommand {
    /// Play from the current frame at the source's rate.
    Play,
    /// Stop advancing (changes still render the current frame again).
    Pause,
    /// Pause and show the next frame.
    Step,
    /// Pause and show frame `index` (counting from 0; clamped to the source's end).
    Seek(u64),
    /// Whether playing past the last frame starts again at the first.
    SetLooping(bool),
    /// Changes a layer's parameter (a number, or a colour for a plugin's colour).
    SetParameter {
        /// The layer.
        layer: String,
        /// The parameter.
        name: String,
        /// Its new value.
        value: Value,
    },
    /// Switches a layer on or off.
    SetLayerEnabled {
        /// The layer.
        layer: String,
        /// On or off.
        enabled: bool,
    },
    /// Reloads the bundle now, without waiting for a change.
    Reload,
}

/// Something the worker reports.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewEvent {
    /// The bundle opened (at start, or after failing to): its effect and layers.
    Opened {
        /// The manifest the player loaded (layers, parameters, trigger rules).
        manifest: Arc<Manifest>,
        /// The size of every file of the bundle (what `[budget] max_total_mb` limits).
        bundle_bytes: u64,
        /// What draws the effect (`cpu`, or `gpu (ADAPTER)`).
        renderer: String,
        /// The layers, in manifest order.
        layers: Vec<String>,
        /// The source's frame rate.
        frame_rate: f64,
        /// Whether the source is unrelated stills.
        still_images: bool,
    },
    /// The bundle reloaded after `changed` (paths in the bundle; empty when asked to).
    Reloaded {
        /// What changed.
        changed: Vec<String>,
        /// How long the reload took.
        reload_ms: f64,
        /// Which plugin layers kept their state.
        report: ReloadReport,
        /// The manifest now loaded.
        manifest: Arc<Manifest>,
        /// The size of every file of the bundle now.
        bundle_bytes: u64,
        /// The layers now, in manifest order.
        layers: Vec<String>,
    },
    /// The bundle could not be opened or reloaded; the last good version (if any) plays on.
    LoadFailed {
        /// The whole message.
        message: String,
        /// Each problem at its file, line and column, when the bundle did not validate.
        diagnostics: Vec<Diagnostic>,
    },
    /// A plugin layer failed or panicked and was disabled.
    LayerFailed {
        /// The layer.
        layer: String,
        /// What happened.
        message: String,
    },
    /// The source has this many frames: reported at start when the source knows (an image
    /// folder, a Y4M file, a video whose container says), and again when its end is
    /// reached if that differs. A live camera has no length.
    SourceLength(u64),
    /// A command could not be carried out, or a frame could not be played.
    Error(String),
}

/// One rendered frame, with what the player saw.
#[derive(Debug, Clone)]
pub struct PreviewFrame {
    /// Position in the source, from 0.
    pub index: u64,
    /// Counts the bundle's loads: frames of a newer version have a larger number.
    pub generation: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The source frame as RGBA8 (opaque).
    pub source_rgba: Arc<Vec<u8>>,
    /// The frame with the effect played on it, RGBA8 (opaque).
    pub rendered_rgba: Vec<u8>,
    /// The player's figures for this frame.
    pub stats: FrameStats,
    /// The faces of this frame, and the trigger events of this frame and of every frame
    /// dropped unread before it (oldest first).
    pub snapshot: FrameSnapshot,
}

/// Why the preview could not start.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The worker thread could not be started.
    #[error("cannot start the preview thread: {0}")]
    Thread(std::io::Error),
}

/// Makes a renderer for each load of the bundle (a failed load consumes the one it was
/// given): `CpuRenderer::default()`, or a `GpuRenderer` on the host's own wgpu device.
pub type RendererFactory =
    Box<dyn FnMut() -> Result<Box<dyn Renderer>, RenderError> + Send + 'static>;

/// The newest frame, waiting for its reader.
type Mailbox = Arc<Mutex<Option<PreviewFrame>>>;

/// A running preview. Dropping it stops the worker and waits for it.
#[derive(Debug)]
pub struct PreviewWorker {
    commands: Option<Sender<PreviewCommand>>,
    events: Receiver<PreviewEvent>,
    mailbox: Mailbox,
    thread: Option<JoinHandle<()>>,
}

impl PreviewWorker {
    /// Starts previewing `settings.bundle` on `settings.source`, drawn by renderers from
    /// `renderers`. The bundle and source are opened on the worker: problems arrive as
    /// events.
    pub fn spawn(
        settings: PreviewSettings,
        renderers: RendererFactory,
    ) -> Result<Self, PreviewError> {
        let (commands, command_receiver) = channel();
        let (event_sender, events) = channel();
        let mailbox = Mailbox::default();
        let worker_mailbox = mailbox.clone();
        let thread = std::thread::Builder::new()
            .name("lensmith-preview".to_owned())
            .spawn(move || {
                worker::run(
                    settings,
                    renderers,
                    command_receiver,
                    event_sender,
                    worker_mailbox,
                )
            })
            .map_err(PreviewError::Thread)?;
        Ok(Self {
            commands: Some(commands),
            events,
            mailbox,
            thread: Some(thread),
        })
    }

    /// Asks the worker to do something; it acts before its next frame.
    pub fn send(&self, command: PreviewCommand) {
        if let Some(commands) = &self.commands {
            // A worker that has stopped reports why as an event; nothing to add here.
            let _ = commands.send(command);
        }
    }

    /// The newest frame, if one arrived since the last call.
    pub fn latest_frame(&self) -> Option<PreviewFrame> {
        self.mailbox
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    /// The next event, if any.
    pub fn try_event(&self) -> Option<PreviewEvent> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event.
    pub fn wait_event(&self, timeout: Duration) -> Option<PreviewEvent> {
        self.events.recv_timeout(timeout).ok()
    }
}

impl Drop for PreviewWorker {
    fn drop(&mut self) {
        // Closing the channel tells the worker to stop.
        self.commands = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
