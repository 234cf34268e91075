"""Named regions of MediaPipe's 468-point face mesh, and soft masks drawn from them.

The index lists are copied from `effect-api/src/face_regions.rs` (keep them in step);
the lid and brow splits are read off the same contours. Masks are float32 in [0, 1],
drawn supersampled so their edges are anti-aliased, then optionally feathered.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

# The face's outline, clockwise on screen from the top of the forehead (landmark 10).
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
# The subject's right eye opening (on the image's left), along the lid margins.
RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
# The subject's left eye opening (on the image's right).
LEFT_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
# The mouth opening, along the inner edge of the lips.
MOUTH_OPENING = (
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191,
)
# The outer edge of the lips, from the subject's right mouth corner (61).
LIPS_OUTER = (
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
)
# Brows: the upper edge from the temple inwards, then the lower edge back out.
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)

# Upper lids, inner corner to outer corner: where a cartoon draws the lash line.
RIGHT_UPPER_LID = (133, 173, 157, 158, 159, 160, 161, 246, 33)
LEFT_UPPER_LID = (362, 398, 384, 385, 386, 387, 388, 466, 263)
# Lower lids, outer corner to inner corner.
RIGHT_LOWER_LID = (33, 7, 163, 144, 145, 153, 154, 155, 133)
LEFT_LOWER_LID = (263, 249, 390, 373, 374, 380, 381, 382, 362)

EYES = (RIGHT_EYE, LEFT_EYE)
UPPER_LIDS = (RIGHT_UPPER_LID, LEFT_UPPER_LID)
LOWER_LIDS = (RIGHT_LOWER_LID, LEFT_LOWER_LID)
BROWS = (RIGHT_BROW, LEFT_BROW)

# Sub-pixel precision of cv2's drawing: coordinates are fixed point with this many bits.
_SHIFT = 4
# Masks are drawn this many times larger, then area-averaged down: anti-aliased edges.
_SUPERSAMPLE = 4


def points(landmarks: np.ndarray, indices: Sequence[int]) -> np.ndarray:
    """The (x, y) image positions of `indices`, as float32 N×2."""
    return np.asarray(landmarks, dtype=np.float32)[list(indices), :2]


def polygon_mask(
    landmarks: np.ndarray,
    indices: Sequence[int],
    shape: tuple[int, int],
    feather_px: float = 0.0,
    grow_px: float = 0.0,
) -> np.ndarray:
    """A filled, anti-aliased mask of the closed contour `indices`.

    `shape` is (height, width). `grow_px` widens (or, negative, narrows) the region by
    stroking its outline; `feather_px` is the sigma of a Gaussian softening of the edge.
    """
    pts = points(landmarks, indices)
    return _draw(shape, lambda canvas, s: _fill_and_grow(canvas, pts, s, grow_px), feather_px)


def polyline_mask(
    landmarks: np.ndarray,
    indices: Sequence[int],
    shape: tuple[int, int],
    width_px: float,
    closed: bool = False,
    feather_px: float = 0.0,
) -> np.ndarray:
    """An anti-aliased stroke of `width_px` along `indices` (open unless `closed`)."""
    pts = points(landmarks, indices)

    def stroke(canvas: np.ndarray, scale: int) -> None:
        _polyline(canvas, pts, scale, width_px, closed, 1.0)

    return _draw(shape, stroke, feather_px)


def tapered_stroke_mask(
    landmarks: np.ndarray,
    indices: Sequence[int],
    shape: tuple[int, int],
    widths_px: Sequence[float],
    feather_px: float = 0.0,
) -> np.ndarray:
    """An open stroke whose width runs through `widths_px`, one per segment of `indices`.

    Cartoon lash lines are thick in the middle of the lid and thin at the corners.
    """
    pts = points(landmarks, indices)
    if len(widths_px) != len(pts) - 1:
        raise ValueError(f"need {len(pts) - 1} widths for {len(pts)} points, got {len(widths_px)}")

    def stroke(canvas: np.ndarray, scale: int) -> None:
        for i, width in enumerate(widths_px):
            _polyline(canvas, pts[i : i + 2], scale, width, False, 1.0)

    return _draw(shape, stroke, feather_px)


def disc_mask(center: np.ndarray, radius_px: float, shape: tuple[int, int], feather_px: float = 0.0):
    """An anti-aliased filled disc, e.g. a catch-light."""

    def fill(canvas: np.ndarray, scale: int) -> None:
        c = _fixed(np.asarray(center, np.float32)[None], scale)[0]
        r = max(1, int(round(radius_px * scale * (1 << _SHIFT))))
        cv2.circle(canvas, (int(c[0]), int(c[1])), r, 1.0, -1, cv2.LINE_AA, _SHIFT)

    return _draw(shape, fill, feather_px)


def feather(mask: np.ndarray, sigma_px: float) -> np.ndarray:
    """A Gaussian-softened copy of `mask` (unchanged for sigma 0)."""
    if sigma_px <= 0:
        return mask
    return cv2.GaussianBlur(mask, (0, 0), sigma_px, borderType=cv2.BORDER_REPLICATE)


def _draw(shape, draw, feather_px: float) -> np.ndarray:
    height, width = shape
    canvas = np.zeros((height * _SUPERSAMPLE, width * _SUPERSAMPLE), np.float32)
    draw(canvas, _SUPERSAMPLE)
    mask = cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA)
    return np.clip(feather(mask, feather_px), 0.0, 1.0)


def _fixed(pts: np.ndarray, scale: int) -> np.ndarray:
    # Landmarks put (0, 0) at the first pixel's top-left corner (as the Rust crop transform
    # does); cv2's drawing puts pixel centres at integer coordinates, hence the half pixel.
    scaled = pts * scale - 0.5
    return np.round(scaled * (1 << _SHIFT)).astype(np.int32)


def _fill_and_grow(canvas: np.ndarray, pts: np.ndarray, scale: int, grow_px: float) -> None:
    cv2.fillPoly(canvas, [_fixed(pts, scale)], 1.0, cv2.LINE_AA, _SHIFT)
    if grow_px > 0:
        _polyline(canvas, pts, scale, 2 * grow_px, True, 1.0)
    elif grow_px < 0:
        _polyline(canvas, pts, scale, -2 * grow_px, True, 0.0)


def _polyline(canvas, pts, scale: int, width_px: float, closed: bool, value: float) -> None:
    thickness = max(1, int(round(width_px * scale)))
    cv2.polylines(canvas, [_fixed(pts, scale)], closed, value, thickness, cv2.LINE_AA, _SHIFT)
