"""Photometric variants of face crops, made before the teacher runs, so that every pair stays exact.

The training-time augmentation (`augment`) may only change input and target together in
ways the teacher would not notice: a mirror image, a small warp, colour within 10 %. A
stronger change of light or colour changes what the teacher draws (its flat colour bands
and ink lines follow the lightness), so a target changed the same way would teach the
student a wrong answer. Here the change is made to the crop itself and the teacher is
then run on it by `distill pairs`, as on any crop: the student learns the teacher's own
result for a dim, warm, side-lit, over-exposed, blurred or JPEG-blocky face.

Each variant draws, from a generator seeded by the crop's name and `seed` (so the same
command makes the same files):
- exposure and gamma (gain 0.55-1.5, gamma 0.7-1.45);
- white balance (each channel's gain within ±15 %) and saturation (0.55-1.35);
- a light from one side (a linear ramp of brightness across the crop, 0.45-1.0 at its
  dark end);
- half the time a JPEG round trip (quality 25-80); a third of the time a soft camera
  (downscaled to 40-80 % and back); a third of the time sensor noise (2-7 levels).

The geometry is not touched, so the crop's landmarks still hold. A variant keeps its crop's
source, frame and face, so its licence and its person (and so the by-person split) follow
it; its name is `<crop>~v<k>`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

import cv2
import numpy as np

from .atomic import write_atomic
from .crops import CropError, load_rgb, read_crops, save_rgb

VARIANT_MARK = "~v"


def variant_name(crop_name: str, index: int) -> str:
    """`<crop>~v<index>`: unique beside the crop and its other variants."""
    return f"{crop_name}{VARIANT_MARK}{index}"


def generator_for(crop_name: str, index: int, seed: int) -> np.random.Generator:
    """A generator that depends only on the crop's name, the variant's index and `seed`."""
    digest = hashlib.sha256(f"{seed}:{crop_name}:{index}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def relight(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One photometric variant of uint8 RGB `image`, as the module says."""
    height, width = image.shape[:2]
    x = image.astype(np.float32) / 255.0
    x = np.clip(x * rng.uniform(0.55, 1.5), 0, 1) ** rng.uniform(0.7, 1.45)
    x = x * rng.uniform(0.85, 1.15, size=3).astype(np.float32)
    grey = x @ np.array([0.299, 0.587, 0.114], np.float32)
    x = grey[..., None] + (x - grey[..., None]) * rng.uniform(0.55, 1.35)
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    along = ((xs / width - 0.5) * np.cos(angle) + (ys / height - 0.5) * np.sin(angle)) / 0.71 * 0.5 + 0.5
    dark_end = rng.uniform(0.45, 1.0)
    x = x * (dark_end + (1.0 - dark_end) * np.clip(along, 0, 1))[..., None]
    out = np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < 1 / 3:
        factor = rng.uniform(0.4, 0.8)
        small = cv2.resize(out, (max(8, int(width * factor)), max(8, int(height * factor))), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 1 / 3:
        noise = rng.normal(0, rng.uniform(2, 7), out.shape)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, encoded = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 81))])
        if ok:
            out = cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1].copy()
    return out


def write_variants(crops_dirs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, per_crop: int,
                   seed: int = 0) -> list[str]:
    """Writes `per_crop` variants of every crop in `crops_dirs` into `out_dir` (PNG and JSON
    per variant, atomically); returns their names. Variants already there are kept."""
    if per_crop < 1:
        raise CropError(f"--per-crop must be at least 1, not {per_crop}")
    out = Path(out_dir)
    written = []
    for folder in crops_dirs:
        for crop in read_crops(folder):
            if VARIANT_MARK in crop.name:
                raise CropError(
                    f"{crop.image_path}: `{crop.name}` is already a variant; make variants of the "
                    "original crops only"
                )
            image = None
            meta = json.loads((crop.image_path.parent / f"{crop.name}.json").read_text(encoding="utf-8"))
            for index in range(1, per_crop + 1):
                name = variant_name(crop.name, index)
                written.append(name)
                if (out / f"{name}.json").is_file() and (out / f"{name}.png").is_file():
                    continue
                if image is None:
                    image = load_rgb(crop.image_path)
                save_rgb(out / f"{name}.png", relight(image, generator_for(crop.name, index, seed)))
                record = dict(meta, image=f"{name}.png", variant_of=crop.name, variant=index, variant_seed=seed)
                write_atomic(out / f"{name}.json", json.dumps(record).encode())
    return written

