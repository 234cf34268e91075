//! Builds the effect templates (the folders beside this crate's `src/`) into the crate:
//! writes `$OUT_DIR/templates.rs`, a table of every template file's kind, path and bytes,
//! so that `lensmith new` and the studio's New work without a checkout. A template is a
//! folder holding an `effect.toml`, or an `effect/effect.toml` beside its plugin.

use std::path::{Path, PathBuf};

fn main() {
    let templates = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo::rerun-if-changed={}", templates.display());
    let mut entries = Vec::new();
    if let Ok(kinds) = std::fs::read_dir(&templates) {
        let mut kinds: Vec<PathBuf> = kinds.flatten().map(|entry| entry.path()).collect();
        kinds.sort();
        for kind in kinds.iter().filter(|path| is_template(path)) {
            let mut files = Vec::new();
            collect(kind, kind, &mut files);
            files.sort();
            let name = kind
                .file_name()
                .expect("a folder has a name")
                .to_string_lossy()
                .into_owned();
            for (relative, absolute) in files {
                println!("cargo::rerun-if-changed={}", absolute.display());
                entries.push(format!(
                    "    TemplateFile {{ template: {name:?}, path: {relative:?}, bytes: include_bytes!({absolute:?}) }},\n"
                ));
            }
        }
    }
    let table = format!("&[\n{}]", entries.concat());
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("templates.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}

/// A folder with an effect manifest, at its top or in its `effect/` (not `src/`, `target/`).
fn is_template(folder: &Path) -> bool {
    folder.join("effect.toml").is_file() || folder.join("effect").join("effect.toml").is_file()
}

/// Every file under `folder`, as its `/`-separated path below `root` and its absolute path.
fn collect(root: &Path, folder: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo::rerun-if-changed={}", folder.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            let absolute = path.canonicalize().unwrap_or(path);
            files.push((relative.join("/"), absolute));
        }
    }
}
