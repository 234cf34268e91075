"""Rewrite every PRelu with a constant slope into Relu, Mul and Add, in place.

ONNX Runtime's CPU PRelu broadcasts its per-channel slope element by element
and cannot run in the blocked (NCHWc) layout its convolutions use, so each of
the 23 PRelus in MediaPipe's face mesh costs a slow pass plus two layout
reorders: together about 60% of the model's time. The same function written as

    PRelu(x, s) = s * x + (1 - s) * Relu(x)

(for x > 0: s*x + (1-s)*x = x; for x <= 0: s*x) uses only operators ONNX
Runtime runs at memory speed, and makes the whole model about 2.5 times faster
on one thread. The result differs from the original by float rounding only
(about 3e-5 on the mesh's 0..192 pixel outputs).

usage: expand_prelu.py IN.onnx OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def expand_prelu(model: onnx.ModelProto) -> int:
    """Replace constant-slope PRelu nodes; returns how many were replaced."""
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    nodes = []
    replaced = 0
    for node in graph.node:
        slope_tensor = initializers.get(node.input[1]) if node.op_type == "PRelu" else None
        if slope_tensor is None:
            nodes.append(node)
            continue
        slope = numpy_helper.to_array(slope_tensor).astype(np.float32)
        x, y = node.input[0], node.output[0]
        base = f"{node.name or 'prelu'}_{replaced}"
        graph.initializer.extend(
            [
                numpy_helper.from_array(slope, f"{base}_slope"),
                numpy_helper.from_array((1.0 - slope).astype(np.float32), f"{base}_keep"),
            ]
        )
        nodes += [
            helper.make_node("Relu", [x], [f"{base}_relu"]),
            helper.make_node("Mul", [f"{base}_relu", f"{base}_keep"], [f"{base}_positive"]),
            helper.make_node("Mul", [x, f"{base}_slope"], [f"{base}_linear"]),
            helper.make_node("Add", [f"{base}_positive", f"{base}_linear"], [y]),
        ]
        replaced += 1
    del graph.node[:]
    graph.node.extend(nodes)
    # Drop the slopes no node reads any more.
    used = {name for node in graph.node for name in node.input}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return replaced


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    model = onnx.load(sys.argv[1])
    replaced = expand_prelu(model)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])
    print(f"expand_prelu: {replaced} PRelu node(s) rewritten")


if __name__ == "__main__":
    main()
