"""`distill evaluate`: students scored against their teacher, person by person.

Every pair's input crop goes through each student (ONNX Runtime on the CPU, as `export`
measures it), and the student's output is compared with the teacher's target:

- PSNR and SSIM as `metrics.py` computes them on the 8-bit images (PSNR of identical
  images is counted as `PSNR_CAP` dB, so that medians and JSON stay finite);
- edge F1 at `EDGE_TOLERANCE_PX` px (`edge_map`, `edge_f1`);
- changed share: in the face-and-hair region (`head_region`), the share of pixels the
  teacher changes by more than `CHANGE_LEVELS` levels, and the share the student changes.

Figures are summarised per person (the id from the crop's source `.../<person-id>/FILE`,
else the source's file name) and over everything. `--only evaluation` with the faces
catalogue (and a split file) refuses pairs of people who may have been used for fitting.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import cv2
import numpy as np

from . import face_regions as fr
from .crops import load_rgb
from .metrics import psnr, ssim_uint8

# Two pixels: the width of the runtime's feathered seams, and about the spread of a
# line a student redraws a little off the teacher's.
EDGE_TOLERANCE_PX = 2.0
# Canny's hysteresis thresholds on 8-bit luminance, after a Gaussian blur of sigma 1:
# strong enough to skip JPEG and sensor noise, weak enough to keep drawn outlines.
CANNY_LOW, CANNY_HIGH = 50, 150
CANNY_BLUR_SIGMA = 1.0
# A pixel is "changed" when some channel moves by more than this many levels of 255.
CHANGE_LEVELS = 10
# PSNR of identical images (infinite) is counted as this.
PSNR_CAP = 100.0
# The head region: the runtime's `head` paste region (runtime/src/player/paste_region.rs).
HEAD_WIDENING = 1.35
HEAD_WIDENING_AT_CHIN = 1.05
HEAD_RAISING = 1.75

# What the issue (#20) asks of a student, for the table's last column.
TARGETS = {"psnr": "median ≥ 30, p10 ≥ 27", "ssim": "median ≥ 0.93", "edge_f1": "(reported)",
           "changed_share": "student ≈ teacher"}
METRICS = ("psnr", "ssim", "edge_f1", "changed_teacher", "changed_student")


class EvaluateError(ValueError):
    """The evaluation cannot run: a missing or unfitting model, an empty or refused selection."""


# ---------------------------------------------------------------------------------------------
# Measures of one pair


def luminance(rgb: np.ndarray) -> np.ndarray:
    """8-bit luma (ITU-R BT.601, as OpenCV's RGB2GRAY) of an H×W×3 RGB image."""
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def edge_map(rgb: np.ndarray) -> np.ndarray:
    """Canny edges (bool H×W) of the luminance, blurred by sigma `CANNY_BLUR_SIGMA` first,
    hysteresis thresholds `CANNY_LOW`/`CANNY_HIGH`, L2 gradient magnitude."""
    blurred = cv2.GaussianBlur(luminance(rgb), (0, 0), CANNY_BLUR_SIGMA)
    return cv2.Canny(blurred, CANNY_LOW, CANNY_HIGH, L2gradient=True) > 0


def distance_to(edges: np.ndarray) -> np.ndarray:
    """Per pixel, the Euclidean distance in pixels to the nearest pixel of `edges`
    (exact, cv2's DIST_MASK_PRECISE); very large everywhere when there is none."""
    if not edges.any():
        return np.full(edges.shape, np.inf, np.float32)
    return cv2.distanceTransform((~edges).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)


def edge_f1(teacher: np.ndarray, student: np.ndarray, tolerance: float = EDGE_TOLERANCE_PX) -> float:
    """F1 of two bool edge maps with a distance tolerance.

    precision = share of the student's edge pixels within `tolerance` px (Euclidean) of a
    teacher edge pixel; recall = share of the teacher's edge pixels within `tolerance` px of
    a student edge pixel; F1 = 2PR / (P + R), 0 when both are 0. No edges on either side
    gives 1 (nothing to draw, nothing drawn); edges on one side only give 0.
    """
    if not teacher.any() and not student.any():
        return 1.0
    if not teacher.any() or not student.any():
        return 0.0
    precision = float(np.mean(distance_to(teacher)[student] <= tolerance))
    recall = float(np.mean(distance_to(student)[teacher] <= tolerance))
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def head_outline(landmarks: np.ndarray) -> np.ndarray:
    """The runtime's `head` region outline (N×2, crop pixels): the face oval pushed out from
    its centre, ×`HEAD_RAISING` straight up for the hair, ×`HEAD_WIDENING` sideways for the
    temples and ears, narrowing to ×`HEAD_WIDENING_AT_CHIN` below (as paste_region.rs)."""
    oval = fr.points(landmarks, fr.FACE_OVAL).astype(np.float64)
    centre = oval.mean(axis=0)
    delta = oval - centre
    length = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), np.finfo(np.float32).eps)
    up = np.maximum(-delta[:, 1] / length, 0.0)
    down = np.maximum(delta[:, 1] / length, 0.0)
    widening = HEAD_WIDENING + (HEAD_WIDENING_AT_CHIN - HEAD_WIDENING) * down
    raising = 1.0 + (HEAD_RAISING - 1.0) * up
    return np.stack([centre[0] + delta[:, 0] * widening, centre[1] + delta[:, 1] * raising], axis=1)


