//! `validate` on plugin libraries as a phone would meet them: noise, a library for another
//! CPU (a real one with its machine number changed, or in another platform's folder), a
//! real library without Lensmith's entry symbol, a program, an unknown platform folder;
//! and real plugins, which still validate. The libraries are real: the test plugin and
//! `effects/never-blink-plugin` built by cargo, and C files built by `cc` in a temporary
//! folder.

use std::collections::BTreeMap;
use std::process::Command;

use lensmith_runtime::bundle::{BundleReport, validate, validate_for};
use lensmith_runtime::plugin::PluginCode;
use lensmith_runtime::plugin::binary_header::{Cpu, read_header};
use lensmith_runtime::plugin::build::install_library;
use lensmith_runtime::plugin::platform_folder::PlatformFolder;
use lensmith_testkit::TempDir;
use lensmith_testkit::plugins::{build_test_plugin, library_bytes};

const MANIFEST: &str = r#"[effect]
id = "dev.lensmith.test"
name = "Test"
version = "1.0.0"
api_version = "1.0"

[[layer]]
kind = "plugin"
name = "glitter"
library = "plugins/glitter"
"#;

/// This machine's platform folder; every test here needs one.
fn this_folder() -> PlatformFolder {
    PlatformFolder::current().unwrap_or_else(|| {
        panic!(
            "this machine ({} on {}) has no platform folder: plugins cannot be played here",
            std::env::consts::OS,
            std::env::consts::ARCH
        )
    })
}

/// The bundle file of `plugins/glitter` in `folder`.
fn library_path(folder: PlatformFolder) -> String {
    lensmith_runtime::plugin::build::library_file_name(
        "plugins/glitter",
        folder.platform,
        folder.arch,
    )
    .unwrap()
}

/// Validates the manifest with `libraries` (bundle path, bytes) beside it.
fn validate_with(libraries: &[(&str, Vec<u8>)]) -> BundleReport {
    let mut files = BTreeMap::new();
    files.insert("effect.toml".to_owned(), MANIFEST.as_bytes().to_vec());
    for (path, bytes) in libraries {
        files.insert((*path).to_owned(), bytes.clone());
    }
    validate(&files, "glitter/", None)
}

/// Every message and hint of `report`, one per line.
fn printed(report: &BundleReport) -> String {
    report
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one problem whose message names `file`, with the report when there is not exactly
/// one.
/// A problem's hint, or nothing.
fn hint(problem: &effect_api::Diagnostic) -> &str {
    problem.hint.as_deref().unwrap_or_default()
}

fn problem_about<'a>(report: &'a BundleReport, file: &str) -> &'a effect_api::Diagnostic {
    let about: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.message.contains(&format!("\"{file}\"")))
        .collect();
    assert_eq!(
        about.len(),
        1,
        "one problem about {file} in:\n{}",
        printed(report)
    );
    eprintln!("{}", about[0]);
    about[0]
}

/// Fixed-seed noise.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The test plugin `tint`, a real Lensmith plugin for this machine.
fn real_plugin() -> Vec<u8> {
    library_bytes(&build_test_plugin("tint", &[]))
}

#[cfg(unix)]
/// Builds `source` with `cc` and `args` in a temporary folder; returns the output's bytes.
fn compile_c(label: &str, source: &str, args: &[&str]) -> Vec<u8> {
    let dir = TempDir::new(label);
    std::fs::write(dir.join("input.c"), source).unwrap();
    let out = dir.join("output");
    let status = Command::new("cc")
        .args(args)
        .arg("-o")
        .arg(&out)
        .arg(dir.join("input.c"))
        .status()
        .unwrap_or_else(|error| {
            panic!("this test builds a C file and needs a C compiler as `cc`: {error}")
        });
    assert!(status.success(), "cc {args:?} failed");
    std::fs::read(&out).unwrap()
}

#[test]
fn noise_in_a_platform_folder_is_refused_naming_the_file() {
    let folder = this_folder();
    let path = library_path(folder);
    let report = validate_with(&[(&path, noise(4096))]);
    let problem = problem_about(&report, &path);
    assert!(
        problem
            .message
            .contains("is not a library: its first bytes (")
            && problem.message.contains("are neither ELF, Mach-O nor PE"),
        "{problem}"
    );
    assert!(
        problem.message.ends_with(&format!(
            "plugins/{}/ needs {}",
            folder.name(),
            folder.needs()
        )),
        "{problem}"
    );
    assert!(hint(problem).contains(folder.rust_target()), "{problem}");
    // The manifest line that names the library.
    assert_eq!(problem.line, 10, "{problem}");
}

#[test]
fn a_truncated_library_is_refused_as_truncated() {
    let folder = this_folder();
    let path = library_path(folder);
    let whole = real_plugin();
    let report = validate_with(&[(&path, whole[..20].to_vec())]);
    let problem = problem_about(&report, &path);
    assert!(
        problem.message.contains("is a truncated file") && problem.message.contains("20 bytes"),
        "{problem}"
    );
}

