//! An effect authored entirely through the studio, as a designer would, without touching
//! `effect.toml`: New from the mask template, a sticker layer added, its image chosen,
//! anchored to a landmark clicked on the preview, a smile trigger added and its level
//! dragged on the meter, undo and redo, then exported signed. The result validates, keeps
//! the comments the template wrote, and plays (face models needed for that last part;
//! skipped with the reason otherwise).
//! Buttons are clicked in iced_test's simulator; what the simulator cannot do (type into
//! pick lists, run a native file dialog or drag on a canvas) is sent as the message the
//! widget sends, and the fake preview reports each load as the worker would.

#[path = "support/studio.rs"]
mod support;

use lensmith_runtime::bundle::archive::{self, ArchiveLimits};
use lensmith_runtime::bundle::{signing, validate};
use lensmith_runtime::golden;
use lensmith_studio::Studio;
use lensmith_studio::app::Message;
use lensmith_studio::preview_bridge::{FaceOverlay, FakePreview, FrameUpdate, PreviewImage};
use lensmith_studio::screen::golden as golden_panel;
use lensmith_studio::screen::{export, layers, new_effect, toolbar, triggers, viewer};
use lensmith_studio::stats::StageTimes;
use lensmith_testkit::TempDir;
use support::{interact, manifest_text_of, opened_event_of, reloaded_event_of, shows, tick};

/// A frame with one face whose landmark 151 (the forehead's centre) is at (200, 80) and
/// whose smile scores `smile`.
fn frame_with_face(smile: f32) -> FrameUpdate {
    let mut landmarks: Vec<[f32; 2]> = (0..468)
        .map(|index| {
            [
                100.0 + (index % 20) as f32 * 10.0,
                120.0 + (index / 20) as f32 * 8.0,
            ]
        })
        .collect();
    landmarks[151] = [200.0, 80.0];
    let picture = PreviewImage::from_rgba(400, 400, vec![90u8; 400 * 400 * 4]);
    FrameUpdate {
        index: 0,
        generation: 1,
        time_s: 0.0,
        rendered: picture.clone(),
        source: picture,
        times: StageTimes::default(),
        faces: vec![FaceOverlay {
            id: 1,
            landmarks,
            scores: vec![("smile".to_owned(), smile)],
            ..FaceOverlay::default()
        }],
        events: Vec::new(),
    }
}

/// Runs one update and lets the fake worker report the reload the watcher would make.
fn edit(studio: &mut Studio, fake: &FakePreview, bundle: &std::path::Path, message: Message) {
    let _ = studio.update(message);
    fake.push_event(reloaded_event_of(bundle, "effect.toml", 9.0));
    tick(studio);
}

