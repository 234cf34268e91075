//! The preview worker's side of the studio: each poll takes the worker's events (a bundle
//! opened or reloaded, a failed load, a disabled layer, the source's length) and its
//! newest frame, and hands them to the panels.

use std::time::Instant;

use super::Studio;
use crate::preview_bridge::PreviewEvent;
use crate::screen::problems::ReloadFailure;

impl Studio {
    /// Takes the worker's events and its newest frame.
    pub(super) fn poll(&mut self, now: Instant) {
        let Some(preview) = &self.preview else {
            return;
        };
        let mut events = Vec::new();
        while let Some(event) = preview.try_event() {
            events.push(event);
        }
        let frame = preview.latest_frame();
        for event in events {
            self.handle_event(event);
        }
        match frame {
            Some(frame) => {
                self.performance.push(now, frame.times.clone());
                if let Some(face) = frame.faces.first() {
                    self.triggers.set_scores(&face.scores);
                }
                self.viewer.show(frame, now);
                self.frames_shown += 1;
                if let Some(path) = self.ready_file.take() {
                    let note = format!("first frame shown: {}\n", self.status);
                    if let Err(error) = std::fs::write(&path, note) {
                        self.problems.error(format!("{}: {error}", path.display()));
                    }
                }
            }
            None => self.performance.tick(now),
        }
        self.viewer.tick(now);
    }

    fn handle_event(&mut self, event: PreviewEvent) {
        match event {
            PreviewEvent::Opened {
                manifest,
                frame_rate,
                still_images,
                bundle_bytes,
                renderer,
                ..
            } => {
                let mut commands = self.layers.load(&manifest);
                self.refresh_manifest();
                commands.extend(self.viewer.opened(&manifest, frame_rate, still_images));
                self.performance.reset(frame_rate);
                self.performance.set_bundle(
                    bundle_bytes,
                    manifest.budget.max_total_mb,
                    still_images,
                );
                self.performance.set_renderer(renderer);
                self.problems.reload_succeeded();
                self.status = format!(
                    "Playing {} ({} layer(s))",
                    manifest.effect.name,
                    manifest.layers.len()
                );
                for command in commands {
                    self.send(command);
                }
            }
            PreviewEvent::Reloaded {
                manifest,
                changed,
                reload_ms,
                report,
                bundle_bytes,
                ..
            } => {
                let commands = self.layers.load(&manifest);
                self.refresh_manifest();
                self.performance.set_bundle(
                    bundle_bytes,
                    manifest.budget.max_total_mb,
                    self.viewer.is_still(),
                );
                self.viewer.reloaded(&manifest);
                self.problems.reload_succeeded();
                for problem in report.state_problems {
                    self.problems.error(problem);
                }
                let name = &manifest.effect.name;
                self.status = if changed.is_empty() {
                    format!("Reloaded {name} in {reload_ms:.0} ms")
                } else {
                    format!(
                        "Reloaded {name} in {reload_ms:.0} ms after a change to {}",
                        changed.join(", ")
                    )
                };
                for command in commands {
                    self.send(command);
                }
            }
            PreviewEvent::LoadFailed {
                message,
                diagnostics,
            } => {
                self.status = if self.layers.layers().is_empty() {
                    "The bundle cannot be opened; fix the problems below and it opens by itself."
                        .into()
                } else {
                    "The edit is broken; the last good version keeps playing.".into()
                };
                self.problems.reload_failed(ReloadFailure {
                    message,
                    diagnostics,
                });
            }
            PreviewEvent::LayerFailed { layer, message } => {
                self.layers.mark_failed(&layer, &message);
                self.problems.error(format!("layer `{layer}`: {message}"));
            }
            PreviewEvent::SourceLength(frames) => self.viewer.set_length(frames),
            PreviewEvent::Error(message) => self.problems.error(message),
        }
    }
}
