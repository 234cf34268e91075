"""The faces catalogue (`distill/faces.toml`): real people in registry packages, each with
their files, licence and `use`, and a split BY PERSON into train / tune / evaluation.

Fetching lives in `faces_fetch`; this module reads and checks the catalogue, splits it
and plans the crops, and needs nothing but the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Union

from .atomic import write_atomic

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

# The catalogue shipped beside this package's pyproject.toml (present in a source checkout).
DEFAULT_CATALOGUE = Path(__file__).resolve().parents[2] / "faces.toml"
REGISTRIES = ("pypi", "npm", "debian")
USES = ("train", "evaluation")
SPLITS = ("train", "tune", "evaluation")
INDEX = "index.json"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

PathLike = Union[str, os.PathLike]


class FacesError(ValueError):
    """The faces catalogue, a download or a split is wrong; the message says where and what to do."""


@dataclass(frozen=True)
class Package:
    """One `[[package]]`: a file a registry serves, and its licence."""

    id: str
    registry: str
    name: str
    version: str
    file: str
    sha256: str
    size: int
    licence: str
    licence_at: str
    size_exact: bool = True


@dataclass(frozen=True)
class FaceFile:
    """One file of a person: where it is inside which package, its hash, and the face's box."""

    package: str
    path: str
    sha256: str
    box: Optional[tuple[int, int, int, int]] = None

    @property
    def name(self) -> str:
        """The file's name under `DIR/<person-id>/` (a Qt resource blob becomes a PNG)."""
        base = self.path.rsplit("/", 1)[-1]
        if "#qt-resource-" in base:
            stem, number = base.split("#qt-resource-")
            return f"{stem.rsplit('.', 1)[0]}-{number}.png"
        return base


@dataclass(frozen=True)
class Person:
    """One `[[person]]`: a distinct real person, their files, `use` and licence."""

    id: str
    package: str
    use: str
    licence: str
    files: tuple[FaceFile, ...]
    attributes: tuple[str, ...] = ()
    group: Optional[str] = None

    @property
    def split_key(self) -> str:
        """What the split hashes: the group, so that people who may be one person stay together."""
        return self.group or self.id


@dataclass
class Catalogue:
    """The packages and the people of a faces catalogue."""

    packages: dict[str, Package]
    people: list[Person]
    path: Optional[Path] = None
    by_id: dict[str, Person] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.people}

    def counts(self) -> dict[str, int]:
        """People per `use`."""
        return dict(Counter(p.use for p in self.people))