#[test]
fn an_effect_is_authored_in_the_studio_from_new_to_a_signed_export() {
    let dir = TempDir::new("studio-authoring");
    let fake = FakePreview::new();
    let config = dir.join("config/studio.toml");
    let mut studio = support::studio(&fake, &config, None);
    let photo = dir.join("photo.png");
    std::fs::write(&photo, b"not read by the fake preview").unwrap();
    let _ = studio.update(Message::Toolbar(toolbar::Message::SourceEdited(
        photo.display().to_string(),
    )));

    // New, from the mask template.
    interact(&mut studio, |ui| {
        ui.click("New…").expect("the toolbar has New…");
    });
    assert!(shows(&studio, "New effect"));
    for message in [
        new_effect::Message::NameTyped("Smile Hat".into()),
        new_effect::Message::TemplateChosen("mask".into()),
        new_effect::Message::FolderTyped(dir.path().display().to_string()),
    ] {
        let _ = studio.update(Message::NewEffect(message));
    }
    interact(&mut studio, |ui| {
        ui.click("Create").expect("the New panel has Create");
    });
    let bundle = dir.join("smile-hat");
    assert!(bundle.join("effect.toml").is_file(), "{}", studio.status());
    assert_eq!(
        fake.opened().last().map(|request| request.bundle.clone()),
        Some(bundle.clone())
    );
    fake.push_event(opened_event_of(&bundle, true));
    tick(&mut studio);
    assert!(shows(&studio, "mask"));
    let template_comment = "# Tunable live in the studio";
    assert!(manifest_text_of(&bundle).contains(template_comment));

    // A sticker layer, added from its kind.
    let _ = studio.update(Message::Layers(layers::Message::AddKindChosen(
        "sticker".into(),
    )));
    interact(&mut studio, |ui| {
        ui.click("Add layer")
            .expect("the layers panel has Add layer");
    });
    fake.push_event(reloaded_event_of(&bundle, "effect.toml", 9.0));
    tick(&mut studio);
    let names: Vec<&str> = studio
        .layers()
        .layers()
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(names, ["mask", "sticker"]);

    // Its image chosen: the file dialog's answer is a path; the file is copied in.
    let hat = dir.join("Party Hat.png");
    std::fs::write(
        &hat,
        lensmith_templates::file("sticker", "stickers/sparkles.png").unwrap(),
    )
    .unwrap();
    edit(
        &mut studio,
        &fake,
        &bundle,
        Message::AssetChosen {
            layer: "sticker".into(),
            field: "image".into(),
            path: Some(hat.clone()),
        },
    );
    assert!(bundle.join("stickers/party-hat.png").is_file());
    assert!(manifest_text_of(&bundle).contains("image = \"stickers/party-hat.png\""));

    // Anchored by clicking landmark 151 on the preview.
    let _ = studio.update(Message::Layers(layers::Message::Expand(1)));
    interact(&mut studio, |ui| {
        ui.click("Pick on face")
            .expect("a sticker's anchor can be picked");
    });
    assert!(studio.viewer().placing());
    fake.offer_frame(frame_with_face(0.8));
    tick(&mut studio);
    let face = &studio.viewer().frame().unwrap().faces[0];
    let clicked = viewer::anchor_pick::nearest_landmark(face, [199.0, 82.0]);
    assert_eq!(clicked, Some(151));
    edit(
        &mut studio,
        &fake,
        &bundle,
        Message::Viewer(viewer::Message::AnchorPicked(clicked.unwrap())),
    );
    assert!(manifest_text_of(&bundle).contains("anchor = [151]"));
    assert!(!studio.viewer().placing(), "a pick ends the placing");
    // Scrolled once over the picture while placing again: scaled by 1.1.
    let _ = studio.update(Message::Layers(layers::Message::PickAnchor(1)));
    edit(
        &mut studio,
        &fake,
        &bundle,
        Message::Viewer(viewer::Message::StickerScaled(1.1)),
    );
    assert!(
        manifest_text_of(&bundle).contains("scale = 1.1\n"),
        "{}",
        manifest_text_of(&bundle)
    );

    // Its scale made a live parameter, starting where the wheel left it.
    for message in [
        layers::Message::ParameterNameTyped("scale".into()),
        layers::Message::AddParameter(1),
    ] {
        let _ = studio.update(Message::Layers(message));
    }
    fake.push_event(reloaded_event_of(&bundle, "effect.toml", 9.0));
    tick(&mut studio);
    assert!(
        manifest_text_of(&bundle).ends_with(
            "\n[[layer.parameter]]\nname = \"scale\"\ntype = \"float\"\nmin = 0.05\nmax = 4.0\ndefault = 1.1\n"
        ),
        "{}",
        manifest_text_of(&bundle)
    );
    assert_eq!(studio.layers().layers()[1].parameters[0].name, "scale");

    // A smile trigger, the sticker shown by it, and its `on` level dragged on the meter.
    let _ = studio.update(Message::Triggers(triggers::Message::AddSignalChosen(
        "smile".into(),
    )));
    interact(&mut studio, |ui| {
        ui.click("Add trigger")
            .expect("the triggers panel has Add trigger");
    });
    fake.push_event(reloaded_event_of(&bundle, "effect.toml", 9.0));
    tick(&mut studio);
    assert_eq!(studio.triggers().rules()[0].name, "smile");
    edit(
        &mut studio,
        &fake,
        &bundle,
        Message::Layers(layers::Message::FieldSet(
            1,
            "trigger".into(),
            lensmith_runtime::bundle::manifest_edit::FieldValue::Text("smile".into()),
        )),
    );
    // The meter shows where the face sits (0.80) and the levels.
    fake.offer_frame(frame_with_face(0.8));
    tick(&mut studio);
    assert!(shows(&studio, "on 0.60 off 0.40 · now 0.80"));
    let drag = |value| {
        Message::Triggers(triggers::Message::LevelDragged(
            0,
            triggers::Level::On,
            value,
        ))
    };
    let _ = studio.update(drag(0.70));
    let _ = studio.update(drag(0.74));
    edit(
        &mut studio,
        &fake,
        &bundle,
        Message::Triggers(triggers::Message::LevelReleased(0, triggers::Level::On)),
    );
    let tuned = manifest_text_of(&bundle);
    assert!(tuned.contains("on = 0.74\n"), "{tuned}");
    assert!(tuned.contains("trigger = \"smile\""));

    // Undo and redo walk the file back and forth.
    interact(&mut studio, |ui| {
        ui.click("Undo").expect("the toolbar has Undo");
    });
    assert!(manifest_text_of(&bundle).contains("on = 0.6\n"));
    interact(&mut studio, |ui| {
        ui.click("Redo").expect("the toolbar has Redo");
    });
    assert_eq!(manifest_text_of(&bundle), tuned);
    assert!(
        tuned.contains(template_comment),
        "the template's comments are kept"
    );

    // A refused edit changes nothing and says why.
    let before = manifest_text_of(&bundle);
    let _ = studio.update(Message::Layers(layers::Message::FieldTyped(
        1,
        "anchor".into(),
        "999".into(),
    )));
    let _ = studio.update(Message::Layers(layers::Message::FieldSubmitted(
        1,
        "anchor".into(),
    )));
    assert_eq!(manifest_text_of(&bundle), before);
    assert!(!studio.problems().is_empty(), "the refusal is listed");

    // Exported, signed.
    let key = signing::generate_key().unwrap();
    let key_path = dir.join("designer.key");
    signing::write_secret_key(&key_path, &key).unwrap();
    let _ = studio.update(Message::Export(export::Message::KeyEdited(
        key_path.display().to_string(),
    )));
    let request = studio.export().request().expect("a bundle is open");
    let report = export::export(&request).expect("the authored effect exports");
    let limits = ArchiveLimits::requiring_signature_by(key.verifying_key());
    let packed = archive::read(&report.out, &limits).expect("it reads back, signed");
    let validated = validate::validate(&packed.files, "smile-hat.effect/", None);
    let manifest = validated.manifest.expect("the manifest reads");
    assert_eq!(manifest.layers.len(), 2);
    assert_eq!(manifest.triggers.len(), 1);
    assert!(packed.files.contains_key("stickers/party-hat.png"));
    // What nothing uses any more (the starting sparkles, the template's UV guide) is
    // left out and said so.
    let left_out: Vec<&str> = report
        .left_out
        .iter()
        .map(|(path, _)| path.as_str())
        .collect();
    assert_eq!(left_out, ["guide/uv_layout.png", "stickers/sparkles.png"]);
    assert!(!packed.files.contains_key("stickers/sparkles.png"));

    let Some(cache) = lensmith_testkit::cache_or_skip(
        "an_effect_is_authored_in_the_studio_from_new_to_a_signed_export (playing it)",
    ) else {
        return;
    };
    let played = render_on_the_photo(&report.out, &cache);
    keep_a_screenshot(&mut studio, &fake, &played);
    let clip = cache.root().join("data/expressions/franck.mp4");
    show_the_sticker_once_he_smiles(&report.out, &clip, &cache);
    record_a_golden_case(&mut studio, &fake, &bundle, &clip);
}

