//! Native plugins, built from real crates (`testkit/plugins/*`) and loaded through the C
//! ABI: the handshake refuses a plugin of the next major, a failing or panicking plugin is
//! reported with its name and disabled while the other layers keep drawing, and a rebuilt
//! plugin replaces the running one on reload with its state carried over.

#[path = "support/effect_bundle.rs"]
mod effect_bundle;

use std::path::Path;
use std::time::Duration;

use effect_api::Frame;
use effect_api::plugin::{LogLevel, Value, abi};
use lensmith_runtime::player::{EffectPlayer, PlayerError, PlayerOptions};
use lensmith_runtime::plugin::build::install_library;
use lensmith_runtime::plugin::{HostFace, PluginError, PluginInstance, PluginLibrary, PluginLog};
use lensmith_runtime::render::cpu::CpuRenderer;
use lensmith_runtime::watch::BundleWatcher;
use lensmith_testkit::TempDir;
use lensmith_testkit::plugins::{build_test_plugin, library_bytes};

use effect_bundle::write_bundle;

/// A square face: the landmarks of a 3×3 grid spanning (20, 10)–(40, 30).
fn square_face() -> Vec<[f32; 3]> {
    (0..9)
        .map(|index| {
            let (column, row) = ((index % 3) as f32, (index / 3) as f32);
            [20.0 + 10.0 * column, 10.0 + 10.0 * row, 0.0]
        })
        .collect()
}

fn host_face(landmarks: &[[f32; 3]]) -> HostFace<'_> {
    HostFace {
        id: 1,
        presence: 1.0,
        visibility: 1.0,
        trigger_active: true,
        landmarks,
        pose: None,
        expressions: None,
    }
}

fn load(name: &str, features: &[&str]) -> std::sync::Arc<PluginLibrary> {
    let library = build_test_plugin(name, features);
    PluginLibrary::load(&library_bytes(&library), &library.display().to_string())
        .unwrap_or_else(|error| panic!("loading {name}: {error}"))
}

fn frame_counts(log: &PluginLog) -> Vec<String> {
    log.drain()
        .into_iter()
        .filter(|record| record.level == LogLevel::Debug)
        .map(|record| record.message)
        .collect()
}

#[test]
fn a_plugin_draws_through_its_overlay_and_logs_through_the_host() {
    let library = load("tint", &[]);
    assert_eq!(library.name(), "lensmith-test-tint");
    assert_eq!(library.abi_version(), (abi::ABI_MAJOR, abi::ABI_MINOR));
    let log = PluginLog::default();
    let parameters = [("strength".to_owned(), Value::Float(1.0))];
    let mut instance =
        PluginInstance::create(library, "tint", "", &parameters, log.clone()).unwrap();
    let mut frame = Frame::filled(64, 48, [10, 200, 30]).unwrap();
    let landmarks = square_face();
    instance
        .process(&mut frame, [host_face(&landmarks)], 0.0, true)
        .unwrap();
    let pixel = |frame: &Frame, x: usize, y: usize| {
        let at = (y * 64 + x) * 3;
        [frame.data()[at], frame.data()[at + 1], frame.data()[at + 2]]
    };
    assert_eq!(
        pixel(&frame, 30, 20),
        [255, 0, 0],
        "inside the face: opaque red"
    );
    assert_eq!(pixel(&frame, 5, 5), [10, 200, 30], "outside: untouched");
    assert_eq!(frame_counts(&log), ["frame 1"]);
    // Half strength: red blended half over the original.
    instance
        .update_parameters(&[("strength".to_owned(), Value::Float(0.5))])
        .unwrap();
    let mut frame = Frame::filled(64, 48, [0, 200, 0]).unwrap();
    instance
        .process(&mut frame, [host_face(&landmarks)], 0.1, true)
        .unwrap();
    assert_eq!(pixel(&frame, 30, 20), [128, 100, 0]);
    assert_eq!(frame_counts(&log), ["frame 2"]);
}

