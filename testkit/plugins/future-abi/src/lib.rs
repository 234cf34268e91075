//! A test plugin from the future: its table claims the next major version of the plugin
//! ABI, as a plugin built against a later, incompatible `effect-api` would. A host must
//! refuse it at the handshake, before calling anything else, with a readable message.
//! It is written by hand (no `export_effect!`) to set the version.

use effect_api::plugin::abi;

/// The table: the next major; every function is missing, since none may be called.
static TABLE: abi::PluginTable = abi::PluginTable {
    abi_major: abi::ABI_MAJOR + 1,
    abi_minor: 0,
    size: std::mem::size_of::<abi::PluginTable>() as u32,
    name: abi::StrRef::new("future-abi"),
    version: abi::StrRef::new("9.0.0"),
    create: None,
    destroy: None,
    update_parameters: None,
    process: None,
    on_trigger: None,
    serialize: None,
    restore: None,
};

/// The entry point the host looks up.
#[unsafe(no_mangle)]
pub extern "C" fn lensmith_plugin_entry() -> *const abi::PluginTable {
    &TABLE
}
