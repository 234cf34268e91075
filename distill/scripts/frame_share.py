"""How much of the whole frame an effect changes, played by the runtime, against its teacher.

    python distill/scripts/frame_share.py CROPS PAIRS --bundle effects/cartoon \
        --lensmith target/debug/lensmith [--split split.json --only evaluation] [--markdown out.md]

`distill evaluate` scores the student on the crop. This measures what reaches the frame: for
every crop of CROPS with a teacher target in PAIRS, it plays the bundle with `lensmith
render` on the whole image the crop was cut from (for a video, its frame, decoded once per
video as the runtime decodes it) and counts, over the person's
face-and-hair pixels (the `head` region of `distill evaluate`, mapped from the crop into the
frame), the share that the played effect changes by more than 10 levels. The teacher's share
is counted over the same pixels, with the teacher's crop mapped into the frame by the crop's
own transform: what the teacher would change there. It also gives each one's share of the
whole frame and its mean change in levels.

Each crop's transform is checked first: the frame, resampled into the crop by it, must
match the crop's own picture (PSNR over 24 dB), else the crop is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from lensmith_distill.crops import load_rgb, read_crops, save_rgb
from lensmith_distill.evaluate import EvaluateError, People, changed, head_region
from lensmith_distill.metrics import psnr

STILL_SUFFIXES = {".png", ".jpg", ".jpeg"}
TRANSFORM_CHECK_DB = 24.0


def crop_to_frame_matrix(transform: dict) -> np.ndarray:
    """The 2×3 matrix from crop pixel indices to frame pixel indices (OpenCV's convention:
    a pixel's index is its centre), from the crop's `transform` as `lensmith crops` writes it
    (continuous coordinates, as runtime/src/face_crop/transform.rs)."""
    cos, sin = np.cos(transform["rotation"]), np.sin(transform["rotation"])
    a, c = cos * transform["scale"], sin * transform["scale"]
    half = transform["side"] / 2.0
    cx, cy = transform["center"]
    continuous = np.array([[a, -c, cx - (a - c) * half], [c, a, cy - (c + a) * half]], np.float64)
    # index = continuous − 0.5 on both sides.
    shifted = continuous.copy()
    shifted[:, 2] += continuous[:, :2] @ np.array([0.5, 0.5]) - 0.5
    return shifted


def frames_of_video(source: Path, wanted: set[int], scratch: Path) -> dict[int, Path]:
    """Frames `wanted` of video `source` as PNGs, decoded once, as the runtime decodes a
    video (ffmpeg to raw RGB, each stored frame once, so that the frame numbers agree)."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0", str(source)], capture_output=True, text=True)
    try:
        width, height = (int(v) for v in probe.stdout.strip().split(",")[:2])
    except ValueError:
        raise RuntimeError(f"ffprobe finds no video stream in {source}: {probe.stderr.strip()[-300:]}") from None
    size = width * height * 3
    found: dict[int, Path] = {}
    decoder = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-i", str(source), "-vsync", "passthrough",
                                "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE)
    try:
        for index in range(max(wanted) + 1):
            data = decoder.stdout.read(size)
            if len(data) != size:
                raise RuntimeError(f"{source} ends at frame {index}, before its frame {max(wanted)}")
            if index in wanted:
                found[index] = scratch / f"{source.stem}-{index:06d}.png"
                save_rgb(found[index], np.frombuffer(data, np.uint8).reshape(height, width, 3))
    finally:
        decoder.kill()
        decoder.wait()
    return found


def stills_of(crops: list, scratch: Path) -> dict[tuple[str, int], Path]:
    """The picture each crop was cut from, by (source, frame): the image itself, the image
    of a folder by its name, or a video's frame (each video decoded once)."""
    stills: dict[tuple[str, int], Path] = {}
    video_frames: dict[str, set[int]] = defaultdict(set)
    for crop in crops:
        source = Path(crop.source)
        if source.is_dir():
            stills[(crop.source, crop.frame)] = source / crop.frame_name
        elif source.suffix.lower() in STILL_SUFFIXES:
            stills[(crop.source, crop.frame)] = source
        else:
            video_frames[crop.source].add(crop.frame)
    for source, wanted in video_frames.items():
        for frame, path in frames_of_video(Path(source), wanted, scratch).items():
            stills[(source, frame)] = path
    return stills


def render(lensmith: str, bundle: Path, source: Path, out: Path) -> np.ndarray:
    run = subprocess.run([lensmith, "render", str(bundle), str(source), "-o", str(out)], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"lensmith render {bundle} {source} failed: {run.stderr.strip()[-400:]}")
    return load_rgb(out)


