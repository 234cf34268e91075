"""`scripts/eye_model.py`, which distils MediaPipe's iris landmark model into the runtime's eye
landmark model: its crops are the runtime's (corners level, 2.3 eye widths wide, the
image-right eye mirrored), openness is measured as the runtime measures it, and the student
(and the model the repository holds) has the teacher's interface."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

DISTILL = Path(__file__).resolve().parents[1]
SHIPPED_MODEL = DISTILL.parent / "runtime" / "models" / "eye_landmarks.onnx"


def load_script():
    spec = importlib.util.spec_from_file_location("eye_model", DISTILL / "scripts" / "eye_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def crop_to_frame(matrix: np.ndarray, crop_edge_xy) -> np.ndarray:
    """A crop point (pixel-edge coordinates, as the runtime's CropTransform uses) in the frame."""
    centre = np.asarray(crop_edge_xy, dtype=float) - 0.5
    return matrix[:, :2] @ centre + matrix[:, 2] + 0.5


def test_the_crop_puts_the_corners_level_across_its_middle():
    script = load_script()
    left, right = (100.0, 200.0), (140.0, 230.0)
    matrix = script.crop_matrix(left, right)
    half_width = script.SIDE / script.CROP_SCALE / 2
    # The runtime's test (runtime/src/eyes.rs) pins the same geometry.
    assert np.allclose(crop_to_frame(matrix, (32, 32)), (120, 215), atol=1e-6)
    assert np.allclose(crop_to_frame(matrix, (32 - half_width, 32)), left, atol=1e-6)
    assert np.allclose(crop_to_frame(matrix, (32 + half_width, 32)), right, atol=1e-6)


def test_a_jittered_crop_moves_turns_and_scales_off_the_runtimes():
    script = load_script()
    left, right = (100.0, 200.0), (150.0, 200.0)
    plain = script.crop_matrix(left, right)
    shifted = script.crop_matrix(left, right, (0.0, 0.0, 0.1, 0.0))
    assert np.allclose(crop_to_frame(shifted, (32, 32)) - crop_to_frame(plain, (32, 32)), (5, 0))
    larger = script.crop_matrix(left, right, (0.0, np.log(2.0), 0.0, 0.0))
    assert np.allclose(larger[:, :2], 2 * plain[:, :2])


def test_the_image_right_eye_is_mirrored():
    script = load_script()
    image = np.zeros((100, 200, 3), np.uint8)
    image[:, :100] = 255  # the left half white
    matrix = script.crop_matrix((80.0, 50.0), (120.0, 50.0))
    plain = script.cut_eye(image, matrix, mirrored=False)
    mirrored = script.cut_eye(image, matrix, mirrored=True)
    assert plain.shape == (64, 64, 3)
    assert plain[:, :8].mean() == 255 and plain[:, -8:].mean() == 0
    assert np.array_equal(mirrored, plain[:, ::-1])


def test_openness_is_the_lid_gap_over_the_corner_distance():
    script = load_script()
    points = np.zeros((script.CONTOUR_POINTS + script.IRIS_POINTS, 3), np.float32)
    points[0, :2], points[8, :2] = (10, 32), (50, 32)  # corners 40 px apart
    for upper, lower in script.LID_PAIRS:
        points[upper, 1], points[lower, 1] = 26, 38  # 12 px apart
    assert script.openness(points.reshape(1, -1))[0] == pytest.approx(12 / 40)


def test_drawn_glasses_mark_the_crop_and_keep_its_form():
    script = load_script()
    crop = np.full((64, 64, 3), 128, np.uint8)
    changed = []
    for seed in range(20):
        glasses = script.add_glasses(crop, np.random.default_rng(seed))
        assert glasses.shape == crop.shape and glasses.dtype == np.uint8
        changed.append(np.any(glasses != crop, axis=2).mean())
    # A rim marks a band of the crop, never most of it: the eye stays visible.
    assert min(changed) > 0.005 and max(changed) < 0.6
    assert np.array_equal(script.add_glasses(crop, np.random.default_rng(3)), script.add_glasses(crop, np.random.default_rng(3)))


def interface(session: ort.InferenceSession):
    return (
        [(i.name, list(i.shape)) for i in session.get_inputs()],
        [(o.name, list(o.shape)) for o in session.get_outputs()],
    )


TEACHER_INTERFACE = (
    [("input_1", [1, 64, 64, 3])],
    [("output_eyes_contours_and_brows", [1, 213]), ("output_iris", [1, 15])],
)


def test_the_student_exports_with_the_teachers_interface(tmp_path):
    torch = pytest.importorskip("torch")
    script = load_script()
    torch.manual_seed(0)
    (tmp_path / "run").mkdir()
    torch.save(script.student_network(torch).state_dict(), tmp_path / "run" / "student.pt")

    class Args:
        out = str(tmp_path / "run")
        onnx = str(tmp_path / "eye.onnx")

    script.export_command(Args)
    session = ort.InferenceSession(Args.onnx, providers=["CPUExecutionProvider"])
    assert interface(session) == TEACHER_INTERFACE
    contour, iris = session.run(None, {"input_1": np.full((1, 64, 64, 3), 0.5, np.float32)})
    assert contour.shape == (1, 213) and iris.shape == (1, 15)


def test_the_shipped_model_has_the_teachers_interface_and_finds_an_eye_in_its_crop():
    session = ort.InferenceSession(str(SHIPPED_MODEL), providers=["CPUExecutionProvider"])
    assert interface(session) == TEACHER_INTERFACE
    # A dark iris on a light eye white, as a level eye crop shows it: the iris centre
    # lands near it, inside the crop.
    crop = np.full((1, 64, 64, 3), 0.8, np.float32)
    yy, xx = np.mgrid[0:64, 0:64]
    crop[0][(xx - 32) ** 2 + (yy - 32) ** 2 < 36] = 0.1
    _, iris = session.run(None, {"input_1": crop})
    assert 16 < iris[0, 0] < 48 and 16 < iris[0, 1] < 48
