//! The exported functions. Each checks its pointers, runs its body under
//! [`crate::status::guard`] (so no panic crosses into C) and returns a status; a failure's
//! message waits in `lensmith_last_error`. What a frame found is read back through
//! [`readback`]; [`legacy`] keeps the symbols of the functions that took no struct size.

mod legacy;
mod readback;

pub use legacy::*;
pub use readback::*;

use std::ffi::{c_char, c_void};
use std::path::Path;

use effect_api::plugin::{Value, abi};
use lensmith_runtime::bundle::archive;

use crate::config::{self, LensmithConfig, RuntimeSettings};
use crate::engine::LensmithRuntime;
use crate::image::LensmithImage;
use crate::status::{Failure, LensmithStatus, guard, last_error_pointer};
use crate::text;

/// The largest bundle accepted from memory, matching the archive limit on all members.
const MAX_BUNDLE_BYTES: usize = 1 << 30;

/// A plugin's entry function, as `effect_api::export_effect!` writes it: it returns the
/// plugin's function table (`PluginTable` of the plugin ABI, opaque to C hosts).
pub type LensmithPluginEntry = Option<unsafe extern "C" fn() -> *const c_void>;

/// The runtime at `runtime`, or an error naming the null pointer.
///
/// # Safety
/// `runtime` is null or a pointer `lensmith_runtime_create` gave and that is not destroyed.
pub(crate) unsafe fn runtime_ref<'a>(
    runtime: *const LensmithRuntime,
) -> Result<&'a LensmithRuntime, Failure> {
    // SAFETY: the caller's promise.
    unsafe { runtime.as_ref() }.ok_or_else(|| Failure::invalid("runtime is a null pointer"))
}

/// Writes `value` to `out`, or fails naming `what` when it is null.
///
/// # Safety
/// `out` is null or valid for writing a `T`.
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T, what: &str) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::invalid(format!("{what} is a null pointer")));
    }
    // SAFETY: not null, and writable by the caller's promise.
    unsafe { out.write(value) };
    Ok(())
}

/// This library's version, as `"MAJOR.MINOR.PATCH"`; the string is static.
#[unsafe(no_mangle)]
pub extern "C" fn lensmith_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The message of the last call on this thread that failed: what went wrong, naming the
/// argument, file, member or field, and what to do. Valid until the next call on this
/// thread fails; an empty string when none has.
#[unsafe(no_mangle)]
pub extern "C" fn lensmith_last_error() -> *const c_char {
    last_error_pointer()
}

/// Fills the host's `config` of `size` bytes (`sizeof(LensmithConfig)` as the host was
/// built; the header's `lensmith_config_init` passes it) with the defaults and sets
/// `struct_size` to `size`: models from `$LENSMITH_HOME` (else `~/.cache/lensmith`), 2
/// threads, one face, no trusted keys, plugin libraries allowed where the platform allows
/// loading code. No byte past `size` is written; bytes past this library's struct are
/// zeroed, which leaves a newer header's fields at their defaults.
///
/// # Safety
/// `config` is null or valid for writing `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_config_init_sized(
    config: *mut LensmithConfig,
    size: usize,
) -> LensmithStatus {
    // SAFETY: the caller's promise.
    guard("lensmith_config_init", || unsafe {
        config::init(config, size)
    })
}

/// Creates a runtime from `config` and stores it in `*out` (NULL on failure). The face
/// models load when the first bundle does.
///
/// `config->struct_size` says which fields the host's config has: any layout from the
/// first release's on is accepted, the fields it lacks taking their defaults. A config
/// from a newer header is accepted when the fields this library lacks are zero.
///
/// # Safety
/// `config` is null or a `LensmithConfig` of `struct_size` readable bytes whose pointers
/// are valid as documented; `out` is null or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_runtime_create(
    config: *const LensmithConfig,
    out: *mut *mut LensmithRuntime,
) -> LensmithStatus {
    guard("lensmith_runtime_create", || {
        if out.is_null() {
            return Err(Failure::invalid("out is a null pointer"));
        }
        // SAFETY: not null, writable by the caller's promise.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: the caller's promise about the config's size.
        let config = unsafe { config::from_host(config) }?;
        // SAFETY: the caller's promise about the config's pointers.
        let settings = unsafe { RuntimeSettings::read(&config) }?;
        let runtime = Box::into_raw(Box::new(LensmithRuntime::new(settings)));
        // SAFETY: as above.
        unsafe { out.write(runtime) };
        Ok(())
    })
}

