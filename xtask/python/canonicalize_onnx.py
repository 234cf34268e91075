"""Make a tf2onnx conversion byte-for-byte reproducible.

tf2onnx names the tensors it creates while folding constants in an order that
changes from run to run, so two conversions of the same model differ only in
names. This renumbers every internal tensor in order of first use in the graph,
names each node after its position and operator, and sorts the initializers, so
that the sha256 of the result can be pinned in xtask/assets.lock.

usage: canonicalize_onnx.py IN.onnx OUT.onnx
"""

import os
import sys

import onnx


def canonicalize(model: onnx.ModelProto) -> None:
    graph = model.graph
    # tf2onnx records the input path as given; keep only the file name.
    prefix = "converted from "
    if graph.doc_string.startswith(prefix):
        graph.doc_string = prefix + os.path.basename(graph.doc_string[len(prefix):])
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                raise SystemExit(f"node {node.name!r} holds a subgraph; canonicalize_onnx.py does not rename inside subgraphs")

    interface = {value.name for value in graph.input} | {value.name for value in graph.output}
    new_names: dict[str, str] = {}

    def rename(name: str) -> str:
        if name == "" or name in interface:
            return name
        if name not in new_names:
            new_names[name] = f"t{len(new_names)}"
        return new_names[name]

    for index, node in enumerate(graph.node):
        node.input[:] = [rename(name) for name in node.input]
        node.output[:] = [rename(name) for name in node.output]
        node.name = f"n{index}_{node.op_type}"
    for initializer in graph.initializer:
        initializer.name = rename(initializer.name)
    for value in graph.value_info:
        value.name = rename(value.name)

    def initializer_order(tensor: onnx.TensorProto) -> tuple[int, str]:
        digits = tensor.name[1:]
        return (int(digits), "") if tensor.name.startswith("t") and digits.isdigit() else (-1, tensor.name)

    initializers = sorted(graph.initializer, key=initializer_order)
    del graph.initializer[:]
    graph.initializer.extend(initializers)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    model = onnx.load(sys.argv[1])
    canonicalize(model)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])


if __name__ == "__main__":
    main()
