//! The size rules of `LensmithConfig`: every released layout is accepted with defaults for
//! what it lacks, a newer layout only with its extra fields zero, and nothing else; filling
//! a config writes no byte past the size given.

use std::ffi::c_char;
use std::mem::offset_of;

use super::*;
use crate::sized::MAX_STRUCT_SIZE;

/// `LensmithConfig` as the first release declared it.
#[repr(C)]
#[derive(Clone, Copy)]
struct FirstReleaseConfig {
    struct_size: u32,
    cache_dir: *const c_char,
    onnxruntime_library: *const c_char,
    face_detector_model: *const c_char,
    face_landmark_model: *const c_char,
    face_geometry: *const c_char,
    threads: u32,
    max_faces: u32,
    trusted_keys: *const *const c_char,
    trusted_key_count: usize,
    allow_plugin_libraries: u32,
}

/// `LensmithConfig` as a newer header might declare it: this one and a field after it.
#[repr(C)]
#[derive(Clone, Copy)]
struct NewerConfig {
    config: LensmithConfig,
    later_field: u64,
}

/// A struct of `T` followed by canary bytes that nothing may touch.
#[repr(C)]
struct Guarded<T> {
    value: std::mem::MaybeUninit<T>,
    canary: [u8; 64],
}

const CANARY: u8 = 0xC5;

impl<T> Guarded<T> {
    fn new() -> Self {
        let mut guarded = Self {
            value: std::mem::MaybeUninit::uninit(),
            canary: [CANARY; 64],
        };
        // SAFETY: the bytes of a MaybeUninit may be written freely.
        unsafe {
            guarded
                .value
                .as_mut_ptr()
                .cast::<u8>()
                .write_bytes(CANARY, size_of::<T>())
        };
        guarded
    }

    fn canary_untouched(&self) -> bool {
        self.canary.iter().all(|&byte| byte == CANARY)
    }
}

#[test]
fn the_first_layout_is_the_first_releases_struct_on_this_target() {
    assert_eq!(FIRST_CONFIG_SIZE, size_of::<FirstReleaseConfig>());
    assert_eq!(
        offset_of!(FirstReleaseConfig, allow_plugin_libraries),
        offset_of!(LensmithConfig, allow_plugin_libraries)
    );
    assert_eq!(UNSIZED_INIT_CONFIG_SIZE, size_of::<LensmithConfig>());
    #[cfg(target_pointer_width = "64")]
    assert_eq!((FIRST_CONFIG_SIZE, size_of::<LensmithConfig>()), (80, 104));
    #[cfg(target_pointer_width = "32")]
    assert_eq!((FIRST_CONFIG_SIZE, size_of::<LensmithConfig>()), (44, 56));
}

#[test]
fn no_field_straddles_a_multiple_of_the_alignment() {
    // A size that is a multiple of the alignment then never cuts a field in two.
    let fields = [
        (offset_of!(LensmithConfig, struct_size), size_of::<u32>()),
        (offset_of!(LensmithConfig, cache_dir), size_of::<usize>()),
        (
            offset_of!(LensmithConfig, onnxruntime_library),
            size_of::<usize>(),
        ),
        (
            offset_of!(LensmithConfig, face_detector_model),
            size_of::<usize>(),
        ),
        (
            offset_of!(LensmithConfig, face_landmark_model),
            size_of::<usize>(),
        ),
        (
            offset_of!(LensmithConfig, face_geometry),
            size_of::<usize>(),
        ),
        (offset_of!(LensmithConfig, threads), size_of::<u32>()),
        (offset_of!(LensmithConfig, max_faces), size_of::<u32>()),
        (offset_of!(LensmithConfig, trusted_keys), size_of::<usize>()),
        (
            offset_of!(LensmithConfig, trusted_key_count),
            size_of::<usize>(),
        ),
        (
            offset_of!(LensmithConfig, allow_plugin_libraries),
            size_of::<u32>(),
        ),
        (
            offset_of!(LensmithConfig, iris_landmark_model),
            size_of::<usize>(),
        ),
        (
            offset_of!(LensmithConfig, full_range_detector),
            size_of::<u32>(),
        ),
        (
            offset_of!(LensmithConfig, face_detector_full_range_model),
            size_of::<usize>(),
        ),
    ];
    let align = align_of::<LensmithConfig>();
    for (offset, size) in fields {
        assert_eq!(
            offset / align,
            (offset + size - 1) / align,
            "field at {offset}"
        );
    }
}