/// Destroys a runtime and everything it holds. NULL is ignored. No other thread may be
/// using it, and no pointer it handed out may be used afterwards.
///
/// # Safety
/// `runtime` is null or a pointer `lensmith_runtime_create` gave, not destroyed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_runtime_destroy(runtime: *mut LensmithRuntime) {
    if runtime.is_null() {
        return;
    }
    // A panic while dropping would otherwise unwind into C.
    guard("lensmith_runtime_destroy", || {
        // SAFETY: made by `Box::into_raw` in `lensmith_runtime_create`, destroyed once.
        drop(unsafe { Box::from_raw(runtime) });
        Ok(())
    });
}

/// Loads the bundle at `path`: a packed `.effect` file or a bundle folder. It is verified
/// (checksums, and a signature by a trusted key when the config named any), validated and
/// its models loaded; then it plays from the next frame on. On failure the bundle loaded
/// before keeps playing.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `path` null or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_load_bundle_file(
    runtime: *mut LensmithRuntime,
    path: *const c_char,
) -> LensmithStatus {
    guard("lensmith_load_bundle_file", || {
        // SAFETY: the caller's promises.
        let (runtime, path) = unsafe { (runtime_ref(runtime)?, text::required(path, "path")?) };
        let path = Path::new(path);
        runtime.with(|engine| {
            let files = lensmith_runtime::player::read_bundle(path, engine.limits());
            engine.load(files, &lensmith_runtime::player::bundle_label(path))
        })
    })
}

/// Loads a packed `.effect` bundle from `length` bytes at `bytes` (an app's asset, a
/// download); as `lensmith_load_bundle_file` otherwise. `name` (may be NULL) names the
/// bundle in messages. The bytes are copied: the buffer may be freed once this returns.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `bytes` null or valid for `length`
/// bytes; `name` null or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_load_bundle_memory(
    runtime: *mut LensmithRuntime,
    bytes: *const u8,
    length: usize,
    name: *const c_char,
) -> LensmithStatus {
    guard("lensmith_load_bundle_memory", || {
        // SAFETY: the caller's promises.
        let runtime = unsafe { runtime_ref(runtime) }?;
        let name = unsafe { text::optional(name, "name") }?;
        if length > MAX_BUNDLE_BYTES {
            return Err(Failure::new(
                LensmithStatus::LENSMITH_ERROR_BUNDLE,
                format!("the bundle is {length} bytes, more than the limit of {MAX_BUNDLE_BYTES}"),
            ));
        }
        if bytes.is_null() {
            return Err(Failure::invalid("bytes is a null pointer"));
        }
        // SAFETY: not null, `length` bytes by the caller's promise.
        let bytes = unsafe { std::slice::from_raw_parts(bytes, length) };
        let label = match name {
            Some(name) => name.to_owned(),
            None => format!("<bundle in memory, {length} bytes>"),
        };
        runtime.with(|engine| {
            let files = archive::read_bytes(bytes, Path::new(&label), engine.limits());
            engine.load(files, &format!("{label}:"))
        })
    })
}

/// Sets number parameter `name` of layer `layer` (a live property such as `opacity`, or a
/// plugin's parameter) from the next frame on; the value is clamped to its range.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `layer`, `name` null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_set_parameter(
    runtime: *mut LensmithRuntime,
    layer: *const c_char,
    name: *const c_char,
    value: f64,
) -> LensmithStatus {
    guard("lensmith_set_parameter", || {
        // SAFETY: the caller's promises.
        let (runtime, layer, name) = unsafe {
            (
                runtime_ref(runtime)?,
                text::required(layer, "layer")?,
                text::required(name, "name")?,
            )
        };
        runtime.with(|engine| {
            engine
                .player()?
                .set_parameter(layer, name, value)
                .map_err(|error| crate::engine::player_failure(&error))
        })
    })
}

/// Sets colour parameter `name` of plugin layer `layer` to `red`, `green`, `blue`, `alpha`
/// (each 0 to 1, clamped) from the next frame on.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `layer`, `name` null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_set_color_parameter(
    runtime: *mut LensmithRuntime,
    layer: *const c_char,
    name: *const c_char,
    red: f32,
    green: f32,
    blue: f32,
    alpha: f32,
) -> LensmithStatus {
    guard("lensmith_set_color_parameter", || {
        // SAFETY: the caller's promises.
        let (runtime, layer, name) = unsafe {
            (
                runtime_ref(runtime)?,
                text::required(layer, "layer")?,
                text::required(name, "name")?,
            )
        };
        let rgba = [red, green, blue, alpha];
        if rgba.iter().any(|channel| !channel.is_finite()) {
            return Err(Failure::invalid(format!(
                "the colour {rgba:?} is not four numbers"
            )));
        }
        runtime.with(|engine| {
            engine
                .player()?
                .set_parameter_value(layer, name, Value::Color(rgba))
                .map_err(|error| crate::engine::player_failure(&error))
        })
    })
}

