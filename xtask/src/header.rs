//! `cargo xtask header`: writes the C API's header, runtime/capi/include/lensmith.h, from
//! the `lensmith-capi` crate with cbindgen; `--check` (run by `cargo xtask test`) fails
//! when the checked-in header no longer matches the code.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Options of `cargo xtask header`.
#[derive(clap::Args)]
pub struct HeaderOptions {
    /// Compare instead of writing: fail if the checked-in header is stale.
    #[arg(long)]
    check: bool,
}

impl HeaderOptions {
    /// `--check`.
    pub fn checking() -> Self {
        Self { check: true }
    }
}

/// The C API crate.
fn crate_dir() -> PathBuf {
    crate::paths::workspace_root().join("runtime").join("capi")
}

/// The checked-in header.
pub fn header_path() -> PathBuf {
    crate_dir().join("include").join("lensmith.h")
}

/// The header the code gives now.
fn generate(crate_dir: &Path) -> Result<Vec<u8>> {
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .context("cbindgen could not read the C API crate")?;
    let mut bytes = Vec::new();
    bindings.write(&mut bytes);
    Ok(bytes)
}

/// Writes the header, or with `--check` compares it.
pub fn run(options: &HeaderOptions) -> Result<()> {
    let fresh = generate(&crate_dir())?;
    let path = header_path();
    if options.check {
        return check(&path, &fresh);
    }
    let pending = path.with_extension("h.partial");
    std::fs::write(&pending, &fresh)
        .with_context(|| format!("could not write {}", pending.display()))?;
    std::fs::rename(&pending, &path)
        .with_context(|| format!("could not replace {}", path.display()))?;
    println!("wrote {} ({} bytes)", path.display(), fresh.len());
    Ok(())
}

/// Fails unless `path` holds exactly `fresh`.
fn check(path: &Path, fresh: &[u8]) -> Result<()> {
    let current = std::fs::read(path).unwrap_or_default();
    if current != fresh {
        let first_difference = current
            .split(|&byte| byte == b'\n')
            .zip(fresh.split(|&byte| byte == b'\n'))
            .position(|(old, new)| old != new)
            .map_or_else(
                || "one is longer".to_owned(),
                |line| format!("first at line {}", line + 1),
            );
        bail!(
            "{} is stale: the C API changed ({first_difference}); run `cargo xtask header` and \
             commit the header",
            path.display()
        );
    }
    println!("{} matches the C API", path.display());
    Ok(())
}
