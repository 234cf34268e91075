//! What the bundle command tests share: running the built `lensmith`, and writing a small
//! bundle (a manifest, a PNG and a 2×2×2 LUT) to damage or pack.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use effect_api::Frame;
use lensmith_runtime::video::create_sink;

/// Runs the `lensmith` binary cargo built with `args`.
pub fn lensmith(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lensmith"))
        .args(args)
        .output()
        .expect("the lensmith binary cargo built runs")
}

/// Everything a run printed, stdout then stderr.
pub fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A flat-coloured PNG of `width`×`height`.
pub fn write_png(path: &Path, width: u32, height: u32) {
    let mut sink = create_sink(path, 30.0).unwrap();
    sink.write_frame(Frame::filled(width, height, [90, 40, 200]).unwrap().view())
        .unwrap();
    sink.finish().unwrap();
}

/// A valid 2×2×2 `.cube` LUT (the identity).
pub fn cube() -> String {
    let mut text = String::from("LUT_3D_SIZE 2\n");
    for index in 0..8 {
        text.push_str(&format!(
            "{} {} {}\n",
            index & 1,
            (index >> 1) & 1,
            index >> 2
        ));
    }
    text
}

/// `manifest` as `effect.toml` in `dir`, with `images/hat.png` (64×32) and
/// `luts/warm.cube` beside it.
pub fn write_bundle(dir: &Path, manifest: &str) {
    std::fs::create_dir_all(dir.join("images")).unwrap();
    std::fs::create_dir_all(dir.join("luts")).unwrap();
    std::fs::write(dir.join("effect.toml"), manifest).unwrap();
    write_png(&dir.join("images/hat.png"), 64, 32);
    std::fs::write(dir.join("luts/warm.cube"), cube()).unwrap();
}
