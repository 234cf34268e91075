//! What the studio remembers between runs: recent bundles and sources, the last ones opened,
//! the overlays and comparison chosen, and the window's size, in `$XDG_CONFIG_HOME/lensmith/studio.toml` (or
//! `~/.config/lensmith/studio.toml`), always written whole under a temporary name first.

use std::io::Write;
use std::path::{Path, PathBuf};

use lensmith_runtime::atomic_file::PendingFile;
use serde::{Deserialize, Serialize};

use crate::panels::FoldedPanels;
use crate::screen::viewer::Compare;
use crate::screen::viewer::overlay::Overlays;

/// How many recent bundles (and sources) are kept.
pub const RECENT_LIMIT: usize = 10;

/// Why the configuration could not be read or written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read, written or renamed.
    #[error("{path}: cannot {action}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The system's reason.
        reason: String,
    },
    /// The file is not a studio configuration.
    #[error("{path}: {reason}; fix it or delete it to start afresh")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line.
        reason: String,
    },
}

/// The window's size in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowSize {
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// The studio's remembered state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StudioConfig {
    /// The bundle opened last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_bundle: Option<PathBuf>,
    /// The preview source opened last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_source: Option<PathBuf>,
    /// The window's size when it last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowSize>,
    /// Bundles opened, newest first.
    pub recent_bundles: Vec<PathBuf>,
    /// Preview sources opened, newest first.
    pub recent_sources: Vec<PathBuf>,
    /// The overlays and comparison last chosen.
    pub view: ViewChoices,
}

/// How the designer last chose to look at the preview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewChoices {
    /// The overlays shown.
    pub overlays: Overlays,
    /// How the result is compared with the source.
    pub compare: Compare,
    /// The side panels folded to their titles.
    pub folded: FoldedPanels,
}

impl StudioConfig {
    /// Where the configuration lives: `$XDG_CONFIG_HOME/lensmith/studio.toml`, else
    /// `$HOME/.config/lensmith/studio.toml`; `None` when neither variable is set.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|value| !value.is_empty())
                    .map(|home| PathBuf::from(home).join(".config"))
            })?;
        Some(base.join("lensmith").join("studio.toml"))
    }

    /// Reads the configuration at `path`; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(error) => {
                return Err(ConfigError::Io {
                    path: path.to_owned(),
                    action: "read",
                    reason: error.to_string(),
                });
            }
        };
        toml::from_str(&text).map_err(|error| ConfigError::Parse {
            path: path.to_owned(),
            reason: error.to_string(),
        })
    }

    /// Writes the configuration to `path` (making its folder), atomically: a crash leaves
    /// the old file or the new one, never half of one.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let io = |action: &'static str| {
            move |error: std::io::Error| ConfigError::Io {
                path: path.to_owned(),
                action,
                reason: error.to_string(),
            }
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(io("create the folder of"))?;
        }
        // Serialising plain paths, numbers and lists cannot fail.
        let text = toml::to_string_pretty(self).expect("the configuration is plain data");
        let pending = PendingFile::new(path);
        let mut file = pending
            .create()
            .map_err(io("create a temporary file beside"))?;
        file.write_all(text.as_bytes()).map_err(io("write"))?;
        drop(file);
        pending.commit().map_err(io("replace"))
    }

    /// Records that `bundle` was opened on `source`: both become the last ones and move to
    /// the front of their recent lists.
    pub fn remember(&mut self, bundle: &Path, source: &Path) {
        push_recent(&mut self.recent_bundles, bundle);
        push_recent(&mut self.recent_sources, source);
        self.last_bundle = Some(bundle.to_owned());
        self.last_source = Some(source.to_owned());
    }
}

fn push_recent(list: &mut Vec<PathBuf>, path: &Path) {
    list.retain(|known| known != path);
    list.insert(0, path.to_owned());
    list.truncate(RECENT_LIMIT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remember_moves_to_front_without_duplicates() {
        let mut config = StudioConfig::default();
        config.remember("a".as_ref(), "x.png".as_ref());
        config.remember("b".as_ref(), "x.png".as_ref());
        config.remember("a".as_ref(), "y.png".as_ref());
        assert_eq!(
            config.recent_bundles,
            [PathBuf::from("a"), PathBuf::from("b")]
        );
        assert_eq!(
            config.recent_sources,
            [PathBuf::from("y.png"), PathBuf::from("x.png")]
        );
        assert_eq!(config.last_bundle.as_deref(), Some(Path::new("a")));
        for index in 0..2 * RECENT_LIMIT {
            config.remember(format!("b{index}").as_ref(), "y.png".as_ref());
        }
        assert_eq!(config.recent_bundles.len(), RECENT_LIMIT);
    }

    #[test]
    fn saves_and_loads_atomically() {
        let folder = std::env::temp_dir().join(format!("studio-config-{}", std::process::id()));
        let path = folder.join("nested").join("studio.toml");
        assert_eq!(StudioConfig::load(&path).unwrap(), StudioConfig::default());
        let mut config = StudioConfig {
            window: Some(WindowSize {
                width: 1400.0,
                height: 900.0,
            }),
            ..StudioConfig::default()
        };
        config.remember("effects/face-paint".as_ref(), "photo.png".as_ref());
        config.save(&path).unwrap();
        assert_eq!(StudioConfig::load(&path).unwrap(), config);
        // Only the file itself is left: no temporary beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["studio.toml"]);
        std::fs::write(&path, "recent_bundles = 3").unwrap();
        let error = StudioConfig::load(&path).unwrap_err().to_string();
        assert!(error.contains("studio.toml"), "{error}");
        std::fs::remove_dir_all(folder).unwrap();
    }
}
