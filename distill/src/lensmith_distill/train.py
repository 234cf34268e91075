"""Training a student on teacher pairs: AdamW with a cosine schedule, the distillation
loss, the seed's augmentation, a progress bar, held-out PSNR/SSIM as it goes, loss and
metric plots as PNG, and a checkpoint that a stopped run resumes from.

Under torchrun each process trains on its share of the batch with its own random stream
(seed + rank) and DistributedDataParallel averages the gradients; rank 0 alone evaluates,
writes the run folder and shows progress (see `distributed`).

A run folder holds:
- `checkpoint.pt`: model, optimiser, step, history and every process's random state
  (written atomically);
- `student.pt`: the weights with the best held-out PSNR so far, and their config;
- `history.json`, `loss.png`, `heldout.png`: what happened.

A new run may start from another run's `student.pt` (`init`) rather than from random
weights: fine-tuning a student on more or other pairs costs a fraction of training it again.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from tqdm import tqdm

from .augment import AugmentSettings, augment_pair, random_patch
from .dataset import PairSet, to_pixels
from .distributed import SINGLE, Ranks, average, data_parallel, from_main, gather, per_rank_batch
from .losses import LossWeights, distillation_loss
from .metrics import psnr, ssim_uint8
from .student import Student, StudentConfig


@dataclass(frozen=True)
class TrainConfig:
    """One training run's settings."""

    steps: int = 2000
    batch: int = 16
    patch: int = 128
    """Side of the random windows trained on (the student is fully convolutional)."""
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 50
    eval_every: int = 100
    checkpoint_every: int = 50
    seed: int = 20261129
    student: StudentConfig = field(default_factory=StudentConfig)
    losses: LossWeights = field(default_factory=LossWeights)
    augment: AugmentSettings = field(default_factory=AugmentSettings)

    def as_dict(self) -> dict:
        return asdict(self)


def learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up, then a cosine decay to 2 % of the peak."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return config.learning_rate * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def evaluate(model: Student, pairs: PairSet, limit: int | None = None, device: str = "cpu") -> dict:
    """Mean PSNR and SSIM of the student against the teacher on `pairs` (8-bit, full size)."""
    model.eval()
    scores = {"psnr": [], "ssim": []}
    count = len(pairs) if limit is None else min(limit, len(pairs))
    with torch.no_grad():
        for index in range(count):
            inputs, targets = pairs.batch(torch.tensor([index]))
            output = to_pixels(model(inputs.to(device))[0])
            target = to_pixels(targets[0])
            scores["psnr"].append(psnr(output, target))
            scores["ssim"].append(ssim_uint8(output, target))
    model.train()
    return {
        "psnr": sum(scores["psnr"]) / max(1, count),
        "ssim": sum(scores["ssim"]) / max(1, count),
        "psnr_min": min(scores["psnr"], default=float("nan")),
        "ssim_min": min(scores["ssim"], default=float("nan")),
        "count": count,
    }


def save_atomically(value: object, path: Path) -> None:
    """torch.save under a temporary name, then renamed: a crash never leaves half a file."""
    scratch = path.with_name(f".{path.name}.partial")
    torch.save(value, scratch)
    os.replace(scratch, path)


def train(config: TrainConfig, training: PairSet, held_out: PairSet, run: Path,
          eval_limit: int | None = None, quiet: bool = False, device: str = "cpu", ranks: Ranks = SINGLE,
          init: dict | None = None) -> dict:
    """Trains (or resumes) the run in `run`, a new run starting from the weights of `init` (a
    `student.pt` read by `initial_student`; rank 0's is the one used) where given; returns the
    final history entry (on rank 0)."""
    if len(training) == 0:
        raise SystemExit("no training pairs: every pair is held out; hold out fewer sources")
    batch = per_rank_batch(config.batch, ranks)
    main, quiet = ranks.is_main, quiet or not ranks.is_main
    if main:
        run.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed + ranks.rank)
    model = Student(config.student).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    history: dict = {"config": config.as_dict(), "steps": [], "evaluations": [], "best_psnr": None, "seconds": 0.0}
    start = 0
    checkpoint_path = run / "checkpoint.pt"
    # Rank 0 reads the checkpoint and passes it on: only rank 0 needs to see the run folder.
    checkpoint = from_main(torch.load(checkpoint_path, map_location="cpu")
                           if main and checkpoint_path.exists() else None, ranks)
    if checkpoint is not None:
        history, start = resume(checkpoint, checkpoint_path, config, model, optimiser, generator, ranks)
        if not quiet:
            print(f"resuming {run} at step {start} of {config.steps}")
    elif init is not None:
        # DistributedDataParallel hands rank 0's weights to every process when it wraps them.
        model.load_state_dict(init["model"])
        if not quiet:
            print(f"starting from the weights of step {init.get('step')} of an earlier run")
    trained = data_parallel(model, ranks, device)
    model.train()
    began = time.time() - history["seconds"]
    bar = tqdm(range(start, config.steps), initial=start, total=config.steps, disable=quiet,
               desc="training", unit="step")
    for step in bar:
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(config, step)
        indices = torch.randint(0, len(training), (batch,), generator=generator)
        inputs, targets = training.batch(indices)
        inputs, targets = random_patch(inputs, targets, config.patch, generator)
        inputs, targets = augment_pair(inputs, targets, config.augment, generator)
        inputs, targets = inputs.to(device), targets.to(device)
        loss, terms = distillation_loss(trained(inputs), targets, config.losses)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        terms = average(terms, ranks, device)
        history["steps"].append({"step": step + 1, **terms})
        bar.set_postfix(loss=f"{terms['total']:.4f}")
        done = step + 1
        if main and len(held_out) and (done % config.eval_every == 0 or done == config.steps):
            scores = evaluate(model, held_out, eval_limit, device)
            history["evaluations"].append({"step": done, **scores})
            if not quiet:
                tqdm.write(f"step {done}: held-out PSNR {scores['psnr']:.2f} dB, SSIM {scores['ssim']:.4f}")
            if history["best_psnr"] is None or scores["psnr"] > history["best_psnr"]:
                history["best_psnr"] = scores["psnr"]
                save_atomically({"config": config.student.as_dict(), "model": model.state_dict(),
                                 "step": done, "held_out": scores}, run / "student.pt")
        if done % config.checkpoint_every == 0 or done == config.steps:
            random_states = gather({"generator": generator.get_state(), "torch_rng": torch.get_rng_state()}, ranks)
            if main:
                history["seconds"] = time.time() - began
                save_atomically({"config": config.as_dict(), "model": model.state_dict(),
                                 "optimiser": optimiser.state_dict(), "random_states": random_states,
                                 "history": history, "step": done},
                                checkpoint_path)
    if not main:
        return {}
    if not len(held_out):
        save_atomically({"config": config.student.as_dict(), "model": model.state_dict(),
                         "step": config.steps, "held_out": None}, run / "student.pt")
    history["seconds"] = time.time() - began
    (run / "history.json").write_text(json.dumps(history, indent=1))
    plot(history, run)
    return history["evaluations"][-1] if history["evaluations"] else {}


