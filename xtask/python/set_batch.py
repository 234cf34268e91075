"""Rewrite a one-image ONNX model to take a fixed batch of N images in one run.

MediaPipe's models are converted with a batch of 1 fixed in their inputs,
outputs and the target shapes of their Reshapes. Some are always run several
times per frame: the iris model once per eye. One run on both eyes gives ONNX
Runtime's threads twice the work per convolution to share, instead of two
small runs whose threads mostly wait on each other: with two threads the eyes
take about 0.83 times as long (0.95 times with one).

The rewrite sets the first dimension of every input and output to N and, for
every Reshape whose target shape is a constant starting with 1, that 1 to N.
It then checks itself: ONNX's shape inference must give every output a batch
of N, and ONNX's reference evaluator must give, for N different random inputs
run as one batch, the outputs of the original model run on each alone (to
float rounding).

    python set_batch.py IN.onnx OUT.onnx N
"""

import sys

import numpy as np
import onnx
from onnx import numpy_helper
from onnx.reference import ReferenceEvaluator


def set_batch(model: onnx.ModelProto, batch: int) -> onnx.ModelProto:
    batched = onnx.ModelProto()
    batched.CopyFrom(model)
    graph = batched.graph
    for value in list(graph.input) + list(graph.output):
        first = value.type.tensor_type.shape.dim[0]
        if first.dim_value != 1:
            raise SystemExit(f"`{value.name}` has batch {first.dim_value or first.dim_param}, not 1")
        first.dim_value = batch
    del graph.value_info[:]  # inferred again below, with the new batch
    constants = {tensor.name: tensor for tensor in graph.initializer}
    for node in graph.node:
        if node.op_type != "Reshape" or node.input[1] not in constants:
            continue
        target = numpy_helper.to_array(constants[node.input[1]]).copy()
        if target.size and target[0] == 1:
            target[0] = batch
            constants[node.input[1]].CopyFrom(numpy_helper.from_array(target, node.input[1]))
    return batched


def check_shapes(model: onnx.ModelProto, batch: int) -> None:
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    for output in inferred.graph.output:
        first = output.type.tensor_type.shape.dim[0].dim_value
        if first != batch:
            raise SystemExit(f"output `{output.name}` has batch {first} after the rewrite, not {batch}")


def check_outputs(original: onnx.ModelProto, batched: onnx.ModelProto, batch: int) -> None:
    """The batched model on N inputs gives what the original gives on each alone."""
    single = ReferenceEvaluator(original)
    together = ReferenceEvaluator(batched)
    inputs = {}
    for value in original.graph.input:
        shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
        rng = np.random.default_rng(len(value.name))
        inputs[value.name] = [rng.random(shape, dtype=np.float32) for _ in range(batch)]
    alone = [single.run(None, {name: images[i] for name, images in inputs.items()})
             for i in range(batch)]
    joint = together.run(None, {name: np.concatenate(images) for name, images in inputs.items()})
    for index, output in enumerate(original.graph.output):
        expected = np.concatenate([results[index] for results in alone])
        difference = float(np.abs(joint[index] - expected).max())
        # The evaluator sums a batch in another order: a few float32 steps of outputs that
        # reach 64 (pixels of the iris model's crop) are 1e-5; a wrong rewrite is whole units.
        if difference > 1e-4:
            raise SystemExit(f"output `{output.name}` differs by {difference} in a batch of {batch}")


def main() -> None:
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    batch = int(sys.argv[3])
    if batch < 2:
        raise SystemExit(f"batch {batch}: give 2 or more")
    original = onnx.load(sys.argv[1])
    batched = set_batch(original, batch)
    onnx.checker.check_model(batched)
    check_shapes(batched, batch)
    check_outputs(original, batched, batch)
    onnx.save(batched, sys.argv[2])
    print(f"set_batch: batch {batch}, outputs checked against the one-image model")


if __name__ == "__main__":
    main()
