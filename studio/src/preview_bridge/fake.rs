//! A preview that runs nothing: it records the commands the UI sends and hands out the
//! events and frames a test gives it, so the screens can be tested without models.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{FrameUpdate, Launcher, OpenRequest, PreviewCommand, PreviewEvent, PreviewPort};

#[derive(Debug, Default)]
struct Shared {
    opened: Vec<OpenRequest>,
    commands: Vec<PreviewCommand>,
    events: VecDeque<PreviewEvent>,
    frame: Option<FrameUpdate>,
    refuse: Option<String>,
}

/// A scripted stand-in for the preview worker; clones share one script.
#[derive(Debug, Clone, Default)]
pub struct FakePreview {
    shared: Arc<Mutex<Shared>>,
}

impl FakePreview {
    /// A fake with nothing queued.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A test that panicked while holding the lock has failed already; its data is
        // still fine to read.
        self.shared
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// A launcher that opens this fake for every request (and records the request).
    pub fn launcher(&self) -> Launcher {
        let fake = self.clone();
        Arc::new(move |request: &OpenRequest| {
            let mut shared = fake.lock();
            if let Some(reason) = shared.refuse.take() {
                return Err(reason);
            }
            shared.opened.push(request.clone());
            Ok(Box::new(fake.clone()) as Box<dyn PreviewPort>)
        })
    }

    /// Makes the next launch fail with `reason`.
    pub fn refuse_next_launch(&self, reason: &str) {
        self.lock().refuse = Some(reason.to_owned());
    }

    /// Queues an event for the UI.
    pub fn push_event(&self, event: PreviewEvent) {
        self.lock().events.push_back(event);
    }

    /// Offers a frame to the UI (replacing any not yet taken, as the real mailbox does).
    pub fn offer_frame(&self, frame: FrameUpdate) {
        self.lock().frame = Some(frame);
    }

    /// The requests launched so far.
    pub fn opened(&self) -> Vec<OpenRequest> {
        self.lock().opened.clone()
    }

    /// Takes the commands sent since the last call.
    pub fn take_commands(&self) -> Vec<PreviewCommand> {
        std::mem::take(&mut self.lock().commands)
    }
}

impl PreviewPort for FakePreview {
    fn send(&self, command: PreviewCommand) {
        self.lock().commands.push(command);
    }

    fn latest_frame(&self) -> Option<FrameUpdate> {
        self.lock().frame.take()
    }

    fn try_event(&self) -> Option<PreviewEvent> {
        self.lock().events.pop_front()
    }
}
