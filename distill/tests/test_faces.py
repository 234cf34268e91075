"""The faces catalogue: parsing errors name file and entry, the split is by person and
deterministic, the shipped catalogue validates, and the fetcher checks hashes and paths."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
from conftest import skip_or_fail

from lensmith_distill.faces import (DEFAULT_CATALOGUE, FacesError, crops_plan, keep_crops_in_box, load_catalogue,
                                    split_people)
from lensmith_distill.faces_fetch import Archive, fetch, fetch_package, safe_member_path
from lensmith_distill.pairs import SourceCatalog

H = "0" * 64


def package(pid="pkg", **extra) -> str:
    fields = dict(id=pid, registry="pypi", name="demo", version="1.0", file="demo-1.0.tar.gz", sha256=H, size=10,
                  licence="MIT", licence_at="LICENSE")
    fields.update(extra)
    return "[[package]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in fields.items() if v is not None)


def person(pid="p1", pkg="pkg", files='[{ path = "a.jpg", sha256 = "%s" }]' % H, use="train", licence="MIT") -> str:
    text = f'[[person]]\nid = "{pid}"\npackage = "{pkg}"\nuse = "{use}"\nfiles = {files}\n'
    return text + (f'licence = "{licence}"\n' if licence is not None else "")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faces.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, message", [
    (package() + person(licence=None), "[[person]] number 1 (`p1`): `licence` is missing"),
    (package() + person(pkg="nope"), "package `nope` is not a [[package]] id"),
    (package() + person() + person(), "id `p1` is already [[person]] number 1"),
    (package() + person() + person(pid="p2"), "`a.jpg` (package `pkg`) is listed for p1, p2"),
    (package() + person(files='[{ path = "a.jpg", sha256 = "%s", box = [1, 2, 0, 4] }]' % H), "`box` must be"),
    (package() + person(files='[{ path = "a.jpg", sha256 = "%s", box = [1, 2] }]' % H), "`box` must be"),
    (package() + person(files='[{ path = "../a.jpg", sha256 = "%s" }]' % H), "without `..`"),
    (package() + person(use="maybe"), "use `maybe` is not one of"),
    (package(registry="cargo") + person(), "[[package]] number 1 (`pkg`): registry `cargo`"),
    (package(licence=None) + person(), "[[package]] number 1 (`pkg`): `licence` is missing"),
])
def test_catalogue_errors_name_file_and_entry(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(FacesError) as err:
        load_catalogue(path)
    assert str(path) in str(err.value) and message in str(err.value), str(err.value)


def test_shared_file_with_boxes_is_accepted(tmp_path):
    box = '[{ path = "a.jpg", sha256 = "%s", box = [%d, 0, 10, 10] }]'
    catalogue = load_catalogue(write(tmp_path, package() + person(files=box % (H, 0)) + person("p2", files=box % (H, 20))))
    assert [p.files[0].box for p in catalogue.people] == [(0, 0, 10, 10), (20, 0, 10, 10)]


def many_people(tmp_path: Path, n: int = 60) -> Path:
    text = package()
    for i in range(n):
        use = "evaluation" if i % 4 == 0 else "train"
        text += person(f"p{i}", files='[{ path = "f%d.jpg", sha256 = "%s" }]' % (i, H), use=use)
        if i in (1, 2, 3):
            text += 'group = "same-model"\n'
    return write(tmp_path, text)


def test_split_is_by_person_deterministic_and_keeps_evaluation_people_out(tmp_path):
    catalogue = load_catalogue(many_people(tmp_path))
    first = split_people(catalogue, seed=3, tune_share=0.25, evaluation_share=0.1)
    again = split_people(load_catalogue(many_people(tmp_path)), seed=3, tune_share=0.25, evaluation_share=0.1)
    assert first.people == again.people
    assert set(first.people) == {p.id for p in catalogue.people}  # everyone, exactly once
    members = [set(first.members(s)) for s in ("train", "tune", "evaluation")]
    assert not (members[0] & members[1] or members[0] & members[2] or members[1] & members[2])
    for p in catalogue.people:
        if p.use == "evaluation":
            assert first.people[p.id] == "evaluation"
    assert len({first.people[f"p{i}"] for i in (1, 2, 3)}) == 1  # a group shares its split
    assert first.members("train") and first.members("tune")
    # Adding people moves nobody already there.
    bigger = split_people(load_catalogue(many_people(tmp_path, 80)), seed=3, tune_share=0.25, evaluation_share=0.1)
    assert all(bigger.people[pid] == s for pid, s in first.people.items())
    assert split_people(catalogue, seed=4, tune_share=0.25).people != split_people(catalogue, seed=3, tune_share=0.25).people


def test_shipped_catalogue_validates_and_has_many_people():
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    counts = catalogue.counts()
    assert len(catalogue.people) >= 30 and counts["train"] >= 30 and counts["evaluation"] >= 10, counts
    assert not any("lena" in p.id or "lenna" in p.id for p in catalogue.people)
    assert not any(p.package.startswith("@vladmandic") or "vladmandic" in catalogue.packages[p.package].name
                   for p in catalogue.people)
    split = split_people(catalogue)
    assert all(split.people[p.id] == "evaluation" for p in catalogue.people if p.use == "evaluation")
    # Every person is a licensed source for `distill pairs`, evaluation-only where their use says so.
    sources = SourceCatalog.load()
    from lensmith_distill.crops import Crop

    for p in catalogue.people[:: max(1, len(catalogue.people) // 12)]:
        crop = Crop("c", Path("c.png"), None, f"/home/u/.cache/lensmith/faces/{p.id}/{p.files[0].name}", 0, 0)
        entry = sources.lookup(crop)
        assert entry.licence == p.licence and entry.evaluation_only == (p.use != "train")


def tgz(path: Path, members: dict[str, bytes], link: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
    return path


def test_archive_refuses_paths_that_escape_and_skips_links(tmp_path):
    with pytest.raises(FacesError, match="escape"):
        Archive(tgz(tmp_path / "bad.tar.gz", {"demo-1.0/../../evil.jpg": b"x"}))
    for name in ("/etc/passwd", "a/../../b", "C:/x"):
        with pytest.raises(FacesError):
            safe_member_path(name)
    archive = Archive(tgz(tmp_path / "ok.tar.gz", {"demo-1.0/a.jpg": b"img"}, link="demo-1.0/link.jpg"))
    assert archive.read("a.jpg") == b"img"  # the top folder is dropped, as pip unpacks sdists
    with pytest.raises(FacesError, match="no file `link.jpg`"):
        archive.read("link.jpg")


def fake_pip(archive: Path):
    """A runner standing in for pip: copies `archive` where pip would save it."""
    calls = []

    def run(command, cwd, env):
        calls.append(command)
        (Path(cwd) / archive.name).write_bytes(archive.read_bytes())
        return subprocess.CompletedProcess(command, 0, "", "")

    return run, calls


def test_fetch_checks_sha256_and_removes_a_bad_download(tmp_path):
    archive = tgz(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/a.jpg": b"img"})
    catalogue = load_catalogue(write(tmp_path, package() + person(files='[{ path = "a.jpg", sha256 = "%s" }]'
                                                                        % hashlib.sha256(b"img").hexdigest())))
    run, _ = fake_pip(archive)
    with pytest.raises(FacesError) as err:
        fetch_package(catalogue.packages["pkg"], tmp_path / "cache", run)
    actual = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert "package `pkg`" in str(err.value) and H in str(err.value) and actual in str(err.value)
    assert not list((tmp_path / "cache").rglob("demo-1.0.tar.gz"))


def test_fetch_writes_people_and_index_and_redoes_nothing(tmp_path):
    archive = tgz(tmp_path / "demo-1.0.tar.gz", {"demo-1.0/a.jpg": b"img"})
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    catalogue = load_catalogue(write(tmp_path, package(sha256=digest) + person(
        files='[{ path = "a.jpg", sha256 = "%s", box = [1, 2, 3, 4] }]' % hashlib.sha256(b"img").hexdigest())))
    run, calls = fake_pip(archive)
    into = tmp_path / "faces"
    index = fetch(catalogue, into, runner=run, log=lambda _: None)
    assert (into / "p1" / "a.jpg").read_bytes() == b"img"
    assert index["people"]["p1"]["files"][0]["box"] == [1, 2, 3, 4]
    assert json.loads((into / "index.json").read_text()) == index
    fetch(catalogue, into, runner=run, log=lambda _: None)
    assert len(calls) == 1  # the second run found the checked download in the cache
    plan = crops_plan(index, into)
    assert plan[0]["box"] == [1, 2, 3, 4] and plan[0]["command"][:3] == ["lensmith", "crops", str(into / "p1" / "a.jpg")]
    crops = [{"transform": {"center": [2.0, 3.0]}}, {"transform": {"center": [50.0, 3.0]}}]
    assert keep_crops_in_box(crops, [1, 2, 3, 4]) == crops[:1]


def test_real_fetch_of_the_smallest_package(tmp_path):
    """One real download with the registry's own client: the smallest package pip keeps whole."""
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    smallest = min((p for p in catalogue.packages.values() if p.size_exact), key=lambda p: p.size)
    assert smallest.size < 5_000_000
    try:
        index = fetch(catalogue, tmp_path, only=[smallest.id])
    except FacesError as err:
        text = str(err).lower()
        if any(word in text for word in ("connection", "network", "resolve", "timed out", "unreachable",
                                         "no matching distribution", "could not find a version")):
            skip_or_fail(f"the {smallest.registry} registry cannot be reached: {err}")
        raise
    people = [p for p in catalogue.people if all(f.package == smallest.id for f in p.files)]
    assert people and set(index["people"]) == {p.id for p in people}
    for p in people:
        for f in p.files:
            assert hashlib.sha256((tmp_path / p.id / f.name).read_bytes()).hexdigest() == f.sha256
