//! What a machine needs besides Rust to run `cargo xtask test`: one list, one probe per
//! item, each looking for exactly the file, library or program the tests use.
//!
//! `.ci/run` asks this list which Debian packages to install
//! (`cargo xtask prerequisites --missing-debian-packages`) and `cargo xtask test` checks the
//! same list before it builds, so the two cannot disagree about what "installed" means.
//! Items needed only by tests that may skip (ffmpeg, valgrind, a Vulkan driver, a display)
//! count as missing only where their `LENSMITH_REQUIRE_*` variable is `1`, as CI sets them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};

/// `cargo xtask prerequisites`: list what is missing.
#[derive(clap::Args)]
pub struct PrerequisiteOptions {
    /// Print only the Debian packages that would install what is missing, one a line
    /// (nothing when all is there), for `apt-get install`.
    #[arg(long)]
    missing_debian_packages: bool,
}

/// How to tell that a prerequisite is there.
enum Probe {
    /// The program runs and exits with success given these arguments.
    Runs(&'static str, &'static [&'static str]),
    /// `python3` runs this code with success.
    Python(&'static str),
    /// An interpreter imports PyTorch and numpy < 2 (the distillation tools' own rule).
    Torch,
    /// This C compiler links a program against its C library.
    CLinks(&'static str),
    /// The dynamic loader's cache lists this exact soname for this machine's architecture.
    SharedLibrary(&'static str),
    /// Mesa's software Vulkan driver (lavapipe) is registered for this architecture.
    Lavapipe,
    /// libclang itself (`libclang.so…` or `libclang-N.so…`) where clang-sys looks for it;
    /// `libclang-cpp.so…`, the C++ interface that Debian images often ship alone, is not it.
    Libclang,
}

/// When a prerequisite counts.
enum Need {
    /// `cargo xtask test` cannot run without it.
    Always,
    /// Only when this environment variable is `1`: without it the tests that use it skip.
    WhenRequired(&'static str),
}

struct Prerequisite {
    what: &'static str,
    probe: Probe,
    need: Need,
    debian_packages: &'static [&'static str],
}

const PREREQUISITES: &[Prerequisite] = &[
    Prerequisite {
        what: "Python 3 (set-up's converter and the distillation tools)",
        probe: Probe::Runs("python3", &["--version"]),
        need: Need::Always,
        debian_packages: &["python3"],
    },
    Prerequisite {
        what: "Python's venv and ensurepip (set-up's private virtualenvs)",
        probe: Probe::Python("import venv, ensurepip"),
        need: Need::Always,
        debian_packages: &["python3-venv"],
    },
    Prerequisite {
        what: "pip (set-up downloads the ONNX Runtime wheel with it)",
        probe: Probe::Runs("python3", &["-m", "pip", "--version"]),
        need: Need::Always,
        debian_packages: &["python3-pip"],
    },
    Prerequisite {
        what: "npm (set-up fetches MediaPipe's face models with it)",
        probe: Probe::Runs("npm", &["--version"]),
        need: Need::Always,
        debian_packages: &["npm"],
    },
    Prerequisite {
        what: "PyTorch with numpy < 2 (the distillation tools' tests)",
        probe: Probe::Torch,
        need: Need::Always,
        debian_packages: &["python3-torch"],
    },
    Prerequisite {
        what: "a C compiler that links (the C host and plugin tests)",
        probe: Probe::CLinks("cc"),
        need: Need::Always,
        debian_packages: &["gcc", "libc6-dev"],
    },
    Prerequisite {
        what: "a C compiler for AArch64 Linux that links (`cargo xtask aarch64`'s cross linker)",
        probe: Probe::CLinks("aarch64-linux-gnu-gcc"),
        need: Need::WhenRequired("LENSMITH_REQUIRE_AARCH64"),
        debian_packages: &["gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"],
    },
    Prerequisite {
        what: "qemu-user (`cargo xtask aarch64` runs the AArch64 builds under it)",
        probe: Probe::Runs("qemu-aarch64", &["--version"]),
        need: Need::WhenRequired("LENSMITH_REQUIRE_AARCH64"),
        debian_packages: &["qemu-user"],
    },
    Prerequisite {
        what: "libclang (bindgen, for the studio's camera capture that the tests build)",
        probe: Probe::Libclang,
        need: Need::Always,
        debian_packages: &["libclang-dev"],
    },
    Prerequisite {
        what: "ffmpeg (the video tests)",
        probe: Probe::Runs("ffmpeg", &["-version"]),
        need: Need::WhenRequired("LENSMITH_REQUIRE_FFMPEG"),
        debian_packages: &["ffmpeg"],
    },
    Prerequisite {
        what: "valgrind (the memcheck tests)",
        probe: Probe::Runs("valgrind", &["--version"]),
        need: Need::WhenRequired("LENSMITH_REQUIRE_VALGRIND"),
        debian_packages: &["valgrind"],
    },
    Prerequisite {
        what: "Mesa's software Vulkan driver, lavapipe (the GPU renderer's tests)",
        probe: Probe::Lavapipe,
        need: Need::WhenRequired("LENSMITH_REQUIRE_GPU"),
        debian_packages: &["mesa-vulkan-drivers"],
    },
    Prerequisite {
        what: "the Vulkan loader libvulkan.so.1 (the GPU renderer's tests)",
        probe: Probe::SharedLibrary("libvulkan.so.1"),
        need: Need::WhenRequired("LENSMITH_REQUIRE_GPU"),
        debian_packages: &["libvulkan1"],
    },
    Prerequisite {
        what: "Xvfb (the studio's real-window test)",
        // `Xvfb -version` exits with a failure; `-help` does not.
        probe: Probe::Runs("Xvfb", &["-help"]),
        need: Need::WhenRequired("LENSMITH_REQUIRE_DISPLAY"),
        debian_packages: &["xvfb"],
    },
    Prerequisite {
        what: "ImageMagick's import (the real-window test's screenshot)",
        probe: Probe::Runs("import", &["-version"]),
        need: Need::WhenRequired("LENSMITH_REQUIRE_DISPLAY"),
        debian_packages: &["imagemagick"],
    },
    Prerequisite {
        what: "libxkbcommon-x11.so.0 (winit's X11 keyboard, for the studio's window)",
        probe: Probe::SharedLibrary("libxkbcommon-x11.so.0"),
        need: Need::WhenRequired("LENSMITH_REQUIRE_DISPLAY"),
        debian_packages: &["libxkbcommon-x11-0"],
    },
    Prerequisite {
        what: "libXcursor.so.1 (winit, for the studio's window)",
        probe: Probe::SharedLibrary("libXcursor.so.1"),
        need: Need::WhenRequired("LENSMITH_REQUIRE_DISPLAY"),
        debian_packages: &["libxcursor1"],
    },
    Prerequisite {
        what: "libXrandr.so.2 (winit, for the studio's window)",
        probe: Probe::SharedLibrary("libXrandr.so.2"),
        need: Need::WhenRequired("LENSMITH_REQUIRE_DISPLAY"),
        debian_packages: &["libxrandr2"],
    },
    Prerequisite {
        what: "libXi.so.6 (winit, for the studio's window)",
        probe: Probe::SharedLibrary("libXi.so.6"),
        need: Need::WhenRequired("LENSMITH_REQUIRE_DISPLAY"),
        debian_packages: &["libxi6"],
    },
    Prerequisite {
        what: "libX11-xcb.so.1 (wgpu's Vulkan surface on X11, for the studio's window)",
        probe: Probe::SharedLibrary("libX11-xcb.so.1"),
        need: Need::WhenRequired("LENSMITH_REQUIRE_DISPLAY"),
        debian_packages: &["libx11-xcb1"],
    },
];

/// `cargo xtask prerequisites`.
pub fn run(options: &PrerequisiteOptions) -> Result<()> {
    let missing = missing();
    if options.missing_debian_packages {
        for package in debian_packages(&missing) {
            println!("{package}");
        }
        return Ok(());
    }
    if missing.is_empty() {
        println!("every prerequisite of `cargo xtask test` is here");
        return Ok(());
    }
    for item in &missing {
        println!(
            "missing: {} (Debian: {})",
            item.what,
            item.debian_packages.join(" ")
        );
    }
    Ok(())
}

/// Fails, naming each missing item and the packages that give it, unless everything that
/// counts here is present.
pub fn require() -> Result<()> {
    let missing = missing();
    if missing.is_empty() {
        return Ok(());
    }
    let items: Vec<String> = missing
        .iter()
        .map(|item| format!("  - {}", item.what))
        .collect();
    bail!(
        "this machine lacks what the tests need:\n{}\nInstall it (Debian: `apt-get install {}`; `.ci/run` does this itself)",
        items.join("\n"),
        debian_packages(&missing).join(" ")
    )
}

/// The prerequisites that count here and are absent.
fn missing() -> Vec<&'static Prerequisite> {
    PREREQUISITES
        .iter()
        .filter(|item| counts_here(&item.need) && !is_present(&item.probe))
        .collect()
}

fn counts_here(need: &Need) -> bool {
    match need {
        Need::Always => true,
        Need::WhenRequired(variable) => {
            std::env::var_os(variable).is_some_and(|value| value == "1")
        }
    }
}

/// The packages for `items`, each once, in list order.
fn debian_packages(items: &[&Prerequisite]) -> Vec<&'static str> {
    let mut packages: Vec<&'static str> = Vec::new();
    for package in items.iter().flat_map(|item| item.debian_packages.iter()) {
        if !packages.contains(package) {
            packages.push(package);
        }
    }
    packages
}

fn is_present(probe: &Probe) -> bool {
    match probe {
        Probe::Runs(program, arguments) => runs(Command::new(program).args(*arguments)),
        Probe::Python(code) => runs(Command::new("python3").args(["-c", code])),
        Probe::Torch => crate::python_env::torch_python().is_ok(),
        Probe::CLinks(compiler) => c_compiler_links(compiler),
        Probe::SharedLibrary(soname) => loader_cache_has(soname),
        Probe::Lavapipe => {
            let manifest = format!(
                "/usr/share/vulkan/icd.d/lvp_icd.{}.json",
                std::env::consts::ARCH
            );
            Path::new(&manifest).is_file()
        }
        Probe::Libclang => libclang_found(),
    }
}

fn runs(command: &mut Command) -> bool {
    command.output().is_ok_and(|output| output.status.success())
}

/// `compiler` compiles and links an empty C program (the compiler alone, without the C
/// library's start files and headers, does not).
fn c_compiler_links(compiler: &str) -> bool {
    let folder = std::env::temp_dir().join(format!("lensmith-cc-probe-{}", std::process::id()));
    if std::fs::create_dir_all(&folder).is_err() {
        return false;
    }
    let source = folder.join("probe.c");
    let linked = std::fs::write(
        &source,
        "#include <stdio.h>\nint main(void) { return 0; }\n",
    )
    .is_ok()
        && runs(
            Command::new(compiler)
                .arg(&source)
                .arg("-o")
                .arg(folder.join("probe")),
        );
    let _ = std::fs::remove_dir_all(&folder);
    linked
}

/// The architecture tag `ldconfig -p` prints for this machine's libraries.
fn loader_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x86-64",
        "aarch64" => "AArch64",
        other => other,
    }
}

/// `ldconfig -p` lists `soname` for this machine's architecture, at a file that exists.
fn loader_cache_has(soname: &str) -> bool {
    let Ok(output) = Command::new("ldconfig").arg("-p").output() else {
        return false;
    };
    let listing = String::from_utf8_lossy(&output.stdout);
    loader_cache_lists(&listing, soname, loader_architecture())
}

/// Whether an `ldconfig -p` listing has a line for exactly `soname`, tagged with
/// `architecture`, whose target file exists:
/// `\tlibXi.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libXi.so.6`.
fn loader_cache_lists(listing: &str, soname: &str, architecture: &str) -> bool {
    listing.lines().any(|line| {
        let Some((name_and_tags, target)) = line.split_once(" => ") else {
            return false;
        };
        let mut parts = name_and_tags.trim().splitn(2, ' ');
        let name = parts.next().unwrap_or_default();
        let tags = parts.next().unwrap_or_default();
        name == soname && tags.contains(architecture) && Path::new(target.trim()).exists()
    })
}

/// Whether a file name is libclang itself: `libclang.so`, `libclang.so.14`,
/// `libclang-14.so.1`; not `libclang-cpp.so.14` nor a static `libclang.a`.
fn is_libclang(name: &str) -> bool {
    name.starts_with("libclang.so")
        || name.strip_prefix("libclang-").is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_digit()) && rest.contains(".so")
        })
}

