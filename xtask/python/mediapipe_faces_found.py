"""Record which faces MediaPipe's own FaceMesh finds on a folder of photos, as a test fixture.

Group photos test how many faces the runtime finds against MediaPipe itself on the same
images. This runs the legacy FaceMesh solution in static-image mode (its short-range
detector on every call, no tracking, refine_landmarks off) with up to --max-num-faces
faces, and writes per image the box around each face's 468 landmarks, in pixels
(left, top, width, height, rounded to 0.1).

The environment is the one `cargo xtask bench` installs from the hash-pinned
xtask/mediapipe-requirements.txt, in $LENSMITH_HOME/tools/mediapipe. Run it from the
repository root:

    ~/.cache/lensmith/tools/mediapipe/bin/python xtask/python/mediapipe_faces_found.py \\
        ../shared/data/dlib-faces runtime/tests/data/dlib_faces_mediapipe.json --max-num-faces 32
"""

import argparse
import json
import os
import sys

import cv2
import mediapipe as mp

from mediapipe_reference import detect_landmarks, write_atomically

GENERATOR = "xtask/python/mediapipe_faces_found.py"


def face_boxes(rgb, max_num_faces: int) -> list[list[float]]:
    """The box around each face MediaPipe's FaceMesh finds, in pixels."""
    boxes = []
    for face in detect_landmarks(rgb, max_num_faces):
        xs, ys = [point[0] for point in face], [point[1] for point in face]
        left, top = min(xs), min(ys)
        boxes.append([round(value, 1) + 0.0 for value in (left, top, max(xs) - left, max(ys) - top)])
    return boxes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder of .jpg/.png photos")
    parser.add_argument("output", help="JSON file to write")
    parser.add_argument("--max-num-faces", type=int, default=32, help="most faces per photo")
    args = parser.parse_args()
    names = sorted(
        name for name in os.listdir(args.folder) if name.lower().endswith((".jpg", ".png"))
    )
    if not names:
        sys.exit(f"{args.folder}: no .jpg or .png photos")
    images = {}
    for name in names:
        bgr = cv2.imread(os.path.join(args.folder, name), cv2.IMREAD_COLOR)
        if bgr is None:
            sys.exit(f"{name}: OpenCV could not read this file as an image")
        images[name] = face_boxes(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), args.max_num_faces)
    document = {
        "generator": GENERATOR,
        "mediapipe_version": mp.__version__,
        "max_num_faces": args.max_num_faces,
        "images": images,
    }
    lines = ["{"]
    for key in ("generator", "mediapipe_version", "max_num_faces"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(document[key])},")
    lines.append('  "images": {')
    for index, (name, boxes) in enumerate(images.items()):
        comma = "," if index + 1 < len(images) else ""
        lines.append(f"    {json.dumps(name)}: {json.dumps(boxes)}{comma}")
    lines.append("  }")
    lines.append("}")
    write_atomically(args.output, "\n".join(lines) + "\n")
    print(f"{args.output}: {sum(len(b) for b in images.values())} faces in {len(images)} photos")


if __name__ == "__main__":
    main()
