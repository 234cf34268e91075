//! Undo and redo for the studio's edits of `effect.toml`: each entry is the file's whole
//! text before and after one edit. A text is put back only over the text the studio itself
//! wrote; when the file was changed elsewhere (a text editor), the history stops there
//! rather than lose that change.

use std::path::Path;

use lensmith_runtime::bundle::manifest_edit::{ManifestEditError, SavedEdit, replace_text};

/// Most edits kept.
const DEPTH: usize = 200;

/// One edit made.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// What it did, in words.
    what: String,
    /// The text before it.
    before: String,
    /// The text it wrote.
    after: String,
}

/// The edits that can be undone and redone.
#[derive(Debug, Clone, Default)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
}

impl History {
    /// Keeps an edit just written; anything undone before it can no longer be redone.
    pub fn record(&mut self, what: String, saved: SavedEdit) {
        if saved.before == saved.after {
            return;
        }
        self.undo.push(Entry {
            what,
            before: saved.before,
            after: saved.after,
        });
        if self.undo.len() > DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// What Undo would undo.
    pub fn next_undo(&self) -> Option<&str> {
        self.undo.last().map(|entry| entry.what.as_str())
    }

    /// What Redo would redo.
    pub fn next_redo(&self) -> Option<&str> {
        self.redo.last().map(|entry| entry.what.as_str())
    }

    /// Forgets everything (another bundle was opened).
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }

    /// Puts the manifest at `path` back as it was before the last edit; says what was
    /// undone. `Ok(None)`: nothing to undo.
    pub fn undo(&mut self, path: &Path) -> Result<Option<String>, ManifestEditError> {
        let Some(entry) = self.undo.pop() else {
            return Ok(None);
        };
        if let Err(error) = replace_text(path, &entry.after, &entry.before) {
            self.clear();
            return Err(error);
        }
        let what = entry.what.clone();
        self.redo.push(entry);
        Ok(Some(what))
    }

    /// Makes the last undone edit again; says what was redone. `Ok(None)`: nothing to
    /// redo.
    pub fn redo(&mut self, path: &Path) -> Result<Option<String>, ManifestEditError> {
        let Some(entry) = self.redo.pop() else {
            return Ok(None);
        };
        if let Err(error) = replace_text(path, &entry.before, &entry.after) {
            self.clear();
            return Err(error);
        }
        let what = entry.what.clone();
        self.undo.push(entry);
        Ok(Some(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(before: &str, after: &str) -> SavedEdit {
        SavedEdit {
            before: before.into(),
            after: after.into(),
        }
    }

    #[test]
    fn undo_and_redo_walk_the_texts_and_a_new_edit_drops_the_redo() {
        let folder =
            std::env::temp_dir().join(format!("lensmith-studio-history-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("effect.toml");
        let mut history = History::default();
        for (before, after) in [("a", "b"), ("b", "c")] {
            std::fs::write(&path, after).unwrap();
            history.record(format!("{before}→{after}"), saved(before, after));
        }
        assert_eq!(history.undo(&path).unwrap().as_deref(), Some("b→c"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b");
        assert_eq!(history.undo(&path).unwrap().as_deref(), Some("a→b"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a");
        assert_eq!(history.undo(&path).unwrap(), None);
        assert_eq!(history.redo(&path).unwrap().as_deref(), Some("a→b"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b");
        std::fs::write(&path, "d").unwrap();
        history.record("b→d".into(), saved("b", "d"));
        assert_eq!(history.next_redo(), None);
        // Changed in a text editor: the undo is refused and the history stops.
        std::fs::write(&path, "typed").unwrap();
        assert!(history.undo(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "typed");
        assert_eq!(history.next_undo(), None);
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
