//! Which golden cases `cargo xtask aarch64` plays on ARM: all of them, or, within a frame
//! budget, all but the long ones (of effects with a student model, the slow part under
//! emulation, or of any effect), read from each bundle's `tests/golden.toml` and
//! `effect.toml`.

use std::path::Path;

use anyhow::{Context, Result};

/// How many frames a golden case may play on ARM before it is left out; no limit by default.
#[derive(clap::Args, Debug, Default, Clone, Copy)]
pub struct CaseBudget {
    /// Leave out the golden cases of bundles with a student model (`face_model` layer)
    /// that play more than N frames (a student takes about 3 s a frame under emulation);
    /// `cargo xtask test` uses 1 to keep CI short.
    #[arg(long, value_name = "N")]
    pub max_student_frames: Option<u64>,
    /// Leave out the golden cases of any bundle that play more than N frames (each frame is
    /// tracked under emulation, the eye model too where the bundle reads the eyes); `cargo
    /// xtask test` uses 240.
    #[arg(long, value_name = "N")]
    pub max_case_frames: Option<u64>,
}

impl CaseBudget {
    /// The most frames a case of a bundle may play, `student` when it has a student model.
    fn limit(&self, student: bool) -> Option<u64> {
        let student_limit = self.max_student_frames.filter(|_| student);
        match (student_limit, self.max_case_frames) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (limit, None) | (None, limit) => limit,
        }
    }

    /// The budget's options as given, for the lines that say what was left out.
    pub fn options(&self) -> String {
        let options: Vec<String> = [
            ("--max-student-frames", self.max_student_frames),
            ("--max-case-frames", self.max_case_frames),
        ]
        .into_iter()
        .filter_map(|(name, limit)| limit.map(|limit| format!("{name} {limit}")))
        .collect();
        options.join(", ")
    }
}

/// How many frames a golden case plays: the sway's length, else up to its last chosen
/// frame, else one for a still; `None` for a whole video.
fn played_frames(case: &toml::Table) -> Option<u64> {
    /// The runtime's default `motion_frames`.
    const DEFAULT_MOTION_FRAMES: u64 = 30;
    if case.contains_key("motion") {
        let frames = case.get("motion_frames").and_then(toml::Value::as_integer);
        return Some(frames.map_or(DEFAULT_MOTION_FRAMES, |frames| frames.max(0).unsigned_abs()));
    }
    if let Some(frames) = case.get("frames").and_then(toml::Value::as_array) {
        let last = frames.iter().filter_map(toml::Value::as_integer).max()?;
        return Some(last.max(0).unsigned_abs() + 1);
    }
    let input = case
        .get("input")
        .and_then(toml::Value::as_str)?
        .to_ascii_lowercase();
    [".png", ".jpg", ".jpeg"]
        .iter()
        .any(|extension| input.ends_with(extension))
        .then_some(1)
}

/// Whether the bundle's manifest has a `face_model` layer (a student model, which is what
/// takes long under emulation).
fn runs_a_student_model(bundle: &Path) -> Result<bool> {
    let file = bundle.join("effect.toml");
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let manifest: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
    let layers = manifest.get("layer").and_then(toml::Value::as_array);
    Ok(layers.is_some_and(|layers| {
        layers
            .iter()
            .any(|layer| layer.get("kind").and_then(toml::Value::as_str) == Some("face_model"))
    }))
}

/// The cases of `bundle`'s golden tests to play, and a line for each case left out: the
/// cases that play more frames than `budget` allows the bundle.
pub fn chosen_cases(bundle: &Path, budget: CaseBudget) -> Result<(Vec<String>, Vec<String>)> {
    let max_frames = budget.limit(runs_a_student_model(bundle)?);
    let file = bundle.join("tests/golden.toml");
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let suite: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
    let (mut chosen, mut left_out) = (Vec::new(), Vec::new());
    let cases = suite
        .get("case")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for case in cases.iter().filter_map(toml::Value::as_table) {
        let name = case
            .get("name")
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let played = played_frames(case);
        match (max_frames, played) {
            (Some(limit), Some(played)) if played > limit => {
                left_out.push(format!("{name} (plays {played} frames)"));
            }
            (Some(_), None) => left_out.push(format!("{name} (plays a whole video)")),
            _ => chosen.push(name),
        }
    }
    Ok((chosen, left_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn the_tighter_limit_that_applies_to_a_bundle_holds() {
        let budget = CaseBudget {
            max_student_frames: Some(1),
            max_case_frames: Some(180),
        };
        assert_eq!(budget.limit(true), Some(1));
        assert_eq!(budget.limit(false), Some(180));
        let students_only = CaseBudget {
            max_student_frames: Some(1),
            max_case_frames: None,
        };
        assert_eq!(students_only.limit(false), None);
        assert_eq!(CaseBudget::default().limit(true), None);
        assert_eq!(
            budget.options(),
            "--max-student-frames 1, --max-case-frames 180"
        );
    }

    #[test]
    fn played_frames_count_the_sway_the_last_chosen_frame_or_a_still() {
        assert_eq!(played_frames(&case("input = \"sample:a.png\"")), Some(1));
        assert_eq!(
            played_frames(&case("input = \"sample:a.png\"\nmotion = \"sway\"")),
            Some(30)
        );
        assert_eq!(
            played_frames(&case(
                "input = \"sample:a.png\"\nmotion = \"sway\"\nmotion_frames = 12\nframes = [0, 5]"
            )),
            Some(12)
        );
        assert_eq!(
            played_frames(&case("input = \"sample:b.mp4\"\nframes = [20, 160]")),
            Some(161)
        );
        assert_eq!(played_frames(&case("input = \"sample:b.mp4\"")), None);
    }
}
