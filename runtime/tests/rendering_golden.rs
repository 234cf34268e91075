//! Golden images: each layer kind played on the astronaut photo with the CPU reference
//! renderer and compared with a committed PNG in `tests/data/golden/`, within a tolerance
//! that absorbs floating-point differences between machines but not a moved, missing or
//! recoloured layer. `LENSMITH_UPDATE_GOLDEN=1` rewrites the PNGs (look at them before
//! committing).

#[path = "support/effect_bundle.rs"]
mod effect_bundle;

use std::path::PathBuf;

use effect_api::{Frame, PixelFormat};
use effect_bundle::{render_astronaut, repo_file, write_bundle};

const PAINT: (&str, &str) = (
    "textures/face_paint.png",
    "effects/face-paint/textures/face_paint.png",
);
const SPARKLES: (&str, &str) = (
    "stickers/sparkles.png",
    "effects/face-paint/stickers/sparkles.png",
);
const WARM: (&str, &str) = (
    "luts/warm.cube",
    "examples/effects/warm-grade/luts/warm.cube",
);
const INVERT: (&str, &str) = (
    "models/invert.onnx",
    "runtime/tests/data/models/invert_nchw_pm1.onnx",
);

/// Mean absolute difference allowed per channel, in 8-bit codes.
const MAX_MEAN_DIFFERENCE: f64 = 0.5;
/// Share of pixels allowed to differ by more than [`LARGE_DIFFERENCE`] in some channel.
const MAX_LARGE_SHARE: f64 = 0.001;
const LARGE_DIFFERENCE: u8 = 4;

fn golden_path(name: &str) -> PathBuf {
    repo_file(&format!("runtime/tests/data/golden/{name}.png"))
}

fn save_png(frame: &Frame, path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    assert_eq!(frame.format(), PixelFormat::Rgb8);
    image::save_buffer(
        path,
        frame.data(),
        frame.width(),
        frame.height(),
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
}

/// Compares `frame` with golden `name` (or rewrites it when asked).
fn check_golden(name: &str, frame: &Frame) {
    let path = golden_path(name);
    if std::env::var_os("LENSMITH_UPDATE_GOLDEN").is_some() {
        save_png(frame, &path);
        eprintln!("rewrote {}", path.display());
        return;
    }
    let golden = image::open(&path)
        .unwrap_or_else(|error| {
            panic!(
                "{}: {error}; run with LENSMITH_UPDATE_GOLDEN=1 to create it",
                path.display()
            )
        })
        .to_rgb8();
    assert_eq!(
        (golden.width(), golden.height()),
        (frame.width(), frame.height()),
        "{name}: size differs from the golden image"
    );
    let (mut total, mut large) = (0u64, 0usize);
    for (got, want) in frame
        .data()
        .chunks_exact(3)
        .zip(golden.as_raw().chunks_exact(3))
    {
        let mut worst = 0u8;
        for (a, b) in got.iter().zip(want) {
            let difference = a.abs_diff(*b);
            total += u64::from(difference);
            worst = worst.max(difference);
        }
        large += usize::from(worst > LARGE_DIFFERENCE);
    }
    let mean = total as f64 / frame.data().len() as f64;
    let share = large as f64 / (frame.width() * frame.height()) as f64;
    eprintln!(
        "{name}: mean difference {mean:.3} codes, {:.4}% of pixels off by more than {LARGE_DIFFERENCE}",
        share * 100.0
    );
    if mean > MAX_MEAN_DIFFERENCE || share > MAX_LARGE_SHARE {
        let actual = repo_file(&format!("target/golden-failures/{name}.png"));
        save_png(frame, &actual);
        panic!(
            "{name} differs from {}: mean {mean:.3} codes (limit {MAX_MEAN_DIFFERENCE}), \
             {:.4}% of pixels off by more than {LARGE_DIFFERENCE} (limit {:.2}%); the \
             rendering is at {}",
            path.display(),
            share * 100.0,
            MAX_LARGE_SHARE * 100.0,
            actual.display()
        );
    }
}

/// Renders a bundle of one layer on the astronaut and checks it against its golden image,
/// after checking the layer changed the photo at all.
fn golden_test(name: &str, layer: &str, assets: &[(&str, &str)]) {
    let Some(cache) = lensmith_testkit::cache_or_skip(name) else {
        return;
    };
    let bundle = write_bundle(name, layer, assets);
    let rendered = render_astronaut(bundle.path(), &cache);
    let original = lensmith_testkit::astronaut(&cache);
    let changed = rendered
        .data()
        .chunks_exact(3)
        .zip(original.data().chunks_exact(3))
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        changed > 500,
        "{name}: the layer changed only {changed} pixels"
    );
    check_golden(name, &rendered);
}

#[test]
fn golden_face_mask() {
    golden_test(
        "face_mask",
        "[[layer]]\nkind = \"face_mask\"\nname = \"paint\"\ntexture = \"textures/face_paint.png\"\nopacity = 0.85\n",
        &[PAINT],
    );
}

#[test]
fn golden_face_mask_multiply_over_closed_eyes() {
    golden_test(
        "face_mask_multiply",
        "[[layer]]\nkind = \"face_mask\"\nname = \"paint\"\ntexture = \"textures/face_paint.png\"\nblend = \"multiply\"\neye_holes = false\nmouth_hole = false\n",
        &[PAINT],
    );
}

#[test]
fn golden_sticker() {
    golden_test(
        "sticker",
        "[[layer]]\nkind = \"sticker\"\nname = \"sparkles\"\nimage = \"stickers/sparkles.png\"\nanchor = [10]\noffset = [0.0, -0.45]\nscale = 1.1\n",
        &[SPARKLES],
    );
}

#[test]
fn golden_lut_over_the_frame() {
    golden_test(
        "lut_frame",
        "[[layer]]\nkind = \"lut\"\nname = \"warm\"\nfile = \"luts/warm.cube\"\n",
        &[WARM],
    );
}

#[test]
fn golden_lut_on_the_face() {
    golden_test(
        "lut_face",
        "[[layer]]\nkind = \"lut\"\nname = \"warm\"\nfile = \"luts/warm.cube\"\nscope = \"face\"\n",
        &[WARM],
    );
}

#[test]
fn golden_face_model() {
    golden_test(
        "face_model",
        "[[layer]]\nkind = \"face_model\"\nname = \"invert\"\nmodel = \"models/invert.onnx\"\ncrop_size = 256\n",
        &[INVERT],
    );
}
