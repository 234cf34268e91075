"""The seed's augmentation of real image pairs, applied on the fly to each training batch.

- Geometry, the same for input and target: a random square patch, a mirror image half the
  time, and a small affine warp (up to 6 degrees, 6 % scale, 4 % shift), so the student
  does not learn one framing.
- Colour, the same for both: brightness, contrast and saturation within 10 %. A teacher
  run on the changed input would give a slightly different target; within 10 % the
  difference is small, and the student learns that the look follows the input's colours.
- Blur (sigma up to 1.2 px) and sensor noise (up to 3 % of the range) on the input only:
  phone cameras are soft and noisy, and the student should still give the teacher's
  clean result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.nn import functional


@dataclass(frozen=True)
class AugmentSettings:
    """How strong each augmentation is (0 switches it off)."""

    max_turn_deg: float = 6.0
    max_scale: float = 0.06
    max_shift: float = 0.04
    colour: float = 0.10
    max_blur_sigma: float = 1.2
    max_noise: float = 0.03


def random_patch(inputs: torch.Tensor, targets: torch.Tensor, side: int, generator: torch.Generator):
    """The same random `side` x `side` window of each pair (the whole image if it is that size)."""
    height, width = inputs.shape[-2:]
    if side >= height and side >= width:
        return inputs, targets
    top = int(torch.randint(0, height - side + 1, (1,), generator=generator))
    left = int(torch.randint(0, width - side + 1, (1,), generator=generator))
    window = (slice(None), slice(None), slice(top, top + side), slice(left, left + side))
    return inputs[window], targets[window]


def augment_pair(inputs: torch.Tensor, targets: torch.Tensor, settings: AugmentSettings,
                 generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Augments a batch of pairs ([N, 3, H, W] in [-1, 1]) as the module says."""
    batch = inputs.shape[0]

    def uniform(low: float, high: float, size: int = batch) -> torch.Tensor:
        return low + (high - low) * torch.rand(size, generator=generator)

    flip = torch.rand(batch, generator=generator) < 0.5
    inputs = torch.where(flip[:, None, None, None], inputs.flip(-1), inputs)
    targets = torch.where(flip[:, None, None, None], targets.flip(-1), targets)

    turn = uniform(-1, 1) * math.radians(settings.max_turn_deg)
    scale = 1 + uniform(-1, 1) * settings.max_scale
    shift = uniform(-1, 1, 2 * batch).view(batch, 2) * settings.max_shift * 2
    cos, sin = torch.cos(turn) / scale, torch.sin(turn) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = functional.affine_grid(theta, list(inputs.shape), align_corners=False)
    inputs = functional.grid_sample(inputs, grid, mode="bilinear", padding_mode="border", align_corners=False)
    targets = functional.grid_sample(targets, grid, mode="bilinear", padding_mode="border", align_corners=False)

    if settings.colour > 0:
        bright = uniform(-1, 1)[:, None, None, None] * settings.colour
        contrast = 1 + uniform(-1, 1)[:, None, None, None] * settings.colour
        saturation = 1 + uniform(-1, 1)[:, None, None, None] * settings.colour

        def recolour(x: torch.Tensor) -> torch.Tensor:
            mean = x.mean(dim=(1, 2, 3), keepdim=True)
            x = (x - mean) * contrast + mean + bright
            grey = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
            return ((x - grey) * saturation + grey).clamp(-1, 1)

        inputs, targets = recolour(inputs), recolour(targets)

    if settings.max_blur_sigma > 0:
        inputs = torch.cat([gaussian_blur(inputs[i:i + 1], float(uniform(0, settings.max_blur_sigma, 1)))
                            for i in range(batch)])
    if settings.max_noise > 0:
        level = uniform(0, settings.max_noise)[:, None, None, None] * 2  # of the range [-1, 1]
        noise = torch.randn(inputs.shape, generator=generator) * level
        inputs = (inputs + noise).clamp(-1, 1)
    return inputs, targets


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """A separable Gaussian blur (nothing below sigma 0.2), edges repeated."""
    if sigma < 0.2:
        return x
    radius = max(1, int(math.ceil(3 * sigma)))
    coords = torch.arange(-radius, radius + 1, dtype=x.dtype)
    line = torch.exp(-(coords**2) / (2 * sigma**2))
    line = (line / line.sum()).to(x.device)
    channels = x.shape[1]
    padded = functional.pad(x, (radius, radius, radius, radius), mode="replicate")
    horizontal = line.view(1, 1, 1, -1).expand(channels, 1, 1, -1)
    vertical = line.view(1, 1, -1, 1).expand(channels, 1, -1, 1)
    return functional.conv2d(functional.conv2d(padded, horizontal, groups=channels), vertical, groups=channels)
