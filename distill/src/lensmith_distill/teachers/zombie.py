"""A second built-in teacher, of another kind than the cartoon: a "risen zombie" made
procedurally from the landmarks. Dead grey-green mottled skin (the face, and the neck
below it where it looks like skin), dark sunken eye sockets around milky yellowed eyes,
branching dark-purple veins on the temples, forehead, cheeks and jaw, and grey-violet
cracked lips. It grades and paints; it never moves a pixel, so the face's geometry and
expression stay as they were, and outside its feathered masks the picture is unchanged.

Every texture lives in face-relative coordinates (`zombie_texture.FaceFrame`) and comes
from fixed seeds, so the result is deterministic, follows the face across crops and
scales with it. It needs the landmarks and refuses to run without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from .. import face_regions as fr
from . import TeacherError
from .zombie_texture import FaceFrame, Stroke, draw_strokes, random_walk, value_noise

# Where veins start (a landmark), which way they head in the face frame (radians: 0 is
# towards the image's right, π/2 towards the chin), how many steps they walk, and a seed.
_VEINS = (
    (127, 0.25, 15, 1),  # temples, heading inwards
    (356, np.pi - 0.25, 15, 2),
    (54, 0.95, 13, 3),  # upper corners of the forehead, heading down and in
    (284, np.pi - 0.95, 13, 4),
    (109, 1.35, 10, 5),  # forehead, heading down
    (338, np.pi - 1.45, 11, 6),
    (234, -0.15, 12, 7),  # cheeks by the ears, heading in
    (454, np.pi + 0.2, 12, 8),
    (172, -0.75, 11, 9),  # jaw angles, heading up and in
    (397, np.pi + 0.75, 11, 10),
    (50, 2.3, 9, 13),  # cheeks below the cheekbones, heading down and out
    (280, 0.85, 9, 14),
    (152, 1.9, 10, 15),  # down the neck from the chin
    (33, np.pi + 0.35, 6, 11),  # from the outer corners of the eyes, outwards
    (263, -0.35, 6, 12),
)
# Short cracks across the lips: positions along the mouth from corner 61 to corner 291.
_CRACKS = (0.1, 0.27, 0.41, 0.58, 0.71, 0.9)
_SEED = 1983


@dataclass(frozen=True)
class ZombieSettings:
    """The look. Lengths are in face units (the distance between the eyes' centres)."""

    desaturate: float = 0.1  # chroma kept from the living skin
    skin_tint: tuple[float, float] = (-5.0, 5.5)  # Lab a, b of the dead skin (green-grey)
    skin_darken: float = 0.8  # lightness factor on the skin
    gaunt: float = 1.2  # local contrast added to the skin's lightness (wrinkles, bones)
    mottle: float = 12.0  # lightness swing of the mottling
    mottle_tint: float = 6.0  # colour swing of the mottling (purple bruise ↔ mouldy green)
    socket_darken: float = 0.72  # lightness lost at the centre of an eye socket
    socket_size: float = 0.4  # how far the socket spreads around the eye
    vein_width: float = 0.03
    vein_darken: float = 0.55
    vein_colour: tuple[float, float] = (18.0, -16.0)  # Lab a, b: dark purple
    lip_darken: float = 0.7
    crack_darken: float = 0.6
    neck: float = 0.8  # strength of the grade on the neck below the jaw


class ZombieTeacher:
    """Risen zombie: dead mottled skin, sunken sockets, veins and cracked lips, drawn from
    the landmarks; the face's shape, expression, hair and background stay as they were."""

    name = "zombie"
    description = (
        "zombie v1: procedural risen-zombie look placed by the 468 landmarks: desaturated "
        "green-grey mottled skin on face and neck, dark sunken eye sockets, milky eyes, "
        "branching purple veins, cracked grey-violet lips; no warping, background unchanged"
    )

    def __init__(self, settings: Optional[ZombieSettings] = None):
        self.settings = settings or ZombieSettings()
        self._veins = _vein_strokes(self.settings)

    def __call__(self, image: np.ndarray, landmarks: Optional[np.ndarray]) -> np.ndarray:
        if landmarks is None:
            raise TeacherError(
                "teacher `zombie` needs the face's 468 landmarks to place the skin, sockets, "
                "veins and lips; this crop has none (use crops written by `lensmith crops`, "
                "whose JSON holds them)"
            )
        marks = np.asarray(landmarks, np.float32)
        if marks.ndim != 2 or marks.shape[0] < 468 or marks.shape[1] < 2:
            raise TeacherError(
                f"teacher `zombie` needs 468 × (x, y[, z]) landmarks, got shape {marks.shape}"
            )
        points = marks[:468, :2]
        if not np.all(np.isfinite(points)):
            raise TeacherError("teacher `zombie`: the landmarks hold NaN or infinite values")
        return _zombify(image, points, self.settings, self._veins)


def _zombify(image: np.ndarray, points: np.ndarray, s: ZombieSettings, veins: list[list[Stroke]]) -> np.ndarray:
    shape = image.shape[:2]
    rgb = image.astype(np.float32) / 255.0
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
    frame = FaceFrame.from_landmarks(points)
    d = frame.unit
    m = _masks(points, lab, frame, s)

    out = lab.copy()
    # Dead skin: drained of colour, cast green-grey, a little darker, more gaunt.
    dead = lab.copy()
    dead[..., 1] = s.desaturate * lab[..., 1] + s.skin_tint[0]
    dead[..., 2] = s.desaturate * lab[..., 2] + s.skin_tint[1]
    detail = lab[..., 0] - cv2.GaussianBlur(lab[..., 0], (0, 0), 0.06 * d)
    dead[..., 0] = s.skin_darken * lab[..., 0] + s.gaunt * detail
    uv = frame.pixel_grid(shape)
    blotch = value_noise(uv, 2.2, 4, _SEED) - 0.5
    bruise = value_noise(uv, 1.3, 3, _SEED + 7) - 0.5
    dead[..., 0] += s.mottle * 2.0 * blotch
    dead[..., 1] += s.mottle_tint * 2.0 * bruise  # + purple-red, - green
    dead[..., 2] += -s.mottle_tint * 1.5 * bruise + 3.0 * blotch
    # Patches of rot where the coarse noise peaks: darker, brown-green.
    rot = _smoothstep(0.12, 0.3, blotch + 0.5 * bruise)
    dead[..., 0] *= 1.0 - 0.3 * rot
    dead[..., 1] += 2.0 * rot
    dead[..., 2] += 6.0 * rot
    # Hollows under the cheekbones and at the temples.
    dead[..., 0] *= 1.0 - 0.3 * m["hollows"]
    out = _mix(out, dead, m["skin"])

    # Sunken sockets: darker towards the eye, a bruised purple-brown.
    socket = m["sockets"]
    out[..., 0] *= 1.0 - s.socket_darken * socket
    out[..., 1] += 6.0 * socket
    out[..., 2] += -4.0 * socket

    # Eyes: milky and yellowed, reddened at the rims (under the socket's shadow).
    eyes = m["eyes"]
    milky = out.copy()
    milky[..., 0] = out[..., 0] + 0.5 * (66.0 - out[..., 0])
    milky[..., 1] = 0.2 * out[..., 1] + 1.0 + 16.0 * m["eye_rims"]
    milky[..., 2] = 0.2 * out[..., 2] + 11.0
    out = _mix(out, milky, eyes)

    # Lips: drained grey-violet and darker, split by dark cracks; the mouth's inside darker.
    lips = m["lips"]
    grey = out.copy()
    grey[..., 0] = s.lip_darken * lab[..., 0]
    grey[..., 1] = 0.15 * lab[..., 1] + 5.0
    grey[..., 2] = 0.15 * lab[..., 2] - 7.0
    out = _mix(out, grey, lips)
    out[..., 0] *= 1.0 - s.crack_darken * m["cracks"]
    # The mouth's inside: darker, and the teeth stained yellow-brown.
    stained = out.copy()
    stained[..., 0] *= 0.72
    stained[..., 1] = 0.4 * out[..., 1] + 2.0
    stained[..., 2] = 0.4 * out[..., 2] + 14.0
    out = _mix(out, stained, m["mouth"])

    # Veins: a faint bruise around each, then the dark purple line itself.
    vein = draw_strokes(_place(veins, points, frame), frame, shape) * m["vein_room"]
    halo = fr.feather(vein, 0.02 * d)
    out[..., 0] *= 1.0 - 0.25 * halo
    line = np.clip(vein, 0.0, 1.0)
    purple = out.copy()
    purple[..., 0] = out[..., 0] * (1.0 - s.vein_darken)
    purple[..., 1] = s.vein_colour[0]
    purple[..., 2] = s.vein_colour[1]
    out = _mix(out, purple, 0.9 * line)

    # Only what changed goes back onto the input, so untouched pixels keep their bytes.
    change = cv2.cvtColor(out, cv2.COLOR_Lab2RGB) - cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    return np.clip((rgb + change) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _masks(points: np.ndarray, lab: np.ndarray, frame: FaceFrame, s: ZombieSettings) -> dict:
    """Soft masks (float32 H×W) of where each part of the look goes."""
    shape = lab.shape[:2]
    d = frame.unit
    face = fr.polygon_mask(points, fr.FACE_OVAL, shape, feather_px=0.05 * d)
    eyes = np.maximum.reduce([fr.polygon_mask(points, e, shape, feather_px=0.012 * d) for e in fr.EYES])
    eyes_inner = np.maximum.reduce(
        [fr.polygon_mask(points, e, shape, feather_px=0.012 * d, grow_px=-0.03 * d) for e in fr.EYES]
    )
    lips_outer = fr.polygon_mask(points, fr.LIPS_OUTER, shape, feather_px=0.015 * d)
    mouth = fr.polygon_mask(points, fr.MOUTH_OPENING, shape, feather_px=0.012 * d)
    lips = np.clip(lips_outer - mouth, 0.0, 1.0)

    # How skin-like each pixel is, against the face's own skin: hair over the forehead or
    # a collar under the chin keeps (most of) its colour.
    core = fr.polygon_mask(points, fr.FACE_OVAL, shape, grow_px=-0.15 * d)
    features = np.maximum.reduce(
        [fr.polygon_mask(points, e, shape, grow_px=0.12 * d) for e in fr.EYES + fr.BROWS]
        + [fr.polygon_mask(points, fr.LIPS_OUTER, shape, grow_px=0.08 * d)]
    )
    sample = (core > 0.99) & (features < 0.01)
    ref = np.median(lab[sample], axis=0) if sample.sum() >= 16 else np.median(lab.reshape(-1, 3), axis=0)
    smooth = cv2.GaussianBlur(lab, (0, 0), 0.02 * d + 0.5)
    dist2 = ((smooth[..., 1] - ref[1]) ** 2 + (smooth[..., 2] - ref[2]) ** 2) / 14.0**2
    dist2 += np.clip(ref[0] - 12.0 - smooth[..., 0], 0.0, None) ** 2 / 18.0**2  # much darker: hair
    skinlike = np.exp(-0.5 * dist2).astype(np.float32)

    # The neck: under the jaw, as wide as the jaw and about a face tall, faded downwards.
    jaw = fr.points(points, (132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361))
    centre = jaw.mean(axis=0)
    drop = frame.y_axis * 1.6 * d
    below = centre + 0.8 * (jaw[::-1] - centre) + drop
    neck_poly = np.concatenate([jaw, below]).astype(np.float32)
    neck = _poly(neck_poly, shape, 0.12 * d)
    uv = frame.pixel_grid(shape)
    chin_v = float(frame.to_face(points[152:153, :2])[0, 1])
    fade = np.clip(1.0 - (uv[..., 1] - chin_v) / 1.6, 0.0, 1.0)
    neck = neck * fade * (1.0 - face)
    neck = s.neck * neck * fr.feather(skinlike, 0.04 * d)

    # Past the outline too (ears, temples, the hairline) wherever the picture is skin.
    around = fr.polygon_mask(points, fr.FACE_OVAL, shape, feather_px=0.08 * d, grow_px=0.3 * d)
    skin = np.maximum.reduce([face * (0.25 + 0.75 * skinlike), 0.95 * around * skinlike, neck])

    sockets = []
    for eye, brow in zip(fr.EYES, fr.BROWS):
        centre_e = fr.points(points, eye).mean(axis=0)
        brow_c = fr.points(points, brow).mean(axis=0)
        # Around the eye, spreading further up towards the brow than down onto the cheek.
        socket = fr.polygon_mask(points, eye, shape, grow_px=s.socket_size * 0.45 * d)
        lift = _ellipse((0.65 * centre_e + 0.35 * brow_c), 0.3 * d, 0.17 * d, frame, shape)
        sockets.append(np.maximum(socket, lift))
    socket = fr.feather(np.maximum.reduce(sockets), 0.11 * d) * face
    # Keep the eye openings themselves legible: they are shaded by the milky treatment.
    socket = socket * (1.0 - 0.6 * eyes)

    hollows = []
    for a, b in ((50, 172), (280, 397), (127, 127), (356, 356)):
        c = 0.55 * points[a] + 0.45 * points[b]
        hollows.append(_ellipse(c, 0.22 * d, 0.13 * d, frame, shape))
    hollows = fr.feather(np.maximum.reduce(hollows), 0.1 * d) * face

    cracks = _lip_cracks(points, frame, shape) * lips
    vein_room = face * (1.0 - features) * (0.3 + 0.7 * skinlike)
    vein_room = np.maximum(vein_room, 0.7 * neck)
    return {
        "skin": skin,
        "sockets": socket,
        "eyes": eyes,
        "eye_rims": np.clip(eyes - eyes_inner, 0.0, 1.0),
        "lips": lips,
        "mouth": mouth,
        "cracks": cracks,
        "hollows": hollows,
        "vein_room": fr.feather(vein_room, 0.02 * d),
    }


def _vein_strokes(s: ZombieSettings) -> list[list[Stroke]]:
    """Each vein (a trunk and its forks) in face units, relative to its anchor at (0, 0).
    Fixed seeds: the same for every face, placed on each by `_place`."""
    walks = []
    for _, heading, steps, seed in _VEINS:
        rng = np.random.default_rng(_SEED * 1000 + seed)
        walks.append(random_walk(rng, np.zeros(2, np.float32), heading, steps, 0.045, 0.32,
                                 s.vein_width, 0.18))
    return walks


def _place(veins: list[list[Stroke]], points: np.ndarray, frame: FaceFrame) -> list[Stroke]:
    """The veins moved to their anchor landmarks (still in face units)."""
    placed: list[Stroke] = []
    for (anchor, heading, _, _), walk in zip(_VEINS, veins):
        start = frame.to_face(points[anchor : anchor + 1, :2])[0]
        # A step inside the face, so the vein starts in skin rather than on the outline.
        start = start + 0.06 * np.array([np.cos(heading), np.sin(heading)], np.float32)
        for stroke in walk:
            placed.append(Stroke(stroke.points + start, stroke.widths, stroke.strength))
    return placed


def _lip_cracks(points: np.ndarray, frame: FaceFrame, shape: tuple[int, int]) -> np.ndarray:
    """Short dark cracks running across the lips, from fixed seeds."""
    corners = frame.to_face(points[[61, 291], :2])
    upper = frame.to_face(points[[0], :2])[0]
    lower = frame.to_face(points[[17], :2])[0]
    height = float(lower[1] - upper[1])
    strokes: list[Stroke] = []
    rng = np.random.default_rng(_SEED + 77)
    for t in _CRACKS:
        base = corners[0] + t * (corners[1] - corners[0])
        for sign in (-1.0, 1.0):  # into the upper lip and into the lower, not always both
            if float(rng.uniform()) < 0.3:
                continue
            along = float(rng.normal(0.0, 0.03))
            start = base + np.array([along, sign * 0.04 * height], np.float32)
            steps = int(rng.integers(2, 5))
            walk = random_walk(rng, start, sign * np.pi / 2 + float(rng.normal(0, 0.45)), steps,
                               0.12 * height, 0.6, 0.011, 0.0, depth=2)
            strokes += walk
    return draw_strokes(strokes, frame, shape, min_width_px=0.5)


def _ellipse(centre: np.ndarray, rx: float, ry: float, frame: FaceFrame, shape) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 32, endpoint=False, dtype=np.float32)
    c = frame.to_face(np.asarray(centre, np.float32)[None])[0]
    uv = np.stack([c[0] + rx / frame.unit * np.cos(t), c[1] + ry / frame.unit * np.sin(t)], axis=-1)
    return _poly(frame.to_image(uv), shape, 0.0)


def _poly(pts: np.ndarray, shape, feather_px: float) -> np.ndarray:
    """A filled anti-aliased polygon through image points `pts` (not landmarks)."""
    outline = np.asarray(pts, np.float32).reshape(-1, 2)
    return fr.polygon_mask(outline, range(len(outline)), shape, feather_px=feather_px)


def _smoothstep(lo: float, hi: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _mix(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
    return a + (b - a) * weight[..., None]
