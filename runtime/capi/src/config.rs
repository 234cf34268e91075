//! `LensmithConfig`: what a runtime is created with (where the models are, threads, the
//! most faces, the keys bundles must be signed by, whether plugin code may be loaded),
//! read and checked into the runtime's own settings.

use std::ffi::c_char;
use std::mem::offset_of;
use std::path::PathBuf;

use lensmith_runtime::bundle::archive::ArchiveLimits;
use lensmith_runtime::bundle::signing::parse_public_key;
use lensmith_runtime::detection::DetectorRange;
use lensmith_runtime::models::{AssetCache, AssetPaths, ModelOptions};
use lensmith_runtime::player::PlayerOptions;
use lensmith_runtime::plugin::PluginCode;

use crate::sized::{self, SizeRule, layout_size};
use crate::status::Failure;
use crate::text;

/// How a runtime is created. Fill it with `lensmith_config_init`, then change what you
/// need; every pointer is read during `lensmith_runtime_create` only.
///
/// The struct only grows at its end, so a program built against an older or newer
/// `lensmith.h` runs with this library: fields it lacks take their defaults, and fields
/// this library lacks must be zero. New fields are only ever appended, and zero (or NULL)
/// in a new field means what the library did before the field existed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LensmithConfig {
    /// `sizeof(LensmithConfig)` as the host was compiled, set by `lensmith_config_init`:
    /// it tells the library which fields the host's struct has.
    pub struct_size: u32,
    /// The folder holding `lib/` and `models/` as `cargo xtask setup` fills it; NULL for
    /// `$LENSMITH_HOME`, else `~/.cache/lensmith`.
    pub cache_dir: *const c_char,
    /// The ONNX Runtime shared library; NULL to take it from `cache_dir`.
    pub onnxruntime_library: *const c_char,
    /// `face_detection_short_range.onnx`; NULL to take it from `cache_dir`.
    pub face_detector_model: *const c_char,
    /// `face_landmark.onnx`; NULL to take it from `cache_dir`.
    pub face_landmark_model: *const c_char,
    /// `geometry_pipeline_metadata_landmarks.binarypb`; NULL to take it from `cache_dir`.
    pub face_geometry: *const c_char,
    /// Threads ONNX Runtime may use per model; 0 for the default (2). The eye model, where an
    /// effect needs it, runs each eye with one, the two eyes side by side on a helper thread.
    pub threads: u32,
    /// Most faces tracked and drawn on; 0 for 1.
    pub max_faces: u32,
    /// Public keys as `lensmith keygen` writes them to `KEY.pub` (`lensmith-public-key-v1 <hex>`).
    /// When any is given, only bundles signed by one of them load.
    pub trusted_keys: *const *const c_char,
    /// How many keys `trusted_keys` holds.
    pub trusted_key_count: usize,
    /// Nonzero: a bundle's plugin library for this platform may be loaded. Zero: only
    /// plugins registered with `lensmith_register_static_plugin` play. Always zero on iOS.
    pub allow_plugin_libraries: u32,
    /// The eye landmark model (blinks and gaze): Lensmith's `eye_landmarks.onnx`, or
    /// MediaPipe's `iris_landmark.onnx`, which has the same interface; NULL to take
    /// `eye_landmarks.onnx` from `cache_dir`.
    pub iris_landmark_model: *const c_char,
    /// Nonzero: find faces with MediaPipe's full-range detector (faces down to about 5% of
    /// the frame's width: group photos, selfie sticks) instead of the short-range one.
    pub full_range_detector: u32,
    /// `face_detection_full_range.onnx`, read when `full_range_detector` is set; NULL to
    /// take it from `cache_dir`.
    pub face_detector_full_range_model: *const c_char,
}

