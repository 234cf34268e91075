"""Make stand-in "student" models: small UNet-shaped ONNX image-to-image models.

Until real distilled students exist, the runtime's tests and benchmarks need models with
the shape of one: a stride-2 convolution encoder, an upsampling decoder, a skip connection
joined by Concat and a final 1x1 convolution. They are built here with onnx.helper and
numpy only (opset 17, IR version 8), and every file is byte-for-byte reproducible: fixed
seeds, weights drawn from numpy's integer generator only, fixed producer fields, no
timestamps.

  tests OUT_DIR   the three test students, each a real UNet whose weights make its output
                  exactly a known function of its input (the decoded branch is read with
                  weight 0, the skip copy of the input with weight +-1):
                    invert_nchw_pm1.onnx          NCHW, pixels in [-1, 1]: y = -x
                    invert_nhwc_01.onnx           NHWC, pixels in [0, 1]:  y = 1 - x
                    invert_channel0_nchw_01.onnx  NCHW, pixels in [0, 1]: channel 0 becomes
                                                  1 - x, channels 1 and 2 are copied
                  Each is checked with onnx.checker and evaluated by
                  onnx.reference.ReferenceEvaluator on a random input (max error < 1e-5).
  bench OUTPUT    student_bench_256.onnx, a realistic-size student for timing: a
                  MobileNetV2 encoder (width 0.5) and a UNet decoder of depthwise-separable
                  blocks, [1,3,256,256] NCHW in [-1, 1] to Tanh. Random He-initialised
                  weights, rescaled layer by layer on a random input so activations keep a
                  steady spread; checked with onnx.checker and ReferenceEvaluator, and its
                  FLOPs and output statistics are printed.

usage: make_test_students.py tests OUT_DIR
       make_test_students.py bench OUTPUT.onnx
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
# IR version 8 goes with opset 17; newer onnx packages would write a newer IR version by
# default, which older ONNX Runtimes refuse.
IR_VERSION = 8
PRODUCER = "lensmith xtask/python/make_test_students.py"
PRODUCER_VERSION = "1"
SIDE = 256


def finish_model(graph: onnx.GraphProto, doc: str, metadata: dict[str, str]) -> onnx.ModelProto:
    """Wraps a graph with fixed producer fields, checks it, and returns it."""
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name=PRODUCER,
        producer_version=PRODUCER_VERSION,
        doc_string=doc,
    )
    model.ir_version = IR_VERSION
    for key, value in sorted(metadata.items()):
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value
    onnx.checker.check_model(model, full_check=True)
    return model


def save_model(model: onnx.ModelProto, path: str) -> None:
    data = model.SerializeToString(deterministic=True)
    # Write beside the target and rename, so a reader never sees half a file.
    scratch = path + ".partial"
    with open(scratch, "wb") as file:
        file.write(data)
    os.replace(scratch, path)


def he_uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, gain: float = 2.0) -> np.ndarray:
    """Kaiming/He uniform weights: U(-a, a) with a = sqrt(3 * gain / fan_in).

    Only `rng.random` is used: it turns the generator's integers into doubles exactly, so
    the weights are the same on every machine (the normal sampler goes through libm).
    """
    bound = np.sqrt(3.0 * gain / fan_in)
    return ((rng.random(shape) * 2.0 - 1.0) * bound).astype(np.float32)


# --------------------------------------------------------------------------------------
# The test students


def make_test_student(layout: str, scale: list[float], bias: list[float], upsampler: str, seed: int,
                      doc: str, mapping: str) -> onnx.ModelProto:
    """A 4-channel UNet: Conv s2 + Relu, Conv + Relu, upsample (Resize or ConvTranspose),
    Conv + Relu, Concat with the input, final 1x1 Conv reading the input channel c with
    weight scale[c] and bias bias[c] and the decoded branch with weight 0."""
    rng = np.random.default_rng(seed)
    width = 4
    nodes = []
    inits = []

    def init(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name))
        return name

    if layout == "nhwc":
        io_shape = [1, SIDE, SIDE, 3]
        nodes.append(helper.make_node("Transpose", ["image"], ["x"], name="to_nchw", perm=[0, 3, 1, 2]))
        x = "x"
    else:
        io_shape = [1, 3, SIDE, SIDE]
        x = "image"

    def conv(name, source, out_ch, in_ch, kernel, stride=1, relu=True):
        weight = init(f"{name}.weight", he_uniform(rng, (out_ch, in_ch, kernel, kernel), in_ch * kernel * kernel))
        bias_name = init(f"{name}.bias", (rng.random(out_ch) * 0.2 - 0.1).astype(np.float32))
        pad = kernel // 2
        nodes.append(helper.make_node("Conv", [source, weight, bias_name], [f"{name}.conv"], name=name,
                                      kernel_shape=[kernel, kernel], strides=[stride, stride],
                                      pads=[pad, pad, pad, pad]))
        if not relu:
            return f"{name}.conv"
        nodes.append(helper.make_node("Relu", [f"{name}.conv"], [f"{name}.out"], name=f"{name}.relu"))
        return f"{name}.out"

    enc = conv("enc1", x, width, 3, 3, stride=2)          # [1, 4, 128, 128]
    mid = conv("mid", enc, width, width, 3)               # [1, 4, 128, 128]
    if upsampler == "resize":
        scales = init("up.scales", np.array([1.0, 1.0, 2.0, 2.0], dtype=np.float32))
        nodes.append(helper.make_node("Resize", [mid, "", scales], ["up.out"], name="up", mode="nearest"))
    else:
        weight = init("up.weight", he_uniform(rng, (width, width, 2, 2), width * 4))
        nodes.append(helper.make_node("ConvTranspose", [mid, weight], ["up.out"], name="up",
                                      kernel_shape=[2, 2], strides=[2, 2]))
    dec = conv("dec1", "up.out", width, width, 3)         # [1, 4, 256, 256]
    nodes.append(helper.make_node("Concat", [x, dec], ["skip"], name="skip", axis=1))  # [1, 7, 256, 256]

    head = np.zeros((3, 3 + width, 1, 1), dtype=np.float32)
    for channel in range(3):
        head[channel, channel, 0, 0] = scale[channel]
    head_w = init("head.weight", head)
    head_b = init("head.bias", np.array(bias, dtype=np.float32))
    out = "y" if layout == "nhwc" else "stylized"
    nodes.append(helper.make_node("Conv", ["skip", head_w, head_b], [out], name="head", kernel_shape=[1, 1]))
    if layout == "nhwc":
        nodes.append(helper.make_node("Transpose", ["y"], ["stylized"], name="to_nhwc", perm=[0, 2, 3, 1]))

    graph = helper.make_graph(
        nodes,
        "test_student",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, io_shape)],
        [helper.make_tensor_value_info("stylized", TensorProto.FLOAT, io_shape)],
        initializer=inits,
    )
    return finish_model(graph, doc, {"lensmith.mapping": mapping, "lensmith.layout": layout})


def check_test_student(model: onnx.ModelProto, low: float, high: float, expected, name: str) -> float:
    from onnx.reference import ReferenceEvaluator

    rng = np.random.default_rng(1234)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    image = (low + (high - low) * rng.random(shape)).astype(np.float32)
    (got,) = ReferenceEvaluator(model).run(None, {"image": image})
    error = float(np.max(np.abs(got - expected(image))))
    if not error < 1e-5:
        raise SystemExit(f"{name}: max abs error {error} against its mapping, expected < 1e-5")
    return error


def invert_channel0(image: np.ndarray) -> np.ndarray:
    out = image.copy()
    out[:, 0] = 1.0 - image[:, 0]
    return out


TEST_STUDENTS = [
    # name, layout, scale, bias, upsampler, seed, range, mapping text, expected function
    ("invert_nchw_pm1.onnx", "nchw", [-1.0, -1.0, -1.0], [0.0, 0.0, 0.0], "resize", 1,
     (-1.0, 1.0), "y = -x (NCHW, values in [-1, 1])", lambda x: -x),
    ("invert_nhwc_01.onnx", "nhwc", [-1.0, -1.0, -1.0], [1.0, 1.0, 1.0], "conv_transpose", 2,
     (0.0, 1.0), "y = 1 - x (NHWC, values in [0, 1])", lambda x: 1.0 - x),
    ("invert_channel0_nchw_01.onnx", "nchw", [-1.0, 1.0, 1.0], [1.0, 0.0, 0.0], "resize", 3,
     (0.0, 1.0), "channel 0: y = 1 - x; channels 1, 2: y = x (NCHW, values in [0, 1])", invert_channel0),
]


def make_tests(out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for name, layout, scale, bias, upsampler, seed, (low, high), mapping, expected in TEST_STUDENTS:
        doc = (f"Lensmith test student: a 4-channel UNet whose output is exactly {mapping}. "
               "Made by xtask/python/make_test_students.py.")
        model = make_test_student(layout, scale, bias, upsampler, seed, doc, mapping)
        error = check_test_student(model, low, high, expected, name)
        path = os.path.join(out_dir, name)
        save_model(model, path)
        print(f"{path}: {os.path.getsize(path)} bytes, {mapping}, max error {error:.2e}")


# --------------------------------------------------------------------------------------
# The benchmark student
#
# Weights are built together with a float64 numpy forward pass on one random input: each
# convolution's weights are He-initialised, then scaled so that its output on that input
# has a standard deviation near a target. The scale is rounded to a quarter power of two
# (a table of decimal constants, no libm), so that the last bits of the forward pass, which
# may differ between BLAS builds, cannot change the model's bytes.

QUARTER_POWERS = [1.0, 1.189207115002721, 1.4142135623730951, 1.681792830507429]


def quantized_scale(ratio: float) -> float:
    steps = int(round(4.0 * np.log2(ratio)))
    return 2.0 ** (steps // 4) * QUARTER_POWERS[steps % 4]


def make_divisible(value: float, divisor: int = 8) -> int:
    """MobileNetV2's channel rounding."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


