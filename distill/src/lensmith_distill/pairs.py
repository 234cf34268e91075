"""Paired training data: every face crop, and what the teacher makes of it.

`build_pairs` writes `OUT/input/NAME.png`, `OUT/target/NAME.png`, `OUT/landmarks/NAME.json`
(the crop's 468 landmarks, in crop pixels) and `OUT/pairs.json`
(the teacher, and per pair its source, licence, origin and the teacher's time). It is
resumable: pairs already in the manifest with both PNGs on disk are not made again.
`SourceCatalog` says under what licence each source may be used, and refuses the rest.
Where the teacher runs is a `TeacherRunner`: in this process (`run_here`), or on a Ray
cluster (`ray_pairs`); the PNGs and the manifest are always written here.
"""

from __future__ import annotations

import fnmatch
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

import numpy as np
from tqdm import tqdm

from .crops import Crop, load_rgb, read_crops, save_rgb, write_atomic
from .teachers import Teacher, TeacherError, run_teacher

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

MANIFEST = "pairs.json"
MANIFEST_VERSION = 1
# The catalogue shipped beside this package's pyproject.toml (present in a source checkout).
DEFAULT_SOURCES = Path(__file__).resolve().parents[2] / "sources.toml"

PathLike = Union[str, os.PathLike]


class PairsError(ValueError):
    """Pairs cannot be built: unknown source, clashing names, another teacher's folder..."""


@dataclass(frozen=True)
class TeacherResult:
    """What the teacher made of one crop, and how long it took."""

    name: str
    target: np.ndarray
    millis: float


TeacherRunner = Callable[[list[Crop]], Iterator[list[TeacherResult]]]
"""Runs the teacher over crops, yielding results in batches as they finish, in any order."""


def teach_crop(teacher: Teacher, crop: Crop) -> TeacherResult:
    """The teacher's result for one crop; a failure names the crop."""
    image = load_rgb(crop.image_path)
    start = time.perf_counter()
    try:
        target = run_teacher(teacher, image, crop.landmarks)
    except Exception as err:
        raise TeacherError(f"teacher `{teacher.name}` failed on crop `{crop.name}` ({crop.image_path}): {err}") from err
    return TeacherResult(crop.name, target, 1000.0 * (time.perf_counter() - start))


def run_here(teacher: Teacher) -> TeacherRunner:
    """Runs `teacher` in this process, one crop at a time."""

    def run(crops: list[Crop]) -> Iterator[list[TeacherResult]]:
        for crop in crops:
            yield [teach_crop(teacher, crop)]

    return run


@dataclass(frozen=True)
class SourceEntry:
    """One `[[source]]` of the catalogue."""

    patterns: tuple[str, ...]
    licence: str
    origin: str
    evaluation_only: bool = False


