"""Procedural pieces of the zombie teacher, all placed in face-relative coordinates: the
face's frame (from the landmarks), fractal value noise for mottling, and seeded random
walks for veins and lip cracks, drawn as anti-aliased strokes.

Nothing here reads the image: the same landmarks give the same texture, so the texture
follows a face from crop to crop and scales and turns with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .. import face_regions as fr

# Sub-pixel bits and supersampling of the stroke drawing (as face_regions draws masks).
_SHIFT = 4
_SUPERSAMPLE = 4


@dataclass(frozen=True)
class FaceFrame:
    """A similarity frame on the face: origin between the eyes, x towards the subject's
    left eye (the image's right), y towards the chin, one unit = the distance between
    the eyes' centres. `to_image` and `to_face` convert between it and image pixels."""

    origin: np.ndarray  # (2,) image pixels
    x_axis: np.ndarray  # (2,) unit vector
    y_axis: np.ndarray  # (2,) unit vector
    unit: float  # image pixels per face unit

    @staticmethod
    def from_landmarks(points: np.ndarray) -> "FaceFrame":
        """The frame of a 468-point mesh (x, y in image pixels)."""
        right = fr.points(points, fr.RIGHT_EYE).mean(axis=0)
        left = fr.points(points, fr.LEFT_EYE).mean(axis=0)
        across = left - right
        unit = float(np.linalg.norm(across))
        if not np.isfinite(unit) or unit < 1e-3:
            # A collapsed mesh: fall back to a tiny upright frame rather than divide by 0.
            return FaceFrame(np.asarray((right + left) / 2, np.float32), np.array([1, 0], np.float32),
                             np.array([0, 1], np.float32), 1.0)
        x_axis = (across / unit).astype(np.float32)
        y_axis = np.array([-x_axis[1], x_axis[0]], np.float32)
        chin = np.asarray(points[152, :2], np.float32)
        origin = ((right + left) / 2).astype(np.float32)
        if float(np.dot(chin - origin, y_axis)) < 0:  # mirrored mesh: keep y towards the chin
            y_axis = -y_axis
        return FaceFrame(origin, x_axis, y_axis, unit)

    def to_image(self, uv: np.ndarray) -> np.ndarray:
        """Face coordinates N×2 → image pixels N×2."""
        uv = np.asarray(uv, np.float32)
        return self.origin + self.unit * (uv[..., :1] * self.x_axis + uv[..., 1:2] * self.y_axis)

    def to_face(self, xy: np.ndarray) -> np.ndarray:
        """Image pixels N×2 → face coordinates N×2."""
        d = (np.asarray(xy, np.float32) - self.origin) / self.unit
        return np.stack([d @ self.x_axis, d @ self.y_axis], axis=-1)

    def pixel_grid(self, shape: tuple[int, int]) -> np.ndarray:
        """Face coordinates of every pixel's centre, H×W×2."""
        ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
        return self.to_face(np.stack([xs + 0.5, ys + 0.5], axis=-1))


def value_noise(uv: np.ndarray, frequency: float, octaves: int, seed: int) -> np.ndarray:
    """Fractal value noise in [0, 1] at face coordinates `uv` (H×W×2): `frequency`
    lattice cells per face unit at the first octave, each next octave twice as fine and
    half as strong. Integer hashing, so the same inputs give the same bits everywhere."""
    total = np.zeros(uv.shape[:2], np.float32)
    weight = 0.0
    amplitude = 1.0
    for octave in range(octaves):
        total += amplitude * _lattice_noise(uv * frequency * (2**octave), seed + 101 * octave)
        weight += amplitude
        amplitude *= 0.5
    return total / weight


def _lattice_noise(p: np.ndarray, seed: int) -> np.ndarray:
    cell = np.floor(p)
    f = (p - cell).astype(np.float32)
    f = f * f * (3.0 - 2.0 * f)  # smoothstep: no creases at the cell borders
    ix = cell[..., 0].astype(np.int64)
    iy = cell[..., 1].astype(np.int64)
    a = _hash(ix, iy, seed)
    b = _hash(ix + 1, iy, seed)
    c = _hash(ix, iy + 1, seed)
    d = _hash(ix + 1, iy + 1, seed)
    top = a + (b - a) * f[..., 0]
    bottom = c + (d - c) * f[..., 0]
    return top + (bottom - top) * f[..., 1]


def _hash(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    # A small integer mixer (xorshift-multiply), in uint32 arithmetic that wraps by design.
    h = (ix * 374761393 + iy * 668265263 + seed * 2246822519) & 0xFFFFFFFF
    h = h.astype(np.uint32)
    h = (h ^ (h >> np.uint32(13))) * np.uint32(1274126177)
    h = h ^ (h >> np.uint32(16))
    return (h.astype(np.float64) / 4294967296.0).astype(np.float32)


@dataclass(frozen=True)
class Stroke:
    """A polyline in face coordinates with a width (in face units) per segment."""

    points: np.ndarray  # N×2
    widths: np.ndarray  # N-1
    strength: np.ndarray  # N-1, 0..1: tips fade out


def random_walk(
    rng: np.random.Generator,
    start: np.ndarray,
    heading: float,
    steps: int,
    step: float,
    wiggle: float,
    width: float,
    branch_chance: float,
    depth: int = 0,
) -> list[Stroke]:
    """A vein: a random walk from `start` (face units) heading `heading` radians, which
    tapers to its tip and may fork (forks are thinner and shorter). Only `rng` decides."""
    pts = [np.asarray(start, np.float32)]
    angle = heading
    strokes: list[Stroke] = []
    for i in range(steps):
        angle += float(rng.normal(0.0, wiggle))
        length = step * float(rng.uniform(0.6, 1.3))
        pts.append(pts[-1] + length * np.array([np.cos(angle), np.sin(angle)], np.float32))
        if depth < 2 and i > 1 and float(rng.uniform()) < branch_chance:
            turn = float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.4, 0.9))
            strokes += random_walk(
                rng, pts[-1], angle + turn, max(3, (steps - i) * 2 // 3), step * 0.85, wiggle,
                width * 0.65, branch_chance * 0.7, depth + 1,
            )
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)
    widths = width * (1.0 - 0.6 * t)
    strength = np.clip(1.15 - t, 0.0, 1.0) ** 0.7
    strokes.insert(0, Stroke(np.stack(pts), widths, strength))
    return strokes


