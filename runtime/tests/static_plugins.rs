//! Plugins linked into the host program and registered under a manifest's `library` key
//! (`register_static_plugin`), as an iOS app plays them: the registry's rules, the
//! handshake a linked entry goes through, the validator not asking the bundle for a build
//! of a registered plugin, and the player playing a registered plugin instead of any
//! library (or when it may load none), while refusing an unregistered one where only linked
//! plugins may play. The plugin is defined and exported in this file; this test binary is
//! its own process, so its registrations reach no other test.

#[path = "support/effect_bundle.rs"]
mod effect_bundle;

use std::collections::BTreeMap;

use effect_api::Frame;
use effect_api::plugin::abi::{ABI_MAJOR, PluginTable};
use effect_api::plugin::export::table;
use effect_api::plugin::{
    CreateContext, EffectPlugin, FrameInfo, FramePixels, OverlayPixels, Parameters,
    PluginError as AuthorError, Value,
};
use lensmith_runtime::bundle::validate;
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::player::{EffectPlayer, PlayerError, PlayerOptions};
use lensmith_runtime::plugin::build::current_library_file_name;
use lensmith_runtime::plugin::{
    PluginCode, PluginError, PluginInstance, PluginLibrary, PluginLog, is_static_plugin,
    register_static_plugin,
};
use lensmith_runtime::render::cpu::CpuRenderer;
use lensmith_testkit::TempDir;

use effect_bundle::{HEADER, write_bundle};

/// Side of the square, at the frame's top-left corner, that [`CornerTint`] paints.
const CORNER: u32 = 16;

/// Paints the frame's top-left [`CORNER`]² pixels `[255 · level, 0, 255]`, `level` being
/// the layer's float parameter (1 when the layer has none).
struct CornerTint {
    level: f64,
}

impl CornerTint {
    fn colour(level: f64) -> [u8; 3] {
        [(level * 255.0).round() as u8, 0, 255]
    }
}

impl EffectPlugin for CornerTint {
    fn create(context: &CreateContext<'_>) -> Result<Self, AuthorError> {
        Ok(Self {
            level: context.parameters().number("level").unwrap_or(1.0),
        })
    }

    fn set_parameters(&mut self, parameters: &Parameters<'_>) -> Result<(), AuthorError> {
        if let Some(level) = parameters.number("level") {
            self.level = level;
        }
        Ok(())
    }

    fn process(
        &mut self,
        _frame: &FrameInfo<'_>,
        pixels: &mut FramePixels<'_>,
        _overlay: &mut OverlayPixels<'_>,
    ) -> Result<(), AuthorError> {
        let colour = Self::colour(self.level);
        for y in 0..CORNER.min(pixels.height()) {
            for x in 0..CORNER.min(pixels.width()) {
                pixels.set_rgb(x, y, colour);
            }
        }
        Ok(())
    }
}

// Defines `plugin_entry` (and the exported `lensmith_plugin_entry`) in this test binary,
// as a plugin crate linked into an app would.
effect_api::export_effect!(CornerTint);

/// A second plugin, for a second entry function (it draws nothing).
struct Idle;

impl EffectPlugin for Idle {
    fn create(_context: &CreateContext<'_>) -> Result<Self, AuthorError> {
        Ok(Self)
    }

    fn process(
        &mut self,
        _frame: &FrameInfo<'_>,
        _pixels: &mut FramePixels<'_>,
        _overlay: &mut OverlayPixels<'_>,
    ) -> Result<(), AuthorError> {
        Ok(())
    }
}

extern "C" fn idle_entry() -> *const PluginTable {
    static TABLE: PluginTable = table::<Idle>("idle", "0.1.0");
    &TABLE
}

/// An entry function that breaks the ABI's promise of a table.
extern "C" fn null_entry() -> *const PluginTable {
    std::ptr::null()
}

/// An entry function whose table speaks the next major of the ABI.
extern "C" fn future_entry() -> *const PluginTable {
    static TABLE: PluginTable = {
        let mut table = table::<Idle>("future", "9.0.0");
        table.abi_major = ABI_MAJOR + 1;
        table.abi_minor = 0;
        table
    };
    &TABLE
}

/// A manifest (after the `[effect]` header) with one plugin layer `tint` playing `key`,
/// with a float parameter `level`.
fn plugin_layer(key: &str) -> String {
    format!(
        "[[layer]]\nkind = \"plugin\"\nname = \"tint\"\nlibrary = \"{key}\"\n\n\
         [[layer.parameter]]\nname = \"level\"\ntype = \"float\"\n\
         min = 0.0\nmax = 1.0\ndefault = 1.0\n"
    )
}

