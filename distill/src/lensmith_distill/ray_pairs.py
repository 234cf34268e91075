"""`distill pairs --ray`: the teacher as Ray tasks over batches of crops, on a cluster or a
private local instance.

Each task rebuilds the teacher from the command line's spec (so a teacher need not be
picklable), reads its crops from their absolute paths (every node must see them at the
same path) and returns the targets; the driver alone writes the PNGs and the manifest, as
`pairs.build_pairs` does for a run in one process.
"""

from __future__ import annotations

import dataclasses
import functools
import socket
import sys
from itertools import islice
from typing import Iterator, Optional

from .crops import Crop
from .pairs import PairsError, TeacherResult, teach_crop
from .teachers import Teacher, TeacherError, load_teacher

DEFAULT_BATCH = 32
"""Crops per task: enough to hide a task's start-up, few enough to spread over a cluster."""

# Tasks queued per cluster CPU: every CPU stays busy while the driver writes PNGs, and
# finished targets do not pile up in the object store faster than the driver takes them.
TASKS_PER_CPU = 2

RAY_VERSION = "2.60.0"  # the version xtask/distill-requirements.txt pins

# How long to wait for a cluster's port to answer: Ray itself retries an absent head for minutes.
CONNECT_TIMEOUT_S = 10.0


class RayRunner:
    """A `pairs.TeacherRunner` that runs the teacher on Ray.

    `address` is `auto` (the cluster this machine belongs to), `local` (a private instance
    of `cpus` CPUs, default all) or an address: `ray://HOST:10001` (Ray Client) or
    `HOST:6379` (the head's GCS). It connects on first use, so the licence checks and the
    resume bookkeeping happen before any cluster work; `close` disconnects.
    """

    def __init__(self, spec: str, teacher: Teacher, address: str, cpus: Optional[int] = None,
                 batch: int = DEFAULT_BATCH):
        if cpus is not None and address != "local":
            raise PairsError(f"--ray-cpus sizes a private instance (--ray local), not `{address}`: a cluster's "
                             "CPUs are what its nodes were started with (`ray start --num-cpus N`)")
        if batch < 1 or (cpus is not None and cpus < 1):
            raise PairsError("--ray-batch and --ray-cpus must be at least 1")
        self.spec, self.teacher, self.address, self.cpus, self.batch = spec, teacher, address, cpus, batch
        self._ray = None

    def __enter__(self) -> "RayRunner":
        return self

    def __exit__(self, *_exception) -> None:
        self.close()

    def close(self) -> None:
        """Disconnects from the cluster (and stops a private instance)."""
        if self._ray is not None:
            self._ray.shutdown()
            self._ray = None

    def __call__(self, crops: list[Crop]) -> Iterator[list[TeacherResult]]:
        """Yields each task's results as it finishes; connects on the first call."""
        if not crops:
            return
        ray = self._connect()
        task = ray.remote(teach_batch)
        window = max(2, TASKS_PER_CPU * int(ray.cluster_resources().get("CPU", 1)))
        batches = iter([crops[i : i + self.batch] for i in range(0, len(crops), self.batch)])
        pending: dict = {}
        try:
            while True:
                for batch in islice(batches, window - len(pending)):
                    pending[task.remote(self.spec, [_portable(crop) for crop in batch])] = batch
                if not pending:
                    return
                [ready], _ = ray.wait(list(pending), num_returns=1)
                yield self._results(ray, ready, pending.pop(ready))
        finally:
            # An error here or a stop by the caller: leave no work running for nothing (the
            # caller may already have disconnected, which stopped it anyway).
            if ray.is_initialized():
                for ref in pending:
                    ray.cancel(ref)

    def _connect(self):
        if self._ray is not None:
            return self._ray
        try:
            import ray
        except ImportError as err:
            raise PairsError(
                f"--ray needs the `ray` package, which {sys.executable} cannot import ({err}): "
                f"`pip install ray=={RAY_VERSION}` (xtask/distill-requirements.txt pins it with hashes), "
                "or leave out --ray to run the teacher in this process"
            ) from err
        if self.address not in ("auto", "local"):
            _check_reachable(self.address)
        options = {"address": "local", "num_cpus": self.cpus} if self.address == "local" else {"address": self.address}
        try:
            ray.init(include_dashboard=False, **options)
        except Exception as err:  # ConnectionError, version mismatch, bad address, missing Ray Client...
            raise PairsError(f"cannot connect to Ray at `{self.address}` ({type(err).__name__}: {err}); "
                             f"{_connection_hint(self.address)}") from err
        self._ray = ray
        return ray

    def _results(self, ray, ref, batch: list[Crop]) -> list[TeacherResult]:
        try:
            name, description, results = ray.get(ref)
        except ray.exceptions.RayTaskError as err:
            if isinstance(err.cause, TeacherError):
                raise TeacherError(f"{err.cause} (on a Ray worker)") from None
            raise PairsError(f"a Ray task failed on crops {_span(batch)}: {err.cause!r}; "
                             f"{_RESUME_HINT}") from err
        except ray.exceptions.RayError as err:
            raise PairsError(f"the Ray task for crops {_span(batch)} was lost ({type(err).__name__}: "
                             f"{err}); {_RESUME_HINT}") from err
        if (name, description) != (self.teacher.name, self.teacher.description):
            raise PairsError(f"a Ray worker built teacher `{name}` ({description}) from `{self.spec}`, but this "
                             f"machine built `{self.teacher.name}` ({self.teacher.description}): install the "
                             "same teacher code on every node")
        return results


