//! How an effect player runs the face pipeline: video or stills, which detector, and
//! whether the iris model refines the eyes, which only a bundle that reads gaze or the
//! irises needs.

use effect_api::face_regions::MESH_LANDMARK_COUNT;
use effect_api::manifest::{LayerKind, Manifest};
use effect_api::{Expression, TriggerSignal};

use super::PlayerOptions;
use crate::face_pipeline::FacePipelineSettings;

/// The face pipeline's settings for `options` and the bundle `manifest`.
pub(super) fn pipeline_settings(
    options: &PlayerOptions,
    manifest: &Manifest,
) -> FacePipelineSettings {
    let settings = if options.still_images {
        FacePipelineSettings::still_images(options.max_faces)
    } else {
        FacePipelineSettings::video(options.max_faces)
    };
    FacePipelineSettings {
        refine_eyes: refines_eyes(manifest),
        ..settings.with_detector_range(options.detector_range)
    }
}

/// Whether the iris model must run on every face for the bundle: it reads gaze or the
/// irises. Elsewhere the model's time (a few milliseconds a face on a laptop core) is saved,
/// the gaze scores stay 0 and faces have the mesh's 468 landmarks only, for plugins too.
pub(super) fn refines_eyes(manifest: &Manifest) -> bool {
    reads_gaze(manifest) || reads_irises(manifest)
}

/// Whether the bundle reads gaze: a trigger on a look.
pub(super) fn reads_gaze(manifest: &Manifest) -> bool {
    manifest.triggers.iter().any(|rule| {
        matches!(
            rule.when,
            TriggerSignal::Expression(
                Expression::LookLeft
                    | Expression::LookRight
                    | Expression::LookUp
                    | Expression::LookDown
            )
        )
    })
}

/// Whether the bundle reads the irises: a sticker pinned to an iris point, or a plugin
/// layer that asks for them (`irises = true`).
pub(super) fn reads_irises(manifest: &Manifest) -> bool {
    manifest.layers.iter().any(|layer| match &layer.kind {
        LayerKind::Sticker(sticker) => sticker
            .anchor
            .iter()
            .any(|&index| index >= MESH_LANDMARK_COUNT),
        LayerKind::Plugin(plugin) => plugin.irises,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(effect: &str) -> Manifest {
        let path = format!(
            "{}/../effects/{effect}/effect.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        effect_api::manifest::check(&path, &text).manifest.unwrap()
    }

    #[test]
    fn only_bundles_that_read_gaze_run_the_iris_model() {
        assert!(!reads_gaze(&shipped("never-blink")));
        assert!(!reads_gaze(&shipped("risen-zombie")));
        assert!(!reads_gaze(&shipped("cartoon")));
        let mut smile_only = shipped("face-paint");
        assert!(!reads_gaze(&smile_only));
        assert!(!pipeline_settings(&PlayerOptions::default(), &smile_only).refine_eyes);
        smile_only.triggers[0].when = TriggerSignal::Expression(Expression::LookDown);
        assert!(reads_gaze(&smile_only));
        assert!(pipeline_settings(&PlayerOptions::default(), &smile_only).refine_eyes);
    }

    #[test]
    fn stickers_on_the_irises_and_plugins_that_ask_run_the_iris_model() {
        let mut sticker = shipped("risen-zombie");
        assert!(!refines_eyes(&sticker));
        for layer in &mut sticker.layers {
            if let LayerKind::Sticker(layer) = &mut layer.kind {
                layer.anchor = vec![468, 473];
            }
        }
        assert!(reads_irises(&sticker) && refines_eyes(&sticker));

        let mut plugin = shipped("never-blink");
        assert!(!refines_eyes(&plugin));
        for layer in &mut plugin.layers {
            if let LayerKind::Plugin(layer) = &mut layer.kind {
                layer.irises = true;
            }
        }
        assert!(reads_irises(&plugin));
        assert!(pipeline_settings(&PlayerOptions::default(), &plugin).refine_eyes);
    }
}
