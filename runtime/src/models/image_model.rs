//! An effect's own image-to-image model (a distilled student): one f32 image in, one f32
//! image out, loaded from a bundle's bytes into a session that is built once and run
//! every frame on caller-owned buffers.

use std::path::Path;

use ort::session::Session;
use ort::value::{TensorElementType, TensorRef};

use super::external_data::first_external_tensor;
use super::session::{environment, real_time_session};
use super::{ModelError, ModelOptions};

/// Why an effect's model could not be loaded or run. Each message names the model's path
/// inside the bundle.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImageModelError {
    /// ONNX Runtime (the library or the model) would not load.
    #[error("model {name:?}: ONNX Runtime cannot load it: {message}")]
    Load {
        /// The model's path in its bundle.
        name: String,
        /// What ONNX Runtime said.
        message: String,
    },
    /// The model does not take or give what its layer declares.
    #[error("model {name:?}: {detail}; make the layer's crop_size and layouts match the model")]
    Interface {
        /// The model's path in its bundle.
        name: String,
        /// What differs.
        detail: String,
    },
    /// Running it failed.
    #[error("model {name:?}: running it failed: {message}")]
    Inference {
        /// The model's path in its bundle.
        name: String,
        /// What ONNX Runtime said.
        message: String,
    },
}

/// The tensor shape a `face_model` layer declares for its crop size and layout: the
/// shape the player feeds its model and validation checks the model against.
pub fn tensor_shape(side: u32, layout: effect_api::manifest::TensorLayout) -> [i64; 4] {
    let side = i64::from(side);
    match layout {
        effect_api::manifest::TensorLayout::Nchw => [1, 3, side, side],
        effect_api::manifest::TensorLayout::Nhwc => [1, side, side, 3],
    }
}

/// A loaded image-to-image model with a fixed input and output shape.
pub struct ImageModel {
    name: String,
    session: Session,
    input_name: String,
    output_name: String,
    input_shape: [i64; 4],
    output_len: usize,
}

impl std::fmt::Debug for ImageModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageModel")
            .field("name", &self.name)
            .field("input_shape", &self.input_shape)
            .finish_non_exhaustive()
    }
}

impl ImageModel {
    /// Loads `bytes` (the model called `name` in its bundle) with the ONNX Runtime library
    /// at `library`, and checks that it has one f32 input of `input_shape` and one f32
    /// output of `output_shape` (a graph's open dimensions accept any size).
    pub fn load(
        library: &Path,
        name: &str,
        bytes: &[u8],
        input_shape: [i64; 4],
        output_shape: [i64; 4],
        options: ModelOptions,
    ) -> Result<Self, ImageModelError> {
        let load_error = |message: String| ImageModelError::Load {
            name: name.to_owned(),
            message,
        };
        if let Some(tensor) = first_external_tensor(bytes) {
            return Err(load_error(ModelError::ExternalData { tensor }.to_string()));
        }
        let environment = environment(library).map_err(|error| load_error(error.to_string()))?;
        let session = real_time_session(&environment, bytes, options)
            .map_err(|error| load_error(error.to_string()))?;
        let interface_error = |detail: String| ImageModelError::Interface {
            name: name.to_owned(),
            detail,
        };
        let (inputs, outputs) = (session.inputs(), session.outputs());
        if inputs.len() != 1 || outputs.len() != 1 {
            return Err(interface_error(format!(
                "it has {} inputs and {} outputs, expected one image in and one out",
                inputs.len(),
                outputs.len()
            )));
        }
        for (side, outlet, expected) in [
            ("input", &inputs[0], input_shape),
            ("output", &outputs[0], output_shape),
        ] {
            let dtype = outlet.dtype();
            let dims: Vec<i64> = dtype
                .tensor_shape()
                .map(|shape| shape.iter().copied().collect())
                .unwrap_or_default();
            let fits = dims.len() == 4
                && dims
                    .iter()
                    .zip(expected)
                    .all(|(&have, need)| have == need || have < 0);
            if dtype.tensor_type() != Some(TensorElementType::Float32) || !fits {
                return Err(interface_error(format!(
                    "its {side} `{}` is {dtype}, but the layer declares f32 {expected:?}",
                    outlet.name()
                )));
            }
        }
        Ok(Self {
            name: name.to_owned(),
            input_name: inputs[0].name().to_owned(),
            output_name: outputs[0].name().to_owned(),
            session,
            input_shape,
            output_len: output_shape.iter().product::<i64>() as usize,
        })
    }

    /// The model's path in its bundle.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the model on `input` (laid out as the declared input shape) and copies its
    /// result into `output`.
    pub fn run(&mut self, input: &[f32], output: &mut [f32]) -> Result<(), ImageModelError> {
        let inference_error = |message: String| ImageModelError::Inference {
            name: self.name.clone(),
            message,
        };
        let input_len = self.input_shape.iter().product::<i64>() as usize;
        if input.len() != input_len || output.len() != self.output_len {
            return Err(inference_error(format!(
                "buffers of {} and {} values given for {input_len} in and {} out",
                input.len(),
                output.len(),
                self.output_len
            )));
        }
        let tensor = TensorRef::from_array_view((self.input_shape, input))
            .map_err(|error| inference_error(error.to_string()))?;
        let results = self
            .session
            .run(ort::inputs![self.input_name.as_str() => tensor])
            .map_err(|error| inference_error(error.to_string()))?;
        let (_, values) = results[self.output_name.as_str()]
            .try_extract_tensor::<f32>()
            .map_err(|error| inference_error(error.to_string()))?;
        if values.len() != output.len() {
            return Err(inference_error(format!(
                "it gave {} values, expected {}",
                values.len(),
                output.len()
            )));
        }
        output.copy_from_slice(values);
        Ok(())
    }
}
