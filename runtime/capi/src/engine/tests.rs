//! The boundary's promises that need no models: a second caller gets `BUSY`, a panic
//! becomes `INTERNAL` and leaves the runtime refusing calls, calls before a bundle get
//! `NO_EFFECT`, and the last error is per thread.

use std::ffi::CStr;

use super::*;
use crate::api::{lensmith_reset, lensmith_runtime_destroy};
use crate::config::LensmithConfig;
use crate::status::guard;

fn runtime() -> *mut LensmithRuntime {
    let config = LensmithConfig {
        cache_dir: c"/nonexistent/lensmith-cache".as_ptr(),
        ..LensmithConfig::default()
    };
    // SAFETY: the config's pointers are static strings or null.
    let settings = unsafe { RuntimeSettings::read(&config) }.expect("a default config reads");
    Box::into_raw(Box::new(LensmithRuntime::new(settings)))
}

fn last_error() -> String {
    // SAFETY: the pointer is this thread's message, alive until its next failure.
    unsafe { CStr::from_ptr(crate::status::last_error_pointer()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_call_while_another_holds_the_runtime_is_busy() {
    let pointer = runtime();
    // SAFETY: made just above, destroyed at the end.
    let held = unsafe { &*pointer }.engine.lock().unwrap();
    // SAFETY: as above.
    let status = unsafe { lensmith_reset(pointer) };
    assert_eq!(status, LensmithStatus::LENSMITH_ERROR_BUSY);
    assert!(last_error().contains("another thread"), "{}", last_error());
    drop(held);
    // SAFETY: as above.
    let status = unsafe { lensmith_reset(pointer) };
    assert_eq!(status, LensmithStatus::LENSMITH_ERROR_NO_EFFECT);
    assert!(last_error().starts_with("lensmith_reset: no bundle is loaded"));
    // SAFETY: as above, once.
    unsafe { lensmith_runtime_destroy(pointer) };
}

#[test]
fn a_panic_inside_a_call_is_internal_and_retires_the_runtime() {
    let pointer = runtime();
    // SAFETY: made just above, destroyed at the end.
    let runtime = unsafe { &*pointer };
    let status = guard("lensmith_test_call", || {
        runtime.with(|_| -> Result<(), Failure> { panic!("a bug") })
    });
    assert_eq!(status, LensmithStatus::LENSMITH_ERROR_INTERNAL);
    assert!(last_error().contains("a bug"), "{}", last_error());
    // SAFETY: as above.
    let status = unsafe { lensmith_reset(pointer) };
    assert_eq!(status, LensmithStatus::LENSMITH_ERROR_INTERNAL);
    assert!(last_error().contains("destroy it"), "{}", last_error());
    // SAFETY: as above, once.
    unsafe { lensmith_runtime_destroy(pointer) };
}

#[test]
fn the_last_error_belongs_to_the_thread_that_failed() {
    let pointer = runtime() as usize;
    let other = std::thread::spawn(move || {
        // SAFETY: the runtime outlives this thread, which is joined before it is destroyed.
        let status = unsafe { lensmith_reset(pointer as *mut LensmithRuntime) };
        (status, last_error())
    })
    .join()
    .unwrap();
    assert_eq!(other.0, LensmithStatus::LENSMITH_ERROR_NO_EFFECT);
    assert!(other.1.contains("no bundle"));
    assert!(!last_error().contains("no bundle"), "{}", last_error());
    // SAFETY: made above, destroyed once.
    unsafe { lensmith_runtime_destroy(pointer as *mut LensmithRuntime) };
}
