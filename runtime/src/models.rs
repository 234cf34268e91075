//! The ONNX models the runtime runs: where they are cached, loading each once with
//! explicit thread settings, and checking their inputs and outputs against what the
//! pipeline expects before the first frame.

mod cache;
mod external_data;
mod image_model;
mod inspect;
mod session;
mod spec;

pub use cache::{AssetCache, AssetPaths, cache_dir};
pub use external_data::first_external_tensor;
pub use image_model::{ImageModel, ImageModelError, tensor_shape};
pub use inspect::{ModelInterface, TensorInfo, inspect_model};
pub use session::{Model, ModelOptions};
pub use spec::{ModelKind, ModelSpec, TensorSpec};

use std::path::PathBuf;

/// Why a model could not be found, loaded or run.
///
/// Every variant names the file involved and says what to do; the error is `Clone` so
/// that it can travel in GUI messages.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ModelError {
    /// Neither `LENSMITH_HOME` nor `HOME` says where the cache is.
    #[error(
        "cannot locate the asset cache: neither LENSMITH_HOME nor HOME is set; set LENSMITH_HOME to the folder `cargo xtask setup` filled"
    )]
    NoCacheLocation,
    /// A file the cache should hold is not there.
    #[error(
        "{what} not found at {path}: run `cargo xtask setup` (it fills {cache}; set LENSMITH_HOME to use another folder)"
    )]
    Missing {
        /// What the file is.
        what: String,
        /// Where it was looked for.
        path: PathBuf,
        /// The cache folder in use.
        cache: PathBuf,
    },
    /// A file the app named is not there (or is not a file).
    #[error("{what}: {path} is not a file; check the path the app gives for it")]
    NotAFile {
        /// What the file is.
        what: String,
        /// The path given.
        path: PathBuf,
    },
    /// The ONNX Runtime shared library would not load.
    #[error(
        "cannot load ONNX Runtime from {path}: {message}. Run `cargo xtask setup` to restore it"
    )]
    Runtime {
        /// The library file.
        path: PathBuf,
        /// What ONNX Runtime or the loader said.
        message: String,
    },
    /// ONNX Runtime refused the model file (corrupt, truncated or not ONNX).
    #[error(
        "cannot load the {model} model from {path}: {message}. The file may be corrupt: run `cargo xtask setup` to verify and restore it"
    )]
    Load {
        /// Which model.
        model: ModelKind,
        /// The model file.
        path: PathBuf,
        /// What ONNX Runtime said.
        message: String,
    },
    /// The model loaded but its inputs or outputs are not the ones the pipeline needs.
    #[error(
        "the {model} model at {path} does not have the expected interface: {detail}. Use the model `cargo xtask setup` provides"
    )]
    Interface {
        /// Which model.
        model: ModelKind,
        /// The model file.
        path: PathBuf,
        /// Which tensor differs, and how.
        detail: String,
    },
    /// The model keeps weights in another file, which a model given as bytes would read
    /// from the working directory (see [`external_data`]).
    #[error(
        "its weights (tensor \"{tensor}\") are stored in a separate file beside it, which a \
         bundle's model cannot use"
    )]
    ExternalData {
        /// The first such tensor's name.
        tensor: String,
    },
    /// ONNX Runtime would not load a model given to it for inspection.
    #[error("ONNX Runtime cannot load this model: {message}")]
    Inspect {
        /// What ONNX Runtime said.
        message: String,
    },
    /// The caller passed buffers of the wrong size.
    #[error("the {model} model needs {expected} values for {tensor}, got {got}")]
    BufferSize {
        /// Which model.
        model: ModelKind,
        /// Input or output name.
        tensor: &'static str,
        /// Values needed.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// ONNX Runtime failed while running the model.
    #[error("running the {model} model failed: {message}")]
    Inference {
        /// Which model.
        model: ModelKind,
        /// What ONNX Runtime said.
        message: String,
    },
}