/// A bundle folder holding only the manifest of [`plugin_layer`]: no plugin library.
fn bundle_without_library(label: &str, key: &str) -> TempDir {
    write_bundle(label, &plugin_layer(key), &[])
}

/// Writes bytes that are no library where this machine's build of `key` belongs.
fn put_junk_library(bundle: &TempDir, key: &str) {
    let member = current_library_file_name(key).unwrap();
    let path = bundle.join(&member);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"not a shared library").unwrap();
}

fn options(plugin_code: PluginCode) -> PlayerOptions {
    PlayerOptions {
        plugin_code,
        ..PlayerOptions::default()
    }
}

fn open(
    bundle: &TempDir,
    cache: &AssetCache,
    plugin_code: PluginCode,
) -> Result<EffectPlayer, PlayerError> {
    EffectPlayer::open(
        bundle.path(),
        cache,
        &options(plugin_code),
        Box::new(CpuRenderer::new()),
    )
}

/// Checks that `played` is `source` with the corner painted `colour` and nothing else
/// changed.
fn assert_corner_painted(played: &Frame, source: &Frame, colour: [u8; 3], what: &str) {
    let (played_view, source_view) = (played.view(), source.view());
    for y in 0..source.height() {
        for x in 0..source.width() {
            let expected = if x < CORNER && y < CORNER {
                colour
            } else {
                source_view.rgb(x, y)
            };
            assert_eq!(
                played_view.rgb(x, y),
                expected,
                "{what}: pixel ({x}, {y}) (the corner is {CORNER}×{CORNER})"
            );
        }
    }
}

fn play_astronaut(player: &mut EffectPlayer, source: &Frame, time_s: f64) -> Frame {
    let mut played = source.clone();
    let stats = player
        .process(&mut played, time_s)
        .expect("the frame plays");
    assert_eq!(stats.faces, 1, "the astronaut photo has one face");
    played
}

#[test]
fn registering_checks_the_key_and_keeps_the_first_entry() {
    let key = "plugins/registry_rules";
    assert!(!is_static_plugin(key));
    register_static_plugin(key, plugin_entry).expect("a fresh key");
    register_static_plugin(key, plugin_entry).expect("the same function again is harmless");
    let error = register_static_plugin(key, idle_entry)
        .expect_err("another function under a taken key is refused");
    let PluginError::Load { library, message } = &error else {
        panic!("expected a Load error: {error:?}");
    };
    assert_eq!(library, key);
    assert!(
        message.contains("another entry function is registered under this key"),
        "{message}"
    );
    assert!(is_static_plugin(key), "the first registration stands");
    // The first entry is the one that plays.
    let library = PluginLibrary::linked(plugin_entry, key).unwrap();
    assert_eq!(library.name(), env!("CARGO_PKG_NAME"));

    for bad in [
        "",
        "../evil",
        "plugins/../evil",
        "/plugins/evil",
        "plugins\\evil",
        "tests/evil",
    ] {
        let error = register_static_plugin(bad, plugin_entry)
            .expect_err("a key that is no bundle path is refused");
        assert!(
            matches!(&error, PluginError::Load { library, .. } if library == bad),
            "{bad:?}: {error:?}"
        );
        assert!(
            error.to_string().contains("is not a usable plugin key"),
            "{bad:?}: {error}"
        );
        assert!(!is_static_plugin(bad), "{bad:?} must not be registered");
    }
}

#[test]
fn is_static_plugin_reflects_registrations() {
    let (first, second) = ("plugins/reflect_first", "effects/reflect_second");
    assert!(!is_static_plugin(first) && !is_static_plugin(second));
    register_static_plugin(first, plugin_entry).unwrap();
    assert!(is_static_plugin(first));
    assert!(!is_static_plugin(second), "only the key registered");
    assert!(!is_static_plugin("plugins/reflect"), "no prefix match");
    assert!(!is_static_plugin("plugins/reflect_first/"), "no near match");
    // One function may serve several keys.
    register_static_plugin(second, plugin_entry).unwrap();
    assert!(is_static_plugin(first) && is_static_plugin(second));
}

