//! `cargo xtask setup`: makes every asset the lock lists for this host, verifying
//! what is already cached and redoing only what is missing or corrupt. With `--target`,
//! it also fills a cache for another CPU (`$LENSMITH_HOME/targets/<os>-<arch>`), taking
//! the files every host shares from this host's cache.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::archive::{parse_packed_index, read_member, unpack};
use crate::digest::{
    FileCheck, check_file, install_verified, temporary_sibling, verify_bytes, write_atomically,
};
use crate::lock::{Asset, AssetsLock, Recipe};

/// What a run of setup did.
#[derive(Debug, Default)]
pub struct SetupReport {
    /// Assets that were already present and verified.
    pub verified: usize,
    /// Assets made because they were missing.
    pub made: usize,
    /// Assets made again because their content was wrong.
    pub repaired: usize,
}

/// `cargo xtask setup` options.
#[derive(clap::Args, Debug, Default)]
pub struct SetupOptions {
    /// Also fill a cache for this Rust target's CPU, beside this host's (only
    /// `aarch64-unknown-linux-gnu` is pinned), for running its builds under qemu.
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
}

/// Runs `cargo xtask setup` with its options.
pub fn run_with_options(options: &SetupOptions) -> Result<()> {
    run()?;
    if let Some(triple) = &options.target {
        run_for_target(triple)?;
    }
    Ok(())
}

/// Runs setup into `$LENSMITH_HOME`.
pub fn run() -> Result<SetupReport> {
    let home = crate::paths::lensmith_home()?;
    let lock = AssetsLock::load(&crate::paths::xtask_dir().join("assets.lock"))?;
    let host = crate::paths::host();
    let place = CachePlace::host(&home, &host);
    let report = run_with(&lock, &place)?;
    report.print(&home);
    Ok(report)
}

/// Fills the cache of another Rust target (`aarch64-unknown-linux-gnu`) at
/// `$LENSMITH_HOME/targets/<os>-<arch>`, after this host's own: the files every host
/// shares are linked or copied from this host's cache, the rest (ONNX Runtime) made from
/// that target's pinned sources. Returns the target's cache folder.
pub fn run_for_target(triple: &str) -> Result<PathBuf> {
    let home = crate::paths::lensmith_home()?;
    let lock = AssetsLock::load(&crate::paths::xtask_dir().join("assets.lock"))?;
    let target_host = crate::paths::lock_host_of_target(triple)?;
    let cache = crate::paths::target_cache(&home, &target_host);
    let place = CachePlace {
        home: &cache,
        host: &target_host,
        downloads: home.join("downloads"),
        shared_from: Some(&home),
    };
    let report = run_with(&lock, &place)?;
    report.print(&cache);
    Ok(cache)
}

impl SetupReport {
    fn print(&self, home: &Path) {
        if self.made + self.repaired == 0 {
            println!(
                "setup: nothing to do: all {} assets are present and verified in {}",
                self.verified,
                home.display()
            );
        } else {
            println!(
                "setup: done in {}: {} made, {} repaired, {} already verified",
                home.display(),
                self.made,
                self.repaired,
                self.verified
            );
        }
    }
}

/// Which cache setup fills, for which host, and where it may take files from.
pub struct CachePlace<'a> {
    /// The cache folder (`lib/`, `models/`, `data/` inside).
    pub home: &'a Path,
    /// The host the cache is for, as `assets.lock` names hosts (`linux-aarch64`).
    pub host: &'a str,
    /// Where fetched packages are kept.
    pub downloads: PathBuf,
    /// Another host's cache whose verified copies of assets every host shares are
    /// linked or copied instead of being made again.
    pub shared_from: Option<&'a Path>,
}

impl<'a> CachePlace<'a> {
    /// This host's own cache, with its downloads inside.
    pub fn host(home: &'a Path, host: &'a str) -> Self {
        Self {
            home,
            host,
            downloads: home.join("downloads"),
            shared_from: None,
        }
    }
}

