//! The manifest checker on a good file and on files with the mistakes designers make.

use super::*;

const GOOD: &str = r#"
[effect]
id = "com.example.cartoon"
name = "Cartoon"
version = "1.2.0"
api_version = "1.0"
author = "Example Studio"
thumbnail = "thumbnail.png"

[budget]
max_total_mb = 20.0
device_class = "high"

[[trigger]]
name = "open_mouth"
when = "mouth_open"

[[layer]]
kind = "face_model"
name = "cartoon"
model = "models/cartoon.onnx"
crop_size = 256
trigger = "open_mouth"

[[layer.parameter]]
name = "opacity"
type = "float"
min = 0.0
max = 1.0
default = 0.8

[[layer]]
kind = "sticker"
name = "hat"
image = "images/hat.png"
anchor = [10, 338, 109]
offset = [0.0, -0.6]

[[layer]]
kind = "plugin"
name = "sparkles"
library = "plugins/sparkles"
settings = { density = 3, colour = "gold" }
"#;

#[test]
fn a_good_manifest_parses_without_diagnostics() {
    let checked = check("effect.toml", GOOD);
    assert_eq!(checked.diagnostics, []);
    let manifest = checked.manifest.expect("a good manifest parses");
    assert_eq!(manifest.effect.id, "com.example.cartoon");
    assert_eq!(manifest.budget.device_class, DeviceClass::High);
    assert_eq!(manifest.layers.len(), 3);
    assert_eq!(manifest.layers[0].trigger.as_deref(), Some("open_mouth"));
    let LayerKind::FaceModel(model) = &manifest.layers[0].kind else {
        panic!("the first layer is a face model");
    };
    assert_eq!(
        (model.crop_size, model.input_layout),
        (256, TensorLayout::Nchw)
    );
    assert!(matches!(
        manifest.layers[0].parameters[0].value,
        ParameterValue::Float { default, .. } if default == 0.8
    ));
}

