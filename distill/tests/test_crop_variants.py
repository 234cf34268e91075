"""`distill variants`: photometric variants of crops that keep the crop's geometry, landmarks
and source, are reproducible, differ from one another, and refuse bad requests clearly."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from lensmith_distill.cli import main
from lensmith_distill.crop_variants import generator_for, make_variant, relight, repaint_backdrop, write_variants
from lensmith_distill.evaluate import head_region
from lensmith_distill.crops import CropError, load_rgb, read_crops

from conftest import write_crop


def test_variants_keep_geometry_and_source_and_change_the_light(tmp_path, face_crop):
    image, marks, _ = face_crop
    write_crop(tmp_path / "crops", "anna_000000_face0", image, marks, "/data/anna/clip.mp4", frame=7)
    names = write_variants([tmp_path / "crops"], tmp_path / "variants", per_crop=3, seed=5)
    assert names == [f"anna_000000_face0~v{k}" for k in (1, 2, 3)]

    variants = read_crops(tmp_path / "variants")
    assert [v.name for v in variants] == names
    pictures = []
    for variant in variants:
        assert variant.source == "/data/anna/clip.mp4" and variant.frame == 7, "the person and frame follow"
        np.testing.assert_allclose(variant.landmarks, marks, atol=1e-3)
        picture = load_rgb(variant.image_path)
        assert picture.shape == image.shape
        pictures.append(picture.astype(np.float32))
        meta = json.loads((tmp_path / "variants" / f"{variant.name}.json").read_text())
        assert meta["variant_of"] == "anna_000000_face0"
    for picture in pictures:
        assert np.abs(picture - image).mean() > 3, "each variant changes the light or colour"
        # ... but not the structure: the picture still correlates strongly with the crop.
        assert np.corrcoef(picture.mean(axis=2).ravel(), image.mean(axis=2).ravel().astype(np.float32))[0, 1] > 0.7
    assert np.abs(pictures[0] - pictures[1]).mean() > 2, "variants differ from one another"


def test_variants_are_reproducible_and_the_seed_changes_them(tmp_path, face_crop):
    image, marks, _ = face_crop
    write_crop(tmp_path / "crops", "bo_000000_face0", image, marks, "/data/bo.jpg")
    for folder, seed in (("a", 1), ("b", 1), ("c", 2)):
        write_variants([tmp_path / "crops"], tmp_path / folder, per_crop=1, seed=seed)
    a, b, c = (load_rgb(tmp_path / f / "bo_000000_face0~v1.png") for f in "abc")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_bad_requests_are_refused_with_a_clear_message(tmp_path, face_crop):
    image, marks, _ = face_crop
    write_crop(tmp_path / "crops", "cy_000000_face0", image, marks, "/data/cy.jpg")
    with pytest.raises(CropError, match="at least 1"):
        write_variants([tmp_path / "crops"], tmp_path / "v", per_crop=0)
    write_variants([tmp_path / "crops"], tmp_path / "v", per_crop=1)
    with pytest.raises(CropError, match="already a variant"):
        write_variants([tmp_path / "v"], tmp_path / "vv", per_crop=1)
    with pytest.raises(SystemExit, match="not a folder of crops"):
        main(["variants", str(tmp_path / "missing"), "-o", str(tmp_path / "out")])


def test_a_repainted_backdrop_changes_the_surroundings_and_keeps_the_face(face_crop):
    image, marks, _ = face_crop
    rng = np.random.default_rng(3)
    painted = repaint_backdrop(image, marks[:, :2], rng)
    head = head_region(marks[:, :2], image.shape[:2])
    difference = np.abs(painted.astype(np.int16) - image.astype(np.int16)).max(axis=2)
    inside = cv2.erode(head.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0  # 3 px in from the edge
    assert np.all(difference[inside] == 0), "the face and hair are untouched"
    assert np.mean(difference[~head] > 10) > 0.5, "most of the backdrop is repainted"


def test_a_backdrop_share_of_zero_makes_the_variants_of_before_and_one_repaints_each(tmp_path, face_crop):
    image, marks, _ = face_crop
    name = "dee_000000_face0"
    for index in (1, 2, 3):
        before = relight(image, generator_for(name, index, 0))
        assert np.array_equal(make_variant(image, marks[:, :2], name, index, 0, backdrop_share=0.0), before)
        always = make_variant(image, marks[:, :2], name, index, 0, backdrop_share=1.0)
        assert not np.array_equal(always, before)

    # A folder of variants made with another share is made again, not kept.
    write_crop(tmp_path / "crops", name, image, marks, "/data/dee.jpg")
    write_variants([tmp_path / "crops"], tmp_path / "v", per_crop=2, backdrop_share=0.0)
    plain = load_rgb(tmp_path / "v" / f"{name}~v1.png")
    write_variants([tmp_path / "crops"], tmp_path / "v", per_crop=2, backdrop_share=1.0)
    assert not np.array_equal(load_rgb(tmp_path / "v" / f"{name}~v1.png"), plain)
    assert json.loads((tmp_path / "v" / f"{name}~v1.json").read_text())["variant_backdrop_share"] == 1.0
    with pytest.raises(CropError, match="share from 0 to 1"):
        write_variants([tmp_path / "crops"], tmp_path / "v", per_crop=1, backdrop_share=1.5)
