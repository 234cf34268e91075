//! A new effect folder made from a template, with the effect's name and id written into it.
//! A template with a plugin (`plugin/`, its bundle in `effect/`) has the plugin built into
//! its bundle. The folder appears whole or not at all, and only once it validates.

use std::path::{Path, PathBuf};

use lensmith_runtime::bundle::archive::{self, ArchiveLimits};
use lensmith_runtime::bundle::validate;
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::plugin::build::{BuildOptions, build_plugin_crate, install_library};

use crate::{TEMPLATES, has_plugin, names};

/// What to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEffect {
    /// The effect's name, as people see it ("Neon Mask").
    pub name: String,
    /// The template: `mask`, `sticker`, `generative` or `plugin`.
    pub template: String,
    /// The effect's id (reverse domain); `None` gives `com.example.` and the folder's name.
    pub id: Option<String>,
    /// The folder to create; it must not exist, its parent must.
    pub folder: PathBuf,
    /// The `effect-api` crate a plugin builds against (`None`: the one of the checkout
    /// this program was built from).
    pub effect_api: Option<PathBuf>,
}

/// What was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedEffect {
    /// The new folder.
    pub folder: PathBuf,
    /// Its bundle: the folder itself, or its `effect/` beside the plugin crate.
    pub bundle: PathBuf,
}

/// Why no folder was made (nothing was left behind).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewEffectError {
    /// No such template.
    #[error("there is no template `{given}`: choose one of {known}")]
    UnknownTemplate {
        /// What was asked for.
        given: String,
        /// The templates there are.
        known: String,
    },
    /// The name has nothing to name a folder after.
    #[error(
        "the name {0:?} has no letter or digit to name a folder after: give another name, or another folder"
    )]
    NoFolderName(String),
    /// The name holds a line break, tab or other control character.
    #[error("the name {0:?} holds a line break or another control character: give a one-line name")]
    ControlCharacter(String),
    /// The folder is there already.
    #[error("{0} already exists: choose another name or folder")]
    Exists(PathBuf),
    /// The folder's parent is missing.
    #[error("{0} does not exist: create it first, or choose another folder")]
    NoParent(PathBuf),
    /// The effect-api crate for a plugin was not found.
    #[error(
        "a plugin builds against the effect-api crate, and {0} is not one: give the effect-api folder of a Lensmith checkout"
    )]
    NoEffectApi(PathBuf),
    /// Reading or writing failed.
    #[error("cannot {action} {path}: {message}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
    /// The plugin did not build.
    #[error("the new plugin did not build: {0}")]
    PluginBuild(String),
    /// The result would not validate (a bad id, mostly).
    #[error(
        "{folder} was not created: it would not validate (is the id a reverse domain such as com.example.name?):\n{problems}"
    )]
    Invalid {
        /// The folder it would have been.
        folder: PathBuf,
        /// Every problem, one per line.
        problems: String,
    },
}

impl NewEffectError {
    fn io(action: &'static str, path: &Path, error: &std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            message: error.to_string(),
        }
    }
}

/// What the templates' `{{…}}` placeholders become.
struct Placeholders {
    /// `{{name}}`: the effect's name.
    name: String,
    /// `{{id}}`: the effect's id.
    id: String,
    /// `{{crate}}`: the folder's name with underscores (the plugin's library name).
    crate_name: String,
    /// `{{effect_api}}`: the effect-api folder a plugin depends on.
    effect_api: String,
}

