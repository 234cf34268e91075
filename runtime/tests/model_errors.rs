//! Broken or missing model files give clear errors, never panics.

use std::path::{Path, PathBuf};

use lensmith_runtime::detection::{DetectorSettings, FaceDetector};
use lensmith_runtime::models::{AssetCache, Model, ModelError, ModelKind, ModelOptions};

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lensmith-runtime-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load(library: &Path, model: &Path, kind: ModelKind) -> Result<Model, ModelError> {
    Model::load_file(library, model, kind, ModelOptions::default())
}

#[test]
fn an_empty_cache_says_where_it_looked_and_to_run_setup() {
    let empty = scratch_dir("empty-cache");
    let error = Model::load(
        &AssetCache::at(&empty),
        ModelKind::FaceLandmarks,
        ModelOptions::default(),
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ModelError::Missing { .. }), "{error:?}");
    assert!(
        message.contains(&empty.join("lib").display().to_string()),
        "{message}"
    );
    assert!(message.contains("cargo xtask setup"), "{message}");
    std::fs::remove_dir_all(empty).unwrap();
}

#[test]
fn a_corrupt_model_is_refused_naming_the_file() {
    let Some(cache) = lensmith_testkit::cache_or_skip("a_corrupt_model_is_refused_naming_the_file")
    else {
        return;
    };
    let library = cache.onnxruntime_library().unwrap();
    let dir = scratch_dir("corrupt-model");
    let good = std::fs::read(cache.model(ModelKind::FaceDetector).unwrap()).unwrap();
    let cases: [(&str, Vec<u8>); 3] = [
        ("truncated.onnx", good[..good.len() / 2].to_vec()),
        (
            "garbage.onnx",
            b"\x08\x07 this is not a protobuf".repeat(40),
        ),
        ("empty.onnx", Vec::new()),
    ];
    for (name, bytes) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let error = load(&library, &path, ModelKind::FaceDetector).unwrap_err();
        assert!(
            matches!(error, ModelError::Load { .. }),
            "{name}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(&path.display().to_string()) && message.contains("corrupt"),
            "{message}"
        );
    }
    let missing = dir.join("absent.onnx");
    assert!(matches!(
        load(&library, &missing, ModelKind::FaceDetector),
        Err(ModelError::Load { .. })
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_model_with_the_wrong_interface_is_refused_naming_the_tensor() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "a_model_with_the_wrong_interface_is_refused_naming_the_tensor",
    ) else {
        return;
    };
    let library = cache.onnxruntime_library().unwrap();
    let detector_file = cache.model(ModelKind::FaceDetector).unwrap();
    let error = load(&library, &detector_file, ModelKind::FaceLandmarks).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ModelError::Interface { .. }), "{error:?}");
    assert!(
        message.contains("`input` f32 [1, 128, 128, 3]"),
        "{message}"
    );
    assert!(message.contains("[1, 192, 192, 3]"), "{message}");
    assert!(
        message.contains(&detector_file.display().to_string()),
        "{message}"
    );
}

#[test]
fn buffers_of_the_wrong_size_are_refused() {
    let Some(cache) = lensmith_testkit::cache_or_skip("buffers_of_the_wrong_size_are_refused")
    else {
        return;
    };
    let mut model = Model::load(&cache, ModelKind::FaceDetector, ModelOptions::default()).unwrap();
    let mut regressors = vec![0.0; 896 * 16];
    let mut scores = vec![0.0; 896];
    let short_input = vec![0.0; 100];
    let error = model
        .run(&short_input, &mut [&mut regressors, &mut scores])
        .unwrap_err();
    assert!(
        matches!(
            error,
            ModelError::BufferSize {
                expected: 49152,
                got: 100,
                ..
            }
        ),
        "{error:?}"
    );
    let input = vec![0.0; 128 * 128 * 3];
    let error = model.run(&input, &mut [&mut regressors]).unwrap_err();
    assert!(matches!(error, ModelError::BufferSize { .. }), "{error:?}");
    model
        .run(&input, &mut [&mut regressors, &mut scores])
        .unwrap();
}

#[test]
fn a_landmark_model_is_not_accepted_as_a_detector() {
    let Some(cache) =
        lensmith_testkit::cache_or_skip("a_landmark_model_is_not_accepted_as_a_detector")
    else {
        return;
    };
    let mesh = Model::load(&cache, ModelKind::FaceLandmarks, ModelOptions::default()).unwrap();
    let error = FaceDetector::new(mesh, DetectorSettings::default()).unwrap_err();
    assert!(matches!(error, ModelError::Interface { .. }), "{error:?}");
}
