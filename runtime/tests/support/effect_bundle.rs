//! Writing small effect bundles for rendering tests: a manifest plus assets copied from the
//! repository (the shipped face-paint art, the generated test models), and playing one on
//! the astronaut photo with the CPU reference renderer.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::{Path, PathBuf};

use effect_api::Frame;
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::player::{EffectPlayer, PlayerOptions};
use lensmith_runtime::render::cpu::CpuRenderer;
use lensmith_testkit::TempDir;

/// A file in the repository, by its path from the root.
pub fn repo_file(relative: &str) -> PathBuf {
    lensmith_testkit::workspace_root().join(relative)
}

/// The `[effect]` table every test bundle starts with.
pub const HEADER: &str = r#"[effect]
id = "dev.lensmith.test"
name = "Test"
version = "1.0.0"
api_version = "1.0"
"#;

/// Writes a bundle: `manifest` (after [`HEADER`]) and `assets` as (path in bundle, file
/// in the repository).
pub fn write_bundle(label: &str, manifest: &str, assets: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new(label);
    std::fs::write(dir.join("effect.toml"), format!("{HEADER}\n{manifest}")).unwrap();
    for (inside, source) in assets {
        let target = dir.join(inside);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(repo_file(source), &target)
            .unwrap_or_else(|error| panic!("copying {source}: {error}"));
    }
    dir
}

/// Opens `bundle` for still images with the CPU renderer.
pub fn still_player(bundle: &Path, cache: &AssetCache) -> EffectPlayer {
    let options = PlayerOptions {
        still_images: true,
        ..PlayerOptions::default()
    };
    EffectPlayer::open(bundle, cache, &options, Box::new(CpuRenderer::default()))
        .unwrap_or_else(|error| panic!("opening {}: {error}", bundle.display()))
}

/// Plays `bundle` once on the astronaut photo and returns the result.
pub fn render_astronaut(bundle: &Path, cache: &AssetCache) -> Frame {
    let mut player = still_player(bundle, cache);
    let mut frame = lensmith_testkit::astronaut(cache);
    let stats = player.process(&mut frame, 0.0).expect("rendering");
    assert_eq!(stats.faces, 1, "the astronaut photo has one face");
    frame
}
