//! Building a native effect plugin with cargo and installing its library into a bundle:
//! the platform's file name for a manifest's `library` key, a cargo run that finds the
//! cdylib it built, and an atomic copy, so a host that hot-reloads the library never sees
//! half of one.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use effect_api::manifest::bundle_path_problem;
use serde::Deserialize;

use crate::atomic_file::PendingFile;

/// An operating system a plugin library is built for; each names shared libraries its
/// own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Linux: `libNAME.so`.
    Linux,
    /// Android: `libNAME.so`.
    Android,
    /// macOS: `libNAME.dylib`.
    MacOs,
    /// iOS: `libNAME.dylib`.
    Ios,
    /// Windows: `NAME.dll`.
    Windows,
}

impl Platform {
    /// Every platform, for tools that list or check a bundle's libraries for all of them.
    pub const ALL: [Platform; 5] = [
        Self::Linux,
        Self::Android,
        Self::MacOs,
        Self::Ios,
        Self::Windows,
    ];

    /// The platform this program was compiled for. Other Unix-likes (the BSDs) name
    /// shared libraries as Linux does, so they count as Linux.
    pub const fn current() -> Self {
        if cfg!(target_os = "windows") {
            Self::Windows
        } else if cfg!(target_os = "macos") {
            Self::MacOs
        } else if cfg!(target_os = "ios") {
            Self::Ios
        } else if cfg!(target_os = "android") {
            Self::Android
        } else {
            Self::Linux
        }
    }

    /// The name shown to users (`"Linux"`, `"macOS"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Linux => "Linux",
            Self::Android => "Android",
            Self::MacOs => "macOS",
            Self::Ios => "iOS",
            Self::Windows => "Windows",
        }
    }

    /// The first part of the folder its libraries go in (`"linux"`, `"macos"`, ...).
    pub const fn folder(self) -> &'static str {
        match self {
            Self::Linux => "linux",
            Self::Android => "android",
            Self::MacOs => "macos",
            Self::Ios => "ios",
            Self::Windows => "windows",
        }
    }

    /// What goes before the library's name in its file name (`"lib"` or nothing).
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Windows => "",
            _ => "lib",
        }
    }

    /// The shared library extension, without the dot (`"so"`, `"dylib"`, `"dll"`).
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Linux | Self::Android => "so",
            Self::MacOs | Self::Ios => "dylib",
            Self::Windows => "dll",
        }
    }

    /// The file name of the library called `name` (`never_blink` → `libnever_blink.so`).
    fn file_name(self, name: &str) -> String {
        format!("{}{name}.{}", self.prefix(), self.extension())
    }
}

/// A plugin layer's `library` key that names no usable library file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("plugin library key {key:?} {problem}")]
pub struct LibraryKeyError {
    /// The key as written in `effect.toml`.
    pub key: String,
    /// What is wrong with it and what to write instead.
    pub problem: String,
}

/// The bundle file, relative to the bundle's root with `/` between folders, that holds
/// the library a plugin layer names by `key` on `platform` and the CPU architecture
/// `arch` (as Rust names it: `x86_64`, `aarch64`, `arm`, ...): `plugins/never_blink` is
/// `plugins/linux-x86_64/libnever_blink.so` on 64-bit Intel Linux,
/// `plugins/android-aarch64/libnever_blink.so` on most phones,
/// `plugins/macos-aarch64/libnever_blink.dylib` and `plugins/windows-x86_64/never_blink.dll`.
/// One bundle can so carry a build for every device it targets.
///
/// A key is platform-neutral, so one that ends in a library extension is refused with
/// the key to write instead; so is one that leaves the bundle or is not a plain path.
pub fn library_file_name(
    key: &str,
    platform: Platform,
    arch: &str,
) -> Result<String, LibraryKeyError> {
    let refuse = |problem: String| LibraryKeyError {
        key: key.to_owned(),
        problem,
    };
    if let Some(problem) = bundle_path_problem(key) {
        return Err(refuse(problem.to_owned()));
    }
    let (folder, name) = match key.rsplit_once('/') {
        Some((folder, name)) => (Some(folder), name),
        None => (None, key),
    };
    if let Some((stem, extension)) = name.rsplit_once('.')
        && Platform::ALL
            .iter()
            .any(|platform| extension.eq_ignore_ascii_case(platform.extension()))
    {
        // `libglow.so` was most likely copied from a file name: suggest `glow`, since the
        // prefix is added back. A `.dll` never had one added.
        let bare = match stem.strip_prefix("lib") {
            Some(rest) if !rest.is_empty() && !extension.eq_ignore_ascii_case("dll") => rest,
            _ => stem,
        };
        let suggestion = match folder {
            Some(folder) => format!("{folder}/{bare}"),
            None => bare.to_owned(),
        };
        return Err(refuse(format!(
            "ends in the file extension `.{extension}`; write {suggestion:?} instead: the \
             prefix and extension are added for each platform (`lib….so`, `lib….dylib`, \
             `….dll`)"
        )));
    }
    let file = format!("{}-{arch}/{}", platform.folder(), platform.file_name(name));
    Ok(match folder {
        Some(folder) => format!("{folder}/{file}"),
        None => file,
    })
}

