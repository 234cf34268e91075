"""The expression labels of the faces catalogue's people (`people_expression_labels.csv`) and
`scripts/expression_people.py`, which scores the runtime's tracks against them: every label
names a catalogued person's own still with a known value, no person the scorer was fitted on
is labelled, the person's face is picked by their box, and the counts are F1 at 0.5."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

from lensmith_distill.faces import load_catalogue

DISTILL = Path(__file__).resolve().parents[1]
LABELS = DISTILL / "people_expression_labels.csv"


def load_script():
    spec = importlib.util.spec_from_file_location("expression_people", DISTILL / "scripts" / "expression_people.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_label_is_a_catalogued_persons_still_with_a_known_value():
    script = load_script()
    catalogue = load_catalogue()
    with open(LABELS, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 90
    allowed = {}
    for column, present, absent in script.SIGNALS.values():
        allowed.setdefault(column, {""}).update({present, *absent})
    for line, row in enumerate(rows, start=2):
        person = catalogue.by_id.get(row["person"])
        assert person is not None, f"{LABELS.name} line {line}: no person {row['person']} in the catalogue"
        assert person.id not in script.FITTED_ON, f"line {line}: the scorer was fitted on {person.id}"
        names = {f"{person.id}/{face_file.name}" for face_file in person.files}
        assert row["file"] in names, f"line {line}: {row['file']} is not one of {person.id}'s files"
        assert row["file"].lower().endswith(script.STILL_SUFFIXES), f"line {line}: videos are not labelled"
        for column, values in allowed.items():
            assert row[column] in values, f"line {line}: {column} = {row[column]!r}, expected one of {sorted(values)}"
    people = {row["person"] for row in rows}
    assert len(people) >= 80


def face(x, y, w, h, **scores):
    signals = {signal: 0.0 for signal in ("smile", "mouth_open", "blink", "brows_raised", "brows_lowered")}
    return {"box": [x, y, w, h], "expressions": {**signals, **scores}}


def test_the_persons_face_is_the_one_in_their_box_else_the_largest():
    script = load_script()
    small, large = face(10, 10, 20, 20), face(100, 100, 80, 80)
    assert script.the_persons_face([small, large], None) is large
    assert script.the_persons_face([small, large], [0, 0, 40, 40]) is small
    assert script.the_persons_face([small, large], [300, 300, 10, 10]) is None
    assert script.the_persons_face([], None) is None


def test_counts_are_judged_at_one_half_and_unjudged_labels_are_left_out(tmp_path):
    script = load_script()
    stills = [{"person": f"p{n}", "file": f"p{n}/a.jpg", "box": None, "use": "train", "number": n, "found": True}
              for n in range(4)]
    (tmp_path / "stills.json").write_text(json.dumps(stills))
    (tmp_path / "tracks").mkdir()
    scores = [0.9, 0.6, 0.4, 0.1]
    for still, smile in zip(stills, scores):
        frame = {"frames": [{"faces": [face(0, 0, 50, 50, smile=smile)]}]}
        script.tracks_file(tmp_path, still["file"], "short").write_text(json.dumps(frame))
    labels = [{"person": f"p{n}", "file": f"p{n}/a.jpg", "eyes": "", "mouth": "", "smile": value, "brows": ""}
              for n, value in enumerate(["yes", "no", "yes", ""])]
    counts = script.counts_per_signal(tmp_path, labels)["smile"]
    assert (counts["tp"], counts["fp"], counts["fn"], counts["tn"]) == (1, 1, 1, 0)
    assert counts["people"] == {"p0", "p1", "p2"}
    assert script.f1(counts) == 0.5
    assert counts_are_empty(script.counts_per_signal(tmp_path, labels)["blink"])


def counts_are_empty(counts):
    return counts["tp"] + counts["fp"] + counts["fn"] + counts["tn"] == 0
