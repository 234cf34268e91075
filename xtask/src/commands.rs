//! `cargo xtask test` and `cargo xtask demo`: set up, then run cargo as CI and users do.

use std::ffi::OsStr;
use std::process::Command;

use anyhow::{Result, bail};

use crate::phases::PhaseClock;

/// The optional features CI builds, lints and tests besides the defaults.
pub const CHECKED_FEATURES: &str = "xtask/art,lensmith-studio/camera";

/// Set-up, formatting, lints, the whole test suite and the AArch64 check under qemu,
/// stopping at the first failure.
pub fn test() -> Result<()> {
    crate::phases::run_timed(test_steps)
}

/// [`test`]'s steps, each timed on `clock`.
fn test_steps(clock: &mut PhaseClock) -> Result<()> {
    clock.time("prerequisites and set-up", || {
        crate::prerequisites::require()?;
        crate::setup::run()
    })?;
    clock.time("faces catalogue", fetch_faces)?;
    clock.time("rustfmt", || {
        cargo(
            &["fmt", "--all", "--check"],
            "rustfmt found unformatted code: run `cargo fmt --all`",
        )
    })?;
    // `xtask/art` adds `cargo xtask art`'s code, which needs the runtime, to the checks;
    // `lensmith-studio/camera` the camera capture (compiled and tested for its errors: no
    // camera is attached in CI).
    clock.time("clippy", || {
        cargo(
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--features",
                CHECKED_FEATURES,
                "--",
                "-D",
                "warnings",
            ],
            "clippy found problems (listed above)",
        )
    })?;
    clock.time("C header", || {
        crate::header::run(&crate::header::HeaderOptions::checking())
    })?;
    // The C API's static library, which the C host tests link with gcc, is built with the
    // rest of the workspace (the test build below reuses everything this one compiles).
    clock.time("build", || {
        cargo(
            &["build", "--workspace", "--features", CHECKED_FEATURES],
            "the workspace does not build (see above)",
        )
    })?;
    let capi_library = crate::paths::workspace_root().join("target/debug/liblensmith.a");
    // Tests that need the cached models fail, rather than skip, when they are missing here.
    clock.time("cargo test", || {
        cargo_test_counting(
            &["test", "--workspace", "--features", CHECKED_FEATURES],
            &[
                ("LENSMITH_REQUIRE_ASSETS", "1"),
                ("LENSMITH_CAPI_LIB", &capi_library.to_string_lossy()),
            ],
        )
    })?;
    clock.time("distillation tests", distill_tests)?;
    crate::aarch64::run_for_tests(clock)
}

/// The faces catalogue's people (`distill/faces.toml`), which the expression test on many
/// people reads, fetched by the distillation tools' own fetcher into `$LENSMITH_HOME/faces`
/// (every file checked against its catalogued hash; a second run downloads nothing), and,
/// where the folder has none yet, their split by person (`split.json`, the default recipe),
/// which the eye model's test reads its evaluation people from. A split already there is
/// the user's and is kept.
fn fetch_faces() -> Result<()> {
    let home = crate::paths::lensmith_home()?;
    let env = [("LENSMITH_HOME", home.as_os_str())];
    run_distill_python(
        &["-m", "lensmith_distill", "faces", "fetch"],
        &env,
        "fetching the faces catalogue's people failed",
    )?;
    if home.join("faces").join("split.json").is_file() {
        return Ok(());
    }
    run_distill_python(
        &["-m", "lensmith_distill", "faces", "split"],
        &env,
        "splitting the faces catalogue's people by person failed",
    )
}

/// The distillation tools' tests (`distill/tests`, pytest), in their own virtualenv, with the
/// `lensmith` binary the cargo tests just built for the smoke test's crops and renders.
fn distill_tests() -> Result<()> {
    let root = crate::paths::workspace_root();
    let lensmith = root.join("target").join("debug").join("lensmith");
    run_distill_python(
        &[
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "distill/tests",
        ],
        &[
            ("LENSMITH_BIN", lensmith.as_os_str()),
            ("LENSMITH_REQUIRE_ASSETS", OsStr::new("1")),
        ],
        "the distillation tools' tests failed",
    )
}

