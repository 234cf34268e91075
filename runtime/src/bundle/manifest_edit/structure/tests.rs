//! The structural edits on a manifest with comments: what moves, what stays, what is refused.

use super::*;

const MANIFEST: &str = r#"# The effect.
[effect]
id = "com.example.x"
name = "X"
version = "0.1.0"
api_version = "1.0"

# Smiles.
[[trigger]]
name = "smiling"
when = "smile"

# The paint.
[[layer]]
kind = "face_mask"
name = "paint"
texture = "textures/paint.png"
opacity = 0.85   # how strong

[[layer.parameter]]
name = "opacity"
type = "float"
min = 0.0
max = 1.0
default = 0.85

# Sparkles while smiling.
[[layer]]
kind = "sticker"
name = "sparkles"
trigger = "smiling"
image = "stickers/sparkles.png"
anchor = [10]
"#;

fn edit(text: &str, edit: ManifestEdit) -> String {
    apply_edit(text, "fx/effect.toml", &edit).unwrap()
}

fn layer_names(text: &str) -> Vec<String> {
    let checked = effect_api::manifest::check("effect.toml", text);
    checked
        .manifest
        .unwrap()
        .layers
        .iter()
        .map(|layer| layer.name.clone())
        .collect()
}

#[test]
fn a_new_layer_goes_after_the_last_and_nothing_else_moves() {
    let added = edit(
        MANIFEST,
        ManifestEdit::AddLayer {
            kind: "sticker".into(),
            name: "hat".into(),
            fields: vec![
                ("image".into(), FieldValue::Text("stickers/hat.png".into())),
                ("anchor".into(), FieldValue::Integers(vec![10, 151])),
                ("offset".into(), FieldValue::Numbers(vec![0.0, -0.5])),
            ],
        },
    );
    assert_eq!(
        added,
        format!(
            "{MANIFEST}\n[[layer]]\nkind = \"sticker\"\nname = \"hat\"\nimage = \"stickers/hat.png\"\nanchor = [10, 151]\noffset = [0.0, -0.5]\n"
        )
    );
}

#[test]
fn a_moved_layer_takes_its_comment_and_parameters_with_it() {
    let moved = edit(
        MANIFEST,
        ManifestEdit::MoveLayer {
            layer: "paint".into(),
            to: 1,
        },
    );
    assert_eq!(layer_names(&moved), ["sparkles", "paint"]);
    let sparkles = moved.find("# Sparkles while smiling.").unwrap();
    let paint = moved.find("# The paint.").unwrap();
    let parameter = moved.find("[[layer.parameter]]").unwrap();
    assert!(sparkles < paint && paint < parameter, "{moved}");
    assert!(moved.contains("opacity = 0.85   # how strong"));
    // And back again gives the file as it was.
    let back = edit(
        &moved,
        ManifestEdit::MoveLayer {
            layer: "paint".into(),
            to: 0,
        },
    );
    assert_eq!(back, MANIFEST);
}

#[test]
fn removing_a_trigger_shows_its_layers_always_and_renaming_one_follows() {
    let renamed = edit(
        MANIFEST,
        ManifestEdit::RenameTrigger {
            trigger: "smiling".into(),
            to: "grin".into(),
        },
    );
    assert!(renamed.contains("name = \"grin\"\nwhen = \"smile\""));
    assert!(renamed.contains("trigger = \"grin\""));
    let removed = edit(
        &renamed,
        ManifestEdit::RemoveTrigger {
            trigger: "grin".into(),
        },
    );
    assert!(
        !removed.contains("grin") && !removed.contains("[[trigger]]"),
        "{removed}"
    );
}

#[test]
fn the_first_trigger_goes_before_the_layers() {
    let without = edit(
        MANIFEST,
        ManifestEdit::RemoveTrigger {
            trigger: "smiling".into(),
        },
    );
    let added = edit(
        &without,
        ManifestEdit::AddTrigger {
            name: "open".into(),
            when: "mouth_open".into(),
        },
    );
    let trigger = added.find("[[trigger]]").unwrap();
    assert!(trigger < added.find("[[layer]]").unwrap(), "{added}");
    assert!(added.contains("when = \"mouth_open\"\non = 0.6\noff = 0.4\n"));
    let tuned = edit(
        &added,
        ManifestEdit::SetTriggerField {
            trigger: "open".into(),
            field: "on".into(),
            value: FieldValue::Number(0.7),
        },
    );
    assert!(tuned.contains("on = 0.7\n"));
}

#[test]
fn fields_are_set_and_removed_keeping_their_comments() {
    let set = edit(
        MANIFEST,
        ManifestEdit::SetLayerField {
            layer: "paint".into(),
            field: "opacity".into(),
            value: FieldValue::Number(0.5),
        },
    );
    assert!(set.contains("opacity = 0.5   # how strong"), "{set}");
    let removed = edit(
        &set,
        ManifestEdit::SetLayerField {
            layer: "sparkles".into(),
            field: "trigger".into(),
            value: FieldValue::Remove,
        },
    );
    assert!(!removed.contains("trigger = \"smiling\""));
    let renamed = edit(
        &removed,
        ManifestEdit::RenameLayer {
            layer: "paint".into(),
            to: "face".into(),
        },
    );
    assert_eq!(layer_names(&renamed), ["face", "sparkles"]);
}

