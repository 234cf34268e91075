//! Where things live: the workspace root and the asset cache (`$LENSMITH_HOME`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The workspace root (the folder above `xtask/`).
pub fn workspace_root() -> PathBuf {
    let xtask_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().map(PathBuf::from).unwrap_or(xtask_dir)
}

/// The folder holding `assets.lock` and the converter's requirements.
pub fn xtask_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The asset cache: `$LENSMITH_HOME`, else `~/.cache/lensmith`.
///
/// The same rule is implemented by `lensmith_runtime::models::cache_dir`; xtask keeps its
/// own copy so that it builds without compiling the runtime.
pub fn lensmith_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("LENSMITH_HOME").filter(|value| !value.is_empty()) {
        let home = PathBuf::from(home);
        if home.is_relative() {
            let cwd = std::env::current_dir().context("reading the current directory")?;
            return Ok(cwd.join(home));
        }
        return Ok(home);
    }
    match std::env::var_os("HOME").filter(|value| !value.is_empty()) {
        Some(user_home) => Ok(PathBuf::from(user_home).join(".cache").join("lensmith")),
        None => bail!(
            "neither LENSMITH_HOME nor HOME is set: set LENSMITH_HOME to the folder Lensmith may cache its models in"
        ),
    }
}

/// The name this host goes by in `assets.lock`: `<os>-<arch>` as Rust spells them.
pub fn host() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

/// The Rust target whose builds `cargo xtask aarch64` runs under qemu.
pub const AARCH64_TARGET: &str = "aarch64-unknown-linux-gnu";

/// The `assets.lock` host name of a Rust target triple that set-up can fill a cache for.
pub fn lock_host_of_target(triple: &str) -> Result<String> {
    match triple {
        AARCH64_TARGET => Ok("linux-aarch64".to_owned()),
        "x86_64-unknown-linux-gnu" => Ok("linux-x86_64".to_owned()),
        other => bail!(
            "--target {other}: set-up pins ONNX Runtime for {AARCH64_TARGET} and \
             x86_64-unknown-linux-gnu only"
        ),
    }
}

/// The cache of another host's files inside `home`: `targets/<host>`, which
/// `xtask/aarch64/run` gives the programs it runs as their `$LENSMITH_HOME`.
pub fn target_cache(home: &Path, lock_host: &str) -> PathBuf {
    home.join("targets").join(lock_host)
}
