//! The preview worker's loop: commands first, then the bundle watcher, then a frame when
//! one is due (playing) or something changed (paused). Frames are paced at the source's
//! rate; a late frame is not caught up on but dropped, so the preview never lags behind.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use effect_api::plugin::Value;

use crate::bundle::archive::BundleFiles;
use crate::player::{EffectPlayer, PlayerError, PlayerOptions, bundle_label, read_bundle};
use crate::watch::BundleWatcher;

use super::frames::{FrameStore, to_rgba};
use super::{
    Mailbox, PreviewCommand, PreviewEvent, PreviewFrame, PreviewSettings, RendererFactory,
};

/// How long a paused worker waits for a command before looking at the watcher again.
const IDLE_POLL: Duration = Duration::from_millis(20);

/// Where playback is.
struct Playback {
    playing: bool,
    looping: bool,
    position: u64,
    /// The player's clock: it only moves forward, also across loops and seeks.
    clock_s: f64,
    /// Something changed: draw the current frame again.
    dirty: bool,
    next_due: Instant,
    interval: Duration,
}

/// What the designer changed that a reload must not undo.
#[derive(Default)]
struct Overrides {
    disabled: BTreeSet<String>,
    values: Vec<(String, String, Value)>,
}

/// The worker's state.
struct Worker {
    settings: PreviewSettings,
    options: PlayerOptions,
    renderers: RendererFactory,
    player: Option<EffectPlayer>,
    store: FrameStore,
    playback: Playback,
    overrides: Overrides,
    generation: u64,
    /// The source length last reported.
    reported_length: Option<u64>,
    reported_failures: BTreeSet<String>,
    events: Sender<PreviewEvent>,
    mailbox: Mailbox,
}

