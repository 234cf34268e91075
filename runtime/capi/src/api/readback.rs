//! Reading back what the last frame found: its figures, its faces and its trigger
//! events, and the bundle's trigger names. Each getter copies one plain value out; the
//! pointers inside stay valid until the next frame, bundle load or destroy. The structs are
//! written only as far as the size the host passes (see [`crate::sized`]).

use std::ffi::c_char;
use std::mem::offset_of;

use super::{runtime_ref, write_out};
use crate::engine::{Engine, LensmithRuntime};
use crate::results::{EVENT_SIZES, FACE_SIZES, LensmithFace, LensmithTriggerEvent};
use crate::sized::{self, SizeRule, layout_size};
use crate::status::{Failure, LensmithStatus, guard};

/// `sizeof(LensmithFrameStats)` in the first release, unchanged since.
pub(crate) const FIRST_STATS_SIZE: usize = layout_size(
    offset_of!(LensmithFrameStats, total_ms) + size_of::<f64>(),
    align_of::<f64>(),
);

/// The sizes `lensmith_get_frame_stats_sized` takes.
pub(crate) const STATS_SIZES: SizeRule =
    SizeRule::of::<LensmithFrameStats>("LensmithFrameStats", "size", FIRST_STATS_SIZE);

/// One frame's figures.
///
/// The struct only grows at its end: new fields are only ever appended.
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

/// Runs `function`: writes the value `read` takes from the runtime's engine into the host's
/// struct of `size` bytes at `out`, never past `size`.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing `size`
/// bytes.
pub(crate) unsafe fn store_sized<T: Copy>(
    function: &str,
    runtime: *mut LensmithRuntime,
    out: *mut T,
    size: usize,
    rule: &SizeRule,
    read: impl FnOnce(&mut Engine) -> Result<T, Failure>,
) -> LensmithStatus {
    guard(function, || {
        rule.check(size)?;
        if out.is_null() {
            return Err(Failure::invalid("out is a null pointer"));
        }
        // SAFETY: the caller's promise.
        let value = unsafe { runtime_ref(runtime) }?.with(read)?;
        // SAFETY: not null, `size` bytes writable by the caller's promise, size checked.
        unsafe { sized::write(out.cast(), size, &value) };
        Ok(())
    })
}

/// Item `index` of `items`, or an error saying how many `what` there are.
fn item<T: Copy>(items: &[T], index: u32, what: &str) -> Result<T, Failure> {
    items.get(index as usize).copied().ok_or_else(|| {
        Failure::invalid(format!("index {index} is past the {} {what}", items.len()))
    })
}

/// Writes the last frame's figures into `*out`, a `LensmithFrameStats` of `size` bytes
/// (`sizeof(LensmithFrameStats)` as the host was built; the header's
/// `lensmith_get_frame_stats` passes it). No byte past `size` is written.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing `size`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_frame_stats_sized(
    runtime: *mut LensmithRuntime,
    out: *mut LensmithFrameStats,
    size: usize,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store_sized(
            "lensmith_get_frame_stats",
            runtime,
            out,
            size,
            &STATS_SIZES,
            frame_stats,
        )
    }
}

/// The last frame's figures.
pub(crate) fn frame_stats(engine: &mut Engine) -> Result<LensmithFrameStats, Failure> {
    let stats = engine.stats()?;
    Ok(LensmithFrameStats {
        faces: stats.faces as u32,
        tracking_ms: stats.pipeline.total_ms(),
        layers_ms: stats.layers_ms.iter().sum(),
        render_ms: stats.render_ms,
        total_ms: stats.total_ms,
    })
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

/// Writes face `index` of the last frame into `*out`, a `LensmithFace` of `size` bytes
/// (`sizeof(LensmithFace)` as the host was built; the header's `lensmith_get_face` passes
/// it). No byte past `size` is written; its pointers stay valid until the next frame, bundle
/// load or destroy.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing `size`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_face_sized(
    runtime: *mut LensmithRuntime,
    index: u32,
    out: *mut LensmithFace,
    size: usize,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store_sized(
            "lensmith_get_face",
            runtime,
            out,
            size,
            &FACE_SIZES,
            |engine| face(engine, index),
        )
    }
}

/// Face `index` of the last frame.
pub(crate) fn face(engine: &mut Engine, index: u32) -> Result<LensmithFace, Failure> {
    item(
        engine.results()?.faces(),
        index,
        "face(s) of the last frame",
    )
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

/// Writes trigger event `index` of the last frame into `*out`, a `LensmithTriggerEvent`
/// of `size` bytes (`sizeof(LensmithTriggerEvent)` as the host was built; the header's
/// `lensmith_get_event` passes it). No byte past `size` is written.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing `size`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_event_sized(
    runtime: *mut LensmithRuntime,
    index: u32,
    out: *mut LensmithTriggerEvent,
    size: usize,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        store_sized(
            "lensmith_get_event",
            runtime,
            out,
            size,
            &EVENT_SIZES,
            |engine| event(engine, index),
        )
    }
}

/// Trigger event `index` of the last frame.
pub(crate) fn event(engine: &mut Engine, index: u32) -> Result<LensmithTriggerEvent, Failure> {
    item(
        engine.results()?.events(),
        index,
        "event(s) of the last frame",
    )
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
