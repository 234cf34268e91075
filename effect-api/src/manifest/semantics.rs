//! What a well-formed `effect.toml` must also mean: a reverse-DNS id, semver versions, a
//! runtime contract this build can play, sane ranges, unique names, triggers that exist
//! and asset paths that stay inside the bundle.

use super::check::CheckedManifest;
use super::{API_VERSION, LayerKind, Manifest, ParameterValue};
use crate::diagnostic::{Diagnostic, near_match};
use crate::trigger::TriggerRules;

/// Sticker anchors may name any mesh point or iris point.
const LANDMARK_COUNT: u32 = crate::face_regions::LANDMARK_COUNT_WITH_IRISES;

fn is_reverse_dns(id: &str) -> bool {
    let parts: Vec<&str> = id.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
                && !part.starts_with('-')
        })
}

fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or("");
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|number| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
}

/// Why a path inside the bundle is unusable, if it is.
pub fn bundle_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("is empty")
    } else if path.starts_with('/') || path.contains(':') {
        Some("is absolute; paths are relative to the bundle's root")
    } else if path.contains('\\') {
        Some("uses `\\`; write paths with `/`")
    } else if path
        .split('/')
        .any(|part| part == ".." || part == "." || part.is_empty())
    {
        Some("has an empty, `.` or `..` part; paths must stay inside the bundle")
    } else if path.split('/').next() == Some(super::TESTS_FOLDER) {
        Some(
            "is under tests/, the folder of the bundle's golden-frame tests, which is never \
             packed; keep the effect's files elsewhere",
        )
    } else {
        None
    }
}

/// Adds every meaning problem of `manifest` to `out`.
pub fn check(manifest: &Manifest, checked: &CheckedManifest<'_>, out: &mut Vec<Diagnostic>) {
    let effect = &manifest.effect;
    if !is_reverse_dns(&effect.id) {
        out.push(checked.at(
            &["effect", "id"],
            format!(
                "`effect.id` = \"{}\" is not a reverse-DNS identifier",
                effect.id
            ),
            Some("use lower-case dotted words, e.g. \"com.example.cartoon\"".to_owned()),
        ));
    }
    if !is_semver(&effect.version) {
        out.push(checked.at(
            &["effect", "version"],
            format!(
                "`effect.version` = \"{}\" is not a semver version",
                effect.version
            ),
            Some("write major.minor.patch, e.g. \"1.0.0\"".to_owned()),
        ));
    }
    if effect.name.trim().is_empty() {
        out.push(checked.at(
            &["effect", "name"],
            "`effect.name` is empty".to_owned(),
            Some("give the effect the name people will see in the app".to_owned()),
        ));
    }
    check_api_version(&effect.api_version, checked, out);
    if let Some(thumbnail) = &effect.thumbnail {
        check_path(thumbnail, &["effect", "thumbnail"], checked, out);
    }
    let budget = &manifest.budget;
    if !(budget.max_total_mb > 0.0 && budget.max_model_mb > 0.0 && budget.max_texture_px > 0) {
        out.push(checked.at(
            &["budget"],
            "budget limits must be positive".to_owned(),
            None,
        ));
    }

    let rules = TriggerRules {
        rules: manifest.triggers.clone(),
    };
    for problem in rules.problems() {
        let index = problem.index.to_string();
        out.push(checked.at(
            &["trigger", index.as_str(), problem.field],
            problem.error.to_string(),
            None,
        ));
    }
    let trigger_names: Vec<&str> = manifest
        .triggers
        .iter()
        .map(|rule| rule.name.as_str())
        .collect();

    for (index, layer) in manifest.layers.iter().enumerate() {
        let position = index.to_string();
        let at = |key: &'static str| ["layer", position.as_str(), key];
        if layer.name.trim().is_empty() || layer.name.contains('.') {
            out.push(checked.at(
                &at("name"),
                format!(
                    "layer {index}'s `name` = \"{}\" cannot address it: {}",
                    layer.name,
                    if layer.name.contains('.') {
                        "it holds a `.`, which separates a layer from its parameter"
                    } else {
                        "it is empty"
                    }
                ),
                Some("name it with letters, digits, `_` or `-`, e.g. \"hat\"".to_owned()),
            ));
        } else if manifest.layers[..index]
            .iter()
            .any(|other| other.name == layer.name)
        {
            out.push(checked.at(
                &at("name"),
                format!("layer `{}` is defined twice", layer.name),
                Some("layer names must be unique: parameters are addressed by them".to_owned()),
            ));
        }
        if let Some(trigger) = &layer.trigger
            && !trigger_names.contains(&trigger.as_str())
        {
            let hint = match near_match(trigger, trigger_names.iter().copied()) {
                Some(near) => format!("did you mean \"{near}\"?"),
                None => "define it in a [[trigger]] table, or remove the key".to_owned(),
            };
            out.push(checked.at(
                &at("trigger"),
                format!(
                    "layer `{}` refers to trigger \"{trigger}\", which is not defined",
                    layer.name
                ),
                Some(hint),
            ));
        }
        check_parameters(layer, &position, checked, out);
        check_layer_kind(&layer.kind, &position, checked, out);
    }
}

