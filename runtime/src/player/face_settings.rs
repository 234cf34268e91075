//! How an effect player runs the face pipeline: video or stills, which detector, and
//! whether the eye model refines the eyes, which only a bundle that reads the eyes (a
//! blink, gaze or the irises) needs.

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

/// Whether the eye model must run on every face for the bundle: it reads blinks, gaze or
/// the irises. Elsewhere the model's time (a few milliseconds a face on a laptop core) is
/// saved, blinks are read from the mesh's lids alone, the gaze scores stay 0 and faces have
/// the mesh's 468 landmarks only, for plugins too.
pub(super) fn refines_eyes(manifest: &Manifest) -> bool {
    reads_blinks(manifest) || reads_gaze(manifest) || reads_irises(manifest)
}

/// Whether the bundle reads blinks: a trigger on either eye or both. The refined lids close
/// fully where the mesh's never do (`crate::expressions`).
pub(super) fn reads_blinks(manifest: &Manifest) -> bool {
    reads_expression(manifest, |expression| {
        matches!(
            expression,
            Expression::Blink | Expression::BlinkLeft | Expression::BlinkRight
        )
    })
}

/// Whether a trigger of the bundle reads an expression that `wanted` accepts.
fn reads_expression(manifest: &Manifest, wanted: impl Fn(Expression) -> bool) -> bool {
    manifest.triggers.iter().any(|rule| match rule.when {
        TriggerSignal::Expression(expression) => wanted(expression),
        _ => false,
    })
}

/// Whether the bundle reads gaze: a trigger on a look.
pub(super) fn reads_gaze(manifest: &Manifest) -> bool {
    reads_expression(manifest, |expression| {
        matches!(
            expression,
            Expression::LookLeft
                | Expression::LookRight
                | Expression::LookUp
                | Expression::LookDown
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
    fn only_bundles_that_read_the_eyes_run_the_iris_model() {
        assert!(!reads_gaze(&shipped("never-blink")));
        assert!(reads_blinks(&shipped("never-blink")));
        assert!(refines_eyes(&shipped("never-blink")));
        assert!(!refines_eyes(&shipped("risen-zombie")));
        assert!(!refines_eyes(&shipped("cartoon")));
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
        plugin.triggers.clear();
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
