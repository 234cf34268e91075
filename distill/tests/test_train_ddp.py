"""`distill train` under torchrun: two gloo processes on the CPU learn, only rank 0 writes the
run folder, a stopped two-process run resumes to the same losses, and a batch that does not
split over the processes, or a resume with another number of processes, is refused.

Every run is `python -m torch.distributed.run` (what `torchrun` runs) of `python -m
lensmith_distill train`. A `sitecustomize` on the workers' PYTHONPATH records, per rank,
every file opened for writing, renamed or made under the run folder (Python audit hooks),
so "only rank 0 writes" is observed rather than assumed. Without torch.distributed and
gloo these tests skip and say why, or fail where LENSMITH_REQUIRE_ASSETS=1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from conftest import REPO, skip_or_fail
from lensmith_distill.cli import main as distill
from lensmith_distill.crops import save_rgb
from lensmith_distill.dataset import to_pixels, to_unit_range
from test_student import darkened_pairs

STEPS = 40
TRAIN = ["--steps", str(STEPS), "--batch", "4", "--patch", "48", "--width", "0.35", "--size", "64",
         "--eval-every", "20", "--checkpoint-every", "5", "--held-out", "held.png"]
RUN_FILES = {"run.json", "checkpoint.pt", "student.pt", "history.json", "loss.png", "heldout.png"}


def launcher_workaround() -> list[str]:
    """torchrun options this PyTorch needs. PyTorch 1.13 (Debian 12's) on Python 3.11 cannot
    parse its own default `--redirects 0 --tee 0` (its `Std.from_str` iterates an IntFlag,
    which no longer yields the zero member), so it crashes before starting a worker; sending
    stderr through its log tail (2) parses, and still shows everything."""
    from torch.distributed.elastic.multiprocessing.api import Std

    return ["--redirects", "2", "--tee", "2"] if Std.from_str("0") is None else []


WRITE_RECORDER = textwrap.dedent('''
    """Test aid: logs this rank's writes under $RECORD_RUN to $RECORD_LOGS/rank<RANK>.log."""
    import os, sys
    if "RANK" in os.environ and "RECORD_RUN" in os.environ:
        _run, _log = os.environ["RECORD_RUN"] + os.sep, os.path.join(os.environ["RECORD_LOGS"], f"rank{os.environ['RANK']}.log")

        def _note(line):
            with open(_log, "a") as log:
                log.write(line + "\\n")

        def _hook(event, args):
            writes = event == "open" and isinstance(args[1], str) and any(c in args[1] for c in "wax+")
            if writes or event in ("os.rename", "os.mkdir", "os.remove"):
                paths = [str(args[0]) + os.sep] + ([str(args[1])] if event == "os.rename" else [])
                if any(path.startswith(_run) for path in paths):
                    _note(f"{event} {args[0]}")

        _note("recording")
        sys.addaudithook(_hook)
''')


@pytest.fixture(scope="module")
def torchrun_available() -> None:
    if not (torch.distributed.is_available() and torch.distributed.is_gloo_available()):
        skip_or_fail("this PyTorch has no torch.distributed with gloo, which torchrun needs")
    if importlib.util.find_spec("torch.distributed.run") is None:
        skip_or_fail("this PyTorch has no torch.distributed.run (torchrun)")


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> Path:
    """8 pairs on disk as `distill pairs` writes them; 2 of them, from held.png, held out."""
    folder = tmp_path_factory.mktemp("pairs")
    made = darkened_pairs(8, 64)
    entries = []
    for index, name in enumerate(made.names):
        save_rgb(folder / "input" / f"{name}.png", to_pixels(to_unit_range(made.inputs[index])))
        save_rgb(folder / "target" / f"{name}.png", to_pixels(to_unit_range(made.targets[index])))
        entries.append({"name": name, "source": "held.png" if index >= 6 else "train.png"})
    (folder / "pairs.json").write_text(json.dumps({"pairs": entries}))
    return folder


def torchrun(pairs: Path, run: Path, *extra: str, wait: bool = True):
    """Starts two processes of `distill train`; waits and returns the finished process, or not."""
    recorder = run.parent / f"{run.name}-recorder"
    (recorder / "logs").mkdir(parents=True, exist_ok=True)
    (recorder / "sitecustomize.py").write_text(WRITE_RECORDER)
    env = dict(os.environ, RECORD_RUN=str(run), RECORD_LOGS=str(recorder / "logs"),
               PYTHONPATH=os.pathsep.join([str(recorder), str(REPO / "distill" / "src"), os.environ.get("PYTHONPATH", "")]))
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               *launcher_workaround(), "-m", "lensmith_distill", "train", str(pairs), "--run", str(run), *TRAIN, *extra]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    if not wait:
        return process
    output, _ = process.communicate(timeout=300)
    process.output = output
    return process


def written_by(run: Path, rank: int) -> list[str]:
    log = run.parent / f"{run.name}-recorder" / "logs" / f"rank{rank}.log"
    assert log.is_file(), f"rank {rank} did not record (was sitecustomize loaded?)"
    lines = log.read_text().splitlines()
    assert lines[0] == "recording"
    return lines[1:]


@pytest.fixture(scope="module")
def two_process_run(torchrun_available, pairs, tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("ddp") / "run"
    started = time.perf_counter()
    done = torchrun(pairs, run, "--quiet")
    assert done.returncode == 0, done.output
    print(f"two-process run of {STEPS} steps: {time.perf_counter() - started:.1f} s")
    return run


def test_two_processes_learn_and_only_rank_zero_writes(two_process_run):
    run = two_process_run
    history = json.loads((run / "history.json").read_text())
    losses = [entry["total"] for entry in history["steps"]]
    assert len(losses) == STEPS
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.7 * first, (first, last)
    assert [e["step"] for e in history["evaluations"]] == [20, 40]
    assert json.loads((run / "run.json").read_text())["processes"] == 2
    assert {path.name for path in run.iterdir()} == RUN_FILES
    assert written_by(run, 1) == [], "rank 1 wrote into the run folder"
    rank_zero = " ".join(written_by(run, 0))
    for name in RUN_FILES:
        assert name in rank_zero, f"{name} was not written by rank 0"
    states = torch.load(run / "checkpoint.pt")["random_states"]
    assert len(states) == 2 and not torch.equal(states[0]["generator"], states[1]["generator"])


def test_a_stopped_two_process_run_resumes_to_the_same_losses(two_process_run, pairs, tmp_path):
    run = tmp_path / "run"
    process = torchrun(pairs, run, "--quiet", wait=False)
    try:
        while not (run / "checkpoint.pt").exists() and process.poll() is None:
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the agent and both workers, mid-run
        process.communicate()
    stopped_at = torch.load(run / "checkpoint.pt")["step"]
    assert stopped_at < STEPS and not (run / "history.json").exists()
    done = torchrun(pairs, run)  # not quiet: rank 0 alone says where it resumes
    assert done.returncode == 0, done.output
    assert done.output.count(f"resuming {run} at step {stopped_at} of {STEPS}") == 1, done.output
    assert done.output.count("model: ") == 1
    assert f"resuming {run} at step {stopped_at} of {STEPS}" in done.output
    resumed = json.loads((run / "history.json").read_text())["steps"]
    whole = json.loads((two_process_run / "history.json").read_text())["steps"]
    assert [e["step"] for e in resumed] == list(range(1, STEPS + 1))
    for after, before in zip(resumed, whole):
        assert after["total"] == pytest.approx(before["total"], rel=1e-4), after["step"]


def test_resuming_with_another_number_of_processes_is_refused(two_process_run, pairs, monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit, match=r"written by a run of 2 process\(es\), and this run has 1"):
        distill(["train", str(pairs), "--run", str(two_process_run), *TRAIN, "--quiet"])


def test_a_batch_that_does_not_split_over_the_processes_is_refused(torchrun_available, pairs, tmp_path):
    done = torchrun(pairs, tmp_path / "run", "--batch", "5", "--quiet")
    assert done.returncode != 0
    assert "--batch 5 does not split evenly over 2 processes" in done.output, done.output
    assert not (tmp_path / "run").exists()
