"""`distill pairs --ray`: a private 2-CPU Ray instance makes the same pairs as the teacher
run in this process, a crop the teacher fails on is named, and no cluster is a clear error.
(`--ray auto` against a cluster made by `ray start --head` was checked by hand, not here:
the test would leave a machine-wide Ray running if it failed half-way.)

Needs the `ray` package (pinned in xtask/distill-requirements.txt); without it these tests
skip and say why, or fail where LENSMITH_REQUIRE_ASSETS=1.
"""

from __future__ import annotations

import socket
import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import skip_or_fail, write_crop
from test_pairs import CATALOGUE, crops_dir  # noqa: F401 (crops_dir is a fixture)
from lensmith_distill.cli import main as distill
from lensmith_distill.crops import load_rgb, read_crops

RAY_LOCAL = ["--ray", "local", "--ray-cpus", "2"]


@pytest.fixture
def ray_installed() -> None:
    try:
        import ray  # noqa: F401
    except ImportError as err:
        skip_or_fail(f"cannot import ray ({err}): pip install --require-hashes --no-deps -r "
                     "xtask/distill-requirements.txt")


@pytest.fixture
def sources(tmp_path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(CATALOGUE)
    return path


def without_timings(manifest: dict) -> dict:
    pairs = [{k: v for k, v in pair.items() if k != "teacher_ms"} for pair in manifest["pairs"]]
    totals = {k: v for k, v in manifest["totals"].items() if not k.startswith("teacher_ms")}
    return dict(manifest, pairs=pairs, totals=totals)


def test_ray_makes_the_same_pairs_as_one_process(ray_installed, crops_dir, sources, tmp_path):
    here, on_ray = tmp_path / "here", tmp_path / "ray"
    command = ["pairs", str(crops_dir), "--teacher", "cartoon", "--sources", str(sources)]
    assert distill(command + ["-o", str(here)]) == 0
    # Two crops a task: two tasks, on two CPUs at once.
    assert distill(command + ["-o", str(on_ray), *RAY_LOCAL, "--ray-batch", "2"]) == 0
    expected = json.loads((here / "pairs.json").read_text())
    made = json.loads((on_ray / "pairs.json").read_text())
    assert len(made["pairs"]) == 3 and all(pair["teacher_ms"] > 0 for pair in made["pairs"])
    assert without_timings(made) == without_timings(expected)
    for pair in expected["pairs"]:
        for kind in ("input", "target"):
            assert np.array_equal(load_rgb(on_ray / pair[kind]), load_rgb(here / pair[kind])), pair[kind]
        assert not np.array_equal(load_rgb(here / pair["input"]), load_rgb(here / pair["target"]))


def test_a_crop_the_teacher_fails_on_is_named(ray_installed, crops_dir, sources, tmp_path, monkeypatch):
    # A teacher the Ray workers import: from a folder on PYTHONPATH, which they inherit.
    (tmp_path / "picky_teacher.py").write_text(textwrap.dedent('''
        def negative(image, landmarks):
            """Photographic negative; refuses a blank crop."""
            if image.std() == 0:
                raise ValueError("a blank crop: nothing to stylise")
            return 255 - image
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    landmarks = read_crops(crops_dir)[0].landmarks
    write_crop(crops_dir, "clip_000005_face0", np.full((256, 256, 3), 128, np.uint8), landmarks, "/videos/clip.mp4", 5)
    with pytest.raises(SystemExit) as failure:
        distill(["pairs", str(crops_dir), "--teacher", "python:picky_teacher:negative", "--sources", str(sources),
                 "-o", str(tmp_path / "pairs"), *RAY_LOCAL, "--ray-batch", "1"])
    message = str(failure.value)
    assert "failed on crop `clip_000005_face0`" in message and "a blank crop" in message, message
    made = json.loads((tmp_path / "pairs" / "pairs.json").read_text())["pairs"] \
        if (tmp_path / "pairs" / "pairs.json").exists() else []
    assert "clip_000005_face0" not in [pair["name"] for pair in made]


def test_no_cluster_to_join_says_what_to_do(ray_installed, crops_dir, sources, tmp_path, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    if Path("/tmp/ray/ray_current_cluster").exists():
        pytest.skip("a Ray cluster runs on this machine, so --ray auto would join it")
    with pytest.raises(SystemExit) as failure:
        distill(["pairs", str(crops_dir), "--teacher", "cartoon", "--sources", str(sources),
                 "-o", str(tmp_path / "pairs"), "--ray", "auto"])
    message = str(failure.value)
    assert "cannot connect to Ray at `auto`" in message and "ray start --head" in message, message
    assert not (tmp_path / "pairs").exists(), "nothing is written before the teacher runs"


def test_an_address_where_nothing_listens_fails_at_once(ray_installed, crops_dir, sources, tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SystemExit) as failure:
        distill(["pairs", str(crops_dir), "--sources", str(sources), "-o", str(tmp_path / "pairs"),
                 "--ray", f"127.0.0.1:{port}"])
    assert f"nothing answers on 127.0.0.1:{port}" in str(failure.value) and "ray start --head" in str(failure.value)


def test_ray_options_need_ray(crops_dir, sources, tmp_path):
    with pytest.raises(SystemExit, match="add --ray"):
        distill(["pairs", str(crops_dir), "--sources", str(sources), "-o", str(tmp_path / "p"), "--ray-cpus", "2"])
