"""Bare ONNX Runtime latency of several students, side by side in one process.

    python distill/scripts/speed_side_by_side.py REFERENCE.onnx OTHER.onnx [...] [--threads 2] [--rounds 10]

The models take turns, ten runs each per round, so that a machine that slows down part-way
slows them all alike; each one's median and 95th percentile are printed with its median's
ratio to the first model's (the reference). Input: uniform noise of the first model's shape.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from lensmith_distill.export import session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    runners = [session(path, args.threads) for path in args.models]
    shape = [d if isinstance(d, int) else 1 for d in runners[0].get_inputs()[0].shape]
    image = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    feeds = [{r.get_inputs()[0].name: image} for r in runners]
    times: list[list[float]] = [[] for _ in runners]
    for runner, feed in zip(runners, feeds):
        for _ in range(5):
            runner.run(None, feed)
    for _ in range(args.rounds):
        for index, (runner, feed) in enumerate(zip(runners, feeds)):
            for _ in range(10):
                start = time.perf_counter()
                runner.run(None, feed)
                times[index].append((time.perf_counter() - start) * 1e3)
    reference = statistics.median(times[0])
    for path, measured in zip(args.models, times):
        measured.sort()
        median = statistics.median(measured)
        print(f"{path}: median {median:.2f} ms, p95 {measured[int(0.95 * len(measured))]:.2f} ms "
              f"({len(measured)} runs, {args.threads} threads), {median / reference:.2f}x the first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
