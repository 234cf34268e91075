//! Once warm, following a face from frame to frame (tracking, head pose, both eyes refined
//! by the eye model, expressions, triggers) and playing an effect on it (every layer kind, rendered on the CPU) allocates
//! nothing in Lensmith's own code: every allocation left in a frame is one that the ONNX
//! Runtime wrapper makes inside a bare model run. A counting allocator on this test binary
//! checks it, counting every thread's allocations (the renderer's helper thread draws half
//! of a large patch), so the tests here take turns. The same allocator counts the bytes
//! held, for what a loaded bundle keeps.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use effect_api::TriggerRules;
use lensmith_runtime::face_pipeline::{FacePipeline, FacePipelineSettings};
use lensmith_runtime::landmarks::INPUT_SIZE;
use lensmith_runtime::models::{ImageModel, Model, ModelKind, ModelOptions};
use lensmith_runtime::player::{EffectPlayer, PlayerOptions};
use lensmith_runtime::render::cpu::CpuRenderer;

#[path = "support/effect_bundle.rs"]
mod effect_bundle;

/// Counts the allocations made on every thread of the process.
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// Bytes allocated and not yet freed, on every thread.
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);

/// Held by each test for its whole run, so that one test's count holds only its own work.
static ONE_TEST_AT_A_TIME: Mutex<()> = Mutex::new(());

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is an
// atomic, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        LIVE_BYTES.fetch_add(layout.size() as i64, Ordering::SeqCst);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as i64, Ordering::SeqCst);
        // SAFETY: `pointer` came from `alloc` or `realloc` above, i.e. from `System`.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        LIVE_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Ordering::SeqCst);
        // SAFETY: as for `dealloc`; the caller upholds `realloc`'s contract.
        unsafe { System.realloc(pointer, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_during(work: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    work();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn a_live_frame_allocates_only_inside_the_model_run() {
    let _turn = ONE_TEST_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(cache) = lensmith_testkit::cache_or_skip("allocations") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let options = ModelOptions::default();

    let per_run = mesh_model_run_allocations(&cache);
    let per_iris_run = iris_model_run_allocations(&cache);
    let rules = TriggerRules::from_toml(include_str!("../../examples/triggers.toml")).unwrap();
    let mut pipeline =
        FacePipeline::load(&cache, options, FacePipelineSettings::video(1), rules.rules).unwrap();
    assert!(
        pipeline.refines_eyes(),
        "the eye model runs on both eyes too"
    );
    let mut step = |index: u32| {
        let time = f64::from(index) / 30.0;
        let faces = pipeline.process(photo.view(), time).unwrap();
        assert_eq!(faces.face_count(), 1);
        faces.detector_ran
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
        "allocations: {per_run} in a bare mesh-model run, {per_iris_run} in an iris-model run (one eye), \
         {:.1} per tracked frame",
        total as f64 / f64::from(frames)
    );
    assert_eq!(
        total,
        (per_run + 2 * per_iris_run) * u64::from(frames),
        "a frame (tracking, pose, eyes, expressions, triggers) allocated more than its model \
         runs (the mesh's, and the eye model's on each eye) do"
    );
}

/// What the ONNX Runtime wrapper allocates for one bare run of the mesh model.
fn mesh_model_run_allocations(cache: &lensmith_runtime::models::AssetCache) -> u64 {
    let mut model = Model::load(cache, ModelKind::FaceLandmarks, ModelOptions::default()).unwrap();
    let input = vec![0.5f32; (INPUT_SIZE * INPUT_SIZE * 3) as usize];
    let (mut points, mut flag) = (vec![0.0f32; 1404], vec![0.0f32; 1]);
    let mut run = || model.run(&input, &mut [&mut points, &mut flag]).unwrap();
    for _ in 0..3 {
        run();
    }
    allocations_during(&mut run)
}

/// What the ONNX Runtime wrapper allocates for one bare run of the eye model.
fn iris_model_run_allocations(cache: &lensmith_runtime::models::AssetCache) -> u64 {
    let mut model = Model::load(cache, ModelKind::IrisLandmarks, ModelOptions::default()).unwrap();
    let input = vec![0.5f32; 64 * 64 * 3];
    let (mut contour, mut iris) = (vec![0.0f32; 213], vec![0.0f32; 15]);
    let mut run = || model.run(&input, &mut [&mut contour, &mut iris]).unwrap();
    for _ in 0..3 {
        run();
    }
    allocations_during(&mut run)
}

#[test]
fn a_playing_effect_allocates_only_inside_model_runs() {
    let _turn = ONE_TEST_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(cache) = lensmith_testkit::cache_or_skip("effect_allocations") else {
        return;
    };
    let mesh_run = mesh_model_run_allocations(&cache);
    let student_path = effect_bundle::repo_file("runtime/tests/data/models/invert_nchw_pm1.onnx");
    let mut student = ImageModel::load(
        &cache.onnxruntime_library().unwrap(),
        "invert",
        &std::fs::read(student_path).unwrap(),
        [1, 3, 256, 256],
        [1, 3, 256, 256],
        ModelOptions::default(),
    )
    .unwrap();
    let (input, mut output) = (vec![0.0f32; 3 * 256 * 256], vec![0.0f32; 3 * 256 * 256]);
    let mut run = || student.run(&input, &mut output).unwrap();
    for _ in 0..3 {
        run();
    }
    let student_run = allocations_during(&mut run);

    let bundle = effect_bundle::write_bundle(
        "effect_allocations",
        r#"[[layer]]
kind = "face_model"
name = "invert"
model = "models/invert.onnx"
[[layer]]
kind = "face_mask"
name = "paint"
texture = "paint.png"
[[layer]]
kind = "sticker"
name = "sparkles"
image = "sparkles.png"
anchor = [10]
[[layer]]
kind = "lut"
name = "warm"
file = "warm.cube"
scope = "face"
"#,
        &[
            (
                "models/invert.onnx",
                "runtime/tests/data/models/invert_nchw_pm1.onnx",
            ),
            ("paint.png", "effects/face-paint/textures/face_paint.png"),
            ("sparkles.png", "effects/face-paint/stickers/sparkles.png"),
            ("warm.cube", "examples/effects/warm-grade/luts/warm.cube"),
        ],
    );
    let mut player = EffectPlayer::open(
        bundle.path(),
        &cache,
        &PlayerOptions::default(),
        // With its helper thread, as the runtime makes it: large draws are split in two.
        Box::new(CpuRenderer::new()),
    )
    .unwrap();
    let photo = lensmith_testkit::astronaut(&cache);
    let mut frame = photo.clone();
    let mut step = |index: u32| {
        frame.data_mut().copy_from_slice(photo.data());
        let stats = player.process(&mut frame, f64::from(index) / 30.0).unwrap();
        assert_eq!(stats.faces, 1);
        stats.pipeline.tracking.detect_ms > 0.0
    };
    for index in 0..10 {
        step(index);
    }
    let frames = 10;
    let mut detector_ran = false;
    let total = allocations_during(|| {
        for index in 10..10 + frames {
            detector_ran |= step(index);
        }
    });
    assert!(!detector_ran, "max_faces is 1 and the face is tracked");
    let expected = (mesh_run + student_run) * u64::from(frames);
    println!(
        "allocations: {mesh_run} in a bare mesh run, {student_run} in a bare student run, \
         {:.1} per played frame",
        total as f64 / f64::from(frames)
    );
    assert_eq!(
        total, expected,
        "a played frame allocated more than its two model runs do"
    );
}

#[test]
fn layers_that_share_an_image_share_its_texture() {
    let _turn = ONE_TEST_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(cache) =
        lensmith_testkit::cache_or_skip("layers_that_share_an_image_share_its_texture")
    else {
        return;
    };
    let layer = "[[layer]]\nkind = \"face_mask\"\ntexture = \"textures/paint.png\"\n";
    let held_by_player = |layers: usize| {
        let manifest: String = (0..layers)
            .map(|index| format!("{layer}name = \"paint{index}\"\n\n"))
            .collect();
        let bundle = effect_bundle::write_bundle(
            "shared-texture",
            &manifest,
            &[(
                "textures/paint.png",
                "effects/face-paint/textures/face_paint.png",
            )],
        );
        let before = LIVE_BYTES.load(Ordering::SeqCst);
        let player = effect_bundle::still_player(bundle.path(), &cache);
        let held = LIVE_BYTES.load(Ordering::SeqCst) - before;
        drop(player);
        held
    };
    let (one, eight) = (held_by_player(1), held_by_player(8));
    // One 1024x1024 RGBA texture is 4 MiB; seven more copies would be 28 MiB more.
    let texture = 1024 * 1024 * 4;
    println!("the player holds {one} bytes with one layer, {eight} with eight");
    assert!(
        eight - one < texture,
        "eight layers of one image hold {} MiB more than one layer",
        (eight - one) >> 20
    );
}