def head_region(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The face-and-hair region (bool H×W): pixels whose centre lies inside the convex hull
    of `head_outline`, clipped to the crop."""
    hull = cv2.convexHull(head_outline(landmarks).astype(np.float32))
    mask = np.zeros(shape, np.uint8)
    # Landmarks measure from the pixel's top-left corner, cv2 from its centre: half a pixel.
    fixed = np.round((hull.reshape(-1, 2) - 0.5) * 16).astype(np.int32)
    cv2.fillConvexPoly(mask, fixed, 1, cv2.LINE_8, 4)
    return mask > 0


def changed(before: np.ndarray, after: np.ndarray, levels: int = CHANGE_LEVELS) -> np.ndarray:
    """Bool H×W: where some channel differs by more than `levels` (of 255)."""
    return (np.abs(before.astype(np.int16) - after.astype(np.int16)) > levels).any(axis=2)


def changed_share(before: np.ndarray, after: np.ndarray, region: np.ndarray) -> Optional[float]:
    """Share of `region`'s pixels that `after` changes from `before`; None for an empty region."""
    count = int(region.sum())
    return None if count == 0 else float(changed(before, after)[region].sum() / count)


def pair_figures(source: np.ndarray, target: np.ndarray, output: np.ndarray,
                 landmarks: Optional[np.ndarray]) -> dict:
    """All figures of one crop: `source` the input, `target` the teacher's, `output` the student's."""
    value = psnr(output, target)
    figures = {"psnr": min(value, PSNR_CAP), "ssim": ssim_uint8(output, target),
               "edge_f1": edge_f1(edge_map(target), edge_map(output)),
               "changed_teacher": None, "changed_student": None}
    if landmarks is not None:
        region = head_region(landmarks, source.shape[:2])
        figures["changed_teacher"] = changed_share(source, target, region)
        figures["changed_student"] = changed_share(source, output, region)
    return figures


# ---------------------------------------------------------------------------------------------
# Summaries


def summary(values: Iterable[Optional[float]]) -> dict:
    """count, median, p10 (linear interpolation, numpy's default), min and max of the values
    that are not None; the numbers are None when there are none."""
    kept = np.array([v for v in values if v is not None], np.float64)
    if kept.size == 0:
        return {"count": 0, "median": None, "p10": None, "min": None, "max": None}
    return {"count": int(kept.size), "median": float(np.median(kept)), "p10": float(np.percentile(kept, 10)),
            "min": float(kept.min()), "max": float(kept.max())}


def aggregate(crops: list[dict]) -> dict:
    """Per-crop figures (each with `person` and the `METRICS`) summarised: `overall` over all
    crops, `people` per person, and `by_person` over the people's medians (each person counts
    once, however many crops they gave)."""
    people: dict[str, list[dict]] = {}
    for crop in crops:
        people.setdefault(crop["person"], []).append(crop)
    per_person = {pid: {"crops": len(rows), **{m: summary(r[m] for r in rows) for m in METRICS}}
                  for pid, rows in sorted(people.items())}
    return {
        "crops": len(crops),
        "people": len(people),
        "overall": {m: summary(c[m] for c in crops) for m in METRICS},
        "by_person": {m: summary(p[m]["median"] for p in per_person.values()) for m in METRICS},
        "per_person": per_person,
    }


# ---------------------------------------------------------------------------------------------
# People: who each pair shows, and whether they may be scored


@dataclass
class People:
    """What the faces catalogue (and a split) say about people: use and split per id."""

    use: dict[str, str] = field(default_factory=dict)
    split: Optional[dict[str, str]] = None

    @classmethod
    def load(cls, catalogue: Optional[Path], split_file: Optional[Path]) -> "People":
        use: dict[str, str] = {}
        if catalogue is not None:
            from .faces import FacesError, load_catalogue

            try:
                use = {p.id: p.use for p in load_catalogue(catalogue).people}
            except FacesError as err:
                raise EvaluateError(str(err)) from err
        split = None
        if split_file is not None:
            try:
                split = json.loads(Path(split_file).read_text(encoding="utf-8"))["people"]
            except (OSError, ValueError, KeyError, TypeError) as err:
                raise EvaluateError(f"{split_file}: not a split file of `distill faces split` ({err})") from err
        return cls(use, split)

    def person_of(self, source: str) -> str:
        """The person a crop shows: the folder above its source file when that folder is
        a catalogued person (`.../<person-id>/FILE`), else the source's file name."""
        path = Path(source.replace("\\", "/"))
        for part in reversed(path.parts[:-1]):
            if part in self.use or (self.split is not None and part in self.split):
                return part
        return path.name

    def split_of(self, person: str, entry: dict) -> str:
        """The split a person is in: from the split file if given, else `evaluation` for a
        catalogue person whose use is not `train`; a person the catalogue does not know is
        in `evaluation` only if the pair is marked evaluation-only, else `unknown`."""
        if self.split is not None and person in self.split:
            return self.split[person]
        if person in self.use:
            return "evaluation" if self.use[person] != "train" else "train"
        return "evaluation" if entry.get("evaluation_only") else "unknown"


def select(entries: list[dict], people: People, only: Optional[str]) -> list[tuple[dict, str, str]]:
    """(entry, person, split) for each pair; with `only`, refuses the lot if any pair's person
    is not in that split (a figure on held-out people must hold no one used for fitting)."""
    chosen = [(e, people.person_of(e["source"]), "") for e in entries]
    chosen = [(e, p, people.split_of(p, e)) for e, p, _ in chosen]
    if only is not None:
        outside = sorted({(p, s) for _, p, s in chosen if s != only})
        if outside:
            listed = ", ".join(f"{p} ({s}{', use ' + people.use[p] if p in people.use else ''})"
                               for p, s in outside[:12])
            more = f" and {len(outside) - 12} more" if len(outside) > 12 else ""
            raise EvaluateError(
                f"--only {only}: {len(outside)} person(s) in these pairs are not in `{only}`: {listed}{more}. "
                f"Make pairs from {only} people only (distill faces crops-plan lists them), or give the "
                "split file that puts them there (--split), or leave out --only to score everyone")
    if not chosen:
        raise EvaluateError("no pairs to evaluate: the pairs folder lists none")
    return chosen


# ---------------------------------------------------------------------------------------------
# Running students


class StudentRunner:
    """One ONNX student, opened once: NCHW RGB in [-1, 1] in, the same out."""

    def __init__(self, path: Path, threads: int = 2):
        if not path.is_file():
            raise EvaluateError(f"{path}: no such model file; give the .onnx of an exported student "
                                "(distill export writes RUN/export/student.onnx)")
        from .export import session

        try:
            self.session = session(path, threads)
        except Exception as err:  # ONNX Runtime raises its own exception types
            raise EvaluateError(f"{path}: ONNX Runtime cannot load it ({err})") from err
        self.path = path
        (first, *_) = self.session.get_inputs()
        self.input_name = first.name
        self.output_name = self.session.get_outputs()[0].name
        self.shape = list(first.shape)

    def check_fits(self, side: tuple[int, int]) -> None:
        """Refuses a model whose input is not [1 or N, 3, H, W] with the crops' H and W."""
        shape = self.shape
        fixed = [d if isinstance(d, int) else None for d in shape]
        if (len(shape) != 4 or fixed[1] not in (3, None)
                or (fixed[2] is not None and fixed[2] != side[0]) or (fixed[3] is not None and fixed[3] != side[1])):
            raise EvaluateError(
                f"{self.path}: its input `{self.input_name}` has shape {shape}, but the crops are "
                f"{side[0]}×{side[1]} RGB: a student here takes [1, 3, {side[0]}, {side[1]}] (NCHW, RGB in [-1, 1]); "
                "cut crops of its size (lensmith crops --size) or choose the model made for them")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """The student's uint8 H×W×3 output for a uint8 H×W×3 input, rounded as the runtime rounds."""
        values = image.astype(np.float32).transpose(2, 0, 1)[None] / 127.5 - 1.0
        (output,) = self.session.run([self.output_name], {self.input_name: values})
        pixels = np.floor((np.clip(output[0], -1.0, 1.0) + 1.0) * 127.5 + 0.5)
        return np.clip(pixels, 0, 255).astype(np.uint8).transpose(1, 2, 0)


def read_landmarks(pairs_dir: Path, name: str, crops_dirs: list[Path]) -> Optional[np.ndarray]:
    """The crop's landmarks: `PAIRS/landmarks/NAME.json` (written by `distill pairs`), else
    `NAME.json` in one of `crops_dirs`; None when neither has them."""
    for path in [pairs_dir / "landmarks" / f"{name}.json"] + [d / f"{name}.json" for d in crops_dirs]:
        if path.is_file():
            return np.asarray(json.loads(path.read_text(encoding="utf-8"))["landmarks"], np.float32)
    return None


def evaluate(pairs_dir: Path, models: list[Path], people: People, only: Optional[str] = None,
             threads: int = 2, crops_dirs: Iterable[Path] = (), lensmith: Optional[str] = None,
             progress: bool = True) -> dict:
    """Scores every model on the pairs of `pairs_dir`; returns the report `--json` writes."""
    from .dataset import read_pairs

    if not models:
        raise EvaluateError("no model given: pass --model STUDENT.onnx (repeatable)")
    manifest_path = pairs_dir / "pairs.json"
    try:
        entries = read_pairs(pairs_dir)
        teacher = json.loads(manifest_path.read_text(encoding="utf-8")).get("teacher", {})
    except SystemExit as err:  # read_pairs speaks to the command line
        raise EvaluateError(str(err)) from None
    chosen = select(entries, people, only)
    runners = [StudentRunner(path, threads) for path in models]
    crops_dirs = list(crops_dirs)

    rows: dict[Path, list[dict]] = {path: [] for path in models}
    identity_inputs: dict[Path, list] = {path: [] for path in models}
    missing_landmarks = 0
    for k, (entry, person, split) in enumerate(chosen):
        name = entry["name"]
        source = load_rgb(pairs_dir / "input" / f"{name}.png")
        target = load_rgb(pairs_dir / "target" / f"{name}.png")
        landmarks = read_landmarks(pairs_dir, name, crops_dirs)
        missing_landmarks += landmarks is None
        for runner in runners:
            if k == 0:
                runner.check_fits(source.shape[:2])
            output = runner(source)
            figures = pair_figures(source, target, output, landmarks)
            rows[runner.path].append({"name": name, "person": person, "split": split, **figures})
            if lensmith is not None:
                identity_inputs[runner.path].append((name, source, output))
        if progress and (k + 1) % 50 == 0:
            print(f"{k + 1}/{len(chosen)} pairs scored", flush=True)

    report = {
        "version": 1,
        "date": datetime.date.today().isoformat(),
        "pairs": str(pairs_dir),
        "teacher": teacher,
        "only": only,
        "definitions": {"psnr_cap_db": PSNR_CAP, "edge": f"Canny on luma (blur sigma {CANNY_BLUR_SIGMA}, "
                        f"thresholds {CANNY_LOW}/{CANNY_HIGH}, L2 gradient), F1 at {EDGE_TOLERANCE_PX:g} px",
                        "changed": f"any channel differs by > {CHANGE_LEVELS} levels, inside the convex hull of the "
                                   f"head outline (face oval ×{HEAD_WIDENING} sideways, ×{HEAD_RAISING} up, "
                                   f"×{HEAD_WIDENING_AT_CHIN} at the chin)"},
        "people": {p: s for _, p, s in chosen},
        "crops_without_landmarks": missing_landmarks,
        "models": {},
    }
    for runner in runners:
        result = {"file": str(runner.path), **aggregate(rows[runner.path]), "per_crop": rows[runner.path]}
        if lensmith is not None:
            from .identity import measure_identity

            identity = measure_identity(lensmith, identity_inputs[runner.path])
            by_person: dict[str, list[float]] = {}
            for row in rows[runner.path]:
                if row["name"] in identity["per_crop"]:
                    by_person.setdefault(row["person"], []).append(identity["per_crop"][row["name"]])
            result["identity"] = {"overall": summary(identity["per_crop"].values()),
                                  "by_person": summary(float(np.median(v)) for v in by_person.values()),
                                  "lost": identity["lost"]}
        report["models"][runner.path.name] = result
    return report


# ---------------------------------------------------------------------------------------------
# The table


def _number(value: Optional[float], digits: int) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def markdown_table(report: dict) -> str:
    """Models side by side: one row per figure, one column per model, the issue's target last."""
    models = report["models"]
    names = list(models)
    lines = ["| figure | " + " | ".join(f"`{n}`" for n in names) + " | target (#20) |",
             "|---" * (len(names) + 2) + "|"]

    def row(label: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    row("people / crops", [f"{m['people']} / {m['crops']}" for m in models.values()])
    for metric, label, digits, target in [("psnr", "PSNR dB", 2, "≥ 30"), ("ssim", "SSIM", 4, "≥ 0.93"),
                                          ("edge_f1", "edge F1 (2 px)", 3, "")]:
        overall = [m["overall"][metric] for m in models.values()]
        row(f"{label}, median", [_number(s["median"], digits) for s in overall], target)
        row(f"{label}, p10", [_number(s["p10"], digits) for s in overall], "≥ 27" if metric == "psnr" else "")
        row(f"{label}, min", [_number(s["min"], digits) for s in overall])
        row(f"{label}, median of people's medians", [_number(m["by_person"][metric]["median"], digits)
                                                     for m in models.values()])
    row("changed share, teacher (median)", [_number(m["overall"]["changed_teacher"]["median"], 3)
                                            for m in models.values()])
    row("changed share, student (median)", [_number(m["overall"]["changed_student"]["median"], 3)
                                            for m in models.values()], "≈ teacher")
    if all("identity" in m for m in models.values()):
        row("landmark shift / inter-ocular, median", [_number(m["identity"]["overall"]["median"], 4)
                                                      for m in models.values()], "≤ 0.03")
    return "\n".join(lines) + "\n"


def per_person_table(report: dict, model: str) -> str:
    """One row per person of one model: crops, median PSNR, SSIM, edge F1, changed shares."""
    result = report["models"][model]
    lines = [f"| person ({model}) | split | crops | PSNR dB | SSIM | edge F1 | changed T / S |",
             "|---|---|---|---|---|---|---|"]
    for pid, p in result["per_person"].items():
        lines.append(f"| {pid} | {report['people'].get(pid, '')} | {p['crops']} | {_number(p['psnr']['median'], 2)} | "
                     f"{_number(p['ssim']['median'], 4)} | {_number(p['edge_f1']['median'], 3)} | "
                     f"{_number(p['changed_teacher']['median'], 3)} / {_number(p['changed_student']['median'], 3)} |")
    return "\n".join(lines) + "\n"
