//! `lensmith bench` run as a user runs it, on inputs it must refuse before timing anything.

use std::process::Command;

use effect_api::Frame;
use lensmith_runtime::video::create_sink;
use lensmith_testkit::TempDir;

/// Writes a grey PNG of `width` x `height` at `path`.
fn write_png(path: &std::path::Path, width: u32, height: u32) {
    let mut sink = create_sink(path, 30.0).unwrap();
    sink.write_frame(
        Frame::filled(width, height, [128, 128, 128])
            .unwrap()
            .view(),
    )
    .unwrap();
    sink.finish().unwrap();
}

#[test]
fn a_folder_of_photos_of_two_sizes_is_refused_by_name_not_a_panic() {
    if lensmith_testkit::cache_or_skip(
        "a_folder_of_photos_of_two_sizes_is_refused_by_name_not_a_panic",
    )
    .is_none()
    {
        return;
    }
    let tmp = TempDir::new("bench-two-sizes");
    let folder = tmp.join("photos");
    std::fs::create_dir_all(&folder).unwrap();
    write_png(&folder.join("1.png"), 64, 48);
    write_png(&folder.join("2.png"), 48, 64);
    for effect in [None, Some("../effects/face-paint")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lensmith"));
        command.arg("bench").arg(&folder).args(["--warmup", "0"]);
        if let Some(effect) = effect {
            command
                .arg("--effect")
                .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(effect));
        }
        let output = command.output().unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{effect:?}: {text}");
        assert!(!text.contains("panicked"), "{effect:?}: {text}");
        assert!(
            text.contains("frame 1 is 48x64, but the first is 64x48"),
            "{effect:?}: {text}"
        );
    }
}
