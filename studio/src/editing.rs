//! What the studio's editors change on disk: every edit goes through the runtime's
//! manifest editor into `effect.toml` (comments kept, checked first, written atomically)
//! and is kept for undo and redo; assets chosen for a layer are copied into the bundle.
//! The bundle watcher then reloads the edit like one made in a text editor.

pub mod assets;
pub mod history;
pub mod starter;

pub use history::History;
