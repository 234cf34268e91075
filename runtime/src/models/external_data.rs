//! Finding weights an ONNX model keeps outside itself. ONNX can store a tensor's values in
//! another file beside the model (`save_as_external_data`), named relative to the model's
//! folder; a model handed to ONNX Runtime as bytes has no folder, so ONNX Runtime reads
//! that file from the process's working directory. A bundle's model must be whole: its
//! bytes are what the signature covers, and a player must never read a file that happens
//! to lie where the host app was started. So such a model is refused before ONNX Runtime
//! sees it.
//!
//! This reads only the protobuf structure that can hold tensors (the graph's initializers,
//! nodes' tensor and graph attributes, subgraphs, functions), bounds-checked throughout.
//! Bytes that are not a well-formed model give `None`: ONNX Runtime then says what is
//! wrong with them.

/// `ModelProto.graph`, `ModelProto.functions`.
const MODEL_GRAPH: u32 = 7;
const MODEL_FUNCTIONS: u32 = 25;
/// `GraphProto.node`, `.initializer`, `.sparse_initializer`.
const GRAPH_NODE: u32 = 1;
const GRAPH_INITIALIZER: u32 = 5;
const GRAPH_SPARSE_INITIALIZER: u32 = 15;
/// `FunctionProto.node`.
const FUNCTION_NODE: u32 = 7;
/// `NodeProto.attribute`.
const NODE_ATTRIBUTE: u32 = 5;
/// `AttributeProto.t`, `.g`, `.tensors`, `.graphs`, `.sparse_tensor`, `.sparse_tensors`.
const ATTRIBUTE_TENSOR: u32 = 5;
const ATTRIBUTE_GRAPH: u32 = 6;
const ATTRIBUTE_TENSORS: u32 = 10;
const ATTRIBUTE_GRAPHS: u32 = 11;
const ATTRIBUTE_SPARSE_TENSOR: u32 = 22;
const ATTRIBUTE_SPARSE_TENSORS: u32 = 23;
/// `SparseTensorProto.values`, `.indices`.
const SPARSE_VALUES: u32 = 1;
const SPARSE_INDICES: u32 = 2;
/// `TensorProto.name`, `.external_data`, `.data_location` (`EXTERNAL` is 1).
const TENSOR_NAME: u32 = 8;
const TENSOR_EXTERNAL_DATA: u32 = 13;
const TENSOR_DATA_LOCATION: u32 = 14;
const DATA_LOCATION_EXTERNAL: u64 = 1;

/// Subgraphs nest (an `If` inside a `Loop`...); real models go a few levels deep. Deeper
/// bytes are left to ONNX Runtime rather than followed without end.
const MAX_DEPTH: usize = 32;

/// The name of the first tensor of the ONNX model `bytes` whose values are stored in
/// another file (`""` for an unnamed one), or `None` when every tensor is inside the model
/// or the bytes are not a well-formed model.
pub fn first_external_tensor(bytes: &[u8]) -> Option<String> {
    walk(bytes, Message::Model, 0).ok().flatten()
}

/// The protobuf messages on the way to a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Message {
    Model,
    Graph,
    Function,
    Node,
    Attribute,
    SparseTensor,
    Tensor,
}

impl Message {
    /// The message a length-delimited field `field` of this message holds, when it is one
    /// on the way to a tensor.
    fn child(self, field: u32) -> Option<Message> {
        use Message::*;
        match (self, field) {
            (Model, MODEL_GRAPH) => Some(Graph),
            (Model, MODEL_FUNCTIONS) => Some(Function),
            (Graph, GRAPH_NODE) => Some(Node),
            (Graph, GRAPH_INITIALIZER) => Some(Tensor),
            (Graph, GRAPH_SPARSE_INITIALIZER) => Some(SparseTensor),
            (Function, FUNCTION_NODE) => Some(Node),
            (Node, NODE_ATTRIBUTE) => Some(Attribute),
            (Attribute, ATTRIBUTE_TENSOR | ATTRIBUTE_TENSORS) => Some(Tensor),
            (Attribute, ATTRIBUTE_GRAPH | ATTRIBUTE_GRAPHS) => Some(Graph),
            (Attribute, ATTRIBUTE_SPARSE_TENSOR | ATTRIBUTE_SPARSE_TENSORS) => Some(SparseTensor),
            (SparseTensor, SPARSE_VALUES | SPARSE_INDICES) => Some(Tensor),
            _ => None,
        }
    }
}

/// Malformed protobuf (or nesting past [`MAX_DEPTH`]).
struct Malformed;

/// Walks the message `kind` in `bytes`: `Ok(Some(name))` at the first external tensor.
fn walk(bytes: &[u8], kind: Message, depth: usize) -> Result<Option<String>, Malformed> {
    if depth > MAX_DEPTH {
        return Err(Malformed);
    }
    let mut at = 0;
    let (mut name, mut external) = (String::new(), false);
    while at < bytes.len() {
        let key = varint(bytes, &mut at)?;
        let field = u32::try_from(key >> 3).map_err(|_| Malformed)?;
        match key & 7 {
            0 => {
                let value = varint(bytes, &mut at)?;
                external |= kind == Message::Tensor
                    && field == TENSOR_DATA_LOCATION
                    && value == DATA_LOCATION_EXTERNAL;
            }
            1 => at = skip(bytes, at, 8)?,
            5 => at = skip(bytes, at, 4)?,
            2 => {
                let length = usize::try_from(varint(bytes, &mut at)?).map_err(|_| Malformed)?;
                let end = skip(bytes, at, length)?;
                let body = &bytes[at..end];
                at = end;
                if kind == Message::Tensor {
                    match field {
                        TENSOR_NAME => name = String::from_utf8_lossy(body).into_owned(),
                        // Entries (location, offset...) are there only for external data.
                        TENSOR_EXTERNAL_DATA => external = true,
                        _ => {}
                    }
                } else if let Some(child) = kind.child(field)
                    && let Some(found) = walk(body, child, depth + 1)?
                {
                    return Ok(Some(found));
                }
            }
            // Groups (3, 4) are not used by ONNX; anything else is not protobuf.
            _ => return Err(Malformed),
        }
    }
    Ok(external.then_some(name))
}

/// Reads a base-128 varint at `*at`, moving `*at` past it.
fn varint(bytes: &[u8], at: &mut usize) -> Result<u64, Malformed> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or(Malformed)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(Malformed)
}

/// `at + length`, when that is within `bytes`.
fn skip(bytes: &[u8], at: usize, length: usize) -> Result<usize, Malformed> {
    at.checked_add(length)
        .filter(|&end| end <= bytes.len())
        .ok_or(Malformed)
}

#[cfg(test)]
mod tests;