/// Runs setup for `place.host` into `place.home` with the given lock.
pub fn run_with(lock: &AssetsLock, place: &CachePlace<'_>) -> Result<SetupReport> {
    let (home, host) = (place.home, place.host);
    let assets: Vec<&Asset> = lock.assets_for(host).collect();
    if assets.is_empty() {
        bail!(
            "xtask/assets.lock lists no assets for this host ({host}); Lensmith's set-up is pinned for \
             linux-x86_64 and linux-aarch64"
        );
    }
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    let mut report = SetupReport::default();
    let mut converter: Option<PathBuf> = None;
    for asset in assets {
        let target = home.join(&asset.path);
        match check_file(&target, &asset.sha256)? {
            FileCheck::Verified => {
                report.verified += 1;
                continue;
            }
            FileCheck::Missing => {
                println!("{}: missing, making it", asset.path);
                report.made += 1;
            }
            FileCheck::Corrupt { found } => {
                println!(
                    "{}: corrupt (sha256 {found}, expected {}), making it again",
                    asset.path, asset.sha256
                );
                report.repaired += 1;
            }
        }
        if asset.hosts.is_none()
            && let Some(shared) = place.shared_from
            && take_shared_copy(&shared.join(&asset.path), &target, &asset.sha256)?
        {
            continue;
        }
        make_asset(lock, asset, place, &mut converter)
            .with_context(|| format!("making {}", target.display()))?;
    }
    Ok(report)
}

/// Hard-links (or, across file systems, copies) `shared` to `target` when it holds the
/// pinned content; returns whether it did.
fn take_shared_copy(shared: &Path, target: &Path, sha256: &str) -> Result<bool> {
    if check_file(shared, sha256)? != FileCheck::Verified {
        return Ok(false);
    }
    let scratch = temporary_sibling(target);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let _ = std::fs::remove_file(&scratch);
    if std::fs::hard_link(shared, &scratch).is_err() {
        std::fs::copy(shared, &scratch)
            .with_context(|| format!("copying {} to {}", shared.display(), scratch.display()))?;
    }
    let result = install_verified(
        &scratch,
        target,
        sha256,
        "The host's verified copy changed while it was being taken; run setup again.",
    );
    let _ = std::fs::remove_file(&scratch);
    result.map(|()| true)
}