#[test]
fn a_plugin_of_the_next_abi_major_is_refused_at_the_handshake() {
    let library = build_test_plugin("future-abi", &[]);
    let error = PluginLibrary::load(&library_bytes(&library), "plugins/libfuture.so")
        .expect_err("a plugin of ABI 2.0 must be refused");
    let message = error.to_string();
    assert!(matches!(error, PluginError::Abi { .. }), "{error:?}");
    assert!(
        message.contains("plugins/libfuture.so")
            && message.contains("plugin ABI 2.0")
            && message.contains("this runtime speaks 1.1")
            && message.contains("rebuild the plugin"),
        "{message}"
    );
}

#[test]
fn a_library_without_the_entry_symbol_is_named_as_not_a_plugin() {
    // Any shared library that is not a plugin: the C library itself.
    let not_a_plugin = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/libm.so.6"]
        .into_iter()
        .map(Path::new)
        .find(|path| path.is_file());
    let Some(path) = not_a_plugin else {
        lensmith_testkit::announce_skip(
            "a_library_without_the_entry_symbol_is_named_as_not_a_plugin",
            "no libm.so.6 at the usual places",
            "run on a glibc Linux",
        );
        return;
    };
    let error = PluginLibrary::load(&std::fs::read(path).unwrap(), "plugins/libm.so").unwrap_err();
    assert!(
        error.to_string().contains("not a Lensmith plugin"),
        "{error}"
    );
    let garbage = PluginLibrary::load(b"not an ELF file", "plugins/libjunk.so").unwrap_err();
    assert!(
        garbage
            .to_string()
            .contains("plugins/libjunk.so: cannot be loaded"),
        "{garbage}"
    );
}

#[test]
fn failures_and_panics_become_errors_naming_the_plugin_layer_and_call() {
    let tint = load("tint", &[]);
    let error = PluginInstance::create(tint, "shade", "fail = true", &[], PluginLog::default())
        .expect_err("the settings ask create to fail");
    assert_eq!(
        error.to_string(),
        "plugin `lensmith-test-tint 0.1.0` (layer `shade`): create failed: \
         the settings ask create to fail"
    );
    let panicking = load("panicking", &[]);
    let error = PluginInstance::create(
        panicking.clone(),
        "boom",
        "panic_in = \"create\"",
        &[],
        PluginLog::default(),
    )
    .expect_err("create panics");
    assert!(
        error
            .to_string()
            .ends_with("(layer `boom`): create panicked: deliberate panic in create"),
        "{error}"
    );
    let mut instance =
        PluginInstance::create(panicking, "boom", "", &[], PluginLog::default()).unwrap();
    let mut frame = Frame::filled(8, 8, [1, 2, 3]).unwrap();
    let error = instance
        .process(&mut frame, [], 0.0, true)
        .expect_err("process panics");
    assert!(
        error
            .to_string()
            .ends_with("process panicked: deliberate panic in process"),
        "{error}"
    );
    // The host goes on: the same instance can be called again and dropped.
    assert!(instance.process(&mut frame, [], 0.1, true).is_err());
    assert_eq!(frame.data(), Frame::filled(8, 8, [1, 2, 3]).unwrap().data());
}

/// A bundle with the paint mask of face-paint and then a plugin layer from `library`.
fn mask_and_plugin_bundle(label: &str, plugin_key: Option<&str>) -> TempDir {
    let plugin = plugin_key
        .map(|key| {
            format!(
                "[[layer]]\nkind = \"plugin\"\nname = \"extra\"\nlibrary = \"{key}\"\n\
                 [[layer.parameter]]\nname = \"strength\"\ntype = \"float\"\n\
                 min = 0.0\nmax = 1.0\ndefault = 1.0\n"
            )
        })
        .unwrap_or_default();
    let manifest = format!(
        "[[layer]]\nkind = \"face_mask\"\nname = \"paint\"\n\
         texture = \"textures/face_paint.png\"\n\n{plugin}"
    );
    write_bundle(
        label,
        &manifest,
        &[(
            "textures/face_paint.png",
            "effects/face-paint/textures/face_paint.png",
        )],
    )
}

fn open_video_player(bundle: &Path, cache: &lensmith_runtime::models::AssetCache) -> EffectPlayer {
    EffectPlayer::open(
        bundle,
        cache,
        &PlayerOptions::default(),
        Box::new(CpuRenderer::default()),
    )
    .unwrap_or_else(|error| panic!("opening {}: {error}", bundle.display()))
}