fn messages(text: &str) -> Vec<String> {
    check("effect.toml", text)
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn every_shape_mistake_is_reported_at_once_with_its_line() {
    let text = GOOD
        .replace("thumbnail = ", "thumbnial = ")
        .replace("crop_size = 256", "crop_size = \"256\"")
        .replace("kind = \"sticker\"", "kind = \"stikcer\"")
        .replace("name = \"Cartoon\"\n", "");
    let found = messages(&text);
    let joined = found.join("\n");
    assert!(
        joined.contains("effect.toml:7:1: unknown key `effect.thumbnial`"),
        "{joined}"
    );
    assert!(joined.contains("did you mean `thumbnail`?"), "{joined}");
    assert!(
        joined.contains("`layer[0].crop_size` is a string, expected a whole number"),
        "{joined}"
    );
    assert!(
        joined.contains("\"stikcer\" is not a known value"),
        "{joined}"
    );
    assert!(joined.contains("did you mean \"sticker\"?"), "{joined}");
    assert!(joined.contains("missing key `effect.name`"), "{joined}");
    assert!(found.len() >= 4, "{joined}");
}

#[test]
fn meaning_mistakes_are_reported_with_hints() {
    let text = GOOD
        .replace("com.example.cartoon", "Cartoon Effect")
        .replace("version = \"1.2.0\"", "version = \"1.2\"")
        .replace("api_version = \"1.0\"", "api_version = \"2.0\"")
        .replace("trigger = \"open_mouth\"", "trigger = \"open_mouht\"")
        .replace("default = 0.8", "default = 1.5")
        .replace("images/hat.png", "../hat.png")
        .replace("[10, 338, 109]", "[10, 999]");
    let joined = messages(&text).join("\n");
    for expected in [
        "is not a reverse-DNS identifier",
        "is not a semver version",
        "needs runtime contract 2.0, newer than this Lensmith's 1.0",
        "refers to trigger \"open_mouht\", which is not defined",
        "did you mean \"open_mouth\"?",
        "parameter `cartoon.opacity`: default 1.5 is outside min 0 ..= max 1",
        "path \"../hat.png\" has an empty, `.` or `..` part",
        "`anchor` needs one or more landmark indices from 0 to 477",
    ] {
        assert!(
            joined.contains(expected),
            "`{expected}` missing from:\n{joined}"
        );
    }
}

#[test]
fn broken_toml_is_a_syntax_error_with_its_position() {
    let found = messages("[effect]\nid = \"a.b\nname = 3\n");
    assert!(!found.is_empty());
    assert!(found[0].starts_with("effect.toml:2:"), "{found:?}");
    assert!(found[0].contains("TOML syntax"), "{found:?}");
}

#[test]
fn unknown_trigger_signals_suggest_the_intended_one() {
    let text = GOOD.replace("when = \"mouth_open\"", "when = \"mouth_opne\"");
    let joined = messages(&text).join("\n");
    assert!(
        joined.contains("`trigger[0].when` = \"mouth_opne\" is not a known value"),
        "{joined}"
    );
    assert!(joined.contains("did you mean \"mouth_open\"?"), "{joined}");
}

#[test]
fn a_parameter_must_name_a_property_its_layer_has() {
    let misspelt = GOOD.replace("name = \"opacity\"", "name = \"opacty\"");
    let joined = messages(&misspelt).join("\n");
    assert!(
        joined.contains("parameter `opacty` drives nothing")
            && joined.contains("did you mean `opacity`?"),
        "{joined}"
    );
    let wide = GOOD.replace("max = 1.0", "max = 3.0");
    let joined = messages(&wide).join("\n");
    assert!(
        joined.contains("its range 0 ..= 3 goes outside what `opacity` accepts, 0 ..= 1"),
        "{joined}"
    );
}

#[test]
fn a_face_model_region_defaults_to_the_face_oval_and_refuses_unknown_regions() {
    let region_of = |text: &str| {
        let manifest = check("effect.toml", text).manifest.expect("it parses");
        let LayerKind::FaceModel(model) = &manifest.layers[0].kind else {
            panic!("the first layer is a face model");
        };
        model.region
    };
    assert_eq!(region_of(GOOD), PasteRegion::FaceOval);
    let with = |value: &str| {
        GOOD.replace(
            "crop_size = 256",
            &format!("crop_size = 256\nregion = {value}"),
        )
    };
    assert_eq!(region_of(&with("\"head\"")), PasteRegion::Head);
    assert_eq!(region_of(&with("\"crop\"")), PasteRegion::Crop);

    let joined = messages(&with("\"haed\"")).join("\n");
    assert!(
        joined.contains("effect.toml:23:10: `layer[0].region` = \"haed\""),
        "{joined}"
    );
    assert!(joined.contains("\"haed\" is not a known value"), "{joined}");
    assert!(joined.contains("did you mean \"head\"?"), "{joined}");
}

#[test]
fn every_trigger_mistake_is_reported_at_its_own_line() {
    let text = GOOD.replace(
        "[[trigger]]\nname = \"open_mouth\"\nwhen = \"mouth_open\"\n",
        "[[trigger]]\nname = \"open_mouth\"\nwhen = \"mouth_open\"\n\n\
         [[trigger]]\nname = \"\"\nwhen = \"smile\"\n\n\
         [[trigger]]\nname = \"blinking\"\nwhen = \"blink\"\non = 2.0\n\n\
         [[trigger]]\nname = \"open_mouth\"\nwhen = \"smile\"\n",
    );
    let found = messages(&text);
    let joined = found.join("\n");
    assert!(
        joined.contains("effect.toml:19:8: trigger 1: `name` is empty"),
        "{joined}"
    );
    assert!(
        joined.contains("effect.toml:25:6: trigger `blinking`: `on` = 2"),
        "{joined}"
    );
    assert!(
        joined.contains("effect.toml:28:8: trigger `open_mouth` is defined twice"),
        "{joined}"
    );
}

#[test]
fn names_that_cannot_address_anything_are_refused() {
    let text = GOOD
        .replace("name = \"Cartoon\"", "name = \"  \"")
        .replace("name = \"hat\"", "name = \"\"")
        .replace("name = \"opacity\"", "name = \"cartoon.opacity\"");
    let joined = messages(&text).join("\n");
    assert!(joined.contains("`effect.name` is empty"), "{joined}");
    assert!(
        joined.contains("layer 1's `name` = \"\" cannot address it: it is empty"),
        "{joined}"
    );
    assert!(
        joined.contains("parameter name \"cartoon.opacity\" in layer `cartoon` cannot address it"),
        "{joined}"
    );
}
