//! `lensmith render` on clips, as a user runs it: a Y4M clip and its reports, a layer on a
//! one-frame trigger over a second of video, Ctrl-C midway, a video cut short or of odd
//! size, an mp4's audio kept, and a clip broken midway leaving no output.

#[path = "support/bundle.rs"]
mod bundle;
#[path = "support/render.rs"]
#[allow(dead_code)] // the still-photo checks are for render_cli.rs
mod render_support;

use std::process::Command;

use bundle::printed;
use effect_api::Frame;
use lensmith_runtime::video::create_sink;
use lensmith_testkit::TempDir;
use serde_json::Value;

use render_support::{
    PAINT_MANIFEST, assert_success, changed_share, face_box, listing, paint_bundle, read_frames,
    render, render_successfully, streams, write_clip, write_paint_bundle,
};

#[test]
fn paints_a_y4m_clip_and_reports_its_stages() {
    let Some(cache) = lensmith_testkit::cache_or_skip("paints_a_y4m_clip_and_reports_its_stages")
    else {
        return;
    };
    let work = TempDir::new("render-y4m");
    let bundle = paint_bundle();
    let photo = lensmith_testkit::astronaut(&cache);
    let (clip, out, json) = (
        work.join("clip.y4m"),
        work.join("painted.y4m"),
        work.join("report.json"),
    );
    write_clip(&clip, &photo, 6);
    let output = render(&[
        bundle.as_os_str(),
        clip.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--report".as_ref(),
        "--json-report".as_ref(),
        json.as_os_str(),
    ]);
    assert_success(&output);
    let (before, after) = (read_frames(&clip), read_frames(&out));
    assert_eq!(after.len(), 6, "one output frame per input frame");
    // Y4M is 4:2:0, so compare the first frame's face only, not exact corners.
    let face = face_box(&cache, &before[0]);
    assert!(changed_share(&before[0], &after[0], face) > 0.1);

    let text = printed(&output);
    for expected in [
        "6 frame(s)",
        "faces per frame",
        "fps",
        "processing",
        "overall",
        "p50",
        "p95",
        "detect",
        "landmarks",
        "smoothing",
        "crop",
        "pose",
        "eyes",
        "expressions+triggers",
        "layer `",
        "render",
        "total",
        "peak memory",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["frames"], 6);
    assert!(
        report["fps"]["processing"]
            .as_f64()
            .is_some_and(|fps| fps > 0.0)
    );
    assert!(
        report["fps"]["overall"]
            .as_f64()
            .is_some_and(|fps| fps > 0.0)
    );
    let stages = report["stages_ms"].as_array().expect("stages_ms is a list");
    let total = stages
        .iter()
        .find(|stage| stage["stage"] == "total")
        .expect("a total stage");
    assert!(total["p95"].as_f64().unwrap() >= total["p50"].as_f64().unwrap());
    assert!(stages.iter().any(|stage| stage["stage"] == "layer"));
    if cfg!(target_os = "linux") {
        assert!(
            report["peak_memory_bytes"]
                .as_u64()
                .is_some_and(|bytes| bytes > 1 << 20)
        );
    }
}

#[test]
fn a_layer_on_a_one_frame_trigger_shows_for_a_second_of_video() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "a_layer_on_a_one_frame_trigger_shows_for_a_second_of_video",
    ) else {
        return;
    };
    let work = TempDir::new("render-momentary");
    let bundle = work.join("found");
    // The paint shows when the face is found: a trigger that is on for one frame only.
    let manifest = PAINT_MANIFEST.replace(
        "opacity = 0.9\n",
        "opacity = 0.9\ntrigger = \"found\"\n\n[[trigger]]\nname = \"found\"\nwhen = \"face_found\"\n",
    );
    write_paint_bundle(&bundle, &manifest);
    let photo = lensmith_testkit::astronaut(&cache);
    let (clip, out) = (work.join("clip.y4m"), work.join("out.y4m"));
    // 16 frames at 10 fps of the still face: it is found on the first and kept.
    let mut sink = create_sink(&clip, 10.0).unwrap();
    for _ in 0..16 {
        sink.write_frame(photo.view()).unwrap();
    }
    sink.finish().unwrap();
    render_successfully(&bundle, &clip, &out);
    let (before, after) = (read_frames(&clip), read_frames(&out));
    let shares: Vec<f64> = before
        .iter()
        .zip(&after)
        .map(|(input, output)| changed_share(input, output, face_box(&cache, input)))
        .collect();
    // Shown whole for a second (frames 0 to 9), then faded out within 150 ms.
    assert!(shares[..10].iter().all(|&share| share > 0.1), "{shares:?}");
    assert!(shares[12..].iter().all(|&share| share == 0.0), "{shares:?}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_midway_leaves_no_partial_file() {
    let Some(cache) = lensmith_testkit::cache_or_skip("ctrl_c_midway_leaves_no_partial_file")
    else {
        return;
    };
    let work = TempDir::new("render-interrupted");
    let photo = lensmith_testkit::astronaut(&cache);
    let clip = work.join("clip.y4m");
    let mut sink = create_sink(&clip, 30.0).unwrap();
    for _ in 0..150 {
        sink.write_frame(photo.view()).unwrap();
    }
    sink.finish().unwrap();
    let out = work.join("out");
    std::fs::create_dir(&out).unwrap();
    let output = out.join("painted.y4m");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lensmith"))
        .arg("render")
        .arg(paint_bundle())
        .arg(&clip)
        .arg("-o")
        .arg(&output)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Stopped once its partial output is there (the models loaded, frames being written).
    let started = std::time::Instant::now();
    while listing(&out).is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no partial output appeared"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "it ended before it was stopped"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let partial = listing(&out);
    assert!(partial[0].starts_with(".painted.partial-"), "{partial:?}");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopped = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&stopped.stderr);
    assert_eq!(stopped.status.code(), Some(130), "{text}");
    assert!(text.contains("unfinished output file(s) removed"), "{text}");
    assert_eq!(
        listing(&out),
        Vec::<String>::new(),
        "nothing is left: {text}"
    );
}