/// Runs until the command channel closes.
pub(super) fn run(
    settings: PreviewSettings,
    renderers: RendererFactory,
    commands: Receiver<PreviewCommand>,
    events: Sender<PreviewEvent>,
    mailbox: Mailbox,
) {
    let store = match FrameStore::open(settings.source.clone(), settings.frame_memory) {
        Ok(store) => store,
        Err(error) => {
            let _ = events.send(PreviewEvent::Error(format!("the preview source: {error}")));
            return;
        }
    };
    let still_images = settings.player.still_images || store.is_independent_stills();
    let options = PlayerOptions {
        still_images,
        ..settings.player.clone()
    };
    let watcher = match BundleWatcher::new(&settings.bundle, settings.debounce) {
        Ok(watcher) => Some(watcher),
        Err(error) => {
            let _ = events.send(PreviewEvent::Error(format!(
                "changes to the bundle will not reload it: {error}"
            )));
            None
        }
    };
    let interval = Duration::from_secs_f64(1.0 / store.frame_rate().max(1.0));
    let mut worker = Worker {
        settings,
        options,
        renderers,
        player: None,
        store,
        playback: Playback {
            playing: !still_images,
            looping: true,
            position: 0,
            clock_s: 0.0,
            dirty: true,
            next_due: Instant::now(),
            interval,
        },
        overrides: Overrides::default(),
        generation: 0,
        reported_length: None,
        reported_failures: BTreeSet::new(),
        events,
        mailbox,
    };
    worker.open();
    if let Some(length) = worker.store.length_hint() {
        worker.report_length(length);
    }
    loop {
        let wait = if worker.playback.playing && worker.player.is_some() {
            worker
                .playback
                .next_due
                .saturating_duration_since(Instant::now())
                .min(IDLE_POLL)
        } else {
            IDLE_POLL
        };
        match commands.recv_timeout(wait) {
            Ok(command) => {
                worker.apply(command);
                while let Ok(command) = commands.try_recv() {
                    worker.apply(command);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if let Some(watcher) = &watcher {
            match watcher.try_next() {
                Ok(Some(change)) => worker.reload(change.paths),
                Ok(None) => {}
                Err(error) => worker.report(PreviewEvent::Error(error.to_string())),
            }
        }
        let due = worker.playback.playing && Instant::now() >= worker.playback.next_due;
        if worker.player.is_some() && (worker.playback.dirty || due) {
            worker.play_frame();
        }
    }
}

impl Worker {
    fn report(&self, event: PreviewEvent) {
        // The reader may be gone while the worker winds down; nothing to do then.
        let _ = self.events.send(event);
    }

    /// Reports the source's length unless that figure was reported already.
    fn report_length(&mut self, length: u64) {
        if self.reported_length != Some(length) {
            self.reported_length = Some(length);
            self.report(PreviewEvent::SourceLength(length));
        }
    }

    /// Opens the bundle with a fresh renderer; reports the layers or why it failed.
    fn open(&mut self) {
        let renderer = match (self.renderers)() {
            Ok(renderer) => renderer,
            Err(error) => {
                self.report(PreviewEvent::LoadFailed {
                    message: format!("the renderer cannot start: {error}"),
                    diagnostics: Vec::new(),
                });
                return;
            }
        };
        let bundle = &self.settings.bundle;
        let opened = read_bundle(bundle, &self.options.limits)
            .map_err(PlayerError::from)
            .and_then(|files| {
                let player = EffectPlayer::from_files(
                    &files,
                    &bundle_label(bundle),
                    &self.settings.cache,
                    &self.options,
                    renderer,
                )?;
                Ok((player, total_bytes(&files)))
            });
        match opened {
            Ok((mut player, bundle_bytes)) => {
                player.keep_snapshots(true);
                self.generation += 1;
                self.report(PreviewEvent::Opened {
                    manifest: Arc::new(player.manifest().clone()),
                    bundle_bytes,
                    renderer: player.renderer_name(),
                    layers: player.layer_names().map(str::to_owned).collect(),
                    frame_rate: self.store.frame_rate(),
                    still_images: self.options.still_images,
                });
                self.player = Some(player);
                self.reapply_overrides();
                self.playback.dirty = true;
            }
            Err(error) => self.report_load_failure(&error),
        }
    }

    fn report_load_failure(&self, error: &PlayerError) {
        let diagnostics = match error {
            PlayerError::Invalid { diagnostics, .. } => diagnostics.clone(),
            _ => Vec::new(),
        };
        self.report(PreviewEvent::LoadFailed {
            message: error.to_string(),
            diagnostics,
        });
    }

    /// Reloads after `changed`, or opens the bundle if it never opened.
    fn reload(&mut self, changed: Vec<String>) {
        let Some(player) = &mut self.player else {
            self.open();
            return;
        };
        let started = Instant::now();
        let bundle = &self.settings.bundle;
        let reloaded = read_bundle(bundle, &self.options.limits)
            .map_err(PlayerError::from)
            .and_then(|files| {
                let report = player.reload_files(&files, &bundle_label(bundle))?;
                Ok((report, total_bytes(&files)))
            });
        match reloaded {
            Ok((report, bundle_bytes)) => {
                self.generation += 1;
                self.reported_failures.clear();
                let layers = player.layer_names().map(str::to_owned).collect();
                let manifest = Arc::new(player.manifest().clone());
                self.report(PreviewEvent::Reloaded {
                    changed,
                    reload_ms: started.elapsed().as_secs_f64() * 1e3,
                    report,
                    manifest,
                    bundle_bytes,
                    layers,
                });
                self.reapply_overrides();
                self.playback.dirty = true;
            }
            Err(error) => self.report_load_failure(&error),
        }
    }

    /// Applies the designer's switches and values to a freshly loaded bundle, where its
    /// layers and parameters still exist.
    fn reapply_overrides(&mut self) {
        let Some(player) = &mut self.player else {
            return;
        };
        for layer in &self.overrides.disabled {
            let _ = player.set_layer_enabled(layer, false);
        }
        for (layer, name, value) in &self.overrides.values {
            let _ = player.set_parameter_value(layer, name, *value);
        }
    }

    fn apply(&mut self, command: PreviewCommand) {
        let playback = &mut self.playback;
        match command {
            PreviewCommand::Play => {
                playback.playing = !self.options.still_images;
                playback.next_due = Instant::now();
            }
            PreviewCommand::Pause => playback.playing = false,
            PreviewCommand::Step => {
                playback.playing = false;
                playback.position += 1;
                playback.dirty = true;
            }
            // A camera has no past to go back to.
            PreviewCommand::Seek(_) if self.store.is_live() => {}
            PreviewCommand::Seek(index) => {
                playback.playing = false;
                playback.position = index;
                playback.dirty = true;
                if let Some(player) = &mut self.player {
                    player.reset();
                }
            }
            PreviewCommand::SetLooping(looping) => playback.looping = looping,
            PreviewCommand::SetParameter { layer, name, value } => {
                self.overrides
                    .values
                    .retain(|(known_layer, known, _)| (known_layer, known) != (&layer, &name));
                let outcome = self
                    .player
                    .as_mut()
                    .map(|player| player.set_parameter_value(&layer, &name, value));
                self.overrides.values.push((layer, name, value));
                self.after_change(outcome);
            }
            PreviewCommand::SetLayerEnabled { layer, enabled } => {
                let outcome = self
                    .player
                    .as_mut()
                    .map(|player| player.set_layer_enabled(&layer, enabled));
                if enabled {
                    self.overrides.disabled.remove(&layer);
                } else {
                    self.overrides.disabled.insert(layer);
                }
                self.after_change(outcome);
            }
            PreviewCommand::Reload => self.reload(Vec::new()),
        }
    }

    fn after_change(&mut self, outcome: Option<Result<(), PlayerError>>) {
        match outcome {
            Some(Err(error)) => self.report(PreviewEvent::Error(error.to_string())),
            _ => self.playback.dirty = true,
        }
    }

    /// Plays the current frame, publishes it, and moves on when playing.
    fn play_frame(&mut self) {
        let stored = match self.store.get(self.playback.position) {
            Ok(Some(stored)) => stored,
            Ok(None) => {
                let length = self.store.length().unwrap_or(0);
                if length == 0 {
                    self.report(PreviewEvent::Error("the source has no frames".to_owned()));
                    self.player = None;
                    return;
                }
                self.report_length(length);
                if self.playback.playing && self.playback.looping {
                    self.playback.position = 0;
                    if let Some(player) = &mut self.player {
                        player.reset();
                    }
                } else {
                    self.playback.playing = false;
                    self.playback.position = length - 1;
                }
                self.playback.dirty = true;
                return;
            }
            Err(error) => {
                self.report(PreviewEvent::Error(format!("the preview source: {error}")));
                self.playback.playing = false;
                self.playback.dirty = false;
                return;
            }
        };
        let Some(player) = &mut self.player else {
            return;
        };
        let mut frame = (*stored.frame).clone();
        self.playback.clock_s += self.playback.interval.as_secs_f64();
        let played = player.process(&mut frame, self.playback.clock_s).cloned();
        self.playback.dirty = false;
        match played {
            Ok(stats) => {
                let published = PreviewFrame {
                    index: self.playback.position,
                    generation: self.generation,
                    width: frame.width(),
                    height: frame.height(),
                    source_rgba: stored.rgba,
                    rendered_rgba: to_rgba(&frame),
                    stats,
                    snapshot: player.snapshot().cloned().unwrap_or_default(),
                };
                publish(&self.mailbox, published);
            }
            Err(error) => {
                self.report(PreviewEvent::Error(format!(
                    "frame {}: {error}",
                    self.playback.position
                )));
                self.playback.playing = false;
            }
        }
        self.report_new_failures();
        if self.playback.playing {
            self.playback.position += 1;
            let now = Instant::now();
            self.playback.next_due += self.playback.interval;
            if self.playback.next_due < now {
                // Late: drop the missed slots rather than rush through them.
                self.playback.next_due = now;
            }
        }
    }

    fn report_new_failures(&mut self) {
        let Some(player) = &self.player else {
            return;
        };
        let fresh: Vec<(String, String)> = player
            .layer_failures()
            .filter(|(layer, _)| !self.reported_failures.contains(*layer))
            .map(|(layer, failure)| (layer.to_owned(), failure.to_string()))
            .collect();
        for (layer, message) in fresh {
            self.reported_failures.insert(layer.clone());
            self.report(PreviewEvent::LayerFailed { layer, message });
        }
    }
}

/// The bytes of every file of the bundle, as its `[budget] max_total_mb` counts them.
fn total_bytes(files: &BundleFiles) -> u64 {
    files.files.values().map(|bytes| bytes.len() as u64).sum()
}

/// Leaves `frame` in the mailbox in place of any unread one, keeping the unread frame's
/// trigger events (oldest first), so a reader that skips frames still sees every event.
fn publish(mailbox: &Mailbox, mut frame: PreviewFrame) {
    let mut slot = mailbox
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(unread) = slot.take() {
        let mut events = unread.snapshot.events;
        events.append(&mut frame.snapshot.events);
        frame.snapshot.events = events;
    }
    *slot = Some(frame);
}
