//! The shipped effects' golden tests on ARM: each bundle is copied once per CPU (with its
//! plugin built for that CPU where it has one) and checked against the committed frames
//! on both, keeping the frames drawn (`lensmith test --keep-frames`), which are then
//! compared frame by frame.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use anyhow::{Context, Result};

use super::cases::{CaseBudget, chosen_cases};
use super::compare::png_difference;
use super::report::Report;
use super::{Builds, run_checked};

/// Every bundle under `effects` with golden tests (`tests/golden.toml`), by name.
pub fn shipped_bundles_with_tests(effects: &Path) -> Result<Vec<PathBuf>> {
    let mut bundles = Vec::new();
    for entry in
        std::fs::read_dir(effects).with_context(|| format!("listing {}", effects.display()))?
    {
        let path = entry?.path();
        if path.join("tests/golden.toml").is_file() {
            bundles.push(path);
        }
    }
    bundles.sort();
    Ok(bundles)
}

/// The CPUs a bundle is drawn on: its plugin folder and the build folder its plugin
/// library comes from.
struct Cpu<'a> {
    name: &'static str,
    plugin_folder: &'static str,
    build: &'a Path,
}

/// One bundle's two copies and where each CPU keeps its frames.
struct Prepared {
    name: String,
    cases: Vec<String>,
    arm_copy: PathBuf,
    host_copy: PathBuf,
    arm_frames: PathBuf,
    host_frames: PathBuf,
}

/// Checks every bundle's golden tests on ARM (two at a time: each run is one emulated
/// thread) and on this host, then compares every golden frame across the CPUs. Cases that
/// play more frames than `budget` allows are left out, loudly.
pub fn compare_bundles(
    builds: &Builds,
    bundles: &[PathBuf],
    budget: CaseBudget,
    work: &Path,
    report: &mut Report,
) -> Result<()> {
    let arm = Cpu {
        name: "aarch64",
        plugin_folder: "linux-aarch64",
        build: &builds.arm,
    };
    let host = Cpu {
        name: "x86_64",
        plugin_folder: "linux-x86_64",
        build: &builds.host,
    };
    let mut prepared = Vec::new();
    for bundle in bundles {
        let name = bundle
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = work.join(&name);
        let (cases, left_out) = chosen_cases(bundle, budget)?;
        for case in &left_out {
            println!(
                "aarch64: SKIPPING golden case {name}/{case} on ARM: over the case budget \
                 ({}; under emulation a student model takes about 3 s a frame); \
                 `cargo xtask aarch64` without it plays every case",
                budget.options()
            );
            report.left_out(format!("{name}/{case}"));
        }
        if cases.is_empty() {
            // `lensmith test` without `--case` would play every case.
            continue;
        }
        prepared.push(Prepared {
            cases,
            arm_copy: prepare_copy(bundle, &folder, &arm)?,
            host_copy: prepare_copy(bundle, &folder, &host)?,
            arm_frames: folder.join("aarch64-frames"),
            host_frames: folder.join("x86_64-frames"),
            name,
        });
    }
    println!(
        "aarch64: golden tests of {} on ARM, two at a time",
        prepared
            .iter()
            .map(|bundle| bundle.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let commands = prepared
        .iter()
        .map(|bundle| {
            let mut command = builds.arm_lensmith();
            command
                .arg("test")
                .arg("--keep-frames")
                .arg(&bundle.arm_frames)
                .arg(&bundle.arm_copy)
                .args(case_arguments(&bundle.cases));
            command
        })
        .collect();
    let arm_runs = run_all(commands, 2);
    for (bundle, run) in prepared.iter().zip(arm_runs) {
        println!("aarch64: {}:", bundle.name);
        let passed = match run {
            Ok(output) => {
                print!("{}", String::from_utf8_lossy(&output.stdout));
                eprint!("{}", String::from_utf8_lossy(&output.stderr));
                output.status.success()
            }
            Err(error) => {
                eprintln!("could not run lensmith under qemu: {error}");
                false
            }
        };
        report.check(
            format!(
                "`lensmith test effects/{}` passes on AArch64 against the committed frames \
                 ({})",
                bundle.name,
                bundle.cases.join(", ")
            ),
            passed,
        );
    }
    for bundle in &prepared {
        run_checked(
            builds
                .host_lensmith()
                .arg("test")
                .arg("--keep-frames")
                .arg(&bundle.host_frames)
                .arg(&bundle.host_copy)
                .args(case_arguments(&bundle.cases)),
        )?;
        compare_frames(bundle, report)?;
    }
    Ok(())
}

/// `lensmith test`'s arguments choosing `cases`.
fn case_arguments(cases: &[String]) -> Vec<&str> {
    cases
        .iter()
        .flat_map(|case| ["--case", case.as_str()])
        .collect()
}

/// Runs `commands`, at most `workers` at once, and returns their outputs in order.
fn run_all(commands: Vec<Command>, workers: usize) -> Vec<std::io::Result<Output>> {
    let queue = Mutex::new(commands.into_iter().enumerate());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut queue| queue.next());
                    let Ok(Some((index, mut command))) = next else {
                        break;
                    };
                    let output = command.output();
                    if let Ok(mut results) = results.lock() {
                        results.push((index, output));
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, output)| output).collect()
}

