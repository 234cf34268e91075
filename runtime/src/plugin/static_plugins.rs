//! Plugins linked into the host program instead of loaded from a bundle: where an
//! operating system forbids loading code at run time (iOS), an app links its effects'
//! plugin crates in and registers each entry function under the manifest's `library` key.
//! A registered plugin is played in place of any library file the bundle holds.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use effect_api::plugin::abi;

use super::{PluginError, PluginLibrary};

/// Whether a player may load plugin libraries out of bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginCode {
    /// Load a bundle's plugin library for this platform, unless a plugin is registered
    /// under its key (desktop systems and Android).
    LoadLibraries,
    /// Play only plugins registered with [`register_static_plugin`]; a bundle whose
    /// plugin is not registered is refused (iOS, and hosts that never run downloaded code).
    StaticOnly,
}

impl PluginCode {
    /// What this platform allows: iOS forbids loading code that is not part of the app.
    pub const fn platform_default() -> Self {
        if cfg!(target_os = "ios") {
            Self::StaticOnly
        } else {
            Self::LoadLibraries
        }
    }
}

/// A registered plugin: its entry function, and its library once the handshake ran.
struct Registered {
    entry: abi::EntryFn,
    library: Option<Arc<PluginLibrary>>,
}

/// Every registered plugin by its manifest key.
static REGISTRY: Mutex<BTreeMap<String, Registered>> = Mutex::new(BTreeMap::new());

fn registry() -> std::sync::MutexGuard<'static, BTreeMap<String, Registered>> {
    // A poisoned lock only means a panic elsewhere while it was held; the map is whole.
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Registers the plugin linked into this program whose entry function is `entry` under
/// `key`, the `library` key effect manifests name it by (for example `plugins/glow`).
/// Registering the same function again is harmless; another function under a key already
/// taken is refused, since bundles loaded meanwhile already play the first.
///
/// A Rust plugin crate gets its entry from `effect_api::export_effect!`: `plugin_entry`,
/// an ordinary function with the crate's own name, so several plugins link into one app
/// and are registered by path: `register_static_plugin("plugins/glow",
/// glow::plugin_entry)`.
pub fn register_static_plugin(key: &str, entry: abi::EntryFn) -> Result<(), PluginError> {
    let refuse = |message: String| PluginError::Load {
        library: key.to_owned(),
        message,
    };
    if let Some(problem) = effect_api::manifest::bundle_path_problem(key) {
        return Err(refuse(format!(
            "is not a usable plugin key: {problem}; use the `library` key of the manifest"
        )));
    }
    let mut registry = registry();
    match registry.get(key) {
        Some(existing) if !std::ptr::fn_addr_eq(existing.entry, entry) => Err(refuse(
            "another entry function is registered under this key already; register each \
             plugin once, under its own key"
                .to_owned(),
        )),
        Some(_) => Ok(()),
        None => {
            registry.insert(
                key.to_owned(),
                Registered {
                    entry,
                    library: None,
                },
            );
            Ok(())
        }
    }
}

/// Whether a plugin is registered under `key`.
pub fn is_static_plugin(key: &str) -> bool {
    registry().contains_key(key)
}

/// The registered plugin under `key`, handshaken on first use (`None` when none is
/// registered). `label` names it in messages.
pub(crate) fn static_plugin(
    key: &str,
    label: &str,
) -> Option<Result<Arc<PluginLibrary>, PluginError>> {
    let mut registry = registry();
    let registered = registry.get_mut(key)?;
    if let Some(library) = &registered.library {
        return Some(Ok(library.clone()));
    }
    let outcome = PluginLibrary::linked(registered.entry, label);
    if let Ok(library) = &outcome {
        registered.library = Some(library.clone());
    }
    Some(outcome)
}
