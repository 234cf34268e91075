//! Fetching pinned sources with the registries' own clients (`pip download`, `npm pack`)
//! into `$LENSMITH_HOME/downloads`, verified against the lock before anything uses them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::digest::{FileCheck, check_file, install_verified};
use crate::lock::{Registry, Source};

/// Makes sure `source` is in `downloads` with the pinned sha256 and returns its path.
/// A cached copy that fails the check is fetched again.
pub fn ensure_source(source: &Source, downloads: &Path) -> Result<PathBuf> {
    let target = downloads.join(&source.file);
    match check_file(&target, &source.sha256)? {
        FileCheck::Verified => return Ok(target),
        FileCheck::Missing => println!(
            "  fetching {} {} ({})",
            source.package, source.version, source.file
        ),
        FileCheck::Corrupt { found } => println!(
            "  cached {} is corrupt (sha256 {found}, expected {}): fetching it again",
            target.display(),
            source.sha256
        ),
    }
    let scratch = downloads.join(format!(".fetch-{}-{}", source.name, std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let result = fetch_into(source, &scratch).and_then(|()| {
        let fetched = scratch.join(&source.file);
        if !fetched.exists() {
            bail!(
                "{} {} was fetched but `{}` is not among the files saved in {}; the registry may serve \
                 a differently named file now: check xtask/assets.lock",
                source.package,
                source.version,
                source.file,
                scratch.display()
            );
        }
        let fix = format!(
            "The registry served {} {} with other content than xtask/assets.lock pins. \
             Do not edit the lock to match unless you trust the new file; check the package's \
             release page, then update `sha256` of source `{}`.",
            source.package, source.version, source.name
        );
        install_verified(&fetched, &target, &source.sha256, &fix)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result.with_context(|| {
        format!(
            "fetching source `{}` ({} {})",
            source.name, source.package, source.version
        )
    })?;
    Ok(target)
}

fn fetch_into(source: &Source, folder: &Path) -> Result<()> {
    match source.registry {
        Registry::Pypi => pip_download(source, folder),
        Registry::Npm => npm_pack(source, folder),
    }
}

fn pip_download(source: &Source, folder: &Path) -> Result<()> {
    let (Some(platform), Some(python_version)) = (&source.pip_platform, &source.python_version)
    else {
        bail!(
            "PyPI source `{}` needs pip_platform and python_version in xtask/assets.lock",
            source.name
        );
    };
    let python = crate::python_env::host_python()?;
    let mut command = Command::new(&python);
    command
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
        ])
        .args([
            "--platform",
            platform,
            "--python-version",
            python_version,
            "--implementation",
            "cp",
        ])
        .arg("--dest")
        .arg(folder)
        .arg(format!("{}=={}", source.package, source.version))
        // Local wheel folders configured for pip must not stand in for the registry.
        .env_remove("PIP_FIND_LINKS")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    run_tool(
        &mut command,
        &format!("{python} -m pip download"),
        "Debian: apt-get install python3-pip",
    )
}

fn npm_pack(source: &Source, folder: &Path) -> Result<()> {
    let mut command = Command::new("npm");
    command
        .args(["pack", "--silent", "--pack-destination"])
        .arg(folder)
        .arg(format!("{}@{}", source.package, source.version))
        .current_dir(folder);
    run_tool(&mut command, "npm pack", "Debian: apt-get install npm")
}

/// Runs an external tool, turning "not installed" and failures into errors that say what to do.
pub fn run_tool(command: &mut Command, what: &str, install_hint: &str) -> Result<()> {
    let output = match command.output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            bail!(
                "`{what}` is needed but `{}` is not installed ({install_hint})",
                command.get_program().to_string_lossy()
            )
        }
        Err(error) => return Err(error).with_context(|| format!("starting `{what}`")),
    };
    if !output.status.success() {
        bail!(
            "`{what}` failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
