"""Image pairs in memory for training: the teacher's `pairs.json` folder (written by
`distill pairs`), split into training and held-out pairs by where each crop came from, so
that held-out faces are never seen in training."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .crops import load_rgb


@dataclass
class PairSet:
    """Pairs as uint8 tensors [N, 3, H, W], with their names and sources."""

    names: list[str]
    sources: list[str]
    inputs: torch.Tensor
    targets: torch.Tensor

    def __len__(self) -> int:
        return len(self.names)

    def batch(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The pairs at `indices`, as floats in [-1, 1]."""
        return to_unit_range(self.inputs[indices]), to_unit_range(self.targets[indices])


def to_unit_range(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 to float -1..1 (the layer's `minus_one_to_one`)."""
    return pixels.float() / 127.5 - 1.0


def to_pixels(values: torch.Tensor) -> np.ndarray:
    """Float -1..1 [3, H, W] back to uint8 HxWx3, rounded as the runtime rounds."""
    pixels = ((values.clamp(-1, 1) + 1.0) * 127.5 + 0.5).floor().clamp(0, 255)
    return pixels.to(torch.uint8).permute(1, 2, 0).cpu().numpy()


def read_pairs(folder: Path) -> list[dict]:
    """The entries of `folder/pairs.json`, each checked to have its two images."""
    manifest = folder / "pairs.json"
    try:
        entries = json.loads(manifest.read_text())["pairs"]
    except FileNotFoundError:
        raise SystemExit(f"{manifest} does not exist: make the pairs first with `distill pairs`") from None
    except (KeyError, ValueError) as error:
        raise SystemExit(f"{manifest} is not a pairs manifest ({error}); make it again with `distill pairs`") from None
    for entry in entries:
        for kind in ("input", "target"):
            path = folder / kind / f"{entry['name']}.png"
            if not path.is_file():
                raise SystemExit(f"{manifest} lists {entry['name']}, but {path} is missing; run `distill pairs` again")
    return entries


def load_split(folder: Path, held_out: list[str]) -> tuple[PairSet, PairSet]:
    """Training and held-out pairs: a pair is held out when its source's file name matches
    one of the `held_out` globs, or when its source may be used for evaluation only."""
    entries = read_pairs(folder)
    parts = ([e for e in entries if not is_held_out(e, held_out)], [e for e in entries if is_held_out(e, held_out)])
    return tuple(load_set(folder, part) for part in parts)  # type: ignore[return-value]


def is_held_out(entry: dict, held_out: list[str]) -> bool:
    """Whether a pair (an entry of `pairs.json`) is kept out of training: its source's file
    name matches one of the `held_out` globs, or its source is for evaluation only."""
    name = Path(entry["source"]).name
    return bool(entry.get("evaluation_only", False)) or any(fnmatch.fnmatch(name, p) for p in held_out)


def load_set(folder: Path, entries: list[dict]) -> PairSet:
    def stack(kind: str) -> torch.Tensor:
        if not entries:
            return torch.zeros((0, 3, 1, 1), dtype=torch.uint8)
        images = [load_rgb(folder / kind / f"{e['name']}.png") for e in entries]
        return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()

    return PairSet(
        names=[e["name"] for e in entries],
        sources=[e["source"] for e in entries],
        inputs=stack("input"),
        targets=stack("target"),
    )
