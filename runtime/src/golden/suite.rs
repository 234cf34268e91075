//! `tests/golden.toml`, a bundle's golden-frame test cases: what each case plays (a file
//! in `tests/`, or a sample from the asset cache, optionally swayed into a motion
//! sequence), which frames are compared, with which parameters and how much difference is
//! tolerated. Every problem is reported at its line and column.
//!
//! ```toml
//! [tolerance]                  # optional, for every case
//! pixel_threshold = 16         # a pixel differs when a channel moved by more than this
//! max_differing_fraction = 0.002
//! max_mean_difference = 0.5    # mean over every channel of every pixel, 0..255
//!
//! [[case]]
//! name = "astronaut"
//! input = "sample:astronaut.png"   # $LENSMITH_HOME/data/astronaut.png
//!
//! [[case]]
//! name = "astronaut-sway"
//! input = "sample:astronaut.png"
//! motion = "sway"              # the still, moved as a hand-held camera would
//! motion_frames = 30
//! frames = [0, 10, 20, 29]     # default: every frame
//!
//! [[case]]
//! name = "half-strength"
//! input = "inputs/friends.jpg"     # relative to tests/
//! parameters = { paint = { opacity = 0.5 } }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;

use effect_api::diagnostic::SourceMap;
use effect_api::{Diagnostic, plugin::Value};
use serde::Deserialize;
use toml::Spanned;

/// The prefix of inputs taken from the asset cache's `data/` folder.
pub const SAMPLE_PREFIX: &str = "sample:";

/// Most frames a `motion` case may make.
pub const MAX_MOTION_FRAMES: u32 = 600;

/// A whole suite, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One golden-frame test.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Its name: also the folder of its expected frames.
    pub name: String,
    /// What it plays.
    pub input: CaseInput,
    /// Camera motion laid over a still input.
    pub motion: Option<Motion>,
    /// The frame indices compared, ascending; `None` for every frame.
    pub frames: Option<Vec<u64>>,
    /// Treat frames as unrelated stills (`None`: as the input says).
    pub still_images: Option<bool>,
    /// Parameter values set before the first frame: (layer, parameter, value).
    pub parameters: Vec<(String, String, Value)>,
    /// How much difference passes.
    pub tolerance: Tolerance,
}

/// Where a case's frames come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseInput {
    /// A file or folder, relative to the bundle's `tests/` folder.
    File(PathBuf),
    /// A file in the asset cache's `data/` folder (`sample:NAME`), which
    /// `cargo xtask setup` fetches: `astronaut.png`, `expressions/franck.mp4`, …
    Sample(String),
}

impl std::fmt::Display for CaseInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaseInput::File(path) => write!(f, "{}", path.display()),
            CaseInput::Sample(name) => write!(f, "{SAMPLE_PREFIX}{name}"),
        }
    }
}

/// A synthetic camera motion that turns one still into a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Motion {
    /// Its kind.
    pub kind: MotionKind,
    /// How many frames it makes.
    pub frames: u32,
}

/// The motions there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotionKind {
    /// A hand-held sway: the picture drifts, turns a little and zooms in and out over one
    /// smooth loop (see [`super::motion`]).
    Sway,
}

/// How far a rendered frame may be from its expected frame and still pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// A pixel differs when one of its channels moved by more than this (0..255).
    pub pixel_threshold: u8,
    /// The largest share of pixels that may differ (0..1).
    pub max_differing_fraction: f64,
    /// The largest mean absolute difference over every channel of every pixel (0..255).
    pub max_mean_difference: f64,
}

impl Default for Tolerance {
    /// Loose enough for other CPUs' floating-point rounding (a landmark a hundredth of a
    /// pixel away moves an edge's anti-aliasing by a level or two), tight enough that a
    /// layer moved, recoloured, missing or shown at the wrong time fails.
    fn default() -> Self {
        Self {
            pixel_threshold: 16,
            max_differing_fraction: 0.002,
            max_mean_difference: 0.5,
        }
    }
}

