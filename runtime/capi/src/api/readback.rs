//! Reading back what the last frame found: its figures, its faces and its trigger
//! events, and the bundle's trigger names. Each getter copies one plain value out; the
//! pointers inside stay valid until the next frame, bundle load or destroy.

use std::ffi::c_char;

use super::{runtime_ref, write_out};
use crate::engine::{Engine, LensmithRuntime};
use crate::results::{LensmithFace, LensmithTriggerEvent};
use crate::status::{Failure, LensmithStatus, guard};

/// One frame's figures.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct LensmithFrameStats {
    /// Faces tracked.
    pub faces: u32,
    /// Milliseconds the face pipeline took (detection, mesh, pose, expressions, triggers).
    pub tracking_ms: f64,
    /// Milliseconds the layers took to prepare their draws (effect models included).
    pub layers_ms: f64,
    /// Milliseconds the renderer took.
    pub render_ms: f64,
    /// Milliseconds the whole effect took, without converting the host's buffers.
    pub total_ms: f64,
}

/// Runs `function`: stores in `*out` the value `read` takes from the runtime's engine.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing a `T`.
unsafe fn store<T>(
    function: &str,
    runtime: *mut LensmithRuntime,
    out: *mut T,
    read: impl FnOnce(&mut Engine) -> Result<T, Failure>,
) -> LensmithStatus {
    guard(function, || {
        // SAFETY: the caller's promise.
        let value = unsafe { runtime_ref(runtime) }?.with(read)?;
        // SAFETY: the caller's promise.
        unsafe { write_out(out, value, "out") }
    })
}

/// Item `index` of `items`, or an error saying how many `what` there are.
fn item<T: Copy>(items: &[T], index: u32, what: &str) -> Result<T, Failure> {
    items.get(index as usize).copied().ok_or_else(|| {
        Failure::invalid(format!("index {index} is past the {} {what}", items.len()))
    })
}

/// Stores the last frame's figures in `*out`.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_frame_stats(
    runtime: *mut LensmithRuntime,
    out: *mut LensmithFrameStats,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store("lensmith_get_frame_stats", runtime, out, |engine| {
            let stats = engine.stats()?;
            Ok(LensmithFrameStats {
                faces: stats.faces as u32,
                tracking_ms: stats.pipeline.total_ms(),
                layers_ms: stats.layers_ms.iter().sum(),
                render_ms: stats.render_ms,
                total_ms: stats.total_ms,
            })
        })
    }
}

/// Stores how many faces the last frame tracked in `*out`.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_face_count(
    runtime: *mut LensmithRuntime,
    out: *mut u32,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store("lensmith_get_face_count", runtime, out, |engine| {
            Ok(engine.results()?.faces().len() as u32)
        })
    }
}

/// Stores face `index` of the last frame in `*out`; its pointers stay valid until the next
/// frame, bundle load or destroy.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_face(
    runtime: *mut LensmithRuntime,
    index: u32,
    out: *mut LensmithFace,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store("lensmith_get_face", runtime, out, |engine| {
            item(
                engine.results()?.faces(),
                index,
                "face(s) of the last frame",
            )
        })
    }
}

/// Stores how many trigger events the last frame had in `*out`.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_event_count(
    runtime: *mut LensmithRuntime,
    out: *mut u32,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store("lensmith_get_event_count", runtime, out, |engine| {
            Ok(engine.results()?.events().len() as u32)
        })
    }
}

/// Stores trigger event `index` of the last frame in `*out`.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_event(
    runtime: *mut LensmithRuntime,
    index: u32,
    out: *mut LensmithTriggerEvent,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store("lensmith_get_event", runtime, out, |engine| {
            item(
                engine.results()?.events(),
                index,
                "event(s) of the last frame",
            )
        })
    }
}

/// Stores how many triggers the loaded bundle declares in `*out`.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_trigger_count(
    runtime: *mut LensmithRuntime,
    out: *mut u32,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store("lensmith_get_trigger_count", runtime, out, |engine| {
            Ok(engine.results()?.trigger_count() as u32)
        })
    }
}

/// Stores the name of trigger `index` in `*out`; valid until the next bundle load or
/// destroy.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_trigger_name(
    runtime: *mut LensmithRuntime,
    index: u32,
    out: *mut *const c_char,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store("lensmith_get_trigger_name", runtime, out, |engine| {
            let results = engine.results()?;
            results.trigger_name(index as usize).ok_or_else(|| {
                Failure::invalid(format!(
                    "index {index} is past the bundle's {} trigger(s)",
                    results.trigger_count()
                ))
            })
        })
    }
}
