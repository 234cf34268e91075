"""Rewriting an exported student so that ONNX Runtime's fast CPU kernels take every layer.

On x86 CPUs ONNX Runtime runs convolutions in a blocked layout (NCHWc: channels in blocks
of 8, or 16 with AVX-512), but only where a layer's channel count is a whole number of
blocks. The student's full-size stage joins the upsampled features with the 3-channel
input image before a depthwise-separable block (``Concat -> depthwise Conv -> ReLU6 -> 1x1
Conv``), so that block has ``8k + 3`` channels: ONNX Runtime falls back to its plain NCHW
kernels there, converts the features out of the blocked layout to join them, and the
block's two convolutions at 256x256 took about 40 % of the model's time.

The rewrite splits such a block by the joined inputs. A depthwise convolution works on
each channel alone, so it splits exactly; the 1x1 convolution over the joined channels is
the sum of 1x1 convolutions over each input's channels:

    pointwise(act(depthwise(concat(a, b)))) == pointwise_a(act(depthwise_a(a)))
                                             + pointwise_b(act(depthwise_b(b)))

The sum feeds whatever followed the 1x1 convolution. The function is the same; only the
order of a few float additions changes (outputs differ by about 1e-7), while the wide
branch stays in the blocked layout from the upsampling onwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

# ONNX Runtime's blocked layout takes channel counts that are multiples of this (8 with
# AVX2; AVX-512's 16 divides every count the student's widths give too).
CHANNEL_BLOCK = 8
# Element-wise activations that keep each channel to itself, so they split with it.
CHANNEL_WISE_ACTIVATIONS = ("Clip", "Relu")


@dataclass(frozen=True)
class JoinedBlock:
    """One ``Concat -> depthwise Conv -> activation -> 1x1 Conv`` chain to split."""

    concat: onnx.NodeProto
    depthwise: onnx.NodeProto
    activation: onnx.NodeProto
    pointwise: onnx.NodeProto
    input_channels: tuple[int, ...]


def split_joined_blocks(model: onnx.ModelProto) -> int:
    """Splits, in place, every joined depthwise-separable block whose channel count is not a
    whole number of blocks; returns how many it split. Blocks it cannot prove safe to split
    (an input of unknown channel count, an intermediate result used elsewhere) are left."""
    blocks = find_joined_blocks(model)
    for block in blocks:
        split_block(model.graph, block)
    if blocks:
        drop_unused_initializers(model.graph)
        onnx.checker.check_model(model)
    return len(blocks)


def find_joined_blocks(model: onnx.ModelProto) -> list[JoinedBlock]:
    """The chains :func:`split_joined_blocks` would split."""
    graph = model.graph
    channels = channel_counts(model)
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    graph_outputs = {output.name for output in graph.output}

    def only_consumer(node: onnx.NodeProto) -> onnx.NodeProto | None:
        (output,) = node.output[:1] or [""]
        users = consumers.get(output, [])
        if len(node.output) != 1 or output in graph_outputs or len(users) != 1:
            return None
        return users[0]

    blocks = []
    for concat in graph.node:
        if concat.op_type != "Concat" or attribute(concat, "axis") != 1:
            continue
        depthwise = only_consumer(concat)
        if depthwise is None or not is_depthwise(depthwise, initializers):
            continue
        activation = only_consumer(depthwise)
        if activation is None or activation.op_type not in CHANNEL_WISE_ACTIVATIONS:
            continue
        if activation.input[0] != depthwise.output[0]:
            continue
        pointwise = only_consumer(activation)
        if pointwise is None or not is_pointwise(pointwise, initializers):
            continue
        parts = tuple(channels.get(name) for name in concat.input)
        total = initializers[depthwise.input[1]].dims[0]
        if None in parts or sum(parts) != total or total % CHANNEL_BLOCK == 0 or len(parts) < 2:
            continue
        blocks.append(JoinedBlock(concat, depthwise, activation, pointwise, parts))
    return blocks


def split_block(graph: onnx.GraphProto, block: JoinedBlock) -> None:
    """Replaces `block`'s four nodes by one branch per joined input and their sum, which
    takes the 1x1 convolution's output name."""
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    depthwise_weight = numpy_helper.to_array(initializers[block.depthwise.input[1]])
    depthwise_bias = optional_array(initializers, block.depthwise, 2)
    pointwise_weight = numpy_helper.to_array(initializers[block.pointwise.input[1]])
    pointwise_bias = optional_array(initializers, block.pointwise, 2)
    prefix = block.pointwise.name or block.pointwise.output[0]
    new_nodes: list[onnx.NodeProto] = []
    branch_outputs = []
    start = 0
    for index, (source, count) in enumerate(zip(block.concat.input, block.input_channels)):
        part = slice(start, start + count)
        start += count
        name = f"{prefix}/joined_input_{index}"
        tensors = {
            "depthwise_weight": depthwise_weight[part],
            "depthwise_bias": None if depthwise_bias is None else depthwise_bias[part],
            "pointwise_weight": pointwise_weight[:, part],
            # The bias is added once, in the first branch.
            "pointwise_bias": pointwise_bias if index == 0 else None,
        }
        for key, value in tensors.items():
            if value is not None:
                graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(value), f"{name}/{key}"))

        def inputs(data: str, kind: str) -> list[str]:
            bias = f"{name}/{kind}_bias" if tensors[f"{kind}_bias"] is not None else ""
            return [data, f"{name}/{kind}_weight"] + ([bias] if bias else [])

        depthwise = copy_node(block.depthwise, f"{name}/depthwise", inputs(source, "depthwise"))
        set_attribute(depthwise, "group", count)
        activation = copy_node(block.activation, f"{name}/activation",
                               [depthwise.output[0], *block.activation.input[1:]])
        pointwise = copy_node(block.pointwise, f"{name}/pointwise", inputs(activation.output[0], "pointwise"))
        new_nodes += [depthwise, activation, pointwise]
        branch_outputs.append(pointwise.output[0])
    total = branch_outputs[0]
    for index, branch in enumerate(branch_outputs[1:], start=1):
        last = index == len(branch_outputs) - 1
        output = block.pointwise.output[0] if last else f"{prefix}/joined_sum_{index}"
        new_nodes.append(helper.make_node("Add", [total, branch], [output], name=f"{prefix}/joined_sum_{index}"))
        total = output
    replaced = {id(node) for node in (block.concat, block.depthwise, block.activation, block.pointwise)}
    kept = []
    for node in graph.node:
        if id(node) not in replaced:
            kept.append(node)
        elif node is block.pointwise:
            # Where the 1x1 convolution was: every branch's input is made before it.
            kept.extend(new_nodes)
    del graph.node[:]
    graph.node.extend(kept)


