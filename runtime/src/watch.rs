//! Watching an effect bundle for hot reload: `lensmith render --watch` (and any host, such
//! as an authoring app) learns that a bundle's files changed once they have been quiet for
//! a moment, in one batch.
//!
//! Built on notify and notify-debouncer-full. The debouncer pairs the halves of a rename,
//! so an editor's save by temporary file and rename reports the file it replaced; on top
//! of it, [`BundleWatcher`] drops editor and system junk and waits for a quiet spell.

mod change;
mod error;
mod pending;
mod target;

pub use change::BundleChange;
pub use error::WatchError;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use pending::Pending;
use target::Target;

/// The shortest time the underlying debouncer gathers events for: a quarter of it paces
/// the debouncer's thread, so it must not reach zero (the thread would spin).
const MIN_GATHER: Duration = Duration::from_millis(10);

/// The longest the debouncer's thread sleeps between looks. Dropping a watcher waits for
/// the thread to wake and end, so a long debounce time must not make that slow.
const MAX_TICK: Duration = Duration::from_millis(50);

/// Watches one bundle (a folder, recursively, or a `.effect` file) and reports a change
/// once the files have been quiet for the debounce time.
///
/// Not `Sync`: one thread waits on it (a GUI's worker thread, the render loop).
/// Dropping it stops the watch and its threads.
#[derive(Debug)]
pub struct BundleWatcher {
    /// The bundle, as given.
    bundle: PathBuf,
    /// What is watched, with canonical paths that match the watcher's events.
    target: Target,
    /// How long after the latest event a change is reported: the debounce time plus the
    /// debouncer's own gathering, so events still on their way are counted.
    quiet: Duration,
    /// Batches from the debouncer's thread. Unbounded on purpose: the debouncer already
    /// merges events per tick, and dropping a batch would lose a change.
    events: Receiver<DebounceEventResult>,
    /// Changes received but not yet quiet for long enough.
    pending: RefCell<Pending>,
    /// Set once the watched folder went away; every later call reports it.
    gone: Cell<bool>,
    /// The operating system's watch and the debouncer's thread; `None` only while dropping.
    debouncer: Option<Debouncer<RecommendedWatcher, RecommendedCache>>,
}

impl BundleWatcher {
    /// Starts watching `bundle`, a bundle folder (recursively) or a packed `.effect` file
    /// (through its folder, so replacing the file by rename is seen). A change is reported
    /// once no file of the bundle has changed for `debounce`; it comes a little later than
    /// that (the debouncer first gathers events for half of `debounce` to pair renames).
    pub fn new(bundle: &Path, debounce: Duration) -> Result<Self, WatchError> {
        let open_error = |error: std::io::Error| WatchError::Open {
            path: bundle.to_owned(),
            message: error.to_string(),
        };
        let metadata = std::fs::metadata(bundle).map_err(open_error)?;
        let canonical = std::fs::canonicalize(bundle).map_err(open_error)?;
        let target = if metadata.is_dir() {
            Target::Folder { root: canonical }
        } else {
            let is_effect = canonical
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("effect"));
            match (canonical.parent(), canonical.file_name()) {
                (Some(parent), Some(name)) if metadata.is_file() && is_effect => Target::File {
                    parent: parent.to_owned(),
                    name: name.to_string_lossy().into_owned(),
                    file: canonical.clone(),
                },
                _ => {
                    return Err(WatchError::NotABundle {
                        path: bundle.to_owned(),
                    });
                }
            }
        };

        let gather = (debounce / 2).max(MIN_GATHER);
        let tick = (gather / 4).min(MAX_TICK);
        let quiet = debounce.saturating_add(gather).saturating_add(tick);
        let (sender, events) = mpsc::channel();
        let backend_error = |error: notify::Error| WatchError::backend(bundle, &error);
        let mut debouncer = new_debouncer(gather, Some(tick), sender).map_err(backend_error)?;
        let mode = if target.recursive() {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        debouncer
            .watch(target.watched_folder(), mode)
            .map_err(backend_error)?;

        Ok(Self {
            bundle: bundle.to_owned(),
            target,
            quiet,
            events,
            pending: RefCell::new(Pending::default()),
            gone: Cell::new(false),
            debouncer: Some(debouncer),
        })
    }