/// The file as written, with positions.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    #[serde(default)]
    tolerance: Option<ToleranceFile>,
    #[serde(default, rename = "case")]
    cases: Vec<Spanned<CaseFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    name: Spanned<String>,
    input: Spanned<String>,
    #[serde(default)]
    motion: Option<MotionKind>,
    #[serde(default)]
    motion_frames: Option<Spanned<u32>>,
    #[serde(default)]
    frames: Option<Spanned<Vec<u64>>>,
    #[serde(default, rename = "static")]
    still_images: Option<bool>,
    #[serde(default)]
    parameters: BTreeMap<String, BTreeMap<String, Spanned<toml::Value>>>,
    #[serde(default)]
    tolerance: Option<ToleranceFile>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct ToleranceFile {
    pixel_threshold: Option<u8>,
    max_differing_fraction: Option<f64>,
    max_mean_difference: Option<f64>,
}

impl ToleranceFile {
    /// These values over `base`.
    fn over(self, base: Tolerance) -> Tolerance {
        Tolerance {
            pixel_threshold: self.pixel_threshold.unwrap_or(base.pixel_threshold),
            max_differing_fraction: self
                .max_differing_fraction
                .unwrap_or(base.max_differing_fraction),
            max_mean_difference: self.max_mean_difference.unwrap_or(base.max_mean_difference),
        }
    }
}

/// Parses and checks a suite's text; `label` names the file in diagnostics. Every problem
/// found is returned, each at its place.
pub fn parse(label: &str, text: &str) -> Result<Suite, Vec<Diagnostic>> {
    let map = SourceMap::new(label, text);
    let file: SuiteFile = toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        vec![map.at(offset, error.message().trim().to_owned(), None)]
    })?;
    let mut problems = Vec::new();
    let base = file
        .tolerance
        .unwrap_or_default()
        .over(Tolerance::default());
    check_tolerance(&base, &map, 0, &mut problems);
    if file.cases.is_empty() {
        problems.push(map.at(
            0,
            "no [[case]] is declared",
            Some("add one: [[case]] name = \"astronaut\" input = \"sample:astronaut.png\"".into()),
        ));
    }
    let mut names = BTreeSet::new();
    let mut cases = Vec::new();
    for spanned in file.cases {
        let start = spanned.span().start;
        let case = spanned.into_inner();
        if let Some(case) = check_case(case, start, base, &map, &mut names, &mut problems) {
            cases.push(case);
        }
    }
    match problems.is_empty() {
        true => Ok(Suite { cases }),
        false => Err(problems),
    }
}