/// `Neon Mask!` → `neon-mask`, `Café Noir` → `cafe-noir`, `Ёлка` → `iolka`: the name
/// written in ASCII letters (transliterated from other scripts), lowercase letters and
/// digits, runs of anything else as one dash.
pub fn folder_name(name: &str) -> String {
    let mut slug = String::new();
    for character in deunicode::deunicode(name)
        .chars()
        .flat_map(char::to_lowercase)
    {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// The plugin library's name for a folder name: `neon-mask` → `neon_mask`, and one that
/// would start with a digit (not a Rust identifier) gets `effect_` in front.
pub fn library_name(folder_name: &str) -> String {
    let name = folder_name.replace('-', "_");
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("effect_{name}")
    } else {
        name
    }
}

/// A file's bytes with the placeholders filled in; TOML strings escaped in `.toml` files,
/// other files untouched unless they are text.
fn fill(path: &str, bytes: &[u8], values: &Placeholders) -> Vec<u8> {
    let is_text = [".toml", ".md", ".rs", ".txt"]
        .iter()
        .any(|extension| path.ends_with(extension));
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    if !is_text {
        return bytes.to_vec();
    }
    let escape = |value: &str| {
        if path.ends_with(".toml") {
            value.replace('\\', "\\\\").replace('"', "\\\"")
        } else {
            value.to_owned()
        }
    };
    text.replace("{{name}}", &escape(&values.name))
        .replace("{{id}}", &values.id)
        .replace("{{crate}}", &values.crate_name)
        .replace("{{effect_api}}", &escape(&values.effect_api))
        .into_bytes()
}

/// Makes `request.folder` from its template. `progress` hears of slow steps (the plugin's
/// first build takes a minute).
pub fn create(
    request: &NewEffect,
    progress: &mut dyn FnMut(&str),
) -> Result<CreatedEffect, NewEffectError> {
    let known = names();
    if !known.contains(&request.template.as_str()) {
        return Err(NewEffectError::UnknownTemplate {
            given: request.template.clone(),
            known: known.join(", "),
        });
    }
    if request.name.chars().any(char::is_control) {
        return Err(NewEffectError::ControlCharacter(request.name.clone()));
    }
    // The id and the plugin's crate are named after the folder, as the folder is after the
    // name unless one was given.
    let slug = request
        .folder
        .file_name()
        .map(|folder| folder_name(&folder.to_string_lossy()))
        .filter(|slug| !slug.is_empty())
        .unwrap_or_else(|| folder_name(&request.name));
    if slug.is_empty() {
        return Err(NewEffectError::NoFolderName(request.name.clone()));
    }
    let out = &request.folder;
    if out.exists() {
        return Err(NewEffectError::Exists(out.clone()));
    }
    let with_plugin = has_plugin(&request.template);
    let values = Placeholders {
        name: request.name.clone(),
        id: request
            .id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| format!("com.example.{slug}")),
        crate_name: library_name(&slug),
        effect_api: if with_plugin {
            effect_api_folder(request.effect_api.as_deref())?
        } else {
            String::new()
        },
    };
    let staging = staging_folder(out)?;
    let made = write_template(&staging, &request.template, &values)
        .and_then(|()| build_plugin(&staging, with_plugin, &values.crate_name, progress))
        .and_then(|()| {
            check(
                &bundle_in(&staging, with_plugin),
                &bundle_in(out, with_plugin),
            )
        });
    if let Err(error) = made {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    if let Err(error) = std::fs::rename(&staging, out) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(NewEffectError::io("move the new effect into", out, &error));
    }
    Ok(CreatedEffect {
        folder: out.clone(),
        bundle: bundle_in(out, with_plugin),
    })
}

