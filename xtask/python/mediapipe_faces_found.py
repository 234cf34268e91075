"""Record which faces MediaPipe's own FaceMesh finds on a folder of photos, as a test fixture.

Group and turned-face photos test how many faces the runtime finds against MediaPipe itself
on the same images. This runs the legacy FaceMesh solution in static-image mode (its
short-range detector on every call, no tracking, refine_landmarks off) with up to
--max-num-faces faces, and writes per image the box around each face's 468 landmarks, in
pixels (left, top, width, height, rounded to 0.1).

The folder is either a folder of photos, or, where it holds an `index.json` (the faces
catalogue that `python -m lensmith_distill faces fetch` writes), the catalogue: every photo of
every person, each image once however many people it shows, named by its path in the folder.
With --mirrored each photo is recorded a second time turned left to right, named
"<name> (mirrored)": a face turned one way then counts turned the other way too.

The environment is the one `cargo xtask bench` installs from the hash-pinned
xtask/mediapipe-requirements.txt, in $LENSMITH_HOME/tools/mediapipe. Run it from the
repository root:

    ~/.cache/lensmith/tools/mediapipe/bin/python xtask/python/mediapipe_faces_found.py \\
        ../shared/data/dlib-faces runtime/tests/data/dlib_faces_mediapipe.json --max-num-faces 32
    ~/.cache/lensmith/tools/mediapipe/bin/python xtask/python/mediapipe_faces_found.py \\
        ~/.cache/lensmith/faces runtime/tests/data/catalogue_faces_mediapipe.json \\
        --max-num-faces 8 --mirrored
"""

import argparse
import os
import sys

import cv2
import mediapipe as mp

from mediapipe_reference import catalogue_files, detect_landmarks, render_entries, write_atomically

GENERATOR = "xtask/python/mediapipe_faces_found.py"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")  # what the runtime reads
MIRRORED = " (mirrored)"


def face_boxes(rgb, max_num_faces: int) -> list[list[float]]:
    """The box around each face MediaPipe's FaceMesh finds, in pixels."""
    boxes = []
    for face in detect_landmarks(rgb, max_num_faces, refine=False):
        xs, ys = [point[0] for point in face], [point[1] for point in face]
        left, top = min(xs), min(ys)
        boxes.append([round(value, 1) + 0.0 for value in (left, top, max(xs) - left, max(ys) - top)])
    return boxes


def photo_names(folder: str) -> list[str]:
    """The photos to record, as paths relative to `folder` with '/' between parts."""
    if not os.path.exists(os.path.join(folder, "index.json")):
        return sorted(name for name in os.listdir(folder) if name.lower().endswith(PHOTO_SUFFIXES))
    return catalogue_files(folder, PHOTO_SUFFIXES)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder of photos, or a faces catalogue (with index.json)")
    parser.add_argument("output", help="JSON file to write")
    parser.add_argument("--max-num-faces", type=int, default=32, help="most faces per photo")
    parser.add_argument(
        "--mirrored", action="store_true", help="record each photo turned left to right too"
    )
    args = parser.parse_args()
    names = photo_names(args.folder)
    if not names:
        sys.exit(f"{args.folder}: no photos ({', '.join(PHOTO_SUFFIXES)})")
    images = {}
    for name in names:
        bgr = cv2.imread(os.path.join(args.folder, name), cv2.IMREAD_COLOR)
        if bgr is None:
            sys.exit(f"{name}: OpenCV could not read this file as an image")
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        images[name] = face_boxes(rgb, args.max_num_faces)
        if args.mirrored:
            images[name + MIRRORED] = face_boxes(cv2.flip(rgb, 1), args.max_num_faces)
    head = {
        "generator": GENERATOR,
        "mediapipe_version": mp.__version__,
        "max_num_faces": args.max_num_faces,
    }
    write_atomically(args.output, render_entries(head, "images", images))
    print(f"{args.output}: {sum(len(b) for b in images.values())} faces in {len(images)} photos")


if __name__ == "__main__":
    main()