#[test]
fn a_panicking_plugin_is_disabled_and_the_other_layers_still_draw() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "a_panicking_plugin_is_disabled_and_the_other_layers_still_draw",
    ) else {
        return;
    };
    let with_plugin = mask_and_plugin_bundle("panicking-plugin", Some("plugins/panicking"));
    install_library(
        &build_test_plugin("panicking", &[]),
        with_plugin.path(),
        "plugins/panicking",
    )
    .unwrap();
    let mask_only = mask_and_plugin_bundle("mask-only", None);
    let mut player = open_video_player(with_plugin.path(), &cache);
    let mut reference = open_video_player(mask_only.path(), &cache);
    let source = lensmith_testkit::astronaut(&cache);
    for frame_index in 0..2 {
        let time = f64::from(frame_index) / 30.0;
        let mut played = source.clone();
        let stats = player
            .process(&mut played, time)
            .expect("the host keeps playing");
        assert_eq!(stats.faces, 1);
        let mut expected = source.clone();
        reference.process(&mut expected, time).unwrap();
        assert!(
            played.data() == expected.data(),
            "frame {frame_index}: the mask must draw as it does without the plugin"
        );
        assert_ne!(played.data(), source.data(), "the mask drew something");
    }
    let failures: Vec<_> = player.layer_failures().collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].0, "extra");
    assert!(
        failures[0]
            .1
            .to_string()
            .contains("(layer `extra`): process panicked: deliberate panic in process"),
        "{}",
        failures[0].1
    );
}

#[test]
fn a_bundle_whose_plugin_speaks_the_next_abi_is_refused_with_the_reason() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "a_bundle_whose_plugin_speaks_the_next_abi_is_refused_with_the_reason",
    ) else {
        return;
    };
    let bundle = mask_and_plugin_bundle("future-plugin", Some("plugins/future"));
    install_library(
        &build_test_plugin("future-abi", &[]),
        bundle.path(),
        "plugins/future",
    )
    .unwrap();
    let error = EffectPlayer::open(
        bundle.path(),
        &cache,
        &PlayerOptions::default(),
        Box::new(CpuRenderer::default()),
    )
    .expect_err("refused");
    assert!(
        matches!(error, PlayerError::Plugin(PluginError::Abi { .. })),
        "{error:?}"
    );
    assert!(error.to_string().contains("plugin ABI 2.0"), "{error}");
}

/// Mean colour of the astronaut's face box (where the tint plugin draws).
fn face_centre_colour(frame: &Frame, landmarks: &[[f32; 3]]) -> [f64; 3] {
    let nose = landmarks[1];
    let (x0, y0) = (nose[0] as usize - 10, nose[1] as usize - 10);
    let mut sum = [0.0; 3];
    for y in y0..y0 + 20 {
        for x in x0..x0 + 20 {
            let at = (y * frame.width() as usize + x) * 3;
            for (channel, total) in sum.iter_mut().enumerate() {
                *total += f64::from(frame.data()[at + channel]);
            }
        }
    }
    sum.map(|total| total / 400.0)
}

/// Where the tint plugin's library goes in a bundle.
const TINT_KEY: &str = "plugins/lensmith_test_tint";

/// A bundle whose one layer plays the tint plugin built at `library`, with the layer's
/// `fields` (TOML lines) besides its kind, name and library.
fn tint_bundle(label: &str, library: &Path, fields: &str) -> TempDir {
    let layer = format!(
        "[[layer]]\nkind = \"plugin\"\nname = \"tint\"\nlibrary = \"{TINT_KEY}\"\n{fields}"
    );
    let bundle = write_bundle(label, &layer, &[]);
    install_library(library, bundle.path(), TINT_KEY).unwrap();
    bundle
}

