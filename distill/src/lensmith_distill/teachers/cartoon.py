"""The built-in teacher: a slow, face-aware cartoon (cel-shaded) stylisation of face crops.

Made from classical image operators, since no generative weights ship with Lensmith, and
shaped so a small convolutional student can learn it: everything is deterministic, smooth
at the pixel scale (soft colour levels, anti-aliased lines at least 1.5 px wide, no noise)
and leaves the geometry where it was. Work happens at twice the crop's size and is
area-averaged down, which anti-aliases every edge the effect draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from . import cartoon_face
from .cartoon_face import FaceMasks

# Internal supersampling factor: edges drawn at 2× and averaged down come out anti-aliased.
SUPERSAMPLE = 2


@dataclass(frozen=True)
class CartoonSettings:
    """The look, in crop pixels (they are scaled by SUPERSAMPLE internally)."""

    # Edge-preserving smoothing: bilateral passes over Lab, more and wider ones on skin.
    smooth_passes: int = 4
    skin_passes: int = 2
    line_passes: int = 2  # lines are traced on a lighter smoothing: more of the drawing
    bilateral_sigma_color: float = 8.0  # in Lab L units (0-100)
    skin_sigma_color: float = 9.0
    bilateral_sigma_space: float = 3.0
    paint_length: float = 3.0  # sigma along edges of the colour's flow smoothing
    # Soft quantisation of lightness into cel-shading bands.
    levels: float = 8.0  # bands over L 0-100
    band_sharpness: float = 4.0  # steepness of each band step (0 = no quantisation)
    quantise_amount: float = 0.7  # 1 = fully banded, 0 = smooth shading kept
    # Colour lift: dim surroundings brightened towards mid-grey, then saturation and contrast.
    shadow_lift: float = 0.45  # exponent of the local exposure gain (0 = off)
    exposure_sigma: float = 24.0
    saturation: float = 1.15
    contrast_curve: float = 0.8  # tanh gain on lightness; slope at mid-grey ~ 1.2
    # XDoG line art on lightness, normalised by the local contrast.
    line_sigma: float = 1.0
    line_k: float = 1.6
    line_tau: float = 1.0
    line_epsilon: float = -0.05
    line_phi: float = 30.0
    line_strength: float = 0.7  # darkest a line multiplies lightness by is 1 - strength
    skin_line_epsilon: float = -0.08  # lines need more contrast on skin (no wrinkles)
    skin_line_strength: float = 0.5
    contrast_sigma: float = 6.0
    flow_length: float = 3.0  # sigma along edges of the flow smoothing before the DoG
    contrast_floor: float = 0.05


class CartoonTeacher:
    """Cel-shaded cartoon portrait: flat shaded skin, ink lines, crisp defined features."""

    name = "cartoon"
    description = (
        "cartoon v1: Lab bilateral flattening (stronger on skin), soft lightness banding, "
        "XDoG ink lines, face-aware eyes (lash lines, catch-lights), lips (saturated fill, "
        "outline) and brows; geometry unchanged"
    )

    def __init__(self, settings: Optional[CartoonSettings] = None):
        self.settings = settings or CartoonSettings()

    def __call__(self, image: np.ndarray, landmarks: Optional[np.ndarray]) -> np.ndarray:
        height, width = image.shape[:2]
        size = (width * SUPERSAMPLE, height * SUPERSAMPLE)
        s = self.settings
        lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
        masks = None
        if landmarks is not None:
            marks = np.asarray(landmarks, np.float32)[:, :2] * SUPERSAMPLE
            masks = FaceMasks.build(marks, (size[1], size[0]), SUPERSAMPLE)

        # Smoothing runs at the crop's own size (4x cheaper); drawing runs supersampled.
        smooth = _bilateral(lab, s.smooth_passes, s.bilateral_sigma_color, s.bilateral_sigma_space)
        smooth = cv2.resize(smooth, size, interpolation=cv2.INTER_CUBIC)
        skin = np.zeros(smooth.shape[:2], np.float32) if masks is None else masks.skin
        if masks is not None:
            smoother = _bilateral(
                lab, s.smooth_passes + s.skin_passes, s.skin_sigma_color, s.bilateral_sigma_space
            )
            smoother = cv2.resize(smoother, size, interpolation=cv2.INTER_CUBIC)
            smooth = _mix(smooth, smoother, skin)

        if s.paint_length > 0:
            # Colour smeared along the edges: hair and fabric become strokes, not blotches.
            tangents = edge_tangents(smooth[..., 0] / 100.0, 2.0 * SUPERSAMPLE)
            smooth = flow_smooth(smooth, tangents, s.paint_length * SUPERSAMPLE)
        gain = _exposure_gain(smooth[..., 0], s.shadow_lift, s.exposure_sigma * SUPERSAMPLE)
        smooth[..., 0] = _brighten(smooth[..., 0], gain)
        lightness = smooth[..., 0]
        banded = soft_quantise(lightness, s.levels, s.band_sharpness)
        lightness = lightness + s.quantise_amount * (banded - lightness)
        styled = np.dstack([lightness, smooth[..., 1:]])

        # Lines and the face's features come from a lighter smoothing, so they stay crisp.
        crisp = _bilateral(lab, s.line_passes, s.bilateral_sigma_color, s.bilateral_sigma_space)
        crisp = cv2.resize(crisp, size, interpolation=cv2.INTER_CUBIC)
        crisp[..., 0] = _brighten(crisp[..., 0], gain)
        if masks is not None:
            styled = cartoon_face.stylise_features(styled, crisp, masks)

        styled = _lift(styled, s.saturation, s.contrast_curve)
        lines = xdog_lines(crisp[..., 0] / 100.0, s, skin)
        if masks is not None:
            lines = lines * (1.0 - masks.eye_zone)  # eyes get drawn outlines instead
        strength = s.line_strength + (s.skin_line_strength - s.line_strength) * skin
        styled[..., 0] *= 1.0 - strength * lines
        if masks is not None:
            styled = cartoon_face.ink_features(styled, masks)

        rgb = cv2.cvtColor(styled, cv2.COLOR_Lab2RGB)
        small = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
        return np.clip(small * 255.0 + 0.5, 0, 255).astype(np.uint8)


def soft_quantise(values: np.ndarray, levels, sharpness: float) -> np.ndarray:
    """Smooth staircase over 0–100: flat near each of `levels` band values, tanh steps between.

    Continuous with a continuous slope at every band edge, so it never makes a hard step
    (hard steps are what a student cannot learn).
    """
    step = 100.0 / np.asarray(levels, np.float32)
    position = values / step
    band = np.floor(position)
    t = position - band - 0.5
    if sharpness <= 0:
        return values
    ramp = 0.5 + 0.5 * np.tanh(sharpness * t) / np.tanh(sharpness * 0.5)
    return ((band + ramp) * step).astype(np.float32)


def xdog_lines(lightness01: np.ndarray, s: CartoonSettings, skin: np.ndarray) -> np.ndarray:
    """eXtended difference of Gaussians ink: 0 = no line, 1 = full line, soft thresholded.

    The DoG is divided by the local contrast, so a dim, flat webcam frame gets as many
    lines as a crisp studio photo.
    """
    sigma = s.line_sigma * SUPERSAMPLE
    if s.flow_length > 0:
        # Smoothing along the edges' own direction first joins broken edges into strokes
        # and turns texture (hair, stubble) into a few coherent lines instead of specks.
        tangents = edge_tangents(lightness01, 2.0 * SUPERSAMPLE)
        lightness01 = flow_smooth(lightness01, tangents, s.flow_length * SUPERSAMPLE)
    fine = cv2.GaussianBlur(lightness01, (0, 0), sigma)
    coarse = cv2.GaussianBlur(lightness01, (0, 0), sigma * s.line_k)
    wide = s.contrast_sigma * SUPERSAMPLE
    mean = cv2.GaussianBlur(lightness01, (0, 0), wide)
    spread = np.sqrt(np.maximum(cv2.GaussianBlur(lightness01**2, (0, 0), wide) - mean**2, 0.0))
    dog = (fine - s.line_tau * coarse) / (spread + s.contrast_floor)
    epsilon = s.line_epsilon + (s.skin_line_epsilon - s.line_epsilon) * skin
    # Winnemoller's XDoG: 1 above epsilon, 1 + tanh(phi (D - epsilon)) below; a line is 1 - that.
    lines = np.where(dog >= epsilon, 0.0, -np.tanh(s.line_phi * (dog - epsilon)))
    # A line never ends in a hard single-pixel edge: soften it by about half a crop pixel.
    return cv2.GaussianBlur(lines.astype(np.float32), (0, 0), 0.5 * SUPERSAMPLE)


def edge_tangents(grey: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along the edges of `grey`: the structure tensor's minor eigenvector,
    with the tensor smoothed by `sigma` so the flow is coherent."""
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    e, f, g = (cv2.GaussianBlur(x, (0, 0), sigma) for x in (gx * gx, gx * gy, gy * gy))
    theta = 0.5 * np.arctan2(2.0 * f, e - g)  # the gradient's orientation
    return -np.sin(theta), np.cos(theta)  # the tangent runs across it


