//! Valgrind's memcheck for AArch64, run under qemu-user on the ARM C host.
//!
//! Debian's `valgrind:arm64` runs under emulation once its tool (`memcheck-arm64-linux`)
//! is started directly (the `valgrind` launcher would exec an ARM program, which only a
//! binfmt registration lets the kernel do) and once the guest's dynamic loader has its
//! symbols, which Debian keeps in `libc6-dbg`. The cross toolchain's C library is another
//! build than the one `libc6-dbg` describes, so the programs run here on a sysroot of
//! Debian's own `libc6:arm64` (with `libc6-dbg:arm64`) and the cross toolchain's C++
//! runtime, which ONNX Runtime needs. The packages come from the Debian archive through
//! apt, which checks their signatures, and are unpacked into the AArch64 cache.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::command_output;
use super::run_checked;

/// The Debian packages unpacked into the kit.
const PACKAGES: [&str; 3] = ["valgrind:arm64", "libc6:arm64", "libc6-dbg:arm64"];
/// The cross toolchain's libraries copied into the sysroot (ONNX Runtime is C++).
const CROSS_LIBRARIES: [&str; 2] = ["libstdc++.so.6", "libgcc_s.so.1"];
/// Where Debian's cross toolchain keeps its AArch64 libraries.
const CROSS_LIBRARY_FOLDER: &str = "/usr/aarch64-linux-gnu/lib";

/// An unpacked ARM valgrind and the sysroot its programs run on.
pub struct MemcheckKit {
    /// The unpacked `valgrind:arm64` (`usr/libexec/valgrind/` inside).
    valgrind: PathBuf,
    /// The guest's root for qemu's `-L`.
    pub sysroot: PathBuf,
    /// The package versions, for the report.
    pub versions: String,
}

/// Whether apt can fetch arm64 packages here (`dpkg --add-architecture arm64` and an
/// `apt-get update` since).
pub fn apt_knows_arm64() -> bool {
    Command::new("dpkg")
        .arg("--print-foreign-architectures")
        .output()
        .is_ok_and(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .any(|line| line == "arm64")
        })
}

/// The kit in `folder`, unpacked from Debian's packages on first use.
pub fn prepare(folder: &Path) -> Result<MemcheckKit> {
    let kit = MemcheckKit {
        valgrind: folder.join("valgrind"),
        sysroot: folder.join("sysroot"),
        versions: String::new(),
    };
    let versions_file = folder.join("versions.txt");
    if let Ok(versions) = std::fs::read_to_string(&versions_file) {
        return Ok(MemcheckKit { versions, ..kit });
    }
    if !apt_knows_arm64() {
        bail!(
            "apt has no arm64 packages here, so valgrind:arm64 cannot be fetched: run \
             `dpkg --add-architecture arm64 && apt-get update` as root (.ci/run does)"
        );
    }
    let scratch = folder.with_extension("partial");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)
            .with_context(|| format!("clearing {}", scratch.display()))?;
    }
    let downloads = scratch.join("debs");
    std::fs::create_dir_all(&downloads)
        .with_context(|| format!("creating {}", downloads.display()))?;
    println!("aarch64: fetching {} with apt", PACKAGES.join(", "));
    run_checked(
        Command::new("apt-get")
            .arg("download")
            .args(PACKAGES)
            .current_dir(&downloads),
    )?;
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(&downloads)? {
        let deb = entry?.path();
        let name = deb
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let unpack_into = if name.starts_with("valgrind_") {
            "valgrind"
        } else {
            "sysroot"
        };
        run_checked(
            Command::new("dpkg-deb")
                .arg("-x")
                .arg(&deb)
                .arg(scratch.join(unpack_into)),
        )?;
        let version = command_output(
            Command::new("dpkg-deb")
                .args(["-f"])
                .arg(&deb)
                .args(["Package", "Version"]),
        )?;
        versions.push(
            version
                .split_whitespace()
                .filter(|word| !word.ends_with(':'))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    let multiarch = scratch.join("sysroot/lib/aarch64-linux-gnu");
    for library in CROSS_LIBRARIES {
        let from = Path::new(CROSS_LIBRARY_FOLDER).join(library);
        std::fs::copy(&from, multiarch.join(library))
            .with_context(|| format!("copying {} into the sysroot", from.display()))?;
    }
    versions.sort();
    let versions = versions.join(", ");
    std::fs::write(scratch.join("versions.txt"), &versions)?;
    if folder.exists() {
        std::fs::remove_dir_all(folder)
            .with_context(|| format!("clearing {}", folder.display()))?;
    }
    std::fs::rename(&scratch, folder)
        .with_context(|| format!("moving {} to {}", scratch.display(), folder.display()))?;
    Ok(MemcheckKit { versions, ..kit })
}

impl MemcheckKit {
    /// `runner`'s command that runs the ARM `program` under memcheck, failing (exit 97)
    /// on any invalid access or definite or indirect leak, with `suppressions`.
    pub fn command(&self, runner: &Path, program: &Path, suppressions: &Path) -> Command {
        let libexec = self.valgrind.join("usr/libexec/valgrind");
        let mut command = Command::new(runner);
        command
            .env("LENSMITH_AARCH64_SYSROOT", &self.sysroot)
            .env("VALGRIND_LIB", &libexec)
            .env("VALGRIND_LAUNCHER", self.valgrind.join("usr/bin/valgrind"))
            .env("RUST_BACKTRACE", "0")
            .arg(libexec.join("memcheck-arm64-linux"))
            .arg(format!("--suppressions={}", suppressions.display()))
            .args([
                "--error-exitcode=97",
                "--leak-check=full",
                "--show-leak-kinds=definite,indirect",
                "--errors-for-leak-kinds=definite,indirect",
            ])
            .arg(program);
        command
    }
}