def load_catalogue(path: PathLike = DEFAULT_CATALOGUE) -> Catalogue:
    """Reads and checks a faces catalogue; every error names the file and the entry."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise FacesError(f"{path}: cannot read the faces catalogue ({err}); distill/faces.toml is the model") from err
    except tomllib.TOMLDecodeError as err:
        raise FacesError(f"{path}: not valid TOML ({err})") from err
    packages: dict[str, Package] = {}
    for i, item in enumerate(_tables(path, data, "package"), start=1):
        package = _package(f"{path}: [[package]] number {i}", item)
        if package.id in packages:
            raise FacesError(f"{path}: [[package]] number {i}: id `{package.id}` is used twice; ids must be unique")
        packages[package.id] = package
    people: list[Person] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(_tables(path, data, "person"), start=1):
        person = _person(f"{path}: [[person]] number {i}", item, packages)
        if person.id in seen:
            raise FacesError(f"{path}: [[person]] number {i}: id `{person.id}` is already [[person]] number "
                             f"{seen[person.id]}; the same person in several files or packages is ONE entry "
                             "with several files")
        seen[person.id] = i
        people.append(person)
    _check_shared_files(path, people)
    return Catalogue(packages, people, path)


def _tables(path: Path, data: dict, key: str) -> list[dict]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise FacesError(f"{path}: `{key}` must be an array of tables, written [[{key}]]")
    return raw


def _text(where: str, item: dict, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FacesError(f"{where}: `{key}` is missing or empty")
    return value


def _package(where: str, item: dict) -> Package:
    pid = _text(where, item, "id")
    where = f"{where} (`{pid}`)"
    registry = _text(where, item, "registry")
    if registry not in REGISTRIES:
        raise FacesError(f"{where}: registry `{registry}` is not one of {', '.join(REGISTRIES)}")
    digest = _text(where, item, "sha256").lower()
    if not _SHA256.match(digest):
        raise FacesError(f"{where}: `sha256` must be 64 hexadecimal digits")
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise FacesError(f"{where}: `size` must be the file's size in bytes, a positive integer")
    file = _text(where, item, "file")
    if "/" in file or "\\" in file:
        raise FacesError(f"{where}: `file` is a file name as the registry serves it, not a path")
    return Package(pid, registry, _text(where, item, "name"), _text(where, item, "version"), file, digest, size,
                   _text(where, item, "licence"), _text(where, item, "licence_at"), bool(item.get("size_exact", True)))


def _person(where: str, item: dict, packages: dict[str, Package]) -> Person:
    pid = _text(where, item, "id")
    if not _ID.match(pid):
        raise FacesError(f"{where}: id `{pid}` must be lower-case letters, digits, `.`, `_` and `-` "
                         "(it becomes a folder name)")
    where = f"{where} (`{pid}`)"
    package = _text(where, item, "package")
    if package not in packages:
        raise FacesError(f"{where}: package `{package}` is not a [[package]] id of this catalogue "
                         f"(known: {', '.join(sorted(packages)) or 'none'})")
    use = _text(where, item, "use")
    if use not in USES:
        raise FacesError(f"{where}: use `{use}` is not one of {', '.join(USES)} (excluded people are not listed)")
    licence = _text(where, item, "licence")
    attributes = item.get("attributes", [])
    if not isinstance(attributes, list) or not all(isinstance(a, str) and a for a in attributes):
        raise FacesError(f"{where}: `attributes` must be a list of words, e.g. [\"glasses\", \"yaw ~45\"]")
    group = item.get("group")
    if group is not None and (not isinstance(group, str) or not group):
        raise FacesError(f"{where}: `group` must be a non-empty string")
    raw = item.get("files")
    if not isinstance(raw, list) or not raw:
        raise FacesError(f"{where}: `files` must list at least one file, as {{ path = \"...\", sha256 = \"...\" }}")
    files = tuple(_file(f"{where} file {k}", entry, package, packages) for k, entry in enumerate(raw, start=1))
    names = Counter(f.name for f in files)
    if any(n > 1 for n in names.values()):
        raise FacesError(f"{where}: two files are both named `{names.most_common(1)[0][0]}`; "
                         "they would overwrite each other in the person's folder")
    return Person(pid, package, use, licence, files, tuple(attributes), group)


def _file(where: str, entry: object, default_package: str, packages: dict[str, Package]) -> FaceFile:
    if not isinstance(entry, dict):
        raise FacesError(f"{where}: expected {{ path = \"...\", sha256 = \"...\" }}")
    path = _text(where, entry, "path")
    parts = path.split("#")[0].split("/")
    if path.startswith("/") or ".." in parts or "\\" in path:
        raise FacesError(f"{where}: path `{path}` must be relative, inside the package, without `..`")
    package = entry.get("package", default_package)
    if package not in packages:
        raise FacesError(f"{where}: package `{package}` is not a [[package]] id of this catalogue")
    digest = entry.get("sha256")
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise FacesError(f"{where} (`{path}`): `sha256` must be the file's 64-digit hexadecimal SHA-256")
    box = entry.get("box")
    if box is not None:
        if (not isinstance(box, list) or len(box) != 4 or not all(isinstance(v, int) and not isinstance(v, bool) for v in box)
                or box[0] < 0 or box[1] < 0 or box[2] <= 0 or box[3] <= 0):
            raise FacesError(f"{where} (`{path}`): `box` must be [x, y, width, height] in whole pixels, "
                             f"x and y ≥ 0, width and height > 0; got {box!r}")
        box = tuple(box)
    return FaceFile(package, path, digest, box)


def _check_shared_files(path: Path, people: list[Person]) -> None:
    """A file that shows several listed people must say, by a box, which face is whose."""
    owners: dict[tuple[str, str], list[tuple[Person, FaceFile]]] = {}
    for person in people:
        for f in person.files:
            owners.setdefault((f.package, f.path), []).append((person, f))
    for (package, file), listed in owners.items():
        if len(listed) > 1 and any(f.box is None for _, f in listed):
            names = ", ".join(p.id for p, _ in listed)
            raise FacesError(f"{path}: `{file}` (package `{package}`) is listed for {names}; give each of them "
                             "a box = [x, y, w, h] of their own face in that file")


# ---------------------------------------------------------------------------------------------
# The split


@dataclass(frozen=True)
class Split:
    """Which split each person is in, and how it was made."""

    people: dict[str, str]
    seed: int
    tune_share: float
    evaluation_share: float

    def members(self, split: str) -> list[str]:
        """The ids in `split`, sorted."""
        return sorted(pid for pid, s in self.people.items() if s == split)

    def to_json(self) -> dict:
        """What `faces split` writes: the recipe, the people by split, and each person's split."""
        return {"version": 1, "seed": self.seed, "tune_share": self.tune_share,
                "evaluation_share": self.evaluation_share,
                "splits": {s: self.members(s) for s in SPLITS}, "people": dict(sorted(self.people.items()))}