#[test]
fn a_first_release_config_reads_with_defaults_for_the_later_fields() {
    let mut old = Guarded::<FirstReleaseConfig>::new();
    let size = size_of::<FirstReleaseConfig>();
    // SAFETY: `old.value` holds `size` writable bytes.
    unsafe { init(old.value.as_mut_ptr().cast(), size) }.expect("the first size is accepted");
    assert!(old.canary_untouched(), "init wrote past the first layout");
    // SAFETY: every field was just written.
    let mut first = unsafe { old.value.assume_init() };
    assert_eq!(first.struct_size as usize, size);
    assert!(first.cache_dir.is_null() && first.trusted_keys.is_null());
    first.max_faces = 3;
    first.threads = 4;
    // SAFETY: `first` is the `size` bytes its struct_size says.
    let read = unsafe { from_host((&raw const first).cast()) }.expect("an old config reads");
    assert_eq!((read.max_faces, read.threads), (3, 4));
    assert!(read.iris_landmark_model.is_null());
    assert!(read.face_detector_full_range_model.is_null());
    assert_eq!(read.full_range_detector, 0);
    assert_eq!(
        read.allow_plugin_libraries,
        LensmithConfig::default().allow_plugin_libraries
    );
}

#[test]
fn a_newer_config_is_accepted_only_with_its_extra_fields_zero() {
    let mut newer = Guarded::<NewerConfig>::new();
    let size = size_of::<NewerConfig>();
    // SAFETY: `newer.value` holds `size` writable bytes.
    unsafe { init(newer.value.as_mut_ptr().cast(), size) }.expect("a larger size fills");
    assert!(newer.canary_untouched(), "init wrote past the newer layout");
    // SAFETY: every byte was just written: the defaults, then zeros.
    let mut value = unsafe { newer.value.assume_init() };
    assert_eq!(
        value.later_field, 0,
        "init zeroes the fields it does not know"
    );
    assert_eq!(value.config.struct_size as usize, size);
    value.config.max_faces = 2;
    // SAFETY: `value` is the `size` bytes its struct_size says.
    let read = unsafe { from_host((&raw const value).cast()) }.expect("a zero tail reads");
    assert_eq!(read.max_faces, 2);
    value.later_field = 1;
    // SAFETY: as above.
    let failure = unsafe { from_host((&raw const value).cast()) }.unwrap_err();
    assert!(
        failure
            .message
            .contains(&format!("config.struct_size is {size}, larger")),
        "{}",
        failure.message
    );
    assert!(failure.message.contains("leave the newer fields zero"));
}

#[test]
fn sizes_no_header_gave_are_refused_and_nothing_is_written() {
    let too_small = FIRST_CONFIG_SIZE - align_of::<LensmithConfig>();
    for (size, words) in [
        (0, "smaller than"),
        (too_small, "smaller than"),
        (
            size_of::<LensmithConfig>() + 1,
            "which no LensmithConfig has",
        ),
        (MAX_STRUCT_SIZE + 8, "which no LensmithConfig has"),
    ] {
        let mut config = Guarded::<LensmithConfig>::new();
        // SAFETY: refused before anything is written.
        let failure = unsafe { init(config.value.as_mut_ptr(), size) }.unwrap_err();
        assert!(
            failure.message.contains(words),
            "{size}: {}",
            failure.message
        );
        // SAFETY: the bytes were set to the canary by `new`.
        let bytes = unsafe {
            std::slice::from_raw_parts(
                config.value.as_ptr().cast::<u8>(),
                size_of::<LensmithConfig>(),
            )
        };
        assert!(bytes.iter().all(|&byte| byte == CANARY), "{size}: written");

        let host = LensmithConfig {
            struct_size: size as u32,
            ..LensmithConfig::default()
        };
        // SAFETY: refused before any byte past `struct_size` is read.
        let failure = unsafe { from_host(&host) }.unwrap_err();
        assert!(
            failure
                .message
                .starts_with(&format!("config.struct_size is {size}, ")),
            "{}",
            failure.message
        );
    }
}

#[test]
fn a_null_config_is_refused() {
    // SAFETY: null is checked.
    let failure = unsafe { from_host(std::ptr::null()) }.unwrap_err();
    assert!(failure.message.contains("null"));
    // SAFETY: null is checked.
    let failure = unsafe { init(std::ptr::null_mut(), size_of::<LensmithConfig>()) }.unwrap_err();
    assert!(failure.message.contains("null"));
}
