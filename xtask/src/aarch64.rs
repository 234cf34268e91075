//! `cargo xtask aarch64`: the phone runtime on an ARM CPU. Cross-builds the `lensmith`
//! CLI, the C API and the never-blink plugin for `aarch64-unknown-linux-gnu`, runs them
//! under qemu-user as a Cortex-A76 (`xtask/aarch64/run`), and compares what they draw
//! with this x86-64 host's build of the same source:
//!
//! - the runtime's and effect-api's unit tests, run on ARM;
//! - every shipped effect's golden tests on ARM, against the committed frames at the
//!   tolerance each case states;
//! - every golden frame drawn on ARM against the same frame drawn here (largest and mean
//!   difference per frame);
//! - the example C host on ARM playing a mask and a generative bundle over a real clip:
//!   its frames must equal ARM `lensmith render`'s byte for byte, and are compared with
//!   x86-64's;
//! - that host under Valgrind's memcheck for ARM, itself emulated (`memcheck`).
//!
//! The comparison table goes to stdout and to `target/aarch64/report.md`.

mod c_host;
mod cases;
mod compare;
mod golden;
mod memcheck;
mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};

use crate::commands::{CHECKED_FEATURES, cargo_with_env};
use crate::paths::AARCH64_TARGET;
use crate::phases::PhaseClock;
use report::Report;

/// The cross linker Debian's `gcc-aarch64-linux-gnu` installs.
const CROSS_GCC: &str = "aarch64-linux-gnu-gcc";

/// Unit tests of a missing program's error message, which qemu-user cannot give (see
/// where they are skipped).
const SKIPPED_UNDER_QEMU: [&str; 3] = [
    "plugin::build::tests::a_folder_without_cargo_toml_or_a_missing_cargo_is_explained",
    "video::ffmpeg::tests::a_missing_tool_says_how_to_install_it",
    "video::ffmpeg_writer::tests::a_missing_prober_says_how_to_install_it",
];

/// The programs both CPUs' runs use.
pub struct Builds {
    /// The AArch64 build folder (`target/aarch64-unknown-linux-gnu/debug`).
    pub arm: PathBuf,
    /// This host's build folder (`target/debug`).
    pub host: PathBuf,
    /// `xtask/aarch64/run`, which runs an AArch64 program under qemu.
    pub runner: PathBuf,
}

impl Builds {
    /// A command running the AArch64 `program` (a file in the ARM build folder) under qemu.
    pub fn arm_command(&self, program: &Path) -> Command {
        let mut command = Command::new(&self.runner);
        command.arg(program);
        command
    }

    /// The AArch64 `lensmith`.
    pub fn arm_lensmith(&self) -> Command {
        self.arm_command(&self.arm.join("lensmith"))
    }

    /// This host's `lensmith`.
    pub fn host_lensmith(&self) -> Command {
        Command::new(self.host.join("lensmith"))
    }
}

/// `cargo xtask aarch64` options.
#[derive(clap::Args, Debug, Default)]
pub struct Aarch64Options {
    /// Which golden cases are too long to play.
    #[command(flatten)]
    pub budget: cases::CaseBudget,
}

/// `cargo xtask aarch64`: this host's set-up, then [`check`].
pub fn run(options: &Aarch64Options) -> Result<()> {
    crate::phases::run_timed(|clock| set_up_and_check(options, clock))
}

/// [`run`]'s steps, each timed on `clock`.
fn set_up_and_check(options: &Aarch64Options, clock: &mut PhaseClock) -> Result<()> {
    require_toolchain()?;
    clock.time("set-up", crate::setup::run)?;
    check(options, clock)
}

