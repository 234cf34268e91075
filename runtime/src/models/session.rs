//! Loading a model into an ONNX Runtime session and running it on caller-owned buffers.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::{TensorElementType, TensorRef, ValueType};

use super::spec::TensorSpec;
use super::{AssetCache, ModelError, ModelKind};

/// A session for `bytes` as every model of a frame runs: all graph optimisations,
/// `options.intra_threads` intra-op threads and one inter-op thread.
pub(super) fn real_time_session(
    environment: &Environment,
    bytes: &[u8],
    options: ModelOptions,
) -> ort::Result<Session> {
    Session::builder(environment)
        .and_then(|builder| Ok(builder.with_optimization_level(GraphOptimizationLevel::All)?))
        .and_then(|builder| Ok(builder.with_intra_threads(options.intra_threads.max(1))?))
        .and_then(|builder| Ok(builder.with_inter_threads(1)?))
        // Idle worker threads sleep instead of spinning: a frame runs several models one
        // after another, and a finished model's spinning threads took the cores from the
        // next one (a 256x256 student ran 3x slower after the face models than alone).
        .and_then(|builder| Ok(builder.with_intra_op_spinning(false)?))
        .and_then(|mut builder| builder.commit_from_memory(bytes))
}

/// How a model's session runs. The defaults suit a real-time pipeline on a phone-class
/// CPU: one intra-op thread per model, so that models of different stages do not fight
/// over cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOptions {
    /// Threads ONNX Runtime may use inside one operator.
    pub intra_threads: usize,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self { intra_threads: 1 }
    }
}

/// A loaded model whose interface matched its [`ModelKind`]'s spec.
pub struct Model {
    kind: ModelKind,
    path: PathBuf,
    session: Session,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("kind", &self.kind)
            .field("path", &self.path)
            .finish()
    }
}

/// The process's ONNX Runtime environment. The library can be loaded only once per
/// process, so the first cache to load it wins; a failed load is not remembered.
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

pub(super) fn environment(library: &Path) -> Result<Environment, ModelError> {
    let mut slot = ENVIRONMENT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(environment) = slot.as_ref() {
        return Ok(environment.clone());
    }
    let runtime_error = |message: String| ModelError::Runtime {
        path: library.to_owned(),
        message,
    };
    let environment = ort::init_from(library)
        .map_err(|error| runtime_error(error.to_string()))?
        .with_name("lensmith")
        .build()
        .map_err(|error| runtime_error(error.to_string()))?;
    *slot = Some(environment.clone());
    Ok(environment)
}

impl Model {
    /// Loads `kind` from `cache` and checks its interface.
    pub fn load(
        cache: &AssetCache,
        kind: ModelKind,
        options: ModelOptions,
    ) -> Result<Self, ModelError> {
        let library = cache.onnxruntime_library()?;
        let path = cache.model(kind)?;
        Self::load_file(&library, &path, kind, options)
    }