#[test]
fn a_video_cut_short_and_an_odd_size_padded_are_said() {
    if !lensmith_testkit::ffmpeg_or_skip("a_video_cut_short_and_an_odd_size_padded_are_said") {
        return;
    }
    let Some(cache) =
        lensmith_testkit::cache_or_skip("a_video_cut_short_and_an_odd_size_padded_are_said")
    else {
        return;
    };
    let work = TempDir::new("render-cut-short");
    let photo = lensmith_testkit::astronaut(&cache);
    // Cut from the photo to 471x471: odd on both sides.
    let view = photo.view();
    let pixels: Vec<u8> = (0..471)
        .flat_map(|y| (0..471).flat_map(move |x| view.rgb(x + 20, y + 20)))
        .collect();
    let odd = Frame::from_packed(pixels, 471, 471, effect_api::PixelFormat::Rgb8).unwrap();
    let clip = work.join("clip.y4m");
    let mut sink = create_sink(&clip, 10.0).unwrap();
    for _ in 0..30 {
        sink.write_frame(odd.view()).unwrap();
    }
    sink.finish().unwrap();
    // An MP4 with its index first (as web uploads have it), then cut to half. Motion JPEG,
    // whose frames stand alone: ffmpeg then decodes what is left and exits with success.
    let whole = work.join("whole.mp4");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&clip)
        .args([
            "-vf",
            "crop=470:470:0:0",
            "-c:v",
            "mjpeg",
            "-movflags",
            "+faststart",
        ])
        .arg(&whole)
        .status()
        .unwrap();
    assert!(made.success());
    let bytes = std::fs::read(&whole).unwrap();
    let cut = work.join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = work.join("out.mp4");
    let said_rendering =
        |input: &std::path::Path| printed(&render_successfully(&paint_bundle(), input, &out));
    let text = said_rendering(&cut);
    assert!(
        text.contains("cut.mp4 says it holds about 30 frames, but only"),
        "{text}"
    );
    assert!(!text.contains("the frames are"), "{text}");
    // The odd-sized clip itself, written as H.264.
    let text = said_rendering(&clip);
    assert!(
        text.contains("the frames are 471x471; H.264 takes only even sides")
            && text.contains("472x472"),
        "{text}"
    );
    assert!(!text.contains("says it holds"), "{text}");
}

#[test]
fn an_mp4_keeps_its_audio() {
    let test = "an_mp4_keeps_its_audio";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    if !lensmith_testkit::ffmpeg_or_skip(test) {
        return;
    }
    let work = TempDir::new("render-audio");
    let bundle = paint_bundle();
    let photo = lensmith_testkit::astronaut_path(&cache);
    let clip = work.join("clip.mp4");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-loop", "1", "-framerate", "10", "-i"])
        .arg(&photo)
        .args(["-f", "lavfi", "-i", "sine=frequency=440:duration=1"])
        .args(["-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .args(["-c:a", "aac", "-shortest"])
        .arg(&clip)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", printed(&made));
    assert_eq!(streams(&clip), ["h264,video", "aac,audio"]);

    let out = work.join("painted.mp4");
    let output = render_successfully(&bundle, &clip, &out);
    assert_eq!(streams(&out), ["h264,video", "aac,audio"], "AAC is copied");
    assert!(
        printed(&output).contains("audio copied (aac)"),
        "{}",
        printed(&output)
    );
    let frames = read_frames(&out);
    assert_eq!(frames.len(), 10);
    let original = lensmith_testkit::astronaut(&cache);
    let face = face_box(&cache, &original);
    assert!(changed_share(&read_frames(&clip)[5], &frames[5], face) > 0.1);

    // WebM cannot hold AAC: re-encoded to Opus.
    let webm = work.join("painted.webm");
    render_successfully(&bundle, &clip, &webm);
    assert_eq!(streams(&webm), ["vp9,video", "opus,audio"]);

    // A video without audio gives a video without audio.
    let silent = work.join("silent.mp4");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&clip)
        .args(["-an", "-c:v", "copy"])
        .arg(&silent)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", printed(&made));
    let out = work.join("painted-silent.mkv");
    render_successfully(&bundle, &silent, &out);
    assert_eq!(streams(&out), ["h264,video"]);
}

#[test]
fn a_clip_broken_midway_leaves_no_output() {
    let Some(cache) = lensmith_testkit::cache_or_skip("a_clip_broken_midway_leaves_no_output")
    else {
        return;
    };
    let work = TempDir::new("render-cut");
    let bundle = paint_bundle();
    let clip = work.join("clip.y4m");
    write_clip(&clip, &lensmith_testkit::astronaut(&cache), 4);
    // Cut the last frame in half: the reader fails on it after three good frames.
    let bytes = std::fs::read(&clip).unwrap();
    let frame = 512 * 512 * 3 / 2 + 6;
    std::fs::write(&clip, &bytes[..bytes.len() - frame / 2]).unwrap();
    let out = work.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let video = out.join("painted.y4m");
    let output = render(&[
        bundle.as_os_str(),
        clip.as_os_str(),
        "-o".as_ref(),
        video.as_os_str(),
    ]);
    assert!(!output.status.success(), "{}", printed(&output));
    assert!(
        printed(&output).contains("clip.y4m"),
        "{}",
        printed(&output)
    );
    assert!(listing(&out).is_empty(), "left behind: {:?}", listing(&out));
}
