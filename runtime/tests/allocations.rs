//! Once warm, following a face from frame to frame (tracking, head pose, expressions,
//! triggers) allocates nothing in Lensmith's own code: every allocation left in a frame is
//! one that the ONNX Runtime wrapper makes inside a bare model run. A counting allocator
//! on this test binary checks it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use effect_api::TriggerRules;
use lensmith_runtime::expressions::{ExpressionAnalyzer, ExpressionSettings};
use lensmith_runtime::landmarks::INPUT_SIZE;
use lensmith_runtime::models::{Model, ModelKind, ModelOptions};
use lensmith_runtime::pose::{CanonicalFace, PoseEstimator};
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};
use lensmith_runtime::triggers::{FaceSignals, TriggerEngine};

/// Counts the allocations made on the current thread (tests run on threads of their own).
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// thread-local `Cell` with a const initialiser, which itself never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: `pointer` came from `alloc` or `realloc` above, i.e. from `System`.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: as for `dealloc`; the caller upholds `realloc`'s contract.
        unsafe { System.realloc(pointer, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_during(work: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn a_live_frame_allocates_only_inside_the_model_run() {
    let Some(cache) = lensmith_testkit::cache_or_skip("allocations") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let options = ModelOptions::default();

    // What the ONNX Runtime wrapper allocates for one bare run of the mesh model.
    let mut model = Model::load(&cache, ModelKind::FaceLandmarks, options).unwrap();
    let input = vec![0.5f32; (INPUT_SIZE * INPUT_SIZE * 3) as usize];
    let (mut points, mut flag) = (vec![0.0f32; 1404], vec![0.0f32; 1]);
    let mut run = || model.run(&input, &mut [&mut points, &mut flag]).unwrap();
    for _ in 0..3 {
        run();
    }
    let per_run = allocations_during(&mut run);

    let mut tracker = FaceTracker::load(&cache, options, TrackerSettings::default()).unwrap();
    let canonical = CanonicalFace::load(&cache.face_geometry().unwrap()).unwrap();
    let mut pose_estimator = PoseEstimator::new(&canonical);
    let mut analyzer = ExpressionAnalyzer::new(ExpressionSettings::default());
    let rules = TriggerRules::from_toml(include_str!("../../examples/triggers.toml")).unwrap();
    let mut triggers = TriggerEngine::new(rules.rules);
    let mut poses = Vec::with_capacity(4);
    let mut step = |index: u32| {
        let time = f64::from(index) / 30.0;
        let tracked = tracker.process(photo.view(), time).unwrap();
        pose_estimator.estimate_all(&tracked.faces, &mut poses);
        let expressions = analyzer.update(&tracked.faces, &poses, time);
        triggers.update(expressions.iter().map(FaceSignals::from), time);
        assert_eq!(tracked.faces.len(), 1);
        tracked.detector_ran
    };
    // Warm-up: the detection, the first buffers, the smoother's and baseline's state.
    for index in 0..10 {
        step(index);
    }
    let frames = 20;
    let mut detector_ran = false;
    let total = allocations_during(|| {
        for index in 10..10 + frames {
            detector_ran |= step(index);
        }
    });
    assert!(!detector_ran, "max_faces is 1 and the face is tracked");
    println!(
        "allocations: {per_run} in a bare mesh-model run, {:.1} per tracked frame",
        total as f64 / f64::from(frames)
    );
    assert_eq!(
        total,
        per_run * u64::from(frames),
        "a frame (tracking, pose, expressions, triggers) allocated more than its model run does"
    );
}