class BenchBuilder:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.macs = 0
        self.counter = 0
        self.stats: list[tuple[str, tuple[int, ...], float]] = []

    def name(self, op: str) -> str:
        self.counter += 1
        return f"{op}{self.counter}"

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name))
        return name

    def conv(self, tensor, value: np.ndarray, out_ch: int, kernel: int, stride: int = 1, groups: int = 1,
             activation: str | None = "relu6", target_std: float = 1.0):
        """Conv (+ Clip(0, 6) or nothing): He init, then rescale to `target_std` on the
        forward input; returns the output tensor name and value."""
        in_ch = value.shape[1]
        per_group = in_ch // groups
        fan_in = per_group * kernel * kernel
        gain = 2.0 if activation == "relu6" else 1.0
        weight = he_uniform(self.rng, (out_ch, per_group, kernel, kernel), fan_in, gain).astype(np.float64)
        bias = (self.rng.random(out_ch) * 0.2 - 0.1).astype(np.float32).astype(np.float64)
        pre = conv_forward(value, weight, bias, stride, groups)
        scale = quantized_scale(target_std / max(float(pre.std()), 1e-12))
        weight32 = (weight * scale).astype(np.float32)
        bias32 = (bias * scale).astype(np.float32)
        out = conv_forward(value, weight32.astype(np.float64), bias32.astype(np.float64), stride, groups)
        name = self.name("conv")
        pad = kernel // 2
        self.nodes.append(helper.make_node(
            "Conv", [tensor, self.init(f"{name}.weight", weight32), self.init(f"{name}.bias", bias32)],
            [f"{name}.out"], name=name, kernel_shape=[kernel, kernel], strides=[stride, stride],
            pads=[pad, pad, pad, pad], group=groups))
        self.macs += out.size * per_group * kernel * kernel
        tensor = f"{name}.out"
        if activation == "relu6":
            low = self.init(f"{name}.clip_min", np.array(0.0, dtype=np.float32))
            high = self.init(f"{name}.clip_max", np.array(6.0, dtype=np.float32))
            self.nodes.append(helper.make_node("Clip", [tensor, low, high], [f"{name}.relu6"], name=f"{name}.relu6"))
            tensor = f"{name}.relu6"
            out = np.clip(out, 0.0, 6.0)
        self.stats.append((name, out.shape, float(out.std())))
        return tensor, out

    def add(self, a, b):
        name = self.name("add")
        self.nodes.append(helper.make_node("Add", [a[0], b[0]], [f"{name}.out"], name=name))
        return f"{name}.out", a[1] + b[1]

    def upsample(self, a):
        name = self.name("up")
        scales = self.init(f"{name}.scales", np.array([1.0, 1.0, 2.0, 2.0], dtype=np.float32))
        self.nodes.append(helper.make_node("Resize", [a[0], "", scales], [f"{name}.out"], name=name, mode="nearest"))
        return f"{name}.out", a[1].repeat(2, axis=2).repeat(2, axis=3)

    def concat(self, parts):
        name = self.name("cat")
        self.nodes.append(helper.make_node("Concat", [p[0] for p in parts], [f"{name}.out"], name=name, axis=1))
        return f"{name}.out", np.concatenate([p[1] for p in parts], axis=1)

    def inverted_residual(self, x, out_ch: int, stride: int, expand: int):
        """MobileNetV2's block: 1x1 expand, 3x3 depthwise, 1x1 linear project, + input when
        the shapes match."""
        in_ch = x[1].shape[1]
        h = x
        if expand != 1:
            h = self.conv(h[0], h[1], in_ch * expand, 1)
        h = self.conv(h[0], h[1], h[1].shape[1], 3, stride=stride, groups=h[1].shape[1])
        h = self.conv(h[0], h[1], out_ch, 1, activation=None)
        if stride == 1 and in_ch == out_ch:
            h = self.add(x, h)
        return h

    def separable(self, x, out_ch: int):
        """A MobileNet (v1) block: 3x3 depthwise + ReLU6, 1x1 pointwise + ReLU6."""
        channels = x[1].shape[1]
        h = self.conv(x[0], x[1], channels, 3, groups=channels)
        return self.conv(h[0], h[1], out_ch, 1)


