"""The face-aware half of the cartoon teacher: masks of the features from the landmarks,
and how eyes, lips and brows are drawn (crisp eyes with lash lines and catch-lights,
saturated outlined lips, defined brows). All sizes follow the eyes' width, so a crop of
any size looks the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import face_regions as fr

# Eye corner to corner in a 256² `lensmith crops` crop, in pixels: the unit of every size here.
_REFERENCE_EYE_WIDTH = 28.0


@dataclass
class FaceMasks:
    """Soft masks (float32 H×W in [0, 1]) of the face's parts in the working image."""

    points: np.ndarray  # 468 × 2 landmark positions in working pixels
    unit: float  # working pixels per reference crop pixel (sizes scale with the face)
    skin: np.ndarray
    eyes: list[np.ndarray]
    eye_zone: np.ndarray  # the eyes and a margin: no XDoG lines, drawn outlines instead
    lips: np.ndarray
    mouth: np.ndarray
    brows: np.ndarray

    @staticmethod
    def build(points: np.ndarray, shape: tuple[int, int], scale: float) -> "FaceMasks":
        """Masks from landmark `points` already scaled to `shape` by `scale`."""
        eye_width = np.mean([np.linalg.norm(points[a] - points[b]) for a, b in ((33, 133), (263, 362))])
        # Clamped so a broken mesh (all points in one spot) cannot make zero or huge strokes.
        u = float(np.clip(eye_width / _REFERENCE_EYE_WIDTH, 0.4 * scale, 4.0 * scale))
        face = fr.polygon_mask(points, fr.FACE_OVAL, shape, feather_px=3 * u)
        eyes = [fr.polygon_mask(points, eye, shape, feather_px=0.6 * u, grow_px=0.4 * u) for eye in fr.EYES]
        eye_zone = np.maximum.reduce(
            [fr.polygon_mask(points, eye, shape, feather_px=1.5 * u, grow_px=2.5 * u) for eye in fr.EYES]
        )
        lips_outer = fr.polygon_mask(points, fr.LIPS_OUTER, shape, feather_px=0.7 * u)
        mouth = fr.polygon_mask(points, fr.MOUTH_OPENING, shape, feather_px=0.6 * u)
        brows = np.maximum.reduce(
            [fr.polygon_mask(points, brow, shape, feather_px=0.9 * u, grow_px=0.3 * u) for brow in fr.BROWS]
        )
        features = np.maximum.reduce(
            [
                eye_zone,
                fr.polygon_mask(points, fr.LIPS_OUTER, shape, feather_px=2 * u, grow_px=2 * u),
                fr.polygon_mask(points, fr.RIGHT_BROW, shape, feather_px=2 * u, grow_px=2 * u),
                fr.polygon_mask(points, fr.LEFT_BROW, shape, feather_px=2 * u, grow_px=2 * u),
            ]
        )
        return FaceMasks(
            points=points,
            unit=u,
            skin=face * (1.0 - features),
            eyes=eyes,
            eye_zone=eye_zone,
            lips=np.clip(lips_outer - mouth, 0.0, 1.0),
            mouth=mouth,
            brows=brows,
        )


def stylise_features(styled: np.ndarray, crisp: np.ndarray, m: FaceMasks) -> np.ndarray:
    """Fills eyes, mouth, lips and brows (Lab, float32) with their cartoon treatment."""
    out = styled.copy()
    for eye in m.eyes:
        # Eyes from the crisp copy, with their own contrast raised: whites whiter, iris darker.
        mean = _masked_mean(crisp, eye)
        vivid = crisp.copy()
        vivid[..., 0] = np.clip(mean[0] + 1.25 * (crisp[..., 0] - mean[0]), 0.0, 92.0)
        # Whites lose some pink as they brighten; the iris keeps its colour. A smooth ramp,
        # not a threshold, so no hard colour edge appears inside the eye.
        whiteness = 0.5 + 0.5 * np.tanh((crisp[..., :1] - mean[0]) / 4.0)
        vivid[..., 1:] *= 1.0 - 0.3 * whiteness
        out = _mix(out, vivid, eye)
    out = _mix(out, crisp, 0.8 * m.mouth)  # teeth and tongue stay legible

    lips = _masked_mean(crisp, m.lips)
    fill = out.copy()
    # Flattened lightness (half-way to the lips' mean) and one saturated lip colour.
    fill[..., 0] = 0.5 * (out[..., 0] + lips[0]) - 3.0
    fill[..., 1] = lips[1] * 1.2
    fill[..., 2] = lips[2] * 1.1
    out = _mix(out, fill, 0.55 * m.lips)

    # Brows: the crisp brow itself, darkened, so its own shape shows rather than the mesh's.
    dark = crisp.copy()
    dark[..., 0] *= 0.8
    return _mix(out, dark, 0.8 * m.brows)