def crop_figures(frame: np.ndarray, played: np.ndarray, crop_image: np.ndarray, target: np.ndarray,
                 landmarks: np.ndarray, transform: dict) -> dict:
    height, width = frame.shape[:2]
    side = crop_image.shape[0]
    to_frame = crop_to_frame_matrix(transform)
    to_crop = cv2.invertAffineTransform(to_frame)
    resampled = cv2.warpAffine(frame, to_crop, (side, side), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    check = psnr(resampled, crop_image)
    head = head_region(landmarks, (side, side)).astype(np.uint8)
    in_frame = cv2.warpAffine(head, to_frame, (width, height), flags=cv2.INTER_NEAREST) > 0
    teacher = cv2.warpAffine(target, to_frame, (width, height), flags=cv2.INTER_LINEAR)
    teacher_changed = changed(frame, teacher) & in_frame
    student_changed = changed(frame, played)
    pixels = int(in_frame.sum())
    return {
        "transform_check_db": check,
        "head_pixels": pixels,
        "head_share_of_frame": pixels / (height * width),
        "teacher_head": float(teacher_changed.sum() / max(pixels, 1)),
        "student_head": float((student_changed & in_frame).sum() / max(pixels, 1)),
        "teacher_frame": float(teacher_changed.sum() / (height * width)),
        "student_frame": float(student_changed.sum() / (height * width)),
        "student_mean_levels": float(np.abs(frame.astype(np.int16) - played.astype(np.int16)).mean()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("crops", type=Path)
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--lensmith", required=True)
    parser.add_argument("--split", type=Path, default=None)
    parser.add_argument("--only", default=None)
    parser.add_argument("--markdown", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    manifest = json.loads((args.pairs / "pairs.json").read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in manifest["pairs"]}
    people = People.load(None, args.split)
    by_source: dict[str, list] = defaultdict(list)
    skipped: list[str] = []
    for crop in read_crops(args.crops):
        entry = entries.get(crop.name)
        if entry is None:
            continue
        person = people.person_of(crop.source)
        split = people.split_of(person, entry)
        if args.only is not None and split != args.only:
            raise SystemExit(f"--only {args.only}: {crop.name} is of {person} ({split})")
        by_source[(crop.source, crop.frame)].append((crop, person))

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        stills = stills_of([crop for crops in by_source.values() for crop, _ in crops], Path(scratch))
        for number, (key, crops) in enumerate(sorted(by_source.items())):
            source, still = key[0], stills[key]
            frame = load_rgb(still)
            played = render(args.lensmith, args.bundle, still, Path(scratch) / f"played-{number}.png")
            for crop, person in crops:
                meta = json.loads((crop.image_path.parent / f"{crop.name}.json").read_text(encoding="utf-8"))
                target = load_rgb(args.pairs / entries[crop.name]["target"])
                figures = crop_figures(frame, played, load_rgb(crop.image_path), target, crop.landmarks,
                                       meta["transform"])
                if figures["transform_check_db"] < TRANSFORM_CHECK_DB:
                    skipped.append(f"{crop.name}: its transform does not reproduce the crop "
                                   f"({figures['transform_check_db']:.1f} dB)")
                    continue
                rows.append({"crop": crop.name, "person": person, "source": source, **figures})
    if not rows:
        raise SystemExit("no crop to measure: none of CROPS has a pair in PAIRS whose transform holds")

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    people_count = len({r["person"] for r in rows})
    lines = [
        f"Whole frames: `{args.bundle}` played by `lensmith render` on {len(rows)} face(s) of {people_count} "
        f"people in {len(by_source)} image(s) or video frame(s); medians over faces.",
        "",
        "| figure | teacher | effect (student, as played) |",
        "|---|---|---|",
        f"| share of face-and-hair pixels changed > 10 levels | {median('teacher_head'):.3f} | {median('student_head'):.3f} |",
        f"| share of the whole frame changed > 10 levels | {median('teacher_frame'):.3f} | {median('student_frame'):.3f} |",
        f"| mean change over the whole frame, levels |  | {median('student_mean_levels'):.1f} |",
        f"| face-and-hair share of the frame | {median('head_share_of_frame'):.3f} | |",
    ]
    text = "\n".join(lines)
    print(text)
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "skipped": skipped}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except EvaluateError as err:
        sys.exit(f"frame_share: {err}")
