"""Cut `lensmith crops` for chosen people of a fetched faces folder, one crops folder per
set, keeping only each person's own face and at most `--per-person` crops per person.

    python distill/scripts/person_crops.py /tmp/faces-full --use evaluation -o CROPS
    python distill/scripts/person_crops.py /tmp/faces-full --split train --limit 10 -o CROPS

Per file it runs `lensmith crops` (videos with `--every` chosen from the frame count so
that a person gives about `--per-person` crops), keeps the crops whose face centre lies in
the file's box (`keep_crops_in_box`; all for a file without a box), renames each crop
`<person>--<name>` so that names stay unique across people (a file such as multi_face.jpg
is copied into every person's folder), and thins a person's crops evenly to `--per-person`.
The crops' `source` stays `<faces>/<person>/<file>`, which is how `distill evaluate` and
the faces catalogue's licences find the person.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lensmith_distill.faces import VIDEO_SUFFIXES, keep_crops_in_box


def frame_count(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_packets", "-of", "csv=p=0", str(path)], capture_output=True, text=True)
    try:
        return int(out.stdout.strip().split()[0])
    except (ValueError, IndexError):
        return 0


BOX_WIDENING = 3.0
# A small still (a tight 128 px portrait) is searched again upscaled to this short side and
# padded by half its size on every side: the detector wants some margin around a face, and
# `lensmith crops` does not upscale a face by more than 2x.
SMALL_IMAGE_SIDE = 384


def search_again(lensmith: str, source: Path, scratch: Path, box: list | None) -> list[tuple[Path, dict]]:
    """Crops of a still whose faces the detector missed, found in a prepared copy of it: the
    `box` widened ×BOX_WIDENING and cut out at full resolution where there is a box (else the
    whole image); failing that, the same upscaled to SMALL_IMAGE_SIDE and padded. Each crop's
    transform is moved back into the original file's pixels and its source is the original
    file; with a box, only crops whose centre lies in the box are kept."""
    import cv2

    frame = cv2.imread(str(source), cv2.IMREAD_COLOR)
    if frame is None:
        return []
    height, width = frame.shape[:2]
    left, top, right, bottom = 0, 0, width, height
    if box:
        x, y, w, h = box
        cx, cy, half = x + w / 2, y + h / 2, BOX_WIDENING * max(w, h) / 2
        left, top = max(0, int(cx - half)), max(0, int(cy - half))
        right, bottom = min(width, int(cx + half)), min(height, int(cy + half))
    cut = frame[top:bottom, left:right]
    factors = [1.0] if box else []
    if min(cut.shape[:2]) < SMALL_IMAGE_SIDE:
        factors.append(SMALL_IMAGE_SIDE / min(cut.shape[:2]))
    for attempt, factor in enumerate(factors):
        found = crops_of_prepared(lensmith, source, cut, factor, (left, top), scratch / str(attempt))
        if box:
            inside = {id(m) for m in keep_crops_in_box([m for _, m in found], box)}
            found = [(p, m) for p, m in found if id(m) in inside]
        if found:
            for _, meta in found:
                meta["searched_in"] = {"cut": [left, top, right - left, bottom - top], "upscaled": round(factor, 3)}
            return found
    return []


def crops_of_prepared(lensmith: str, source: Path, cut, factor: float, corner: tuple[int, int],
                      scratch: Path) -> list[tuple[Path, dict]]:
    """`lensmith crops` of `cut` (the pixels of `source` from `corner` on), upscaled by
    `factor` and then padded by half its size when `factor` > 1; transforms moved back."""
    import cv2

    pad = 0
    if factor > 1.0:
        cut = cv2.resize(cut, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        pad = max(cut.shape[:2]) // 2
        cut = cv2.copyMakeBorder(cut, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    scratch.mkdir(parents=True, exist_ok=True)
    prepared = scratch / f"{source.stem}.png"
    cv2.imwrite(str(prepared), cut)
    out = scratch / "crops"
    run = subprocess.run([lensmith, "crops", str(prepared), "-o", str(out), "--size", "256", "--max-faces", "32"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return []
    found = []
    for path in sorted(out.glob("*.json")):
        if path.name.endswith(".crops.json"):
            continue
        meta = json.loads(path.read_text())
        transform = meta["transform"]
        # Prepared pixels (continuous coordinates) = (original − corner) × factor + pad.
        centre = transform["center"]
        transform["center"] = [(centre[0] - pad) / factor + corner[0], (centre[1] - pad) / factor + corner[1]]
        transform["scale"] /= factor
        meta["frame_pixels_per_crop_pixel"] /= factor
        meta["source"], meta["frame_name"] = str(source), source.name
        found.append((path, meta))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("faces", type=Path, help="the faces folder `distill faces fetch` wrote (with index.json)")
    parser.add_argument("--use", choices=["train", "evaluation"], default=None, help="people of this catalogue use")
    parser.add_argument("--split", default=None, help="people of this split (split.json in the faces folder)")
    parser.add_argument("--person", action="append", default=[], help="only this person (repeat for more)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many people (sorted by id)")
    parser.add_argument("--per-person", type=int, default=20)
    parser.add_argument("--lensmith", default="lensmith")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()

    people = json.loads((args.faces / "index.json").read_text())["people"]
    split = json.loads((args.faces / "split.json").read_text())["people"] if args.split else {}
    chosen = sorted(pid for pid, e in people.items()
                    if (args.use is None or e["use"] == args.use) and (args.split is None or split.get(pid) == args.split)
                    and (not args.person or pid in args.person))
    chosen = chosen[: args.limit] if args.limit else chosen
    args.output.mkdir(parents=True, exist_ok=True)
    report = {}
    for pid in chosen:
        files = people[pid]["files"]
        kept: list[tuple[Path, dict]] = []
        with tempfile.TemporaryDirectory() as scratch:
            for k, f in enumerate(files):
                source = args.faces / f["file"]
                out = Path(scratch) / str(k)
                command = [args.lensmith, "crops", str(source), "-o", str(out), "--size", "256", "--max-faces", "32"]
                if source.name.lower().endswith(VIDEO_SUFFIXES):
                    videos = sum(1 for g in files if g["file"].lower().endswith(VIDEO_SUFFIXES))
                    every = max(1, frame_count(source) * videos // args.per_person)
                    command += ["--every", str(every)]
                run = subprocess.run(command, capture_output=True, text=True)
                metas = [(p, json.loads(p.read_text())) for p in sorted(out.glob("*.json"))
                         if not p.name.endswith(".crops.json")] if run.returncode == 0 else []
                inside = keep_crops_in_box([m for _, m in metas], f["box"])
                if not inside and not source.name.lower().endswith(VIDEO_SUFFIXES):
                    # The detector misses small faces in a large frame, and faces cut too
                    # tightly: look again in the box cut out, or in the image upscaled and padded.
                    metas = search_again(args.lensmith, source, Path(scratch) / f"{k}-again", f["box"])
                    inside = metas and [m for _, m in metas]
                    if inside:
                        print(f"{pid}: {source.name}: face found on a second search ({metas[0][1]['searched_in']})")
                if not inside:
                    print(f"{pid}: {source.name}: no crops of this person "
                          f"({run.stderr.strip().splitlines()[0] if run.returncode else 'no face in the box'})")
                    continue
                ids = {id(m) for m in inside}
                kept += [(p, m) for p, m in metas if id(m) in ids]
            if len(kept) > args.per_person:
                step = len(kept) / args.per_person
                kept = [kept[int(i * step)] for i in range(args.per_person)]
            for path, meta in kept:
                name = f"{pid}--{Path(meta['image']).stem}"
                shutil.copyfile(path.parent / meta["image"], args.output / f"{name}.png")
                meta["image"] = f"{name}.png"
                (args.output / f"{name}.json").write_text(json.dumps(meta))
        report[pid] = len(kept)
        print(f"{pid}: {len(kept)} crop(s)", flush=True)
    total = sum(report.values())
    print(f"{total} crop(s) of {sum(1 for n in report.values() if n)} of {len(chosen)} people in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
