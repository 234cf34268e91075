//! `cargo xtask test` and `cargo xtask demo`: set up, then run cargo as CI and users do.

use std::process::Command;

use anyhow::{Result, bail};

/// Set-up, formatting, lints and the whole test suite, stopping at the first failure.
pub fn test() -> Result<()> {
    crate::setup::run()?;
    cargo(
        &["fmt", "--all", "--check"],
        "rustfmt found unformatted code: run `cargo fmt --all`",
    )?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        "clippy found problems (listed above)",
    )?;
    // Tests that need the cached models fail, rather than skip, when they are missing here.
    cargo_with_env(
        &["test", "--workspace"],
        &[("LENSMITH_REQUIRE_ASSETS", "1")],
        "tests failed (listed above)",
    )
}

/// Set-up, then the face pipeline on the sample photo.
pub fn demo() -> Result<()> {
    crate::setup::run()?;
    let photo = crate::paths::lensmith_home()?
        .join("data")
        .join("astronaut.png");
    let photo = photo.to_string_lossy().into_owned();
    cargo(
        &[
            "run",
            "--release",
            "--quiet",
            "--package",
            "lensmith-cli",
            "--",
            "detect",
            &photo,
        ],
        "the demo failed (see above)",
    )
}

fn cargo(args: &[&str], failure: &str) -> Result<()> {
    cargo_with_env(args, &[], failure)
}

fn cargo_with_env(args: &[&str], env: &[(&str, &str)], failure: &str) -> Result<()> {
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