/// [`library_file_name`] for the platform and architecture this program runs on.
pub fn current_library_file_name(key: &str) -> Result<String, LibraryKeyError> {
    library_file_name(key, Platform::current(), std::env::consts::ARCH)
}

/// How to run `cargo build` for a plugin crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// Build with the release profile (`--release`), as a plugin that runs every frame
    /// should be.
    pub release: bool,
    /// Cargo features of the plugin crate to enable (`--features`).
    pub features: Vec<String>,
    /// Where cargo builds (`--target-dir`); cargo's own choice when `None`.
    pub target_dir: Option<PathBuf>,
    /// The cargo program; when `None`, `$CARGO` if set (as it is under cargo), else
    /// `cargo` from `PATH`.
    pub cargo: Option<PathBuf>,
}

impl BuildOptions {
    fn cargo_program(&self) -> PathBuf {
        self.cargo
            .clone()
            .or_else(|| std::env::var_os("CARGO").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("cargo"))
    }
}

/// The library a plugin crate's build produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPlugin {
    /// The library file in cargo's target folder.
    pub library: PathBuf,
    /// The crate's library target name (`never_blink` for a package `never-blink`): the
    /// last part of the `library` key of the layers that use it.
    pub lib_name: String,
}

/// Why a plugin could not be built or installed. Every message names the file and what
/// to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PluginBuildError {
    /// A layer's `library` key is unusable.
    #[error(transparent)]
    Key(#[from] LibraryKeyError),
    /// The crate folder has no `Cargo.toml`.
    #[error(
        "{} has no Cargo.toml: point at the plugin crate's folder (the one holding its \
         Cargo.toml)",
        crate_dir.display()
    )]
    NoManifest {
        /// The folder given.
        crate_dir: PathBuf,
    },
    /// The cargo program could not be found.
    #[error(
        "cargo was not found (tried to run {}): install Rust with rustup \
         (https://rustup.rs), or set the CARGO environment variable to the cargo program",
        cargo.display()
    )]
    CargoNotFound {
        /// The program that was tried.
        cargo: PathBuf,
    },
    /// Cargo ran and failed; its diagnostics went to stderr as they came.
    #[error(
        "building {} failed (cargo's {status}); cargo's messages above say why",
        manifest.display()
    )]
    BuildFailed {
        /// The crate's `Cargo.toml`.
        manifest: PathBuf,
        /// How cargo ended (`exit status: 101`, a signal, ...).
        status: String,
    },
    /// The crate built, but not as a C dynamic library.
    #[error(
        "{} builds no cdylib ({}); a plugin is loaded as a shared library: add \
         `[lib] crate-type = [\"cdylib\"]` to it",
        manifest.display(),
        describe_built(built)
    )]
    NoCdylib {
        /// The crate's `Cargo.toml`.
        manifest: PathBuf,
        /// What cargo built from that manifest: `` `name` (rlib) `` for each target.
        built: Vec<String>,
    },
    /// Cargo reported the cdylib, but none of its files is a shared library here.
    #[error(
        "cargo built the cdylib `{lib_name}` but listed no {expected} among its files \
         ({}); build it for this platform, without `--target`",
        files.iter().map(|file| file.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    LibraryMissing {
        /// The crate's library target name.
        lib_name: String,
        /// The file name looked for.
        expected: String,
        /// The files cargo listed.
        files: Vec<PathBuf>,
    },
    /// A file system or process operation failed.
    #[error("could not {action} {}: {message}", path.display())]
    Io {
        /// What was being done ("run", "create the folder", ...).
        action: &'static str,
        /// The file, folder or program.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The built library could not be copied into the bundle.
    #[error(
        "could not install {} as {}: {message}; check that the bundle folder is writable",
        from.display(),
        to.display()
    )]
    Install {
        /// The built library.
        from: PathBuf,
        /// The bundle file it was to replace.
        to: PathBuf,
        /// The operating system's message.
        message: String,
    },
}

fn describe_built(built: &[String]) -> String {
    if built.is_empty() {
        "cargo built nothing from it; if it is a workspace's manifest, point at the plugin \
         crate's own folder"
            .to_owned()
    } else {
        format!("it built {}", built.join(", "))
    }
}

impl PluginBuildError {
    fn io(action: &'static str, path: &Path, error: &std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            message: error.to_string(),
        }
    }
}

