"""Time MediaPipe's face mesh in video mode, as the yardstick for our own pipeline.

Runs the legacy FaceMesh solution with tracking on (static_image_mode=False):
the face detector runs only until a face is found, and after that each frame's
landmarks come from a region of interest carried over from the previous frame.
That is the mode a live effect runs in, so it is the fair comparison.
With --refine it runs FaceMesh with refine_landmarks=True (the attention mesh
with irises and refined lips and eyes), the yardstick for tracking with eyes.

All frames are decoded into memory first, so only `face_mesh.process` is timed
and disk and PNG decoding stay out of the numbers. The first --warmup frames
are processed untimed (model loading, XNNPACK setup, the first detection), and
each remaining frame is timed on its own with time.perf_counter. The result
depends heavily on the CPU and its core count; record both with the numbers.

`cargo xtask bench` runs it against Lensmith on the same frames. To run it alone,
use the environment that command installs (hash-pinned, see
xtask/mediapipe-requirements.txt):

    ~/.cache/lensmith/tools/mediapipe/bin/python xtask/python/mediapipe_bench.py \\
        FRAMES_DIR [--warmup 5] [--refine] [--json OUT.json]

FRAMES_DIR holds *.png frames, played in order of file name.
"""

import argparse
import json
import os
import sys
import time

import cv2
import mediapipe as mp
import numpy as np


def load_frames(directory: str) -> list[np.ndarray]:
    """Decode every PNG in `directory`, sorted by name, to RGB arrays."""
    names = sorted(name for name in os.listdir(directory) if name.lower().endswith(".png"))
    if not names:
        sys.exit(f"{directory}: no .png frames found")
    frames = []
    for name in names:
        path = os.path.join(directory, name)
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        if bgr is None:
            sys.exit(f"{path}: OpenCV could not read this file as an image")
        # MediaPipe's solutions take RGB; OpenCV decodes to BGR.
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    return frames


def run(frames: list[np.ndarray], warmup: int, refine: bool) -> dict:
    """Process the frames in order; time every frame after the first `warmup`."""
    times_ms = []
    faces_found = 0
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=False,
        max_num_faces=1,
        refine_landmarks=refine,
    ) as face_mesh:
        # The warm-up frames are the start of the same clip rather than a replay,
        # so the timed frames follow on without a jump that would cost tracking.
        for frame in frames[:warmup]:
            face_mesh.process(frame)
        for frame in frames[warmup:]:
            start = time.perf_counter()
            result = face_mesh.process(frame)
            times_ms.append((time.perf_counter() - start) * 1000.0)
            if result.multi_face_landmarks:
                faces_found += 1
    return {
        "median_ms": round(float(np.median(times_ms)), 3),
        "p95_ms": round(float(np.percentile(times_ms, 95)), 3),
        "frames": len(times_ms),
        "faces_found": faces_found,
        "refine_landmarks": refine,
        "mediapipe_version": mp.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("frames", help="directory of .png frames, played in order of file name")
    parser.add_argument(
        "--warmup", type=int, default=5, help="frames processed untimed first (default 5)"
    )
    parser.add_argument(
        "--refine", action="store_true", help="refine_landmarks=True (irises, refined eyes)"
    )
    parser.add_argument("--json", metavar="OUT", help="also write the results to this JSON file")
    args = parser.parse_args()
    if args.warmup < 0:
        parser.error("--warmup cannot be negative")

    frames = load_frames(args.frames)
    if len(frames) <= args.warmup:
        sys.exit(
            f"{args.frames}: {len(frames)} frames, but --warmup {args.warmup} leaves none "
            "to time; give more frames or a smaller --warmup"
        )
    height, width = frames[0].shape[:2]
    result = run(frames, args.warmup, args.refine)

    print(
        f"mediapipe {result['mediapipe_version']}, refine_landmarks={args.refine}, "
        f"{width}x{height}, "
        f"{os.cpu_count()} CPUs, {args.warmup} warm-up frames"
    )
    print(
        f"per frame: median {result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms "
        f"over {result['frames']} frames; face found in {result['faces_found']}"
    )
    if result["faces_found"] < result["frames"]:
        # Frames without a face cost only the detector, so they pull the times
        # down. The legacy FaceMesh runs MediaPipe's short-range detector, which
        # misses faces that fill only a small part of a wide frame.
        print(
            f"warning: no face in {result['frames'] - result['faces_found']} of "
            f"{result['frames']} timed frames; those times are the face detector's alone",
            file=sys.stderr,
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(result, file, indent=2)
            file.write("\n")


if __name__ == "__main__":
    main()