/// Checks one case, adding its problems to `problems`.
fn check_case(
    case: CaseFile,
    start: usize,
    base: Tolerance,
    map: &SourceMap<'_>,
    names: &mut BTreeSet<String>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Case> {
    let before = problems.len();
    let at = |span: Range<usize>, message: String, hint: Option<String>| {
        map.at(span.start, message, hint)
    };
    let name = case.name.get_ref();
    if !is_case_name(name) {
        problems.push(at(
            case.name.span(),
            format!("case name `{name}` cannot name a folder"),
            Some("use lower-case letters, digits, `-` and `_`, e.g. \"astronaut-sway\"".into()),
        ));
    } else if !names.insert(name.clone()) {
        problems.push(at(
            case.name.span(),
            format!("a case named `{name}` is declared twice"),
            Some("each case needs its own name: it names the folder of its frames".into()),
        ));
    }
    let input = parse_input(case.input.get_ref())
        .map_err(|message| problems.push(at(case.input.span(), message, None)))
        .ok();
    let motion = match (case.motion, &case.motion_frames) {
        (None, Some(frames)) => {
            problems.push(at(
                frames.span(),
                "`motion_frames` is given without a `motion`".into(),
                Some("add motion = \"sway\", or remove motion_frames".into()),
            ));
            None
        }
        (None, None) => None,
        (Some(kind), frames) => {
            let count = frames.as_ref().map_or(30, |frames| *frames.get_ref());
            if !(2..=MAX_MOTION_FRAMES).contains(&count) {
                let span = frames.as_ref().map_or(start..start, Spanned::span);
                problems.push(at(
                    span,
                    format!("`motion_frames` = {count} is outside 2..={MAX_MOTION_FRAMES}"),
                    None,
                ));
            }
            Some(Motion {
                kind,
                frames: count,
            })
        }
    };
    let frames = case.frames.map(|frames| {
        let span = frames.span();
        let list = frames.into_inner();
        if list.is_empty() {
            problems.push(at(
                span.clone(),
                "`frames` is empty".into(),
                Some("list the frame indices to compare, or leave `frames` out for all".into()),
            ));
        }
        if list.windows(2).any(|pair| pair[0] >= pair[1]) {
            problems.push(at(
                span.clone(),
                format!("`frames` = {list:?} is not in ascending order without repeats"),
                None,
            ));
        }
        if let (Some(motion), Some(&last)) = (motion, list.last())
            && last >= u64::from(motion.frames)
        {
            problems.push(at(
                span,
                format!(
                    "frame {last} is past the motion's {} frames (0..={})",
                    motion.frames,
                    motion.frames - 1
                ),
                None,
            ));
        }
        list
    });
    let mut parameters = Vec::new();
    for (layer, values) in case.parameters {
        for (parameter, value) in values {
            let span = value.span();
            match to_parameter_value(value.into_inner()) {
                Some(value) => parameters.push((layer.clone(), parameter, value)),
                None => problems.push(at(
                    span,
                    format!("`{layer}.{parameter}` must be a number, a boolean or a colour [r, g, b] or [r, g, b, a]"),
                    None,
                )),
            }
        }
    }
    let tolerance = case.tolerance.unwrap_or_default().over(base);
    check_tolerance(&tolerance, map, start, problems);
    if problems.len() > before {
        return None;
    }
    Some(Case {
        name: case.name.into_inner(),
        input: input?,
        motion,
        frames,
        still_images: case.still_images,
        parameters,
        tolerance,
    })
}

/// Reads an `input` value: `sample:NAME` or a relative path inside `tests/`.
fn parse_input(input: &str) -> Result<CaseInput, String> {
    if let Some(name) = input.strip_prefix(SAMPLE_PREFIX) {
        return match is_relative_inside(name) {
            true => Ok(CaseInput::Sample(name.to_owned())),
            false => Err(format!(
                "`input` = \"{input}\": a sample is a relative path inside the asset cache's \
                 data/ folder, e.g. \"sample:astronaut.png\""
            )),
        };
    }
    match is_relative_inside(input) {
        true => Ok(CaseInput::File(PathBuf::from(input))),
        false => Err(format!(
            "`input` = \"{input}\" must be a path inside the bundle's tests/ folder (relative \
             to it, with `/` and without `..`) or a sample such as \"sample:astronaut.png\""
        )),
    }
}

/// Whether `path` is relative, `/`-separated and stays inside its folder.
fn is_relative_inside(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['\\', ':'])
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A TOML value as a parameter value, when it is one.
fn to_parameter_value(value: toml::Value) -> Option<Value> {
    match value {
        toml::Value::Float(number) => Some(Value::Float(number)),
        toml::Value::Integer(number) => Some(Value::Int(number)),
        toml::Value::Boolean(flag) => Some(Value::Bool(flag)),
        toml::Value::Array(items) if matches!(items.len(), 3 | 4) => {
            let mut rgba = [1.0f32; 4];
            for (slot, item) in rgba.iter_mut().zip(&items) {
                *slot = match item {
                    toml::Value::Float(number) => *number as f32,
                    toml::Value::Integer(number) => *number as f32,
                    _ => return None,
                };
            }
            Some(Value::Color(rgba))
        }
        _ => None,
    }
}

fn check_tolerance(
    tolerance: &Tolerance,
    map: &SourceMap<'_>,
    offset: usize,
    problems: &mut Vec<Diagnostic>,
) {
    for (name, value, high) in [
        (
            "max_differing_fraction",
            tolerance.max_differing_fraction,
            1.0,
        ),
        ("max_mean_difference", tolerance.max_mean_difference, 255.0),
    ] {
        if !(0.0..=high).contains(&value) {
            let message = format!("`{name}` = {value} is outside 0..={high}");
            problems.push(map.at(offset, message, None));
        }
    }
}

/// Whether `name` is a portable folder name of lower-case letters, digits, `-` and `_`.
fn is_case_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"-_".contains(&byte))
}

#[cfg(test)]
mod tests;
