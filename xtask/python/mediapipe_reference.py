"""Record MediaPipe's own face-mesh landmarks on an image, as a test fixture.

The Rust face pipeline is checked against what MediaPipe itself finds on the
same photo, so the reference must come from MediaPipe's Python solution and
not from our own port of its graph. This runs the legacy FaceMesh solution in
static-image mode (face detection on every call, no tracking) and writes the
468 landmarks of each face in MediaPipe's order, in pixels of the input image.

Coordinates: MediaPipe reports x and y normalized to the image width and
height, and z normalized with the same scale as x (relative depth, smaller is
closer to the camera, roughly zero at the face's centre). The JSON holds
x * width, y * height and z * width, so all three share one pixel scale.
Values are rounded to 3 decimals; MediaPipe's CPU results are not bit-exact
across machines, so comparisons against this file need a tolerance anyway.

The environment is the one `cargo xtask bench` installs from the hash-pinned
xtask/mediapipe-requirements.txt (mediapipe 0.10.21, numpy 1.26.4,
opencv-contrib-python 4.11.0.86, protobuf 4.25.9), in
$LENSMITH_HOME/tools/mediapipe (default ~/.cache/lensmith). Run it from the
repository root, on the sample photo `cargo xtask setup` puts in the cache:

    ~/.cache/lensmith/tools/mediapipe/bin/python xtask/python/mediapipe_reference.py \\
        ~/.cache/lensmith/data/astronaut.png \\
        runtime/tests/data/astronaut_mediapipe_landmarks.json

With --refine-landmarks, FaceMesh runs as with `refine_landmarks=True` and the
file holds 478 landmarks, the irises at 468-477
(runtime/tests/data/astronaut_mediapipe_refined_landmarks.json).
"""

import argparse
import json
import os
import sys
import tempfile

import cv2
import mediapipe as mp

GENERATOR = "xtask/python/mediapipe_reference.py"


def detect_landmarks(rgb, max_num_faces: int, refine: bool) -> list[list[list[float]]]:
    """Return, per face found, MediaPipe's 468 landmarks as [x_px, y_px, z] (478 with
    `refine`: the eyes and lips refined, and the irises appended at 468-477)."""
    height, width = rgb.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True,
        max_num_faces=max_num_faces,
        refine_landmarks=refine,
        min_detection_confidence=0.5,
    ) as face_mesh:
        result = face_mesh.process(rgb)
    faces = []
    for face in result.multi_face_landmarks or []:
        faces.append(
            [
                [_round(point.x * width), _round(point.y * height), _round(point.z * width)]
                for point in face.landmark
            ]
        )
    return faces


def _round(value: float) -> float:
    # Adding 0.0 turns -0.0 into 0.0, so the file does not change between runs
    # over a sign that carries no meaning.
    return round(value, 3) + 0.0


def render(document: dict) -> str:
    """JSON with one landmark per line, so a regenerated fixture diffs by point."""
    faces = document["faces"]
    head = {key: value for key, value in document.items() if key != "faces"}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    lines.append('  "faces": [')
    for face_index, face in enumerate(faces):
        lines.append('    {"landmarks": [')
        points = face["landmarks"]
        for point_index, point in enumerate(points):
            comma = "," if point_index + 1 < len(points) else ""
            lines.append(f"      {json.dumps(point)}{comma}")
        comma = "," if face_index + 1 < len(faces) else ""
        lines.append(f"    ]}}{comma}")
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def catalogue_files(folder: str, suffixes: tuple[str, ...]) -> list[str]:
    """The files of a faces catalogue (the `index.json` that `python -m lensmith_distill
    faces fetch` writes in `folder`) whose names end in `suffixes`, each file once however
    many people it shows, as paths relative to `folder`, sorted."""
    with open(os.path.join(folder, "index.json"), encoding="utf-8") as file:
        index = json.load(file)
    names, seen = [], set()
    for person in index["people"].values():
        for entry in person["files"]:
            if entry["file"].lower().endswith(suffixes) and entry["sha256"] not in seen:
                seen.add(entry["sha256"])
                names.append(entry["file"])
    return sorted(names)


def render_entries(head: dict, key: str, entries: dict) -> str:
    """JSON with `head`'s fields first, then `key`: a map written one entry per line, so a
    regenerated fixture diffs by entry."""
    lines = ["{"]
    for name, value in head.items():
        lines.append(f"  {json.dumps(name)}: {json.dumps(value)},")
    lines.append(f"  {json.dumps(key)}: {{")
    for index, (name, value) in enumerate(entries.items()):
        comma = "," if index + 1 < len(entries) else ""
        lines.append(f"    {json.dumps(name)}: {json.dumps(value)}{comma}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_atomically(path: str, content: str | bytes) -> None:
    """Write `content` (text, or bytes as they are) through a temporary file beside `path`,
    so a reader never sees half a fixture."""
    directory = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1]
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
    try:
        if isinstance(content, bytes):
            with os.fdopen(handle, "wb") as file:
                file.write(content)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
                file.write(content)
        # mkstemp creates the file 0600; give it the mode an ordinary write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", help="input image (any format OpenCV reads)")
    parser.add_argument("output", help="JSON file to write")
    parser.add_argument(
        "--max-num-faces", type=int, default=1, help="most faces to report (default 1)"
    )
    parser.add_argument(
        "--refine-landmarks",
        action="store_true",
        help="run FaceMesh with refine_landmarks=True: 478 landmarks, the irises at 468-477",
    )
    args = parser.parse_args()
    if args.max_num_faces < 1:
        parser.error("--max-num-faces must be at least 1")

    bgr = cv2.imread(args.image, cv2.IMREAD_COLOR)
    if bgr is None:
        sys.exit(f"{args.image}: OpenCV could not read this file as an image")
    # MediaPipe's solutions take RGB; OpenCV decodes to BGR.
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    height, width = rgb.shape[:2]

    faces = detect_landmarks(rgb, args.max_num_faces, args.refine_landmarks)
    if not faces:
        # A fixture without a face would make every test that reads it vacuous.
        sys.exit(f"{args.image}: MediaPipe found no face; nothing written")

    document = {
        "generator": GENERATOR,
        "mediapipe_version": mp.__version__,
        "source": os.path.basename(args.image),
        # Only when set, so that the unrefined fixture regenerates byte for byte.
        **({"refine_landmarks": True} if args.refine_landmarks else {}),
        "width": width,
        "height": height,
        "faces": [{"landmarks": face} for face in faces],
    }
    write_atomically(args.output, render(document))
    print(f"{args.output}: {len(faces)} face(s), {len(faces[0])} landmarks each")


if __name__ == "__main__":
    main()
