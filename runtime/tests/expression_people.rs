//! Expression scores on the stills of 85 people nothing in the scorer was fitted on: the
//! people of the faces catalogue (`distill/faces.toml`; `cargo xtask test` fetches their
//! files into `$LENSMITH_HOME/faces` with `python -m lensmith_distill faces fetch`), against
//! labels judged by eye (`distill/people_expression_labels.csv`, how they were made in
//! `distill/README.md`). Each still goes through the face pipeline for stills, as `lensmith
//! track --static` runs it: the short-range detector, else the full-range one for a small
//! face. Prints each signal's F1 at 0.5 and holds the figures measured when the smile range
//! across people was chosen, as floors against regressions.

use std::collections::BTreeMap;
use std::path::Path;

use effect_api::ExpressionScores;
use lensmith_runtime::detection::DetectorRange;
use lensmith_runtime::face_pipeline::{FacePipeline, FacePipelineSettings};
use lensmith_runtime::models::ModelOptions;
use lensmith_runtime::video::open_source;

#[path = "support/catalogue_faces.rs"]
mod catalogue_faces;
#[path = "support/f1_counts.rs"]
mod f1_counts;

use f1_counts::Counts;

const LABELS: &str = include_str!("../../distill/people_expression_labels.csv");
const TEST: &str = "expressions_on_the_catalogues_people";
/// The faces MediaPipe's own FaceMesh finds on the catalogue's photos (`turned_faces.rs`
/// checks that the runtime finds each of them): a labelled still may go unfound only where
/// MediaPipe finds no face either.
const MEDIAPIPE: &str = include_str!("data/catalogue_faces_mediapipe.json");

/// Whether MediaPipe's FaceMesh finds no face in the catalogue's photo `file`.
fn mediapipe_finds_no_face(file: &str) -> bool {
    let document: serde_json::Value = serde_json::from_str(MEDIAPIPE).unwrap();
    document["images"][file]
        .as_array()
        .is_some_and(|faces| faces.is_empty())
}

/// One labelled still; an empty field is "not judged".
struct Label {
    file: String,
    person: String,
    fields: BTreeMap<&'static str, String>,
}

fn labels() -> Vec<Label> {
    let mut lines = LABELS.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        ["person", "file", "eyes", "mouth", "smile", "brows"]
    );
    lines
        .map(|line| {
            let values: Vec<&str> = line.split(',').collect();
            assert_eq!(values.len(), header.len(), "{line}");
            Label {
                person: values[0].to_owned(),
                file: values[1].to_owned(),
                fields: ["eyes", "mouth", "smile", "brows"]
                    .into_iter()
                    .zip(values[2..].iter().map(|value| (*value).to_owned()))
                    .collect(),
            }
        })
        .collect()
}

/// Signal, label column, the value that means present, the values that mean absent, and
/// the signal's score.
type Judgement = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    fn(&ExpressionScores) -> f32,
);
const JUDGEMENTS: [Judgement; 5] = [
    ("smile", "smile", "yes", &["no"], |s| s.smile),
    ("mouth_open", "mouth", "open", &["closed"], |s| s.mouth_open),
    // Looking down is a negative for blinks.
    ("blink", "eyes", "closed", &["open", "down"], |s| s.blink),
    (
        "brows_raised",
        "brows",
        "raised",
        &["neutral", "lowered"],
        |s| s.brows_raised,
    ),
    (
        "brows_lowered",
        "brows",
        "lowered",
        &["neutral", "raised"],
        |s| s.brows_lowered,
    ),
];

/// Per file (`<person>/<name>`), the catalogued box `[x, y, w, h]` of its person's face, if
/// the file shows other faces too.
fn boxes(faces: &Path) -> BTreeMap<String, Option<[f32; 4]>> {
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(faces.join("index.json")).unwrap()).unwrap();
    let mut boxes = BTreeMap::new();
    for person in index["people"].as_object().unwrap().values() {
        for file in person["files"].as_array().unwrap() {
            let bounds = file["box"]
                .as_array()
                .map(|values| std::array::from_fn(|axis| values[axis].as_f64().unwrap() as f32));
            boxes.insert(file["file"].as_str().unwrap().to_owned(), bounds);
        }
    }
    boxes
}

