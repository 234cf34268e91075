//! The studio on the runtime's real preview worker (face models needed; skipped with a
//! reason without them): the shipped face paint on the sample photo shows its layers and
//! a rendered frame; switching the paint off and moving its opacity change the frame; a
//! broken edit of `effect.toml` shows its problem at its line while frames keep coming,
//! and the fix clears it; a bundle broken from the start opens once fixed.

#[path = "support/studio.rs"]
mod support;

use std::time::{Duration, Instant};

use effect_api::plugin::Value;
use iced::widget::image::Handle;
use lensmith_runtime::bundle::manifest_edit::FieldValue;
use lensmith_runtime::models::AssetCache;
use lensmith_studio::app::Message;
use lensmith_studio::config::StudioConfig;
use lensmith_studio::preview_bridge::{OpenRequest, RendererChoice, runtime_launcher};
use lensmith_studio::screen::{layers, toolbar};
use lensmith_studio::{Options, Studio};
use support::{Scratch, shows, tick};

/// Generous: the worker loads the face models first on a busy machine.
const WAIT: Duration = Duration::from_secs(90);

/// Polls as the subscription does until `done` holds; panics with `what` after `WAIT`.
fn poll_until(studio: &mut Studio, what: &str, done: impl Fn(&Studio) -> bool) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        tick(studio);
        if done(studio) {
            return;
        }
        std::thread::sleep(Duration::from_millis(15));
    }
    panic!(
        "{what} did not happen; status {:?}, problems {:?}",
        studio.status(),
        studio.problems().lines()
    );
}

/// The shown frame's pixels.
fn rendered_pixels(studio: &Studio) -> Vec<u8> {
    match &studio
        .viewer()
        .frame()
        .expect("a frame is shown")
        .rendered
        .handle
    {
        Handle::Rgba { pixels, .. } => pixels.to_vec(),
        other => panic!("the preview should be RGBA pixels, not {other:?}"),
    }
}

/// How many RGBA pixels differ by more than 24 in some channel.
fn changed_pixels(a: &[u8], b: &[u8]) -> usize {
    a.chunks_exact(4)
        .zip(b.chunks_exact(4))
        .filter(|(x, y)| x.iter().zip(*y).any(|(p, q)| p.abs_diff(*q) > 24))
        .count()
}

fn mean_difference(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(x.abs_diff(*y)))
        .sum::<f64>()
        / a.len() as f64
}

/// A studio on the real worker (CPU renderer) playing the scratch bundle on the photo.
fn live_studio(scratch: &Scratch, cache: &AssetCache) -> Studio {
    let (studio, _) = Studio::new(Options {
        launcher: runtime_launcher(RendererChoice::Cpu),
        config: StudioConfig::default(),
        config_path: Some(scratch.config.clone()),
        open: Some(OpenRequest {
            bundle: scratch.bundle.clone(),
            source: lensmith_testkit::astronaut_path(cache),
        }),
        ready_file: None,
        overlays: Default::default(),
        compare: Default::default(),
        folded: Default::default(),
    });
    studio
}

