//! The plugin host under Valgrind's memcheck: a host run that loads plugins, plays them,
//! reloads a rebuilt one with its state, survives a panicking one, refuses a future one and
//! drops everything must show no invalid access and no definite or indirect leak. Libraries
//! are never unloaded on purpose (see `PluginLibrary::load`); what the dynamic loader keeps
//! for them is "still reachable", which is not counted.
//!
//! The test re-runs its own binary under `valgrind`, selecting the scenario below with an
//! environment variable; the plugins are built first, outside Valgrind.

use std::process::Command;

use effect_api::Frame;
use effect_api::plugin::Value;
use lensmith_runtime::plugin::{HostFace, PluginInstance, PluginLibrary, PluginLog};
use lensmith_testkit::plugins::{build_test_plugin, library_bytes};

/// Set in the child: the libraries to load, separated by `;` (tint, tint v2, panicking,
/// future-abi).
const CHILD_LIBRARIES: &str = "LENSMITH_MEMCHECK_LIBRARIES";

#[test]
fn the_plugin_host_is_clean_under_valgrind() {
    if let Ok(libraries) = std::env::var(CHILD_LIBRARIES) {
        host_scenario(&libraries.split(';').collect::<Vec<_>>());
        return;
    }
    let test = "the_plugin_host_is_clean_under_valgrind";
    if !lensmith_testkit::memcheck::valgrind_or_skip(test) {
        return;
    }
    let libraries = [
        build_test_plugin("tint", &[]),
        build_test_plugin("tint", &["v2"]),
        build_test_plugin("panicking", &[]),
        build_test_plugin("future-abi", &[]),
    ]
    .map(|path| path.display().to_string())
    .join(";");
    let mut child = Command::new(std::env::current_exe().expect("the test binary knows its path"));
    child
        .args([test, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD_LIBRARIES, libraries);
    lensmith_testkit::memcheck::assert_clean(&child, None);
}

/// What the host does under Valgrind.
fn host_scenario(libraries: &[&str]) {
    let [tint, tint_v2, panicking, future] = libraries else {
        panic!("four libraries expected, got {libraries:?}");
    };
    let load = |path: &str| PluginLibrary::load(&library_bytes(path.as_ref()), path);
    let landmarks: Vec<[f32; 3]> = (0..468)
        .map(|index| [10.0 + (index % 20) as f32, 8.0 + (index / 20) as f32, 0.0])
        .collect();
    let face = HostFace {
        id: 7,
        presence: 1.0,
        visibility: 0.8,
        trigger_active: true,
        landmarks: &landmarks,
        pose: None,
        expressions: None,
    };
    let log = PluginLog::default();

    let first = load(tint).expect("tint loads");
    let parameters = [("strength".to_owned(), Value::Float(0.7))];
    let mut old = PluginInstance::create(first.clone(), "tint", "", &parameters, log.clone())
        .expect("tint creates");
    let mut rgb = Frame::filled(48, 40, [90, 120, 150]).unwrap();
    for frame in 0..10 {
        old.process(&mut rgb, [face], f64::from(frame) / 30.0, false)
            .unwrap();
    }
    old.update_parameters(&[("strength".to_owned(), Value::Float(0.2))])
        .unwrap();
    let state = old.save_state().unwrap();

    // The rebuilt library takes over with the state; the old instance goes.
    let rebuilt = load(tint_v2).expect("tint v2 loads");
    let mut new = PluginInstance::create(rebuilt, "tint", "", &parameters, log.clone()).unwrap();
    assert!(new.restore_state(&state).unwrap(), "tint takes its state");
    drop(old);
    let mut rgba = Frame::from_packed(
        vec![200; 48 * 40 * 4],
        48,
        40,
        effect_api::PixelFormat::Rgba8,
    )
    .unwrap();
    for frame in 10..20 {
        new.process(&mut rgba, [face], f64::from(frame) / 30.0, false)
            .unwrap();
    }
    // The same bytes again: the library already loaded.
    let again = load(tint).unwrap();
    assert!(std::sync::Arc::ptr_eq(&again, &first));
    drop(PluginInstance::create(again, "tint", "", &[], log.clone()).unwrap());
    assert!(PluginInstance::create(first, "tint", "fail = 1", &[], log.clone()).is_err());

    let panicking = load(panicking).unwrap();
    assert!(
        PluginInstance::create(
            panicking.clone(),
            "boom",
            "panic_in = \"create\"",
            &[],
            log.clone()
        )
        .is_err()
    );
    let mut boom = PluginInstance::create(panicking, "boom", "", &[], log.clone()).unwrap();
    assert!(boom.process(&mut rgb, [face], 1.0, false).is_err());
    drop(boom);

    assert!(load(future).is_err(), "the future ABI is refused");
    drop(new);
    assert_eq!(log.drain().len(), 20, "every frame logged once");
}
