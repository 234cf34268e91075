//! How an effect player runs the face pipeline: video or stills, which detector, and
//! whether the iris model refines the eyes, which only a bundle that reads gaze needs.

use effect_api::manifest::Manifest;
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
        refine_eyes: reads_gaze(manifest),
        ..settings.with_detector_range(options.detector_range)
    }
}

/// Whether the bundle reads gaze: a trigger on a look. Only then does the iris model run on
/// every face; elsewhere its time (about 1.5 ms an eye on a laptop core) is saved and the
/// gaze scores stay 0, for plugins too.
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
}