/// Golden frames recorded from the studio on the clip, at the frame in view, pass
/// `lensmith test`'s check afterwards.
fn record_a_golden_case(
    studio: &mut Studio,
    fake: &FakePreview,
    bundle: &std::path::Path,
    clip: &std::path::Path,
) {
    let _ = studio.update(Message::Toolbar(toolbar::Message::SourceEdited(
        clip.display().to_string(),
    )));
    interact(studio, |ui| {
        ui.click("Open").expect("the toolbar has Open");
    });
    fake.push_event(opened_event_of(bundle, false));
    let mut in_view = frame_with_face(0.9);
    in_view.index = 40;
    fake.offer_frame(in_view);
    tick(studio);
    let _ = studio.update(Message::Golden(golden_panel::Message::NameTyped(
        "smile-starts".into(),
    )));
    // Record runs `record_golden_now` on a thread; the simulator runs no tasks, so the
    // test runs it and hands its outcome back as the thread's message would.
    let (folder, recording) = studio.golden_recording("smile-starts").unwrap();
    assert_eq!(folder, bundle);
    assert_eq!(recording.frame, Some(40));
    let outcome = lensmith_studio::app::authoring::record_golden_now(&folder, &recording);
    let _ = studio.update(Message::Golden(golden_panel::Message::Finished(
        outcome.clone(),
    )));
    let report = outcome.expect("the case records");
    assert!(shows(studio, &report), "{report}");
    let suite = std::fs::read_to_string(bundle.join("tests/golden.toml")).unwrap();
    assert!(
        suite.contains(
            "name = \"smile-starts\"\ninput = \"sample:expressions/franck.mp4\"\nframes = [40]"
        ),
        "{suite}"
    );
    let (tests, suite) = golden::load_suite(bundle).unwrap();
    let case = suite
        .cases
        .iter()
        .find(|case| case.name == "smile-starts")
        .unwrap();
    let cache = lensmith_runtime::models::AssetCache::locate().unwrap();
    let checked = golden::run_case(
        bundle,
        &tests,
        case,
        &cache,
        &Default::default(),
        golden::Mode::Check,
        None,
        |_| {},
    )
    .unwrap();
    assert_eq!(checked.frames.len(), 1);
    assert!(
        checked.frames[0].verdict.passed(),
        "{:?}",
        checked.frames[0]
    );
}

