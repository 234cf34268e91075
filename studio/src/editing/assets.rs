//! Files chosen for a layer (a texture, a sticker, a LUT, a model) copied into the bundle
//! under a name the bundle's paths accept, in the folder its kind belongs in.

use std::path::Path;

use lensmith_runtime::atomic_file;
use lensmith_runtime::bundle::member_path::clean_file_name;

/// The bundle folder an asset field's files go in.
pub fn folder_for(field: &str) -> &'static str {
    match field {
        "texture" => "textures",
        "image" => "stickers",
        "file" => "luts",
        "model" => "models",
        _ => "assets",
    }
}

/// Copies `bytes` into `bundle` as `folder/name` and returns that path. A file of that
/// name with the same bytes is reused; one with other bytes is kept, and the copy gets
/// `-2`, `-3`, … before its extension.
pub fn add_to_bundle(
    bundle: &Path,
    folder: &str,
    name: &str,
    bytes: &[u8],
) -> Result<String, String> {
    let name = clean_file_name(name);
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem.to_owned(), format!(".{extension}")),
        _ => (name.clone(), String::new()),
    };
    let directory = bundle.join(folder);
    std::fs::create_dir_all(&directory)
        .map_err(|error| format!("{}: cannot create it: {error}", directory.display()))?;
    for attempt in 1..1000 {
        let file_name = if attempt == 1 {
            format!("{stem}{extension}")
        } else {
            format!("{stem}-{attempt}{extension}")
        };
        let target = directory.join(&file_name);
        let relative = format!("{folder}/{file_name}");
        match std::fs::read(&target) {
            Ok(existing) if existing == bytes => return Ok(relative),
            Ok(_) => continue,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                atomic_file::write(&target, bytes)
                    .map_err(|error| format!("{}: cannot write it: {error}", target.display()))?;
                return Ok(relative);
            }
            Err(error) => return Err(format!("{}: cannot read it: {error}", target.display())),
        }
    }
    Err(format!(
        "{}: too many files named {stem}…{extension}; rename the file and choose it again",
        directory.display()
    ))
}

/// Copies the file at `file` into `bundle` for layer field `field`; returns its path in
/// the bundle.
pub fn import(bundle: &Path, file: &Path, field: &str) -> Result<String, String> {
    let bytes = std::fs::read(file)
        .map_err(|error| format!("{}: cannot read it: {error}", file.display()))?;
    let name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "asset".to_owned());
    add_to_bundle(bundle, folder_for(field), &name, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_never_overwrites_another_file() {
        let bundle =
            std::env::temp_dir().join(format!("lensmith-studio-assets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&bundle);
        assert_eq!(
            add_to_bundle(&bundle, "stickers", "Hat.png", b"one").unwrap(),
            "stickers/hat.png"
        );
        assert_eq!(
            add_to_bundle(&bundle, "stickers", "hat.png", b"one").unwrap(),
            "stickers/hat.png",
            "the same bytes are reused"
        );
        assert_eq!(
            add_to_bundle(&bundle, "stickers", "hat.png", b"two").unwrap(),
            "stickers/hat-2.png"
        );
        assert_eq!(
            std::fs::read(bundle.join("stickers/hat.png")).unwrap(),
            b"one"
        );
        std::fs::remove_dir_all(&bundle).unwrap();
    }
}