def flow_smooth(image: np.ndarray, tangents, length: float) -> np.ndarray:
    """Gaussian smoothing of `image` (grey or multi-channel) along `tangents`, a
    straight-line approximation of line integral convolution."""
    tx, ty = tangents
    height, width = image.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    steps = int(np.ceil(2.0 * length))
    out = np.zeros_like(image)
    total = 0.0
    for k in range(-steps, steps + 1):
        weight = float(np.exp(-0.5 * (k / length) ** 2))
        sample = cv2.remap(
            image, xs + k * tx, ys + k * ty, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        out += weight * sample
        total += weight
    return out / total


def _bilateral(lab: np.ndarray, passes: int, sigma_color: float, sigma_space: float):
    out = lab
    diameter = int(2 * round(2 * sigma_space) + 1)
    for _ in range(passes):
        out = cv2.bilateralFilter(out, diameter, sigma_color, sigma_space)
    return out


def _exposure_gain(lightness: np.ndarray, strength: float, sigma: float) -> np.ndarray:
    """A smooth local gain (1x to 1.8x) that brightens regions darker than mid-grey, so dim
    webcam frames come out as bright as a cartoon should; bright regions get 1x.

    The local brightness is an edge-aware average (bilateral, on a quarter-size copy), so
    dark hair does not light a halo on the background beside it.
    """
    height, width = lightness.shape
    small = cv2.resize(lightness, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    radius = sigma / 4.0
    for _ in range(3):
        small = cv2.bilateralFilter(small, int(2 * round(2 * radius) + 1), 12.0, radius)
    local = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip((50.0 / np.maximum(local, 1.0)) ** strength, 1.0, 1.8)


def _brighten(lightness: np.ndarray, gain: np.ndarray) -> np.ndarray:
    # Only the added light is rolled off above L 80, so highlights in a dim region do not
    # clip to white while pixels with a gain of 1 stay exactly as they were.
    def roll(x):
        return np.where(x <= 80.0, x, 80.0 + 20.0 * np.tanh((x - 80.0) / 20.0))

    return np.minimum(lightness + roll(lightness * gain) - roll(lightness), 100.0)


def _lift(lab: np.ndarray, saturation: float, gain: float) -> np.ndarray:
    out = lab.copy()
    out[..., 1:] *= saturation
    # Contrast about mid-grey with a soft roll-off so highlights and shadows never clip hard.
    centred = (out[..., 0] - 50.0) / 50.0
    out[..., 0] = 50.0 + 50.0 * np.tanh(gain * centred) / np.tanh(gain)
    return out


def _mix(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
    return a + (b - a) * weight[..., None]