#[test]
fn the_platform_default_loads_libraries_except_on_ios() {
    let expected = if cfg!(target_os = "ios") {
        PluginCode::StaticOnly
    } else {
        PluginCode::LoadLibraries
    };
    assert_eq!(PluginCode::platform_default(), expected);
    assert_eq!(PlayerOptions::default().plugin_code, expected);
}

#[test]
fn a_linked_plugin_passes_the_handshake_and_draws() {
    let library = PluginLibrary::linked(plugin_entry, "plugins/linked").unwrap();
    assert_eq!(library.label(), "plugins/linked");
    assert_eq!(library.name(), env!("CARGO_PKG_NAME"));
    assert_eq!(library.version(), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        library.abi_version(),
        (ABI_MAJOR, effect_api::plugin::abi::ABI_MINOR)
    );
    let parameters = [("level".to_owned(), Value::Float(0.2))];
    let mut instance =
        PluginInstance::create(library, "tint", "", &parameters, PluginLog::default()).unwrap();
    let source = Frame::filled(40, 30, [10, 200, 30]).unwrap();
    let mut frame = source.clone();
    instance.process(&mut frame, [], 0.0, true).unwrap();
    assert_corner_painted(&frame, &source, CornerTint::colour(0.2), "level 0.2");
    instance
        .update_parameters(&[("level".to_owned(), Value::Float(1.0))])
        .unwrap();
    let mut frame = source.clone();
    instance.process(&mut frame, [], 0.1, true).unwrap();
    assert_corner_painted(&frame, &source, [255, 0, 255], "level 1");
}

