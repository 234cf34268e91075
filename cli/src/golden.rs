//! `lensmith test BUNDLE`: plays a bundle's golden-frame test cases (`tests/golden.toml`)
//! and compares every chosen frame with its expected frame, or, with `--update`, writes
//! the frames as the new expected ones. Exits with an error when any frame differs.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use lensmith_runtime::golden::{self, CaseOutcome, FrameOutcome, Mode, Verdict};
use lensmith_runtime::models::{AssetCache, ModelOptions};
use lensmith_runtime::player::PlayerOptions;

/// Arguments of `lensmith test`.
#[derive(Args)]
#[command(after_help = "\
The cases live in BUNDLE/tests/golden.toml (the tests/ folder is never packed):

  [[case]]
  name = \"astronaut\"               # also the folder of its expected frames
  input = \"sample:astronaut.png\"   # a file in tests/, or sample:NAME from the asset cache
  # motion = \"sway\"                # turn the still into a moving sequence
  # motion_frames = 30
  # frames = [0, 10, 20]           # frames compared (default: all)
  # parameters = { paint = { opacity = 0.5 } }
  # tolerance = { pixel_threshold = 16, max_differing_fraction = 0.002, max_mean_difference = 0.5 }

Expected frames are tests/expected/<case>/frame_NNNNNN.png; pictures of failed frames go to
tests/report/<case>/. Frames are drawn by the CPU reference renderer.")]
pub struct TestArgs {
    /// The bundle folder (with effect.toml and tests/golden.toml).
    bundle: PathBuf,
    /// Write the rendered frames as the expected frames instead of comparing (look at them
    /// first: they become the truth).
    #[arg(long)]
    update: bool,
    /// Run only this case (repeatable).
    #[arg(long = "case", value_name = "NAME")]
    cases: Vec<String>,
    /// Threads ONNX Runtime may use per model.
    #[arg(long, default_value_t = ModelOptions::default().intra_threads)]
    threads: usize,
    /// Most faces to track and draw on.
    #[arg(long, default_value_t = 1, value_parser = crate::number_args::at_least_one)]
    max_faces: usize,
    /// Also write every compared frame to DIR/<case>/frame_NNNNNN.png, to compare the
    /// frames of this machine with another's (`cargo xtask aarch64` does, for ARM).
    #[arg(long, value_name = "DIR")]
    keep_frames: Option<PathBuf>,
}

/// Runs the cases and prints a line per frame and a summary.
pub fn run(args: &TestArgs) -> Result<()> {
    if args.bundle.is_file() {
        bail!(
            "{} is a file; golden tests live in a bundle folder's tests/golden.toml (a packed \
             .effect leaves them out), so give the folder",
            args.bundle.display()
        );
    }
    let (tests, suite) = golden::load_suite(&args.bundle)?;
    for name in &args.cases {
        if !suite.cases.iter().any(|case| &case.name == name) {
            let known: Vec<&str> = suite.cases.iter().map(|case| case.name.as_str()).collect();
            bail!(
                "--case {name}: no such case; the suite has {}",
                known.join(", ")
            );
        }
    }
    let cache = AssetCache::locate()?;
    let options = PlayerOptions {
        threads: args.threads.max(1),
        max_faces: args.max_faces,
        ..PlayerOptions::default()
    };
    let mode = match args.update {
        true => Mode::Update,
        false => Mode::Check,
    };
    let chosen = |case: &&golden::Case| args.cases.is_empty() || args.cases.contains(&case.name);
    if mode == Mode::Update {
        // Every input first: an update that stopped at a later case had already replaced
        // the earlier cases' expected frames.
        for case in suite.cases.iter().filter(chosen) {
            golden::check_case_input(&tests, case, &cache)?;
        }
    }
    let mut tally = Tally::default();
    for case in &suite.cases {
        if !args.cases.is_empty() && !args.cases.contains(&case.name) {
            continue;
        }
        println!(
            "case {} ({}{})",
            case.name,
            case.input,
            describe_motion(case)
        );
        let outcome = golden::run_case(
            &args.bundle,
            &tests,
            case,
            &cache,
            &options,
            mode,
            args.keep_frames.as_deref(),
            |frame| println!("  {}", describe_frame(frame, &case.tolerance)),
        )?;
        tally.add(&outcome);
        for removed in &outcome.removed {
            println!("  removed {} (no longer chosen)", relative(removed));
        }
    }
    tally.finish(&args.bundle, mode)
}

fn describe_motion(case: &golden::Case) -> String {
    case.motion
        .map(|motion| format!(", {:?} over {} frames", motion.kind, motion.frames).to_lowercase())
        .unwrap_or_default()
}

/// One line for a judged frame.
fn describe_frame(frame: &FrameOutcome, tolerance: &golden::Tolerance) -> String {
    let head = format!("frame {:>4} ({} face(s))", frame.index, frame.faces);
    match &frame.verdict {
        Verdict::Matched(difference) => format!("{head} ok: {}", difference.describe(tolerance)),
        Verdict::Written(path) => format!("{head} written to {}", relative(path)),
        Verdict::Differs {
            difference,
            actual,
            picture,
        } => format!(
            "{head} DIFFERS: {}\n    rendered: {}\n    where:    {}",
            difference.describe(tolerance),
            relative(actual),
            relative(picture)
        ),
        Verdict::SizeDiffers {
            expected,
            actual,
            actual_path,
        } => format!(
            "{head} DIFFERS: rendered {}×{}, expected {}×{}\n    rendered: {}",
            actual.0,
            actual.1,
            expected.0,
            expected.1,
            relative(actual_path)
        ),
        Verdict::Missing { expected, actual } => format!(
            "{head} has no expected frame ({})\n    rendered: {}",
            relative(expected),
            relative(actual)
        ),
    }
}

/// A path as given, shortened to the current folder when inside it.
fn relative(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_owned))
        .unwrap_or_else(|| path.to_owned())
        .display()
        .to_string()
}

/// Frames judged so far.
#[derive(Default)]
struct Tally {
    cases: usize,
    frames: usize,
    failed: usize,
    missing: usize,
}

impl Tally {
    fn add(&mut self, outcome: &CaseOutcome) {
        self.cases += 1;
        for frame in &outcome.frames {
            self.frames += 1;
            match frame.verdict {
                Verdict::Missing { .. } => self.missing += 1,
                ref verdict if !verdict.passed() => self.failed += 1,
                _ => {}
            }
        }
    }

    fn finish(self, bundle: &Path, mode: Mode) -> Result<()> {
        let Tally {
            cases,
            frames,
            failed,
            missing,
        } = self;
        if mode == Mode::Update {
            println!("wrote {frames} expected frame(s) in {cases} case(s)");
            return Ok(());
        }
        if failed == 0 && missing == 0 {
            println!("all {frames} frame(s) of {cases} case(s) match");
            return Ok(());
        }
        let mut problems = Vec::new();
        if failed > 0 {
            problems.push(format!("{failed} of {frames} frame(s) differ"));
        }
        if missing > 0 {
            problems.push(format!("{missing} have no expected frame"));
        }
        bail!(
            "{}; look at the rendered frames named above, and if they are right, make them \
             the expected ones with `lensmith test {} --update`",
            problems.join(" and "),
            bundle.display()
        )
    }
}