#[test]
fn a_plugin_s_settings_are_written_inline_or_refused_with_toml_s_reason() {
    let plugin = "[effect]\nid = \"com.example.x\"\nname = \"X\"\nversion = \"0.1.0\"\n\
        api_version = \"1.0\"\n\n[[layer]]\nkind = \"plugin\"\nname = \"glow\"\n\
        library = \"plugins/glow\"\n";
    let set = |body: &str| {
        apply_edit(
            plugin,
            "fx/effect.toml",
            &ManifestEdit::SetLayerField {
                layer: "glow".into(),
                field: "settings".into(),
                value: FieldValue::InlineTable(body.into()),
            },
        )
    };
    let written = set("strength = 0.5, mode = \"soft\"").unwrap();
    assert!(
        written.ends_with("settings = { strength = 0.5, mode = \"soft\" }\n"),
        "{written}"
    );
    let refused = set("strength = ").unwrap_err().to_string();
    assert!(refused.contains("is not a TOML inline table"), "{refused}");
}

#[test]
fn a_parameter_is_added_after_the_layer_s_others_and_removed() {
    let added = edit(
        MANIFEST,
        ManifestEdit::AddParameter {
            layer: "sparkles".into(),
            parameter: "scale".into(),
            kind: "float".into(),
            min: Some(0.1),
            max: Some(3.0),
            default: FieldValue::Number(1.0),
        },
    );
    assert!(
        added.ends_with(
            "anchor = [10]\n\n[[layer.parameter]]\nname = \"scale\"\ntype = \"float\"\nmin = 0.1\nmax = 3.0\ndefault = 1.0\n"
        ),
        "{added}"
    );
    // Added to a layer that is not the last, it goes after that layer's tables and
    // before the next layer.
    let moved = edit(
        MANIFEST,
        ManifestEdit::MoveLayer {
            layer: "sparkles".into(),
            to: 0,
        },
    );
    let first = edit(
        &moved,
        ManifestEdit::AddParameter {
            layer: "sparkles".into(),
            parameter: "rotation_deg".into(),
            kind: "float".into(),
            min: Some(-360.0),
            max: Some(360.0),
            default: FieldValue::Number(0.0),
        },
    );
    let rotation = first.find("name = \"rotation_deg\"").unwrap();
    assert!(rotation > first.find("anchor = [10]").unwrap(), "{first}");
    assert!(rotation < first.find("# The paint.").unwrap(), "{first}");
    let removed = edit(
        &added,
        ManifestEdit::RemoveParameter {
            layer: "sparkles".into(),
            parameter: "scale".into(),
        },
    );
    assert_eq!(removed.trim_end(), MANIFEST.trim_end());
    let twice = apply_edit(
        MANIFEST,
        "fx/effect.toml",
        &ManifestEdit::AddParameter {
            layer: "paint".into(),
            parameter: "opacity".into(),
            kind: "float".into(),
            min: Some(0.0),
            max: Some(1.0),
            default: FieldValue::Number(0.5),
        },
    );
    assert!(
        matches!(twice, Err(ManifestEditError::NameTaken { .. })),
        "{twice:?}"
    );
}

#[test]
fn a_missing_budget_is_made_before_the_triggers() {
    let set = edit(
        MANIFEST,
        ManifestEdit::SetTableField {
            table: "budget".into(),
            field: "max_total_mb".into(),
            value: FieldValue::Number(16.0),
        },
    );
    let budget = set.find("[budget]\nmax_total_mb = 16.0\n").expect(&set);
    assert!(budget < set.find("# Smiles.").unwrap(), "{set}");
    let renamed = edit(
        &set,
        ManifestEdit::SetTableField {
            table: "effect".into(),
            field: "name".into(),
            value: FieldValue::Text("Y".into()),
        },
    );
    assert!(renamed.contains("name = \"Y\"\nversion"));
    let refused = apply_edit(
        &set,
        "fx/effect.toml",
        &ManifestEdit::SetTableField {
            table: "budget".into(),
            field: "device_class".into(),
            value: FieldValue::Text("huge".into()),
        },
    );
    assert!(
        matches!(refused, Err(ManifestEditError::Rejected { .. })),
        "{refused:?}"
    );
}

#[test]
fn an_edit_the_checker_refuses_changes_nothing_and_says_why() {
    let refused = apply_edit(
        MANIFEST,
        "fx/effect.toml",
        &ManifestEdit::SetLayerField {
            layer: "paint".into(),
            field: "blend".into(),
            value: FieldValue::Text("normall".into()),
        },
    )
    .unwrap_err();
    let message = refused.to_string();
    assert!(
        message.starts_with("fx/effect.toml: cannot set `blend` of layer `paint`:")
            && message.contains("normall"),
        "{message}"
    );
    let taken = apply_edit(
        MANIFEST,
        "fx/effect.toml",
        &ManifestEdit::RenameLayer {
            layer: "paint".into(),
            to: "sparkles".into(),
        },
    )
    .unwrap_err();
    assert_eq!(
        taken.to_string(),
        "fx/effect.toml: there is already a layer named `sparkles`; choose another name"
    );
    let dangling = apply_edit(
        MANIFEST,
        "fx/effect.toml",
        &ManifestEdit::SetLayerField {
            layer: "paint".into(),
            field: "trigger".into(),
            value: FieldValue::Text("frowning".into()),
        },
    );
    assert!(
        matches!(dangling, Err(ManifestEditError::Rejected { .. })),
        "{dangling:?}"
    );
}