fn check_api_version(version: &str, checked: &CheckedManifest<'_>, out: &mut Vec<Diagnostic>) {
    let parsed = version
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)));
    let (current_major, current_minor) = API_VERSION;
    let problem = match parsed {
        None => Some((
            format!("`effect.api_version` = \"{version}\" is not major.minor"),
            format!("this Lensmith implements \"{current_major}.{current_minor}\""),
        )),
        Some((major, _)) if major > current_major => Some((
            format!(
                "this effect needs runtime contract {version}, newer than this Lensmith's {current_major}.{current_minor}"
            ),
            "update Lensmith to play it".to_owned(),
        )),
        Some((major, _)) if major < current_major => Some((
            format!(
                "this effect was made for runtime contract {version}, which this Lensmith ({current_major}.{current_minor}) no longer plays"
            ),
            "open it in the studio to update it".to_owned(),
        )),
        Some((_, minor)) if minor > current_minor => Some((
            format!(
                "this effect uses runtime contract {version}, newer than this Lensmith's {current_major}.{current_minor}"
            ),
            "update Lensmith; features of the newer contract would be missing".to_owned(),
        )),
        Some(_) => None,
    };
    if let Some((message, hint)) = problem {
        out.push(checked.at(&["effect", "api_version"], message, Some(hint)));
    }
}

fn check_path(path: &str, at: &[&str], checked: &CheckedManifest<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(problem) = bundle_path_problem(path) {
        out.push(checked.at(at, format!("path \"{path}\" {problem}"), None));
    }
}

fn check_unit(
    value: f64,
    name: &str,
    at: &[&str],
    checked: &CheckedManifest<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if !(0.0..=1.0).contains(&value) {
        out.push(checked.at(at, format!("`{name}` = {value} is outside 0..=1"), None));
    }
}

fn check_parameters(
    layer: &super::Layer,
    position: &str,
    checked: &CheckedManifest<'_>,
    out: &mut Vec<Diagnostic>,
) {
    for (index, parameter) in layer.parameters.iter().enumerate() {
        let number = index.to_string();
        let at = ["layer", position, "parameter", number.as_str(), "default"];
        if parameter.name.trim().is_empty() || parameter.name.contains('.') {
            out.push(checked.at(
                &["layer", position, "parameter", number.as_str(), "name"],
                format!(
                    "parameter name \"{}\" in layer `{}` cannot address it (as `{}.NAME`): it \
                     is empty or holds a `.`",
                    parameter.name, layer.name, layer.name
                ),
                None,
            ));
        }
        if layer.parameters[..index]
            .iter()
            .any(|other| other.name == parameter.name)
        {
            out.push(checked.at(
                &["layer", position, "parameter", number.as_str(), "name"],
                format!(
                    "parameter `{}` is defined twice in layer `{}`",
                    parameter.name, layer.name
                ),
                None,
            ));
        }
        if let Some(properties) = layer.kind.live_properties() {
            check_binding(
                layer,
                parameter,
                properties,
                &["layer", position, "parameter", number.as_str()],
                checked,
                out,
            );
        }
        let problem = match &parameter.value {
            ParameterValue::Float { min, max, default } if !(min <= default && default <= max) => {
                Some(format!(
                    "default {default} is outside min {min} ..= max {max}"
                ))
            }
            ParameterValue::Int { min, max, default } if !(min <= default && default <= max) => {
                Some(format!(
                    "default {default} is outside min {min} ..= max {max}"
                ))
            }
            ParameterValue::Color { default }
                if !(matches!(default.len(), 3 | 4)
                    && default.iter().all(|channel| (0.0..=1.0).contains(channel))) =>
            {
                Some("a colour default is [r, g, b] or [r, g, b, a], each 0..=1".to_owned())
            }
            _ => None,
        };
        if let Some(problem) = problem {
            out.push(checked.at(
                &at,
                format!("parameter `{}.{}`: {problem}", layer.name, parameter.name),
                None,
            ));
        }
    }
}

