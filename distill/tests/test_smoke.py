"""The whole path on real crops, as CI runs it: `lensmith crops` on real faces, the built-in
teacher over them, 20 training steps, ONNX export checked against PyTorch, `distill bundle`
into a bundle folder, and the Lensmith runtime validating it and rendering a frame with it.

Needs the `lensmith` binary (`LENSMITH_BIN`, else the workspace's target/debug/lensmith)
and the asset cache (`cargo xtask setup`); without them it skips and says why, unless
LENSMITH_REQUIRE_ASSETS=1 (as `cargo xtask test` sets), where it fails instead.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lensmith_distill.cli import main as distill
from lensmith_distill.crops import load_rgb

REPO = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("LENSMITH_HOME", Path.home() / ".cache" / "lensmith"))


def lensmith_binary() -> str:
    binary = Path(os.environ.get("LENSMITH_BIN", REPO / "target" / "debug" / "lensmith"))
    needed = [binary, HOME / "data" / "astronaut.png", HOME / "data" / "expressions" / "franck_01829.jpg"]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        reason = (f"missing {', '.join(missing)}: build the CLI (`cargo build -p lensmith-cli`) and run "
                  "`cargo xtask setup`")
        if os.environ.get("LENSMITH_REQUIRE_ASSETS") == "1":
            pytest.fail(reason)
        print(f"\n*** SKIPPED the distillation smoke test: {reason}\n")
        pytest.skip(reason)
    return str(binary)


def run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_crops_to_a_bundle_the_runtime_plays(tmp_path):
    lensmith = lensmith_binary()
    crops = tmp_path / "crops"
    for photo in (HOME / "data" / "astronaut.png", HOME / "data" / "expressions" / "franck_01829.jpg"):
        run([lensmith, "crops", str(photo), "-o", str(crops), "--size", "128"])
    written = sorted(crops.glob("*.png"))
    assert len(written) == 2, written
    record = json.loads(written[0].with_suffix(".json").read_text())
    assert len(record["landmarks"]) == 468 and record["transform"]["side"] == 128

    pairs, training_run = tmp_path / "pairs", tmp_path / "run"
    assert distill(["pairs", str(crops), "--teacher", "cartoon", "-o", str(pairs)]) == 0
    manifest = json.loads((pairs / "pairs.json").read_text())
    assert {pair["licence"] for pair in manifest["pairs"]} >= {"Public domain (NASA)"}
    assert distill(["train", str(pairs), "--run", str(training_run), "--held-out", "franck_01829.jpg",
                    "--steps", "20", "--batch", "2", "--patch", "64", "--width", "0.35", "--size", "128",
                    "--eval-every", "10", "--checkpoint-every", "10", "--quiet"]) == 0
    assert distill(["export", str(training_run), "--lensmith", lensmith]) == 0
    export = json.loads((training_run / "export" / "export.json").read_text())
    assert export["max_abs_difference"] < 1e-3
    assert export["identity"]["crops"] == 1 and not export["identity"]["lost"]

    bundle = tmp_path / "bundle"
    assert distill(["bundle", str(training_run), "--bundle", str(bundle), "--layer", "toon",
                    "--id", "com.example.smoke", "--name", "Smoke"]) == 0
    assert (bundle / "models" / "toon.onnx").is_file() and (bundle / "MODEL_CARD.md").is_file()
    run([lensmith, "validate", str(bundle)])
    out = tmp_path / "frame.png"
    said = run([lensmith, "render", str(bundle), str(HOME / "data" / "astronaut.png"), "-o", str(out)])
    assert "1 face(s) drawn on" in said, said
    before, after = load_rgb(HOME / "data" / "astronaut.png"), load_rgb(out)
    changed = np.any(before != after, axis=2)
    # The face changed, the photo's bottom corners (the space suit) did not.
    assert changed.mean() > 0.01, changed.mean()
    assert not changed[-20:, :20].any() and not changed[-20:, -20:].any()



MODEL_MANIFEST = ('[effect]\nid = "com.example.m"\nname = "M"\nversion = "0.1.0"\napi_version = "1.0"\n\n'
                  '[[layer]]\nkind = "face_model"\nname = "m"\nmodel = "models/m.onnx"\ncrop_size = 64\n')


def image_model(nodes, initializers=()):
    """An opset-17 model from `image` [1, 3, 64, 64] to `stylized`, declared [1, 3, 64, 64]."""
    from onnx import TensorProto, helper

    shape = [1, 3, 64, 64]
    graph = helper.make_graph(nodes, "m", [helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("stylized", TensorProto.FLOAT, shape)],
                              initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def bundle_with_model(folder: Path, model, **save_options) -> Path:
    """A bundle of one face_model layer (64x64 crops, NCHW, -1..1) playing `model`."""
    import onnx

    (folder / "models").mkdir(parents=True)
    onnx.save_model(model, str(folder / "models" / "m.onnx"), **save_options)
    (folder / "effect.toml").write_text(MODEL_MANIFEST)
    return folder


def test_models_that_would_fail_to_play_are_refused_by_validate(tmp_path):
    """Made as an outside designer might: weights saved beside the model (ONNX's external
    data), and a graph that computes another size than it declares."""
    from onnx import helper, numpy_helper

    lensmith = lensmith_binary()
    def brighter():
        offset = numpy_helper.from_array(np.full((1, 3, 64, 64), 0.1, np.float32), "offset")
        return image_model([helper.make_node("Add", ["image", "offset"], ["stylized"])], [offset])

    beside = bundle_with_model(tmp_path / "beside", brighter(), save_as_external_data=True,
                               all_tensors_to_one_file=True, location="m.weights", size_threshold=0)
    halving = image_model([helper.make_node("AveragePool", ["image"], ["stylized"], kernel_shape=[2, 2],
                                            strides=[2, 2])])
    halved = bundle_with_model(tmp_path / "halved", halving)
    for bundle, said in [
        (beside, 'weights (tensor "offset") are stored in a separate file'),
        (halved, "a trial run on a blank crop failed"),
    ]:
        done = subprocess.run([lensmith, "validate", str(bundle)], capture_output=True, text=True)
        assert done.returncode == 1, done.stdout + done.stderr
        assert said in done.stdout + done.stderr, done.stdout + done.stderr
    # The same model with its weights inside validates.
    run([lensmith, "validate", str(bundle_with_model(tmp_path / "inside", brighter()))])