/// Switches layer `layer` on (nonzero) or off (zero) from the next frame on.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `layer` null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_set_layer_enabled(
    runtime: *mut LensmithRuntime,
    layer: *const c_char,
    enabled: u32,
) -> LensmithStatus {
    guard("lensmith_set_layer_enabled", || {
        // SAFETY: the caller's promises.
        let (runtime, layer) = unsafe { (runtime_ref(runtime)?, text::required(layer, "layer")?) };
        runtime.with(|engine| {
            engine
                .player()?
                .set_layer_enabled(layer, enabled != 0)
                .map_err(|error| crate::engine::player_failure(&error))
        })
    })
}

/// Plays the effect on `frame`, taken at `timestamp_s` seconds, and writes the result back
/// into it (same format, size, rotation and mirror). Timestamps must increase.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `frame` null or a `LensmithImage` whose
/// planes are valid for reading and writing their `plane_sizes` during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_process_frame(
    runtime: *mut LensmithRuntime,
    frame: *const LensmithImage,
    timestamp_s: f64,
) -> LensmithStatus {
    guard("lensmith_process_frame", || {
        // SAFETY: the caller's promises.
        let (runtime, frame) = unsafe {
            (
                runtime_ref(runtime)?,
                frame
                    .as_ref()
                    .ok_or_else(|| Failure::invalid("frame is a null pointer"))?,
            )
        };
        // SAFETY: the caller's promise about the planes.
        runtime.with(|engine| unsafe { engine.process(frame, None, timestamp_s) })
    })
}

/// Plays the effect on `input`, taken at `timestamp_s` seconds, and writes the result into
/// `output`, which may have another format, rotation or mirror but must have the same
/// upright size (for example NV21 from the camera in, upright RGBA for the screen out).
/// `input` is only read. Timestamps must increase.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `input` null or a `LensmithImage` whose
/// planes are valid for reading, `output` null or one whose planes are valid for writing,
/// their `plane_sizes` during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_process_frame_into(
    runtime: *mut LensmithRuntime,
    input: *const LensmithImage,
    output: *const LensmithImage,
    timestamp_s: f64,
) -> LensmithStatus {
    guard("lensmith_process_frame_into", || {
        // SAFETY: the caller's promises.
        let (runtime, input, output) = unsafe {
            (
                runtime_ref(runtime)?,
                input
                    .as_ref()
                    .ok_or_else(|| Failure::invalid("input is a null pointer"))?,
                output
                    .as_ref()
                    .ok_or_else(|| Failure::invalid("output is a null pointer"))?,
            )
        };
        // SAFETY: the caller's promise about the planes.
        runtime.with(|engine| unsafe { engine.process(input, Some(output), timestamp_s) })
    })
}

/// Forgets every face and the last timestamp: for a cut, a camera switch or a stream that
/// starts over.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_reset(runtime: *mut LensmithRuntime) -> LensmithStatus {
    guard("lensmith_reset", || {
        // SAFETY: the caller's promise.
        unsafe { runtime_ref(runtime) }?.with(|engine| engine.reset())
    })
}

/// Registers a plugin linked into the app under `key`, the `library` key effect manifests
/// name it by (for example `"plugins/glow"`): bundles naming it play this code instead of
/// loading a library, which is how plugins run on iOS. Call it before loading bundles; it
/// applies to every runtime of the process.
///
/// # Safety
/// `key` null or NUL-terminated; `entry` null or a plugin entry function as
/// `effect_api::export_effect!` writes it, returning a table valid for the process's life.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_register_static_plugin(
    key: *const c_char,
    entry: LensmithPluginEntry,
) -> LensmithStatus {
    guard("lensmith_register_static_plugin", || {
        // SAFETY: the caller's promise.
        let key = unsafe { text::required(key, "key") }?;
        let entry = entry.ok_or_else(|| Failure::invalid("entry is a null pointer"))?;
        // SAFETY: both are `extern "C"` functions of no arguments returning a thin pointer;
        // only the pointee's type differs, and the caller promised it is a plugin table.
        let entry = unsafe {
            std::mem::transmute::<unsafe extern "C" fn() -> *const c_void, abi::EntryFn>(entry)
        };
        lensmith_runtime::plugin::register_static_plugin(key, entry)
            .map_err(|error| Failure::new(LensmithStatus::LENSMITH_ERROR_PLUGIN, error.to_string()))
    })
}
