"""The student: a small UNet that runs in real time inside a `face_model` layer.

The seed's design: an encoder of MobileNetV2 inverted-residual blocks (1x1 expand, 3x3
depthwise, 1x1 linear projection, residual when shapes match), a decoder of MobileNet
depthwise-separable blocks that upsamples and joins the encoder's feature map of the same
size at each step, and a thin full-size stage. The width multiplier scales every channel
count as MobileNetV2's does.

The network predicts a change to its input: ``output = clip(input + head(features), -1, 1)``.
A stylisation keeps most of the picture's structure, so learning only what changes trains
faster and keeps the face's geometry (identity) where it was. Input and output are NCHW
RGB in [-1, 1], as the layer declares (``value_range = "minus_one_to_one"``).

Everything exports to plain ONNX opset 17 operators (Conv, Clip, Add, Resize, Concat).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional

# MobileNetV2's encoder settings: (expansion, channels, repeats, first stride).
MOBILENET_V2 = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1))
# The decoder's channels at 1/8, 1/4 and 1/2 of the input's size, before the width.
DECODER = (96, 64, 48)
# The full-size stage's channels by default: kept thin, and its convolution
# depthwise-separable, since at 256x256 every channel costs as much as the whole bottleneck
# (a full 3x3 convolution here took most of the model's time).
FULL_SIZE_CHANNELS = 8


def make_divisible(value: float, divisor: int = 8) -> int:
    """MobileNetV2's channel rounding: to a multiple of 8, never below 90 % of `value`."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


@dataclass(frozen=True)
class StudentConfig:
    """The student's shape."""

    width: float = 0.5
    """Width multiplier of every layer's channels."""
    size: int = 256
    """Side of the square crop it takes (the layer's `crop_size`)."""
    full_channels: int = FULL_SIZE_CHANNELS
    """Channels of the full-size stage, where thin lines and sharp edges are drawn (not
    scaled by `width`: each one costs as much at full size as the whole bottleneck)."""

    def check(self) -> None:
        if not 0.1 <= self.width <= 2.0:
            raise ValueError(f"width {self.width} is outside 0.1..2.0")
        if not 4 <= self.full_channels <= 64:
            raise ValueError(f"full_channels {self.full_channels} is outside 4..64")
        if self.size % 16 != 0 or not 64 <= self.size <= 1024:
            raise ValueError(f"size {self.size} must be a multiple of 16 in 64..1024")

    def as_dict(self) -> dict:
        return asdict(self)


def conv_bn(in_ch: int, out_ch: int, kernel: int, stride: int = 1, groups: int = 1, relu: bool = True) -> nn.Sequential:
    """Convolution, batch norm (folded into the convolution on export) and ReLU6."""
    layers: list[nn.Module] = [
        nn.Conv2d(in_ch, out_ch, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out_ch),
    ]
    if relu:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2's block."""

    def __init__(self, in_ch: int, out_ch: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = in_ch * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(conv_bn(in_ch, hidden, 1))
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, out_ch, 1, relu=False)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and in_ch == out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.residual else out


class Separable(nn.Module):
    """A MobileNet (v1) block: 3x3 depthwise, then 1x1 pointwise, each with ReLU6."""

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.body = nn.Sequential(conv_bn(in_ch, in_ch, 3, groups=in_ch), conv_bn(in_ch, out_ch, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class Student(nn.Module):
    """The UNet. Input and output: [N, 3, size, size], RGB in [-1, 1]."""

    def __init__(self, config: StudentConfig) -> None:
        super().__init__()
        config.check()
        self.config = config
        width = config.width
        stem = make_divisible(32 * width)
        self.stem = conv_bn(3, stem, 3, stride=2)  # 1/2
        stages: list[nn.Module] = []
        channels = stem
        self.skip_channels: list[int] = []
        for expand, base, repeats, stride in MOBILENET_V2:
            out_ch = make_divisible(base * width)
            blocks = [InvertedResidual(channels if i == 0 else out_ch, out_ch, stride if i == 0 else 1, expand)
                      for i in range(repeats)]
            stages.append(nn.Sequential(*blocks))
            channels = out_ch
        self.stages = nn.ModuleList(stages)
        # Feature maps after the stages, by stride: 2 (16*w), 4 (24*w), 8 (32*w), 16 (96*w).
        c2, c4, c8, c16 = (make_divisible(MOBILENET_V2[i][1] * width) for i in (0, 1, 2, 4))
        d8, d4, d2 = (make_divisible(base * width) for base in DECODER)
        self.up8 = Separable(c16 + c8, d8)
        self.up4 = Separable(d8 + c4, d4)
        self.up2 = Separable(d4 + c2, d2)
        self.full = Separable(d2 + 3, config.full_channels)
        self.head = nn.Conv2d(config.full_channels, 3, 3, padding=1)
        # Start as the identity: the head's change is zero until training moves it.
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.stem(image)
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        f2, f4, f8, _, f16 = features
        h = self.up8(torch.cat([upsample(f16), f8], dim=1))
        h = self.up4(torch.cat([upsample(h), f4], dim=1))
        h = self.up2(torch.cat([upsample(h), f2], dim=1))
        h = self.full(torch.cat([upsample(h), image], dim=1))
        return torch.clamp(image + self.head(h), -1.0, 1.0)


def upsample(x: torch.Tensor) -> torch.Tensor:
    """Doubles the size (bilinear: smoother than nearest for images, one ONNX Resize)."""
    return functional.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


def multiply_adds(model: Student) -> int:
    """Multiply-adds of one forward pass, counted over its convolutions."""
    total = 0

    def count(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        nonlocal total
        conv = module
        assert isinstance(conv, nn.Conv2d)
        per_output = conv.in_channels // conv.groups * conv.kernel_size[0] * conv.kernel_size[1]
        total += output.numel() * per_output

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, nn.Conv2d)]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, model.config.size, model.config.size))
    model.train(was_training)
    for hook in hooks:
        hook.remove()
    return total