    /// Loads the model file at `path` as `kind` using the ONNX Runtime library at `library`.
    pub fn load_file(
        library: &Path,
        path: &Path,
        kind: ModelKind,
        options: ModelOptions,
    ) -> Result<Self, ModelError> {
        let environment = environment(library)?;
        let load_error = |message: String| ModelError::Load {
            model: kind,
            path: path.to_owned(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|error| load_error(error.to_string()))?;
        let session = real_time_session(&environment, &bytes, options)
            .map_err(|error| load_error(error.to_string()))?;
        let model = Self {
            kind,
            path: path.to_owned(),
            session,
        };
        model.check_interface()?;
        Ok(model)
    }

    /// Which model this is.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fails unless this is the `expected` model, for stages that accept only one kind.
    pub fn expect_kind(&self, expected: ModelKind) -> Result<(), ModelError> {
        if self.kind == expected {
            return Ok(());
        }
        Err(ModelError::Interface {
            model: self.kind,
            path: self.path.clone(),
            detail: format!("the {expected} model was expected here"),
        })
    }

    fn check_interface(&self) -> Result<(), ModelError> {
        let spec = self.kind.spec();
        let interface_error = |detail: String| ModelError::Interface {
            model: self.kind,
            path: self.path.clone(),
            detail,
        };
        let sides = [
            ("input", spec.inputs, self.session.inputs()),
            ("output", spec.outputs, self.session.outputs()),
        ];
        for (side, expected, actual) in sides {
            if expected.len() != actual.len() {
                let names: Vec<_> = actual.iter().map(|outlet| outlet.name()).collect();
                return Err(interface_error(format!(
                    "it has {} {side}s ({}), expected {}",
                    actual.len(),
                    names.join(", "),
                    expected.len()
                )));
            }
            for (index, (want, outlet)) in expected.iter().zip(actual).enumerate() {
                if let Some(problem) = tensor_mismatch(want, outlet.name(), outlet.dtype()) {
                    return Err(interface_error(format!("{side} {index}: {problem}")));
                }
            }
        }
        Ok(())
    }

    /// Runs the model on `input` (laid out as the spec's only input) and copies each output,
    /// in spec order, into `outputs`. Nothing is allocated on the caller's side.
    pub fn run(&mut self, input: &[f32], outputs: &mut [&mut [f32]]) -> Result<(), ModelError> {
        let spec = self.kind.spec();
        let input_spec = &spec.inputs[0];
        self.check_len(input_spec, input.len())?;
        if outputs.len() != spec.outputs.len() {
            return Err(ModelError::BufferSize {
                model: self.kind,
                tensor: "the outputs",
                expected: spec.outputs.len(),
                got: outputs.len(),
            });
        }
        for (output_spec, buffer) in spec.outputs.iter().zip(outputs.iter()) {
            self.check_len(output_spec, buffer.len())?;
        }
        let kind = self.kind;
        let inference_error = |error: ort::Error| ModelError::Inference {
            model: kind,
            message: error.to_string(),
        };
        let tensor =
            TensorRef::from_array_view((input_spec.shape, input)).map_err(inference_error)?;
        let results = self
            .session
            .run(ort::inputs![input_spec.name => tensor])
            .map_err(inference_error)?;
        for (output_spec, buffer) in spec.outputs.iter().zip(outputs.iter_mut()) {
            let (_, values) = results[output_spec.name]
                .try_extract_tensor::<f32>()
                .map_err(inference_error)?;
            if values.len() != buffer.len() {
                return Err(ModelError::Inference {
                    model: kind,
                    message: format!(
                        "output `{}` has {} values, expected {}",
                        output_spec.name,
                        values.len(),
                        buffer.len()
                    ),
                });
            }
            buffer.copy_from_slice(values);
        }
        Ok(())
    }

    fn check_len(&self, spec: &TensorSpec, got: usize) -> Result<(), ModelError> {
        if spec.len() == got {
            Ok(())
        } else {
            Err(ModelError::BufferSize {
                model: self.kind,
                tensor: spec.name,
                expected: spec.len(),
                got,
            })
        }
    }
}

/// Describes how a graph tensor differs from the spec, or `None` when it matches.
/// A dynamic dimension (-1) in the graph is accepted for any expected size.
fn tensor_mismatch(want: &TensorSpec, name: &str, dtype: &ValueType) -> Option<String> {
    let (Some(element), Some(shape)) = (dtype.tensor_type(), dtype.tensor_shape()) else {
        return Some(format!("found `{name}` {dtype}, expected a tensor {want}"));
    };
    let dims: Vec<i64> = shape.iter().copied().collect();
    let element_name = match element {
        TensorElementType::Float32 => "f32".to_owned(),
        other => format!("{other:?}"),
    };
    let shape_matches = dims.len() == want.shape.len()
        && dims
            .iter()
            .zip(want.shape)
            .all(|(&have, &need)| have == need || have == -1);
    if name != want.name || element != TensorElementType::Float32 || !shape_matches {
        return Some(format!(
            "found `{name}` {element_name} {dims:?}, expected {want}"
        ));
    }
    None
}
