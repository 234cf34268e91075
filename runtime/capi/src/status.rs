//! Status codes, the calling thread's last error message, and the guard every exported
//! function runs its body in: a Rust error becomes a status code plus a message, and a
//! panic is caught before it can cross into C.

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What a call did. Every code but `LENSMITH_OK` comes with a message from
/// `lensmith_last_error`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// C's naming: the variants are the constants C code writes.
#[allow(non_camel_case_types)]
pub enum LensmithStatus {
    /// It worked.
    LENSMITH_OK = 0,
    /// An argument is unusable: a null pointer, an unknown constant, a stride or size
    /// that does not fit the buffer, a timestamp that went back, text that is not UTF-8.
    LENSMITH_ERROR_INVALID_ARGUMENT = 1,
    /// A file (bundle, model, ONNX Runtime library) is missing or cannot be read.
    LENSMITH_ERROR_NOT_FOUND = 2,
    /// The bundle is damaged, hostile or invalid (not an archive, a member refused, a
    /// checksum mismatch, a manifest problem, an asset that cannot be decoded).
    LENSMITH_ERROR_BUNDLE = 3,
    /// The bundle is unsigned, signed by a key that is not trusted, or its signature does
    /// not verify, and the runtime was created with trusted keys.
    LENSMITH_ERROR_SIGNATURE = 4,
    /// The bundle's plugin cannot be played: loading plugin code is not allowed here and
    /// none is registered under its key, or the library was refused.
    LENSMITH_ERROR_PLUGIN = 5,
    /// A face model or ONNX Runtime failed to load or run.
    LENSMITH_ERROR_MODEL = 6,
    /// No bundle is loaded yet.
    LENSMITH_ERROR_NO_EFFECT = 7,
    /// Another thread is inside a call on the same runtime.
    LENSMITH_ERROR_BUSY = 8,
    /// Playing the frame failed (a model run or the renderer).
    LENSMITH_ERROR_PROCESSING = 9,
    /// A bug in Lensmith was caught at the boundary; the runtime it happened in refuses
    /// further calls, destroy it and create another.
    LENSMITH_ERROR_INTERNAL = 10,
}

/// A failed call: its status and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: LensmithStatus,
    pub message: String,
}

impl Failure {
    pub fn new(status: LensmithStatus, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(LensmithStatus::LENSMITH_ERROR_INVALID_ARGUMENT, message)
    }
}

thread_local! {
    /// The message of the last call on this thread that failed.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Keeps `message` as this thread's last error.
pub(crate) fn set_last_error(message: &str) {
    // A NUL inside a message would cut it short in C; none is meant to be there.
    let text = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = text);
}

/// This thread's last error, valid until the next call that fails on this thread.
pub(crate) fn last_error_pointer() -> *const c_char {
    LAST_ERROR.with(|last| last.borrow().as_ptr())
}

/// Runs `body` for the exported function `function`: its failure becomes a status with
/// the message kept, and a panic becomes `LENSMITH_ERROR_INTERNAL`.
pub(crate) fn guard(function: &str, body: impl FnOnce() -> Result<(), Failure>) -> LensmithStatus {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => LensmithStatus::LENSMITH_OK,
        Ok(Err(failure)) => {
            set_last_error(&format!("{function}: {}", failure.message));
            failure.status
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            set_last_error(&format!(
                "{function}: internal error (a bug in Lensmith; please report it): {what}"
            ));
            LensmithStatus::LENSMITH_ERROR_INTERNAL
        }
    }
}