def channel_counts(model: onnx.ModelProto) -> dict[str, int]:
    """Channel count (dimension 1) of every 4-D tensor whose shape ONNX's inference knows."""
    inferred = onnx.shape_inference.infer_shapes(model)
    counts = {}
    graph = inferred.graph
    for value in [*graph.input, *graph.value_info, *graph.output]:
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4 and dims[1].HasField("dim_value"):
            counts[value.name] = dims[1].dim_value
    return counts


def constant_conv_weights(node: onnx.NodeProto, initializers: dict) -> list[int] | None:
    """The weights' dimensions of a Conv whose weights (and bias, if any) are constants;
    `None` for any other node."""
    if node.op_type != "Conv" or len(node.input) < 2 or node.input[1] not in initializers:
        return None
    if len(node.input) > 2 and node.input[2] and node.input[2] not in initializers:
        return None
    return list(initializers[node.input[1]].dims)


def is_depthwise(node: onnx.NodeProto, initializers: dict) -> bool:
    """A Conv with one channel per group and constant weights ([C, 1, k, k])."""
    dims = constant_conv_weights(node, initializers)
    return dims is not None and len(dims) == 4 and dims[1] == 1 and attribute(node, "group") == dims[0]


def is_pointwise(node: onnx.NodeProto, initializers: dict) -> bool:
    """An ungrouped 1x1 Conv with constant weights, stride 1, no padding."""
    dims = constant_conv_weights(node, initializers)
    if dims is None:
        return False
    strides = attribute(node, "strides") or [1, 1]
    pads = attribute(node, "pads") or [0, 0, 0, 0]
    return (len(dims) == 4 and tuple(dims[2:]) == (1, 1) and attribute(node, "group") in (None, 1)
            and list(strides) == [1, 1] and not any(pads))


