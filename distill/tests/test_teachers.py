"""The teachers: the built-in cartoon's look and contract, and the command: and python:
specs that bring in any other effect."""

from __future__ import annotations

import shlex
import sys
import textwrap
import time

import cv2
import numpy as np
import pytest

from lensmith_distill import face_regions as fr
from lensmith_distill.teachers import TeacherError, load_teacher, run_teacher
from lensmith_distill.teachers.cartoon import CartoonTeacher

PYTHON = shlex.quote(sys.executable)


@pytest.fixture(scope="module")
def cartoon():
    return load_teacher("cartoon")


@pytest.fixture(scope="module")
def styled(cartoon, face_crop):
    """The cartoon of the face crop, with and without its landmarks."""
    image, marks, _ = face_crop
    return cartoon(image, marks), cartoon(image, None)


def test_cartoon_is_deterministic(cartoon, face_crop, styled):
    image, marks, _ = face_crop
    assert np.array_equal(cartoon(image, marks), styled[0])
    assert np.array_equal(cartoon(image, None), styled[1])


def test_cartoon_keeps_shape_and_dtype(cartoon):
    rng = np.random.default_rng(1)
    for shape in [(256, 256, 3), (120, 200, 3), (64, 64, 3)]:
        image = rng.integers(0, 256, shape, dtype=np.uint8)
        out = run_teacher(cartoon, image, None)
        assert out.shape == shape and out.dtype == np.uint8


def test_cartoon_is_slow_but_reports_its_time(cartoon, face_crop, capsys):
    image, marks, what = face_crop
    start = time.perf_counter()
    runs = 3
    for _ in range(runs):
        cartoon(image, marks)
    millis = 1000 * (time.perf_counter() - start) / runs
    with capsys.disabled():
        print(f"\ncartoon teacher: {millis:.0f} ms per 256² crop ({what}, {cv2.getNumThreads()} threads)")
    assert millis > 0


def test_cartoon_flattens_skin(face_crop, styled):
    image, marks, _ = face_crop
    skin = _skin(marks)
    with_marks, without = styled
    # Fine texture (pores, freckles, noise) is what local variance measures; the median,
    # because the few ink lines (nose, smile) are meant to stand out.
    assert _local_variance(with_marks, skin) < 0.4 * _local_variance(image, skin)
    assert _local_variance(without, skin) < 0.5 * _local_variance(image, skin)
    # Landmarks mean the skin is known, and smoothed harder.
    assert _local_variance(with_marks, skin) <= _local_variance(without, skin)
    assert _distinct_colours(with_marks, skin) < 0.8 * _distinct_colours(image, skin)
    assert _distinct_colours(without, skin) < 0.9 * _distinct_colours(image, skin)


def test_cartoon_darkens_edges(cartoon):
    # A mid-grey square on a light ground: the cartoon inks its outline.
    image = np.full((128, 128, 3), 200, np.uint8)
    image[32:96, 32:96] = 120
    out = cartoon(image, None).astype(np.float32).mean(axis=2)
    across = out[48:80, 20:44].mean(axis=0)  # a profile across the square's left side
    inside, outside = out[48:80, 48:80].mean(), out[48:80, 4:20].mean()
    assert across.min() < min(inside, outside) - 40, (across, inside, outside)
    # The line is drawn, not a hairline: at least 1.5 px darker than the square itself.
    assert (across < inside - 20).sum() >= 2, across
    # ...and flat areas stay flat: no texture, noise or dithering added.
    assert out[48:80, 48:80].std() < 1.0 and out[4:20, 4:124].std() < 1.0


def test_cartoon_keeps_geometry(face_crop, styled):
    image, _, _ = face_crop
    # No warping: the blurred lightness of input and output line up.
    grey = lambda a: cv2.GaussianBlur(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), 3)  # noqa: E731
    for out in styled:
        assert np.corrcoef(grey(image).ravel(), grey(out).ravel())[0, 1] > 0.9


def test_landmarks_restyle_eyes_and_lips_not_the_background(face_crop, styled):
    _, marks, _ = face_crop
    shape = styled[0].shape[:2]
    change = np.abs(styled[0].astype(np.float32) - styled[1].astype(np.float32)).mean(axis=2)
    features = np.maximum.reduce(
        [fr.polygon_mask(marks, part, shape) for part in (*fr.EYES, fr.LIPS_OUTER)]
    )
    far = 1.0 - fr.polygon_mask(marks, fr.FACE_OVAL, shape, grow_px=12)
    in_features = change[features > 0.5].mean()
    in_background = change[far > 0.5].mean()
    assert in_features > 4.0 + 4.0 * in_background, (in_features, in_background)


