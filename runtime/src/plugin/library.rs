//! Loading a plugin library: its bytes are written to a fresh private file (so a rebuilt
//! library with the same name is a new library to the dynamic loader, and what is loaded
//! is exactly what the bundle reader verified), opened, handshaken, and never unloaded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use effect_api::plugin::abi;
use sha2::{Digest, Sha256};

use super::PluginError;
use super::binary_header::read_header;

/// A loaded plugin library: its table's functions, checked by the handshake. It lives
/// until the process ends (see [`PluginLibrary::load`] for why).
#[derive(Debug)]
pub struct PluginLibrary {
    label: String,
    name: String,
    version: String,
    abi: (u32, u32),
    pub(super) functions: PluginFunctions,
}

/// The table's functions, copied out of it.
#[derive(Debug, Clone, Copy)]
pub(super) struct PluginFunctions {
    pub create: abi::CreateFn,
    pub destroy: abi::DestroyFn,
    pub process: abi::ProcessFn,
    pub update_parameters: Option<abi::UpdateParametersFn>,
    pub on_trigger: Option<abi::OnTriggerFn>,
    pub serialize: Option<abi::SerializeFn>,
    pub restore: Option<abi::RestoreFn>,
}

impl PluginLibrary {
    /// Loads the library whose bytes are `bytes`; `label` names it in messages (the bundle
    /// and the member, say `effects/glow/:plugins/libglow.so`).
    ///
    /// The bytes are written to a new file in a private folder and loaded from there, so
    /// that reloading a rebuilt library with the same name loads the new code rather than
    /// getting the old handle back, and so that nobody can swap the file between the
    /// bundle's verification and the load. On Unix the file is removed once loaded (the
    /// mapping stays).
    ///
    /// The library is never unloaded: unloading Rust code is unsound in practice (thread
    /// locals with destructors, `atexit` handlers, threads the plugin started, pointers to
    /// its static data held anywhere), so each load leaks its handle on purpose. Loading
    /// the same bytes again returns the library already loaded (or the same refusal), so
    /// only a rebuilt library costs memory: its old version's mapped size, until the
    /// process ends. Instances of one build share its statics.
    pub fn load(bytes: &[u8], label: &str) -> Result<Arc<Self>, PluginError> {
        // Libraries loaded, and libraries loaded but refused by the handshake (which stay
        // loaded too), by the sha256 of their bytes.
        type Loaded = BTreeMap<[u8; 32], Result<Arc<PluginLibrary>, String>>;
        static LOADED: Mutex<Loaded> = Mutex::new(BTreeMap::new());
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        // A poisoned lock only means another load panicked; the map is still whole.
        let mut loaded = LOADED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let refused = |message: &String| PluginError::Abi {
            library: label.to_owned(),
            message: message.clone(),
        };
        if let Some(outcome) = loaded.get(&digest) {
            return outcome.clone().map_err(|message| refused(&message));
        }
        let outcome = Self::load_copy(bytes, label);
        // A library the loader could not open left nothing behind: trying again later (a
        // missing dependency installed, say) is worth it.
        match &outcome {
            Ok(library) => {
                loaded.insert(digest, Ok(library.clone()));
            }
            Err(PluginError::Abi { message, .. }) => {
                loaded.insert(digest, Err(message.clone()));
            }
            Err(_) => {}
        }
        outcome
    }

    /// Loads a fresh private copy of `bytes` (see [`PluginLibrary::load`]).
    fn load_copy(bytes: &[u8], label: &str) -> Result<Arc<Self>, PluginError> {
        let load_error = |message: String| PluginError::Load {
            library: label.to_owned(),
            message,
        };
        // A file the loader would map past its end (a library cut short, or one a watcher
        // saw half written) kills the process with SIGBUS instead of failing to load.
        if let Err(problem) = read_header(bytes) {
            return Err(load_error(format!(
                "cannot be loaded: {problem}; copy or build it again"
            )));
        }
        let copy = PrivateCopy::write(bytes, label).map_err(|error| {
            load_error(format!(
                "cannot write a private copy of the library to load: {error}"
            ))
        })?;
        // SAFETY: loading a library runs its initialisers with the host's rights; the
        // bundle is trusted as far as the user trusts its source (its signature, when the
        // host requires one). The file is the private copy of the verified bytes.
        let library = unsafe { libloading::Library::new(copy.path()) };
        drop(copy);
        let library = library.map_err(|error| {
            load_error(format!(
                "cannot be loaded: {error}; build the plugin for this platform \
                 (`lensmith plugin build`)"
            ))
        })?;
        // Never unloaded, not even when the handshake refuses it: its initialisers have
        // run (see this function's documentation).
        let library = std::mem::ManuallyDrop::new(library);
        // SAFETY: the symbol's type is the ABI's entry function, which the plugin exports
        // through `export_effect!` (or by hand, following docs/plugins.md).
        let entry = unsafe { library.get::<abi::EntryFn>(abi::ENTRY_SYMBOL) }.map_err(|_| {
            load_error(
                "has no `lensmith_plugin_entry` symbol: it is not a Lensmith plugin; \
                 export one with `effect_api::export_effect!`"
                    .to_owned(),
            )
        })?;
        // SAFETY: the entry function takes nothing and returns a pointer to the plugin's
        // static table, per the ABI.
        let table = unsafe { entry() };
        Ok(Arc::new(Self::handshake(table, label)?))
    }

