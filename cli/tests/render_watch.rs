//! `lensmith render --watch` as a designer uses it: the command keeps running, renders again
//! when the bundle changes, reports a broken edit with its file and line while the output
//! keeps the last good picture, and recovers when the edit is fixed.

#[path = "support/bundle.rs"]
mod bundle;
#[path = "support/render.rs"]
#[allow(dead_code)] // this test uses only the paint bundle of the shared helpers
mod render_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, SystemTime};

use lensmith_testkit::TempDir;

use render_support::{PAINT_MANIFEST, write_paint_bundle};

/// Generous: the first render loads the face models on a busy machine.
const WAIT: Duration = Duration::from_secs(90);

/// The running command and its stderr, line by line.
struct Watching {
    child: Child,
    lines: Receiver<String>,
}

impl Watching {
    fn start(bundle: &Path, photo: &Path, out: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lensmith"))
            .args(["render".as_ref(), bundle.as_os_str(), photo.as_os_str()])
            .args(["-o".as_ref(), out.as_os_str(), "--watch".as_ref()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the lensmith binary runs");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// Waits for a line containing `wanted`; returns every line read up to it.
    fn wait_for(&self, wanted: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(WAIT) {
                Ok(line) => {
                    let found = line.contains(wanted);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(_) => panic!(
                    "no line with {wanted:?} came; stderr so far:\n{}",
                    seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .unwrap()
}

#[test]
fn watch_renders_again_on_a_change_and_keeps_the_last_good_output_on_a_broken_edit() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "watch_renders_again_on_a_change_and_keeps_the_last_good_output_on_a_broken_edit",
    ) else {
        return;
    };
    let work = TempDir::new("render-watch");
    let bundle = work.join("bundle");
    write_paint_bundle(&bundle, PAINT_MANIFEST);
    let out = work.join("out.png");
    let photo = lensmith_testkit::astronaut_path(&cache);
    let watching = Watching::start(&bundle, &photo, &out);
    watching.wait_for("watching");
    let first = std::fs::read(&out).expect("the first render wrote the output");

    // A change the designer makes: a lighter paint.
    std::fs::write(
        bundle.join("effect.toml"),
        PAINT_MANIFEST.replace("opacity = 0.9", "opacity = 0.3"),
    )
    .unwrap();
    let mut lines = watching.wait_for("reloaded after a change to effect.toml");
    lines.extend(watching.wait_for("written; watching for changes"));
    let second = std::fs::read(&out).unwrap();
    assert_ne!(
        first,
        second,
        "the output follows the edit; stderr:\n{}",
        lines.join("\n")
    );

    // A broken edit: reported with its place; the output stays as it was.
    let before_broken = modified(&out);
    std::fs::write(
        bundle.join("effect.toml"),
        PAINT_MANIFEST.replace("opacity = 0.9", "opacity = \"much\""),
    )
    .unwrap();
    let lines = watching.wait_for("keeps the last good version");
    assert!(
        lines
            .iter()
            .any(|line| line.contains("effect.toml:") && line.contains("opacity")),
        "the error names the file, line and key:\n{}",
        lines.join("\n")
    );
    assert_eq!(modified(&out), before_broken, "the output was not touched");
    assert_eq!(std::fs::read(&out).unwrap(), second);

    // Fixed again: rendered again.
    std::fs::write(bundle.join("effect.toml"), PAINT_MANIFEST).unwrap();
    watching.wait_for("reloaded after a change to effect.toml");
    watching.wait_for("written; watching for changes");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        first,
        "the first manifest again gives the first picture"
    );
}

#[test]
fn watch_refuses_to_write_inside_the_bundle_it_watches() {
    let work = TempDir::new("render-watch-inside");
    let bundle = work.join("bundle");
    write_paint_bundle(&bundle, PAINT_MANIFEST);
    let photo = work.join("photo.png");
    std::fs::write(&photo, b"not read: refused before").unwrap();
    for (out, extra) in [
        (bundle.join("preview.png"), None),
        (work.join("out.png"), Some(bundle.join("report.json"))),
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lensmith"));
        command
            .arg("render")
            .arg(&bundle)
            .arg(&photo)
            .arg("-o")
            .arg(&out)
            .arg("--watch");
        if let Some(report) = &extra {
            command.arg("--json-report").arg(report);
        }
        let output = command.output().unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(
            text.contains("is inside the bundle folder that --watch watches"),
            "{text}"
        );
    }
    assert!(!bundle.join("preview.png").exists() && !bundle.join("report.json").exists());
}
