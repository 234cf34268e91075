"""Teachers: the slow, high-quality image effects a student learns to imitate.

One interface, `Teacher`, and `load_teacher(spec)` to get one from a command-line spec:
`cartoon` or `zombie` (built in), `command:<shell command with {input} and {output}>` (any external
program) or `python:package.module:function` (any Python callable).
"""

from __future__ import annotations

import importlib
import json
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Optional, Protocol, runtime_checkable

import numpy as np

from ..crops import CropError, check_rgb, load_rgb, save_rgb

# How long an external teacher may take on one crop before it counts as hung.
DEFAULT_COMMAND_TIMEOUT_S = 600.0


class TeacherError(RuntimeError):
    """A teacher could not be loaded, failed, or returned an unusable image."""


@runtime_checkable
class Teacher(Protocol):
    """A slow image-to-image effect on aligned face crops."""

    name: str
    """Short and stable: recorded with every pair, so a resumed run can tell teachers apart."""
    description: str
    """What the effect is and does, one or two sentences, for the manifest and the bundle."""

    def __call__(self, image: np.ndarray, landmarks: Optional[np.ndarray]) -> np.ndarray:
        """Stylises uint8 H×W×3 RGB `image` and returns an image of the same shape and dtype.

        `landmarks` are MediaPipe's 468 × (x, y, z) in the image's pixels, or None when unknown.
        """
        ...


def load_teacher(spec: str) -> Teacher:
    """The teacher that `spec` names; see the module docstring for the forms."""
    spec = spec.strip()
    if spec == "cartoon":
        from .cartoon import CartoonTeacher

        return CartoonTeacher()
    if spec == "zombie":
        from .zombie import ZombieTeacher

        return ZombieTeacher()
    if spec.startswith("command:"):
        return CommandTeacher(spec[len("command:") :].strip())
    if spec.startswith("python:"):
        return PythonTeacher(spec[len("python:") :].strip())
    raise TeacherError(
        f"unknown teacher `{spec}`: use `cartoon`, `zombie`, `command:<shell command with {{input}} and "
        "{output}>` or `python:package.module:function`"
    )


def run_teacher(teacher: Teacher, image: np.ndarray, landmarks: Optional[np.ndarray]) -> np.ndarray:
    """Calls `teacher` and checks that its output is an image the size of its input."""
    check_rgb(image, "teacher input")
    output = teacher(image, landmarks)
    check_output(teacher.name, image, output)
    return output


def check_output(name: str, image: np.ndarray, output: object) -> np.ndarray:
    """Raises TeacherError unless `output` is uint8 RGB the shape of `image`."""
    try:
        check_rgb(output, f"teacher `{name}` output")
    except ValueError as err:
        raise TeacherError(f"{err}; a teacher must return uint8 H×W×3 RGB") from err
    if output.shape != image.shape:
        raise TeacherError(
            f"teacher `{name}` returned an image of shape {output.shape} for an input of "
            f"shape {image.shape}; it must keep the size (no crop, no resize)"
        )
    return output


class CommandTeacher:
    """Any external program (a local StyleGAN or diffusion script, say) run once per image.

    The command gets `{input}` (a PNG it reads), `{output}` (a PNG it must write, the same
    size) and optionally `{landmarks}` (a JSON list of 468 [x, y, z], or `null`), each
    replaced by a quoted temporary path, and runs through the shell.
    """

    def __init__(self, command: str, timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S):
        if "{input}" not in command or "{output}" not in command:
            raise TeacherError(
                f"teacher command `{command}` must contain both {{input}} and {{output}}: "
                "they are replaced by the PNG to read and the PNG to write"
            )
        self.command = command
        self.timeout_s = timeout_s
        self.name = f"command:{command}"
        self.description = f"external program: {command}"

    def __call__(self, image: np.ndarray, landmarks: Optional[np.ndarray]) -> np.ndarray:
        with tempfile.TemporaryDirectory(prefix="lensmith-teacher-") as tmp:
            paths = {
                "input": Path(tmp) / "input.png",
                "output": Path(tmp) / "output.png",
                "landmarks": Path(tmp) / "landmarks.json",
            }
            save_rgb(paths["input"], image)
            marks = None if landmarks is None else np.asarray(landmarks).tolist()
            paths["landmarks"].write_text(json.dumps(marks), encoding="utf-8")
            # format_map only touches the three placeholders; other braces would be an error,
            # so shell braces must be doubled ({{ }}), as str.format does.
            try:
                line = self.command.format_map({k: shlex.quote(str(p)) for k, p in paths.items()})
            except (KeyError, IndexError, ValueError) as err:
                raise TeacherError(
                    f"teacher command `{self.command}`: bad placeholder ({err}); only {{input}}, "
                    "{output} and {landmarks} are known; write a literal brace as {{ or }}"
                ) from err
            try:
                done = subprocess.run(
                    line, shell=True, capture_output=True, text=True, timeout=self.timeout_s
                )
            except subprocess.TimeoutExpired as err:
                raise TeacherError(
                    f"teacher command `{self.command}` took over {self.timeout_s:.0f} s on one "
                    f"image and was stopped; stderr so far:\n{_text(err.stderr)}"
                ) from err
            if done.returncode != 0:
                raise TeacherError(
                    f"teacher command `{self.command}` failed with exit status "
                    f"{done.returncode}; its stderr:\n{done.stderr.strip()}"
                )
            if not paths["output"].is_file():
                raise TeacherError(
                    f"teacher command `{self.command}` exited cleanly but wrote no {{output}} "
                    f"PNG; its stderr:\n{done.stderr.strip()}"
                )
            try:
                output = load_rgb(paths["output"])
            except CropError as err:
                raise TeacherError(
                    f"teacher command `{self.command}` wrote an unreadable {{output}}: {err}"
                ) from err
        return check_output(self.name, image, output)


class PythonTeacher:
    """A Python callable `(image, landmarks) -> image`, named `package.module:function`.

    The callable may carry `name` and `description` attributes; otherwise the spec and
    the callable's docstring stand in.
    """

    def __init__(self, target: str):
        module_name, _, attr = target.partition(":")
        if not module_name or not attr:
            raise TeacherError(
                f"teacher `python:{target}`: expected `python:package.module:function`"
            )
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:
            raise TeacherError(
                f"teacher `python:{target}`: cannot import `{module_name}` ({err}); install it "
                "into this environment or add its folder to PYTHONPATH"
            ) from err
        function: Callable = module
        for part in attr.split("."):
            function = getattr(function, part, None)
            if function is None:
                raise TeacherError(f"teacher `python:{target}`: `{module_name}` has no `{attr}`")
        if not callable(function):
            raise TeacherError(f"teacher `python:{target}`: `{attr}` is not callable")
        self.function = function
        self.name = str(getattr(function, "name", f"python:{target}"))
        doc = (getattr(function, "__doc__", None) or "").strip().split("\n")[0]
        self.description = str(getattr(function, "description", doc or f"python:{target}"))

    def __call__(self, image: np.ndarray, landmarks: Optional[np.ndarray]) -> np.ndarray:
        # Copies, so that a callable that works in place cannot spoil the caller's crop.
        marks = None if landmarks is None else np.array(landmarks, dtype=np.float32)
        return check_output(self.name, image, self.function(image.copy(), marks))


def _text(stream: object) -> str:
    if isinstance(stream, bytes):
        return stream.decode("utf-8", "replace").strip()
    return (stream or "").strip()
