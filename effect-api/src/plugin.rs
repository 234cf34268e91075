//! Native effect plugins: logic an effect needs that its manifest cannot say.
//!
//! A plugin is a Rust crate built as a `cdylib` that implements [`EffectPlugin`] and
//! exports it with [`export_effect!`](crate::export_effect); the macro writes every
//! `extern "C"` function and catches panics at the boundary, so the crate needs no `unsafe`.
//! The boundary itself is the C ABI in [`abi`]; `docs/plugins.md` explains it and its
//! versioning rules.
//!
//! ```
//! use effect_api::plugin::{
//!     CreateContext, EffectPlugin, FrameInfo, FramePixels, OverlayPixels, PluginError,
//! };
//!
//! /// Darkens every face's bounding box a little.
//! struct Shade;
//!
//! impl EffectPlugin for Shade {
//!     fn create(_context: &CreateContext<'_>) -> Result<Self, PluginError> {
//!         Ok(Shade)
//!     }
//!
//!     fn process(
//!         &mut self,
//!         frame: &FrameInfo<'_>,
//!         pixels: &mut FramePixels<'_>,
//!         _overlay: &mut OverlayPixels<'_>,
//!     ) -> Result<(), PluginError> {
//!         for face in frame.faces() {
//!             let (x, y) = (face.point(1).unwrap_or_default().x, face.point(1).unwrap_or_default().y);
//!             if let Some([r, g, b]) = pixels.rgb(x as u32, y as u32) {
//!                 pixels.set_rgb(x as u32, y as u32, [r / 2, g / 2, b / 2]);
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//!
//! effect_api::export_effect!(Shade);
//! ```

pub mod abi;
#[doc(hidden)]
pub mod export;
mod views;

pub use views::{
    Face, FrameInfo, FramePixels, Host, LogLevel, OverlayPixels, Parameters, Pose, TriggerChange,
    TriggerNotice, Value,
};

/// Why a plugin call failed: a message for the designer, shown by the host with the
/// plugin's and layer's names. Any error converts into it with `?`.
#[derive(Clone, PartialEq, Eq)]
pub struct PluginError {
    message: String,
}

impl PluginError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Debug for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PluginError({:?})", self.message)
    }
}

impl<E: std::error::Error> From<E> for PluginError {
    fn from(error: E) -> Self {
        Self::new(error.to_string())
    }
}

/// What a new instance is given.
#[derive(Debug)]
pub struct CreateContext<'a> {
    pub(crate) host: Host,
    pub(crate) layer_name: &'a str,
    pub(crate) settings_toml: &'a str,
    pub(crate) parameters: Parameters<'a>,
}

impl<'a> CreateContext<'a> {
    /// The host's callbacks (log, clock); keep a copy to use in later calls.
    pub fn host(&self) -> Host {
        self.host
    }

    /// The layer's name in the manifest.
    pub fn layer_name(&self) -> &'a str {
        self.layer_name
    }

    /// The layer's `settings` table as TOML text (empty when it has none).
    pub fn settings_toml(&self) -> &'a str {
        self.settings_toml
    }

    /// The layer's `settings` table, parsed.
    pub fn settings(&self) -> Result<toml::Table, PluginError> {
        self.settings_toml
            .parse::<toml::Table>()
            .map_err(|error| PluginError::new(format!("the layer's settings: {error}")))
    }

    /// The layer's parameters at their defaults.
    pub fn parameters(&self) -> &Parameters<'a> {
        &self.parameters
    }
}

/// An effect's native logic. The host calls an instance from one thread at a time (not
/// always the same one), in this order: `create`, then per frame any `on_trigger` calls
/// and one `process`, with `set_parameters` between frames when a value changes. On a
/// reload the new build's instance is created first, then the old instance's `save_state`
/// feeds the new one's `restore_state`, and the old instance is destroyed. Instances of one
/// build (two layers, two players) share its statics and may be called on different
/// threads at the same time.
///
/// Return an error rather than panicking; a panic is caught and reported too. Either way
/// the host disables the layer for this bundle and keeps playing the others.
pub trait EffectPlugin: Send + Sized + 'static {
    /// Makes an instance for one layer.
    fn create(context: &CreateContext<'_>) -> Result<Self, PluginError>;

    /// New values for some of the layer's parameters.
    fn set_parameters(&mut self, parameters: &Parameters<'_>) -> Result<(), PluginError> {
        let _ = parameters;
        Ok(())
    }

    /// A trigger rule turned on or off for a face (before this frame's `process`).
    fn on_trigger(&mut self, notice: &TriggerNotice<'_>) -> Result<(), PluginError> {
        let _ = notice;
        Ok(())
    }

    /// Draws on one frame: `pixels` is the frame with every layer below this one drawn,
    /// to change in place; `overlay` is a transparent layer the host blends over it
    /// afterwards where the plugin drew.
    fn process(
        &mut self,
        frame: &FrameInfo<'_>,
        pixels: &mut FramePixels<'_>,
        overlay: &mut OverlayPixels<'_>,
    ) -> Result<(), PluginError>;

    /// The state to carry over a reload (of this build or a rebuilt one); empty for none.
    fn save_state(&self) -> Result<Vec<u8>, PluginError> {
        Ok(Vec::new())
    }

    /// Takes back what `save_state` wrote, maybe from an older build: check it.
    fn restore_state(&mut self, state: &[u8]) -> Result<(), PluginError> {
        let _ = state;
        Ok(())
    }
}

/// Exports a type implementing [`EffectPlugin`] as the crate's plugin: writes the entry
/// function the host looks up and the table of functions behind it. Use it once, in a
/// crate built with `crate-type = ["cdylib"]` (add `"rlib"` to link it into an app).
///
/// It writes two functions returning the same table:
/// - `plugin_entry`, an ordinary public function with the crate's own (mangled) name, for
///   apps that link plugin crates in and register each one
///   (`register_static_plugin("plugins/glow", glow::plugin_entry)`): several plugins
///   linked into one program never clash over it;
/// - `lensmith_plugin_entry`, the exported symbol a host looks up in a loaded library,
///   except on iOS, where code is never loaded at run time and plugins are only linked in.
#[macro_export]
macro_rules! export_effect {
    ($plugin:ty) => {
        /// The plugin's table, for an app that links this crate in and registers it.
        pub extern "C" fn plugin_entry() -> *const $crate::plugin::abi::PluginTable {
            static TABLE: $crate::plugin::abi::PluginTable = $crate::plugin::export::table::<
                $plugin,
            >(
                env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")
            );
            &TABLE
        }

        /// The plugin's entry point, looked up by a host that loads this library.
        #[cfg(not(target_os = "ios"))]
        #[unsafe(no_mangle)]
        pub extern "C" fn lensmith_plugin_entry() -> *const $crate::plugin::abi::PluginTable {
            plugin_entry()
        }
    };
}
