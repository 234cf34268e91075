"""A picture for the README and model cards: input | teacher | student, per effect, per person.

    python distill/scripts/heldout_sheet.py --effect cartoon PAIRS_C MODEL_C \
        --effect zombie PAIRS_Z MODEL_Z --crop NAME --crop NAME ... -o sheet.jpg

Each row is one crop (by its pair name, present in every effect's pairs folder): the input
crop, then for each effect its teacher's target and the student's output (ONNX Runtime, as
`distill evaluate` runs it), under a header naming each column, with the crop's PSNR against
the teacher on each student tile.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from lensmith_distill.atomic import write_atomic
from lensmith_distill.crops import load_rgb, save_rgb
from lensmith_distill.evaluate import StudentRunner
from lensmith_distill.metrics import psnr

TILE = 192
HEADER = 28


def label(tile: np.ndarray, text: str) -> np.ndarray:
    """`tile` with `text` written at its bottom left, white on a dark outline."""
    out = tile.copy()
    y = out.shape[0] - 8
    cv2.putText(out, text, (6, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (6, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--effect", nargs=3, action="append", required=True, metavar=("NAME", "PAIRS", "MODEL"))
    parser.add_argument("--crop", action="append", required=True, help="a pair's name (repeat for more rows)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)

    effects = [(name, Path(pairs), StudentRunner(Path(model))) for name, pairs, model in args.effect]
    titles = ["input"] + [f"{name} {kind}" for name, _, _ in effects for kind in ("teacher", "student")]
    header = np.full((HEADER, TILE * len(titles), 3), 255, np.uint8)
    for column, title in enumerate(titles):
        cv2.putText(header, title, (column * TILE + 8, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    rows = [header]
    for name in args.crop:
        first_pairs = effects[0][1]
        source = load_rgb(first_pairs / "input" / f"{name}.png")
        tiles = [cv2.resize(source, (TILE, TILE), interpolation=cv2.INTER_AREA)]
        for effect, pairs, student in effects:
            if not (pairs / "target" / f"{name}.png").is_file():
                raise SystemExit(f"{pairs}: no pair named `{name}` (effect {effect})")
            target = load_rgb(pairs / "target" / f"{name}.png")
            output = student(source)
            small = [cv2.resize(image, (TILE, TILE), interpolation=cv2.INTER_AREA) for image in (target, output)]
            tiles += [small[0], label(small[1], f"{psnr(target, output):.1f} dB")]
        rows.append(np.hstack(tiles))
    sheet = np.vstack(rows)
    if args.output.suffix.lower() in (".jpg", ".jpeg"):
        # A photo-like sheet: JPEG is a seventh of the PNG's size, for the documentation.
        ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88])
        if not ok:
            raise SystemExit(f"{args.output}: OpenCV could not encode the sheet as JPEG")
        write_atomic(args.output, encoded.tobytes())
    else:
        save_rgb(args.output, sheet)
    print(f"{args.output}: {len(args.crop)} row(s), columns {', '.join(titles)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