def draw_strokes(strokes: list[Stroke], frame: FaceFrame, shape: tuple[int, int],
                 min_width_px: float = 0.6) -> np.ndarray:
    """An anti-aliased float32 mask (H×W, 0..1) of `strokes` mapped into the image by
    `frame`: drawn 4× larger with sub-pixel precision, then area-averaged down."""
    height, width = shape
    canvas = np.zeros((height * _SUPERSAMPLE, width * _SUPERSAMPLE), np.float32)
    # Thin strokes first, so a trunk drawn after its forks is not lightened where they meet.
    order = sorted(strokes, key=lambda s: float(s.widths.max()))
    for stroke in order:
        xy = frame.to_image(stroke.points)
        fixed = np.round((xy * _SUPERSAMPLE - 0.5) * (1 << _SHIFT)).astype(np.int32)
        for i in range(len(fixed) - 1):
            w_px = max(min_width_px, float(stroke.widths[i]) * frame.unit)
            # A stroke thinner than its minimum width is drawn at the minimum, fainter:
            # the same ink per length, so a small crop shows veins as a larger one does.
            value = float(stroke.strength[i]) * min(1.0, float(stroke.widths[i]) * frame.unit / w_px)
            thickness = max(1, int(round(w_px * _SUPERSAMPLE)))
            p0 = (int(fixed[i, 0]), int(fixed[i, 1]))
            p1 = (int(fixed[i + 1, 0]), int(fixed[i + 1, 1]))
            if max(abs(p0[0]), abs(p0[1]), abs(p1[0]), abs(p1[1])) > 1 << 28:
                continue  # far outside the picture (a broken mesh): cv2 would overflow
            cv2.line(canvas, p0, p1, value, thickness, cv2.LINE_AA, _SHIFT)
    return np.clip(cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA), 0.0, 1.0)