class SourceCatalog:
    """Source files (by name or glob) and the licence and origin of each."""

    def __init__(self, entries: Iterable[SourceEntry], path: Optional[Path] = None):
        self.entries = list(entries)
        self.path = path

    @classmethod
    def load(cls, path: PathLike = DEFAULT_SOURCES) -> "SourceCatalog":
        """Reads a TOML catalogue; errors name the file and the entry at fault."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise PairsError(
                f"{path}: cannot read the sources catalogue ({err}); pass the path of one "
                "(distill/sources.toml in the Lensmith repository is the model)"
            ) from err
        except tomllib.TOMLDecodeError as err:
            raise PairsError(f"{path}: not valid TOML ({err})") from err
        raw = data.get("source", [])
        if not isinstance(raw, list):
            raise PairsError(f"{path}: `source` must be an array of tables, written [[source]]")
        entries = [_entry(path, i, item) for i, item in enumerate(raw, start=1)]
        faces = data.get("faces")
        if faces is not None:
            # The people of a faces catalogue, generated from it so that the two cannot drift.
            from .faces import FacesError, load_catalogue, source_entries

            if not isinstance(faces, str) or not faces:
                raise PairsError(f"{path}: `faces` must be the path of a faces catalogue, e.g. \"faces.toml\"")
            try:
                catalogue = load_catalogue(path.parent / faces)
            except FacesError as err:
                raise PairsError(f"{path}: `faces = \"{faces}\"`: {err}") from err
            entries += [SourceEntry(*entry) for entry in source_entries(catalogue)]
        return cls(entries, path)

    def lookup(self, crop: Crop) -> SourceEntry:
        """The first entry that matches the crop's source, or a PairsError saying what to add."""
        names = _candidates(crop)
        for entry in self.entries:
            if any(fnmatch.fnmatchcase(n, p) for p in entry.patterns for n in names):
                return entry
        where = self.path or "the sources catalogue"
        raise PairsError(
            f"crop `{crop.name}` comes from `{crop.source}`, which has no licence entry in "
            f"{where}. Add one saying where it came from and under what terms it may be used:\n"
            f"\n[[source]]\nmatch = \"{Path(crop.source).name}\"\n"
            "licence = \"...\"  # e.g. \"CC BY 4.0\", \"public domain\", \"own recording\"\n"
            "origin = \"...\"   # who made it and where to fetch it again\n"
        )


def build_pairs(
    crops_dirs: Union[PathLike, Iterable[PathLike]],
    teacher: Teacher,
    out_dir: PathLike,
    sources: SourceCatalog,
    progress: bool = True,
    runner: Optional[TeacherRunner] = None,
) -> dict:
    """Runs `teacher` over every crop in `crops_dirs`; returns the manifest it wrote.

    Every crop's source is looked up before any teacher runs, so an unlicensed source
    fails fast. Names must be unique across the folders. `runner` says where the teacher
    runs (default: here); `teacher` names the pairs whichever runs it.
    """
    dirs = [crops_dirs] if isinstance(crops_dirs, (str, os.PathLike)) else list(crops_dirs)
    crops: dict[str, Crop] = {}
    for folder in dirs:
        for crop in read_crops(folder):
            if crop.name in crops:
                raise PairsError(
                    f"two crops are named `{crop.name}`: in {crops[crop.name].image_path.parent} "
                    f"and {crop.image_path.parent}; remove one folder or rename its crops"
                )
            crops[crop.name] = crop
    licences = {name: sources.lookup(crop) for name, crop in crops.items()}

    out = Path(out_dir)
    manifest = _open_manifest(out, teacher)
    # A listed pair whose PNGs are gone is forgotten (and made again if its crop is here),
    # so the manifest never lists a file that is not there.
    done = {pair["name"]: pair for pair in manifest["pairs"] if _pngs_exist(out, pair)}
    # Pairs made before the landmarks were kept get them now (cheap); new pairs get them as
    # they are made, so that nothing is written before the teacher runs.
    for name in done.keys() & crops.keys():
        _write_landmarks(out, crops[name])
    todo = [crop for crop in crops.values() if crop.name not in done]
    with tqdm(total=len(todo), desc=f"teacher {teacher.name}", unit="crop", disable=not progress) as bar:
        for results in (runner or run_here(teacher))(todo):
            for result in results:
                crop = crops[result.name]
                save_rgb(out / "input" / f"{crop.name}.png", load_rgb(crop.image_path))
                save_rgb(out / "target" / f"{crop.name}.png", result.target)
                _write_landmarks(out, crop)
                done[crop.name] = _pair(crop, licences[crop.name], result.millis)
            # Written after every batch: a crash or Ctrl-C loses at most the batches in progress.
            _write_manifest(out, manifest, done)
            bar.update(len(results))
    return _write_manifest(out, manifest, done)