/// Fills the ARM cache, cross-builds, runs every check on ARM and writes the comparison;
/// this host's cache must be set up already. Each step is timed on `clock`.
fn check(options: &Aarch64Options, clock: &mut PhaseClock) -> Result<()> {
    let target_cache = clock.time("ARM: set-up", || {
        crate::setup::run_for_target(AARCH64_TARGET)
    })?;
    let root = crate::paths::workspace_root();
    let runner = root.join("xtask/aarch64/run");
    let runner_text = runner.to_string_lossy().into_owned();
    let cross = [
        ("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER", CROSS_GCC),
        (
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER",
            &runner_text,
        ),
        ("LENSMITH_REQUIRE_ASSETS", "1"),
    ];
    clock.time("ARM: cross-build", || build_both(&cross))?;
    clock.time("ARM: unit tests", || unit_tests_on_arm(&cross))?;

    let builds = Builds {
        arm: root.join("target").join(AARCH64_TARGET).join("debug"),
        host: root.join("target/debug"),
        runner,
    };
    let work = root.join("target/aarch64");
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .with_context(|| format!("clearing {} from the last run", work.display()))?;
    }
    let mut report = Report::default();
    let bundles = golden::shipped_bundles_with_tests(&root.join("effects"))?;
    clock.time("ARM: golden cases", || {
        golden::compare_bundles(
            &builds,
            &bundles,
            options.budget,
            &work.join("golden"),
            &mut report,
        )
    })?;
    let c_host_work = work.join("c-host");
    clock.time("ARM: C host", || {
        c_host::compare(&builds, &c_host_work, &mut report)
    })?;
    clock.time("ARM: memcheck", || {
        memcheck_on_arm(&builds, &target_cache, &c_host_work, &mut report)
    })?;
    report.finish(&work.join("report.md"))
}

/// Builds the CLI, the C API and the plugin for ARM, and the same (with the rest of the
/// workspace, as `cargo xtask test` builds it, so that nothing is built twice) here.
fn build_both(cross: &[(&str, &str)]) -> Result<()> {
    let mut build = vec!["build", "--target", AARCH64_TARGET];
    for package in ["lensmith-cli", "lensmith-capi", "never-blink-plugin"] {
        build.extend(["-p", package]);
    }
    cargo_with_env(&build, cross, "the AArch64 cross-build failed (see above)")?;
    cargo_with_env(
        &["build", "--workspace", "--features", CHECKED_FEATURES],
        &[],
        "the host build failed (see above)",
    )
}

/// The runtime's and effect-api's unit tests, run on ARM through the runner.
fn unit_tests_on_arm(cross: &[(&str, &str)]) -> Result<()> {
    let mut unit_tests = vec![
        "test",
        "--target",
        AARCH64_TARGET,
        "-p",
        "lensmith-runtime",
        "-p",
        "effect-api",
        "--lib",
        "--",
    ];
    for test in SKIPPED_UNDER_QEMU {
        println!(
            "aarch64: SKIPPING {test}: under qemu-user a program that cannot be started \
             ends with exit status 127 instead of failing to spawn (qemu runs posix_spawn's \
             vfork as a fork, so the child's error never reaches the parent); the test \
             checks the message for the missing program, which a real ARM machine gives"
        );
        unit_tests.extend(["--skip", test]);
    }
    cargo_with_env(
        &unit_tests,
        cross,
        "unit tests failed on AArch64 (see above)",
    )
}

/// The ARM C host under memcheck, where apt can fetch ARM's valgrind (or has before);
/// otherwise a loud skip, or a failed check under `LENSMITH_REQUIRE_VALGRIND=1`.
fn memcheck_on_arm(
    builds: &Builds,
    target_cache: &Path,
    c_host_work: &Path,
    report: &mut Report,
) -> Result<()> {
    let kit_folder = target_cache.join("valgrind-kit");
    if kit_folder.is_dir() || memcheck::apt_knows_arm64() {
        let kit = memcheck::prepare(&kit_folder)?;
        return c_host::memcheck(builds, &kit, c_host_work, report);
    }
    let reason = "apt has no arm64 packages here to fetch valgrind:arm64 from \
                  (`dpkg --add-architecture arm64 && apt-get update` as root enables it; \
                  .ci/run does)";
    if std::env::var("LENSMITH_REQUIRE_VALGRIND").is_ok_and(|value| value == "1") {
        report.check(format!("memcheck on AArch64: {reason}"), false);
    } else {
        println!("aarch64: SKIPPING memcheck on ARM: {reason}");
    }
    Ok(())
}

