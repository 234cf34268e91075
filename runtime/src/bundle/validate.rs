//! Validating a whole bundle: the manifest (see [`effect_api::manifest::check`]) and then
//! everything it names: that each file is in the bundle, images decode and fit the
//! texture budget, models load in ONNX Runtime and take and give the tensors the layer
//! declares, LUTs parse, plugin libraries are libraries for their platform folders (and
//! this machine's build passes the plugin handshake), and the whole fits the size budgets.
//! Every problem is reported, each pinned to the manifest line that names the file or to
//! the file's own line. Files nothing uses are warnings, not problems.

mod libraries;

use std::collections::BTreeMap;
use std::path::Path;

use effect_api::manifest::{CheckedManifest, LayerKind, ParameterValue, TensorLayout, check};
use effect_api::{Diagnostic, Manifest};

use crate::models::{
    ImageModel, ImageModelError, ModelError, ModelOptions, TensorInfo, inspect_model, tensor_shape,
};
use crate::plugin::PluginCode;

use super::MANIFEST_MEMBER as MANIFEST_FILE;
use super::usage::{human_size, unused_files};

/// What validation found.
#[derive(Debug, Clone)]
pub struct BundleReport {
    /// The manifest, when it could be read (problems may remain).
    pub manifest: Option<Manifest>,
    /// Every problem, manifest ones first in file order, then the files'.
    pub diagnostics: Vec<Diagnostic>,
    /// What is worth knowing but does not stop the bundle from playing or being packed:
    /// files nothing uses, in path order (each with `line` 0).
    pub warnings: Vec<Diagnostic>,
}

