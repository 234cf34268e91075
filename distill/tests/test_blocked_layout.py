"""The student's joined full-size block split for ONNX Runtime's blocked kernels: the same
function, written by `export` and by `distill optimize`, and a rewrite that strays refused."""

from __future__ import annotations

import inspect

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from lensmith_distill import blocked_layout
from lensmith_distill.blocked_layout import CHANNEL_BLOCK, find_joined_blocks, rewrite_file
from lensmith_distill.cli import main
from lensmith_distill.export import export_onnx
from lensmith_distill.student import Student, StudentConfig

SIZE = 64


def trained_looking_student() -> Student:
    """A small student with random weights everywhere (a fresh one's head is zero, which
    would hide the full-size stage from the output) and batch norms with moved statistics."""
    torch.manual_seed(3)
    model = Student(StudentConfig(width=0.35, size=SIZE))
    torch.nn.init.normal_(model.head.weight, std=0.2)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    return model.eval()


def plain_export(model: Student, path) -> None:
    """The export as it was before the split: torch's alone."""
    options = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), str(path), opset_version=17, input_names=["image"],
                      output_names=["stylized"], do_constant_folding=True, **options)


def run(path, image: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"image": image})[0]


def depthwise_channel_counts(path) -> list[int]:
    """Channels of every depthwise convolution of the model at `path`."""
    model = onnx.load(str(path))
    weights = {tensor.name: tensor for tensor in model.graph.initializer}
    counts = []
    for node in model.graph.node:
        group = blocked_layout.attribute(node, "group")
        if node.op_type == "Conv" and group and group > 1:
            counts.append(weights[node.input[1]].dims[0])
    return counts


def test_the_export_splits_the_full_size_block_and_keeps_the_function(tmp_path):
    model = trained_looking_student()
    plain, exported = tmp_path / "plain.onnx", tmp_path / "student.onnx"
    plain_export(model, plain)
    export_onnx(model, exported)
    # Before: one depthwise convolution over the features joined with the 3 image channels.
    assert len(find_joined_blocks(onnx.load(str(plain)))) == 1
    assert any(count % CHANNEL_BLOCK == 3 for count in depthwise_channel_counts(plain))
    # After: the features' part whole blocks, the image's 3 channels apart, nothing left to split.
    assert find_joined_blocks(onnx.load(str(exported))) == []
    assert 3 in depthwise_channel_counts(exported)
    assert not any(count % CHANNEL_BLOCK == 3 and count > 3 for count in depthwise_channel_counts(exported))
    image = np.random.default_rng(0).uniform(-1, 1, (1, 3, SIZE, SIZE)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(image)).numpy()
    assert np.abs(run(exported, image) - expected).max() < 1e-5
    assert np.abs(run(exported, image) - run(plain, image)).max() < 1e-5
    # The output really depends on the split block: zeroing it changes the picture.
    assert np.abs(expected - image).max() > 0.05


def test_optimize_rewrites_an_older_export_once_and_checks_it(tmp_path, capsys):
    plain = tmp_path / "older.onnx"
    plain_export(trained_looking_student(), plain)
    faster = tmp_path / "faster.onnx"
    assert main(["optimize", str(plain), "-o", str(faster)]) == 0
    assert "split 1 joined block(s)" in capsys.readouterr().out
    image = np.random.default_rng(1).uniform(-1, 1, (1, 3, SIZE, SIZE)).astype(np.float32)
    assert np.abs(run(faster, image) - run(plain, image)).max() < 1e-5
    # A second pass has nothing to do and says so, leaving no file behind.
    again = tmp_path / "again.onnx"
    with pytest.raises(SystemExit, match="faster.onnx: no joined depthwise-separable block"):
        main(["optimize", str(faster), "-o", str(again)])
    assert not again.exists()
    with pytest.raises(SystemExit, match="missing.onnx does not exist"):
        main(["optimize", str(tmp_path / "missing.onnx"), "-o", str(again)])


def test_a_rewrite_whose_outputs_stray_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    plain = tmp_path / "older.onnx"
    plain_export(trained_looking_student(), plain)
    split = blocked_layout.split_block

    def split_wrongly(graph, block):
        # The image branch loses its pointwise weights: a wrong rewrite, as a bug would make.
        split(graph, block)
        for tensor in graph.initializer:
            if tensor.name.endswith("joined_input_1/pointwise_weight"):
                zeroed = np.zeros_like(onnx.numpy_helper.to_array(tensor))
                tensor.CopyFrom(onnx.numpy_helper.from_array(zeroed, tensor.name))

    monkeypatch.setattr(blocked_layout, "split_block", split_wrongly)
    target = tmp_path / "wrong.onnx"
    with pytest.raises(ValueError, match="older.onnx: the rewritten model's outputs differ"):
        rewrite_file(plain, target)
    assert not target.exists()
