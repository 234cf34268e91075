//! Gathering the debouncer's batches into one change per quiet spell: which bundle files
//! they name, when the last of them happened, and whether the watched folder went away.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use notify::EventKind;
use notify::event::{ModifyKind, RenameMode};
use notify_debouncer_full::DebouncedEvent;

use super::BundleChange;
use super::target::{Target, is_junk};

/// Changed bundle files not yet reported, and when the latest change happened.
#[derive(Debug, Default)]
pub(super) struct Pending {
    /// Relative, `/`-separated paths; a set keeps them sorted and unique.
    paths: BTreeSet<String>,
    /// When the latest event that named a bundle file happened.
    last_event: Option<Instant>,
}

impl Pending {
    /// Folds one batch of events into the pending change. Returns whether the watched
    /// folder itself was removed or moved away (the operating system's watch went with it).
    pub(super) fn absorb(&mut self, target: &Target, events: &[DebouncedEvent]) -> bool {
        let mut gone = false;
        for event in events {
            if event.need_rescan() {
                // The system dropped events, so which files changed is unknown: report them all.
                target.all_files(&mut self.paths);
                self.touch(event.time);
                continue;
            }
            // Opening and closing files are reads (reloading the bundle does them), and
            // `Other` carries only watcher metadata: neither is a change.
            if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
                continue;
            }
            let leaves = matches!(
                event.kind,
                EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From))
            );
            let mut named = false;
            for (index, path) in event.paths.iter().enumerate() {
                if path == target.watched_folder() {
                    gone |= leaves;
                    continue;
                }
                let Some(relative) = target.relative(path) else {
                    continue;
                };
                if is_junk(&relative) {
                    continue;
                }
                named |= self.note(target, path, relative, arrives(&event.kind, index));
            }
            if named {
                self.touch(event.time);
            }
        }
        gone
    }

    /// Records one changed path; returns whether it added anything. A folder that arrived
    /// stands for the files in it (they may have been written before the watch on it
    /// began); any other event on a folder that is still there is metadata, not content.
    fn note(&mut self, target: &Target, path: &Path, relative: String, arrived: bool) -> bool {
        let is_folder = std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir());
        if !is_folder {
            // Counted even when already pending: a repeated write extends the quiet wait.
            self.paths.insert(relative);
            return true;
        }
        if !arrived {
            return false;
        }
        let before = self.paths.len();
        target.files_under(path, &mut self.paths);
        self.paths.len() > before
    }

    /// Notes that a bundle file changed at `time`.
    fn touch(&mut self, time: Instant) {
        self.last_event = Some(self.last_event.map_or(time, |last| last.max(time)));
    }

    /// When the pending change will have been quiet for `quiet`; `None` if nothing is
    /// pending or that moment is too far off to represent.
    pub(super) fn settles_at(&self, quiet: Duration) -> Option<Instant> {
        self.last_event?.checked_add(quiet)
    }

    /// The pending change, if there is one and it has been quiet for `quiet` by `now`.
    pub(super) fn take_settled(&mut self, now: Instant, quiet: Duration) -> Option<BundleChange> {
        let settled = match self.last_event {
            None => return None,
            Some(last) => now
                .checked_duration_since(last)
                .is_some_and(|age| age >= quiet),
        };
        if !settled {
            return None;
        }
        self.last_event = None;
        let paths: Vec<String> = std::mem::take(&mut self.paths).into_iter().collect();
        (!paths.is_empty()).then_some(BundleChange { paths })
    }
}

/// Whether the `index`th path of an event of `kind` is something arriving: created, or
/// moved or renamed into place.
fn arrives(kind: &EventKind, index: usize) -> bool {
    match kind {
        EventKind::Create(_) => true,
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Any)) => index == 0,
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => index == 1,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::Event;
    use notify::event::{AccessKind, CreateKind, DataChange, RemoveKind};
    use std::path::PathBuf;

    fn event(kind: EventKind, paths: &[PathBuf], time: Instant) -> DebouncedEvent {
        let mut event = Event::new(kind);
        for path in paths {
            event = event.add_path(path.clone());
        }
        DebouncedEvent::new(event, time)
    }

    #[test]
    fn a_batch_merges_into_one_change_once_quiet() {
        let root = std::env::temp_dir().join("lensmith-watch-pending-no-such-folder");
        let target = Target::Folder { root: root.clone() };
        let start = Instant::now();
        let quiet = Duration::from_millis(100);
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let mut pending = Pending::default();
        let gone = pending.absorb(
            &target,
            &[
                event(write, &[root.join("b.png")], start),
                event(write, &[root.join(".b.png.swp")], start),
                event(
                    EventKind::Access(AccessKind::Any),
                    &[root.join("c.png")],
                    start,
                ),
                event(write, &[root.join("target/debug/x")], start),
                event(write, &[root.join("a.png")], start + quiet / 2),
                event(write, &[root.join("b.png")], start + quiet / 4),
            ],
        );
        assert!(!gone);
        assert_eq!(pending.settles_at(quiet), Some(start + quiet / 2 + quiet));
        assert_eq!(
            pending.take_settled(start + quiet, quiet),
            None,
            "not yet quiet"
        );
        let change = pending.take_settled(start + quiet * 2, quiet);
        let paths = change.map(|change| change.paths);
        assert_eq!(paths, Some(vec!["a.png".to_owned(), "b.png".to_owned()]));
        assert_eq!(
            pending.take_settled(start + quiet * 9, quiet),
            None,
            "taken"
        );
    }

    #[test]
    fn junk_alone_leaves_nothing_pending() {
        let root = std::env::temp_dir().join("lensmith-watch-pending-no-such-folder");
        let target = Target::Folder { root: root.clone() };
        let mut pending = Pending::default();
        let create = EventKind::Create(CreateKind::File);
        pending.absorb(
            &target,
            &[event(create, &[root.join("4913")], Instant::now())],
        );
        assert_eq!(pending.settles_at(Duration::ZERO), None);
    }

    #[test]
    fn removing_the_watched_folder_is_reported() {
        let root = std::env::temp_dir().join("lensmith-watch-pending-no-such-folder");
        let target = Target::Folder { root: root.clone() };
        let mut pending = Pending::default();
        let remove = EventKind::Remove(RemoveKind::Folder);
        assert!(pending.absorb(
            &target,
            &[event(remove, std::slice::from_ref(&root), Instant::now())]
        ));
        let moved = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        assert!(pending.absorb(&target, &[event(moved, &[root], Instant::now())]));
    }

    #[test]
    fn both_ends_of_a_rename_within_the_bundle_are_reported() {
        let root = std::env::temp_dir().join("lensmith-watch-pending-no-such-folder");
        let target = Target::Folder { root: root.clone() };
        let mut pending = Pending::default();
        let both = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        let now = Instant::now();
        pending.absorb(
            &target,
            &[event(both, &[root.join("a.png"), root.join("b.png")], now)],
        );
        let paths = pending
            .take_settled(now, Duration::ZERO)
            .map(|change| change.paths);
        assert_eq!(paths, Some(vec!["a.png".to_owned(), "b.png".to_owned()]));
    }
}
