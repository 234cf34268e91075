//! How the designer looks at the preview, in iced_test's simulator with a fake preview:
//! trigger events flash and fade, the split view shows the source left of its divider and
//! the result right of it (checked on the simulator's drawn pixels), the comparison cycles
//! with its shortcut, and the view choices are remembered in the settings file.

#[path = "support/studio.rs"]
mod support;

use std::time::{Duration, Instant};

use effect_api::trigger::TriggerPhase;
use iced::{Settings, Theme};
use iced_test::Simulator;
use lensmith_studio::app::Message;
use lensmith_studio::config::StudioConfig;
use lensmith_studio::panels::Panel;
use lensmith_studio::preview_bridge::{
    FaceOverlay, FakePreview, FrameUpdate, PreviewImage, TriggerNotice,
};
use lensmith_studio::screen::toolbar;
use lensmith_studio::screen::viewer::{self, Compare, FLASH_TIME, OverlayKind};
use lensmith_studio::shortcut::Shortcut;
use lensmith_studio::stats::StageTimes;
use lensmith_studio::{Options, Studio};
use lensmith_testkit::TempDir;
use support::{Scratch, WINDOW, interact, shows, tick};

const BEFORE: [u8; 3] = [20, 40, 230];
const AFTER: [u8; 3] = [230, 30, 20];

/// A studio playing the scratch face paint, whose manifest has a `smiling` trigger (on smile).
fn playing(scratch: &Scratch, fake: &FakePreview) -> Studio {
    let mut studio = support::studio(fake, &scratch.config, None);
    for message in [
        toolbar::Message::BundleEdited(scratch.bundle.display().to_string()),
        toolbar::Message::SourceEdited("clip.mp4".into()),
        toolbar::Message::Open,
    ] {
        let _ = studio.update(Message::Toolbar(message));
    }
    fake.push_event(support::opened_event(scratch, false));
    tick(&mut studio);
    studio
}

/// A 480×360 frame (large enough that the simulator draws it without visible filtering): the source all `BEFORE`, the result all `AFTER`, one face.
fn frame(index: u64, events: Vec<TriggerNotice>) -> FrameUpdate {
    let solid = |rgb: [u8; 3]| PreviewImage::from_rgb(480, 360, &rgb.repeat(480 * 360));
    FrameUpdate {
        index,
        generation: 1,
        time_s: index as f64 / 30.0,
        rendered: solid(AFTER),
        source: solid(BEFORE),
        times: StageTimes {
            stages: vec![("detect".into(), 1.0)],
            total_ms: 5.0,
            faces: 1,
        },
        faces: vec![FaceOverlay {
            id: 1,
            landmarks: (0..468)
                .map(|index| [10.0 + (index % 40) as f32, 10.0 + (index / 40) as f32])
                .collect(),
            scores: vec![("smile".into(), 0.8), ("blink".into(), 0.1)],
            triggers_on: vec!["smiling".into()],
            ..FaceOverlay::default()
        }],
        events,
    }
}

fn notice(phase: TriggerPhase) -> TriggerNotice {
    TriggerNotice {
        rule: "smiling".into(),
        face_id: 1,
        phase,
    }
}

/// The simulator's drawing of the studio, as RGBA rows (read back from the PNG iced_test
/// writes for a snapshot it has no reference for).
fn drawn(studio: &Studio, dir: &TempDir, name: &str) -> image::RgbaImage {
    let mut ui = Simulator::with_size(Settings::default(), WINDOW, studio.view());
    let snapshot = ui.snapshot(&Theme::TokyoNight).unwrap();
    assert!(snapshot.matches_image(dir.join(name)).unwrap());
    let written = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            path.file_name()
                .is_some_and(|file| file.to_string_lossy().starts_with(&format!("{name}-")))
        })
        .expect("the snapshot was written");
    let picture = image::open(&written).unwrap().to_rgba8();
    std::fs::remove_file(written).unwrap();
    picture
}

/// The columns where pixels close to `rgb` are found, as (first, last, count of columns).
fn columns_of(picture: &image::RgbaImage, rgb: [u8; 3]) -> Option<(u32, u32, u32)> {
    let close =
        |pixel: &image::Rgba<u8>| (0..3).all(|channel| pixel[channel].abs_diff(rgb[channel]) <= 6);
    let columns: Vec<u32> = (0..picture.width())
        .filter(|&x| (0..picture.height()).any(|y| close(picture.get_pixel(x, y))))
        .collect();
    Some((*columns.first()?, *columns.last()?, columns.len() as u32))
}