def initial_student(path: Path, student: StudentConfig) -> dict:
    """The `student.pt` at `path`, checked to be a student of the shape `student` trains."""
    try:
        saved = torch.load(path, map_location="cpu")
    except (OSError, RuntimeError, EOFError, ValueError, pickle.UnpicklingError) as err:
        raise SystemExit(f"{path}: cannot read it as a student.pt written by `distill train` ({err})") from err
    if not isinstance(saved, dict) or "config" not in saved or "model" not in saved:
        raise SystemExit(f"{path}: not a student.pt written by `distill train` (no `config` and `model` in it)")
    if saved["config"] != student.as_dict():
        mine, theirs = student.as_dict(), saved["config"]
        differ = ", ".join(f"{key} {theirs.get(key)} there, {mine[key]} here" for key in mine
                           if theirs.get(key) != mine[key])
        raise SystemExit(f"{path}: a student of another shape ({differ}); give --width, --size and "
                         "--full-channels as it was trained, or start from random weights")
    return saved


def resume(checkpoint: dict, path: Path, config: TrainConfig, model: Student, optimiser: torch.optim.Optimizer,
           generator: torch.Generator, ranks: Ranks) -> tuple[dict, int]:
    """Restores model, optimiser and this rank's random state; returns the history and step."""
    if checkpoint["config"] != config.as_dict():
        raise SystemExit(f"{path} was made with other settings; use another run folder, "
                         "or delete it to start afresh")
    # Checkpoints from before data-parallel training hold one process's state at the top level.
    states = checkpoint.get("random_states") or [{"generator": checkpoint["generator"],
                                                  "torch_rng": checkpoint["torch_rng"]}]
    if len(states) != ranks.world_size:
        raise SystemExit(f"{path} was written by a run of {len(states)} process(es), and this run has "
                         f"{ranks.world_size}: each process's random stream is in it, so resume with the same "
                         f"number (torchrun --nnodes x --nproc_per_node = {len(states)}), or use another run folder")
    model.load_state_dict(checkpoint["model"])
    optimiser.load_state_dict(checkpoint["optimiser"])
    generator.set_state(states[ranks.rank]["generator"])
    torch.set_rng_state(states[ranks.rank]["torch_rng"])
    return checkpoint["history"], checkpoint["step"]


def plot(history: dict, run: Path) -> None:
    """`loss.png` (each loss term by step, smoothed) and `heldout.png` (PSNR and SSIM)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    steps = [entry["step"] for entry in history["steps"]]
    figure, axes = pyplot.subplots(figsize=(7, 4))
    for term in ("total", "l1", "ssim_loss", "edge"):
        values = [entry[term] for entry in history["steps"]]
        window = max(1, len(values) // 50)
        smoothed = [sum(values[max(0, i - window + 1):i + 1]) / len(values[max(0, i - window + 1):i + 1])
                    for i in range(len(values))]
        axes.plot(steps, smoothed, label=term)
    axes.set_xlabel("step")
    axes.set_ylabel("loss (running mean)")
    axes.set_yscale("log")
    axes.legend()
    axes.set_title("training loss")
    figure.tight_layout()
    figure.savefig(run / "loss.png", dpi=100)
    pyplot.close(figure)

    evaluations = history["evaluations"]
    if not evaluations:
        return
    figure, left = pyplot.subplots(figsize=(7, 4))
    x = [entry["step"] for entry in evaluations]
    left.plot(x, [entry["psnr"] for entry in evaluations], "o-", color="tab:blue", label="PSNR")
    left.set_xlabel("step")
    left.set_ylabel("held-out PSNR (dB)", color="tab:blue")
    right = left.twinx()
    right.plot(x, [entry["ssim"] for entry in evaluations], "s-", color="tab:red", label="SSIM")
    right.set_ylabel("held-out SSIM", color="tab:red")
    left.set_title("student against teacher on held-out crops")
    figure.tight_layout()
    figure.savefig(run / "heldout.png", dpi=100)
    pyplot.close(figure)