impl Default for LensmithConfig {
    fn default() -> Self {
        Self {
            struct_size: size_of::<Self>() as u32,
            cache_dir: std::ptr::null(),
            onnxruntime_library: std::ptr::null(),
            face_detector_model: std::ptr::null(),
            face_landmark_model: std::ptr::null(),
            face_geometry: std::ptr::null(),
            threads: 0,
            max_faces: 0,
            trusted_keys: std::ptr::null(),
            trusted_key_count: 0,
            allow_plugin_libraries: u32::from(
                PluginCode::platform_default() == PluginCode::LoadLibraries,
            ),
            iris_landmark_model: std::ptr::null(),
            full_range_detector: 0,
            face_detector_full_range_model: std::ptr::null(),
        }
    }
}

/// `sizeof(LensmithConfig)` in the first release: the fields through
/// `allow_plugin_libraries`. Smaller configs are refused.
pub(crate) const FIRST_CONFIG_SIZE: usize = layout_size(
    offset_of!(LensmithConfig, allow_plugin_libraries) + size_of::<u32>(),
    align_of::<*const c_char>(),
);

/// `sizeof(LensmithConfig)` in the last header that declared `lensmith_config_init` as a
/// function (the fields through `face_detector_full_range_model`): what that exported
/// function still fills for the programs built against it.
pub(crate) const UNSIZED_INIT_CONFIG_SIZE: usize = layout_size(
    offset_of!(LensmithConfig, face_detector_full_range_model) + size_of::<*const c_char>(),
    align_of::<*const c_char>(),
);

/// The sizes `config.struct_size` may hold.
pub(crate) const CONFIG_SIZES: SizeRule =
    SizeRule::of::<LensmithConfig>("LensmithConfig", "config.struct_size", FIRST_CONFIG_SIZE);

/// Fills the host's config of `size` bytes with the defaults and `struct_size = size`.
///
/// # Safety
/// `config` is null or valid for writing `size` bytes.
pub(crate) unsafe fn init(config: *mut LensmithConfig, size: usize) -> Result<(), Failure> {
    CONFIG_SIZES.naming("size").check(size)?;
    if config.is_null() {
        return Err(Failure::invalid("config is a null pointer"));
    }
    let defaults = LensmithConfig {
        // `check` bounded it by `MAX_STRUCT_SIZE`.
        struct_size: size as u32,
        ..LensmithConfig::default()
    };
    // SAFETY: the caller's promise, and the size was checked.
    unsafe { sized::write(config.cast(), size, &defaults) };
    Ok(())
}

/// The host's config as this library's struct: the fields its `struct_size` leaves out
/// take their defaults, and a larger struct's extra bytes must be zero.
///
/// # Safety
/// `config` is null or valid for reading the `struct_size` bytes it says it holds.
pub(crate) unsafe fn from_host(config: *const LensmithConfig) -> Result<LensmithConfig, Failure> {
    if config.is_null() {
        return Err(Failure::invalid("config is a null pointer"));
    }
    // SAFETY: every config, of any release, starts with `struct_size`; the place is read
    // through the raw pointer, without claiming that the host's struct is as large as ours.
    let size = unsafe { (&raw const (*config).struct_size).read() } as usize;
    CONFIG_SIZES.check(size)?;
    // SAFETY: the caller's promise, and the size was checked.
    unsafe {
        sized::read(
            config.cast(),
            size,
            LensmithConfig::default(),
            &CONFIG_SIZES,
        )
    }
}

/// The most faces a runtime may be asked to track.
const MAX_FACES: u32 = 16;
/// The most ONNX Runtime threads a runtime may be given.
const MAX_THREADS: u32 = 64;
/// The most trusted keys.
const MAX_TRUSTED_KEYS: usize = 256;

/// A config read into the runtime's settings.
pub(crate) struct RuntimeSettings {
    pub cache: AssetCache,
    pub options: PlayerOptions,
}

