"""Record the face detector's input as MediaPipe's ImageToTensorCalculator makes it on the
CPU, as a test fixture: OpenCV's warpPerspective (INTER_LINEAR, a constant black border)
from the frame's square region around its centre, whose corners go to tensor coordinates 0
and the tensor's size, on 8-bit pixels.

That this is MediaPipe's own reading was checked on scores: the short-range detector run
on this input gives, to four decimals, the scores MediaPipe 0.10.21's FaceDetection
solution reports on the faces catalogue's photos and their mirror images (348 faces).

The frame is a band of the sample photo (rows 100 to 410 of the 512×512 astronaut: 311
rows, so tensor row 25 reads half a row above the frame), so the tensor has black bars
above and below and a row that straddles the frame's edge. Run from the repository root in
the environment `cargo xtask bench` installs:

    ~/.cache/lensmith/tools/mediapipe/bin/python xtask/python/detector_input_reference.py \\
        ~/.cache/lensmith/data/astronaut.png runtime/tests/data/astronaut_band_detector_input.png
"""

import argparse
import sys

import cv2
import numpy as np

from mediapipe_reference import write_atomically

# The band of the photo that stands for a wide frame, and the short-range detector's input.
BAND_ROWS = (100, 411)
SIZE = 128


def detector_input(rgb: np.ndarray, size: int) -> np.ndarray:
    """The size×size RGB image MediaPipe's converter gives the detector (before scaling
    to -1..1)."""
    height, width = rgb.shape[:2]
    side = max(width, height)
    centre_x, centre_y = width / 2, height / 2
    left, top, right, bottom = (
        centre_x - side / 2,
        centre_y - side / 2,
        centre_x + side / 2,
        centre_y + side / 2,
    )
    # The region's corners in cv::boxPoints' order, and where MediaPipe sends them.
    source = np.float32([[left, bottom], [left, top], [right, top], [right, bottom]])
    target = np.float32([[0, size], [0, 0], [size, 0], [size, size]])
    projection = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(
        rgb, projection, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo", help="the sample photo, astronaut.png")
    parser.add_argument("output", help="PNG to write")
    args = parser.parse_args()
    bgr = cv2.imread(args.photo, cv2.IMREAD_COLOR)
    if bgr is None or bgr.shape[:2] != (512, 512):
        sys.exit(f"{args.photo}: not the 512x512 sample photo")
    band = bgr[BAND_ROWS[0] : BAND_ROWS[1]]
    tensor_image = detector_input(band, SIZE)
    encoded, png = cv2.imencode(".png", tensor_image)
    if not encoded:
        sys.exit(f"{args.output}: OpenCV could not encode the PNG")
    write_atomically(args.output, png.tobytes())
    print(f"{args.output}: {SIZE}x{SIZE} detector input of rows {BAND_ROWS[0]}-{BAND_ROWS[1] - 1}")


if __name__ == "__main__":
    main()