/// The scores of the person's face in `still`: the face whose box centre lies in their
/// catalogued box (or, without one, the largest face), found by the first of `pipelines`
/// that finds it.
fn persons_scores(
    pipelines: &mut [FacePipeline],
    still: &Path,
    person_box: Option<[f32; 4]>,
) -> Option<ExpressionScores> {
    // As `lensmith track` opens it (one PPM among the stills goes through ffmpeg).
    let frame = open_source(still)
        .and_then(|mut source| source.next_frame())
        .unwrap_or_else(|error| panic!("{}: {error}", still.display()))
        .unwrap_or_else(|| panic!("{} holds no frame", still.display()))
        .frame;
    for pipeline in pipelines {
        let found = pipeline.process(frame.view(), 0.0).unwrap();
        let persons = found
            .faces()
            .filter(|face| {
                let center = face.tracked.bounds().center();
                person_box.is_none_or(|[x, y, width, height]| {
                    (x..=x + width).contains(&center.x) && (y..=y + height).contains(&center.y)
                })
            })
            .max_by(|a, b| {
                let area = |face: &lensmith_runtime::face_pipeline::FaceResult<'_>| {
                    let bounds = face.tracked.bounds();
                    bounds.width * bounds.height
                };
                area(a).total_cmp(&area(b))
            });
        if let Some(face) = persons {
            return face.scores.copied();
        }
    }
    None
}

#[test]
fn expressions_on_the_catalogues_people() {
    let Some((cache, faces)) = catalogue_faces::faces_or_skip(TEST) else {
        return;
    };
    let boxes = boxes(&faces);
    let mut pipelines: Vec<FacePipeline> = [DetectorRange::Short, DetectorRange::Full]
        .into_iter()
        .map(|range| {
            let settings = FacePipelineSettings::still_images(32).with_detector_range(range);
            FacePipeline::load(&cache, ModelOptions::default(), settings, Vec::new()).unwrap()
        })
        .collect();
    let labels = labels();
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut people = std::collections::BTreeSet::new();
    let (mut missed, mut missed_by_mediapipe_too) = (Vec::new(), Vec::new());
    for label in &labels {
        let person_box = *boxes
            .get(&label.file)
            .unwrap_or_else(|| panic!("{} is not in the faces index", label.file));
        let Some(scores) = persons_scores(&mut pipelines, &faces.join(&label.file), person_box)
        else {
            match mediapipe_finds_no_face(&label.file) {
                true => missed_by_mediapipe_too.push(label.file.as_str()),
                false => missed.push(label.file.as_str()),
            }
            continue;
        };
        people.insert(label.person.as_str());
        for (signal, column, present, absent, score) in JUDGEMENTS {
            let value = label.fields[column].as_str();
            if value == present || absent.contains(&value) {
                counts
                    .entry(signal)
                    .or_default()
                    .add(value == present, score(&scores));
            }
        }
    }
    println!(
        "{} labelled stills of {} people found; F1 at 0.5 (true/false positives, false/true negatives)",
        labels.len() - missed.len() - missed_by_mediapipe_too.len(),
        people.len()
    );
    for (signal, counts) in &counts {
        println!(
            "  {signal:<14} {:.3} ({}/{}, {}/{})",
            counts.f1(),
            counts.true_positive,
            counts.false_positive,
            counts.false_negative,
            counts.true_negative
        );
    }
    println!("not found, as MediaPipe's FaceMesh finds no face there: {missed_by_mediapipe_too:?}");
    assert!(
        missed.is_empty(),
        "the person's face was not found in {missed:?}"
    );
    // Measured when the ranges across people were chosen (on the train people only): smile
    // 0.943 (0.810 before its range), mouth_open 1.000 (0.737 before its range),
    // brows_raised 0.333 (0.286 once the detector read frames exactly as MediaPipe's does:
    // einstein.jpg, one of the 5 raised brows found, is no longer found, as MediaPipe's
    // FaceMesh finds no face there either); 6 open eyes of 87 read as blinks, most of them
    // squeezed by a laugh (still 6 once the refined lids count too, one of them a downward
    // glance; 5 with the distilled eye model).
    for (signal, floor) in [("smile", 0.92), ("mouth_open", 0.9), ("brows_raised", 0.28)] {
        let f1 = counts[signal].f1();
        assert!(
            f1 >= floor,
            "{signal}: F1 {f1:.3} fell below {floor} (see the table above)"
        );
    }
    let false_blinks = counts["blink"].false_positive;
    assert!(false_blinks <= 6, "{false_blinks} open eyes read as blinks");
}
