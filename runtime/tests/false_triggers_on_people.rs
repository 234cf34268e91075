//! Smile and kiss triggers on people who neither smile nor pucker: stretches of the faces
//! catalogue's evaluation-only clips (`distill/faces.toml`; `cargo xtask test` fetches the
//! files into `$LENSMITH_HOME/faces`) where the person talks or rests without a smile or a
//! pucker, judged by eye (`distill/people_no_smile_clips.csv`, how in `distill/README.md`).
//! Each clip plays from its start through the whole live pipeline, as an app plays a
//! camera, with two rule sets: the default rule (`on` 0.6, `off` 0.4, no hold) and the
//! templates' smile rule (the same with 100 ms of hold). Every `started` event inside a
//! stretch is a false trigger; the test prints them per minute and holds the counts at
//! the goal, none (see `distill/README.md`: the MSU man's resting mouth, wider than resting
//! mouths across people, read as a smile until a wider mouth had to raise its corners too).

use effect_api::{TriggerPhase, TriggerRules};
use lensmith_runtime::face_pipeline::{FacePipeline, FacePipelineSettings};
use lensmith_runtime::models::ModelOptions;
use lensmith_runtime::video::open_source;

#[path = "support/catalogue_faces.rs"]
mod catalogue_faces;

const STRETCHES: &str = include_str!("../../distill/people_no_smile_clips.csv");
const TEST: &str = "no_false_smiles_or_kisses_on_the_catalogues_people";

/// The rules played: each signal with the default settings, then with the templates' hold.
const RULES: &str = r#"
[[trigger]]
name = "smile"
when = "smile"

[[trigger]]
name = "kiss"
when = "kiss"

[[trigger]]
name = "smile, held 100 ms"
when = "smile"
hold_ms = 100

[[trigger]]
name = "kiss, held 100 ms"
when = "kiss"
hold_ms = 100
"#;

/// A stretch of one clip's frames, `first..=last`, with no smile and no pucker.
struct Stretch {
    file: String,
    first: u64,
    last: u64,
    activity: String,
}

fn stretches() -> Vec<Stretch> {
    let mut lines = STRETCHES.lines();
    assert_eq!(lines.next(), Some("person,file,first,last,activity"));
    lines
        .map(|line| {
            let values: Vec<&str> = line.split(',').collect();
            assert_eq!(values.len(), 5, "{line}");
            let frame = |value: &str| -> u64 { value.parse().expect("frame numbers") };
            Stretch {
                file: values[1].to_owned(),
                first: frame(values[2]),
                last: frame(values[3]),
                activity: values[4].to_owned(),
            }
        })
        .collect()
}

#[test]
fn no_false_smiles_or_kisses_on_the_catalogues_people() {
    let Some((cache, faces)) = catalogue_faces::faces_or_skip(TEST) else {
        return;
    };
    let rules = TriggerRules::from_toml(RULES).unwrap().rules;
    let mut starts = vec![0u32; rules.len()];
    let mut seconds = 0.0;
    for stretch in stretches() {
        let path = faces.join(&stretch.file);
        let mut pipeline = FacePipeline::load(
            &cache,
            ModelOptions::default(),
            FacePipelineSettings::video(1),
            rules.clone(),
        )
        .unwrap();
        let mut source = open_source(&path).unwrap();
        let (mut start_s, mut end_s) = (None, 0.0);
        while let Some(frame) = source.next_frame().unwrap() {
            let found = pipeline.process(frame.frame.view(), frame.time_s).unwrap();
            if frame.index < stretch.first {
                continue;
            }
            start_s.get_or_insert(frame.time_s);
            end_s = frame.time_s;
            for event in found.events() {
                if event.phase == TriggerPhase::Started {
                    let rule = event.rule as usize;
                    starts[rule] += 1;
                    println!(
                        "  {}: `{}` started at frame {} ({:.2} s)",
                        stretch.file, rules[rule].name, frame.index, frame.time_s
                    );
                }
            }
            if frame.index >= stretch.last {
                break;
            }
        }
        let start_s =
            start_s.unwrap_or_else(|| panic!("{} is shorter than its stretch", stretch.file));
        // Each frame stands for one frame's time: the stretch ends a frame after its last.
        let frames = (stretch.last - stretch.first + 1) as f64;
        let duration = (end_s - start_s) * frames / (frames - 1.0).max(1.0);
        println!(
            "{} frames {}..={} ({}, {duration:.1} s)",
            stretch.file, stretch.first, stretch.last, stretch.activity
        );
        seconds += duration;
    }
    println!(
        "{:.1} s without a smile or a pucker; trigger starts (per minute):",
        seconds
    );
    for (rule, count) in rules.iter().zip(&starts) {
        println!(
            "  {:<20} {count} ({:.1} per minute)",
            rule.name,
            f64::from(*count) * 60.0 / seconds
        );
    }
    assert!(
        starts.iter().all(|&count| count == 0),
        "false trigger starts {starts:?}, where none is the goal (see the events above)"
    );
}
