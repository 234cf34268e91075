//! Reading C strings and C arrays handed in by the host, refusing nulls and text that is
//! not UTF-8 with a message that names the argument.

use std::ffi::{CStr, c_char};

use crate::status::Failure;

/// The UTF-8 text at `pointer`, which must not be null; `what` names the argument.
///
/// # Safety
/// `pointer` is null or points at a NUL-terminated string that stays valid for `'a`.
pub(crate) unsafe fn required<'a>(pointer: *const c_char, what: &str) -> Result<&'a str, Failure> {
    // SAFETY: passed on from the caller.
    unsafe { optional(pointer, what) }?
        .ok_or_else(|| Failure::invalid(format!("{what} is a null pointer")))
}

/// The UTF-8 text at `pointer`, or `None` for a null pointer; `what` names the argument.
///
/// # Safety
/// `pointer` is null or points at a NUL-terminated string that stays valid for `'a`.
pub(crate) unsafe fn optional<'a>(
    pointer: *const c_char,
    what: &str,
) -> Result<Option<&'a str>, Failure> {
    if pointer.is_null() {
        return Ok(None);
    }
    // SAFETY: not null, and NUL-terminated and alive by the caller's promise.
    let text = unsafe { CStr::from_ptr(pointer) };
    text.to_str()
        .map(Some)
        .map_err(|_| Failure::invalid(format!("{what} is not UTF-8 text")))
}

/// The `count` elements at `pointer` (null is allowed only with a count of 0).
///
/// # Safety
/// `pointer` points at `count` initialised elements that stay valid for `'a`, or is null.
pub(crate) unsafe fn slice<'a, T>(
    pointer: *const T,
    count: usize,
    what: &str,
) -> Result<&'a [T], Failure> {
    if count == 0 {
        return Ok(&[]);
    }
    if pointer.is_null() {
        return Err(Failure::invalid(format!(
            "{what} is a null pointer but its count is {count}"
        )));
    }
    // SAFETY: not null, `count` elements by the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(pointer, count) })
}
