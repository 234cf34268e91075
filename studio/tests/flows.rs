//! The studio's main flows on a scratch copy of the shipped face paint, with a fake preview
//! in place of the worker (no models needed): opening a bundle shows its layers, toggling a
//! layer and moving a slider reach the preview, a broken `effect.toml` shows its problems
//! at their line until the fix reloads, saving writes the values into the manifest, and
//! exporting packs and signs the bundle or lists its problems.
//! Widgets are found and clicked in iced_test's simulator; the messages it records go
//! through the studio's `update` as the runtime would send them.

#[path = "support/studio.rs"]
mod support;

use effect_api::plugin::Value;
use iced_test::simulator;
use lensmith_runtime::bundle::archive::{self, ArchiveLimits};
use lensmith_runtime::bundle::{signing, validate};
use lensmith_studio::app::Message;
use lensmith_studio::config::StudioConfig;
use lensmith_studio::preview_bridge::{
    FakePreview, FrameUpdate, OpenRequest, PreviewCommand, PreviewEvent, PreviewImage,
};
use lensmith_studio::screen::{export, layers, problems, toolbar};
use lensmith_studio::stats::StageTimes;
use support::{Scratch, interact, opened_event, reloaded_event, shows, studio, tick};

/// A studio that opened the scratch face paint through its toolbar, as a user would.
fn opened_studio(scratch: &Scratch, fake: &FakePreview) -> lensmith_studio::Studio {
    let mut studio = studio(fake, &scratch.config, None);
    for message in [
        toolbar::Message::BundleEdited(scratch.bundle.display().to_string()),
        toolbar::Message::SourceEdited("astronaut.png".into()),
        toolbar::Message::Open,
    ] {
        let _ = studio.update(Message::Toolbar(message));
    }
    fake.push_event(opened_event(scratch, true));
    tick(&mut studio);
    studio
}

#[test]
fn opening_a_bundle_shows_its_layers_and_remembers_it() {
    let scratch = Scratch::new("studio-open", "face-paint");
    let fake = FakePreview::new();
    let mut studio = support::studio(&fake, &scratch.config, None);
    assert!(shows(&studio, "Open a bundle to see its layers."));

    // Typed paths, then the Open button clicked in the simulator.
    let _ = studio.update(Message::Toolbar(toolbar::Message::BundleEdited(
        scratch.bundle.display().to_string(),
    )));
    let _ = studio.update(Message::Toolbar(toolbar::Message::SourceEdited(
        "astronaut.png".into(),
    )));
    let messages = interact(&mut studio, |ui| {
        ui.click("Open").expect("the toolbar has an Open button");
    });
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        fake.opened(),
        [OpenRequest {
            bundle: scratch.bundle.clone(),
            source: "astronaut.png".into(),
        }]
    );

    fake.push_event(opened_event(&scratch, true));
    tick(&mut studio);
    let names: Vec<&str> = studio
        .layers()
        .layers()
        .iter()
        .map(|layer| layer.name.as_str())
        .collect();
    assert_eq!(names, ["paint", "sparkles"]);
    for text in [
        "paint",
        "sparkles",
        "face_mask",
        "sticker",
        "while smiling",
        "opacity",
        "0.85",
        // The size the worker reported against the manifest's `[budget] max_total_mb = 4.0`.
        "bundle 3.00 MiB of 4 MiB (75%)",
        "a still",
        "drawn by cpu",
    ] {
        assert!(shows(&studio, text), "the view should show {text:?}");
    }
    // A still: looping is set, nothing is played.
    assert_eq!(fake.take_commands(), [PreviewCommand::SetLooping(true)]);
    assert!(
        studio.status().contains("Face Paint"),
        "{}",
        studio.status()
    );

    let remembered = StudioConfig::load(&scratch.config).unwrap();
    assert_eq!(
        remembered.recent_bundles,
        std::slice::from_ref(&scratch.bundle)
    );
    assert_eq!(
        remembered.last_source.as_deref(),
        Some("astronaut.png".as_ref())
    );
}

#[test]
fn toggling_a_layer_switches_it_in_the_preview() {
    let scratch = Scratch::new("studio-toggle", "face-paint");
    let fake = FakePreview::new();
    let mut studio = opened_studio(&scratch, &fake);
    fake.take_commands();

    interact(&mut studio, |ui| {
        ui.click("paint")
            .expect("the paint layer has a checkbox labelled with its name");
    });
    assert_eq!(
        fake.take_commands(),
        [PreviewCommand::SetLayerEnabled {
            layer: "paint".into(),
            enabled: false,
        }]
    );
    assert!(!studio.layers().layers()[0].enabled);

    interact(&mut studio, |ui| {
        ui.click("paint").unwrap();
    });
    assert_eq!(
        fake.take_commands(),
        [PreviewCommand::SetLayerEnabled {
            layer: "paint".into(),
            enabled: true,
        }]
    );
}

