//! A golden case recorded from what a designer previews (the studio's Record): the source
//! and the live parameter values become a `[[case]]` appended to `tests/golden.toml`
//! (comments kept, written atomically), and the frames the bundle draws on it become its
//! expected frames. A source from the asset cache's `data/` is named as a sample; any other
//! file is copied into `tests/inputs/`. A recording that cannot be played leaves the suite
//! as it was.

use std::path::{Path, PathBuf};

use effect_api::plugin::Value;
use toml_edit::{DocumentMut, InlineTable, Item, Table};

use super::suite::SAMPLE_PREFIX;
use super::{CaseOutcome, GoldenError, Mode, SUITE_FILE, load_suite, run_case};
use crate::atomic_file::{self, PendingFile};
use crate::bundle::member_path::clean_file_name;
use crate::models::AssetCache;
use crate::player::PlayerOptions;

/// What to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// The case's name (also its folder of expected frames), unique in the suite.
    pub name: String,
    /// The previewed photo or video.
    pub source: PathBuf,
    /// For a video, the frame shown: the case compares that one frame (the frames before
    /// it still play, so tracking arrives there as it did in the preview). `None` compares
    /// every frame (a photo).
    pub frame: Option<u64>,
    /// Live parameter values: (layer, parameter, value).
    pub parameters: Vec<(String, String, Value)>,
}

/// The case's `input`: `sample:NAME` for a file in the cache's `data/`, else the path of a
/// copy under `tests/inputs/` (made here when missing).
fn case_input(tests: &Path, source: &Path, cache: &AssetCache) -> Result<String, GoldenError> {
    let data = cache.root().join("data");
    let canonical = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_owned());
    if let Ok(relative) = canonical(source).strip_prefix(canonical(&data)) {
        let name: Vec<String> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        return Ok(format!("{SAMPLE_PREFIX}{}", name.join("/")));
    }
    if !source.is_file() {
        return Err(GoldenError::Input {
            case: String::new(),
            message: format!(
                "{} is not a file: record a golden case from a photo or a video file",
                source.display()
            ),
        });
    }
    let file_name = source
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".to_owned());
    let clean = clean_file_name(&file_name);
    let relative = format!("inputs/{clean}");
    let target = tests.join(&relative);
    if !target.exists() {
        let folder = tests.join("inputs");
        std::fs::create_dir_all(&folder)
            .map_err(|error| GoldenError::io("create", &folder, error))?;
        let pending = PendingFile::new(&target);
        std::fs::copy(source, pending.temp())
            .map_err(|error| GoldenError::io("copy the source into", &target, error))?;
        pending
            .commit()
            .map_err(|error| GoldenError::io("write", &target, error))?;
    }
    Ok(relative)
}

/// A parameter value as TOML.
fn toml_value(value: Value) -> toml_edit::Value {
    match value {
        Value::Float(number) => ((number * 1e4).round() / 1e4).into(),
        Value::Int(number) => number.into(),
        Value::Bool(on) => on.into(),
        Value::Color(rgba) => toml_edit::Value::Array(
            rgba.iter()
                .map(|&channel| (f64::from(channel) * 1000.0).round() / 1000.0)
                .collect(),
        ),
    }
}

/// `suite` (the text of `tests/golden.toml`, empty when there is none) with the case
/// appended.
fn with_case(
    suite: &str,
    file: &Path,
    recording: &Recording,
    input: &str,
) -> Result<String, GoldenError> {
    let mut document: DocumentMut =
        suite
            .parse()
            .map_err(|error: toml_edit::TomlError| GoldenError::Io {
                action: "read",
                path: file.to_owned(),
                message: error.to_string(),
            })?;
    let cases = document
        .entry("case")
        .or_insert_with(|| Item::ArrayOfTables(Default::default()))
        .as_array_of_tables_mut()
        .ok_or_else(|| GoldenError::Io {
            action: "add a case to",
            path: file.to_owned(),
            message: "`case` is not an array of tables ([[case]])".to_owned(),
        })?;
    if cases
        .iter()
        .any(|case| case.get("name").and_then(Item::as_str) == Some(recording.name.as_str()))
    {
        return Err(GoldenError::Io {
            action: "add a case to",
            path: file.to_owned(),
            message: format!(
                "there is already a case named `{}`; choose another name",
                recording.name
            ),
        });
    }
    let mut case = Table::new();
    case.decor_mut()
        .set_prefix("\n# Recorded in Lensmith Studio from what the preview showed.\n");
    case.insert("name", toml_edit::value(recording.name.as_str()));
    case.insert("input", toml_edit::value(input));
    if let Some(frame) = recording.frame {
        let frames: toml_edit::Array = [frame as i64].into_iter().collect();
        case.insert("frames", toml_edit::value(frames));
    }
    if !recording.parameters.is_empty() {
        let mut layers = InlineTable::new();
        for (layer, parameter, value) in &recording.parameters {
            let entry = layers
                .entry(layer.as_str())
                .or_insert_with(|| toml_edit::Value::InlineTable(InlineTable::new()));
            if let Some(table) = entry.as_inline_table_mut() {
                table.insert(parameter.as_str(), toml_value(*value));
            }
        }
        case.insert("parameters", toml_edit::value(layers));
    }
    cases.push(case);
    Ok(document.to_string())
}