def conv_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int, groups: int) -> np.ndarray:
    """A float64 Conv with 'same' zero padding (kernel 1 or 3), as ONNX computes it."""
    batch, in_ch, height, width = x.shape
    out_ch, per_group, kernel, _ = weight.shape
    pad = kernel // 2
    out_h = (height + 2 * pad - kernel) // stride + 1
    out_w = (width + 2 * pad - kernel) // stride + 1
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    taps = [padded[:, :, dy:dy + stride * out_h:stride, dx:dx + stride * out_w:stride]
            for dy in range(kernel) for dx in range(kernel)]
    if groups == 1:
        columns = np.stack(taps, axis=2)  # [b, in, k*k, h, w]
        out = np.einsum("bikhw,oik->bohw", columns, weight.reshape(out_ch, in_ch, kernel * kernel), optimize=True)
    elif groups == in_ch == out_ch:
        out = np.zeros((batch, out_ch, out_h, out_w))
        for tap, (dy, dx) in zip(taps, [(dy, dx) for dy in range(kernel) for dx in range(kernel)]):
            out += tap * weight[:, 0, dy, dx][None, :, None, None]
    else:
        raise ValueError("only full and depthwise convolutions are used")
    return out + bias[None, :, None, None]


def make_bench(seed: int = 20240917) -> tuple[onnx.ModelProto, int, np.ndarray, np.ndarray, list]:
    builder = BenchBuilder(seed)
    image = builder.rng.random((1, 3, SIDE, SIDE)) * 2.0 - 1.0  # the calibration input
    x = ("image", image)

    # MobileNetV2 at width 0.5: (expansion t, channels c, repeats n, first stride s).
    width = 0.5
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    h = builder.conv("image", image, make_divisible(32 * width), 3, stride=2)  # 128 x 128
    skips = {}
    for expand, channels, repeats, stride in settings:
        out_ch = make_divisible(channels * width)
        for index in range(repeats):
            h = builder.inverted_residual(h, out_ch, stride if index == 0 else 1, expand)
        skips[h[1].shape[2]] = h  # the last block at each resolution
    # skips: 128 -> 8 ch, 64 -> 16, 32 -> 16, 16 -> 48, 8 -> 160 (the bottleneck)

    # UNet decoder: upsample, concatenate the encoder's feature map of that size, then a
    # depthwise-separable block; at full size the input image itself is the skip.
    h = skips[8]
    # The full-size stage stays thin (16 channels, one 3x3 convolution): at 256 x 256 every
    # channel costs as much memory traffic as the whole bottleneck, and channel counts in
    # multiples of 8 keep ONNX Runtime on its blocked (NCHWc) convolutions. The first
    # version of this model concatenated the input image at full size (35 channels) and
    # spent 55% of its time there.
    for size, out_ch in [(16, 96), (32, 64), (64, 64), (128, 48)]:
        h = builder.separable(builder.concat([builder.upsample(h), skips[size]]), out_ch)
    h = builder.separable(h, 16)
    h = builder.upsample(h)
    h = builder.conv(h[0], h[1], 3, 3, activation=None, target_std=0.75)
    builder.nodes.append(helper.make_node("Tanh", [h[0]], ["stylized"], name="tanh"))
    output = np.tanh(h[1])

    graph = helper.make_graph(
        builder.nodes,
        "student_bench_256",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, SIDE, SIDE])],
        [helper.make_tensor_value_info("stylized", TensorProto.FLOAT, [1, 3, SIDE, SIDE])],
        initializer=builder.inits,
    )
    doc = ("Lensmith benchmark student: MobileNetV2 (width 0.5) encoder, UNet decoder of "
           "depthwise-separable blocks, random weights (He init, seed "
           f"{seed}, rescaled per layer). For timing only; its output means nothing. Made by "
           "xtask/python/make_test_students.py bench.")
    model = finish_model(graph, doc, {"lensmith.macs": str(builder.macs), "lensmith.seed": str(seed)})
    return model, builder.macs, image.astype(np.float32), output, builder.stats