fn make_asset(
    lock: &AssetsLock,
    asset: &Asset,
    place: &CachePlace<'_>,
    converter: &mut Option<PathBuf>,
) -> Result<()> {
    let (home, host, downloads) = (place.home, place.host, &place.downloads);
    let target = home.join(&asset.path);
    let fix = "The pinned inputs produced other content than xtask/assets.lock expects. \
               Delete $LENSMITH_HOME/downloads and run `cargo xtask setup` again; if it persists, \
               the lock is out of date with its sources.";
    match &asset.recipe {
        Recipe::Member { source, member } => {
            let archive = crate::fetch::ensure_source(source_for(lock, source, host)?, downloads)?;
            let bytes = read_member(&archive, member)?;
            verify_bytes(
                &bytes,
                &asset.sha256,
                &format!("`{member}` in {}", archive.display()),
                fix,
            )?;
            write_atomically(&target, &bytes)
        }
        Recipe::Packed {
            source,
            data,
            index,
            packed_name,
        } => {
            let archive = crate::fetch::ensure_source(source_for(lock, source, host)?, downloads)?;
            let loader = String::from_utf8(read_member(&archive, index)?)
                .with_context(|| format!("`{index}` in {} is not UTF-8 text", archive.display()))?;
            let listing =
                parse_packed_index(&loader).with_context(|| format!("reading `{index}`"))?;
            let packed = read_member(&archive, data)?;
            let bytes = unpack(&packed, &listing, packed_name)
                .with_context(|| format!("unpacking `{data}`"))?;
            verify_bytes(
                bytes,
                &asset.sha256,
                &format!("`{packed_name}` in {}", archive.display()),
                fix,
            )?;
            write_atomically(&target, bytes)
        }
        Recipe::TfliteToOnnx {
            input,
            opset,
            densify,
        } => {
            let python = converter_python(converter, home)?;
            let scratch = temporary_sibling(&target);
            let steps = crate::convert::Conversion {
                opset: *opset,
                densify: *densify,
            };
            let result = crate::convert::tflite_to_onnx(&python, &home.join(input), steps, &scratch).and_then(|()| {
                install_verified(
                    &scratch,
                    &target,
                    &asset.sha256,
                    "The converted model differs from the one xtask/assets.lock pins. Delete \
                     $LENSMITH_HOME/tools/converter so that the pinned converter is installed afresh, \
                     and run `cargo xtask setup` again.",
                )
            });
            let _ = std::fs::remove_file(&scratch);
            result
        }
        Recipe::Repository { file } => {
            let source = crate::paths::workspace_root().join(file);
            let bytes = std::fs::read(&source)
                .with_context(|| format!("reading {} from the repository", source.display()))?;
            verify_bytes(
                &bytes,
                &asset.sha256,
                &source.display().to_string(),
                "The repository's file differs from the one xtask/assets.lock pins. If it was \
                 retrained on purpose, pin its new sha256 in the lock; otherwise restore it with \
                 `git checkout`.",
            )?;
            write_atomically(&target, &bytes)
        }
        Recipe::Generated { script, args } => {
            let python = converter_python(converter, home)?;
            let scratch = temporary_sibling(&target);
            let result = crate::convert::generate(&python, script, args, &scratch).and_then(|()| {
                install_verified(
                    &scratch,
                    &target,
                    &asset.sha256,
                    &format!(
                        "xtask/python/{script} wrote other bytes than xtask/assets.lock pins. If the \
                         script was changed on purpose, pin the new sha256 in the lock; otherwise \
                         delete $LENSMITH_HOME/tools/converter so that its pinned packages are \
                         installed afresh, and run `cargo xtask setup` again."
                    ),
                )
            });
            let _ = std::fs::remove_file(&scratch);
            result
        }
    }
}

/// The converter virtualenv's Python, installed on first use and then reused for the run.
fn converter_python(converter: &mut Option<PathBuf>, home: &Path) -> Result<PathBuf> {
    Ok(match converter {
        Some(python) => python.clone(),
        None => converter
            .insert(crate::python_env::CONVERTER.ensure(home)?)
            .clone(),
    })
}

fn source_for<'a>(lock: &'a AssetsLock, name: &str, host: &str) -> Result<&'a crate::lock::Source> {
    match lock.source(name) {
        Some(source) if source.is_for_host(host) => Ok(source),
        Some(_) => {
            bail!("source `{name}` is not pinned for this host ({host}) in xtask/assets.lock")
        }
        None => bail!("source `{name}` is not listed in xtask/assets.lock"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_bytes;

    #[test]
    fn a_shared_copy_is_taken_only_when_it_holds_the_pinned_content() {
        let folder = std::env::temp_dir().join(format!("xtask-shared-copy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let shared = folder.join("host/models/a.onnx");
        std::fs::create_dir_all(shared.parent().unwrap()).unwrap();
        std::fs::write(&shared, b"model").unwrap();
        let target = folder.join("targets/linux-aarch64/models/a.onnx");

        let wrong = sha256_bytes(b"other");
        assert!(!take_shared_copy(&shared, &target, &wrong).unwrap());
        assert!(!target.exists());
        assert!(!take_shared_copy(&folder.join("missing"), &target, &wrong).unwrap());

        assert!(take_shared_copy(&shared, &target, &sha256_bytes(b"model")).unwrap());
        assert_eq!(std::fs::read(&target).unwrap(), b"model");
        let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "scratch files were left: {leftovers:?}");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