#[test]
fn moving_a_slider_sets_the_parameter_and_a_reload_keeps_it() {
    let scratch = Scratch::new("studio-slider", "face-paint");
    let fake = FakePreview::new();
    let mut studio = opened_studio(&scratch, &fake);
    fake.take_commands();

    // The slider reports values through its on_change; 1.7 is past its range.
    let _ = studio.update(Message::Layers(layers::Message::Changed(
        0,
        0,
        Value::Float(1.7),
    )));
    assert_eq!(
        fake.take_commands(),
        [PreviewCommand::SetParameter {
            layer: "paint".into(),
            name: "opacity".into(),
            value: Value::Float(1.0),
        }]
    );
    let _ = studio.update(Message::Layers(layers::Message::Changed(
        0,
        0,
        Value::Float(0.4),
    )));
    assert!(shows(&studio, "0.40"));

    // The worker keeps the designer's values across a reload; so does the list.
    fake.push_event(reloaded_event(&scratch, "textures/face_paint.png", 12.0));
    tick(&mut studio);
    assert_eq!(
        studio.layers().layers()[0].parameters[0].value,
        Value::Float(0.4)
    );
    assert!(
        studio.status().contains("textures/face_paint.png"),
        "{}",
        studio.status()
    );
}

#[test]
fn a_broken_manifest_shows_its_problem_at_its_line_until_fixed() {
    let scratch = Scratch::new("studio-broken", "face-paint");
    let fake = FakePreview::new();
    let mut studio = opened_studio(&scratch, &fake);
    let good = scratch.manifest_text();

    // The real validator's findings on a real broken edit: a misspelt key.
    let broken = good.replace("blend = \"normal\"", "blnd = \"normal\"");
    assert_ne!(broken, good);
    std::fs::write(scratch.manifest_path(), &broken).unwrap();
    let files = archive::read_dir(&scratch.bundle, &ArchiveLimits::default()).unwrap();
    let label = format!("{}/", scratch.bundle.display());
    let report = validate(&files.files, &label, None);
    assert!(!report.diagnostics.is_empty());
    let line = broken
        .lines()
        .position(|line| line.starts_with("blnd"))
        .unwrap()
        + 1;
    fake.push_event(PreviewEvent::LoadFailed {
        message: "broken".into(),
        diagnostics: report.diagnostics.clone(),
    });
    tick(&mut studio);

    let shown = problems::diagnostic_line(&report.diagnostics[0]);
    assert!(
        shown.contains(&format!("effect.toml:{line}:1: ")),
        "{shown} should name line {line}"
    );
    assert!(
        shows(&studio, &shown),
        "the problems panel should show {shown:?}"
    );
    assert!(
        studio.status().contains("last good version"),
        "{}",
        studio.status()
    );
    // The layers of the last good version stay.
    assert_eq!(studio.layers().layers().len(), 2);

    // Clicking the line copies it.
    let messages = interact(&mut studio, |ui| {
        ui.click(shown.as_str()).unwrap();
    });
    assert_eq!(
        messages
            .iter()
            .filter(
                |m| matches!(m, Message::Problems(problems::Message::Copy(line)) if *line == shown)
            )
            .count(),
        1,
        "{messages:?}"
    );
    assert!(shows(&studio, &format!("copied: {shown}")));

    // The fix reloads and clears the panel.
    std::fs::write(scratch.manifest_path(), &good).unwrap();
    fake.push_event(reloaded_event(&scratch, "effect.toml", 30.0));
    tick(&mut studio);
    assert!(studio.problems().is_empty());
    assert!(!shows(&studio, &shown));
}

#[test]
fn saving_writes_the_values_into_effect_toml_keeping_its_comments() {
    let scratch = Scratch::new("studio-save", "face-paint");
    let fake = FakePreview::new();
    let mut studio = opened_studio(&scratch, &fake);
    let before = scratch.manifest_text();
    let _ = studio.update(Message::Layers(layers::Message::Changed(
        0,
        0,
        Value::Float(0.5),
    )));
    interact(&mut studio, |ui| {
        ui.click("Save").unwrap();
    });
    let after = scratch.manifest_text();
    let expected = before
        .replace("opacity = 0.85\n", "opacity = 0.5\n")
        .replace("default = 0.85", "default = 0.5");
    assert_eq!(after, expected);
    assert!(after.starts_with("# Face paint:"));
    assert!(
        studio.status().starts_with("Saved 1 parameter(s)"),
        "{}",
        studio.status()
    );
}

