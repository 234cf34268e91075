//! The native file dialogs (the `rfd` crate: the desktop portal on Linux, the system's own
//! on macOS and Windows), run off the UI thread as tasks. A dialog closed without a choice,
//! or a desktop without a portal, gives `None`; the path fields stay there to type into.

use std::path::PathBuf;

use iced::Task;

/// What a dialog is for, which decides its title and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A bundle folder.
    BundleFolder,
    /// A packed `.effect`.
    EffectFile,
    /// A preview source: a photo or a video.
    Source,
    /// The folder a new effect is made in.
    NewEffectFolder,
    /// A layer's asset, for its field (`texture`, `image`, `file`, `model`).
    Asset(&'static str),
}

/// The file types a dialog offers: (label, extensions).
fn filters(purpose: Purpose) -> Vec<(&'static str, Vec<&'static str>)> {
    /// The videos a preview plays (through ffmpeg, or Y4M directly).
    const VIDEOS: [&str; 5] = ["mp4", "mov", "webm", "mkv", "y4m"];
    match purpose {
        Purpose::EffectFile => vec![("Lensmith effect", vec!["effect"])],
        Purpose::Source => vec![(
            "Photos and videos",
            [
                lensmith_runtime::image_io::STILL_IMAGE_EXTENSIONS.as_slice(),
                &VIDEOS,
            ]
            .concat(),
        )],
        Purpose::Asset("texture" | "image") => vec![("PNG images", vec!["png"])],
        Purpose::Asset("file") => vec![("3D LUTs", vec!["cube"])],
        Purpose::Asset("model") => vec![("ONNX models", vec!["onnx"])],
        Purpose::Asset("library") => vec![("Plugin libraries", vec!["so", "dylib", "dll"])],
        _ => Vec::new(),
    }
}

/// Shows the dialog for `purpose`; the task ends with the path chosen.
pub fn choose(purpose: Purpose) -> Task<Option<PathBuf>> {
    let mut dialog = rfd::AsyncFileDialog::new().set_title(match purpose {
        Purpose::BundleFolder => "Open an effect folder",
        Purpose::EffectFile => "Open a packed effect",
        Purpose::Source => "Preview on a photo or video",
        Purpose::NewEffectFolder => "Make the new effect in",
        Purpose::Asset(_) => "Choose the layer's file (it is copied into the bundle)",
    });
    for (label, extensions) in filters(purpose) {
        dialog = dialog.add_filter(label, &extensions);
    }
    let folder = matches!(purpose, Purpose::BundleFolder | Purpose::NewEffectFolder);
    Task::perform(
        async move {
            let picked = if folder {
                dialog.pick_folder().await
            } else {
                dialog.pick_file().await
            };
            picked.map(|handle| handle.path().to_owned())
        },
        |path| path,
    )
}

/// What a path dropped on the window is: a bundle (a folder or `.effect`) or a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dropped {
    /// Open it as the bundle.
    Bundle(PathBuf),
    /// Preview on it.
    Source(PathBuf),
}

/// Sorts a dropped path: a folder with an `effect.toml` or an `.effect` file is a bundle;
/// anything else (photos, videos, image folders) is a source.
pub fn classify_drop(path: PathBuf) -> Dropped {
    let is_bundle = (path.is_dir() && path.join("effect.toml").is_file())
        || path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("effect"));
    if is_bundle {
        Dropped::Bundle(path)
    } else {
        Dropped::Source(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_dialog_offers_every_still_format_the_runtime_reads() {
        let offered = filters(Purpose::Source)
            .into_iter()
            .flat_map(|(_, extensions)| extensions)
            .collect::<Vec<_>>();
        for still in lensmith_runtime::image_io::STILL_IMAGE_EXTENSIONS {
            assert!(offered.contains(&still), "the dialog hides .{still} photos");
        }
    }

    #[test]
    fn drops_are_sorted_into_bundles_and_sources() {
        let folder = std::env::temp_dir().join(format!("lensmith-drop-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        assert_eq!(
            classify_drop(folder.clone()),
            Dropped::Source(folder.clone())
        );
        std::fs::write(folder.join("effect.toml"), "").unwrap();
        assert_eq!(
            classify_drop(folder.clone()),
            Dropped::Bundle(folder.clone())
        );
        assert_eq!(
            classify_drop("x/neon.EFFECT".into()),
            Dropped::Bundle("x/neon.EFFECT".into())
        );
        assert_eq!(
            classify_drop("clip.mp4".into()),
            Dropped::Source("clip.mp4".into())
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
