"""Data-parallel training under torchrun: which process this is, joining and leaving the
process group (gloo on the CPU, NCCL on CUDA), and the few collectives training needs.

A run that torchrun did not start (no WORLD_SIZE above 1) is one process, and nothing
here touches torch.distributed: every helper then returns its input unchanged.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Ranks:
    """This process's place in the run: its rank among `world_size`, and on its node."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the one that evaluates, writes the run folder and shows progress."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


SINGLE = Ranks()
"""A run of one process."""


def ranks_from_environment() -> Ranks:
    """The ranks torchrun sets in the environment (RANK, WORLD_SIZE, LOCAL_RANK), or SINGLE."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return SINGLE
    return Ranks(int(os.environ["RANK"]), world_size, int(os.environ.get("LOCAL_RANK", "0")))


def per_rank_batch(batch: int, ranks: Ranks) -> int:
    """Each process's share of the global `batch`; refuses a batch that does not split evenly."""
    if batch % ranks.world_size:
        raise SystemExit(f"--batch {batch} does not split evenly over {ranks.world_size} processes "
                         f"(WORLD_SIZE={ranks.world_size}): --batch is the global batch, so use a multiple "
                         f"of {ranks.world_size}, such as {max(1, batch // ranks.world_size) * ranks.world_size}")
    return batch // ranks.world_size


@contextmanager
def process_group(ranks: Ranks, device: str) -> Iterator[str]:
    """Joins the process group for the run and leaves it at the end; yields this process's
    device (`cuda:LOCAL_RANK` for a CUDA run, each process on its own GPU)."""
    if not ranks.distributed:
        yield device
        return
    if device.startswith("cuda"):
        torch.cuda.set_device(ranks.local_rank)
        device, backend = f"cuda:{ranks.local_rank}", "nccl"
    else:
        backend = "gloo"
    dist.init_process_group(backend)
    try:
        yield device
    finally:
        dist.destroy_process_group()


def data_parallel(model: torch.nn.Module, ranks: Ranks, device: str) -> torch.nn.Module:
    """`model` wrapped in DistributedDataParallel, which averages gradients over the ranks."""
    if not ranks.distributed:
        return model
    device_ids = [torch.device(device).index] if device.startswith("cuda") else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=device_ids)


def average(terms: dict[str, float], ranks: Ranks, device: str) -> dict[str, float]:
    """The mean of each logged value over the ranks."""
    if not ranks.distributed:
        return terms
    values = torch.tensor(list(terms.values()), dtype=torch.float64, device=device)
    dist.all_reduce(values)
    return dict(zip(terms, (values / ranks.world_size).tolist()))


def gather(value: object, ranks: Ranks) -> list:
    """Every rank's `value`, in rank order (on every rank)."""
    if not ranks.distributed:
        return [value]
    values: list = [None] * ranks.world_size
    dist.all_gather_object(values, value)
    return values


def from_main(value: object, ranks: Ranks) -> object:
    """Rank 0's `value`, on every rank: what only rank 0 can read, such as the run folder."""
    if not ranks.distributed:
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]
