//! `cargo xtask art`: regenerates, deterministically and from code alone, the images and
//! LUTs of the shipped effects (face-paint, risen-zombie), the example warm grade and the
//! UV layout guide for designers.
//!
//! # The UV convention
//!
//! MediaPipe's canonical face geometry gives each of the 468 landmarks a UV. Measured on
//! `geometry_pipeline_metadata_landmarks.binarypb` (this command prints them):
//!
//! | landmark | where | u | v |
//! | --- | --- | --- | --- |
//! | 10 | top of the forehead | 0.5000 | 0.1071 |
//! | 152 | chin | 0.5000 | 0.9545 |
//! | 33 | the subject's right eye, outer corner (image left) | 0.2801 | 0.3756 |
//! | 263 | the subject's left eye, outer corner (image right) | 0.7199 | 0.3756 |
//!
//! So u grows to the image's right (the subject's left) and **v grows downwards**, like
//! image rows, although the mesh's own y axis points up. The runtime's mask renderer
//! samples textures with v = 0 at the top row, so the canonical UVs map to a
//! `W × H` texture **as they are, without flipping v**: column `x = u · W`, row `y = v · H`
//! (pixel centres at `(u · W − 0.5, v · H − 0.5)` in texel indices). A mask texture is
//! thus painted as a frontal, unmirrored photo of the face would be.
//! [`face::check_uv_convention`] fails this command if the geometry ever disagrees.
//!
//! # What it writes (relative to the workspace root)
//!
//! - `effects/face-paint/textures/face_paint.png`, and `templates/mask/textures/mask.png`:
//!   the face paint, 1024² RGBA in UV space ([`face_paint`]).
//! - `effects/face-paint/stickers/sparkles.png`, and `templates/sticker/stickers/`: the
//!   smile sticker, 512² RGBA ([`sparkles`]).
//! - `docs/images/uv_layout.png`, and `templates/mask/guide/`: the canonical UV layout with
//!   the mesh, its features and key landmark numbers ([`uv_layout`]).
//! - `examples/effects/warm-grade/luts/warm.cube`: a 17³ warm grade ([`lut`]).
//! - `effects/risen-zombie/textures/zombie_skin.png`: the zombie's skin, 1024² RGBA in UV
//!   space, for the `multiply` blend ([`zombie_skin`]).
//! - `effects/risen-zombie/stickers/roar.png`: the roar sticker, 640×448 RGBA ([`roar`]).
//! - `effects/risen-zombie/luts/dead_skin.cube` and `blood_rush.cube`: 17³ grades, the
//!   face's dead skin and the roar's red flash ([`zombie_lut`]).
//!
//! Every pixel is computed from the canonical geometry and constants in these modules (no
//! randomness but a fixed-seed hash, no fonts, no downloaded art), so a run writes the same
//! bytes each time on a given platform.

use std::path::PathBuf;

use anyhow::Result;

/// Options of `cargo xtask art`.
#[derive(Debug, clap::Args)]
pub struct ArtOptions {
    /// Write under this folder instead of the workspace root (same relative paths).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Regenerates every file; without the `art` feature (the runtime's geometry parser), runs
/// itself again through cargo with it.
pub fn run(options: &ArtOptions) -> Result<()> {
    #[cfg(feature = "art")]
    {
        generate::run(options)
    }
    #[cfg(not(feature = "art"))]
    {
        let out = options
            .out
            .as_ref()
            .map(|folder| folder.to_string_lossy().into_owned());
        let mut args = vec![
            "run",
            "--quiet",
            "--package",
            "xtask",
            "--features",
            "art",
            "--",
            "art",
        ];
        if let Some(out) = &out {
            args.extend(["--out", out]);
        }
        crate::commands::cargo(&args, "`cargo xtask art` failed (see above)")
    }
}

#[cfg(feature = "art")]
mod canvas;
#[cfg(feature = "art")]
mod face;
#[cfg(feature = "art")]
mod face_paint;
#[cfg(feature = "art")]
mod font;
#[cfg(feature = "art")]
mod lut;
#[cfg(feature = "art")]
mod noise;
#[cfg(feature = "art")]
mod roar;
#[cfg(feature = "art")]
mod sparkles;
#[cfg(feature = "art")]
mod uv_layout;
#[cfg(feature = "art")]
mod zombie_lut;
#[cfg(feature = "art")]
mod zombie_skin;

/// The canonical face for tests, or `None` with the reason printed when the cache lacks it
/// (a failure instead when `LENSMITH_REQUIRE_ASSETS=1`, as `cargo xtask test` sets).
#[cfg(all(test, feature = "art"))]
pub fn canonical_face_for_tests(test: &str) -> Option<lensmith_runtime::pose::CanonicalFace> {
    let path =
        lensmith_runtime::models::AssetCache::locate().and_then(|cache| cache.face_geometry());
    match path {
        Ok(path) => Some(lensmith_runtime::pose::CanonicalFace::load(&path).unwrap()),
        Err(error) => {
            if std::env::var_os("LENSMITH_REQUIRE_ASSETS").is_some_and(|value| value == "1") {
                panic!("{test}: the face geometry is required here: {error}");
            }
            eprintln!("\n*** SKIPPED {test}: {error}; run `cargo xtask setup`\n");
            None
        }
    }
}

#[cfg(feature = "art")]
mod generate {
    use anyhow::{Context, Result};
    use lensmith_runtime::models::AssetCache;
    use lensmith_runtime::pose::CanonicalFace;