#[test]
fn frames_are_shown_and_timed() {
    let scratch = Scratch::new("studio-frames", "face-paint");
    let fake = FakePreview::new();
    let mut studio = opened_studio(&scratch, &fake);
    let image = PreviewImage::from_rgb(2, 2, &[200; 12]);
    for index in 0..3 {
        fake.offer_frame(FrameUpdate {
            index,
            generation: 1,
            time_s: index as f64 / 30.0,
            rendered: image.clone(),
            source: image.clone(),
            times: StageTimes {
                stages: vec![("detect".into(), 1.0), ("layer paint".into(), 2.0)],
                total_ms: 8.0,
                faces: 1,
            },
            faces: Vec::new(),
            events: Vec::new(),
        });
        // Two offers between polls: only the newest is taken.
        if index == 1 {
            continue;
        }
        tick(&mut studio);
    }
    assert_eq!(studio.frames_shown(), 2);
    assert_eq!(studio.viewer().frame().map(|frame| frame.index), Some(2));
    let summary = studio.performance().window().summary();
    let names: Vec<&str> = summary.iter().map(|stage| stage.name.as_str()).collect();
    assert_eq!(names, ["detect", "layer paint", "total"]);
    assert!(shows(&studio, "layer paint"));
    let mut ui = simulator(studio.view());
    assert!(ui.find("frame 2 · 0.07 s").is_ok());
}

#[test]
fn a_launch_that_fails_shows_why() {
    let scratch = Scratch::new("studio-refused", "face-paint");
    let fake = FakePreview::new();
    fake.refuse_next_launch("the face models are not set up");
    let studio = studio(
        &fake,
        &scratch.config,
        Some(OpenRequest {
            bundle: scratch.bundle.clone(),
            source: "nowhere.png".into(),
        }),
    );
    assert_eq!(
        studio.problems().errors(),
        ["the face models are not set up"]
    );
    assert!(shows(&studio, "the face models are not set up"));
}

#[test]
fn exporting_validates_packs_and_signs_or_lists_the_problems() {
    let scratch = Scratch::new("studio-export", "face-paint");
    let fake = FakePreview::new();
    let mut studio = opened_studio(&scratch, &fake);
    let out = scratch.dir.join("face-paint.effect");
    let request = studio.export().request().expect("a bundle is open");
    assert_eq!(request.out, out, "exports go beside the bundle folder");

    // Signed with a fresh key; the packed file verifies against its public half.
    let key = signing::generate_key().unwrap();
    let key_path = scratch.dir.join("studio.key");
    signing::write_secret_key(&key_path, &key).unwrap();
    let _ = studio.update(Message::Export(export::Message::KeyEdited(
        key_path.display().to_string(),
    )));
    let request = studio.export().request().unwrap();
    let report = export::export(&request).expect("the shipped face paint exports");
    assert_eq!(report.out, out);
    assert_eq!(report.signer, Some(signing::key_id(&key.verifying_key())));
    let limits = ArchiveLimits::requiring_signature_by(key.verifying_key());
    let packed = archive::read(&out, &limits).expect("the export reads back, signed");
    assert!(packed.files.contains_key("effect.toml"));
    let _ = studio.update(Message::Export(export::Message::Finished(Ok(
        report.clone()
    ))));
    assert!(shows(
        &studio,
        &format!(
            "{}: {} file(s), {} bytes, signed by {}",
            out.display(),
            report.files,
            report.bytes,
            report.signer.as_deref().unwrap()
        )
    ));

    // A broken bundle is not packed; its problems are listed at their lines.
    std::fs::remove_file(&out).unwrap();
    let broken = scratch
        .manifest_text()
        .replace("trigger = \"smiling\"", "trigger = \"smilng\"");
    std::fs::write(scratch.manifest_path(), broken).unwrap();
    let failure = export::export(&request).unwrap_err();
    let export::ExportFailure::Invalid(diagnostics) = &failure else {
        panic!("{failure:?}")
    };
    assert!(!out.exists(), "nothing is written for a broken bundle");
    let line = problems::diagnostic_line(&diagnostics[0]);
    assert!(
        line.contains("effect.toml:") && line.contains("smilng"),
        "{line}"
    );
    let _ = studio.update(Message::Export(export::Message::Finished(Err(
        failure.clone()
    ))));
    assert!(shows(&studio, "Not exported: 1 problem(s)"));
    assert!(shows(&studio, &line));
}

#[test]
fn dropping_a_bundle_folder_and_a_photo_opens_them() {
    let scratch = Scratch::new("studio-drop", "face-paint");
    let fake = FakePreview::new();
    let mut studio = support::studio(&fake, &scratch.config, None);
    // The folder alone: it fills the bundle, and the status asks for a source.
    let _ = studio.update(Message::FileDropped(scratch.bundle.clone()));
    assert!(fake.opened().is_empty());
    assert!(
        studio.status().contains("to preview on"),
        "{}",
        studio.status()
    );
    // Then a photo: both are known, so it opens.
    let photo = scratch.dir.join("portrait.png");
    std::fs::write(&photo, b"read by the worker, not here").unwrap();
    let _ = studio.update(Message::FileDropped(photo.clone()));
    assert_eq!(
        fake.opened(),
        [OpenRequest {
            bundle: scratch.bundle.clone(),
            source: photo,
        }]
    );
}
