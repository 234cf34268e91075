//! Which of a bundle's files are used: the manifest, what it names (the thumbnail, each
//! layer's model, texture, sticker, LUT and plugin libraries, in every platform folder),
//! and the documents that travel with an effect (README, LICENSE, NOTICE, model cards).
//! The rest is unused: validation warns about it, and `lensmith pack` leaves it out unless
//! asked to keep it.

use std::collections::BTreeMap;

use effect_api::manifest::{LayerKind, Manifest, TESTS_FOLDER};

use super::MANIFEST_MEMBER;

/// A file of the bundle that nothing uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedFile {
    /// Its path in the bundle (`/` between folders).
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The names (before the first dot, any case) of documents kept with an effect whether or
/// not the manifest names them: what it is, whose it is and under which licence, and how
/// its models were made. `LICENSE-MIT` and `LICENSE.txt` count as `LICENSE`.
const DOCUMENTS: &[&str] = &[
    "README",
    "LICENSE",
    "LICENCE",
    "NOTICE",
    "COPYING",
    "AUTHORS",
    "CREDITS",
    "MODEL_CARD",
];

/// True when `path` is a document kept with the effect (see [`DOCUMENTS`]).
pub fn is_document(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    DOCUMENTS.iter().any(|document| {
        stem == *document
            || stem
                .strip_prefix(document)
                .is_some_and(|rest| rest.starts_with(['-', '_']))
    })
}

/// The files among `paths` that could hold a build of the plugin library `key`: a file
/// named as some platform names the library (`libNAME.so`, `libNAME.dylib`, `NAME.dll`)
/// in a folder right beside the key's last part (`plugins/glow` → `plugins/*/libglow.so`),
/// whether or not that folder is a platform folder Lensmith knows.
pub fn library_candidates<'a>(key: &str, paths: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let (folder, name) = match key.rsplit_once('/') {
        Some((folder, name)) => (Some(folder), name),
        None => (None, key),
    };
    let names = [
        format!("lib{name}.so"),
        format!("lib{name}.dylib"),
        format!("{name}.dll"),
    ];
    paths
        .into_iter()
        .filter(|path| {
            let mut parts = path.rsplitn(3, '/');
            let (Some(file), Some(_platform)) = (parts.next(), parts.next()) else {
                return false;
            };
            parts.next() == folder && names.iter().any(|candidate| candidate == file)
        })
        .collect()
}

/// True when `path` is used by the bundle whose manifest is `manifest` and whose files
/// are `paths` (see the module's documentation). The bundle's `tests/` folder counts as
/// used: it is never packed, and `lensmith test` reads it.
pub fn is_used<'a>(
    path: &str,
    manifest: &Manifest,
    paths: impl IntoIterator<Item = &'a str> + Clone,
) -> bool {
    if path == MANIFEST_MEMBER
        || is_document(path)
        || path
            .strip_prefix(TESTS_FOLDER)
            .is_some_and(|rest| rest.starts_with('/'))
        || manifest.effect.thumbnail.as_deref() == Some(path)
    {
        return true;
    }
    manifest.layers.iter().any(|layer| match &layer.kind {
        LayerKind::FaceModel(model) => model.model == path,
        LayerKind::FaceMask(mask) => mask.texture == path,
        LayerKind::Sticker(sticker) => sticker.image == path,
        LayerKind::Lut(lut) => lut.file == path,
        LayerKind::Plugin(plugin) => {
            library_candidates(&plugin.library, paths.clone()).contains(&path)
        }
    })
}

/// The files of `files` that nothing uses, in path order.
pub fn unused_files(manifest: &Manifest, files: &BTreeMap<String, Vec<u8>>) -> Vec<UnusedFile> {
    let paths = files.keys().map(String::as_str);
    files
        .iter()
        .filter(|(path, _)| !is_used(path, manifest, paths.clone()))
        .map(|(path, bytes)| UnusedFile {
            path: path.clone(),
            bytes: bytes.len() as u64,
        })
        .collect()
}

/// A size for people: `812 bytes`, `129.8 KiB`, `3.2 MiB`.
pub fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / KIB),
        _ => format!("{:.1} MiB", bytes as f64 / (KIB * KIB)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(layers: &str) -> Manifest {
        let text = format!(
            "[effect]\nid = \"com.example.a\"\nname = \"A\"\nversion = \"0.1.0\"\n\
             api_version = \"1.0\"\nthumbnail = \"thumb.png\"\n{layers}"
        );
        let checked = effect_api::manifest::check("effect.toml", &text);
        checked
            .manifest
            .unwrap_or_else(|| panic!("{:?}", checked.diagnostics))
    }

    #[test]
    fn what_the_manifest_names_documents_and_tests_are_used_the_rest_is_not() {
        let manifest = manifest(
            "[[layer]]\nkind = \"lut\"\nname = \"warm\"\nfile = \"luts/warm.cube\"\n\
             [[layer]]\nkind = \"plugin\"\nname = \"glow\"\nlibrary = \"plugins/glow\"\n",
        );
        let files: BTreeMap<String, Vec<u8>> = [
            ("effect.toml", 10),
            ("thumb.png", 10),
            ("luts/warm.cube", 10),
            ("luts/cold.cube", 2000),
            ("plugins/linux-x86_64/libglow.so", 10),
            ("plugins/windows-x86_64/glow.dll", 10),
            ("plugins/linux-x86/libglow.so", 10),
            ("plugins/linux-x86_64/libother.so", 10),
            ("plugins/libglow.so", 10),
            ("README.md", 10),
            ("models/MODEL_CARD.md", 10),
            ("LICENSE-APACHE", 10),
            ("NOTICE", 10),
            ("tests/golden.toml", 10),
            ("textures/tests/a.png", 10),
            ("READMEish.txt", 10),
        ]
        .into_iter()
        .map(|(path, size)| (path.to_owned(), vec![0; size]))
        .collect();
        let unused = unused_files(&manifest, &files);
        let paths: Vec<&str> = unused.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "READMEish.txt",
                "luts/cold.cube",
                "plugins/libglow.so",
                "plugins/linux-x86_64/libother.so",
                "textures/tests/a.png",
            ]
        );
        assert_eq!(unused[1].bytes, 2000);
    }

    #[test]
    fn library_candidates_sit_one_folder_below_the_key() {
        let paths = [
            "libglow.so",
            "linux-x86_64/libglow.so",
            "a/linux-x86_64/libglow.so",
            "plugins/macos-aarch64/libglow.dylib",
        ];
        assert_eq!(
            library_candidates("glow", paths),
            ["linux-x86_64/libglow.so"]
        );
        assert_eq!(
            library_candidates("plugins/glow", paths),
            ["plugins/macos-aarch64/libglow.dylib"]
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(812), "812 bytes");
        assert_eq!(human_size(132_867), "129.8 KiB");
        assert_eq!(human_size(3 << 20), "3.0 MiB");
    }
}
