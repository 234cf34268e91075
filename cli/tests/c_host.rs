//! The C API as an app embeds it: `examples/c-host` compiled with gcc against
//! `liblensmith.a`, playing packed, signed bundles over a Y4M clip delivered as a phone
//! camera delivers frames (NV21, turned by the sensor's rotation, mirrored by a front
//! camera). Its frames must equal `lensmith render`'s byte for byte, for a mask and for a
//! generative effect; the host and the hostile-inputs program must run clean under
//! valgrind's memcheck; structs laid out as other releases' headers declare them must be
//! read and written only as far as their own size.

#[path = "support/bundle.rs"]
mod bundle;
// Only the clip writer is used here.
#[allow(dead_code)]
#[path = "support/render.rs"]
mod render_support;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bundle::{lensmith, printed};
use lensmith_runtime::plugin::build::{current_library_file_name, install_library};
use lensmith_testkit::TempDir;
use render_support::write_clip;

/// Set by `cargo xtask test` to the `liblensmith.a` it built with the workspace.
const LIBRARY_VARIABLE: &str = "LENSMITH_CAPI_LIB";
/// Frames of the test clip.
const CLIP_FRAMES: usize = 8;

/// The C API's static library: the one `cargo xtask test` built, else built here.
fn capi_library() -> PathBuf {
    if let Some(path) = std::env::var_os(LIBRARY_VARIABLE) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{LIBRARY_VARIABLE} names {}, which is not a file",
            path.display()
        );
        return path;
    }
    let root = lensmith_testkit::workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "{LIBRARY_VARIABLE} is not set: building liblensmith.a with `cargo build -p \
         lensmith-capi` (cargo xtask test builds it with the workspace instead)"
    );
    let status = Command::new(cargo)
        .args(["build", "-p", "lensmith-capi"])
        .current_dir(&root)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building lensmith-capi failed");
    root.join("target/debug/liblensmith.a")
}

/// Compiles `sources` (in `examples/c-host`) into `output` with gcc, warnings as errors.
fn compile(sources: &[&str], output: &Path) {
    let root = lensmith_testkit::workspace_root();
    let example = root.join("examples/c-host");
    let result = Command::new("gcc")
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
        .args(sources.iter().map(|source| example.join(source)))
        .arg("-o")
        .arg(output)
        .arg(capi_library())
        .args(["-lpthread", "-ldl", "-lm"])
        .output()
        .expect("gcc runs");
    assert!(
        result.status.success(),
        "gcc could not build {}:\n{}",
        output.display(),
        printed(&result)
    );
}

/// Everything the tests need: the programs, a key pair, the packed bundles and a clip.
struct Fixture {
    scratch: TempDir,
    host: PathBuf,
    clip: PathBuf,
}

