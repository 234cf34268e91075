//! Models written field by field as `onnx.proto` lays them out, and the shipped students.

use super::*;

/// A length-delimited protobuf field.
fn message(field: u32, body: &[u8]) -> Vec<u8> {
    let mut bytes = key(field, 2);
    bytes.extend(encode_varint(body.len() as u64));
    bytes.extend_from_slice(body);
    bytes
}

/// A varint protobuf field.
fn number(field: u32, value: u64) -> Vec<u8> {
    let mut bytes = key(field, 0);
    bytes.extend(encode_varint(value));
    bytes
}

fn key(field: u32, wire_type: u64) -> Vec<u8> {
    encode_varint((u64::from(field) << 3) | wire_type)
}

fn encode_varint(mut value: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return bytes;
        }
        bytes.push(byte | 0x80);
    }
}

/// A TensorProto named `name`, its values inside (raw_data, field 9) or in `weights.bin`.
fn tensor(name: &str, external: bool) -> Vec<u8> {
    let mut bytes = number(1, 4); // dims
    bytes.extend(number(2, 1)); // data_type FLOAT
    bytes.extend(message(TENSOR_NAME, name.as_bytes()));
    if external {
        let entry = [message(1, b"location"), message(2, b"weights.bin")].concat();
        bytes.extend(message(TENSOR_EXTERNAL_DATA, &entry));
        bytes.extend(number(TENSOR_DATA_LOCATION, DATA_LOCATION_EXTERNAL));
    } else {
        bytes.extend(message(9, &[0; 16]));
    }
    bytes
}

/// A ModelProto (ir_version 8, one opset) around `graph`.
fn model(graph: &[u8]) -> Vec<u8> {
    [
        number(1, 8),
        message(8, &[message(1, b""), number(2, 17)].concat()),
        message(MODEL_GRAPH, graph),
    ]
    .concat()
}

#[test]
fn a_model_with_its_weights_inside_has_no_external_tensor() {
    let graph = [
        message(GRAPH_INITIALIZER, &tensor("a", false)),
        message(GRAPH_INITIALIZER, &tensor("b", false)),
    ]
    .concat();
    assert_eq!(first_external_tensor(&model(&graph)), None);
}

#[test]
fn initializers_and_constants_stored_beside_the_model_are_found_by_name() {
    let graph = [
        message(GRAPH_INITIALIZER, &tensor("inside", false)),
        message(GRAPH_INITIALIZER, &tensor("conv.weight", true)),
    ]
    .concat();
    assert_eq!(
        first_external_tensor(&model(&graph)).as_deref(),
        Some("conv.weight")
    );
    // A Constant node's value (an attribute's tensor).
    let attribute = [
        message(1, b"value"),
        message(ATTRIBUTE_TENSOR, &tensor("constant", true)),
    ]
    .concat();
    let node = [message(4, b"Constant"), message(NODE_ATTRIBUTE, &attribute)].concat();
    let graph = message(GRAPH_NODE, &node);
    assert_eq!(
        first_external_tensor(&model(&graph)).as_deref(),
        Some("constant")
    );
    // Inside an If node's branch, and a sparse initializer's values.
    let branch = message(GRAPH_INITIALIZER, &tensor("in_branch", true));
    let attribute = [
        message(1, b"then_branch"),
        message(ATTRIBUTE_GRAPH, &branch),
    ]
    .concat();
    let graph = message(
        GRAPH_NODE,
        &[message(4, b"If"), message(NODE_ATTRIBUTE, &attribute)].concat(),
    );
    assert_eq!(
        first_external_tensor(&model(&graph)).as_deref(),
        Some("in_branch")
    );
    let sparse = [
        message(SPARSE_VALUES, &tensor("sparse", true)),
        message(SPARSE_INDICES, &tensor("indices", false)),
    ]
    .concat();
    let graph = message(GRAPH_SPARSE_INITIALIZER, &sparse);
    assert_eq!(
        first_external_tensor(&model(&graph)).as_deref(),
        Some("sparse")
    );
    // data_location alone says it too.
    let bare = [
        message(TENSOR_NAME, b"bare"),
        number(TENSOR_DATA_LOCATION, DATA_LOCATION_EXTERNAL),
    ]
    .concat();
    assert_eq!(
        first_external_tensor(&model(&message(GRAPH_INITIALIZER, &bare))).as_deref(),
        Some("bare")
    );
}

#[test]
fn bytes_that_are_not_a_model_are_left_to_onnx_runtime_without_a_panic() {
    let whole = model(&message(GRAPH_INITIALIZER, &tensor("w", true)));
    assert!(first_external_tensor(&whole).is_some());
    for len in 0..whole.len() {
        // A cut model may still parse up to a whole tensor, or fail: never panic.
        let _ = first_external_tensor(&whole[..len]);
    }
    assert_eq!(
        first_external_tensor(b"not a model at all \xff\xff\xff"),
        None
    );
    assert_eq!(first_external_tensor(&[0xff; 20]), None);
    // Subgraphs nested far deeper than any model: given up on, not followed to the end.
    let mut graph = message(GRAPH_INITIALIZER, &tensor("deep", true));
    for _ in 0..200 {
        let attribute = message(ATTRIBUTE_GRAPH, &graph);
        graph = message(GRAPH_NODE, &message(NODE_ATTRIBUTE, &attribute));
    }
    assert_eq!(first_external_tensor(&model(&graph)), None);
}

#[test]
fn the_shipped_students_hold_their_weights() {
    let effects = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../effects");
    for model in ["cartoon/models/cartoon.onnx", "zombie/models/zombie.onnx"] {
        let bytes = std::fs::read(effects.join(model)).unwrap();
        assert!(bytes.len() > 100_000, "{model}");
        assert_eq!(first_external_tensor(&bytes), None, "{model}");
    }
}