def unit_hash(seed: int, key: str) -> float:
    """A number in [0, 1) from SHA-256 of `seed:key`: the same on every machine and Python."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def split_people(catalogue: Catalogue, seed: int = 0, tune_share: float = 0.2,
                 evaluation_share: float = 0.0) -> Split:
    """Assigns every person to one split, deterministically, by hashing their group or id.

    Evaluation-only people always go to `evaluation`. A train-usable person goes to
    `evaluation` when the hash is below `evaluation_share`, to `tune` when it is below
    `evaluation_share + tune_share`, else to `train`. Hashing each person on their own (not
    shuffling the list) keeps a person's split when others are added to the catalogue. People of
    one group share a split; a group holding any evaluation-only person is all evaluation.
    """
    if not (0.0 <= tune_share <= 1.0 and 0.0 <= evaluation_share <= 1.0 and tune_share + evaluation_share <= 1.0):
        raise FacesError(f"shares must lie in [0, 1] and add up to at most 1 (tune {tune_share}, "
                         f"evaluation {evaluation_share})")
    evaluation_groups = {p.split_key for p in catalogue.people if p.use != "train"}
    people = {}
    for person in catalogue.people:
        key = person.split_key
        if person.use != "train" or key in evaluation_groups:
            people[person.id] = "evaluation"
            continue
        u = unit_hash(seed, key)
        people[person.id] = ("evaluation" if u < evaluation_share
                             else "tune" if u < evaluation_share + tune_share else "train")
    return Split(people, seed, tune_share, evaluation_share)


def split_table(catalogue: Catalogue, split: Split, attributes: Iterable[str] = ()) -> str:
    """A plain-text table: per split, people, images and videos, and attribute coverage."""
    wanted = list(attributes) or ["glasses", "sunglasses", "yaw", "child", "elderly", "smile", "open mouth",
                                  "eyes closed", "occlusion", "black and white", "low light", "small face", "video"]
    header = ["split", "people", "images", "videos"] + wanted
    rows = [header]
    for name in SPLITS:
        members = [catalogue.by_id[pid] for pid in split.members(name)]
        files = [f for p in members for f in p.files]
        videos = sum(1 for f in files if f.name.lower().endswith(VIDEO_SUFFIXES))
        row = [name, str(len(members)), str(len(files) - videos), str(videos)]
        for attribute in wanted:
            row.append(str(sum(1 for p in members if any(a == attribute or a.startswith(attribute + " ")
                                                         for a in p.attributes))))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) if k else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths)))
                     for r in rows)


VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm", ".mkv", ".ogv")


# ---------------------------------------------------------------------------------------------
# The index a fetch writes, and the crops plan


def index_entry(person: Person, catalogue: Catalogue) -> dict:
    """What `index.json` says about one person (paths relative to the faces folder)."""
    package = catalogue.packages[person.package]
    return {"use": person.use, "licence": person.licence, "attributes": list(person.attributes),
            "group": person.group, "package": f"{package.name}@{package.version} ({package.registry})",
            "files": [{"file": f"{person.id}/{f.name}", "box": list(f.box) if f.box else None,
                       "from": f"{catalogue.packages[f.package].name}@{catalogue.packages[f.package].version}:{f.path}",
                       "sha256": f.sha256} for f in person.files]}


def crops_plan(index: dict, faces_dir: PathLike, split: Optional[dict] = None, crops_dir: str = "crops") -> list[dict]:
    """Per person and file: what to give `lensmith crops`, and which face (box) is theirs.

    `lensmith crops` cuts every face it finds and cannot be told which one to keep, so for a
    file with a box the step after it must keep the crop whose face lies in the box
    (`keep_crops_in_box`).
    """
    faces_dir = Path(faces_dir)
    plan = []
    for pid, entry in sorted(index["people"].items()):
        for f in entry["files"]:
            source = faces_dir / f["file"]
            video = source.name.lower().endswith(VIDEO_SUFFIXES)
            out = f"{crops_dir}/{pid}/{source.stem}"
            command = ["lensmith", "crops", str(source), "-o", out, "--size", "256"]
            command += ["--every", "8"] if video else []
            command += ["--max-faces", "32"] if f["box"] else []  # the default, 4, may miss the boxed face
            plan.append({"person": pid, "use": entry["use"], "split": (split or {}).get(pid),
                         "source": str(source), "box": f["box"], "video": video, "output": out,
                         "command": command})
    return plan


def keep_crops_in_box(crops: Iterable[dict], box: Optional[list]) -> list[dict]:
    """Of the crop JSONs `lensmith crops` wrote for one file, those that are the boxed person's:
    the crops whose `transform.center` (the face's centre in frame pixels) lies inside `box`
    (all of them when there is no box)."""
    kept = []
    for crop in crops:
        if box is None:
            kept.append(crop)
            continue
        transform = crop.get("transform", {})
        cx, cy = transform.get("center", [None, None])
        if cx is None:
            continue
        x, y, w, h = box
        if x <= cx <= x + w and y <= cy <= y + h:
            kept.append(crop)
    return kept


def write_json_atomic(path: Path, data: object) -> None:
    """Writes JSON through `atomic.write_atomic`, so a reader never sees half of it."""
    write_atomic(path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


def catalogue_name(catalogue: Catalogue) -> str:
    """How an origin names the catalogue: `distill/faces.toml` for the shipped one (wherever
    the checkout is, so that pairs made in two checkouts agree), else its path."""
    if catalogue.path is None:
        return "the faces catalogue"
    if catalogue.path.resolve() == DEFAULT_CATALOGUE:
        return "distill/faces.toml"
    return str(catalogue.path)


def source_entries(catalogue: Catalogue) -> list[tuple[tuple[str, ...], str, str, bool]]:
    """(patterns, licence, origin, evaluation_only) per person, for `distill pairs`' SourceCatalog:
    a crop cut from `.../<person-id>/FILE` (wherever the faces folder is) has that person's licence."""
    entries = []
    for person in catalogue.people:
        froms = sorted({f"{catalogue.packages[f.package].name}@{catalogue.packages[f.package].version} "
                        f"({catalogue.packages[f.package].registry})" for f in person.files})
        origin = (f"person `{person.id}` of {catalogue_name(catalogue)}: "
                  f"{', '.join(f.path for f in person.files)} from {', '.join(froms)}; fetched by `distill faces fetch`")
        entries.append(((f"{person.id}/*", f"*/{person.id}/*"), person.licence, origin, person.use != "train"))
    return entries