    /// Blocks up to `timeout` for the next change; `Ok(None)` on timeout. Everything that
    /// changed during one quiet spell comes as one change. An error says the bundle folder
    /// went away (for good: every later call says so too) or the watcher failed.
    pub fn wait(&self, timeout: Duration) -> Result<Option<BundleChange>, WatchError> {
        // `None`: a timeout too long to represent, so wait as long as it takes.
        let give_up = Instant::now().checked_add(timeout);
        loop {
            self.drain()?;
            let now = Instant::now();
            if let Some(change) = self.pending.borrow_mut().take_settled(now, self.quiet) {
                return Ok(Some(change));
            }
            if give_up.is_some_and(|give_up| now >= give_up) {
                self.check_folder()?;
                return Ok(None);
            }
            let settles_at = self.pending.borrow().settles_at(self.quiet);
            let wake = match (settles_at, give_up) {
                (Some(settles), Some(give_up)) => Some(settles.min(give_up)),
                (one, other) => one.or(other),
            };
            let received = match wake {
                Some(wake) => self
                    .events
                    .recv_timeout(wake.saturating_duration_since(now)),
                None => self
                    .events
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(batch) => self.absorb(batch)?,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(self.stopped()),
            }
        }
    }

    /// Non-blocking: a change that already arrived and has been quiet for the debounce
    /// time, if any (everything pending merged into one change).
    pub fn try_next(&self) -> Result<Option<BundleChange>, WatchError> {
        self.drain()?;
        self.check_folder()?;
        Ok(self
            .pending
            .borrow_mut()
            .take_settled(Instant::now(), self.quiet))
    }

    /// The bundle being watched, as given to [`BundleWatcher::new`].
    pub fn bundle(&self) -> &Path {
        &self.bundle
    }

    /// Folds every batch already received into the pending change.
    fn drain(&self) -> Result<(), WatchError> {
        if self.gone.get() {
            return Err(self.gone_error());
        }
        loop {
            match self.events.try_recv() {
                Ok(batch) => self.absorb(batch)?,
                Err(TryRecvError::Empty) => return Ok(()),
                Err(TryRecvError::Disconnected) => return Err(self.stopped()),
            }
        }
    }

    /// Folds one batch into the pending change, or turns it into the error it reports.
    fn absorb(&self, batch: DebounceEventResult) -> Result<(), WatchError> {
        match batch {
            Ok(events) => {
                if self.pending.borrow_mut().absorb(&self.target, &events) {
                    self.gone.set(true);
                    return Err(self.gone_error());
                }
                self.check_folder()
            }
            // Several errors in one tick share a cause as a rule; the first one says it.
            Err(errors) => match errors.first() {
                Some(error) => Err(WatchError::backend(&self.bundle, error)),
                None => Ok(()),
            },
        }
    }

    /// Fails if the watched folder is no longer there. Not every platform's watcher reports
    /// the watched folder itself going away, so this looks.
    fn check_folder(&self) -> Result<(), WatchError> {
        if self.gone.get() || !self.target.watched_folder().is_dir() {
            self.gone.set(true);
            return Err(self.gone_error());
        }
        Ok(())
    }

    /// The error for a bundle whose folder went away.
    fn gone_error(&self) -> WatchError {
        WatchError::Gone {
            path: self.bundle.clone(),
        }
    }

    /// The error for a debouncer thread that ended on its own.
    fn stopped(&self) -> WatchError {
        WatchError::Stopped {
            path: self.bundle.clone(),
        }
    }
}

impl Drop for BundleWatcher {
    fn drop(&mut self) {
        if let Some(debouncer) = self.debouncer.take() {
            // Joins the debouncer's thread (at most one tick), then drops the operating
            // system's watcher, whose own thread ends on the shutdown message that sends.
            debouncer.stop();
        }
    }
}

#[cfg(test)]
mod tests;
