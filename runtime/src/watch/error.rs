//! What can go wrong watching a bundle, each message naming the bundle and what to do.

use std::path::{Path, PathBuf};

/// Everything that can go wrong starting or running a [`super::BundleWatcher`]. `Clone`
/// (it holds the messages as strings) so it can travel in the studio's GUI messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatchError {
    /// The bundle path could not be read when watching began.
    #[error(
        "cannot watch {}: {message}. Check that the bundle folder or .effect file exists \
         and that you may read it",
        path.display()
    )]
    Open {
        /// The bundle, as given.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The path is a file, but not a packed `.effect` bundle.
    #[error(
        "cannot watch {}: it is neither a folder nor a .effect file. Give the bundle's \
         folder (the one holding effect.toml) or a packed .effect file",
        path.display()
    )]
    NotABundle {
        /// The path, as given.
        path: PathBuf,
    },
    /// The operating system's file watcher refused to start or reported a failure.
    #[error("watching {} failed: {message}. {remedy}", path.display())]
    Backend {
        /// The bundle, as given.
        path: PathBuf,
        /// The watcher's message.
        message: String,
        /// What to do about it.
        remedy: &'static str,
    },
    /// The bundle folder (for a `.effect` file, the folder holding it) was deleted or moved
    /// away. Watching has stopped for good: the operating system's watch went with it.
    #[error(
        "the bundle {} was deleted or moved away, so watching it stopped. Put it back \
         and open the bundle again to resume watching",
        path.display()
    )]
    Gone {
        /// The bundle, as given.
        path: PathBuf,
    },
    /// The watcher's background thread ended on its own.
    #[error(
        "the file watcher for {} stopped unexpectedly. Open the bundle again to restart \
         watching",
        path.display()
    )]
    Stopped {
        /// The bundle, as given.
        path: PathBuf,
    },
}

impl WatchError {
    /// Wraps one of notify's errors with a remedy that fits its kind.
    pub(super) fn backend(path: &Path, error: &notify::Error) -> Self {
        let remedy = match &error.kind {
            notify::ErrorKind::MaxFilesWatch => {
                "The system's limit on watched folders is reached: close other watchers or \
                 raise the limit (on Linux, sysctl fs.inotify.max_user_watches and \
                 fs.inotify.max_user_instances)"
            }
            notify::ErrorKind::PathNotFound => "Check that the bundle still exists",
            notify::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
                "Check that you may read every folder in the bundle"
            }
            _ => "Open the bundle again to restart watching",
        };
        Self::Backend {
            path: path.to_owned(),
            message: error.to_string(),
            remedy,
        }
    }
}