impl BundleReport {
    /// True when nothing is wrong (warnings do not count).
    pub fn is_valid(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// Validates a bundle's files (paths relative to its root, as
/// [`super::archive::read`] and [`super::archive::read_dir`] give them). `label` names the
/// bundle in messages (`cartoon/` or `cartoon.effect`); `onnx_runtime` is the ONNX
/// Runtime library models are loaded with (without it, models are reported unchecked).
///
/// This machine's build of each plugin library is loaded and handshaken, as a player
/// would: validating runs the plugin's initialisers, so validate only bundles you trust.
pub fn validate(
    files: &BTreeMap<String, Vec<u8>>,
    label: &str,
    onnx_runtime: Option<&Path>,
) -> BundleReport {
    check_bundle(files, label, onnx_runtime, PluginCode::LoadLibraries, true)
}

/// [`validate`] for a player that runs plugins as `plugin_code` says: one that plays only
/// plugins linked into the program does not need a build in the bundle (it refuses an
/// unregistered plugin itself, saying how to register it). Plugin libraries' headers are
/// checked, but none is loaded: the player loads this machine's build right after and
/// reports a refusal as a [`crate::plugin::PluginError`].
pub fn validate_for(
    files: &BTreeMap<String, Vec<u8>>,
    label: &str,
    onnx_runtime: Option<&Path>,
    plugin_code: PluginCode,
) -> BundleReport {
    check_bundle(files, label, onnx_runtime, plugin_code, false)
}

/// [`validate`] and [`validate_for`]; `handshake` says whether this machine's plugin
/// builds are loaded and handshaken, and each model run once (what a player does next
/// anyway, so [`validate_for`] leaves it to the player).
fn check_bundle(
    files: &BTreeMap<String, Vec<u8>>,
    label: &str,
    onnx_runtime: Option<&Path>,
    plugin_code: PluginCode,
    handshake: bool,
) -> BundleReport {
    let manifest_name = format!("{label}{MANIFEST_FILE}");
    let problem = |message: String, hint: &str| Diagnostic {
        file: manifest_name.clone(),
        line: 0,
        column: 0,
        message,
        hint: Some(hint.to_owned()),
    };
    let Some(bytes) = files.get(MANIFEST_FILE) else {
        return BundleReport {
            manifest: None,
            diagnostics: vec![problem(
                format!("the bundle has no {MANIFEST_FILE} at its root"),
                "every effect starts from an effect.toml; `lensmith new` writes one",
            )],
            warnings: Vec::new(),
        };
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return BundleReport {
            manifest: None,
            diagnostics: vec![problem(
                format!("{MANIFEST_FILE} is not UTF-8 text"),
                "save it as UTF-8",
            )],
            warnings: Vec::new(),
        };
    };
    let checked = check(&manifest_name, text);
    let mut diagnostics = checked.diagnostics.clone();
    let mut warnings = Vec::new();
    if let Some(manifest) = &checked.manifest {
        let assets = AssetChecker {
            files,
            checked: &checked,
            label,
            onnx_runtime,
            plugin_code,
            handshake,
        };
        assets.check(manifest, &mut diagnostics);
        warnings = overridden_fields(manifest, &checked);
        warnings.extend(
            unused_files(manifest, files)
                .into_iter()
                .map(|unused| Diagnostic {
                    file: format!("{label}{}", unused.path),
                    line: 0,
                    column: 0,
                    message: format!(
                        "not used by any layer ({}); `lensmith pack` leaves it out (use \
                     --include-unused to keep it)",
                        human_size(unused.bytes)
                    ),
                    hint: Some(
                        "delete it if nothing needs it, or name it from a layer in effect.toml"
                            .to_owned(),
                    ),
                }),
        );
    }
    BundleReport {
        manifest: checked.manifest.clone(),
        diagnostics,
        warnings,
    }
}

/// Layer fields written in the manifest whose value never plays, because a parameter of
/// the same name sets that property from its default on: a designer who edits the field
/// sees nothing change.
fn overridden_fields(manifest: &Manifest, checked: &CheckedManifest<'_>) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (index, layer) in manifest.layers.iter().enumerate() {
        let position = index.to_string();
        for parameter in &layer.parameters {
            let ParameterValue::Float { default, .. } = parameter.value else {
                continue;
            };
            let name = parameter.name.as_str();
            let field = ["layer", position.as_str(), name];
            let Some(value) = layer.kind.live_property(name) else {
                continue;
            };
            if checked.is_written(&field) && value != default {
                warnings.push(checked.at(
                    &field,
                    format!(
                        "layer `{}`: `{name} = {value}` is not what plays: its parameter \
                         `{name}` sets it, starting from its default {default}",
                        layer.name
                    ),
                    Some(format!(
                        "give `{name}` and the parameter's `default` the same value (or \
                         leave out `{name}`)"
                    )),
                ));
            }
        }
    }
    warnings
}

/// Runs `layer`'s model once on a blank crop, as the player will on every face: a model
/// whose interface says one shape and whose graph computes another (or NaN) fails here,
/// at validation, instead of on the first face it plays on. `None` when it runs well.
fn trial_run(
    library: &Path,
    bytes: &[u8],
    layer: &effect_api::manifest::FaceModelLayer,
) -> Option<String> {
    let mut model = match ImageModel::load(
        library,
        &layer.model,
        bytes,
        tensor_shape(layer.crop_size, layer.input_layout),
        tensor_shape(layer.crop_size, layer.output_layout),
        ModelOptions::default(),
    ) {
        Ok(model) => model,
        Err(error) => return Some(format!("it does not load to run: {error}")),
    };
    let values = 3 * layer.crop_size as usize * layer.crop_size as usize;
    let (input, mut output) = (vec![0.0f32; values], vec![0.0f32; values]);
    if let Err(error) = model.run(&input, &mut output) {
        let reason = match error {
            ImageModelError::Inference { message, .. } => message,
            other => other.to_string(),
        };
        return Some(format!("a trial run on a blank crop failed: {reason}"));
    }
    let broken = output.iter().filter(|value| !value.is_finite()).count();
    (broken > 0).then(|| {
        format!(
            "a trial run on a blank crop gave {broken} of {values} values that are not \
             numbers (NaN or infinite)"
        )
    })
}

struct AssetChecker<'a> {
    files: &'a BTreeMap<String, Vec<u8>>,
    checked: &'a CheckedManifest<'a>,
    label: &'a str,
    onnx_runtime: Option<&'a Path>,
    plugin_code: PluginCode,
    handshake: bool,
}

