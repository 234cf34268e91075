//! The host side of native effect plugins: loading a plugin library safely enough to
//! reload it while the host runs, the handshake, and calling an instance through the C ABI
//! of [`effect_api::plugin::abi`]. A failing or panicking plugin becomes a
//! [`PluginError`] naming the plugin and the layer; the host decides what to disable.
//!
//! Loading runs the library's code with the host's rights: play plugins only from bundles
//! you trust, and require signed bundles (see [`crate::bundle::archive::ArchiveLimits`])
//! where they come from elsewhere. Where loading code is forbidden (iOS), plugins are
//! linked into the app and registered instead ([`register_static_plugin`]).

pub mod binary_header;
pub mod build;
mod host_callbacks;
mod instance;
mod library;
mod overlay;
pub mod platform_folder;
pub(crate) mod static_plugins;

pub use host_callbacks::{PluginLog, PluginLogRecord};
pub use instance::{HostFace, PluginInstance};
pub use library::PluginLibrary;
pub use static_plugins::{PluginCode, is_static_plugin, register_static_plugin};

/// Why a plugin could not be loaded or a call failed. Every message names the library or
/// the plugin and its layer, and says what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PluginError {
    /// The library could not be copied, opened or has no entry symbol.
    #[error("{library}: {message}")]
    Load {
        /// The library, as the bundle names it.
        library: String,
        /// What went wrong and what to do.
        message: String,
    },
    /// The library speaks another version of the plugin ABI.
    #[error("{library}: {message}")]
    Abi {
        /// The library.
        library: String,
        /// The versions, and what to do.
        message: String,
    },
    /// A call into the plugin failed or panicked.
    #[error("plugin `{plugin}` (layer `{layer}`): {call} {outcome}: {message}")]
    Call {
        /// The plugin's name and version.
        plugin: String,
        /// The layer it plays.
        layer: String,
        /// Which call: `create`, `process`, ...
        call: &'static str,
        /// `failed` or `panicked`.
        outcome: &'static str,
        /// The plugin's message.
        message: String,
    },
}
