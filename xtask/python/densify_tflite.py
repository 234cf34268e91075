"""Fold a TFLite model's DENSIFY ops into plain dense constants, for converters without them.

MediaPipe's full-range face detector (`face_detection_full_range_sparse.tflite`) keeps most
of its convolution weights as sparse FP16 constants that a DENSIFY op expands when the
model runs; tf2onnx has no DENSIFY. This script expands each such constant ahead of time,
checks every expanded tensor bit for bit against what TensorFlow Lite's own DENSIFY kernel
computes, and writes the same model with dense constants and no DENSIFY op.

Run by `cargo xtask setup` with the converter's Python (TensorFlow pinned in
xtask/converter-requirements.txt provides the flatbuffer schema and the interpreter):

    python xtask/python/densify_tflite.py IN.tflite OUT.tflite
"""

import sys

import numpy as np
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.python.interpreter import Interpreter, OpResolverType
from tensorflow.lite.tools import flatbuffer_utils

NUMPY_TYPES = {
    schema.TensorType.FLOAT32: np.float32,
    schema.TensorType.FLOAT16: np.float16,
    schema.TensorType.INT8: np.int8,
    schema.TensorType.UINT8: np.uint8,
    schema.TensorType.INT32: np.int32,
}


def expand(tensor, values: np.ndarray) -> np.ndarray:
    """The dense array a sparse tensor stands for (TFLite's sparse format, no block map)."""
    sparsity = tensor.sparsity
    shape = [int(side) for side in tensor.shape]
    order = [int(axis) for axis in sparsity.traversalOrder]
    if sparsity.blockMap is not None and len(sparsity.blockMap):
        sys.exit(f"{tensor.name!r}: block-sparse tensors are not supported")
    if sorted(order) != list(range(len(shape))):
        sys.exit(f"{tensor.name!r}: unexpected traversal order {order}")
    dense = np.zeros(shape, dtype=values.dtype)
    index = [0] * len(shape)
    levels = sparsity.dimMetadata

    def walk(level: int, position: int) -> None:
        metadata, axis = levels[level], order[level]
        last = level + 1 == len(levels)
        if metadata.format == schema.DimensionType.DENSE:
            if metadata.denseSize != shape[axis]:
                sys.exit(f"{tensor.name!r}: dense size {metadata.denseSize} != {shape[axis]}")
            entries = ((i, position * metadata.denseSize + i) for i in range(metadata.denseSize))
        else:
            segments = np.asarray(metadata.arraySegments.values, dtype=np.int64)
            indices = np.asarray(metadata.arrayIndices.values, dtype=np.int64)
            entries = (
                (int(indices[j]), j) for j in range(segments[position], segments[position + 1])
            )
        for coordinate, next_position in entries:
            index[axis] = coordinate
            if last:
                dense[tuple(index)] = values[next_position]
            else:
                walk(level + 1, next_position)

    walk(0, 0)
    return dense


def main(source: str, target: str) -> None:
    model = flatbuffer_utils.read_model(source)
    if len(model.subgraphs) != 1:
        sys.exit(f"{source}: expected one subgraph, found {len(model.subgraphs)}")
    graph = model.subgraphs[0]

    def is_densify(operator) -> bool:
        code = model.operatorCodes[operator.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        return builtin == schema.BuiltinOperator.DENSIFY

    densify = [operator for operator in graph.operators if is_densify(operator)]
    if not densify:
        sys.exit(f"{source}: no DENSIFY op to fold")

    # The reference: TensorFlow Lite's own kernels (the default delegate would take the
    # DENSIFY ops over and leave their outputs empty).
    interpreter = Interpreter(
        model_path=source,
        experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
    interpreter.invoke()

    for operator in densify:
        sparse, output = graph.tensors[operator.inputs[0]], graph.tensors[operator.outputs[0]]
        stored = bytes(bytearray(model.buffers[sparse.buffer].data))
        values = np.frombuffer(stored, dtype=NUMPY_TYPES[sparse.type])
        dense = expand(sparse, values)
        reference = interpreter.get_tensor(operator.outputs[0])
        if reference.shape != dense.shape or not np.array_equal(
            reference.view(np.uint8), dense.view(np.uint8)
        ):
            sys.exit(f"{source}: {output.name!r} expands differently from TFLite's DENSIFY")
        buffer = schema.BufferT()
        buffer.data = np.frombuffer(dense.astype(NUMPY_TYPES[output.type]).tobytes(), np.uint8)
        model.buffers.append(buffer)
        output.buffer = len(model.buffers) - 1
        sparse.buffer = 0
        sparse.sparsity = None
    graph.operators = [operator for operator in graph.operators if not is_densify(operator)]
    flatbuffer_utils.write_model(model, target)
    print(f"{source}: folded {len(densify)} DENSIFY ops into dense constants -> {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