impl Fixture {
    fn new(label: &str) -> Option<Self> {
        let cache = lensmith_testkit::cache_or_skip(label)?;
        if !lensmith_testkit::tools_or_skip(
            label,
            &[("gcc", &["--version"])],
            "LENSMITH_REQUIRE_ASSETS",
            "apt-get install -y gcc libc6-dev",
        ) {
            return None;
        }
        let scratch = TempDir::new(label);
        let host = scratch.join("lensmith-host");
        compile(&["lensmith_host.c", "y4m.c"], &host);
        run_lensmith(&[
            "keygen".as_ref(),
            "-o".as_ref(),
            scratch.join("studio.key").as_os_str(),
        ]);
        let clip = scratch.join("clip.y4m");
        write_clip(&clip, &lensmith_testkit::astronaut(&cache), CLIP_FRAMES);
        Some(Self {
            scratch,
            host,
            clip,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.scratch.join(name)
    }

    /// `effects/NAME` packed into `NAME.effect`, signed with the studio key.
    fn pack_signed(&self, name: &str) -> PathBuf {
        let folder = lensmith_testkit::workspace_root()
            .join("effects")
            .join(name);
        self.pack(&folder, name, true)
    }

    fn pack(&self, folder: &Path, name: &str, signed: bool) -> PathBuf {
        let packed = self.path(&format!("{name}.effect"));
        let mut args: Vec<&OsStr> = vec![
            "pack".as_ref(),
            folder.as_os_str(),
            "-o".as_ref(),
            packed.as_os_str(),
        ];
        let key = self.path("studio.key");
        if signed {
            args.extend(["--sign".as_ref(), key.as_os_str()]);
        }
        run_lensmith(&args);
        packed
    }

    /// Runs the host with `options` on the clip; returns its output file.
    fn play(&self, bundle: &Path, output: &str, options: &[&str]) -> PathBuf {
        let out = self.path(output);
        let result = Command::new(&self.host)
            .args(options)
            .arg("--trust")
            .arg(self.path("studio.key.pub"))
            .arg(bundle)
            .arg(&self.clip)
            .arg(&out)
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("the C host runs");
        assert!(
            result.status.success(),
            "the C host failed with {options:?} ({}):\n{}",
            result.status,
            printed(&result)
        );
        println!("{}", String::from_utf8_lossy(&result.stdout).trim_end());
        out
    }

    /// `lensmith render` of `bundle` over the clip.
    fn render(&self, bundle: &Path, output: &str) -> PathBuf {
        let out = self.path(output);
        run_lensmith(&[
            "render".as_ref(),
            bundle.as_os_str(),
            self.clip.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        out
    }
}

fn run_lensmith(args: &[&OsStr]) -> Output {
    let output = lensmith(args);
    assert!(
        output.status.success(),
        "lensmith {args:?} failed ({}):\n{}",
        output.status,
        printed(&output)
    );
    output
}

/// A Y4M file's frames: everything after its header line.
fn frame_bytes(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let header = bytes
        .iter()
        .position(|&byte| byte == b'\n')
        .expect("a Y4M header line");
    bytes[header + 1..].to_vec()
}

/// Where two equal-length byte strings first differ, for the failure message.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(at) => format!("first difference at byte {at} of the frames"),
        None => format!("lengths {} and {}", a.len(), b.len()),
    }
}

#[test]
fn c_host_frames_equal_lensmith_render_for_a_mask_and_a_generative_effect() {
    let Some(fixture) = Fixture::new("c_host_frames_equal_lensmith_render") else {
        return;
    };
    let input = frame_bytes(&fixture.clip);
    for (effect, runs) in [
        (
            "face-paint",
            &[
                // From memory, upright: the plain path.
                &[][..],
                // A back camera's sensor on a phone held upright.
                &["--rotate", "90"][..],
                // A front camera: turned the other way and mirrored; loaded by path.
                &["--rotate", "270", "--mirror", "--from-file"][..],
            ][..],
        ),
        ("cartoon", &[&["--rotate", "180"][..]][..]),
    ] {
        let packed = fixture.pack_signed(effect);
        let expected = frame_bytes(&fixture.render(&packed, &format!("{effect}.render.y4m")));
        assert_eq!(
            expected.len(),
            input.len(),
            "{effect}: render kept the size"
        );
        assert_ne!(expected, input, "{effect}: the effect changed the clip");
        for (index, options) in runs.iter().enumerate() {
            let output = fixture.play(&packed, &format!("{effect}.host{index}.y4m"), options);
            let got = frame_bytes(&output);
            assert!(
                got == expected,
                "{effect} with {options:?}: the C host's frames differ from lensmith render's \
                 ({})",
                first_difference(&got, &expected)
            );
        }
    }
}

#[test]
fn c_host_refuses_a_bundle_signed_by_another_key_and_leaves_no_output() {
    let Some(fixture) = Fixture::new("c_host_refuses_an_untrusted_bundle") else {
        return;
    };
    run_lensmith(&[
        "keygen".as_ref(),
        "-o".as_ref(),
        fixture.path("other.key").as_os_str(),
    ]);
    let packed = fixture.pack_signed("face-paint");
    let out = fixture.path("refused.y4m");
    let result = Command::new(&fixture.host)
        .arg("--trust")
        .arg(fixture.path("other.key.pub"))
        .arg(&packed)
        .arg(&fixture.clip)
        .arg(&out)
        .output()
        .expect("the C host runs");
    let text = printed(&result);
    assert_eq!(result.status.code(), Some(3), "{text}");
    assert!(text.contains("status 4"), "{text}");
    assert!(text.contains("not the trusted key"), "{text}");
    assert!(!out.exists(), "a refused run wrote {}", out.display());
}

#[test]
fn c_structs_of_other_releases_headers_are_read_and_written_only_to_their_size() {
    let Some(fixture) = Fixture::new("c_structs_of_other_releases_headers") else {
        return;
    };
    let program = fixture.path("old-layouts");
    compile(&["old_layouts.c", "y4m.c"], &program);
    let bundle = fixture.pack_signed("face-paint");
    let result = Command::new(&program)
        .arg(&bundle)
        .arg(&fixture.clip)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the old-layouts program runs");
    let text = printed(&result);
    println!("{text}");
    assert!(result.status.success(), "old-layouts failed:\n{text}");
    assert!(text.contains("all checks hold"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
}

/// The never-blink bundle with its plugin built in, packed unsigned: for the plugin refusal.
fn plugin_bundle(fixture: &Fixture) -> PathBuf {
    let root = lensmith_testkit::workspace_root();
    let library = lensmith_testkit::plugins::build_plugin("effects/never-blink-plugin", &[]);
    let copy = fixture.path("never-blink");
    lensmith_testkit::copy_folder(&root.join("effects/never-blink"), &copy, &["plugins"]);
    install_library(&library, &copy, "plugins/never_blink")
        .unwrap_or_else(|error| panic!("installing the never-blink plugin: {error}"));
    assert!(
        copy.join(current_library_file_name("plugins/never_blink").unwrap())
            .is_file()
    );
    fixture.pack(&copy, "never-blink", false)
}

/// Runs `program` with `args` under memcheck; panics with its report unless it is clean.
fn memcheck(program: &Path, args: &[&OsStr]) {
    let suppressions = lensmith_testkit::workspace_root().join("examples/c-host/valgrind.supp");
    let mut command = Command::new(program);
    command.args(args);
    lensmith_testkit::memcheck::assert_clean(&command, Some(&suppressions));
}

#[test]
fn c_host_and_hostile_inputs_are_clean_under_valgrind() {
    let test = "c_host_and_hostile_inputs_are_clean_under_valgrind";
    if !lensmith_testkit::memcheck::valgrind_or_skip(test) {
        return;
    }
    let Some(fixture) = Fixture::new(test) else {
        return;
    };
    let signed = fixture.pack_signed("face-paint");
    let unsigned = fixture.pack(
        &lensmith_testkit::workspace_root().join("effects/face-paint"),
        "face-paint-unsigned",
        false,
    );
    let plugin = plugin_bundle(&fixture);
    run_lensmith(&[
        "keygen".as_ref(),
        "-o".as_ref(),
        fixture.path("other.key").as_os_str(),
    ]);

    // Two frames of the clip: models loaded, a face tracked and painted, all torn down.
    let output = fixture.path("memcheck.y4m");
    let public_key = fixture.path("studio.key.pub");
    memcheck(
        &fixture.host,
        &[
            "--frames".as_ref(),
            "2".as_ref(),
            "--trust".as_ref(),
            public_key.as_os_str(),
            signed.as_os_str(),
            fixture.clip.as_os_str(),
            output.as_os_str(),
        ],
    );
    assert!(output.is_file(), "the host under valgrind wrote no output");

    let hostile = fixture.path("hostile-inputs");
    compile(&["hostile_inputs.c"], &hostile);
    memcheck(
        &hostile,
        &[
            signed.as_os_str(),
            public_key.as_os_str(),
            fixture.path("other.key.pub").as_os_str(),
            unsigned.as_os_str(),
            plugin.as_os_str(),
        ],
    );
}