def ink_features(styled: np.ndarray, m: FaceMasks) -> np.ndarray:
    """Draws outlines (lash lines, lower lids, lips, the mouth's opening) and catch-lights."""
    shape = styled.shape[:2]
    u = m.unit
    ink = np.zeros(shape, np.float32)
    for lid in fr.UPPER_LIDS:
        # Thin at the inner corner, thickest past the middle, tapering towards the outer corner.
        widths = [1.2, 1.5, 1.9, 2.2, 2.4, 2.4, 2.1, 1.6]
        ink = np.maximum(ink, 0.8 * fr.tapered_stroke_mask(m.points, lid, shape, [w * u for w in widths]))
    for lid in fr.LOWER_LIDS:
        ink = np.maximum(ink, 0.3 * fr.polyline_mask(m.points, lid, shape, 1.5 * u))
    ink = np.maximum(ink, 0.25 * fr.polyline_mask(m.points, fr.LIPS_OUTER, shape, 1.6 * u, closed=True))
    ink = np.maximum(ink, 0.55 * fr.polyline_mask(m.points, fr.MOUTH_OPENING, shape, 1.6 * u, closed=True))
    out = styled.copy()
    out[..., 0] *= 1.0 - fr.feather(ink, 0.35 * u)
    return _catch_lights(out, m)


def _catch_lights(lab: np.ndarray, m: FaceMasks) -> np.ndarray:
    """A small soft highlight up and to the image's right of each iris, inside the eye."""
    out = lab
    ys, xs = np.mgrid[0 : lab.shape[0], 0 : lab.shape[1]].astype(np.float32)
    for eye, outline in zip(m.eyes, fr.EYES):
        corners = fr.points(m.points, (outline[0], outline[8]))
        width = float(np.linalg.norm(corners[0] - corners[1]))
        pts = fr.points(m.points, outline)
        opening = float(pts[:, 1].max() - pts[:, 1].min())
        if width <= 0 or opening < 0.2 * width:
            continue  # closed or squinting: no visible iris to light
        # The iris is the darkest part of the opening: darkness-weighted centroid.
        darkness = eye * np.clip(_masked_mean(lab, eye)[0] - lab[..., 0], 0.0, None)
        total = float(darkness.sum())
        if total <= 0:
            continue
        centre = np.array([(darkness * xs).sum(), (darkness * ys).sum()], np.float32) / total
        spot = centre + np.array([0.1 * width, -0.22 * opening], np.float32)
        light = fr.disc_mask(spot, max(0.09 * width, 1.3 * m.unit), lab.shape[:2], 0.4 * m.unit)
        alpha = 0.75 * light * fr.feather(eye, 0.5 * m.unit)
        out = out.copy()
        out[..., 0] += (97.0 - out[..., 0]) * alpha
        out[..., 1:] *= 1.0 - alpha[..., None]
    return out


def _masked_mean(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weight = float(mask.sum())
    if weight <= 1e-6:
        return lab.reshape(-1, 3).mean(axis=0)
    return (lab * mask[..., None]).reshape(-1, 3).sum(axis=0) / weight


def _mix(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
    return a + (b - a) * weight[..., None]