/// A fresh folder beside `out`, to be renamed to it once complete.
fn staging_folder(out: &Path) -> Result<PathBuf, NewEffectError> {
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(NewEffectError::NoParent(parent));
    }
    let file_name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "effect".to_owned());
    let staging = parent.join(format!(".{file_name}.lensmith-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)
        .map_err(|error| NewEffectError::io("create", &staging, &error))?;
    Ok(staging)
}

/// The effect-api folder a new plugin depends on, as an absolute path.
fn effect_api_folder(given: Option<&Path>) -> Result<String, NewEffectError> {
    let default = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("effect-api");
    let folder = given.map_or_else(|| default.clone(), Path::to_owned);
    folder
        .canonicalize()
        .ok()
        .filter(|found| found.join("Cargo.toml").is_file())
        .map(|found| found.to_string_lossy().into_owned())
        .ok_or(NewEffectError::NoEffectApi(folder))
}

/// Where a new folder's bundle is: `effect/` when it has a plugin beside it.
fn bundle_in(folder: &Path, with_plugin: bool) -> PathBuf {
    if with_plugin {
        folder.join("effect")
    } else {
        folder.to_owned()
    }
}

/// Builds the new plugin (debug: quick, and enough to try it) into its bundle.
fn build_plugin(
    folder: &Path,
    with_plugin: bool,
    crate_name: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(), NewEffectError> {
    if !with_plugin {
        return Ok(());
    }
    progress("building the plugin with cargo (the first build takes a minute)…");
    let options = BuildOptions {
        release: false,
        ..BuildOptions::default()
    };
    let failed = |error: &dyn std::fmt::Display| NewEffectError::PluginBuild(error.to_string());
    let built = build_plugin_crate(&folder.join("plugin"), &options).map_err(|e| failed(&e))?;
    install_library(
        &built.library,
        &folder.join("effect"),
        &format!("plugins/{crate_name}"),
    )
    .map_err(|e| failed(&e))?;
    Ok(())
}

fn write_template(
    folder: &Path,
    template: &str,
    values: &Placeholders,
) -> Result<(), NewEffectError> {
    for file in TEMPLATES.iter().filter(|file| file.template == template) {
        let target = folder.join(file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| NewEffectError::io("create", parent, &error))?;
        }
        std::fs::write(&target, fill(file.path, file.bytes, values))
            .map_err(|error| NewEffectError::io("write", &target, &error))?;
    }
    Ok(())
}

/// The new folder must validate; its problems are named as in the folder it will become.
fn check(staging: &Path, out: &Path) -> Result<(), NewEffectError> {
    let files = archive::read_dir(staging, &ArchiveLimits::default()).map_err(|error| {
        NewEffectError::Io {
            action: "read back",
            path: staging.to_owned(),
            message: error.to_string(),
        }
    })?;
    let onnx_runtime = AssetCache::locate()
        .and_then(|cache| cache.onnxruntime_library())
        .ok();
    let report = validate::validate(
        &files.files,
        &format!("{}/", out.display()),
        onnx_runtime.as_deref(),
    );
    if report.is_valid() {
        return Ok(());
    }
    let problems: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    Err(NewEffectError::Invalid {
        folder: out.to_owned(),
        problems: problems.join("\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_lowercase_with_dashes() {
        assert_eq!(folder_name("Neon Mask!"), "neon-mask");
        assert_eq!(folder_name("  Zombie   2  "), "zombie-2");
        assert_eq!(folder_name("Été"), "ete");
        assert_eq!(folder_name("Café Noir"), "cafe-noir");
        assert_eq!(folder_name("Ёлка"), "iolka");
        assert_eq!(folder_name("!!!"), "");
    }

    #[test]
    fn library_names_are_identifiers() {
        assert_eq!(library_name("neon-mask"), "neon_mask");
        assert_eq!(library_name("3d-mask"), "effect_3d_mask");
    }

    #[test]
    fn names_are_escaped_in_toml_only() {
        let values = Placeholders {
            name: "A \"b\"".into(),
            id: "com.x".into(),
            crate_name: "a_b".into(),
            effect_api: "/src/effect-api".into(),
        };
        let filled = fill(
            "effect.toml",
            b"name = \"{{name}}\" id = \"{{id}}\"",
            &values,
        );
        assert_eq!(
            String::from_utf8(filled).unwrap(),
            "name = \"A \\\"b\\\"\" id = \"com.x\""
        );
        let readme = fill("README.md", b"# {{name}} {{crate}}", &values);
        assert_eq!(readme, b"# A \"b\" a_b");
        let png = fill("x.png", b"{{name}}", &values);
        assert_eq!(png, b"{{name}}");
    }

    #[test]
    fn a_mask_is_made_whole_and_a_bad_id_leaves_nothing() {
        let root = std::env::temp_dir().join(format!("lensmith-new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let request = |name: &str, id: Option<&str>| NewEffect {
            name: name.into(),
            template: "mask".into(),
            id: id.map(str::to_owned),
            folder: root.join(folder_name(name)),
            effect_api: None,
        };
        let made = create(&request("Neon Mask", None), &mut |_| {}).unwrap();
        let manifest = std::fs::read_to_string(made.bundle.join("effect.toml")).unwrap();
        assert!(
            manifest.contains("id = \"com.example.neon-mask\""),
            "{manifest}"
        );
        assert!(manifest.contains("name = \"Neon Mask\""));
        assert!(made.bundle.join("textures/mask.png").is_file());
        assert_eq!(
            create(&request("Neon Mask", None), &mut |_| {}),
            Err(NewEffectError::Exists(root.join("neon-mask")))
        );
        let refused = create(&request("Bad Id", Some("not an id")), &mut |_| {});
        assert!(
            matches!(refused, Err(NewEffectError::Invalid { .. })),
            "{refused:?}"
        );
        let left: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "only the first effect remains: {left:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