def _write_landmarks(out: Path, crop: Crop) -> None:
    """The crop's landmarks beside its pair (`OUT/landmarks/NAME.json`): `distill evaluate`
    finds the face's region with them."""
    marks = out / "landmarks" / f"{crop.name}.json"
    if not marks.is_file():
        write_atomic(marks, json.dumps({"landmarks": np.round(crop.landmarks, 3).tolist()}).encode())


def _pair(crop: Crop, entry: SourceEntry, millis: float) -> dict:
    """The manifest's entry for one finished pair."""
    return {
        "name": crop.name,
        "input": f"input/{crop.name}.png",
        "target": f"target/{crop.name}.png",
        "source": crop.source,
        "frame": crop.frame,
        "frame_name": crop.frame_name,
        "face_id": crop.face_id,
        "licence": entry.licence,
        "origin": entry.origin,
        "evaluation_only": entry.evaluation_only,
        "teacher_ms": round(millis, 1),
    }


def _entry(path: Path, index: int, item: object) -> SourceEntry:
    where = f"{path}: [[source]] number {index}"
    if not isinstance(item, dict):
        raise PairsError(f"{where} is not a table")
    match = item.get("match")
    patterns = [match] if isinstance(match, str) else match
    if not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise PairsError(f"{where}: `match` must be a file name or glob, or a list of them")
    for field in ("licence", "origin"):
        if not isinstance(item.get(field), str) or not item[field].strip():
            raise PairsError(f"{where} ({patterns[0]}): `{field}` is missing or empty")
    evaluation_only = item.get("evaluation_only", False)
    if not isinstance(evaluation_only, bool):
        raise PairsError(f"{where} ({patterns[0]}): `evaluation_only` must be true or false")
    return SourceEntry(tuple(patterns), item["licence"], item["origin"], evaluation_only)


def _candidates(crop: Crop) -> list[str]:
    """The names a catalogue pattern may match for this crop's source."""
    source = crop.source.replace("\\", "/").rstrip("/")
    base = source.rsplit("/", 1)[-1]
    names = [source, base]
    if crop.frame_name:
        # For a folder of images, the image itself is the source that has a licence.
        names += [f"{source}/{crop.frame_name}", f"{base}/{crop.frame_name}", crop.frame_name]
    return names


def _open_manifest(out: Path, teacher: Teacher) -> dict:
    path = out / MANIFEST
    fresh = {
        "version": MANIFEST_VERSION,
        "teacher": {"name": teacher.name, "description": teacher.description},
        "pairs": [],
    }
    if not path.exists():
        return fresh
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        recorded = manifest["teacher"]
        pairs = manifest["pairs"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise PairsError(
            f"{path}: not a readable pairs manifest ({err}); delete {out} to start afresh"
        ) from err
    if recorded != fresh["teacher"]:
        raise PairsError(
            f"{out} holds pairs from teacher `{recorded.get('name')}` "
            f"({recorded.get('description')}), not `{teacher.name}` ({teacher.description}); "
            "choose another output folder, or delete this one to rebuild it"
        )
    fresh["pairs"] = [p for p in pairs if isinstance(p, dict) and "name" in p]
    return fresh


def _pngs_exist(out: Path, pair: dict) -> bool:
    return all((out / pair.get(key, "")).is_file() for key in ("input", "target"))


def _write_manifest(out: Path, manifest: dict, done: dict[str, dict]) -> dict:
    pairs = [done[name] for name in sorted(done)]
    millis = [p["teacher_ms"] for p in pairs if isinstance(p.get("teacher_ms"), (int, float))]
    manifest = dict(manifest, pairs=pairs)
    manifest["totals"] = {
        "pairs": len(pairs),
        "evaluation_only": sum(1 for p in pairs if p.get("evaluation_only")),
        "teacher_ms_total": round(sum(millis), 1),
        "teacher_ms_mean": round(sum(millis) / len(millis), 1) if millis else None,
        "licences": sorted({p["licence"] for p in pairs if "licence" in p}),
    }
    write_atomic(out / MANIFEST, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode())
    return manifest