#[test]
fn a_rebuilt_plugin_replaces_the_running_one_and_keeps_its_state() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "a_rebuilt_plugin_replaces_the_running_one_and_keeps_its_state",
    ) else {
        return;
    };
    let bundle = tint_bundle("tint-reload", &build_test_plugin("tint", &[]), "");
    let version_2 = build_test_plugin("tint", &["v2"]);
    let mut player = open_video_player(bundle.path(), &cache);
    let source = lensmith_testkit::astronaut(&cache);
    let mut played = source.clone();
    for frame_index in 0..3 {
        played = source.clone();
        player
            .process(&mut played, f64::from(frame_index) / 30.0)
            .unwrap();
    }
    let landmarks = {
        let mut tracker = lensmith_testkit::tracker_or_skip(
            "a_rebuilt_plugin_replaces_the_running_one_and_keeps_its_state",
            Default::default(),
        )
        .expect("the cache is there")
        .0;
        tracker.process(source.view(), 0.0).unwrap().faces[0]
            .landmarks
            .clone()
    };
    let [red, green, blue] = face_centre_colour(&played, &landmarks);
    assert!(
        red > 250.0 && green < 5.0 && blue < 5.0,
        "version 1 paints red: {red} {green} {blue}"
    );
    assert_eq!(
        frame_counts(player.plugin_log()),
        ["frame 1", "frame 2", "frame 3"]
    );

    // The developer rebuilds; the watcher sees the library change; the host reloads.
    let watcher = BundleWatcher::new(bundle.path(), Duration::from_millis(100)).unwrap();
    install_library(&version_2, bundle.path(), TINT_KEY).unwrap();
    let change = watcher
        .wait(Duration::from_secs(10))
        .unwrap()
        .expect("the watcher reports the new library");
    assert!(change.touches_plugin_library(), "{change:?}");
    let report = player
        .reload(bundle.path())
        .expect("the rebuilt plugin loads");
    assert_eq!(report.restored_layers, ["tint"]);
    let mut played = source.clone();
    player.process(&mut played, 0.1).unwrap();
    let [red, green, blue] = face_centre_colour(&played, &landmarks);
    assert!(
        red < 5.0 && green < 5.0 && blue > 250.0,
        "version 2 paints blue: {red} {green} {blue}"
    );
    assert_eq!(
        frame_counts(player.plugin_log()),
        ["frame 4"],
        "the frame count carried over the reload"
    );

    // A broken edit keeps the last good version playing.
    std::fs::write(bundle.join("effect.toml"), "[effect\nbroken").unwrap();
    let error = player.reload(bundle.path()).expect_err("a broken manifest");
    assert!(error.to_string().contains("effect.toml:"), "{error}");
    let mut again = source.clone();
    player.process(&mut again, 0.2).unwrap();
    assert_eq!(again.data(), played.data(), "version 2 still plays");
    assert_eq!(frame_counts(player.plugin_log()), ["frame 5"]);
}

#[test]
fn a_plugin_that_asks_for_the_irises_sees_them_after_the_mesh() {
    let Some(cache) = lensmith_testkit::cache_or_skip(
        "a_plugin_that_asks_for_the_irises_sees_them_after_the_mesh",
    ) else {
        return;
    };
    let library = build_test_plugin("tint", &[]);
    let report = |irises: bool| -> Vec<String> {
        let fields = format!("irises = {irises}\nsettings = {{ report_irises = true }}\n");
        let bundle = tint_bundle("tint-irises", &library, &fields);
        let mut player = open_video_player(bundle.path(), &cache);
        let mut frame = lensmith_testkit::astronaut(&cache);
        player.process(&mut frame, 0.0).unwrap();
        player
            .plugin_log()
            .drain()
            .into_iter()
            .filter(|record| record.level == LogLevel::Info)
            .map(|record| record.message)
            .collect()
    };
    assert_eq!(report(false), ["468 landmarks, no irises"]);
    let with_irises = report(true);
    assert_eq!(with_irises.len(), 1, "{with_irises:?}");
    // The astronaut's irises, as MediaPipe's refine_landmarks finds them: (203.5, 101.1)
    // and (246.6, 103.5) (tests/data/astronaut_mediapipe_refined_landmarks.json).
    let numbers: Vec<f32> = with_irises[0]
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|word| word.parse().ok())
        .collect();
    assert_eq!(numbers[0], 478.0, "{}", with_irises[0]);
    let expected = [203.5, 101.1, 246.6, 103.5];
    for (found, expected) in numbers[1..].iter().zip(expected) {
        assert!(
            (found - expected).abs() < 1.5,
            "{} against {expected:?}",
            with_irises[0]
        );
    }
}
