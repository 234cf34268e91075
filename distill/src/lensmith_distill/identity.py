"""Does the student keep the face? The runtime's own tracker (`lensmith track`) finds the
468 landmarks on each held-out input crop and on the student's output for it; the mean
distance between the two meshes, over the inter-ocular distance (between the eye centres),
is the normalised mean error. A stylisation that keeps identity keeps it small."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

# The eye corners of MediaPipe's mesh: the subject's right eye (33, 133), left (362, 263).
RIGHT_EYE = (33, 133)
LEFT_EYE = (362, 263)


def find_lensmith(given: str | None) -> str:
    """The `lensmith` binary: as given, else on PATH, else a clear error."""
    candidate = given or shutil.which("lensmith")
    if not candidate or not Path(candidate).exists():
        raise SystemExit("the `lensmith` command is needed to track faces: build it with "
                         "`cargo build --release -p lensmith-cli` and pass --lensmith target/release/lensmith")
    return candidate


def track_folder(lensmith: str, folder: Path) -> dict[str, np.ndarray | None]:
    """Landmarks (468 x 2) of the first face in each PNG of `folder`, by file name."""
    report = folder / "track.json"
    done = subprocess.run([lensmith, "track", str(folder), "--static", "--json", str(report)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"`lensmith track {folder}` failed:\n{done.stderr.strip()}")
    frames = json.loads(report.read_text())["frames"]
    found: dict[str, np.ndarray | None] = {}
    for frame in frames:
        faces = frame["faces"]
        found[frame["name"]] = np.array(faces[0]["landmarks"], dtype=np.float64)[:, :2] if faces else None
    return found


def normalised_error(reference: np.ndarray, other: np.ndarray) -> float:
    """Mean landmark distance over the inter-ocular distance of `reference`."""
    right = reference[list(RIGHT_EYE)].mean(axis=0)
    left = reference[list(LEFT_EYE)].mean(axis=0)
    interocular = float(np.linalg.norm(left - right))
    return float(np.linalg.norm(reference - other, axis=1).mean() / interocular)


def measure_identity(lensmith: str, pairs: list[tuple[str, np.ndarray, np.ndarray]]) -> dict:
    """For (name, input, output) crops: the normalised mean error of each, and summaries.
    A face the tracker finds in the input but not in the output counts as lost."""
    from .crops import save_rgb

    with tempfile.TemporaryDirectory(prefix="distill-identity-") as scratch:
        inputs, outputs = Path(scratch) / "input", Path(scratch) / "output"
        inputs.mkdir()
        outputs.mkdir()
        for name, source, result in pairs:
            save_rgb(inputs / f"{name}.png", source)
            save_rgb(outputs / f"{name}.png", result)
        before, after = track_folder(lensmith, inputs), track_folder(lensmith, outputs)
    errors, lost = {}, []
    for name, reference in before.items():
        if reference is None:
            continue
        other = after.get(name)
        if other is None:
            lost.append(name)
        else:
            errors[name] = normalised_error(reference, other)
    values = list(errors.values())
    return {
        "crops": len(errors),
        "lost": lost,
        "mean_nme": float(np.mean(values)) if values else None,
        "max_nme": float(np.max(values)) if values else None,
        "per_crop": errors,
    }