    /// The plugin linked into this program whose entry function is `entry` (see
    /// [`super::register_static_plugin`]); `label` names it in messages. The handshake is
    /// the same as for a loaded library.
    pub fn linked(entry: abi::EntryFn, label: &str) -> Result<Arc<Self>, PluginError> {
        // SAFETY: the entry function takes nothing and returns a pointer to the plugin's
        // static table, per the ABI; whoever registered it promised it is one.
        let table = unsafe { entry() };
        Ok(Arc::new(Self::handshake(table, label)?))
    }

    /// Reads the table, refusing another major, a newer minor or missing functions.
    fn handshake(table: *const abi::PluginTable, label: &str) -> Result<Self, PluginError> {
        let refuse = |message: String| PluginError::Abi {
            library: label.to_owned(),
            message,
        };
        if table.is_null() {
            return Err(refuse("its entry function returned no table".to_owned()));
        }
        // SAFETY: every table starts with the three handshake fields, whatever its
        // version, and the library stays loaded for ever.
        let (major, minor, size) = unsafe {
            let header = table.cast::<u32>();
            (*header, *header.add(1), *header.add(2))
        };
        let host = (abi::ABI_MAJOR, abi::ABI_MINOR);
        if major != host.0 {
            return Err(refuse(format!(
                "it was built for plugin ABI {major}.{minor}, and this runtime speaks \
                 {}.{}: rebuild the plugin against the effect-api of this runtime's release",
                host.0, host.1
            )));
        }
        if minor > host.1 {
            return Err(refuse(format!(
                "it was built for plugin ABI {major}.{minor}, newer than this runtime's \
                 {}.{}: update the runtime, or rebuild the plugin against an older effect-api",
                host.0, host.1
            )));
        }
        if (size as usize) < abi::PLUGIN_TABLE_SIZE_1_0 {
            return Err(refuse(format!(
                "its table is {size} bytes, smaller than ABI {major}.0's {} bytes",
                abi::PLUGIN_TABLE_SIZE_1_0
            )));
        }
        // SAFETY: the size covers ABI 1.0's table, every field this host reads (a field of
        // a later minor must be read only when `size` covers it).
        let table = unsafe { &*table };
        let (Some(create), Some(destroy), Some(process)) =
            (table.create, table.destroy, table.process)
        else {
            return Err(refuse(
                "its table lacks `create`, `destroy` or `process`, which every plugin needs"
                    .to_owned(),
            ));
        };
        // SAFETY: the table's strings are static in the library, which is never unloaded.
        let text = |text: abi::StrRef| unsafe { static_text(text) };
        Ok(Self {
            label: label.to_owned(),
            name: text(table.name),
            version: text(table.version),
            abi: (major, minor),
            functions: PluginFunctions {
                create,
                destroy,
                process,
                update_parameters: table.update_parameters,
                on_trigger: table.on_trigger,
                serialize: table.serialize,
                restore: table.restore,
            },
        })
    }

    /// The library as the bundle names it.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The plugin's own name (its crate's).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The plugin's own version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The ABI version it was built for.
    pub fn abi_version(&self) -> (u32, u32) {
        self.abi
    }
}

/// # Safety
/// `text` must point at `len` bytes that stay valid (or be null with `len` 0).
unsafe fn static_text(text: abi::StrRef) -> String {
    if text.ptr.is_null() || text.len == 0 {
        return String::new();
    }
    // SAFETY: the caller's promise.
    let bytes = unsafe { std::slice::from_raw_parts(text.ptr, text.len) };
    String::from_utf8_lossy(bytes).into_owned()
}

/// A library's bytes in a fresh file of a fresh folder only this user can read, removed
/// again when dropped (Unix keeps a loaded library's mapping; elsewhere the file stays,
/// since a loaded library cannot be deleted there).
struct PrivateCopy {
    folder: PathBuf,
    file: PathBuf,
}

impl PrivateCopy {
    fn write(bytes: &[u8], label: &str) -> std::io::Result<Self> {
        static LOADS: AtomicU64 = AtomicU64::new(0);
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|error| std::io::Error::other(error.to_string()))?;
        let folder = std::env::temp_dir().join(format!(
            "lensmith-plugin-{}-{}-{:016x}",
            std::process::id(),
            LOADS.fetch_add(1, Ordering::Relaxed),
            u64::from_le_bytes(nonce)
        ));
        create_private_folder(&folder)?;
        let name = label
            .rsplit(['/', ':', '\\'])
            .next()
            .filter(|name| !name.is_empty())
            .unwrap_or("plugin");
        let file = folder.join(name);
        let copy = Self { folder, file };
        std::fs::write(&copy.file, bytes)?;
        Ok(copy)
    }

    fn path(&self) -> &Path {
        &self.file
    }
}

impl Drop for PrivateCopy {
    fn drop(&mut self) {
        if cfg!(unix) {
            // Failing to tidy a temporary folder is not worth an error.
            let _ = std::fs::remove_file(&self.file);
            let _ = std::fs::remove_dir(&self.folder);
        }
    }
}

#[cfg(unix)]
fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(folder)
}

#[cfg(not(unix))]
fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir(folder)
}
