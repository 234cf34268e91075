"""Shared fixtures: a 256² face crop with its 468 landmarks, and crops folders on disk;
`skip_or_fail` for tests whose tools are missing.

The landmarks are MediaPipe's own, on the astronaut photo, from the runtime's test data.
The image is that photo, cropped here, when `cargo xtask setup` has fetched it into
~/.cache/lensmith/data/; otherwise a face painted from the same landmarks stands in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from lensmith_distill import face_regions as fr
from lensmith_distill.crops import save_rgb

REPO = Path(__file__).resolve().parents[2]
LANDMARKS_JSON = REPO / "runtime" / "tests" / "data" / "astronaut_mediapipe_landmarks.json"
LENSMITH_HOME = Path(os.environ.get("LENSMITH_HOME", Path.home() / ".cache" / "lensmith"))
ASTRONAUT = LENSMITH_HOME / "data" / "astronaut.png"
SIZE = 256


def skip_or_fail(reason: str) -> None:
    """Skips the test, loudly, for want of `reason`; fails it instead where
    LENSMITH_REQUIRE_ASSETS=1 (as `cargo xtask test` sets), since CI must run it."""
    if os.environ.get("LENSMITH_REQUIRE_ASSETS") == "1":
        pytest.fail(f"{reason} (LENSMITH_REQUIRE_ASSETS=1: this test must run)")
    print(f"\n*** SKIPPED: {reason}\n")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def face_crop() -> tuple[np.ndarray, np.ndarray, str]:
    """(uint8 256×256×3 RGB, float32 468×3 landmarks in crop pixels, what it is)."""
    if not LANDMARKS_JSON.is_file():
        pytest.skip(f"no landmarks fixture at {LANDMARKS_JSON}: run from a Lensmith checkout")
    meta = json.loads(LANDMARKS_JSON.read_text())
    marks = np.asarray(meta["faces"][0]["landmarks"], np.float32)[:468]
    oval = marks[list(fr.FACE_OVAL), :2]
    centre = oval.mean(axis=0)
    # About as much margin around the face as `lensmith crops` leaves.
    scale = SIZE / (1.45 * float(np.ptp(oval, axis=0).max()))
    warp = np.array([[scale, 0, SIZE / 2 - scale * centre[0]], [0, scale, SIZE / 2 - scale * centre[1]]])
    crop_marks = marks.copy()
    crop_marks[:, :2] = marks[:, :2] * scale + warp[:, 2]
    crop_marks[:, 2] *= scale
    if ASTRONAUT.is_file():
        photo = cv2.cvtColor(cv2.imread(str(ASTRONAUT)), cv2.COLOR_BGR2RGB)
        # warpAffine maps pixel centres; the landmarks measure from pixel corners.
        centred = warp.copy()
        centred[:, 2] += 0.5 * scale - 0.5
        image = cv2.warpAffine(photo, centred, (SIZE, SIZE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
        return image, crop_marks, "astronaut crop"
    print(f"{ASTRONAUT} is missing (run `cargo xtask setup`): using a painted face instead")
    return painted_face(crop_marks), crop_marks, "painted face"


def painted_face(marks: np.ndarray, size: int = SIZE) -> np.ndarray:
    """A crude but face-shaped picture drawn from `marks`: skin with texture, hair, eyes
    with irises, brows, lips and a mouth. Deterministic (fixed seed)."""
    shape = (size, size)
    rows = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    image = np.broadcast_to(np.array([70, 90, 140], np.float32) + 60 * rows, (size, size, 3)).copy()

    def paint(mask: np.ndarray, colour) -> None:
        image[:] = image + (np.asarray(colour, np.float32) - image) * mask[..., None]

    top = float(marks[10, 1])
    hair = fr.polygon_mask(marks, fr.FACE_OVAL, shape, feather_px=2, grow_px=12)
    hair[int(top + 25) :] = 0.0
    paint(hair, (80, 55, 35))
    face = fr.polygon_mask(marks, fr.FACE_OVAL, shape, feather_px=1.0)
    paint(face, (225, 180, 150))
    image += face[..., None] * (-30 * rows)  # darker towards the chin: something to shade
    for eye in fr.EYES:
        paint(fr.polygon_mask(marks, eye, shape, feather_px=0.5), (235, 235, 230))
        centre = fr.points(marks, eye).mean(axis=0)
        paint(fr.disc_mask(centre, 5.0, shape, 0.5) * fr.polygon_mask(marks, eye, shape), (60, 40, 30))
    for brow in fr.BROWS:
        paint(fr.polygon_mask(marks, brow, shape, feather_px=0.7), (70, 50, 35))
    lips = fr.polygon_mask(marks, fr.LIPS_OUTER, shape, feather_px=0.7)
    paint(np.clip(lips - fr.polygon_mask(marks, fr.MOUTH_OPENING, shape), 0, 1), (185, 90, 90))
    paint(fr.polygon_mask(marks, fr.MOUTH_OPENING, shape, feather_px=0.5), (90, 30, 35))
    # Skin and sensor texture, the fine detail a cartoon should flatten.
    noise = np.random.default_rng(0).normal(0.0, 10.0, (size, size, 1)).astype(np.float32)
    image += cv2.GaussianBlur(noise, (0, 0), 0.8)[..., None]
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def write_crop(folder: Path, name: str, image: np.ndarray, landmarks: np.ndarray, source: str, frame: int = 0) -> Path:
    """Writes NAME.png and NAME.json as `lensmith crops` does; returns the JSON's path."""
    folder.mkdir(parents=True, exist_ok=True)
    save_rgb(folder / f"{name}.png", image)
    meta = {
        "image": f"{name}.png",
        "source": source,
        "frame": frame,
        "frame_name": f"frame {frame}",
        "face_id": 0,
        "transform": {"center": [0.0, 0.0], "scale": 1.0, "rotation": 0.0, "side": image.shape[0]},
        "frame_pixels_per_crop_pixel": 1.0,
        "landmarks": np.asarray(landmarks, np.float32).tolist(),
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(meta))
    return path
