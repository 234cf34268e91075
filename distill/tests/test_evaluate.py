"""`distill evaluate`: edge F1, changed share, summaries per person, the command end to end,
and its refusal of people who may have been used for fitting."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import write_crop
from lensmith_distill.cli import main as distill
from lensmith_distill.evaluate import (EvaluateError, People, aggregate, changed_share, edge_f1, edge_map,
                                       evaluate, head_region)
from lensmith_distill.pairs import SourceCatalog, build_pairs

SIDE = 256


def square(offset: int = 0) -> np.ndarray:
    """A bright square on black, its left and right sides moved right by `offset` px."""
    image = np.zeros((64, 64, 3), np.uint8)
    image[16:48, 16 + offset:48 + offset] = 255
    return image


def test_edge_f1_is_one_for_identical_images():
    edges = edge_map(square())
    assert edges.sum() > 50
    assert edge_f1(edges, edges) == 1.0


def test_edge_f1_tolerates_two_pixels_but_not_more():
    teacher = edge_map(square())
    assert edge_f1(teacher, edge_map(square(1))) == 1.0
    assert edge_f1(teacher, edge_map(square(2))) == 1.0
    # Three pixels: the vertical sides miss, the horizontal ones still match mostly.
    shifted = edge_f1(teacher, edge_map(square(3)))
    assert 0.3 < shifted < 0.8
    assert edge_f1(teacher, edge_map(square(8))) < shifted


def test_edge_f1_without_edges():
    none = np.zeros((64, 64), bool)
    some = edge_map(square())
    assert edge_f1(none, none) == 1.0  # nothing to draw, nothing drawn
    assert edge_f1(some, none) == 0.0
    assert edge_f1(none, some) == 0.0


def test_changed_share_counts_changes_beyond_ten_levels_inside_the_region():
    before = np.full((10, 10, 3), 100, np.uint8)
    after = before.copy()
    after[:5, :, 0] = 111  # changed by 11 in one channel: counts
    after[5:, :, 2] = 110  # by 10: does not
    region = np.zeros((10, 10), bool)
    region[:, :4] = True
    assert changed_share(before, after, region) == pytest.approx(0.5)
    assert changed_share(before, before, region) == 0.0
    assert changed_share(before, after, np.zeros((10, 10), bool)) is None


def test_head_region_covers_face_and_hair_but_not_the_corners(face_crop):
    _, marks, _ = face_crop
    region = head_region(marks, (SIDE, SIDE))
    nose = marks[1, :2].astype(int)
    above_forehead = (int(marks[10, 0]), int(marks[10, 1]) - 10)
    assert region[nose[1], nose[0]] and region[above_forehead[1], above_forehead[0]]
    assert not region[0, 0] and not region[-1, -1] and not region[-1, 0]
    assert 0.2 < region.mean() < 0.9


def test_head_region_constants_are_the_runtimes():
    """The head region is measured as the runtime pastes it: the constants must be
    paste_region.rs's, or the changed share would describe another region."""
    import re

    from lensmith_distill import evaluate as ev

    rust = Path(__file__).resolve().parents[2] / "runtime" / "src" / "player" / "paste_region.rs"
    if not rust.is_file():
        pytest.skip(f"{rust} is missing: run from a Lensmith checkout")
    source = rust.read_text(encoding="utf-8")
    for name in ("HEAD_WIDENING", "HEAD_WIDENING_AT_CHIN", "HEAD_RAISING"):
        found = re.search(rf"const {name}: f32 = ([0-9.]+);", source)
        assert found, f"{rust} no longer declares {name}; update this test and evaluate.py together"
        assert float(found.group(1)) == getattr(ev, name), f"{name} differs between {rust} and evaluate.py"


def test_aggregate_summarises_per_person_and_overall():
    def crop(person, value):
        return {"person": person, "psnr": value, "ssim": value / 100, "edge_f1": 0.5,
                "changed_teacher": 0.4, "changed_student": None}

    crops = [crop("a", v) for v in (10.0, 20.0, 30.0)] + [crop("b", v) for v in (40.0, 50.0)]
    result = aggregate(crops)
    assert result["crops"] == 5 and result["people"] == 2
    assert result["per_person"]["a"]["psnr"]["median"] == 20.0
    assert result["per_person"]["a"]["psnr"]["p10"] == pytest.approx(12.0)
    assert result["per_person"]["b"]["crops"] == 2
    assert result["overall"]["psnr"]["median"] == 30.0
    assert result["overall"]["psnr"]["p10"] == pytest.approx(14.0)
    assert result["overall"]["psnr"]["min"] == 10.0
    assert result["by_person"]["psnr"]["median"] == pytest.approx(32.5)  # of 20 and 45
    assert result["overall"]["changed_student"]["count"] == 0


def test_person_comes_from_the_folder_above_the_source():
    people = People({"alice-p1": "evaluation", "bob-p1": "train"})
    assert people.person_of("/tmp/faces/alice-p1/clip.mp4") == "alice-p1"
    assert people.person_of("/videos/own.mp4") == "own.mp4"
    assert people.split_of("bob-p1", {}) == "train"
    assert People(people.use, {"bob-p1": "evaluation"}).split_of("bob-p1", {}) == "evaluation"


