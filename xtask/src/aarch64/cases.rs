//! Which golden cases `cargo xtask aarch64` plays on ARM: all of them, or, with a frame
//! budget, all but the long ones of effects with a student model (the slow part under
//! emulation), read from each bundle's `tests/golden.toml` and `effect.toml`.

use std::path::Path;

use anyhow::{Context, Result};

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

/// The cases of `bundle`'s golden tests to play, and a line for each case left out: with
/// `max_student_frames`, a bundle with a student model leaves out cases that play more
/// frames.
pub fn chosen_cases(
    bundle: &Path,
    max_student_frames: Option<u64>,
) -> Result<(Vec<String>, Vec<String>)> {
    let max_frames = match runs_a_student_model(bundle)? {
        true => max_student_frames,
        false => None,
    };
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