impl RuntimeSettings {
    /// Reads and checks `config`, already brought to this library's size by [`from_host`].
    ///
    /// # Safety
    /// Every non-null pointer in `config` is valid as its field's documentation says.
    pub unsafe fn read(config: &LensmithConfig) -> Result<Self, Failure> {
        // SAFETY (every read below): the caller's promise about each pointer.
        let path = |pointer, what| -> Result<Option<PathBuf>, Failure> {
            Ok(unsafe { text::optional(pointer, what) }?.map(PathBuf::from))
        };
        let root = match path(config.cache_dir, "config.cache_dir")? {
            Some(root) => root,
            None => lensmith_runtime::models::cache_dir().map_err(|error| {
                Failure::new(
                    crate::LensmithStatus::LENSMITH_ERROR_NOT_FOUND,
                    error.to_string(),
                )
            })?,
        };
        let cache = AssetCache::at(root).with_paths(AssetPaths {
            onnxruntime_library: path(config.onnxruntime_library, "config.onnxruntime_library")?,
            face_detector: path(config.face_detector_model, "config.face_detector_model")?,
            face_detector_full_range: path(
                config.face_detector_full_range_model,
                "config.face_detector_full_range_model",
            )?,
            face_landmarks: path(config.face_landmark_model, "config.face_landmark_model")?,
            face_geometry: path(config.face_geometry, "config.face_geometry")?,
            iris_landmarks: path(config.iris_landmark_model, "config.iris_landmark_model")?,
        });
        if config.threads > MAX_THREADS {
            return Err(Failure::invalid(format!(
                "config.threads is {}; give 0 for the default or at most {MAX_THREADS}",
                config.threads
            )));
        }
        if config.max_faces > MAX_FACES {
            return Err(Failure::invalid(format!(
                "config.max_faces is {}; give 0 for one face or at most {MAX_FACES}",
                config.max_faces
            )));
        }
        let limits = unsafe { trusted_keys(config) }?;
        let plugin_code = match config.allow_plugin_libraries {
            0 => PluginCode::StaticOnly,
            _ => PluginCode::platform_default(),
        };
        Ok(Self {
            cache,
            options: PlayerOptions {
                threads: match config.threads {
                    0 => ModelOptions::default().intra_threads,
                    threads => threads as usize,
                },
                max_faces: config.max_faces.max(1) as usize,
                still_images: false,
                limits,
                plugin_code,
                detector_range: match config.full_range_detector {
                    0 => DetectorRange::Short,
                    _ => DetectorRange::Full,
                },
            },
        })
    }
}

/// The archive limits with the config's trusted keys.
///
/// # Safety
/// `config.trusted_keys` points at `trusted_key_count` strings as documented, or is null.
unsafe fn trusted_keys(config: &LensmithConfig) -> Result<ArchiveLimits, Failure> {
    if config.trusted_key_count > MAX_TRUSTED_KEYS {
        return Err(Failure::invalid(format!(
            "config.trusted_key_count is {}, more than {MAX_TRUSTED_KEYS}",
            config.trusted_key_count
        )));
    }
    // SAFETY: the caller's promise.
    let pointers = unsafe {
        text::slice(
            config.trusted_keys,
            config.trusted_key_count,
            "config.trusted_keys",
        )
    }?;
    let mut keys = Vec::with_capacity(pointers.len());
    for (index, &pointer) in pointers.iter().enumerate() {
        let what = format!("config.trusted_keys[{index}]");
        // SAFETY: the caller's promise.
        let key_text = unsafe { text::required(pointer, &what) }?;
        let key = parse_public_key(key_text.trim()).map_err(|problem| {
            Failure::invalid(format!(
                "{what} is not a public key: {problem}; pass the text of the .pub file \
                 `lensmith keygen` wrote beside the secret key"
            ))
        })?;
        keys.push(key);
    }
    Ok(match keys.is_empty() {
        true => ArchiveLimits::default(),
        false => ArchiveLimits::requiring_signature_by_any(keys),
    })
}

#[cfg(test)]
mod tests;
