"""The student network, its losses and its export: the shapes a face_model layer declares,
identity at initialisation, training that learns, ONNX that matches PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lensmith_distill.augment import AugmentSettings, augment_pair, gaussian_blur
from lensmith_distill.dataset import PairSet
from lensmith_distill.export import check_against_pytorch, export_onnx, measure, quantize_int8
from lensmith_distill.losses import LossWeights, distillation_loss, ssim
from lensmith_distill.student import Student, StudentConfig, multiply_adds
from lensmith_distill.train import TrainConfig, initial_student, learning_rate, train


def test_the_student_maps_a_crop_to_a_crop_and_starts_as_the_identity():
    model = Student(StudentConfig(width=0.35, size=128)).eval()
    crop = torch.rand(2, 3, 128, 128) * 2 - 1
    with torch.no_grad():
        out = model(crop)
    assert out.shape == crop.shape
    assert torch.equal(out, crop), "an untrained student leaves the crop as it is"


def test_width_scales_the_cost_and_bad_shapes_are_refused():
    small = multiply_adds(Student(StudentConfig(width=0.35, size=128)))
    large = multiply_adds(Student(StudentConfig(width=1.0, size=128)))
    assert 2.5 < large / small < 8
    with pytest.raises(ValueError, match="multiple of 16"):
        StudentConfig(size=100).check()
    with pytest.raises(ValueError, match="width"):
        StudentConfig(width=3.0).check()
    with pytest.raises(ValueError, match="full_channels"):
        StudentConfig(full_channels=2).check()


def test_more_full_size_channels_cost_more_and_still_start_as_the_identity():
    thin = Student(StudentConfig(width=0.35, size=128))
    thick = Student(StudentConfig(width=0.35, size=128, full_channels=16)).eval()
    assert multiply_adds(thick) > multiply_adds(thin)
    crop = torch.rand(1, 3, 128, 128) * 2 - 1
    with torch.no_grad():
        assert torch.equal(thick(crop), crop)


def test_ssim_is_one_for_equal_images_and_falls_with_noise():
    image = torch.rand(1, 3, 64, 64) * 2 - 1
    assert math.isclose(float(ssim(image, image)), 1.0, abs_tol=1e-5)
    noisy = (image + 0.3 * torch.randn_like(image)).clamp(-1, 1)
    assert float(ssim(image, noisy)) < 0.8
    loss, terms = distillation_loss(noisy, image, LossWeights())
    assert float(loss) > 0 and terms["ssim_loss"] > 0.2 and terms["edge"] > 0


def test_augmentation_moves_input_and_target_together_and_noises_only_the_input():
    torch.manual_seed(0)
    base = gaussian_blur(torch.rand(2, 3, 64, 64) * 2 - 1, 2.0)
    geometry_only = AugmentSettings(colour=0, max_blur_sigma=0, max_noise=0)
    a, b = augment_pair(base, base.clone(), geometry_only, torch.Generator().manual_seed(1))
    assert torch.allclose(a, b), "the same warp and flip for both"
    assert not torch.allclose(a, base), "something moved"
    noisy = AugmentSettings(max_turn_deg=0, max_scale=0, max_shift=0, colour=0, max_blur_sigma=0, max_noise=0.03)
    generator = torch.Generator().manual_seed(3)
    for _ in range(4):
        a, b = augment_pair(base, base.clone(), noisy, generator)
        for index in range(2):
            target, original = b[index], base[index]
            kept = torch.allclose(target, original, atol=1e-5) or torch.allclose(target, original.flip(-1), atol=1e-5)
            assert kept, "the target keeps no noise"
            assert not torch.allclose(a[index], target, atol=1e-3), "the input is noised"


def test_the_learning_rate_warms_up_then_decays():
    config = TrainConfig(steps=100, warmup_steps=10, learning_rate=1.0)
    assert learning_rate(config, 0) == pytest.approx(0.1)
    assert learning_rate(config, 10) == pytest.approx(1.0)
    assert learning_rate(config, 99) < 0.05


def darkened_pairs(count: int, side: int) -> PairSet:
    """Pairs whose target is the input darkened by a third: an effect a student learns fast."""
    generator = torch.Generator().manual_seed(7)
    smooth = gaussian_blur(torch.rand(count, 3, side, side, generator=generator), 3.0)
    inputs = (smooth * 255).round().to(torch.uint8)
    targets = (inputs.float() * 0.66).round().to(torch.uint8)
    return PairSet([f"pair{i}" for i in range(count)], ["synthetic"] * count, inputs, targets)


def test_a_short_run_learns_resumes_and_plots(tmp_path):
    pairs = darkened_pairs(6, 64)
    config = TrainConfig(steps=30, batch=4, patch=64, eval_every=10, checkpoint_every=10, warmup_steps=5,
                         student=StudentConfig(width=0.35, size=64))
    first = train(TrainConfig(**{**config.__dict__, "steps": 20}), pairs, pairs, tmp_path / "other", quiet=True)
    final = train(config, pairs, pairs, tmp_path / "run", quiet=True)
    # The identity scores about 10.5 dB on these pairs.
    assert final["psnr"] > 16, final
    assert first["psnr"] > 12
    for name in ("student.pt", "checkpoint.pt", "history.json", "loss.png", "heldout.png"):
        assert (tmp_path / "run" / name).is_file(), name
    # Asking for more steps of the same settings is refused (the checkpoint says so) ...
    with pytest.raises(SystemExit, match="other settings"):
        train(TrainConfig(**{**config.__dict__, "steps": 40}), pairs, pairs, tmp_path / "run", quiet=True)
    # ... and the same settings resume from the checkpoint, doing nothing more.
    again = train(config, pairs, pairs, tmp_path / "run", quiet=True)
    assert again["step"] == final["step"] == 30


def test_a_new_run_starts_from_another_runs_weights_of_the_same_shape_only(tmp_path):
    pairs = darkened_pairs(6, 64)
    config = TrainConfig(steps=30, batch=4, patch=64, eval_every=10, checkpoint_every=10, warmup_steps=5,
                         student=StudentConfig(width=0.35, size=64))
    trained = train(config, pairs, pairs, tmp_path / "first", quiet=True)
    # One step at learning rate 0 changes no weight (only batch norm's running statistics):
    # the new run's weights are the first run's best, and it scores near it.
    still = TrainConfig(**{**config.__dict__, "steps": 1, "learning_rate": 0.0, "eval_every": 1})
    initial = initial_student(tmp_path / "first" / "student.pt", still.student)
    started = train(still, pairs, pairs, tmp_path / "second", quiet=True, init=initial)
    first, second = (torch.load(tmp_path / run / "student.pt")["model"] for run in ("first", "second"))
    weights = [key for key in first if "running_" not in key and "num_batches" not in key]
    assert weights and all(torch.equal(first[key], second[key]) for key in weights)
    best = torch.load(tmp_path / "first" / "student.pt")["held_out"]["psnr"]
    assert trained["psnr"] > 16 and started["psnr"] > best - 2
    scratch = train(still, pairs, pairs, tmp_path / "scratch", quiet=True)
    assert scratch["psnr"] < best - 3, "from random weights, one still step scores like the identity"

    wider = TrainConfig(**{**still.__dict__, "student": StudentConfig(width=0.5, size=64)})
    with pytest.raises(SystemExit, match=r"student.pt: a student of another shape \(width 0.35 there, 0.5 here\)"):
        initial_student(tmp_path / "first" / "student.pt", wider.student)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(SystemExit, match="junk.pt: cannot read it as a student.pt"):
        initial_student(tmp_path / "junk.pt", still.student)


def test_the_onnx_export_matches_pytorch_and_the_int8_variant_runs(tmp_path):
    torch.manual_seed(1)
    model = Student(StudentConfig(width=0.35, size=64))
    # Random head weights, so the output is not simply the input.
    torch.nn.init.normal_(model.head.weight, std=0.05)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    model.eval()
    pairs = darkened_pairs(4, 64)
    path = tmp_path / "student.onnx"
    export_onnx(model, path)
    import onnx

    graph = onnx.load(str(path))
    assert graph.opset_import[0].version == 17
    assert [i.name for i in graph.graph.input] == ["image"] and [o.name for o in graph.graph.output] == ["stylized"]
    assert not any(node.op_type == "BatchNormalization" for node in graph.graph.node), "batch norms folded"
    assert check_against_pytorch(model, path, pairs) < 1e-3
    int8 = tmp_path / "student_int8.onnx"
    quantize_int8(path, int8, pairs)
    fp32, quantised = measure(path, pairs, runs=3), measure(int8, pairs, runs=3)
    # Weights in 8 bits; a model this small keeps much of its size in graph structure.
    assert quantised["bytes"] < 0.75 * fp32["bytes"]
    assert abs(quantised["psnr"] - fp32["psnr"]) < 3.0
    assert np.isfinite(fp32["median_ms"]) and fp32["count"] == 4
