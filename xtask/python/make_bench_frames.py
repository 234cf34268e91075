"""Make the clip `cargo xtask bench` times face tracking on: a photo's face moving
smoothly (turning up to 10 degrees, scaling by 0.85-1.15, drifting across the
frame) on a mid-grey canvas, written as numbered PNG frames.

The clip is reproducible: the same photo and arguments give the same pixels.
MediaPipe's face mesh uses the short-range face detector, which finds only faces
that fill a good part of the frame, so the face is scaled up (--face-scale) to
about a quarter of a 1280-pixel-wide frame, as in a selfie-camera video.

    python make_bench_frames.py PHOTO OUT_DIR [--width 1280] [--height 720]
        [--frames 150] [--face-scale 2.0] [--face-center X Y]

--face-center is the face's centre in PHOTO's pixels (default: the astronaut's).
"""

import argparse
import math
import os
import sys

import cv2
import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo", help="a photo with one face")
    parser.add_argument("out_dir", help="folder for frame_NNNNNN.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--face-scale", type=float, default=2.0)
    parser.add_argument("--face-center", type=float, nargs=2, default=(235.0, 125.0))
    args = parser.parse_args()
    if args.frames < 1 or args.width < 16 or args.height < 16:
        parser.error("--frames must be at least 1 and the frame at least 16x16")

    photo = cv2.imread(args.photo, cv2.IMREAD_COLOR)
    if photo is None:
        sys.exit(f"{args.photo}: OpenCV could not read this file as an image")
    os.makedirs(args.out_dir, exist_ok=True)
    face_x, face_y = args.face_center
    for index in range(args.frames):
        phase = 2.0 * math.pi * index / args.frames
        angle = 10.0 * math.sin(2.0 * phase)
        scale = args.face_scale * (1.0 + 0.15 * math.sin(phase))
        target_x = args.width / 2 + 0.12 * args.width * math.sin(phase)
        target_y = args.height * 0.45 + 0.03 * args.height * math.cos(phase)
        # Rotate and scale about the face's centre, then move it to the target.
        matrix = cv2.getRotationMatrix2D((face_x, face_y), angle, scale)
        matrix[0, 2] += target_x - face_x
        matrix[1, 2] += target_y - face_y
        frame = cv2.warpAffine(
            photo,
            matrix,
            (args.width, args.height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(128, 128, 128),
        )
        path = os.path.join(args.out_dir, f"frame_{index:06d}.png")
        if not cv2.imwrite(path, frame):
            sys.exit(f"{path}: could not write the frame")
    print(f"{args.frames} frames of {args.width}x{args.height} written to {args.out_dir}")


if __name__ == "__main__":
    main()