def write_model(path: Path, scale: float) -> Path:
    """An ONNX 'student' y = scale * x, [1, 3, 256, 256] NCHW."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Mul", ["image", "k"], ["stylized"])], "scale",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, SIDE, SIDE])],
        [helper.make_tensor_value_info("stylized", TensorProto.FLOAT, [1, 3, SIDE, SIDE])],
        [helper.make_tensor("k", TensorProto.FLOAT, [], [scale])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


class Negative:
    name = "negative"
    description = "photographic negative, for tests"

    def __call__(self, image, landmarks):
        return 255 - image


@pytest.fixture
def pairs_dir(tmp_path, face_crop) -> Path:
    """Pairs of two people: alice-p1 (evaluation-only, 2 crops) and bob-p1 (train, 1 crop)."""
    image, marks, _ = face_crop
    crops = tmp_path / "crops"
    for person, frames in (("alice-p1", (0, 8)), ("bob-p1", (0,))):
        for frame in frames:
            write_crop(crops, f"{person}--clip_{frame:06}_face0", np.roll(image, frame, axis=1), marks,
                       f"/faces/{person}/clip.mp4", frame)
    sources = tmp_path / "sources.toml"
    sources.write_text("".join(f'[[source]]\nmatch = "*/{p}/*"\nlicence = "test"\norigin = "test"\n'
                               f"evaluation_only = {str(p == 'alice-p1').lower()}\n\n" for p in ("alice-p1", "bob-p1")))
    out = tmp_path / "pairs"
    build_pairs(crops, Negative(), out, SourceCatalog.load(sources), progress=False)
    return out


@pytest.fixture
def catalogue_people() -> People:
    return People({"alice-p1": "evaluation", "bob-p1": "train"})


def test_evaluate_end_to_end_writes_the_report(tmp_path, pairs_dir, monkeypatch):
    same, half = write_model(tmp_path / "same.onnx", 1.0), write_model(tmp_path / "half.onnx", 0.5)
    catalogue = tmp_path / "faces.toml"
    # The command reads people's use from a catalogue; here, a stand-in People.
    monkeypatch.setattr("lensmith_distill.evaluate.People.load",
                        classmethod(lambda cls, c, s: cls({"alice-p1": "evaluation", "bob-p1": "train"})))
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    assert distill(["evaluate", str(pairs_dir), "--model", str(same), "--model", str(half), "--catalogue",
                    str(catalogue), "--json", str(out), "--markdown", str(md), "--threads", "1"]) == 0
    report = json.loads(out.read_text())
    assert set(report) >= {"version", "date", "pairs", "teacher", "people", "models", "definitions"}
    assert report["people"] == {"alice-p1": "evaluation", "bob-p1": "train"}
    assert list(report["models"]) == ["same.onnx", "half.onnx"]
    for result in report["models"].values():
        assert result["crops"] == 3 and result["people"] == 2
        assert set(result["overall"]) == {"psnr", "ssim", "edge_f1", "changed_teacher", "changed_student"}
        assert set(result["per_person"]) == {"alice-p1", "bob-p1"}
        assert result["overall"]["psnr"]["count"] == 3
    same_result = report["models"]["same.onnx"]
    # The teacher negates, the 'student' copies: it changes nothing, the teacher nearly everything.
    assert same_result["overall"]["changed_student"]["median"] == 0.0
    assert same_result["overall"]["changed_teacher"]["median"] > 0.5
    assert "`same.onnx`" in md.read_text() and "`half.onnx`" in md.read_text()


def test_only_evaluation_refuses_people_used_for_training(tmp_path, pairs_dir, catalogue_people):
    model = write_model(tmp_path / "same.onnx", 1.0)
    with pytest.raises(EvaluateError, match="bob-p1 \\(train, use train\\)"):
        evaluate(pairs_dir, [model], catalogue_people, only="evaluation", progress=False)
    # ...unless the split file puts them in evaluation.
    split = People(catalogue_people.use, {"alice-p1": "evaluation", "bob-p1": "evaluation"})
    report = evaluate(pairs_dir, [model], split, only="evaluation", threads=1, progress=False)
    assert report["models"]["same.onnx"]["people"] == 2


def test_clear_errors_for_missing_or_unfitting_models(tmp_path, pairs_dir, catalogue_people):
    with pytest.raises(EvaluateError, match="no such model file"):
        evaluate(pairs_dir, [tmp_path / "nope.onnx"], catalogue_people, progress=False)
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["image"], ["stylized"])], "small",
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 128, 128])],
                              [helper.make_tensor_value_info("stylized", TensorProto.FLOAT, [1, 3, 128, 128])])
    small = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    small.ir_version = 8
    onnx.save(small, str(tmp_path / "small.onnx"))
    with pytest.raises(EvaluateError, match=r"\[1, 3, 128, 128\].*256×256"):
        evaluate(pairs_dir, [tmp_path / "small.onnx"], catalogue_people, progress=False)


def test_an_empty_selection_is_refused(tmp_path, catalogue_people):
    empty = tmp_path / "pairs"
    empty.mkdir()
    (empty / "pairs.json").write_text(json.dumps({"version": 1, "teacher": {}, "pairs": []}))
    with pytest.raises(EvaluateError, match="no pairs"):
        evaluate(empty, [write_model(tmp_path / "same.onnx", 1.0)], catalogue_people, progress=False)