_RESUME_HINT = ("every node needs the same Python packages (lensmith_distill and the teacher's) and must read "
                "the crops at the same path; the pairs made so far are kept: run the same command again to resume")


def teach_batch(spec: str, crops: list[Crop]) -> tuple[str, str, list[TeacherResult]]:
    """The Ray task: the teacher's name, description and results for `crops`."""
    teacher = _teacher(spec)
    return teacher.name, teacher.description, [teach_crop(teacher, crop) for crop in crops]


@functools.lru_cache(maxsize=4)
def _teacher(spec: str) -> Teacher:
    # Ray reuses worker processes: build each teacher once per worker, not once per task.
    return load_teacher(spec)


def _portable(crop: Crop) -> Crop:
    """The crop with an absolute image path, which means the same on every node."""
    return dataclasses.replace(crop, image_path=crop.image_path.resolve())


def _span(batch: list[Crop]) -> str:
    names = [crop.name for crop in batch]
    return f"`{names[0]}`" if len(names) == 1 else f"`{names[0]}` to `{names[-1]}` ({len(names)} crops)"


def _check_reachable(address: str) -> None:
    """Fails at once, naming the address, when nothing listens there."""
    client = address.startswith("ray://")
    host, _, port = address[len("ray://") if client else 0 :].rpartition(":")
    if not host or not port.isdigit():
        host, port = (host or port), ("10001" if client else "6379")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as err:
        raise PairsError(f"cannot connect to Ray at `{address}`: nothing answers on {host}:{port} ({err}); "
                         f"{_connection_hint(address)}") from err


def _connection_hint(address: str) -> str:
    if address == "auto":
        return ("start a cluster first (`ray start --head` on this machine, or `ray start --address=HEAD:6379` "
                "to join this machine to one), or use `--ray local` for a private instance here")
    if address == "local":
        return "see the lines above from Ray; `--ray-cpus N` sizes the instance"
    if address.startswith("ray://"):
        return (f"check that the head's Ray Client server (port 10001 by default) is reachable from here; Ray "
                f"Client also needs `pip install 'ray[client]=={RAY_VERSION}'`")
    return "check that `ray start --head` runs there and its port (6379 by default) is reachable from here"