/// Adds every frame the host kept, against ARM's, to the report.
fn compare_frames(bundle: &Prepared, report: &mut Report) -> Result<()> {
    for frame in png_files(&bundle.host_frames)? {
        let relative = frame.strip_prefix(&bundle.host_frames).unwrap_or(&frame);
        let difference = png_difference(&bundle.arm_frames.join(relative), &frame)?;
        let case = relative
            .parent()
            .map(|case| case.display().to_string())
            .unwrap_or_default();
        let file = relative
            .file_name()
            .map(|file| file.to_string_lossy().into_owned())
            .unwrap_or_default();
        report.frame(&format!("{} golden {case}", bundle.name), file, difference);
    }
    Ok(())
}

/// Copies `bundle` into `work/<cpu>` and installs its plugin built for that CPU, where
/// `effects/<bundle>-plugin` is its plugin crate.
fn prepare_copy(bundle: &Path, work: &Path, cpu: &Cpu<'_>) -> Result<PathBuf> {
    let copy = work.join(cpu.name);
    copy_folder(bundle, &copy)?;
    let mut crate_name = bundle.as_os_str().to_owned();
    crate_name.push("-plugin");
    let plugin_crate = PathBuf::from(crate_name);
    if plugin_crate.join("Cargo.toml").is_file() {
        let library = format!("lib{}.so", library_name(&plugin_crate)?);
        let destination = copy.join("plugins").join(cpu.plugin_folder).join(&library);
        std::fs::create_dir_all(destination.parent().unwrap_or(&copy))?;
        std::fs::copy(cpu.build.join(&library), &destination).with_context(|| {
            format!(
                "installing {} built for {} into {}",
                library,
                cpu.name,
                destination.display()
            )
        })?;
    }
    Ok(copy)
}

/// The `[lib] name` of a plugin crate.
fn library_name(plugin_crate: &Path) -> Result<String> {
    let manifest = plugin_crate.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    table
        .get("lib")
        .and_then(|lib| lib.get("name"))
        .and_then(|name| name.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no [lib] name", manifest.display()))
}

/// Copies a folder's files and subfolders (not the failure pictures of earlier runs).
fn copy_folder(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("listing {}", from.display()))? {
        let entry = entry?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if path.ends_with("tests/report") {
                continue;
            }
            copy_folder(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)
                .with_context(|| format!("copying {} to {}", path.display(), target.display()))?;
        }
    }
    Ok(())
}

/// Every `.png` under `folder`, sorted.
fn png_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("listing {}", folder.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(png_files(&path)?);
        } else if path.extension().is_some_and(|extension| extension == "png") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