/// Runs the distillation tools' Python (their virtualenv, made if missing) with `args` from
/// the workspace root, `distill/src` importable and `env` set; `failure` says what went wrong
/// if it exits unsuccessfully.
fn run_distill_python(args: &[&str], env: &[(&str, &OsStr)], failure: &str) -> Result<()> {
    let home = crate::paths::lensmith_home()?;
    let python = crate::python_env::DISTILL.ensure(&home)?;
    let root = crate::paths::workspace_root();
    println!("$ {} {}", python.display(), args.join(" "));
    let status = Command::new(&python)
        .args(args)
        .env("PYTHONPATH", root.join("distill").join("src"))
        .envs(env.iter().copied())
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("{failure} ({status}; see above)");
    }
    Ok(())
}

/// Test counts summed over every test binary of a `cargo test` run.
#[derive(Debug, Default, PartialEq)]
struct TestTotals {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl TestTotals {
    /// Adds the counts of one `test result: ok. 3 passed; 0 failed; 1 ignored; ...` line.
    fn add_summary_line(&mut self, line: &str) {
        let Some(counts) = line.trim_start().strip_prefix("test result:") else {
            return;
        };
        for part in counts.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(number)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += number,
                "failed" => self.failed += number,
                "ignored" => self.ignored += number,
                _ => {}
            }
        }
    }
}

/// Runs `cargo test`, echoing its output, and sums the counts of every test binary.
fn cargo_test_counting(args: &[&str], env: &[(&str, &str)]) -> Result<TestTotals> {
    use std::io::{BufRead, BufReader};
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!("$ cargo {}", args.join(" "));
    let mut child = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(crate::paths::workspace_root())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut totals = TestTotals::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            totals.add_summary_line(&line);
        }
    }
    let status = child.wait()?;
    // One closing line for the whole suite, in the plain form CI tools read.
    println!(
        "tests: {} passed, {} failed, {} skipped",
        totals.passed, totals.failed, totals.ignored
    );
    if !status.success() {
        bail!(
            "`cargo {}` exited with {status}: tests failed (listed above); {} passed, {} failed",
            args.join(" "),
            totals.passed,
            totals.failed
        );
    }
    Ok(totals)
}

/// Set-up, then face tracking on the sample photo, writing the annotated image and the
/// JSON results under `target/demo/`, then plays the shipped face-paint effect on it.
pub fn demo() -> Result<()> {
    crate::setup::run()?;
    let photo = crate::paths::lensmith_home()?
        .join("data")
        .join("astronaut.png");
    let root = crate::paths::workspace_root();
    let out_dir = root.join("target").join("demo");
    std::fs::create_dir_all(&out_dir)?;
    let overlay = out_dir.join("astronaut_tracked.png");
    let json = out_dir.join("astronaut_tracked.json");
    let painted = out_dir.join("astronaut_face_paint.png");
    let effect = root.join("effects").join("face-paint");
    let [photo, overlay_arg, json_arg, painted_arg, effect] =
        [&photo, &overlay, &json, &painted, &effect]
            .map(|path| path.to_string_lossy().into_owned());
    let lensmith = [
        "run",
        "--release",
        "--quiet",
        "--package",
        "lensmith-cli",
        "--",
    ];
    let track = [
        "track",
        &photo,
        "--overlay",
        &overlay_arg,
        "--json",
        &json_arg,
    ];
    cargo(
        &[&lensmith[..], &track[..]].concat(),
        "the demo failed (see above)",
    )?;
    let render = ["render", &effect, &photo, "-o", &painted_arg, "--report"];
    cargo(
        &[&lensmith[..], &render[..]].concat(),
        "rendering the demo effect failed (see above)",
    )?;
    println!(
        "demo: the tracked face (mesh, region, id and face crop drawn) is in {}\n      \
         the landmarks, box, pose and timings are in {}\n      \
         the face-paint effect (effects/face-paint) played on it is in {}",
        overlay.display(),
        json.display(),
        painted.display()
    );
    Ok(())
}

/// Runs cargo in the workspace root, failing with `failure` when it does.
pub fn cargo(args: &[&str], failure: &str) -> Result<()> {
    cargo_with_env(args, &[], failure)
}

pub fn cargo_with_env(args: &[&str], env: &[(&str, &str)], failure: &str) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!("$ cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(crate::paths::workspace_root())
        .status()?;
    if !status.success() {
        bail!("`cargo {}` exited with {status}: {failure}", args.join(" "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines_are_summed_and_other_lines_ignored() {
        let mut totals = TestTotals::default();
        totals.add_summary_line("test result: ok. 11 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        totals.add_summary_line(
            "test result: FAILED. 4 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        totals.add_summary_line("test a_test_named_test_result ... ok");
        assert_eq!(
            totals,
            TestTotals {
                passed: 15,
                failed: 1,
                ignored: 2
            }
        );
    }
}