#[test]
fn the_face_paint_plays_on_the_photo_follows_edits_and_survives_a_broken_one() {
    let test = "the_face_paint_plays_on_the_photo_follows_edits_and_survives_a_broken_one";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let scratch = Scratch::new("studio-live", "face-paint");
    let mut studio = live_studio(&scratch, &cache);
    poll_until(&mut studio, "the first frame", |studio| {
        studio.frames_shown() > 0 && !studio.layers().layers().is_empty()
    });
    assert!(
        studio.problems().is_empty(),
        "{:?}",
        studio.problems().lines()
    );
    assert!(shows(&studio, "paint") && shows(&studio, "sparkles"));
    let frame = studio.viewer().frame().unwrap();
    assert_eq!(frame.faces.len(), 1, "the photo has one face");
    assert_eq!(frame.faces[0].landmarks.len(), 468);
    let painted = rendered_pixels(&studio);
    let source = match &frame.source.handle {
        Handle::Rgba { pixels, .. } => pixels.to_vec(),
        other => panic!("{other:?}"),
    };
    // The paint covers part of the face: a few thousand of the photo's 262 144 pixels.
    let changed = changed_pixels(&painted, &source);
    assert!(
        changed > 2000,
        "the paint should show: {changed} pixels changed"
    );
    let painted_vs_source = mean_difference(&painted, &source);

    // The paint switched off: the frame is the photo again.
    let _ = studio.update(Message::Layers(layers::Message::Toggled(0, false)));
    let shown = studio.frames_shown();
    poll_until(&mut studio, "a frame without paint", |studio| {
        studio.frames_shown() > shown && changed_pixels(&rendered_pixels(studio), &source) == 0
    });
    let _ = studio.update(Message::Layers(layers::Message::Toggled(0, true)));
    // Half the opacity: about half as far from the photo.
    let _ = studio.update(Message::Layers(layers::Message::Changed(
        0,
        0,
        Value::Float(0.425),
    )));
    poll_until(&mut studio, "a half-painted frame", |studio| {
        let difference = mean_difference(&rendered_pixels(studio), &source);
        difference > 0.3 * painted_vs_source && difference < 0.7 * painted_vs_source
    });

    // A broken edit: its problem at its line; the last good version keeps playing.
    let good = scratch.manifest_text();
    let broken = good.replace("blend = \"normal\"", "blend = \"normall\"");
    let line = broken
        .lines()
        .position(|line| line.contains("normall"))
        .unwrap()
        + 1;
    std::fs::write(scratch.manifest_path(), &broken).unwrap();
    poll_until(&mut studio, "the broken edit's report", |studio| {
        studio.problems().reload_failure().is_some()
    });
    let lines = studio.problems().lines();
    assert!(
        lines
            .iter()
            .any(|shown| shown.contains(&format!("effect.toml:{line}:"))),
        "a problem should name effect.toml line {line}: {lines:?}"
    );
    assert_eq!(studio.layers().layers().len(), 2);
    let _ = studio.update(Message::Layers(layers::Message::Changed(
        0,
        0,
        Value::Float(0.85),
    )));
    let shown = studio.frames_shown();
    poll_until(&mut studio, "frames of the last good version", |studio| {
        studio.frames_shown() > shown
    });

    // The fix: reloaded, the panel clears.
    std::fs::write(scratch.manifest_path(), &good).unwrap();
    poll_until(&mut studio, "the fix's reload", |studio| {
        studio.problems().is_empty()
    });
    assert!(
        studio.status().starts_with("Reloaded"),
        "{}",
        studio.status()
    );
}

#[test]
fn a_bundle_broken_from_the_start_opens_once_fixed() {
    let test = "a_bundle_broken_from_the_start_opens_once_fixed";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let scratch = Scratch::new("studio-live-broken", "face-paint");
    let good = scratch.manifest_text();
    std::fs::write(
        scratch.manifest_path(),
        good.replace("trigger = \"smiling\"", "trigger = \"smilng\""),
    )
    .unwrap();
    let mut studio = live_studio(&scratch, &cache);
    poll_until(&mut studio, "the report of the broken bundle", |studio| {
        studio.problems().reload_failure().is_some()
    });
    assert!(studio.layers().layers().is_empty());
    assert!(
        studio.status().contains("cannot be opened"),
        "{}",
        studio.status()
    );
    let lines = studio.problems().lines();
    assert!(
        lines.iter().any(|line| line.contains("smilng")),
        "{lines:?}"
    );

    std::fs::write(scratch.manifest_path(), &good).unwrap();
    poll_until(&mut studio, "the fixed bundle's first frame", |studio| {
        studio.frames_shown() > 0 && studio.layers().layers().len() == 2
    });
    assert!(
        studio.problems().is_empty(),
        "{:?}",
        studio.problems().lines()
    );
}

#[test]
fn an_edit_made_in_the_layer_editor_reloads_the_real_worker_and_so_does_its_undo() {
    let test = "an_edit_made_in_the_layer_editor_reloads_the_real_worker_and_so_does_its_undo";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let scratch = Scratch::new("studio-live-edit", "face-paint");
    let mut studio = live_studio(&scratch, &cache);
    poll_until(&mut studio, "the first frame", |studio| {
        studio.frames_shown() > 0 && !studio.layers().layers().is_empty()
    });
    let painted = rendered_pixels(&studio);

    // The paint's blend set to `screen` in the editor: written, reloaded by the worker's
    // watcher, and drawn otherwise.
    let _ = studio.update(Message::Layers(layers::Message::FieldSet(
        0,
        "blend".into(),
        FieldValue::Text("screen".into()),
    )));
    assert!(scratch.manifest_text().contains("blend = \"screen\""));
    poll_until(
        &mut studio,
        "the edit's reload and a frame drawn with it",
        |studio| {
            studio.status().starts_with("Reloaded")
                && changed_pixels(&rendered_pixels(studio), &painted) > 1000
        },
    );
    eprintln!(
        "pixels the screen blend changed: {}",
        changed_pixels(&rendered_pixels(&studio), &painted)
    );

    // Undone: the file as it was, reloaded, drawn as before.
    let original = std::fs::read_to_string(
        lensmith_testkit::workspace_root().join("effects/face-paint/effect.toml"),
    )
    .unwrap();
    let _ = studio.update(Message::Toolbar(toolbar::Message::Undo));
    assert_eq!(scratch.manifest_text(), original);
    poll_until(&mut studio, "the undo's reload", |studio| {
        changed_pixels(&rendered_pixels(studio), &painted) == 0
    });
}