def bench(output_path: str) -> None:
    model, macs, image, expected, stats = make_bench()
    for name, shape, std in stats:
        if not 0.05 < std < 4.0:
            raise SystemExit(f"{name} {shape}: activation std {std:.3f} has vanished or exploded")
    saturated = float(np.mean(np.abs(expected) > 0.99))
    if not 0.2 < float(expected.std()) < 0.8 or saturated > 0.05:
        raise SystemExit(f"output std {expected.std():.3f}, {saturated:.1%} saturated: not a usable spread")
    # The ONNX graph against the numpy forward pass it was built with (a few seconds).
    from onnx.reference import ReferenceEvaluator
    (got,) = ReferenceEvaluator(model).run(None, {"image": image})
    error = float(np.max(np.abs(got - expected)))
    if not error < 1e-4:
        raise SystemExit(f"the graph and its numpy forward pass disagree by {error}")
    save_model(model, output_path)
    size = os.path.getsize(output_path)
    print(f"{output_path}: {size} bytes ({size / 2**20:.2f} MiB), {len(model.graph.node)} nodes, "
          f"{macs / 1e6:.0f} M multiply-adds in its convolutions = {2 * macs / 1e9:.2f} GFLOP per frame; "
          f"on a random input: output std {expected.std():.3f}, {saturated:.2%} of values beyond +-0.99, "
          f"activation std {min(s for _, _, s in stats):.2f} to {max(s for _, _, s in stats):.2f}; "
          f"matches its numpy forward pass to {error:.1e}")


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("tests", "bench"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "tests":
        make_tests(sys.argv[2])
    else:
        bench(sys.argv[2])


if __name__ == "__main__":
    main()
