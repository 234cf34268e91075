//! Loading an arbitrary ONNX model only to read its interface: what a bundle validator
//! needs to tell a designer that their model does not load, or does not take and give
//! the tensors their manifest says.

use std::path::Path;

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;

use super::ModelError;
use super::external_data::first_external_tensor;
use super::session::environment;

/// One input or output of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// Name in the graph.
    pub name: String,
    /// Element type, as ONNX Runtime names it (`Float32`, ...).
    pub element: String,
    /// Dimensions; -1 where the graph leaves one open.
    pub dims: Vec<i64>,
}

/// A model's inputs and outputs, in graph order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInterface {
    /// Inputs.
    pub inputs: Vec<TensorInfo>,
    /// Outputs.
    pub outputs: Vec<TensorInfo>,
}

/// Loads `bytes` as an ONNX model with the ONNX Runtime library at `library` and reads
/// its interface. `Err` holds ONNX Runtime's own words on why it would not load.
pub fn inspect_model(library: &Path, bytes: &[u8]) -> Result<ModelInterface, ModelError> {
    if let Some(tensor) = first_external_tensor(bytes) {
        return Err(ModelError::ExternalData { tensor });
    }
    let environment = environment(library)?;
    let session = Session::builder(&environment)
        .and_then(|builder| Ok(builder.with_optimization_level(GraphOptimizationLevel::Level1)?))
        .and_then(|builder| Ok(builder.with_intra_threads(1)?))
        .and_then(|mut builder| builder.commit_from_memory(bytes))
        .map_err(|error| ModelError::Inspect {
            message: error.to_string(),
        })?;
    let describe = |outlets: &[ort::value::Outlet]| -> Vec<TensorInfo> {
        outlets
            .iter()
            .map(|outlet| {
                let dtype = outlet.dtype();
                TensorInfo {
                    name: outlet.name().to_owned(),
                    element: dtype
                        .tensor_type()
                        .map_or_else(|| dtype.to_string(), |element| format!("{element:?}")),
                    dims: dtype
                        .tensor_shape()
                        .map(|shape| shape.iter().copied().collect())
                        .unwrap_or_default(),
                }
            })
            .collect()
    };
    Ok(ModelInterface {
        inputs: describe(session.inputs()),
        outputs: describe(session.outputs()),
    })
}
