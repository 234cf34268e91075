//! A plugin layer added in the studio from a built library: chosen in the layer editor's
//! file dialog (its answer sent as the dialog's message), copied in under this machine's
//! platform folder, its settings typed and the budget raised in the effect panel; the
//! bundle then validates, the library's handshake included, and a file that is no library
//! is refused before anything changes.

#[path = "support/studio.rs"]
mod support;

use lensmith_runtime::bundle::archive::{self, ArchiveLimits};
use lensmith_runtime::bundle::validate;
use lensmith_studio::app::Message;
use lensmith_studio::preview_bridge::{FakePreview, OpenRequest};
use lensmith_studio::screen::{effect_info, layers};
use lensmith_testkit::TempDir;
use support::{manifest_text_of, opened_event_of, reloaded_event_of, tick};

#[test]
fn a_plugin_layer_is_added_from_a_built_library() {
    let dir = TempDir::new("studio-plugin-layer");
    let made = lensmith_templates::create(
        &lensmith_templates::NewEffect {
            name: "Tinted".into(),
            template: "mask".into(),
            id: None,
            folder: dir.join("tinted"),
            effect_api: None,
        },
        &mut |_| {},
    )
    .unwrap();
    let bundle = made.bundle;
    let fake = FakePreview::new();
    let mut studio = support::studio(
        &fake,
        &dir.join("config/studio.toml"),
        Some(OpenRequest {
            bundle: bundle.clone(),
            source: dir.join("photo.png"),
        }),
    );
    fake.push_event(opened_event_of(&bundle, true));
    tick(&mut studio);

    // Add layer of kind plugin opens a file dialog for the library; its answer is a path.
    let _ = studio.update(Message::Layers(layers::Message::AddKindChosen(
        "plugin".into(),
    )));
    let _ = studio.update(Message::Layers(layers::Message::AddLayer));
    let library = lensmith_testkit::plugins::build_test_plugin("tint", &[]);
    let _ = studio.update(Message::PluginLibraryChosen(Some(library.clone())));
    fake.push_event(reloaded_event_of(&bundle, "effect.toml", 9.0));
    tick(&mut studio);
    let text = manifest_text_of(&bundle);
    assert!(
        text.contains(
            "kind = \"plugin\"\nname = \"lensmith-test-tint\"\nlibrary = \"plugins/lensmith_test_tint\"\n"
        ),
        "{text}"
    );
    let installed = bundle.join(
        lensmith_runtime::plugin::build::current_library_file_name("plugins/lensmith_test_tint")
            .unwrap(),
    );
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        std::fs::read(&library).unwrap()
    );
    // A debug build of a plugin is over the mask template's 4 MiB budget: raised in the
    // effect panel, the bundle validates, the library's handshake included.
    let files = archive::read_dir(&bundle, &ArchiveLimits::default()).unwrap();
    let over = validate::validate(&files.files, "tinted/", None);
    assert!(
        over.diagnostics
            .iter()
            .all(|d| d.message.contains("over its budget")),
        "{:?}",
        over.diagnostics
    );
    for message in [
        effect_info::Message::Typed("budget".into(), "max_total_mb".into(), "32".into()),
        effect_info::Message::Submitted("budget".into(), "max_total_mb".into()),
    ] {
        let _ = studio.update(Message::EffectInfo(message));
    }
    assert!(manifest_text_of(&bundle).contains("max_total_mb = 32.0"));
    // Its settings typed in the layer's editor, as an inline table.
    let layer = studio.layers().layers().len() - 1;
    for message in [
        layers::Message::Expand(layer),
        layers::Message::FieldTyped(layer, "settings".into(), "strength = 0.5".into()),
        layers::Message::FieldSubmitted(layer, "settings".into()),
    ] {
        let _ = studio.update(Message::Layers(message));
    }
    assert!(
        manifest_text_of(&bundle).contains("settings = { strength = 0.5 }"),
        "{}",
        manifest_text_of(&bundle)
    );
    let files = archive::read_dir(&bundle, &ArchiveLimits::default()).unwrap();
    let report = validate::validate(&files.files, "tinted/", None);
    assert!(report.is_valid(), "{:?}", report.diagnostics);

    // A file that is not a library is refused before anything changes.
    let before = manifest_text_of(&bundle);
    let bogus = dir.join("libbogus.so");
    std::fs::write(&bogus, b"not a library at all").unwrap();
    let _ = studio.update(Message::PluginLibraryChosen(Some(bogus)));
    assert_eq!(manifest_text_of(&bundle), before);
    assert!(!studio.problems().is_empty());
}
