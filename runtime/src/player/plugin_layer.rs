//! A `plugin` layer: its library loaded, its instance created with the layer's settings
//! and parameters, and per frame the trigger changes and one `process` call. A failing
//! or panicking instance is disabled with its error kept, and the other layers go on.

use std::collections::BTreeMap;
use std::sync::Arc;

use effect_api::manifest::{LayerKind, Manifest, PluginLayer};
use effect_api::plugin::Value;
use effect_api::{Frame, Layer, ParameterValue, TriggerPhase, TriggerRule};

use crate::face_pipeline::FaceFrame;
use crate::plugin::build::current_library_file_name;
use crate::plugin::static_plugins::{is_static_plugin, static_plugin};
use crate::plugin::{HostFace, PluginCode, PluginError, PluginInstance, PluginLibrary, PluginLog};

use super::PlayerError;
use super::stages::Visibility;

/// What every plugin layer of a frame is played with.
#[derive(Clone, Copy)]
pub(crate) struct PluginFrame<'f, 'p> {
    /// The face pipeline's results.
    pub faces: &'f FaceFrame<'p>,
    /// The bundle's trigger rules, which the events' rule indices point into.
    pub rules: &'f [TriggerRule],
    /// The frame's time.
    pub time_s: f64,
    /// Whether frames are unrelated stills.
    pub still_image: bool,
}

/// A plugin layer ready to play, or disabled with the reason.
#[derive(Debug)]
pub(crate) struct PluginStage {
    pub layer: PluginLayer,
    /// The layer's parameters with their types, for checking values set live.
    pub parameters: Vec<(String, ParameterValue)>,
    pub instance: Option<PluginInstance>,
    pub failure: Option<PluginError>,
}

impl PluginStage {
    /// Takes the plugin registered under the layer's key, else (where `code` allows)
    /// loads the library for this platform out of `files`, and creates an instance. A
    /// library that cannot be loaded or is refused by the handshake fails the bundle; an
    /// instance that fails to create leaves the layer disabled with its error.
    pub(crate) fn load(
        layer: &Layer,
        plugin: &PluginLayer,
        files: &BTreeMap<String, Vec<u8>>,
        label: &str,
        log: &PluginLog,
        code: PluginCode,
    ) -> Result<Self, PlayerError> {
        let library = match static_plugin(&plugin.library, &plugin.library) {
            Some(linked) => linked?,
            None => load_library(layer, plugin, files, label, code)?,
        };
        let settings = match &plugin.settings {
            Some(table) => toml::to_string(table).unwrap_or_default(),
            None => String::new(),
        };
        let parameters: Vec<(String, ParameterValue)> = layer
            .parameters
            .iter()
            .map(|parameter| (parameter.name.clone(), parameter.value.clone()))
            .collect();
        let defaults: Vec<(String, Value)> = parameters
            .iter()
            .map(|(name, value)| (name.clone(), default_value(value)))
            .collect();
        let (instance, failure) =
            match PluginInstance::create(library, &layer.name, &settings, &defaults, log.clone()) {
                Ok(instance) => (Some(instance), None),
                Err(error) => (None, Some(error)),
            };
        Ok(Self {
            layer: plugin.clone(),
            parameters,
            instance,
            failure,
        })
    }

    /// Runs the instance on one frame: this frame's trigger changes, then `process` with
    /// every face (each with its trigger and fade). Disables the layer on a failure.
    pub(crate) fn play(
        &mut self,
        frame: &mut Frame,
        context: &PluginFrame<'_, '_>,
        trigger: Option<u32>,
        visibility: &mut Visibility,
        step: f32,
    ) {
        let PluginFrame {
            faces,
            rules,
            time_s,
            still_image,
        } = *context;
        let Some(instance) = &mut self.instance else {
            return;
        };
        let mut outcome = Ok(());
        for event in faces.events() {
            let started = match event.phase {
                TriggerPhase::Started => true,
                TriggerPhase::Ended => false,
                TriggerPhase::Active => continue,
            };
            let Some(rule) = rules.get(event.rule as usize) else {
                continue;
            };
            outcome = instance.on_trigger(&rule.name, event.face_id, started, time_s);
            if outcome.is_err() {
                break;
            }
        }
        if outcome.is_ok() {
            let host_faces = faces.faces().map(|face| {
                let on = trigger.is_none_or(|rule| faces.trigger_on(rule, face.tracked.id));
                HostFace {
                    id: face.tracked.id,
                    presence: face.tracked.score,
                    visibility: visibility.update(face.tracked.id, on, step),
                    trigger_active: on,
                    landmarks: face.landmarks,
                    pose: face.pose.map(|pose| effect_api::plugin::Pose {
                        yaw: pose.yaw,
                        pitch: pose.pitch,
                        roll: pose.roll,
                        translation: pose.translation,
                        scale: pose.scale,
                    }),
                    expressions: face.scores,
                }
            });
            outcome = instance.process(frame, host_faces, time_s, still_image);
        }
        if let Err(error) = outcome {
            self.disable(error);
        }
    }