fn write_suite(path: &Path, text: &str) -> Result<(), GoldenError> {
    atomic_file::write(path, text).map_err(|error| GoldenError::io("write", path, error))
}

/// Appends `recording` to the suite of the bundle folder `bundle` and writes its expected
/// frames. On failure the suite is left as it was.
pub fn record_case(
    bundle: &Path,
    recording: &Recording,
    cache: &AssetCache,
    options: &PlayerOptions,
) -> Result<CaseOutcome, GoldenError> {
    let tests = bundle.join(effect_api::manifest::TESTS_FOLDER);
    std::fs::create_dir_all(&tests).map_err(|error| GoldenError::io("create", &tests, error))?;
    let path = tests.join(SUITE_FILE);
    let before = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(GoldenError::io("read", &path, error)),
    };
    let input = case_input(&tests, &recording.source, cache)?;
    let text = with_case(
        before.as_deref().unwrap_or_default(),
        &path,
        recording,
        &input,
    )?;
    write_suite(&path, &text)?;
    let recorded = load_suite(bundle).and_then(|(tests, suite)| {
        let case = suite
            .cases
            .iter()
            .find(|case| case.name == recording.name)
            .ok_or_else(|| GoldenError::Io {
                action: "find the recorded case in",
                path: path.clone(),
                message: format!("`{}` is not there", recording.name),
            })?;
        run_case(
            bundle,
            &tests,
            case,
            cache,
            options,
            Mode::Update,
            None,
            |_| {},
        )
    });
    if recorded.is_err() {
        // Put the suite back as it was; the copied input is harmless and reused next time.
        let _ = match &before {
            Some(text) => write_suite(&path, text),
            None => {
                std::fs::remove_file(&path).map_err(|error| GoldenError::io("remove", &path, error))
            }
        };
    }
    recorded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_appended_with_its_frame_and_parameters_keeping_the_comments() {
        let suite = "# The suite.\n[[case]]\nname = \"astronaut\" # the photo\ninput = \"sample:astronaut.png\"\n";
        let recording = Recording {
            name: "studio-1".into(),
            source: "clip.mp4".into(),
            frame: Some(42),
            parameters: vec![
                ("paint".into(), "opacity".into(), Value::Float(0.4)),
                (
                    "glow".into(),
                    "tint".into(),
                    Value::Color([1.0, 0.5, 0.0, 1.0]),
                ),
            ],
        };
        let text = with_case(
            suite,
            Path::new("tests/golden.toml"),
            &recording,
            "inputs/clip.mp4",
        )
        .unwrap();
        assert!(text.starts_with(suite), "{text}");
        assert!(text.ends_with(
            "\n# Recorded in Lensmith Studio from what the preview showed.\n[[case]]\nname = \"studio-1\"\ninput = \"inputs/clip.mp4\"\nframes = [42]\nparameters = { paint = { opacity = 0.4 }, glow = { tint = [1.0, 0.5, 0.0, 1.0] } }\n"
        ), "{text}");
        let again = with_case(&text, Path::new("tests/golden.toml"), &recording, "x").unwrap_err();
        assert!(
            again
                .to_string()
                .contains("already a case named `studio-1`"),
            "{again}"
        );
    }
}