/// A parameter of a built-in layer drives the property of its name, so the name must be one
/// of the layer's live properties and the parameter a float within the property's range.
fn check_binding(
    layer: &super::Layer,
    parameter: &super::Parameter,
    properties: &[(&str, f64, f64)],
    at: &[&str],
    checked: &CheckedManifest<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let names: Vec<&str> = properties.iter().map(|(name, ..)| *name).collect();
    let Some(&(_, low, high)) = properties.iter().find(|(name, ..)| *name == parameter.name) else {
        let mut field = at.to_vec();
        field.push("name");
        out.push(checked.at(
            &field,
            format!(
                "parameter `{}` drives nothing: a {} layer's parameters are named after the \
                 property they change",
                parameter.name,
                layer.kind.name()
            ),
            Some(match near_match(&parameter.name, names.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? (one of: {})", names.join(", ")),
                None => format!("use one of: {}", names.join(", ")),
            }),
        ));
        return;
    };
    let problem = match &parameter.value {
        ParameterValue::Float { min, max, .. } if *min < low || *max > high => Some(format!(
            "its range {min} ..= {max} goes outside what `{}` accepts, {low} ..= {high}",
            parameter.name
        )),
        ParameterValue::Float { .. } => None,
        _ => Some(format!(
            "`{}` is a number: make the parameter `type = \"float\"`",
            parameter.name
        )),
    };
    if let Some(problem) = problem {
        let mut field = at.to_vec();
        field.push("type");
        out.push(checked.at(
            &field,
            format!("parameter `{}.{}`: {problem}", layer.name, parameter.name),
            None,
        ));
    }
}

fn check_layer_kind(
    kind: &LayerKind,
    position: &str,
    checked: &CheckedManifest<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let at = |key: &'static str| ["layer", position, key];
    match kind {
        LayerKind::FaceModel(layer) => {
            check_path(&layer.model, &at("model"), checked, out);
            if !(32..=1024).contains(&layer.crop_size) || layer.crop_size % 8 != 0 {
                out.push(checked.at(
                    &at("crop_size"),
                    format!(
                        "`crop_size` = {} must be a multiple of 8 from 32 to 1024",
                        layer.crop_size
                    ),
                    None,
                ));
            }
            if !(0.0..=0.5).contains(&layer.feather) {
                out.push(checked.at(
                    &at("feather"),
                    format!(
                        "`feather` = {} is outside 0..=0.5 (a fraction of the crop side)",
                        layer.feather
                    ),
                    None,
                ));
            }
        }
        LayerKind::FaceMask(layer) => {
            check_path(&layer.texture, &at("texture"), checked, out);
            check_unit(layer.opacity, "opacity", &at("opacity"), checked, out);
        }
        LayerKind::Sticker(layer) => {
            check_path(&layer.image, &at("image"), checked, out);
            check_unit(layer.opacity, "opacity", &at("opacity"), checked, out);
            if layer.anchor.is_empty() || layer.anchor.iter().any(|&index| index >= LANDMARK_COUNT)
            {
                out.push(
                    checked.at(
                        &at("anchor"),
                        "`anchor` needs one or more landmark indices from 0 to 477".to_owned(),
                        Some(
                            "see MediaPipe's face mesh numbering (e.g. 1 is the nose tip; 468 and \
                         473 are the centres of the irises)"
                                .to_owned(),
                        ),
                    ),
                );
            }
            if layer.scale.is_nan() || layer.scale <= 0.0 {
                out.push(checked.at(
                    &at("scale"),
                    format!("`scale` = {} must be positive", layer.scale),
                    None,
                ));
            }
        }
        LayerKind::Lut(layer) => {
            check_path(&layer.file, &at("file"), checked, out);
            check_unit(layer.strength, "strength", &at("strength"), checked, out);
            if !layer.file.to_ascii_lowercase().ends_with(".cube") {
                out.push(checked.at(
                    &at("file"),
                    format!("`file` = \"{}\" is not a .cube file", layer.file),
                    None,
                ));
            }
        }
        LayerKind::Plugin(layer) => check_path(&layer.library, &at("library"), checked, out),
    }
}
