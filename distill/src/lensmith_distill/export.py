"""Exporting a trained student to ONNX as a `face_model` layer declares it, checking the
export against PyTorch, and making an 8-bit variant with its speed and quality measured.

The model takes `image` [1, 3, S, S] and gives `stylized` [1, 3, S, S], NCHW RGB in
[-1, 1] (`input_layout = "nchw"`, `value_range = "minus_one_to_one"`, `channel_order =
"rgb"`), opset 17, batch norms folded into the convolutions, and the full-size stage split by
its joined inputs so that ONNX Runtime's blocked CPU kernels take it (`blocked_layout`).
"""

from __future__ import annotations

import inspect
import os
import statistics
import time
from pathlib import Path

import numpy as np
import onnx
import torch

from .blocked_layout import split_joined_blocks
from .dataset import PairSet, to_pixels
from .metrics import psnr, ssim_uint8
from .student import Student, StudentConfig

OPSET = 17
INPUT_NAME = "image"
OUTPUT_NAME = "stylized"


def load_student(path: Path) -> Student:
    """The student saved by training (`student.pt`)."""
    saved = torch.load(path, map_location="cpu")
    model = Student(StudentConfig(**saved["config"]))
    model.load_state_dict(saved["model"])
    return model.eval()


def export_onnx(model: Student, path: Path) -> None:
    """Writes the model as ONNX (opset 17, eval mode, constants folded, joined blocks split
    for ONNX Runtime's blocked kernels), atomically."""
    side = model.config.size
    example = torch.zeros(1, 3, side, side)
    scratch = path.with_name(f".{path.name}.partial")
    options = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False  # the TorchScript exporter: plain opset-17 operators
    model.eval()
    torch.onnx.export(model, example, str(scratch), opset_version=OPSET, input_names=[INPUT_NAME],
                      output_names=[OUTPUT_NAME], do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL, **options)
    exported = onnx.load(str(scratch))
    if split_joined_blocks(exported):
        onnx.save(exported, str(scratch))
    os.replace(scratch, path)


def session(path: Path, threads: int = 2):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_onnx(runner, inputs: torch.Tensor) -> torch.Tensor:
    (output,) = runner.run([OUTPUT_NAME], {INPUT_NAME: inputs.numpy().astype(np.float32)})
    return torch.from_numpy(output)


def check_against_pytorch(model: Student, path: Path, pairs: PairSet, limit: int = 16) -> float:
    """The largest absolute difference between PyTorch's and ONNX Runtime's outputs on the
    inputs of `pairs` (up to `limit`)."""
    runner = session(path)
    worst = 0.0
    with torch.no_grad():
        for index in range(min(limit, len(pairs))):
            inputs, _ = pairs.batch(torch.tensor([index]))
            expected = model(inputs)
            worst = max(worst, float((run_onnx(runner, inputs) - expected).abs().max()))
    return worst


def quantize_int8(source: Path, target: Path, calibration: PairSet, limit: int = 32) -> None:
    """Static 8-bit quantisation (QDQ, per channel) calibrated on real crops."""
    from onnxruntime import quantization

    class Reader(quantization.CalibrationDataReader):
        def __init__(self) -> None:
            self.index = 0

        def get_next(self):
            if self.index >= min(limit, len(calibration)):
                return None
            inputs, _ = calibration.batch(torch.tensor([self.index]))
            self.index += 1
            return {INPUT_NAME: inputs.numpy().astype(np.float32)}

    prepared = target.with_name(f".{target.stem}.prepared.onnx")
    quantization.quant_pre_process(str(source), str(prepared))
    scratch = target.with_name(f".{target.name}.partial")
    quantization.quantize_static(str(prepared), str(scratch), Reader(), quant_format=quantization.QuantFormat.QDQ,
                                 per_channel=True, activation_type=quantization.QuantType.QUInt8,
                                 weight_type=quantization.QuantType.QInt8)
    prepared.unlink(missing_ok=True)
    os.replace(scratch, target)


def measure(path: Path, pairs: PairSet, threads: int = 2, runs: int = 50) -> dict:
    """Median and p95 latency (ms, `threads` threads, after warm-up) of one model file on
    ONNX Runtime, and its PSNR/SSIM against the teacher's targets in `pairs`."""
    runner = session(path, threads)
    inputs, _ = pairs.batch(torch.tensor([0]))
    for _ in range(5):
        run_onnx(runner, inputs)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run_onnx(runner, inputs)
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    quality = {"psnr": [], "ssim": []}
    for index in range(len(pairs)):
        inputs, targets = pairs.batch(torch.tensor([index]))
        output, target = to_pixels(run_onnx(runner, inputs)[0]), to_pixels(targets[0])
        quality["psnr"].append(psnr(output, target))
        quality["ssim"].append(ssim_uint8(output, target))
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "threads": threads,
        "median_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "psnr": statistics.fmean(quality["psnr"]) if pairs.names else None,
        "ssim": statistics.fmean(quality["ssim"]) if pairs.names else None,
        "psnr_min": min(quality["psnr"], default=None),
        "ssim_min": min(quality["ssim"], default=None),
        "count": len(pairs),
    }
