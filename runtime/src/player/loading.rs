//! Turning a validated bundle into ready stages: images decoded into textures, `.cube`
//! files parsed, models loaded into sessions, face-mesh topologies made, and each layer's
//! live properties set from its parameters' defaults.

use std::collections::BTreeMap;
use std::path::Path;

use effect_api::manifest::{LayerKind, Manifest};
use effect_api::{Layer, ParameterValue};

use crate::models::{ImageModel, ModelOptions, tensor_shape};
use crate::plugin::{PluginCode, PluginLog};
use crate::pose::CanonicalFace;
use crate::render::{LutId, SceneAssets, Texture, TextureId, TopologyId, parse_cube};
use crate::smoothing::SmoothingSettings;

use super::PlayerError;
use super::face_mesh::{self, Openings};
use super::face_model::FaceModelStage;
use super::plugin_layer::PluginStage;
use super::stages::{LayerRuntime, LutStage, MaskStage, Stage, Visibility};
use super::sticker::StickerStage;

/// The textures loaded so far, by the bundle file they were decoded from: layers that
/// share an image share its texture (forty layers of one 1024² mask held forty copies).
type TexturesByFile = BTreeMap<String, (TextureId, (u32, u32))>;

/// What loading a bundle gives the player.
pub(crate) struct LoadedLayers {
    pub assets: SceneAssets,
    pub layers: Vec<LayerRuntime>,
}

/// What a bundle is loaded with.
pub(crate) struct LoadContext<'a> {
    pub files: &'a BTreeMap<String, Vec<u8>>,
    pub label: &'a str,
    pub canonical: &'a CanonicalFace,
    pub onnx_runtime: &'a Path,
    pub model_options: ModelOptions,
    pub still_images: bool,
    /// Where plugin instances log.
    pub plugin_log: &'a PluginLog,
    /// Whether plugin libraries may be loaded out of the bundle.
    pub plugin_code: PluginCode,
}

impl LoadContext<'_> {
    fn file(&self, name: &str) -> Result<&[u8], PlayerError> {
        self.files
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| self.asset_error(name, "the file is not in the bundle".to_owned()))
    }

    fn asset_error(&self, file: &str, message: String) -> PlayerError {
        PlayerError::Asset {
            file: format!("{}{file}", self.label),
            message,
        }
    }

    /// The texture of the image file `name`, decoded once however many layers use it.
    fn texture(
        &self,
        name: &str,
        assets: &mut SceneAssets,
        decoded: &mut TexturesByFile,
    ) -> Result<(TextureId, (u32, u32)), PlayerError> {
        if let Some(&known) = decoded.get(name) {
            return Ok(known);
        }
        let cannot_use = |error: &dyn std::fmt::Display| format!("cannot use the image: {error}");
        let reader = crate::image_io::bundle_image_reader(self.file(name)?)
            .map_err(|error| self.asset_error(name, cannot_use(&error)))?;
        let image = crate::image_io::decode_upright(reader)
            .map_err(|error| self.asset_error(name, cannot_use(&error)))?
            .to_rgba8();
        let (width, height) = image.dimensions();
        let texture = Texture::from_straight_rgba(width, height, image.as_raw())
            .ok_or_else(|| self.asset_error(name, "the image is empty".to_owned()))?;
        assets.textures.push(texture);
        let known = (TextureId(assets.textures.len() as u32 - 1), (width, height));
        decoded.insert(name.to_owned(), known);
        Ok(known)
    }

    fn mesh(&self, openings: Openings, assets: &mut SceneAssets) -> (TopologyId, Vec<f32>) {
        assets
            .topologies
            .push(face_mesh::topology(self.canonical, openings));
        let alpha = face_mesh::edge_alpha(self.canonical.vertices.len(), openings);
        (TopologyId(assets.topologies.len() as u32 - 1), alpha)
    }

    fn stage(
        &self,
        layer: &Layer,
        assets: &mut SceneAssets,
        decoded: &mut TexturesByFile,
    ) -> Result<Stage, PlayerError> {
        Ok(match &layer.kind {
            LayerKind::FaceModel(layer) => {
                let model = ImageModel::load(
                    self.onnx_runtime,
                    &layer.model,
                    self.file(&layer.model)?,
                    tensor_shape(layer.crop_size, layer.input_layout),
                    tensor_shape(layer.crop_size, layer.output_layout),
                    self.model_options,
                )
                .map_err(|error| self.asset_error(&layer.model, error.to_string()))?;
                Stage::FaceModel(Box::new(FaceModelStage::new(layer.clone(), model)))
            }
            LayerKind::FaceMask(layer) => {
                let (texture, _) = self.texture(&layer.texture, assets, decoded)?;
                let openings = Openings {
                    eyes: layer.eye_holes,
                    mouth: layer.mouth_hole,
                };
                let (topology, alpha) = self.mesh(openings, assets);
                Stage::Mask(MaskStage {
                    layer: layer.clone(),
                    texture,
                    topology,
                    uvs: self.canonical.uvs.clone(),
                    alpha,
                })
            }
            LayerKind::Sticker(layer) => {
                let (texture, size) = self.texture(&layer.image, assets, decoded)?;
                let smoothing = (!self.still_images).then(SmoothingSettings::default);
                Stage::Sticker(StickerStage::new(layer.clone(), texture, size, smoothing))
            }
            LayerKind::Lut(layer) => {
                let table = parse_cube(self.file(&layer.file)?).map_err(|error| {
                    self.asset_error(
                        &layer.file,
                        format!("line {}: {}", error.line, error.message),
                    )
                })?;
                assets.luts.push(table);
                let openings = Openings {
                    eyes: false,
                    mouth: false,
                };
                let (topology, alpha) = self.mesh(openings, assets);
                Stage::Lut(LutStage {
                    layer: layer.clone(),
                    lut: LutId(assets.luts.len() as u32 - 1),
                    topology,
                    uvs: self.canonical.uvs.clone(),
                    alpha,
                })
            }
            LayerKind::Plugin(plugin) => Stage::Plugin(Box::new(PluginStage::load(
                layer,
                plugin,
                self.files,
                self.label,
                self.plugin_log,
                self.plugin_code,
            )?)),
        })
    }
}

