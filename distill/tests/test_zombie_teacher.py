"""The built-in zombie teacher: its contract (deterministic, size kept, needs landmarks)
and its look (dead green-grey skin, dark sockets, veins) with the face's geometry and the
background left as they were, at any crop size. Each look test runs on the fixture crop
(the astronaut photo, or the painted face without it) and on the painted face."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from conftest import painted_face
from lensmith_distill import face_regions as fr
from lensmith_distill.teachers import TeacherError, load_teacher, run_teacher
from lensmith_distill.teachers.zombie import ZombieTeacher
from lensmith_distill.teachers.zombie_texture import FaceFrame


@pytest.fixture(scope="module")
def zombie():
    return load_teacher("zombie")


@pytest.fixture(scope="module", params=["fixture", "painted"])
def case(request, zombie, face_crop):
    """(input, landmarks, zombie output, unit: pixels between the eyes' centres)."""
    image, marks, _ = face_crop
    if request.param == "painted":
        image = painted_face(marks)
    return image, marks, zombie(image, marks), FaceFrame.from_landmarks(marks[:, :2]).unit


def test_zombie_is_deterministic(zombie, case):
    image, marks, out, _ = case
    assert np.array_equal(zombie(image, marks), out)
    assert np.array_equal(ZombieTeacher()(image.copy(), marks.copy()), out)


def test_zombie_name_and_description_are_stable(zombie):
    assert zombie.name == "zombie"
    assert "zombie" in zombie.description and "landmarks" in zombie.description


def test_zombie_keeps_shape_and_dtype(zombie, face_crop):
    image, marks, _ = face_crop
    for height, width in [(256, 256), (120, 200), (64, 64)]:
        resized = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
        scaled = marks.copy()
        scaled[:, 0] *= width / image.shape[1]
        scaled[:, 1] *= height / image.shape[0]
        out = run_teacher(zombie, resized, scaled)
        assert out.shape == (height, width, 3) and out.dtype == np.uint8


def test_zombie_needs_landmarks(zombie, face_crop):
    image, marks, _ = face_crop
    with pytest.raises(TeacherError, match="zombie.*needs.*landmarks"):
        run_teacher(zombie, image, None)
    with pytest.raises(TeacherError, match="468"):
        zombie(image, marks[:10])


def test_zombie_reports_its_time(zombie, face_crop, capsys):
    image, marks, what = face_crop
    zombie(image, marks)  # warm-up
    runs = 3
    start = time.perf_counter()
    for _ in range(runs):
        zombie(image, marks)
    millis = 1000 * (time.perf_counter() - start) / runs
    with capsys.disabled():
        print(f"\nzombie teacher: {millis:.0f} ms per 256² crop ({what}, {cv2.getNumThreads()} threads)")
    assert millis > 0


def test_skin_turns_dead_green_grey_and_background_stays(case):
    image, marks, out, d = case
    core = _face_core(marks, d, image.shape[:2])
    before, after = _lab(image)[core], _lab(out)[core]
    chroma_before = np.hypot(before[:, 1], before[:, 2]).mean()
    chroma_after = np.hypot(after[:, 1], after[:, 2]).mean()
    assert chroma_after < 0.6 * chroma_before, (chroma_before, chroma_after)
    # Greener: Lab a (green−, red+) falls, and ends on the green side on average.
    assert after[:, 1].mean() < before[:, 1].mean() - 4.0 and after[:, 1].mean() < 0.0
    # Far from the face (and above the chin, where the neck is graded) nothing moves.
    far = _far_from_face(marks, d, image.shape[:2])
    assert far.sum() > 0.05 * far.size
    diff = np.abs(out.astype(np.int16) - image.astype(np.int16))[far]
    assert diff.mean() < 0.5 and (diff.max(axis=1) == 0).mean() > 0.95


def test_eye_sockets_darken(case):
    image, marks, out, d = case
    shape = image.shape[:2]
    for eye in fr.EYES:
        ring = (fr.polygon_mask(marks, eye, shape, grow_px=0.2 * d) > 0.5) & (
            fr.polygon_mask(marks, eye, shape, grow_px=0.04 * d) < 0.01
        )
        before = _lab(image)[ring, 0].mean()
        after = _lab(out)[ring, 0].mean()
        assert after < 0.7 * before, (before, after)


def test_veins_are_thin_dark_lines_in_the_face(case):
    image, marks, out, d = case
    core = _face_core(marks, d, image.shape[:2])
    before = _thin_dark(image, d)[core].sum()
    after = _thin_dark(out, d)[core].sum()
    assert after > before + 0.01 * core.sum() and after > 2 * before, (before, after, core.sum())


def test_geometry_is_kept(case):
    # Edges of the result line up with the input's: features are recoloured, never moved.
    image, marks, out, d = case
    face = fr.polygon_mask(marks, fr.FACE_OVAL, image.shape[:2]) > 0.5
    ncc = _ncc(_gradient(image)[face], _gradient(out)[face])
    assert ncc > 0.6, ncc


def test_a_larger_crop_gives_the_same_look(zombie, face_crop):
    image, marks, _ = face_crop
    small = zombie(image, marks)
    big_image = cv2.resize(image, (512, 512), interpolation=cv2.INTER_CUBIC)
    big_marks = marks.copy()
    big_marks[:, :2] *= 2.0
    big = zombie(big_image, big_marks)
    d = FaceFrame.from_landmarks(marks[:, :2]).unit
    # The same picture, at twice the size: the downscaled result matches the small one.
    down = cv2.resize(big, (256, 256), interpolation=cv2.INTER_AREA)
    face = fr.polygon_mask(marks, fr.FACE_OVAL, (256, 256)) > 0.5
    assert np.abs(down.astype(np.float32) - small.astype(np.float32))[face].mean() < 6.0
    # Veins scale with the face, not the pixel grid: 4× the area in thin dark pixels.
    core_small, core_big = _face_core(marks, d, (256, 256)), _face_core(big_marks, 2 * d, (512, 512))
    veins_small = (_thin_dark(small, d) & ~_thin_dark(image, d))[core_small].sum()
    veins_big = (_thin_dark(big, 2 * d) & ~_thin_dark(big_image, 2 * d))[core_big].sum()
    assert 2.5 * veins_small < veins_big < 6.0 * veins_small, (veins_small, veins_big)


def _lab(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def _face_core(marks: np.ndarray, d: float, size: tuple[int, int]) -> np.ndarray:
    """Inside the face outline, away from its edge, the eyes, brows and lips."""
    face = fr.polygon_mask(marks, fr.FACE_OVAL, size, grow_px=-0.1 * d) > 0.99
    parts = [fr.polygon_mask(marks, p, size, grow_px=0.25 * d) for p in (*fr.EYES, *fr.BROWS, fr.LIPS_OUTER)]
    return face & (np.maximum.reduce(parts) < 0.01)


def _far_from_face(marks: np.ndarray, d: float, shape) -> np.ndarray:
    near = fr.polygon_mask(marks, fr.FACE_OVAL, shape, grow_px=0.6 * d) > 0.0
    rows = np.arange(shape[0])[:, None] < float(marks[152, 1])
    return ~near & np.broadcast_to(rows, shape)


def _thin_dark(image: np.ndarray, d: float) -> np.ndarray:
    """Pixels much darker than their neighbourhood: lines a few pixels wide."""
    light = _lab(image)[..., 0]
    return light < cv2.GaussianBlur(light, (0, 0), 0.05 * d) - 6.0


def _gradient(image: np.ndarray) -> np.ndarray:
    light = _lab(image)[..., 0]
    light = cv2.GaussianBlur(light, (0, 0), 1.0)
    return np.hypot(cv2.Sobel(light, cv2.CV_32F, 1, 0), cv2.Sobel(light, cv2.CV_32F, 0, 1))


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))