def test_command_teacher_round_trip(face_crop):
    image, marks, _ = face_crop
    script = "import cv2, sys; cv2.imwrite(sys.argv[2], 255 - cv2.imread(sys.argv[1]))"
    teacher = load_teacher(f"command:{PYTHON} -c {shlex.quote(script)} {{input}} {{output}}")
    assert np.array_equal(run_teacher(teacher, image, marks), 255 - image)
    assert teacher.name.startswith("command:")


def test_command_teacher_gets_landmarks(face_crop, tmp_path):
    image, marks, _ = face_crop
    seen = tmp_path / "seen.json"
    script = "import shutil, sys; shutil.copy(sys.argv[1], sys.argv[2]); shutil.copy(sys.argv[3], sys.argv[4])"
    teacher = load_teacher(
        f"command:{PYTHON} -c {shlex.quote(script)} {{input}} {{output}} {{landmarks}} {shlex.quote(str(seen))}"
    )
    teacher(image, marks)
    import json

    assert np.allclose(np.array(json.loads(seen.read_text())), marks, atol=1e-4)


def test_failing_command_reports_its_stderr(face_crop):
    image, _, _ = face_crop
    script = "import sys; sys.stderr.write('cannot load weights: model.ckpt missing'); sys.exit(3)"
    teacher = load_teacher(f"command:{PYTHON} -c {shlex.quote(script)} {{input}} {{output}}")
    with pytest.raises(TeacherError, match="exit status 3") as err:
        teacher(image, None)
    assert "cannot load weights: model.ckpt missing" in str(err.value)


def test_command_that_resizes_is_refused(face_crop):
    image, _, _ = face_crop
    script = "import cv2, sys; cv2.imwrite(sys.argv[2], cv2.imread(sys.argv[1])[:100])"
    teacher = load_teacher(f"command:{PYTHON} -c {shlex.quote(script)} {{input}} {{output}}")
    with pytest.raises(TeacherError, match="must keep the size"):
        teacher(image, None)


def test_command_that_writes_nothing_is_refused(face_crop):
    image, _, _ = face_crop
    teacher = load_teacher(f"command:{PYTHON} -c pass {{input}} {{output}}")
    with pytest.raises(TeacherError, match="wrote no"):
        teacher(image, None)


def test_command_needs_both_placeholders():
    with pytest.raises(TeacherError, match=r"\{input\} and \{output\}"):
        load_teacher("command:stylise --in x.png")


def test_python_teacher(face_crop, tmp_path, monkeypatch):
    image, marks, _ = face_crop
    (tmp_path / "my_effects").mkdir()
    (tmp_path / "my_effects" / "__init__.py").write_text("")
    (tmp_path / "my_effects" / "negative.py").write_text(
        textwrap.dedent(
            '''
            def invert(image, landmarks):
                """Photographic negative."""
                assert landmarks is None or landmarks.shape == (468, 3)
                return 255 - image

            def broken(image, landmarks):
                return image[..., 0]
            '''
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    teacher = load_teacher("python:my_effects.negative:invert")
    assert np.array_equal(run_teacher(teacher, image, marks), 255 - image)
    assert teacher.description == "Photographic negative."
    with pytest.raises(TeacherError, match="uint8 H×W×3"):
        load_teacher("python:my_effects.negative:broken")(image, marks)
    with pytest.raises(TeacherError, match="cannot import"):
        load_teacher("python:no_such_module_here:f")
    with pytest.raises(TeacherError, match="has no"):
        load_teacher("python:my_effects.negative:missing")


def test_unknown_spec_lists_the_forms():
    with pytest.raises(TeacherError, match="cartoon.*zombie.*command:.*python:"):
        load_teacher("stylegan")


def test_cartoon_settings_are_a_teacher(face_crop):
    # The class itself satisfies the interface, so the CLI can construct variants.
    teacher = CartoonTeacher()
    assert teacher.name == "cartoon" and "cartoon" in teacher.description


def _skin(marks: np.ndarray) -> np.ndarray:
    shape = (256, 256)
    face = fr.polygon_mask(marks, fr.FACE_OVAL, shape, grow_px=-10)
    parts = [fr.polygon_mask(marks, p, shape, grow_px=8) for p in (*fr.EYES, *fr.BROWS, fr.LIPS_OUTER)]
    return (face > 0.99) & (np.maximum.reduce(parts) < 0.01)


def _local_variance(image: np.ndarray, where: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.blur(grey, (5, 5))
    return float(np.median((cv2.blur(grey * grey, (5, 5)) - mean * mean)[where]))


def _distinct_colours(image: np.ndarray, where: np.ndarray) -> int:
    # Quantised to 32 levels per channel, so that only real colour changes count.
    return len(np.unique((image[where] // 8).astype(np.int32) @ np.array([1024, 32, 1])))
