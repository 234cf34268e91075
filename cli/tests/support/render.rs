//! What the `lensmith render` tests share: running the command, the bundles they play,
//! the sample face's box, reading and writing clips, and checks on what was painted.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use effect_api::{Frame, Point2};
use lensmith_runtime::models::{AssetCache, ModelOptions};
use lensmith_runtime::tracking::{FaceTracker, TrackerSettings};
use lensmith_runtime::video::{create_sink, open_source};
use lensmith_testkit::Motion;

use crate::bundle::{lensmith, printed, write_png};

/// A bundle of one `face_mask` layer: a flat, opaque purple texture over the whole face
/// mesh (eyes and mouth left open).
pub const PAINT_MANIFEST: &str = r#"[effect]
id = "com.example.paint"
name = "Paint"
version = "0.1.0"
api_version = "1.0"

[[layer]]
kind = "face_mask"
name = "paint"
texture = "textures/paint.png"
opacity = 0.9
"#;

/// Runs `lensmith render` with `args`.
pub fn render(args: &[&OsStr]) -> Output {
    let mut all = vec![OsStr::new("render")];
    all.extend_from_slice(args);
    lensmith(&all)
}

/// Runs `lensmith render BUNDLE INPUT -o OUT` and checks that it succeeded.
pub fn render_successfully(bundle: &Path, input: &Path, out: &Path) -> Output {
    let output = render(&[
        bundle.as_os_str(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_success(&output);
    output
}

pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "lensmith render failed ({}):\n{}",
        output.status,
        printed(output)
    );
}

/// The shipped `effects/face-paint` bundle (`shipped_effects.rs` checks that it validates).
pub fn paint_bundle() -> PathBuf {
    lensmith_testkit::workspace_root().join("effects/face-paint")
}

/// `manifest` as `effect.toml` in `dir`, with a flat purple `textures/paint.png`.
pub fn write_paint_bundle(dir: &Path, manifest: &str) {
    std::fs::create_dir_all(dir.join("textures")).unwrap();
    std::fs::write(dir.join("effect.toml"), manifest).unwrap();
    write_png(&dir.join("textures/paint.png"), 256, 256);
}

/// The astronaut's face box (min x, min y, max x, max y) from her landmarks, shrunk by a
/// tenth on each side so that it holds face only.
pub fn face_box(cache: &AssetCache, frame: &Frame) -> (u32, u32, u32, u32) {
    let mut tracker = FaceTracker::load(
        cache,
        ModelOptions::default(),
        TrackerSettings::still_images(),
    )
    .expect("the models in a cache cache_or_skip accepted load");
    let tracked = tracker.process(frame.view(), 0.0).unwrap();
    let face = tracked.faces.first().expect("the astronaut has a face");
    let (mut low, mut high) = ([f32::MAX; 2], [f32::MIN; 2]);
    for point in &face.landmarks {
        for axis in 0..2 {
            low[axis] = low[axis].min(point[axis]);
            high[axis] = high[axis].max(point[axis]);
        }
    }
    let margin = [(high[0] - low[0]) / 10.0, (high[1] - low[1]) / 10.0];
    (
        (low[0] + margin[0]) as u32,
        (low[1] + margin[1]) as u32,
        (high[0] - margin[0]) as u32,
        (high[1] - margin[1]) as u32,
    )
}

/// Reads every frame of an image, folder, Y4M or video.
pub fn read_frames(path: &Path) -> Vec<Frame> {
    let mut source = open_source(path).unwrap_or_else(|error| panic!("{error}"));
    let mut frames = Vec::new();
    while let Some(frame) = source.next_frame().unwrap() {
        frames.push(frame.frame);
    }
    frames
}

/// The share of pixels in the box (min x, min y, max x, max y) whose channels moved by
/// more than 24 in sum between `before` and `after`.
pub fn changed_share(before: &Frame, after: &Frame, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    let (mut changed, mut all) = (0usize, 0usize);
    for y in y0..y1 {
        let (old, new) = (before.view().row(y), after.view().row(y));
        for x in x0 as usize..x1 as usize {
            let moved: u32 = (0..3)
                .map(|channel| old[x * 3 + channel].abs_diff(new[x * 3 + channel]) as u32)
                .sum();
            changed += usize::from(moved > 24);
            all += 1;
        }
    }
    changed as f64 / all.max(1) as f64
}

/// Checks that the effect painted the face and left the four 32×32 corners exactly alone.
pub fn assert_painted(before: &Frame, after: &Frame, face: (u32, u32, u32, u32), what: &str) {
    assert_eq!(
        (after.width(), after.height()),
        (before.width(), before.height()),
        "{what}: the size changed"
    );
    let share = changed_share(before, after, face);
    assert!(
        share > 0.1,
        "{what}: only {:.1}% of the face box {face:?} changed",
        share * 100.0
    );
    let (width, height) = (before.width(), before.height());
    for (x, y) in [
        (0, 0),
        (width - 32, 0),
        (0, height - 32),
        (width - 32, height - 32),
    ] {
        assert_eq!(
            changed_share(before, after, (x, y, x + 32, y + 32)),
            0.0,
            "{what}: the corner at ({x}, {y}) changed"
        );
    }
}

/// `frames` of the astronaut moving smoothly (testkit's sweep), written to `path`.
pub fn write_clip(path: &Path, photo: &Frame, frames: usize) {
    let centre = Point2::new(photo.width() as f32 / 2.0, photo.height() as f32 / 2.0);
    let mut sink = create_sink(path, 10.0).unwrap();
    for index in 0..frames {
        let moved = Motion::sweep(index, frames, centre).render(photo);
        sink.write_frame(moved.view()).unwrap();
    }
    sink.finish().unwrap();
}

/// `ffprobe`'s `codec_type,codec_name` for every stream of `path`.
pub fn streams(path: &Path) -> Vec<String> {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,codec_name",
        ])
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs where ffmpeg does");
    assert!(output.status.success(), "{}", printed(&output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The files in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