#[test]
fn a_real_library_for_another_cpu_is_refused_naming_the_cpu() {
    let folder = this_folder();
    let real = real_plugin();
    let header = read_header(&real).expect("the built plugin's header reads");
    let here = header.images[0].cpu;
    // The same library, its machine number changed to another CPU's (ELF only: the
    // number is at byte 18; Mach-O and PE keep it elsewhere).
    if header.format == lensmith_runtime::plugin::binary_header::BinaryFormat::Elf {
        let (other, number): (Cpu, u16) = if here == Cpu::Aarch64 {
            (Cpu::X86_64, 62)
        } else {
            (Cpu::Aarch64, 183)
        };
        let mut patched = real.clone();
        let bytes = if patched[5] == 2 {
            number.to_be_bytes()
        } else {
            number.to_le_bytes()
        };
        patched[18..20].copy_from_slice(&bytes);
        let path = library_path(folder);
        let report = validate_with(&[(&path, patched)]);
        let problem = problem_about(&report, &path);
        assert!(
            problem.message.contains(&format!(
                "is an ELF library for {} (64-bit); plugins/{}/ needs {}",
                other.name(),
                folder.name(),
                folder.needs()
            )),
            "{problem}"
        );
    }

    // The unchanged library in a folder of another CPU.
    let elsewhere = PlatformFolder::KNOWN
        .into_iter()
        .find(|candidate| candidate.format() == header.format && candidate.cpu() != here)
        .expect("a folder of another CPU in the same format");
    let path = library_path(elsewhere);
    let report = validate_with(&[(&path, real.clone())]);
    let problem = problem_about(&report, &path);
    assert!(
        problem.message.contains(&format!(
            "is {}; plugins/{}/ needs {}",
            header.describe(),
            elsewhere.name(),
            elsewhere.needs()
        )),
        "{problem}"
    );
    assert!(
        hint(problem).contains(&format!("move it to plugins/{}/", folder.name())),
        "{problem}"
    );
}

#[cfg(unix)]
#[test]
fn a_real_library_without_the_entry_symbol_is_refused_naming_the_symbol() {
    let folder = this_folder();
    let library = compile_c(
        "plain-library",
        "int plain_answer(void) { return 42; }\n",
        &["-shared", "-fPIC"],
    );
    let header = read_header(&library).expect("cc's library reads");
    assert!(folder.accepts(&header), "{}", header.describe());
    let path = library_path(folder);
    // A player validates without loading (it loads the library itself right after, and
    // reports a refusal as a plugin error): the header is all it checks here.
    let mut files = BTreeMap::new();
    files.insert("effect.toml".to_owned(), MANIFEST.as_bytes().to_vec());
    files.insert(path.clone(), library.clone());
    let for_player = validate_for(&files, "glitter/", None, PluginCode::LoadLibraries);
    assert!(for_player.is_valid(), "{}", printed(&for_player));

    let report = validate_with(&[(&path, library)]);
    let problem = problem_about(&report, &path);
    assert!(
        problem
            .message
            .contains("has no `lensmith_plugin_entry` symbol: it is not a Lensmith plugin"),
        "{problem}"
    );
    assert!(
        hint(problem).contains("effect_api::export_effect!"),
        "{problem}"
    );
}

#[cfg(unix)]
#[test]
fn a_program_is_not_a_library() {
    let folder = this_folder();
    let program = compile_c("plain-program", "int main(void) { return 0; }\n", &[]);
    let path = library_path(folder);
    let report = validate_with(&[(&path, program)]);
    let problem = problem_about(&report, &path);
    assert!(
        problem
            .message
            .contains("executable (a program, not a library)"),
        "{problem}"
    );
    assert!(hint(problem).contains("cdylib"), "{problem}");
}

#[test]
fn an_unknown_platform_folder_is_refused_listing_the_known_ones() {
    let folder = this_folder();
    let real = real_plugin();
    let file_name = library_path(folder).rsplit('/').next().unwrap().to_owned();
    let path = format!("plugins/{}-legacy/{file_name}", folder.platform.folder());
    let report = validate_with(&[(&path, real)]);
    let problem = problem_about(&report, &path);
    assert!(
        problem.message.contains(&format!(
            "which is not a platform folder; plugin libraries go in one of {}",
            PlatformFolder::known_names()
        )),
        "{problem}"
    );
    assert!(
        hint(problem).contains(&format!("plugins/{}/", folder.name())),
        "{problem}"
    );
    // Nothing in a known folder: no build at all.
    assert!(
        report
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.message.contains("holds no build")),
        "{}",
        printed(&report)
    );
}

#[test]
fn real_plugins_still_validate() {
    let folder = this_folder();
    let report = validate_with(&[(&library_path(folder), real_plugin())]);
    assert!(report.is_valid(), "{}", printed(&report));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    // The shipped never-blink effect with its plugin built in, as `lensmith plugin build
    // ... --into` leaves it.
    let root = lensmith_testkit::workspace_root();
    let library = lensmith_testkit::plugins::build_plugin("effects/never-blink-plugin", &[]);
    let bundle = TempDir::new("never-blink-libraries");
    for file in ["effect.toml", "README.md"] {
        std::fs::copy(
            root.join("effects/never-blink").join(file),
            bundle.join(file),
        )
        .unwrap();
    }
    install_library(&library, bundle.path(), "plugins/never_blink").unwrap();
    let files = lensmith_runtime::bundle::read_dir(bundle.path(), &Default::default()).unwrap();
    let report = validate(&files.files, "never-blink/", None);
    assert!(report.is_valid(), "{}", printed(&report));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}
