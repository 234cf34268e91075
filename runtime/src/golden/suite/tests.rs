//! The suite file's reading: defaults, every field, and a diagnostic at the right line for
//! each kind of mistake.

use super::*;

fn problems(text: &str) -> Vec<Diagnostic> {
    parse("tests/golden.toml", text).expect_err("the suite should be refused")
}

#[test]
fn a_minimal_case_takes_the_defaults() {
    let suite = parse(
        "golden.toml",
        "[[case]]\nname = \"astronaut\"\ninput = \"sample:astronaut.png\"\n",
    )
    .unwrap();
    assert_eq!(
        suite.cases,
        vec![Case {
            name: "astronaut".into(),
            input: CaseInput::Sample("astronaut.png".into()),
            motion: None,
            frames: None,
            still_images: None,
            parameters: Vec::new(),
            tolerance: Tolerance::default(),
        }]
    );
}

#[test]
fn every_field_is_read_and_tolerances_layer_over_the_suites() {
    let text = r#"
[tolerance]
pixel_threshold = 20
max_mean_difference = 0.8

[[case]]
name = "sway_1"
input = "inputs/friends.jpg"
motion = "sway"
motion_frames = 12
frames = [0, 5, 11]
static = false
parameters = { paint = { opacity = 0.5, on = true, steps = 3 }, tint = { colour = [1.0, 0.5, 0] } }
tolerance = { max_differing_fraction = 0.01 }
"#;
    let suite = parse("golden.toml", text).unwrap();
    let case = &suite.cases[0];
    assert_eq!(case.input, CaseInput::File("inputs/friends.jpg".into()));
    assert_eq!(
        case.motion,
        Some(Motion {
            kind: MotionKind::Sway,
            frames: 12
        })
    );
    assert_eq!(case.frames, Some(vec![0, 5, 11]));
    assert_eq!(case.still_images, Some(false));
    assert_eq!(
        case.parameters,
        vec![
            ("paint".into(), "on".into(), Value::Bool(true)),
            ("paint".into(), "opacity".into(), Value::Float(0.5)),
            ("paint".into(), "steps".into(), Value::Int(3)),
            (
                "tint".into(),
                "colour".into(),
                Value::Color([1.0, 0.5, 0.0, 1.0])
            ),
        ]
    );
    assert_eq!(
        case.tolerance,
        Tolerance {
            pixel_threshold: 20,
            max_differing_fraction: 0.01,
            max_mean_difference: 0.8,
        }
    );
}

#[test]
fn a_motion_defaults_to_thirty_frames() {
    let text = "[[case]]\nname = \"a\"\ninput = \"sample:astronaut.png\"\nmotion = \"sway\"\n";
    let suite = parse("golden.toml", text).unwrap();
    assert_eq!(suite.cases[0].motion.unwrap().frames, 30);
}

#[test]
fn syntax_errors_and_unknown_keys_are_placed() {
    let unknown = problems("[[case]]\nname = \"a\"\ninput = \"x.png\"\nframe = [1]\n");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].line, 4, "{}", unknown[0]);
    assert!(unknown[0].message.contains("frame"), "{}", unknown[0]);

    let bad_motion = problems("[[case]]\nname = \"a\"\ninput = \"x.png\"\nmotion = \"spin\"\n");
    assert_eq!(bad_motion[0].line, 4, "{}", bad_motion[0]);
    assert!(bad_motion[0].message.contains("sway"), "{}", bad_motion[0]);

    let syntax = problems("[[case]\nname = \"a\"\n");
    assert_eq!(syntax[0].line, 1, "{}", syntax[0]);
}

#[test]
fn meaning_problems_are_all_reported_at_their_lines() {
    let text = r#"[[case]]
name = "Astronaut One"
input = "../outside.png"

[[case]]
name = "b"
input = "sample:/etc/passwd"
frames = [3, 1]

[[case]]
name = "b"
input = "x.png"
motion_frames = 4

[[case]]
name = "c"
input = "x.png"
motion = "sway"
motion_frames = 10
frames = [0, 10]
parameters = { paint = { label = "x" } }
tolerance = { max_differing_fraction = 2.0 }
"#;
    let found = problems(text);
    let at = |needle: &str| {
        found
            .iter()
            .find(|problem| problem.message.contains(needle))
            .unwrap_or_else(|| panic!("no problem mentions {needle}: {found:#?}"))
            .line
    };
    assert_eq!(at("cannot name a folder"), 2);
    assert_eq!(at("../outside.png"), 3);
    assert_eq!(at("/etc/passwd"), 7);
    assert_eq!(at("ascending"), 8);
    assert_eq!(at("declared twice"), 11);
    assert_eq!(at("without a `motion`"), 13);
    assert_eq!(at("past the motion's 10 frames"), 20);
    assert_eq!(at("paint.label"), 21);
    assert!(
        found
            .iter()
            .any(|problem| problem.message.contains("max_differing_fraction"))
    );
}

#[test]
fn an_empty_suite_says_what_to_add() {
    let found = problems("# nothing yet\n");
    assert!(found[0].message.contains("no [[case]]"), "{}", found[0]);
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("sample:astronaut.png")
    );
}