#[test]
fn a_linked_entry_without_a_usable_table_is_refused_at_the_handshake() {
    let error = PluginLibrary::linked(null_entry, "plugins/null").expect_err("no table");
    assert!(matches!(error, PluginError::Abi { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "plugins/null: its entry function returned no table"
    );
    let error = PluginLibrary::linked(future_entry, "plugins/future").expect_err("ABI 2");
    assert!(matches!(error, PluginError::Abi { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with("plugins/future: ")
            && message.contains("plugin ABI 2.0")
            && message.contains("this runtime speaks 1.1"),
        "{message}"
    );
}

#[test]
fn the_validator_asks_no_build_of_a_registered_plugin() {
    let label = "static-validate/";
    let files = |key: &str| {
        BTreeMap::from([(
            "effect.toml".to_owned(),
            format!("{HEADER}\n{}", plugin_layer(key)).into_bytes(),
        )])
    };
    let unregistered = "plugins/validate_unregistered";
    let report = validate(&files(unregistered), label, None);
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
    let message = report.diagnostics[0].to_string();
    assert!(
        message.contains("the bundle holds no build of plugin \"plugins/validate_unregistered\""),
        "{message}"
    );

    let registered = "plugins/validate_registered";
    register_static_plugin(registered, plugin_entry).unwrap();
    let report = validate(&files(registered), label, None);
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    assert!(report.manifest.is_some());
}

#[test]
fn a_registered_plugin_plays_where_plugin_code_may_not_be_loaded() {
    const TEST: &str = "a_registered_plugin_plays_where_plugin_code_may_not_be_loaded";
    let Some(cache) = lensmith_testkit::cache_or_skip(TEST) else {
        return;
    };
    let key = "plugins/static_tint";
    register_static_plugin(key, plugin_entry).unwrap();
    let bundle = bundle_without_library("static-tint", key);
    let mut player = open(&bundle, &cache, PluginCode::StaticOnly)
        .unwrap_or_else(|error| panic!("a bundle of a registered plugin opens: {error}"));
    let source = lensmith_testkit::astronaut(&cache);
    let played = play_astronaut(&mut player, &source, 0.0);
    assert_corner_painted(&played, &source, [255, 0, 255], "level 1 (the default)");

    player.set_parameter("tint", "level", 0.5).unwrap();
    let played = play_astronaut(&mut player, &source, 1.0 / 30.0);
    assert_corner_painted(&played, &source, [128, 0, 255], "level 0.5");
    assert_eq!(player.layer_failures().count(), 0);

    // A reload keeps playing the registered plugin (the same options apply).
    player
        .reload(bundle.path())
        .unwrap_or_else(|error| panic!("reloading: {error}"));
    let played = play_astronaut(&mut player, &source, 2.0 / 30.0);
    let corner = played.view().rgb(0, 0);
    assert!(
        corner[1] == 0 && corner[2] == 255,
        "the plugin still paints after the reload: {corner:?}"
    );
    assert_eq!(player.layer_failures().count(), 0);
}

#[test]
fn a_registered_plugin_is_played_instead_of_the_library_in_the_bundle() {
    const TEST: &str = "a_registered_plugin_is_played_instead_of_the_library_in_the_bundle";
    let Some(cache) = lensmith_testkit::cache_or_skip(TEST) else {
        return;
    };
    let key = "plugins/static_over_junk";
    register_static_plugin(key, plugin_entry).unwrap();
    let bundle = bundle_without_library("static-over-junk", key);
    // Loading this would fail: that it opens shows the linked plugin was taken instead.
    put_junk_library(&bundle, key);
    let mut player = open(&bundle, &cache, PluginCode::LoadLibraries)
        .unwrap_or_else(|error| panic!("the registered plugin plays: {error}"));
    let source = lensmith_testkit::astronaut(&cache);
    let played = play_astronaut(&mut player, &source, 0.0);
    assert_corner_painted(&played, &source, [255, 0, 255], "the linked plugin");
}

#[test]
fn an_unregistered_plugin_is_refused_where_only_linked_plugins_play() {
    const TEST: &str = "an_unregistered_plugin_is_refused_where_only_linked_plugins_play";
    let Some(cache) = lensmith_testkit::cache_or_skip(TEST) else {
        return;
    };
    let key = "plugins/never_registered";
    let bundle = bundle_without_library("static-unregistered", key);
    // A build for this machine is in the bundle, so the validator is content; it must
    // not be loaded (it is no library, and loading it would say so).
    put_junk_library(&bundle, key);
    let error = open(&bundle, &cache, PluginCode::StaticOnly).expect_err("refused");
    let PlayerError::Plugin(PluginError::Load { library, message }) = &error else {
        panic!("expected PlayerError::Plugin(PluginError::Load): {error:?}");
    };
    assert!(library.ends_with("effect.toml"), "{library}");
    assert!(
        message.contains("layer `tint`")
            && message.contains(&format!("\"{key}\""))
            && message.contains("`lensmith_register_static_plugin`"),
        "{message}"
    );
    assert!(
        !message.contains("cannot be loaded"),
        "the bundle's file must not be loaded: {message}"
    );
}

/// The same with no build of the plugin in the bundle at all, as bundles made for phones
/// may be: the validator asks for no build where only linked plugins play, so the refusal
/// still points at registering the plugin.
#[test]
fn a_bundle_without_any_build_is_refused_with_the_registration_advice() {
    const TEST: &str = "a_bundle_without_any_build_is_refused_with_the_registration_advice";
    let Some(cache) = lensmith_testkit::cache_or_skip(TEST) else {
        return;
    };
    let key = "plugins/never_registered_nor_built";
    let bundle = bundle_without_library("static-unregistered-unbuilt", key);
    let error = open(&bundle, &cache, PluginCode::StaticOnly).expect_err("refused");
    let PlayerError::Plugin(PluginError::Load { message, .. }) = &error else {
        panic!("expected PlayerError::Plugin(PluginError::Load): {error:?}");
    };
    assert!(
        message.contains(key) && message.contains("`lensmith_register_static_plugin`"),
        "{message}"
    );
}

#[test]
fn a_registered_entry_without_a_usable_table_fails_the_bundle_at_load() {
    const TEST: &str = "a_registered_entry_without_a_usable_table_fails_the_bundle_at_load";
    let Some(cache) = lensmith_testkit::cache_or_skip(TEST) else {
        return;
    };
    for (key, entry, expected) in [
        (
            "plugins/null_table",
            null_entry as extern "C" fn() -> *const PluginTable,
            "its entry function returned no table",
        ),
        ("plugins/future_table", future_entry, "plugin ABI 2.0"),
    ] {
        register_static_plugin(key, entry).unwrap();
        let bundle = bundle_without_library(&key.replace('/', "-"), key);
        // Twice: a refused handshake is not remembered as a library.
        for attempt in 0..2 {
            let error = open(&bundle, &cache, PluginCode::StaticOnly)
                .expect_err("the handshake refuses it");
            let PlayerError::Plugin(PluginError::Abi { library, message }) = &error else {
                panic!("{key}, attempt {attempt}: expected a handshake refusal: {error:?}");
            };
            assert_eq!(library, key);
            assert!(message.contains(expected), "{key}: {message}");
        }
    }
}
