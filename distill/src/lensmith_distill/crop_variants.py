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

A share of the variants (`backdrop_share`, half by default) also gets a new backdrop:
everything outside the face-and-hair region (`evaluate.head_region`, feathered) is repainted
in one colour of any hue, saturation 0.3-1 and brightness 0.3-1, shaded by the original's
own light and dark so walls, shoulders and clothes keep their shapes. Photos of people come
with few backdrops (grey walls, offices, skies); a student that has met only those meets a
green screen or a saturated blue wall, and the teacher's strong colours there, for the first
time on a new user. The backdrop is drawn from a generator of its own, so a share of 0 makes
exactly the variants of before.

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
from .evaluate import head_region

VARIANT_MARK = "~v"
DEFAULT_BACKDROP_SHARE = 0.5
# The feather of the head region's edge, as a share of the crop's side.
_BACKDROP_FEATHER = 0.03
# Luma weights (ITU-R BT.601): lightness in float, for relighting and shading.
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def variant_name(crop_name: str, index: int) -> str:
    """`<crop>~v<index>`: unique beside the crop and its other variants."""
    return f"{crop_name}{VARIANT_MARK}{index}"


def generator_for(crop_name: str, index: int, seed: int, purpose: str = "") -> np.random.Generator:
    """A generator that depends only on the crop's name, the variant's index, `seed` and
    `purpose` (each kind of change draws from its own stream)."""
    digest = hashlib.sha256(f"{seed}:{crop_name}:{index}{purpose}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def relight(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One photometric variant of uint8 RGB `image`, as the module says."""
    height, width = image.shape[:2]
    x = image.astype(np.float32) / 255.0
    x = np.clip(x * rng.uniform(0.55, 1.5), 0, 1) ** rng.uniform(0.7, 1.45)
    x = x * rng.uniform(0.85, 1.15, size=3).astype(np.float32)
    grey = x @ _LUMA
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


def repaint_backdrop(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`image` (uint8 RGB) with everything outside the face-and-hair region of `landmarks`
    (crop pixels) repainted in one random colour, shaded by the original's lightness."""
    height, width = image.shape[:2]
    head = head_region(landmarks, (height, width)).astype(np.float32)
    sigma = _BACKDROP_FEATHER * max(height, width)
    keep = np.clip(cv2.GaussianBlur(head, (0, 0), sigma) * 2.0, 0.0, 1.0)[..., None]
    hsv = np.array([[[rng.uniform(0, 180), rng.uniform(0.3, 1.0) * 255, rng.uniform(0.3, 1.0) * 255]]], np.uint8)
    colour = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)
    x = image.astype(np.float32)
    lightness = x @ _LUMA
    outside = 1.0 - keep[..., 0]
    typical = float((lightness * outside).sum() / max(outside.sum(), 1.0)) or 1.0
    shading = np.clip(0.5 + 0.5 * lightness / typical, 0.0, 2.0)[..., None]
    painted = np.clip(colour * shading, 0, 255)
    return np.clip(x * keep + painted * (1.0 - keep) + 0.5, 0, 255).astype(np.uint8)


def make_variant(image: np.ndarray, landmarks: np.ndarray, crop_name: str, index: int, seed: int,
                 backdrop_share: float) -> np.ndarray:
    """Variant `index` of the crop: maybe a new backdrop (its own stream), then `relight`."""
    backdrop = generator_for(crop_name, index, seed, ":backdrop")
    if backdrop.random() < backdrop_share:
        image = repaint_backdrop(image, landmarks, backdrop)
    return relight(image, generator_for(crop_name, index, seed))


def write_variants(crops_dirs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, per_crop: int,
                   seed: int = 0, backdrop_share: float = DEFAULT_BACKDROP_SHARE) -> list[str]:
    """Writes `per_crop` variants of every crop in `crops_dirs` into `out_dir` (PNG and JSON
    per variant, atomically); returns their names. Variants already there, made with the
    same seed and backdrop share, are kept."""
    if per_crop < 1:
        raise CropError(f"--per-crop must be at least 1, not {per_crop}")
    if not 0.0 <= backdrop_share <= 1.0:
        raise CropError(f"--backdrops must be a share from 0 to 1, not {backdrop_share}")
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
                if _already_made(out, name, seed, backdrop_share):
                    continue
                if image is None:
                    image = load_rgb(crop.image_path)
                variant = make_variant(image, crop.landmarks[:, :2], crop.name, index, seed, backdrop_share)
                save_rgb(out / f"{name}.png", variant)
                record = dict(meta, image=f"{name}.png", variant_of=crop.name, variant=index, variant_seed=seed,
                              variant_backdrop_share=backdrop_share)
                write_atomic(out / f"{name}.json", json.dumps(record).encode())
    return written



def _already_made(out: Path, name: str, seed: int, backdrop_share: float) -> bool:
    """Whether variant `name` is in `out`, made with `seed` and `backdrop_share` (a record
    from before backdrops existed had none)."""
    record_path, image_path = out / f"{name}.json", out / f"{name}.png"
    if not (record_path.is_file() and image_path.is_file()):
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return record.get("variant_seed") == seed and record.get("variant_backdrop_share", 0.0) == backdrop_share