/// libclang in `$LIBCLANG_PATH` when set, else where clang-sys looks on Linux: the
/// library folders and Debian's `/usr/lib/llvm-N/lib`. Elsewhere (the camera capture's
/// V4L2 bindings are built on Linux only) it is not needed.
fn libclang_found() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let folders: Vec<PathBuf> = match std::env::var_os("LIBCLANG_PATH") {
        Some(path) => vec![PathBuf::from(path)],
        None => {
            let mut folders: Vec<PathBuf> = [
                "/usr/lib",
                "/usr/lib64",
                "/usr/local/lib",
                "/usr/lib/x86_64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu",
            ]
            .iter()
            .map(PathBuf::from)
            .collect();
            if let Ok(entries) = std::fs::read_dir("/usr/lib") {
                folders.extend(
                    entries
                        .flatten()
                        .filter(|entry| entry.file_name().to_string_lossy().starts_with("llvm-"))
                        .map(|entry| entry.path().join("lib")),
                );
            }
            folders
        }
    };
    folders.iter().any(|folder| {
        std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .any(|entry| is_libclang(&entry.file_name().to_string_lossy()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libclang_is_told_from_libclang_cpp() {
        for name in [
            "libclang.so",
            "libclang.so.14",
            "libclang-14.so.1",
            "libclang-17.so",
        ] {
            assert!(is_libclang(name), "{name} is libclang");
        }
        for name in [
            "libclang-cpp.so.14",
            "libclang-cpp.so",
            "libclang.a",
            "libclangBasic.a",
            "libclang-cpp14.so",
        ] {
            assert!(!is_libclang(name), "{name} is not libclang");
        }
    }

    #[test]
    fn the_loader_cache_is_matched_by_exact_soname_and_architecture() {
        let existing = std::env::current_exe().unwrap();
        let existing = existing.display();
        let listing = format!(
            "3 libs found in cache `/etc/ld.so.cache'\n\
             \tlibXi.so.6.1 (libc6,x86-64) => {existing}\n\
             \tlibXrandr.so.2 (libc6) => {existing}\n\
             \tlibX11-xcb.so.1 (libc6,x86-64) => /nowhere/libX11-xcb.so.1\n\
             \tlibvulkan.so.1 (libc6,x86-64) => {existing}\n"
        );
        assert!(
            !loader_cache_lists(&listing, "libXi.so.6", "x86-64"),
            "a longer name is another library"
        );
        assert!(
            !loader_cache_lists(&listing, "libXrandr.so.2", "x86-64"),
            "a 32-bit library does not count"
        );
        assert!(
            !loader_cache_lists(&listing, "libX11-xcb.so.1", "x86-64"),
            "a stale entry does not count"
        );
        assert!(loader_cache_lists(&listing, "libvulkan.so.1", "x86-64"));
        assert!(
            !loader_cache_lists(&listing, "libvulkan.so", "x86-64"),
            "a prefix is not a match"
        );
    }

    #[test]
    fn packages_are_listed_once_in_order() {
        let display: Vec<&Prerequisite> = PREREQUISITES
            .iter()
            .filter(|item| matches!(item.need, Need::WhenRequired("LENSMITH_REQUIRE_GPU")))
            .chain(
                PREREQUISITES
                    .iter()
                    .filter(|item| item.debian_packages == ["libvulkan1"]),
            )
            .collect();
        assert_eq!(
            debian_packages(&display),
            ["mesa-vulkan-drivers", "libvulkan1"]
        );
    }
}
