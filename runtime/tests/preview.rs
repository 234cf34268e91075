//! The preview worker as an authoring tool drives it: the shipped face paint on the sample
//! photo, a layer switched off and on, a broken edit reported with its place while the last
//! good version plays on, the fix reloaded; and a clip played, paused and stepped.

use std::time::{Duration, Instant};

use lensmith_runtime::preview::{
    PreviewCommand, PreviewEvent, PreviewFrame, PreviewSettings, PreviewWorker,
};
use lensmith_runtime::render::Renderer;
use lensmith_runtime::render::cpu::CpuRenderer;
use lensmith_runtime::video::create_sink;
use lensmith_testkit::{Motion, TempDir};

/// Generous: the worker loads the face models first on a busy machine.
const WAIT: Duration = Duration::from_secs(60);

fn cpu_renderers() -> lensmith_runtime::preview::RendererFactory {
    Box::new(|| Ok(Box::new(CpuRenderer::default()) as Box<dyn Renderer>))
}

/// Waits for an event that `wanted` accepts; panics with the events seen if none comes.
fn wait_for(worker: &PreviewWorker, wanted: impl Fn(&PreviewEvent) -> bool) -> PreviewEvent {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(event) = worker.wait_event(Duration::from_millis(100)) {
            if wanted(&event) {
                return event;
            }
            seen.push(event);
        }
    }
    panic!("the awaited event did not come; saw {seen:#?}");
}

/// Waits for a frame that `wanted` accepts.
fn frame_where(worker: &PreviewWorker, wanted: impl Fn(&PreviewFrame) -> bool) -> PreviewFrame {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(frame) = worker.latest_frame()
            && wanted(&frame)
        {
            return frame;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no such frame came");
}

#[test]
fn a_preview_follows_switches_and_edits_and_survives_a_broken_one() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "a_preview_follows_switches_and_edits_and_survives_a_broken_one",
    ) else {
        return;
    };
    let work = TempDir::new("preview-paint");
    let bundle = work.join("face-paint");
    lensmith_testkit::copy_folder(
        &lensmith_testkit::workspace_root().join("effects/face-paint"),
        &bundle,
        &[],
    );
    let settings = PreviewSettings::new(
        bundle.clone(),
        lensmith_testkit::astronaut_path(&cache),
        cache,
    );
    let worker = PreviewWorker::spawn(settings, cpu_renderers()).unwrap();
    let opened = wait_for(&worker, |event| {
        matches!(event, PreviewEvent::Opened { .. })
    });
    let PreviewEvent::Opened {
        layers,
        manifest: opened_manifest,
        bundle_bytes,
        still_images,
        ..
    } = opened
    else {
        unreachable!()
    };
    assert_eq!(layers, ["paint", "sparkles"]);
    assert_eq!(opened_manifest.effect.id, "dev.lensmith.face-paint");
    // Every file counts: the textures make it far larger than the manifest alone.
    let manifest_bytes = std::fs::metadata(bundle.join("effect.toml")).unwrap().len();
    assert!(
        bundle_bytes > 20 * manifest_bytes && bundle_bytes < 4 << 20,
        "{bundle_bytes} bytes"
    );
    assert!(still_images, "one photo is a still");

    let painted = frame_where(&worker, |_| true);
    assert_eq!(painted.stats.faces, 1);
    assert_eq!(painted.snapshot.faces.len(), 1);
    assert_eq!(painted.snapshot.faces[0].landmarks.len(), 468);
    assert_ne!(
        painted.rendered_rgba, *painted.source_rgba,
        "the paint shows"
    );

    worker.send(PreviewCommand::SetLayerEnabled {
        layer: "paint".to_owned(),
        enabled: false,
    });
    let bare = frame_where(&worker, |_| true);
    assert!(
        bare.rendered_rgba == *bare.source_rgba,
        "with the paint off, nothing is drawn on the photo"
    );

    // A broken edit: reported with its place, and the last good version plays on.
    let manifest = std::fs::read_to_string(bundle.join("effect.toml")).unwrap();
    std::fs::write(
        bundle.join("effect.toml"),
        manifest.replace("opacity = 0.85", "opacity = \"lots\""),
    )
    .unwrap();
    let failed = wait_for(&worker, |event| {
        matches!(event, PreviewEvent::LoadFailed { .. })
    });
    let PreviewEvent::LoadFailed { diagnostics, .. } = failed else {
        unreachable!()
    };
    assert!(
        diagnostics
            .iter()
            .any(|problem| problem.file.ends_with("effect.toml") && problem.line > 0),
        "{diagnostics:#?}"
    );
    worker.send(PreviewCommand::SetLayerEnabled {
        layer: "paint".to_owned(),
        enabled: true,
    });
    let still_good = frame_where(&worker, |_| true);
    assert_eq!(still_good.generation, painted.generation);
    assert!(
        still_good.rendered_rgba == painted.rendered_rgba,
        "the last good version"
    );

    // Fixed: reloaded, and the new version draws.
    std::fs::write(
        bundle.join("effect.toml"),
        // The layer's opacity and its parameter's default, which drives it.
        manifest.replace("0.85", "0.3"),
    )
    .unwrap();
    wait_for(&worker, |event| {
        matches!(event, PreviewEvent::Reloaded { .. })
    });
    let lighter = frame_where(&worker, |frame| frame.generation > painted.generation);
    assert!(
        lighter.rendered_rgba != painted.rendered_rgba,
        "the edit shows"
    );
    assert!(
        lighter.rendered_rgba != *lighter.source_rgba,
        "still painted"
    );
}

#[test]
fn a_clip_plays_pauses_and_steps() {
    let Some(cache) = lensmith_testkit::cache_or_skip("a_clip_plays_pauses_and_steps") else {
        return;
    };
    let work = TempDir::new("preview-clip");
    let clip = work.join("clip.y4m");
    let photo = lensmith_testkit::astronaut(&cache);
    let mut sink = create_sink(&clip, 30.0).unwrap();
    for index in 0..8 {
        let moved = Motion::sweep(index, 8, effect_api::Point2::new(256.0, 200.0)).render(&photo);
        sink.write_frame(moved.view()).unwrap();
    }
    sink.finish().unwrap();
    let settings = PreviewSettings::new(
        lensmith_testkit::workspace_root().join("effects/face-paint"),
        clip,
        cache,
    );
    let worker = PreviewWorker::spawn(settings, cpu_renderers()).unwrap();
    wait_for(&worker, |event| {
        matches!(event, PreviewEvent::Opened { .. })
    });
    // Playing: later frames come, and the clip loops.
    frame_where(&worker, |frame| frame.index >= 3);
    wait_for(&worker, |event| *event == PreviewEvent::SourceLength(8));
    worker.send(PreviewCommand::Seek(2));
    frame_where(&worker, |frame| frame.index == 2);
    worker.send(PreviewCommand::Step);
    let stepped = frame_where(&worker, |_| true);
    assert_eq!(stepped.index, 3, "a step shows the next frame");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        worker.latest_frame().is_none(),
        "paused: no new frame without a change"
    );
}