/// On the clip, the sticker is absent while he does not smile (frame 0, smile 0.18) and
/// drawn once he does (frame 40, smile 1.0).
fn show_the_sticker_once_he_smiles(
    effect: &std::path::Path,
    clip: &std::path::Path,
    cache: &lensmith_runtime::models::AssetCache,
) {
    let play = |hidden: Option<&str>| {
        let mut source = lensmith_runtime::video::open_source(clip).unwrap();
        let options = lensmith_runtime::player::PlayerOptions::default();
        let mut player = lensmith_runtime::player::EffectPlayer::open(
            effect,
            cache,
            &options,
            Box::new(lensmith_runtime::render::cpu::CpuRenderer::default()),
        )
        .unwrap();
        if let Some(layer) = hidden {
            player.set_layer_enabled(layer, false).unwrap();
        }
        let mut kept = Vec::new();
        while let Some(mut frame) = source.next_frame().unwrap() {
            player.process(&mut frame.frame, frame.time_s).unwrap();
            if frame.index == 0 || frame.index == 40 {
                kept.push(frame.frame);
            }
            if frame.index == 40 {
                break;
            }
        }
        kept
    };
    let whole = play(None);
    let without = play(Some("sticker"));
    let (before, _) = differing(&whole[0], &without[0]);
    let (after, _) = differing(&whole[1], &without[1]);
    eprintln!("sticker samples on the clip: frame 0 {before}, frame 40 {after}");
    assert_eq!(before, 0, "no sticker before the smile");
    assert!(
        after > 500,
        "the sticker is drawn once he smiles ({after} samples)"
    );
}

