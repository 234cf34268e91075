"""Reading the aligned face crops `lensmith crops` writes, and PNG input/output.

A crops folder holds, per crop, `NAME.png` (RGB) and `NAME.json` (its landmarks and where
it came from), plus one `<input-stem>.crops.json` listing per run, which is not a crop.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .atomic import write_atomic

# MediaPipe's face mesh without the iris points: what `lensmith crops` writes.
LANDMARK_COUNT = 468

# The per-run listing sits beside the crops and ends like this; it is not a crop.
RUN_LISTING_SUFFIX = ".crops.json"


class CropError(ValueError):
    """A crop's JSON or PNG is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Crop:
    """One aligned face crop and where it came from."""

    name: str
    """The crop's file stem, e.g. `franck_000050_face0`; unique within a crops folder."""
    image_path: Path
    landmarks: np.ndarray
    """468 × (x, y, z) float32 in crop pixels, x and y from the crop's top-left corner."""
    source: str
    """The input path `lensmith crops` was given (a file, or a folder of images)."""
    frame: int
    face_id: int
    frame_name: str = ""
    """The frame's own name: the image's file name for image folders, `frame N` for videos."""


def read_crops(crops_dir: str | os.PathLike) -> list[Crop]:
    """Reads every crop in `crops_dir`, sorted by name.

    Raises `CropError` naming the file for a missing folder, a malformed JSON, missing
    fields, landmarks of the wrong shape or a missing PNG.
    """
    folder = Path(crops_dir)
    if not folder.is_dir():
        raise CropError(
            f"{folder}: not a folder of crops; make one with "
            f"`lensmith crops INPUT -o {folder} --size 256`"
        )
    crops = [
        _read_crop(path)
        for path in sorted(folder.glob("*.json"))
        if not path.name.endswith(RUN_LISTING_SUFFIX)
    ]
    if not crops:
        raise CropError(
            f"{folder}: no crops (NAME.json beside NAME.png) in this folder; make them with "
            f"`lensmith crops INPUT -o {folder} --size 256`"
        )
    return crops


def _read_crop(json_path: Path) -> Crop:
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CropError(
            f"{json_path}: cannot read the crop's JSON ({err}); rewrite it with `lensmith crops`"
        ) from err
    if not isinstance(meta, dict):
        raise CropError(f"{json_path}: expected a JSON object describing one crop")
    for field, kind in (("image", str), ("source", str), ("frame", int), ("face_id", int)):
        if not isinstance(meta.get(field), kind):
            raise CropError(
                f"{json_path}: field `{field}` is missing or not a {kind.__name__}; "
                "rewrite the crop with `lensmith crops`"
            )
    try:
        landmarks = np.asarray(meta.get("landmarks"), dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise CropError(f"{json_path}: field `landmarks` is not a list of numbers ({err})") from err
    if landmarks.shape != (LANDMARK_COUNT, 3) or not np.all(np.isfinite(landmarks)):
        raise CropError(
            f"{json_path}: field `landmarks` must hold {LANDMARK_COUNT} finite [x, y, z] "
            f"points, found shape {landmarks.shape}"
        )
    image_path = json_path.parent / meta["image"]
    if not image_path.is_file():
        raise CropError(
            f"{json_path}: its image `{meta['image']}` is not in {json_path.parent}; "
            "copy the PNG back or rewrite the crop with `lensmith crops`"
        )
    return Crop(
        name=json_path.stem,
        image_path=image_path,
        landmarks=landmarks,
        source=meta["source"],
        frame=meta["frame"],
        face_id=meta["face_id"],
        frame_name=str(meta.get("frame_name", "")),
    )


def load_rgb(path: str | os.PathLike) -> np.ndarray:
    """Reads an image file as uint8 H×W×3 RGB (alpha is dropped, grey is expanded)."""
    path = Path(path)
    # imdecode of the bytes, not imread, so that non-ASCII paths work everywhere.
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as err:
        raise CropError(f"{path}: cannot read the image ({err})") from err
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise CropError(f"{path}: not a readable PNG or JPEG image; re-export it")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def save_rgb(path: str | os.PathLike, image: np.ndarray) -> None:
    """Writes uint8 H×W×3 RGB as a PNG, atomically: readers never see half a file."""
    path = Path(path)
    check_rgb(image, f"image for {path}")
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise CropError(f"{path}: OpenCV could not encode the image as PNG")
    write_atomic(path, encoded.tobytes())


def check_rgb(image: object, what: str) -> np.ndarray:
    """Returns `image` if it is a uint8 H×W×3 array, else raises ValueError naming `what`."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{what}: expected a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(
            f"{what}: expected uint8 H×W×3 RGB, got {image.dtype} of shape {image.shape}"
        )
    return image