/// Builds the plugin crate in `crate_dir` with `cargo build` and returns the cdylib it
/// produced. Cargo's diagnostics go to this process's stderr as they come; its JSON
/// messages on stdout say where the library is.
pub fn build_plugin_crate(
    crate_dir: &Path,
    options: &BuildOptions,
) -> Result<BuiltPlugin, PluginBuildError> {
    let manifest = crate_dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(PluginBuildError::NoManifest {
            crate_dir: crate_dir.to_owned(),
        });
    }
    let cargo = options.cargo_program();
    let mut command = Command::new(&cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--message-format=json-render-diagnostics");
    if options.release {
        command.arg("--release");
    }
    if !options.features.is_empty() {
        command.arg("--features").arg(options.features.join(","));
    }
    if let Some(target_dir) = &options.target_dir {
        command.arg("--target-dir").arg(target_dir);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = command.spawn().map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => PluginBuildError::CargoNotFound {
            cargo: cargo.clone(),
        },
        _ => PluginBuildError::io("run", &cargo, &error),
    })?;
    // Invariant: stdout was set to `Stdio::piped()` just above, so the handle is there.
    let stdout = child.stdout.take().expect("cargo's stdout is piped");
    let mut artifacts = Vec::new();
    let mut read_error = None;
    for line in BufReader::new(stdout).lines() {
        match line {
            Ok(line) => artifacts.extend(parse_artifact(&line)),
            Err(error) => {
                read_error = Some(error);
                break;
            }
        }
    }
    // Waited for even after a read error, so cargo is never left behind unreaped.
    let status = child
        .wait()
        .map_err(|error| PluginBuildError::io("wait for", &cargo, &error))?;
    if !status.success() {
        return Err(PluginBuildError::BuildFailed {
            manifest,
            status: status.to_string(),
        });
    }
    if let Some(error) = read_error {
        return Err(PluginBuildError::io("read the output of", &cargo, &error));
    }
    select_plugin(&manifest, &artifacts, Platform::current())
}

/// One `compiler-artifact` message of cargo's JSON output, the parts used here.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Artifact {
    manifest_path: PathBuf,
    target: ArtifactTarget,
    #[serde(default)]
    filenames: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ArtifactTarget {
    name: String,
    #[serde(default)]
    crate_types: Vec<String>,
}

/// The artifact in one line of cargo's stdout, if the line is a `compiler-artifact`
/// message; every other message (and any line that is not JSON) is skipped.
fn parse_artifact(line: &str) -> Option<Artifact> {
    #[derive(Deserialize)]
    struct Reason<'a> {
        reason: &'a str,
    }
    let reason: Reason<'_> = serde_json::from_str(line).ok()?;
    if reason.reason != "compiler-artifact" {
        return None;
    }
    serde_json::from_str(line).ok()
}

/// The cdylib built from `manifest` among `artifacts`, and its library file for
/// `platform`.
fn select_plugin(
    manifest: &Path,
    artifacts: &[Artifact],
    platform: Platform,
) -> Result<BuiltPlugin, PluginBuildError> {
    let ours: Vec<&Artifact> = artifacts
        .iter()
        .filter(|artifact| same_file(&artifact.manifest_path, manifest))
        .collect();
    let Some(cdylib) = ours.iter().find(|artifact| {
        artifact
            .target
            .crate_types
            .iter()
            .any(|kind| kind == "cdylib")
    }) else {
        return Err(PluginBuildError::NoCdylib {
            manifest: manifest.to_owned(),
            built: ours
                .iter()
                .map(|artifact| {
                    format!(
                        "`{}` ({})",
                        artifact.target.name,
                        artifact.target.crate_types.join(", ")
                    )
                })
                .collect(),
        });
    };
    let expected = platform.file_name(&cdylib.target.name);
    let library = cdylib
        .filenames
        .iter()
        .find(|file| {
            file.file_name()
                .is_some_and(|name| name == expected.as_str())
        })
        .ok_or_else(|| PluginBuildError::LibraryMissing {
            lib_name: cdylib.target.name.clone(),
            expected: expected.clone(),
            files: cdylib.filenames.clone(),
        })?;
    Ok(BuiltPlugin {
        library: library.clone(),
        lib_name: cdylib.target.name.clone(),
    })
}

/// Whether two paths name one file: equal as written, or once symbolic links are
/// resolved (cargo may report `/private/tmp/...` for `/tmp/...`).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// Copies the library at `built` into `bundle_dir` under the file that `key` names on
/// this platform (see [`library_file_name`]), creating its folder if needed, and returns
/// that file's path.
///
/// The copy is written beside the target under a hidden temporary name, flushed to disk
/// and renamed over the old library, so a host watching the bundle sees either the old
/// library or the whole new one, never a partial file.
pub fn install_library(
    built: &Path,
    bundle_dir: &Path,
    key: &str,
) -> Result<PathBuf, PluginBuildError> {
    let relative = current_library_file_name(key)?;
    let destination = relative
        .split('/')
        .fold(bundle_dir.to_owned(), |path, part| path.join(part));
    if let Some(folder) = destination.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|error| PluginBuildError::io("create the folder", folder, &error))?;
    }
    let install_error = |error: std::io::Error| PluginBuildError::Install {
        from: built.to_owned(),
        to: destination.clone(),
        message: error.to_string(),
    };
    let pending = PendingFile::new(&destination);
    std::fs::copy(built, pending.temp()).map_err(install_error)?;
    pending.commit().map_err(install_error)?;
    Ok(destination)
}

#[cfg(test)]
mod tests;