/// Plays `effect` on `photo`, with the layer `hidden` switched off if given.
fn render(
    effect: &std::path::Path,
    photo: &std::path::Path,
    cache: &lensmith_runtime::models::AssetCache,
    hidden: Option<&str>,
) -> effect_api::Frame {
    let mut frame = lensmith_runtime::image_io::read_rgb_frame(photo).unwrap();
    let options = lensmith_runtime::player::PlayerOptions {
        still_images: true,
        ..Default::default()
    };
    let mut player = lensmith_runtime::player::EffectPlayer::open(
        effect,
        cache,
        &options,
        Box::new(lensmith_runtime::render::cpu::CpuRenderer::default()),
    )
    .expect("the exported effect opens");
    if let Some(layer) = hidden {
        player.set_layer_enabled(layer, false).unwrap();
    }
    let stats = player.process(&mut frame, 0.0).expect("it plays");
    assert_eq!(stats.faces, 1);
    frame
}

/// The samples of `a` and `b` more than 10 levels apart, and the mean row they are on.
fn differing(a: &effect_api::Frame, b: &effect_api::Frame) -> (usize, f64) {
    let row_bytes = a.data().len() / a.height() as usize;
    let mut count = 0;
    let mut rows = 0.0;
    for (index, (x, y)) in a.data().iter().zip(b.data()).enumerate() {
        if x.abs_diff(*y) > 10 {
            count += 1;
            rows += (index / row_bytes) as f64;
        }
    }
    (count, if count == 0 { 0.0 } else { rows / count as f64 })
}

/// The exported effect plays on the sample photo, where she smiles: the mask paints the
/// face and the sticker, shown by the smile trigger, sits high on the head.
fn render_on_the_photo(
    effect: &std::path::Path,
    cache: &lensmith_runtime::models::AssetCache,
) -> effect_api::Frame {
    let photo = cache.sample_photo().expect("set up with the face models");
    let source = lensmith_runtime::image_io::read_rgb_frame(&photo).unwrap();
    let whole = render(effect, &photo, cache, None);
    let painted = render(effect, &photo, cache, Some("sticker"));
    let (mask_samples, _) = differing(&painted, &source);
    let share = mask_samples as f64 / source.data().len() as f64;
    assert!(
        (0.002..0.5).contains(&share),
        "the mask changed {share} of the samples"
    );
    let (sticker_samples, sticker_row) = differing(&whole, &painted);
    assert!(
        sticker_samples > 500,
        "the sticker drew {sticker_samples} samples"
    );
    let (_, mask_row) = differing(&painted, &source);
    eprintln!(
        "on the photo: the mask changed {mask_samples} samples (mean row {mask_row:.0}), the sticker {sticker_samples} (mean row {sticker_row:.0})"
    );
    assert!(
        sticker_row < mask_row,
        "the sticker (mean row {sticker_row:.0}) sits above the painted face (mean row {mask_row:.0})"
    );
    whole
}

/// With `LENSMITH_STUDIO_SCREENSHOTS=DIR`, the studio as the designer left it (the
/// sticker's editor open, the trigger's meter), showing the authored effect on the photo,
/// drawn by the simulator at 1280×800 into `DIR/studio_authoring-tiny-skia.png`.
fn keep_a_screenshot(studio: &mut Studio, fake: &FakePreview, played: &effect_api::Frame) {
    let Some(folder) = std::env::var_os("LENSMITH_STUDIO_SCREENSHOTS") else {
        return;
    };
    let mut shown = frame_with_face(1.0);
    let picture = PreviewImage::from_rgb(played.width(), played.height(), played.data());
    shown.rendered = picture.clone();
    shown.source = picture;
    shown.faces.clear();
    fake.offer_frame(shown);
    tick(studio);
    let path = std::path::Path::new(&folder).join("studio_authoring.png");
    let mut ui = iced_test::Simulator::with_size(
        iced::Settings::default(),
        iced::Size::new(1280.0, 800.0),
        studio.view(),
    );
    let snapshot = ui.snapshot(&studio.theme()).unwrap();
    let _ = std::fs::remove_file(path.with_file_name("studio_authoring-tiny-skia.png"));
    assert!(snapshot.matches_image(&path).unwrap());
}