def attribute(node: onnx.NodeProto, name: str):
    for item in node.attribute:
        if item.name == name:
            return helper.get_attribute_value(item)
    return None


def set_attribute(node: onnx.NodeProto, name: str, value: int) -> None:
    for item in node.attribute:
        if item.name == name:
            item.i = value
            return
    node.attribute.append(helper.make_attribute(name, value))


def copy_node(node: onnx.NodeProto, name: str, inputs: list[str]) -> onnx.NodeProto:
    """`node` under a new name, reading `inputs` and writing one output named after it."""
    copy = onnx.NodeProto()
    copy.CopyFrom(node)
    copy.name = name
    del copy.input[:]
    copy.input.extend(inputs)
    del copy.output[:]
    copy.output.append(f"{name}_output")
    return copy


def optional_array(initializers: dict, node: onnx.NodeProto, index: int) -> np.ndarray | None:
    if len(node.input) <= index or not node.input[index]:
        return None
    return numpy_helper.to_array(initializers[node.input[index]])


def drop_unused_initializers(graph: onnx.GraphProto) -> None:
    used = {name for node in graph.node for name in node.input}
    used |= {output.name for output in graph.output}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)


# How far the rewritten model's outputs may stray from the original's (values in [-1, 1]):
# far above float rounding (about 1e-7), far below one 8-bit level (2/255).
LARGEST_DIFFERENCE = 1e-4


@dataclass(frozen=True)
class RewriteReport:
    """What :func:`rewrite_file` did."""

    blocks: int
    """Joined blocks split."""
    largest_difference: float
    """Largest absolute difference between the two models' outputs on the check inputs."""
    checks: int
    """Random inputs both models ran on."""


def rewrite_file(source, target, checks: int = 4, seed: int = 0) -> RewriteReport:
    """Splits the joined blocks of the ONNX model at `source` and writes the result to
    `target` (atomically; it may be `source`), after running both models on `checks` inputs
    drawn uniformly from [-1, 1] and refusing a result that strays by
    :data:`LARGEST_DIFFERENCE` or more. Raises ``ValueError`` naming the file when nothing
    can be split or the outputs stray."""
    import onnxruntime

    from .atomic import write_atomic

    original_bytes = open(source, "rb").read()
    model = onnx.load_from_string(original_bytes)
    blocks = split_joined_blocks(model)
    if blocks == 0:
        raise ValueError(f"{source}: no joined depthwise-separable block with a channel count off the "
                         f"{CHANNEL_BLOCK}-channel blocks; nothing to rewrite")
    rewritten_bytes = model.SerializeToString()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    sessions = [onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
                for data in (original_bytes, rewritten_bytes)]
    inputs = sessions[0].get_inputs()
    if len(inputs) != 1:
        raise ValueError(f"{source}: the model takes {len(inputs)} inputs; a student takes one image")
    shape = [dim if isinstance(dim, int) else 1 for dim in inputs[0].shape]
    generator = np.random.default_rng(seed)
    largest = 0.0
    for _ in range(checks):
        image = generator.uniform(-1.0, 1.0, shape).astype(np.float32)
        before, after = (session.run(None, {inputs[0].name: image})[0] for session in sessions)
        largest = max(largest, float(np.abs(before - after).max()))
    if not largest < LARGEST_DIFFERENCE:
        raise ValueError(f"{source}: the rewritten model's outputs differ from the original's by {largest:.3g} "
                         f"(at most {LARGEST_DIFFERENCE} allowed); the original is left as it was")
    write_atomic(target, rewritten_bytes)
    return RewriteReport(blocks, largest, checks)