    use super::ArtOptions;
    use super::face::FaceLayout;

    /// Loads the canonical face, prints the UV convention it shows, writes every file.
    pub fn run(options: &ArtOptions) -> Result<()> {
        let root = options
            .out
            .clone()
            .unwrap_or_else(crate::paths::workspace_root);
        let geometry = AssetCache::locate()
            .and_then(|cache| cache.face_geometry())
            .context("the canonical face geometry is needed: run `cargo xtask setup` first")?;
        let face = CanonicalFace::load(&geometry)?;
        println!("canonical UVs ({}):", geometry.display());
        for (index, what) in [
            (10, "top of the forehead"),
            (152, "chin"),
            (33, "subject's right eye, outer corner"),
            (263, "subject's left eye, outer corner"),
        ] {
            let [u, v] = face.uvs[index];
            println!("  {index:>3} {what:<34} u = {u:.4}, v = {v:.4}");
        }
        super::face::check_uv_convention(&face.uvs)?;
        println!("  v grows downwards: texture row = v · height (no flip), column = u · width");

        // Each picture goes to every place that uses it: the shipped effect and the
        // templates `lensmith new` copies.
        let paint = FaceLayout::new(&face, super::face_paint::SIDE)?;
        let paint = super::face_paint::draw(&paint);
        for path in [
            "effects/face-paint/textures/face_paint.png",
            "templates/mask/textures/mask.png",
        ] {
            paint.save_png(&root.join(path), false)?;
            println!("wrote {path}");
        }

        let sparkles = super::sparkles::draw();
        for path in [
            "effects/face-paint/stickers/sparkles.png",
            "templates/sticker/stickers/sparkles.png",
        ] {
            sparkles.save_png(&root.join(path), false)?;
            println!("wrote {path}");
        }

        let guide = FaceLayout::new(&face, super::uv_layout::SIDE)?;
        let guide = super::uv_layout::draw(&guide);
        for path in [
            "docs/images/uv_layout.png",
            "templates/mask/guide/uv_layout.png",
        ] {
            guide.save_png(&root.join(path), true)?;
            println!("wrote {path}");
        }

        let path = root.join("examples/effects/warm-grade/luts/warm.cube");
        crate::digest::write_atomically(&path, super::lut::warm_cube().as_bytes())?;
        println!("wrote {}", path.display());

        let zombie = FaceLayout::new(&face, super::zombie_skin::SIDE)?;
        let path = "effects/risen-zombie/textures/zombie_skin.png";
        super::zombie_skin::draw(&zombie).save_png(&root.join(path), false)?;
        println!("wrote {path}");
        let path = "effects/risen-zombie/stickers/roar.png";
        super::roar::draw().save_png(&root.join(path), false)?;
        println!("wrote {path}");
        for (path, text) in [
            (
                "effects/risen-zombie/luts/dead_skin.cube",
                super::zombie_lut::dead_skin_cube(),
            ),
            (
                "effects/risen-zombie/luts/blood_rush.cube",
                super::zombie_lut::blood_rush_cube(),
            ),
        ] {
            crate::digest::write_atomically(&root.join(path), text.as_bytes())?;
            println!("wrote {path}");
        }
        Ok(())
    }
}