/// The starting values of a layer's live properties: each parameter's default where a
/// parameter drives the property, else the value the manifest gives the layer.
pub(crate) fn live_defaults(layer: &Layer) -> Vec<(&'static str, f64)> {
    let properties = layer.kind.live_properties().unwrap_or(&[]);
    properties
        .iter()
        .map(|&(name, ..)| {
            let declared = match (&layer.kind, name) {
                (LayerKind::FaceModel(model), "opacity") => model.opacity,
                (LayerKind::FaceModel(model), "feather") => model.feather,
                (LayerKind::FaceMask(mask), "opacity") => mask.opacity,
                (LayerKind::Sticker(sticker), "opacity") => sticker.opacity,
                (LayerKind::Sticker(sticker), "scale") => sticker.scale,
                (LayerKind::Sticker(sticker), "rotation_deg") => sticker.rotation_deg,
                (LayerKind::Lut(lut), "strength") => lut.strength,
                _ => 0.0,
            };
            let from_parameter = layer
                .parameters
                .iter()
                .find(|parameter| parameter.name == name)
                .and_then(|parameter| match parameter.value {
                    ParameterValue::Float { default, .. } => Some(default),
                    _ => None,
                });
            (name, from_parameter.unwrap_or(declared))
        })
        .collect()
}

/// Loads every layer of `manifest` in order.
pub(crate) fn load_layers(
    manifest: &Manifest,
    context: &LoadContext<'_>,
) -> Result<LoadedLayers, PlayerError> {
    let mut assets = SceneAssets::default();
    let mut decoded = TexturesByFile::new();
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for layer in &manifest.layers {
        let trigger = match &layer.trigger {
            Some(name) => Some(
                manifest
                    .triggers
                    .iter()
                    .position(|rule| &rule.name == name)
                    .ok_or_else(|| PlayerError::Unsupported {
                        what: format!("layer `{}`: trigger {name:?} is not defined", layer.name),
                    })? as u32,
            ),
            None => None,
        };
        layers.push(LayerRuntime {
            name: layer.name.clone(),
            trigger,
            stage: context.stage(layer, &mut assets, &mut decoded)?,
            visibility: Visibility::default(),
            live: live_defaults(layer),
            enabled: true,
        });
    }
    Ok(LoadedLayers { assets, layers })
}