    /// Passes a new value of parameter `name` on, converted to its declared type.
    pub(crate) fn set_parameter(&mut self, name: &str, value: f64) -> Result<(), PlayerError> {
        let Some((_, declared)) = self.parameters.iter().find(|(known, _)| known == name) else {
            return Err(PlayerError::Parameter(format!(
                "plugin `{}` has no parameter `{name}`",
                self.layer.library
            )));
        };
        let value = match *declared {
            ParameterValue::Float { min, max, .. } => Value::Float(value.clamp(min, max)),
            ParameterValue::Int { min, max, .. } => {
                Value::Int((value.round() as i64).clamp(min, max))
            }
            ParameterValue::Bool { .. } => Value::Bool(value != 0.0),
            ParameterValue::Color { .. } => {
                return Err(PlayerError::Parameter(format!(
                    "`{name}` is a colour, not a number"
                )));
            }
        };
        if let Some(instance) = &mut self.instance
            && let Err(error) = instance.update_parameters(&[(name.to_owned(), value)])
        {
            self.disable(error);
        }
        Ok(())
    }

    /// Passes a new colour for parameter `name` on.
    pub(crate) fn set_value(&mut self, name: &str, value: Value) -> Result<(), PlayerError> {
        match self.parameters.iter().find(|(known, _)| known == name) {
            Some((_, ParameterValue::Color { .. })) => {}
            Some(_) => {
                return Err(PlayerError::Parameter(format!(
                    "`{name}` is not a colour; set it as a number"
                )));
            }
            None => {
                return Err(PlayerError::Parameter(format!(
                    "plugin `{}` has no parameter `{name}`",
                    self.layer.library
                )));
            }
        }
        let value = match value {
            Value::Color(rgba) => Value::Color(rgba.map(|channel| channel.clamp(0.0, 1.0))),
            other => other,
        };
        if let Some(instance) = &mut self.instance
            && let Err(error) = instance.update_parameters(&[(name.to_owned(), value)])
        {
            self.disable(error);
        }
        Ok(())
    }

    /// Drops the instance and keeps why.
    fn disable(&mut self, error: PluginError) {
        self.instance = None;
        self.failure = Some(error);
    }
}

/// Refuses a bundle with a plugin that `code` will not play: one that is not linked into
/// the program where only linked plugins play.
pub(crate) fn check_playable(
    manifest: &Manifest,
    label: &str,
    code: PluginCode,
) -> Result<(), PlayerError> {
    for layer in &manifest.layers {
        if let LayerKind::Plugin(plugin) = &layer.kind
            && code == PluginCode::StaticOnly
            && !is_static_plugin(&plugin.library)
        {
            return Err(not_linked(layer, plugin, label));
        }
    }
    Ok(())
}

/// The refusal of a plugin that is not linked in, where only linked plugins play.
fn not_linked(layer: &Layer, plugin: &PluginLayer, label: &str) -> PlayerError {
    PlayerError::Plugin(PluginError::Load {
        library: format!("{label}effect.toml"),
        message: format!(
            "layer `{}`: plugin `{}` is not linked into this program, and this runtime does \
             not load plugin code out of bundles (the platform forbids it, or the host turned \
             it off); link the plugin crate into the app and register it under \"{}\" \
             (`lensmith_register_static_plugin`, see docs/mobile.md)",
            layer.name, plugin.library, plugin.library
        ),
    })
}

/// The bundle's library for this platform, loaded, where `code` allows loading it.
fn load_library(
    layer: &Layer,
    plugin: &PluginLayer,
    files: &BTreeMap<String, Vec<u8>>,
    label: &str,
    code: PluginCode,
) -> Result<Arc<PluginLibrary>, PlayerError> {
    if code == PluginCode::StaticOnly {
        return Err(not_linked(layer, plugin, label));
    }
    let member =
        current_library_file_name(&plugin.library).map_err(|error| PlayerError::Asset {
            file: format!("{label}effect.toml"),
            message: format!("layer `{}`: {error}", layer.name),
        })?;
    let bytes = files.get(&member).ok_or_else(|| PlayerError::Unsupported {
        what: format!(
            "layer `{}`: the bundle {label} has no build of plugin `{}` for this platform \
             ({member}); build it with `lensmith plugin build CRATE --into BUNDLE`",
            layer.name, plugin.library
        ),
    })?;
    Ok(PluginLibrary::load(bytes, &format!("{label}{member}"))?)
}

/// A parameter's default as a plugin value.
fn default_value(value: &ParameterValue) -> Value {
    match value {
        ParameterValue::Float { default, .. } => Value::Float(*default),
        ParameterValue::Int { default, .. } => Value::Int(*default),
        ParameterValue::Bool { default } => Value::Bool(*default),
        ParameterValue::Color { default } => {
            let channel = |index: usize, fallback: f64| {
                default.get(index).copied().unwrap_or(fallback) as f32
            };
            Value::Color([
                channel(0, 0.0),
                channel(1, 0.0),
                channel(2, 0.0),
                channel(3, 1.0),
            ])
        }
    }
}
