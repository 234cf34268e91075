//! A labelled clip through the whole live face pipeline (video settings, one face, eyes
//! refined), with the expression scores kept at the labelled frames.

use std::collections::BTreeMap;
use std::path::Path;

use effect_api::ExpressionScores;
use lensmith_runtime::face_pipeline::{FacePipeline, FacePipelineSettings};
use lensmith_runtime::models::{AssetCache, ModelOptions};
use lensmith_runtime::video::open_source;

/// The clip at `path` played up to the last of the `wanted` frames; the first face's
/// scores at each wanted frame (a wanted frame without a scored face fails the test).
pub fn score_clip(
    cache: &AssetCache,
    path: &Path,
    wanted: &[u64],
) -> BTreeMap<u64, ExpressionScores> {
    let last = *wanted
        .iter()
        .max()
        .expect("a clip to score has labelled frames");
    let mut pipeline = FacePipeline::load(
        cache,
        ModelOptions::default(),
        FacePipelineSettings::video(1),
        Vec::new(),
    )
    .unwrap();
    let mut source = open_source(path).unwrap();
    let mut scores = BTreeMap::new();
    while let Some(frame) = source.next_frame().unwrap() {
        let found = pipeline.process(frame.frame.view(), frame.time_s).unwrap();
        if wanted.contains(&frame.index) {
            let face = found.faces().next().and_then(|face| face.scores.copied());
            let face = face.unwrap_or_else(|| {
                panic!(
                    "{}: no face scored at frame {}",
                    path.display(),
                    frame.index
                )
            });
            scores.insert(frame.index, face);
        }
        if frame.index >= last {
            break;
        }
    }
    scores
}
