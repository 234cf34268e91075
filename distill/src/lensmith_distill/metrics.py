"""Quality figures of a student against its teacher: PSNR and SSIM on 8-bit images, as
a person would compute them on the PNGs (values 0..255, SSIM on luma and colour channels
averaged)."""

from __future__ import annotations

import numpy as np
import torch

from .losses import ssim


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of two uint8 images (inf when equal)."""
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else float(10.0 * np.log10(255.0**2 / error))


def ssim_uint8(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM over the RGB channels of two uint8 HxWx3 images."""

    def to_tensor(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(x.astype(np.float32) / 255.0).permute(2, 0, 1)[None]

    with torch.no_grad():
        return float(ssim(to_tensor(a), to_tensor(b), value_range=1.0))
