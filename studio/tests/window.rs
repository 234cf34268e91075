//! A real window: Lensmith Studio under an X server (Xvfb), drawn by iced's wgpu renderer
//! on the machine's Vulkan driver (Mesa's lavapipe in CI), opening the shipped face paint
//! on the sample photo. A screenshot of the screen (ImageMagick's `import`) must show the
//! photo with the paint on it: not a blank window, not an error screen.
//!
//! Needs `Xvfb` and `import` (`apt-get install -y xvfb imagemagick`) and the face models;
//! skipped with the reason otherwise, failed instead with `LENSMITH_REQUIRE_DISPLAY=1` (as
//! CI sets it). `LENSMITH_STUDIO_SCREENSHOTS=DIR` keeps the screenshots there, and adds one
//! with every overlay on and the split view (the README's pictures).

#[path = "support/screenshot_check.rs"]
mod screenshot_check;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_testkit::TempDir;

/// The screen's size, a small laptop's (1280×800); the studio's window is given the same.
const SCREEN: (u32, u32) = (1280, 800);
/// How long the studio may take to show its first frame (a debug build on a software
/// Vulkan driver loads the models and compiles its shaders first).
const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(180);
/// How long to let the window draw after the first frame before the screenshot.
const SETTLE: Duration = Duration::from_secs(3);

/// An X server of our own, stopped when dropped.
struct XServer {
    child: Child,
    display: String,
}

impl XServer {
    /// Starts Xvfb on a free display (it picks one and tells us through `-displayfd`).
    fn start() -> Result<Self, String> {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
            .arg(format!("{}x{}x24", SCREEN.0, SCREEN.1))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start Xvfb: {error}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let number = receiver
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| "Xvfb did not report its display within 30 s".to_owned())?;
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("Xvfb reported no display number ({number:?})"));
        }
        Ok(Self {
            child,
            display: format!(":{number}"),
        })
    }
}

impl Drop for XServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the studio with `arguments` on `server` until its first frame, screenshots the
/// screen into `shot`, and closes it. The error carries the studio's log.
fn screenshot(
    server: &XServer,
    work: &TempDir,
    arguments: &[&str],
    shot: &Path,
) -> Result<(), String> {
    let config = work.join("studio.toml");
    std::fs::write(
        &config,
        format!(
            "[window]\nwidth = {}.0\nheight = {}.0\n",
            SCREEN.0, SCREEN.1
        ),
    )
    .unwrap();
    let ready = work.join("ready");
    let _ = std::fs::remove_file(&ready);
    let log_path = work.join("studio.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut studio = Command::new(env!("CARGO_BIN_EXE_lensmith-studio"))
        .arg("--config")
        .arg(&config)
        .arg("--ready-file")
        .arg(&ready)
        .args(arguments)
        .env("DISPLAY", &server.display)
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .map_err(|error| format!("cannot start the studio: {error}"))?;
    let log_text = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let started = Instant::now();
    let outcome = loop {
        if ready.exists() {
            break Ok(());
        }
        if let Ok(Some(status)) = studio.try_wait() {
            break Err(format!("the studio exited ({status}):\n{}", log_text()));
        }
        if started.elapsed() > FIRST_FRAME_TIMEOUT {
            break Err(format!(
                "no frame shown within {FIRST_FRAME_TIMEOUT:?}:\n{}",
                log_text()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    if outcome.is_ok() {
        println!(
            "first frame after {:.1} s: {}",
            started.elapsed().as_secs_f64(),
            std::fs::read_to_string(&ready).unwrap_or_default().trim()
        );
        std::thread::sleep(SETTLE);
    }
    let taken = outcome.and_then(|()| {
        let status = Command::new("import")
            .args(["-display", &server.display, "-window", "root"])
            .arg(shot)
            .status()
            .map_err(|error| format!("cannot run import: {error}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("import failed ({status})"))
        }
    });
    let _ = studio.kill();
    let _ = studio.wait();
    taken
}

#[test]
fn a_real_window_shows_the_face_paint_on_the_photo() {
    let test = "a_real_window_shows_the_face_paint_on_the_photo";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    // `Xvfb -version` exits with a failure; `-help` does not.
    let display_tools: [(&str, &[&str]); 2] = [("Xvfb", &["-help"]), ("import", &["-version"])];
    if !lensmith_testkit::tools_or_skip(
        test,
        &display_tools,
        "LENSMITH_REQUIRE_DISPLAY",
        "apt-get install -y xvfb imagemagick",
    ) {
        return;
    }
    let work = TempDir::new("studio-window");
    let kept = std::env::var_os("LENSMITH_STUDIO_SCREENSHOTS").map(PathBuf::from);
    let folder = kept.clone().unwrap_or_else(|| work.path().to_owned());
    std::fs::create_dir_all(&folder).unwrap();
    let photo = lensmith_testkit::astronaut_path(&cache);
    let bundle = lensmith_testkit::workspace_root().join("effects/face-paint");
    let server = XServer::start().unwrap_or_else(|error| panic!("{test}: {error}"));
    let open = [
        "--bundle",
        bundle.to_str().unwrap(),
        "--source",
        photo.to_str().unwrap(),
    ];

    let shot = folder.join("studio.png");
    let plain = [&open[..], &["--overlays", "none", "--compare", "off"]].concat();
    screenshot(&server, &work, &plain, &shot).unwrap_or_else(|error| panic!("{test}: {error}"));
    let picture = read_rgb_frame(&shot).unwrap();
    let photo_frame = read_rgb_frame(&photo).unwrap();
    if let Err(problem) = screenshot_check::shows_painted_photo(&picture, &photo_frame) {
        panic!(
            "{test}: {} does not show the painted photo: {problem:#}",
            shot.display()
        );
    }

    if kept.is_some() {
        let shot = folder.join("studio_overlays.png");
        let dressed = [
            &open[..],
            &[
                "--overlays",
                "mesh,crop,pose,expressions",
                "--compare",
                "split",
            ],
        ]
        .concat();
        screenshot(&server, &work, &dressed, &shot)
            .unwrap_or_else(|error| panic!("{test}: {error}"));
        println!("kept {}", shot.display());
        // The editors and the timings folded: the panels below them (export, golden test)
        // in view on the same small screen.
        let shot = folder.join("studio_panels.png");
        let folded = [
            &plain[..],
            &["--fold", "effect,layers,triggers,performance"],
        ]
        .concat();
        screenshot(&server, &work, &folded, &shot)
            .unwrap_or_else(|error| panic!("{test}: {error}"));
        println!("kept {}", shot.display());
    }
}
