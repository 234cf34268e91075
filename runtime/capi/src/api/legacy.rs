//! The functions that took no size, kept as exported symbols for programs built against the
//! headers that declared them. `lensmith.h` now defines functions of these names as
//! `static inline` wrappers that pass `sizeof` to the `_sized` functions, so a program
//! built from now on never calls these symbols. Each one writes exactly the layout of the
//! last header that declared it, which is frozen here: that header's programs keep working
//! with this and later libraries.
//!
//! Programs built against a header from before `iris_landmark_model` was added have a
//! smaller `LensmithConfig` and a face with 11 expressions: those never ran with a library
//! of a later release and must be rebuilt against this header.

use super::readback::{self, STATS_SIZES};
use crate::config::{self, LensmithConfig, UNSIZED_INIT_CONFIG_SIZE};
use crate::engine::LensmithRuntime;
use crate::results::{EVENT_SIZES, LENSMITH_EXPRESSION_COUNT, LensmithFace, LensmithTriggerEvent};
use crate::sized::SizeRule;
use crate::status::{LensmithStatus, guard};

/// `LensmithFace` as the headers before sized structs declared it: 16 scores inside the
/// struct, followed by the trigger flags. Frozen: never change it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct UnsizedFace {
    id: u32,
    score: f32,
    bounds: [f32; 4],
    landmarks: *const f32,
    landmark_count: u32,
    has_pose: u32,
    yaw: f32,
    pitch: f32,
    roll: f32,
    has_expressions: u32,
    expressions: [f32; 16],
    triggers_on: *const u8,
    trigger_count: u32,
}

/// The one size `lensmith_get_face` writes.
const UNSIZED_FACE_SIZES: SizeRule =
    SizeRule::of::<UnsizedFace>("LensmithFace", "size", size_of::<UnsizedFace>());

impl UnsizedFace {
    /// `face` in the old layout.
    fn from_face(face: &LensmithFace) -> Self {
        let mut expressions = [0.0; 16];
        let count = (face.expression_count as usize).min(LENSMITH_EXPRESSION_COUNT);
        if !face.expressions.is_null() {
            // SAFETY: a face the library wrote points at `expression_count` scores, kept
            // until the next frame; the engine's lock is held while this runs.
            let scores = unsafe { std::slice::from_raw_parts(face.expressions, count) };
            expressions[..count].copy_from_slice(scores);
        }
        Self {
            id: face.id,
            score: face.score,
            bounds: face.bounds,
            landmarks: face.landmarks,
            landmark_count: face.landmark_count,
            has_pose: face.has_pose,
            yaw: face.yaw,
            pitch: face.pitch,
            roll: face.roll,
            has_expressions: face.has_expressions,
            expressions,
            triggers_on: face.triggers_on,
            trigger_count: face.trigger_count,
        }
    }
}

/// Fills `config` with the defaults as the last header that declared this function laid
/// the struct out. Programs built against the current header call
/// `lensmith_config_init_sized` through its inline `lensmith_config_init` instead.
///
/// # Safety
/// `config` is null or valid for writing the config of that header.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_config_init(config: *mut LensmithConfig) -> LensmithStatus {
    guard("lensmith_config_init", || {
        // SAFETY: the caller's promise.
        unsafe { config::init(config, UNSIZED_INIT_CONFIG_SIZE) }
    })
}

/// Writes face `index` of the last frame in the layout of the headers before sized structs.
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing an
/// [`UnsizedFace`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_face(
    runtime: *mut LensmithRuntime,
    index: u32,
    out: *mut UnsizedFace,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        readback::store_sized(
            "lensmith_get_face",
            runtime,
            out,
            size_of::<UnsizedFace>(),
            &UNSIZED_FACE_SIZES,
            |engine| Ok(UnsizedFace::from_face(&readback::face(engine, index)?)),
        )
    }
}

/// Writes trigger event `index` of the last frame (a layout unchanged since the first
/// release).
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing the first
/// release's `LensmithTriggerEvent`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_event(
    runtime: *mut LensmithRuntime,
    index: u32,
    out: *mut LensmithTriggerEvent,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        readback::store_sized(
            "lensmith_get_event",
            runtime,
            out,
            EVENT_SIZES.first,
            &EVENT_SIZES,
            |engine| readback::event(engine, index),
        )
    }
}

/// Writes the last frame's figures (a layout unchanged since the first release).
///
/// # Safety
/// `runtime` as `lensmith_runtime_destroy` says; `out` null or valid for writing the first
/// release's `LensmithFrameStats`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lensmith_get_frame_stats(
    runtime: *mut LensmithRuntime,
    out: *mut readback::LensmithFrameStats,
) -> LensmithStatus {
    // SAFETY: the caller's promises.
    unsafe {
        readback::store_sized(
            "lensmith_get_frame_stats",
            runtime,
            out,
            STATS_SIZES.first,
            &STATS_SIZES,
            readback::frame_stats,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn the_unsized_face_keeps_the_layout_of_the_headers_before() {
        // 16 scores between `has_expressions` and `triggers_on`, as those headers had.
        assert_eq!(
            offset_of!(UnsizedFace, triggers_on) - offset_of!(UnsizedFace, expressions),
            16 * 4
        );
        #[cfg(target_pointer_width = "64")]
        assert_eq!(size_of::<UnsizedFace>(), 136);
    }

    #[test]
    fn an_unsized_face_copies_the_scores_in() {
        let scores = [0.5f32; LENSMITH_EXPRESSION_COUNT];
        let face = LensmithFace {
            id: 9,
            score: 1.0,
            bounds: [1.0, 2.0, 3.0, 4.0],
            landmarks: std::ptr::null(),
            landmark_count: 0,
            has_pose: 0,
            yaw: 0.0,
            pitch: 0.0,
            roll: 0.0,
            has_expressions: 1,
            expressions: scores.as_ptr(),
            expression_count: LENSMITH_EXPRESSION_COUNT as u32,
            triggers_on: std::ptr::null(),
            trigger_count: 0,
        };
        let old = UnsizedFace::from_face(&face);
        assert_eq!(
            (old.id, old.bounds, old.expressions),
            (9, face.bounds, scores)
        );
    }
}