/// What `cargo xtask test` leaves out on ARM to keep CI short: golden cases of bundles
/// with a student model that play more than one frame (a student takes about 3 s a frame
/// under emulation). Each such bundle's still photo is still drawn on ARM, the C host plays
/// a student there too, and the cases of moving faces are played by the bundles without one.
const CI_MAX_STUDENT_FRAMES: u64 = 1;
/// And golden cases of any bundle that play more than 240 frames, so that a long case added
/// later does not lengthen CI unseen. Every case of the bundles without a student fits:
/// never-blink's `franck-blinks` (224 frames, its blink trigger running the eye model on
/// both eyes) added 33 s to the ARM golden step on a 2-core machine (122 s against 89),
/// and the moving faces of the mask effects play up to 161 frames.
const CI_MAX_CASE_FRAMES: u64 = 240;

/// `cargo xtask test`'s part, after its own set-up: the check, with CI's case budget,
/// where the cross toolchain is installed; a loud skip where it is not, or a failure under
/// `LENSMITH_REQUIRE_AARCH64=1` (as CI sets it).
pub fn run_for_tests(clock: &mut PhaseClock) -> Result<()> {
    match toolchain_problem()? {
        None => check(
            &Aarch64Options {
                budget: cases::CaseBudget {
                    max_student_frames: Some(CI_MAX_STUDENT_FRAMES),
                    max_case_frames: Some(CI_MAX_CASE_FRAMES),
                },
            },
            clock,
        ),
        Some(problem) if std::env::var("LENSMITH_REQUIRE_AARCH64").is_ok_and(|v| v == "1") => {
            bail!("the AArch64 check is required here (LENSMITH_REQUIRE_AARCH64=1), but {problem}")
        }
        Some(problem) => {
            println!(
                "SKIPPING the AArch64 check (cross-build, golden tests and C host under \
                 qemu): {problem}"
            );
            Ok(())
        }
    }
}

/// Fails with what to install when the cross toolchain or qemu is missing.
fn require_toolchain() -> Result<()> {
    match toolchain_problem()? {
        Some(problem) => bail!("{problem}"),
        None => Ok(()),
    }
}

/// What is missing for the check, with how to install it; `None` when nothing is.
fn toolchain_problem() -> Result<Option<String>> {
    let sysroot = command_output(Command::new("rustc").args(["--print", "sysroot"]))?;
    let std_dir = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(AARCH64_TARGET);
    if !std_dir.is_dir() {
        return Ok(Some(format!(
            "Rust's standard library for {AARCH64_TARGET} is not installed ({} is missing): \
             run `rustup target add {AARCH64_TARGET}`",
            std_dir.display()
        )));
    }
    for (program, package) in [
        (CROSS_GCC, "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"),
        ("qemu-aarch64", "qemu-user"),
        ("unshare", "util-linux"),
        ("ffmpeg", "ffmpeg"),
    ] {
        if Command::new(program).arg("--version").output().is_err() {
            return Ok(Some(format!(
                "{program} is not installed: apt-get install {package}"
            )));
        }
    }
    Ok(None)
}

/// Runs `command` and returns its stdout, failing with its stderr.
pub fn command_output(command: &mut Command) -> Result<String> {
    let output = run_checked(command)?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `command`, failing with everything it printed unless it succeeds.
pub fn run_checked(command: &mut Command) -> Result<Output> {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .with_context(|| format!("could not run {shown}"))?;
    if !output.status.success() {
        bail!(
            "{shown} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}