impl AssetChecker<'_> {
    fn check(&self, manifest: &Manifest, out: &mut Vec<Diagnostic>) {
        let budget = &manifest.budget;
        // What pack ships: files nothing uses (a designer's source files, say) are left out.
        let unused: std::collections::BTreeSet<String> = unused_files(manifest, self.files)
            .into_iter()
            .map(|file| file.path)
            .collect();
        let total: usize = self
            .files
            .iter()
            .filter(|(path, _)| !unused.contains(*path))
            .map(|(_, bytes)| bytes.len())
            .sum();
        if total as f64 > budget.max_total_mb * MIB {
            out.push(self.checked.at(
                &["budget", "max_total_mb"],
                format!(
                    "the files the bundle ships hold {:.1} MiB, over its budget of {} MiB",
                    total as f64 / MIB,
                    budget.max_total_mb
                ),
                Some("shrink its images or models, or raise the budget".to_owned()),
            ));
        }
        if let Some(thumbnail) = &manifest.effect.thumbnail
            && let Some(bytes) = self.file(thumbnail, &["effect", "thumbnail"], out)
        {
            self.image(
                bytes,
                thumbnail,
                &["effect", "thumbnail"],
                budget.max_texture_px,
                out,
            );
        }
        // Each library is checked once, at the first layer that names it.
        let mut libraries_checked = std::collections::BTreeSet::new();
        for (index, layer) in manifest.layers.iter().enumerate() {
            let position = index.to_string();
            let at = |key: &'static str| ["layer", position.as_str(), key];
            match &layer.kind {
                LayerKind::FaceModel(model) => {
                    if let Some(bytes) = self.file(&model.model, &at("model"), out) {
                        if bytes.len() as f64 > budget.max_model_mb * MIB {
                            out.push(self.checked.at(
                                &at("model"),
                                format!(
                                    "model \"{}\" is {:.1} MiB, over the budget of {} MiB",
                                    model.model,
                                    bytes.len() as f64 / MIB,
                                    budget.max_model_mb
                                ),
                                None,
                            ));
                        }
                        self.model(bytes, model, &at("model"), out);
                    }
                }
                LayerKind::FaceMask(mask) => {
                    if let Some(bytes) = self.file(&mask.texture, &at("texture"), out) {
                        self.image(
                            bytes,
                            &mask.texture,
                            &at("texture"),
                            budget.max_texture_px,
                            out,
                        );
                    }
                }
                LayerKind::Sticker(sticker) => {
                    if let Some(bytes) = self.file(&sticker.image, &at("image"), out) {
                        self.image(
                            bytes,
                            &sticker.image,
                            &at("image"),
                            budget.max_texture_px,
                            out,
                        );
                    }
                }
                LayerKind::Lut(lut) => {
                    if let Some(bytes) = self.file(&lut.file, &at("file"), out) {
                        self.cube(bytes, &lut.file, out);
                    }
                }
                LayerKind::Plugin(plugin) => {
                    if libraries_checked.insert(plugin.library.as_str()) {
                        self.plugin_library(&plugin.library, &at("library"), out)
                    }
                }
            }
        }
    }

    /// The bytes of `path`, or a diagnostic at the key naming it.
    fn file(&self, path: &str, at: &[&str], out: &mut Vec<Diagnostic>) -> Option<&[u8]> {
        if effect_api::manifest::bundle_path_problem(path).is_some() {
            return None; // already reported by the manifest check
        }
        if let Some(bytes) = self.files.get(path) {
            return Some(bytes);
        }
        let near = effect_api::diagnostic::near_match(path, self.files.keys().map(String::as_str));
        out.push(
            self.checked.at(
                at,
                format!("\"{path}\" is not in the bundle"),
                Some(match near {
                    Some(near) => format!("did you mean \"{near}\"?"),
                    None => {
                        "add the file, or correct the path (it is relative to the bundle's root)"
                            .to_owned()
                    }
                }),
            ),
        );
        None
    }

    /// A plugin layer's library: a usable key, and a build of it for at least one
    /// platform in the bundle, each build a library for its platform folder (see
    /// [`libraries`]). Which platforms a bundle serves is its author's choice; a player on
    /// a platform without a build refuses the bundle and says so.
    fn plugin_library(&self, key: &str, at: &[&str], out: &mut Vec<Diagnostic>) {
        if effect_api::manifest::bundle_path_problem(key).is_some() {
            return; // already reported by the manifest check
        }
        if self.plugin_code == PluginCode::StaticOnly || crate::plugin::is_static_plugin(key) {
            return; // played from code linked into the program: no build is needed
        }
        for problem in libraries::check(self.files, key, self.label, self.handshake) {
            out.push(self.checked.at(at, problem.message, problem.hint));
        }
    }

    fn image(&self, bytes: &[u8], path: &str, at: &[&str], limit: u32, out: &mut Vec<Diagnostic>) {
        let dimensions = crate::image_io::bundle_image_reader(bytes).and_then(|reader| {
            crate::image_io::upright_dimensions(reader).map_err(|error| error.to_string())
        });
        // Within the budget, the whole image is decoded as the player will: a file cut short
        // has a whole header and fails only there.
        let dimensions = dimensions.and_then(|(width, height)| {
            if width.max(height) > limit {
                return Ok((width, height));
            }
            crate::image_io::bundle_image_reader(bytes)
                .and_then(|reader| {
                    crate::image_io::decode_upright(reader).map_err(|error| error.to_string())
                })
                .map(|_| (width, height))
        });
        match dimensions {
            Err(reason) => out.push(self.checked.at(
                at,
                format!("\"{path}\" cannot be used as an image: {reason}"),
                Some("save it as PNG or JPEG".to_owned()),
            )),
            Ok((width, height)) if width.max(height) > limit => out.push(self.checked.at(
                at,
                format!("\"{path}\" is {width}x{height}, over the texture budget of {limit} px"),
                Some("scale it down, or raise `budget.max_texture_px`".to_owned()),
            )),
            Ok(_) => {}
        }
    }

    fn model(
        &self,
        bytes: &[u8],
        layer: &effect_api::manifest::FaceModelLayer,
        at: &[&str],
        out: &mut Vec<Diagnostic>,
    ) {
        let path = &layer.model;
        let Some(library) = self.onnx_runtime else {
            out.push(self.checked.at(
                at,
                format!("model \"{path}\" was not checked: ONNX Runtime is not available"),
                Some("run `cargo xtask setup`, then validate again".to_owned()),
            ));
            return;
        };
        let interface = match inspect_model(library, bytes) {
            Ok(interface) => interface,
            Err(error) => {
                let hint = match error {
                    ModelError::ExternalData { .. } => {
                        "save it with its weights inside the .onnx file: in Python, \
                         `onnx.save_model(model, path, save_as_external_data=False)`"
                    }
                    _ => "export it again as ONNX (opset 17 or newer)",
                };
                out.push(self.checked.at(
                    at,
                    format!("model \"{path}\" does not load: {error}"),
                    Some(hint.to_owned()),
                ));
                return;
            }
        };
        let side = i64::from(layer.crop_size);
        let expect = |tensors: &[TensorInfo], role: &str, layout: TensorLayout| -> Option<String> {
            let [tensor] = tensors else {
                return Some(format!(
                    "it has {} {role}s, expected one image",
                    tensors.len()
                ));
            };
            let wanted = tensor_shape(layer.crop_size, layout);
            let fits = tensor.dims.len() == 4
                && tensor
                    .dims
                    .iter()
                    .zip(wanted)
                    .all(|(&have, need)| have == need || have == -1);
            if tensor.element != "Float32" || !fits {
                return Some(format!(
                    "its {role} `{}` is {} {:?}, but the layer declares f32 {wanted:?} ({layout:?}, crop_size {side})",
                    tensor.name, tensor.element, tensor.dims
                ));
            }
            None
        };
        let problems: Vec<String> = [
            expect(&interface.inputs, "input", layer.input_layout),
            expect(&interface.outputs, "output", layer.output_layout),
        ]
        .into_iter()
        .flatten()
        .collect();
        for problem in &problems {
            out.push(self.checked.at(
                at,
                format!("model \"{path}\": {problem}"),
                Some("make the layer's crop_size and layouts match the model".to_owned()),
            ));
        }
        if problems.is_empty()
            && self.handshake
            && let Some(problem) = trial_run(library, bytes, layer)
        {
            out.push(
                self.checked.at(
                    at,
                    format!("model \"{path}\": {problem}"),
                    Some(
                        "export it again and check it on a crop (ONNX Runtime, the layer's \
                     crop_size and layouts) before bundling it"
                            .to_owned(),
                    ),
                ),
            );
        }
    }

    fn cube(&self, bytes: &[u8], path: &str, out: &mut Vec<Diagnostic>) {
        let file = format!("{}{path}", self.label);
        if let Err((line, message)) = check_cube(bytes) {
            out.push(Diagnostic {
                file,
                line,
                column: 1,
                message,
                hint: Some(
                    "a .cube LUT has `LUT_3D_SIZE N` and N³ lines of three numbers".to_owned(),
                ),
            });
        }
    }
}

/// Checks an Adobe `.cube` 3-D LUT; `Err((line, message))` on the first problem.
pub fn check_cube(bytes: &[u8]) -> Result<(), (usize, String)> {
    crate::render::parse_cube(bytes)
        .map(drop)
        .map_err(|error| (error.line, error.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cube_files_are_checked_line_by_line() {
        let mut good = String::from("TITLE \"x\"\nLUT_3D_SIZE 2\n");
        for _ in 0..8 {
            good.push_str("0.1 0.2 0.3\n");
        }
        assert_eq!(check_cube(good.as_bytes()), Ok(()));
        let short = good.replacen("0.1 0.2 0.3\n", "", 1);
        assert!(
            check_cube(short.as_bytes())
                .unwrap_err()
                .1
                .contains("7 colour lines")
        );
        let bad = good.replacen("0.1 0.2 0.3", "0.1 zero 0.3", 1);
        assert_eq!(check_cube(bad.as_bytes()).unwrap_err().0, 3);
    }
}