#[test]
fn trigger_events_flash_and_fade() {
    let scratch = Scratch::new("studio-flash", "face-paint");
    let fake = FakePreview::new();
    let mut studio = playing(&scratch, &fake);
    let _ = studio.update(Message::Viewer(viewer::Message::Overlay(
        OverlayKind::Meters,
        true,
    )));
    fake.offer_frame(frame(0, vec![notice(TriggerPhase::Started)]));
    let shown = Instant::now();
    let _ = studio.update(Message::Tick(shown));
    let flashes = studio.viewer().flashes();
    assert_eq!(flashes.len(), 1, "{flashes:?}");
    assert_eq!(
        (flashes[0].face_id, flashes[0].rule.as_str()),
        (1, "smiling")
    );
    assert!(flashes[0].started && flashes[0].strength > 0.99);
    // Drawn with the meters (the canvas draws in the simulator without failing).
    let dir = TempDir::new("studio-flash-drawn");
    drawn(&studio, &dir, "flash");

    // Half way it is half as bright; after FLASH_TIME it is gone.
    let _ = studio.update(Message::Tick(shown + FLASH_TIME / 2));
    let strength = studio.viewer().flashes()[0].strength;
    assert!((0.4..=0.6).contains(&strength), "{strength}");
    let _ = studio.update(Message::Tick(shown + FLASH_TIME + Duration::from_millis(1)));
    assert!(studio.viewer().flashes().is_empty());

    // The end flashes too, replacing nothing else.
    fake.offer_frame(frame(1, vec![notice(TriggerPhase::Ended)]));
    tick(&mut studio);
    let flashes = studio.viewer().flashes();
    assert_eq!(flashes.len(), 1);
    assert!(!flashes[0].started);
}

#[test]
fn the_split_view_shows_the_source_left_of_its_divider() {
    let scratch = Scratch::new("studio-split", "face-paint");
    let fake = FakePreview::new();
    let mut studio = playing(&scratch, &fake);
    fake.offer_frame(frame(0, Vec::new()));
    tick(&mut studio);
    let dir = TempDir::new("studio-split-drawn");

    let alone = drawn(&studio, &dir, "alone");
    assert!(columns_of(&alone, BEFORE).is_none(), "the result alone");
    assert!(columns_of(&alone, AFTER).is_some());

    // The designer picks Split among the comparison modes.
    let messages = interact(&mut studio, |ui| {
        ui.click("Split").unwrap();
    });
    assert!(
        messages
            .iter()
            .any(|m| matches!(m, Message::Viewer(viewer::Message::Compare(Compare::Split)))),
        "{messages:?}"
    );
    assert_eq!(studio.viewer().compare(), Compare::Split);
    let halves = drawn(&studio, &dir, "split");
    let (before_first, before_last, before_width) = columns_of(&halves, BEFORE).unwrap();
    let (after_first, after_last, after_width) = columns_of(&halves, AFTER).unwrap();
    assert!(before_last < after_first, "source left, result right");
    assert!(
        before_width.abs_diff(after_width) <= 8,
        "divider in the middle: {before_width} vs {after_width} columns"
    );
    assert!(
        after_first - before_last <= 8,
        "one picture, split by a thin line"
    );

    // Dragged to a quarter: a quarter of the picture is the source.
    let _ = studio.update(Message::Viewer(viewer::Message::SplitMoved(0.25)));
    let quarter = drawn(&studio, &dir, "quarter");
    let (_, _, before_width) = columns_of(&quarter, BEFORE).unwrap();
    let (_, _, after_width) = columns_of(&quarter, AFTER).unwrap();
    let share = before_width as f32 / (before_width + after_width) as f32;
    assert!((0.2..0.3).contains(&share), "{share}");

    // Side by side: two pictures apart, the source first.
    let _ = studio.update(Message::Viewer(viewer::Message::Compare(
        Compare::SideBySide,
    )));
    let beside = drawn(&studio, &dir, "beside");
    let (_, before_last, _) = columns_of(&beside, BEFORE).unwrap();
    let (after_first, _, _) = columns_of(&beside, AFTER).unwrap();
    assert!(after_first > before_last + 4, "two pictures with a gap");
    let _ = (before_first, after_last);
}

#[test]
fn the_compare_shortcut_cycles_and_view_choices_are_remembered() {
    let scratch = Scratch::new("studio-view-config", "face-paint");
    let fake = FakePreview::new();
    let mut studio = playing(&scratch, &fake);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let _ = studio.update(Message::Shortcut(Shortcut::Compare));
        seen.push(studio.viewer().compare());
    }
    assert_eq!(seen, [Compare::Split, Compare::SideBySide, Compare::Off]);

    let _ = studio.update(Message::Viewer(viewer::Message::Compare(Compare::Split)));
    let _ = studio.update(Message::Viewer(viewer::Message::Overlay(
        OverlayKind::Ids,
        true,
    )));
    let _ = studio.update(Message::Fold(Panel::Performance));
    // Settings are written a second after the last change.
    let _ = studio.update(Message::Tick(Instant::now() + Duration::from_secs(2)));
    let remembered = StudioConfig::load(&scratch.config).unwrap();
    assert_eq!(remembered.view.compare, Compare::Split);
    assert!(remembered.view.overlays.ids && !remembered.view.overlays.mesh);
    assert!(remembered.view.folded.is_folded(Panel::Performance));
    assert!(!remembered.view.folded.is_folded(Panel::Layers));

    // A new studio starting from those settings shows the same.
    let (again, _) = Studio::new(Options {
        launcher: fake.launcher(),
        overlays: remembered.view.overlays,
        compare: remembered.view.compare,
        folded: remembered.view.folded,
        config: remembered,
        config_path: None,
        open: None,
        ready_file: None,
    });
    assert_eq!(again.viewer().compare(), Compare::Split);
    assert!(again.viewer().overlays().ids);
    assert!(
        shows(&again, "+ Performance (last 2 s)"),
        "the performance panel starts folded"
    );
}
