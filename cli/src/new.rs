//! `lensmith new`: a new effect folder made from one of the templates built into the
//! binary (`templates/` in the workspace), with the effect's name and id written into it.
//! A template with a plugin (`plugin/`, its bundle in `effect/`) has the plugin built into
//! its bundle. The folder appears whole or not at all, and only once it validates.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use lensmith_runtime::bundle::archive::ArchiveLimits;
use lensmith_runtime::plugin::build::{BuildOptions, build_plugin_crate, install_library};

use crate::bundle_commands::{read_bundle, validate_files};

/// One file of a template.
struct TemplateFile {
    /// The template's name (its folder in `templates/`).
    template: &'static str,
    /// The file's path in the template, `/` between folders.
    path: &'static str,
    bytes: &'static [u8],
}

/// Every template file, gathered by `build.rs`.
static TEMPLATES: &[TemplateFile] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// `lensmith new NAME --template KIND`.
#[derive(Args)]
pub struct NewArgs {
    /// The effect's name, as people see it ("Neon Mask"); the folder is named after it.
    pub name: String,
    /// The template: mask, sticker, generative or plugin.
    #[arg(long, short = 't')]
    pub template: String,
    /// The effect's id (reverse domain, "com.example.neon-mask"); default
    /// `com.example.` followed by the folder's name.
    #[arg(long)]
    pub id: Option<String>,
    /// The folder to create (default: the name in lowercase with dashes, here).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// The `effect-api` crate a plugin builds against (default: the one of the checkout
    /// this `lensmith` was built from).
    #[arg(long, value_name = "FOLDER")]
    pub effect_api: Option<PathBuf>,
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

/// The templates' names, sorted.
fn template_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = TEMPLATES.iter().map(|file| file.template).collect();
    names.dedup();
    names
}

/// `Neon Mask!` → `neon-mask`: lowercase letters and digits, runs of anything else as one
/// dash.
pub fn folder_name(name: &str) -> String {
    let mut slug = String::new();
    for character in name.chars().flat_map(char::to_lowercase) {
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

/// Runs `lensmith new`.
pub fn run(args: &NewArgs) -> Result<()> {
    let names = template_names();
    if !names.contains(&args.template.as_str()) {
        bail!(
            "there is no template `{}`: choose one of {}",
            args.template,
            names.join(", ")
        );
    }
    let slug = folder_name(&args.name);
    if slug.is_empty() {
        bail!(
            "the name {:?} has no letter or digit to name a folder after: give another name, or the folder with -o",
            args.name
        );
    }
    let id = args
        .id
        .clone()
        .unwrap_or_else(|| format!("com.example.{slug}"));
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(&slug));
    if out.exists() {
        bail!(
            "{} already exists: choose another name, or another folder with -o",
            out.display()
        );
    }
    let has_plugin = TEMPLATES
        .iter()
        .any(|file| file.template == args.template && file.path.starts_with("plugin/"));
    let values = Placeholders {
        name: args.name.clone(),
        id,
        crate_name: library_name(&slug),
        effect_api: if has_plugin {
            effect_api_folder(args.effect_api.as_deref())?
        } else {
            String::new()
        },
    };
    let staging = staging_folder(&out)?;
    let made = write_template(&staging, &args.template, &values)
        .and_then(|()| build_plugin(&staging, has_plugin, &values.crate_name))
        .and_then(|()| {
            check(
                &bundle_in(&staging, has_plugin),
                &bundle_in(&out, has_plugin),
            )
        });
    if let Err(error) = made {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    std::fs::rename(&staging, &out).with_context(|| {
        let _ = std::fs::remove_dir_all(&staging);
        format!("cannot move the new effect into {}", out.display())
    })?;
    println!(
        "{}: a new `{}` effect from the `{}` template; it validates.\n\
         Try it: lensmith render {} PHOTO_OR_VIDEO -o out.png, or open it in Lensmith Studio.\n\
         Once it looks right, record its golden frames: lensmith test {} --update",
        out.display(),
        args.name,
        args.template,
        bundle_in(&out, has_plugin).display(),
        bundle_in(&out, has_plugin).display()
    );
    Ok(())
}

/// A fresh folder beside `out`, to be renamed to it once complete.
fn staging_folder(out: &Path) -> Result<PathBuf> {
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        bail!(
            "{} does not exist: create it first, or choose another folder with -o",
            parent.display()
        );
    }
    let file_name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "effect".to_owned());
    let staging = parent.join(format!(".{file_name}.lensmith-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;
    Ok(staging)
}

/// The effect-api folder a new plugin depends on, as an absolute path.
fn effect_api_folder(given: Option<&Path>) -> Result<String> {
    let default = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("effect-api");
    let folder = given.map_or_else(|| default.clone(), Path::to_owned);
    match folder
        .canonicalize()
        .ok()
        .filter(|found| found.join("Cargo.toml").is_file())
    {
        Some(found) => Ok(found.to_string_lossy().into_owned()),
        None => bail!(
            "a plugin builds against the effect-api crate, and {} is not one: give the effect-api folder of a Lensmith checkout with --effect-api",
            folder.display()
        ),
    }
}

/// Where a new folder's bundle is: `effect/` when it has a plugin beside it.
fn bundle_in(folder: &Path, has_plugin: bool) -> PathBuf {
    if has_plugin {
        folder.join("effect")
    } else {
        folder.to_owned()
    }
}

/// Builds the new plugin (debug: quick, and enough to try it) into its bundle.
fn build_plugin(folder: &Path, has_plugin: bool, crate_name: &str) -> Result<()> {
    if !has_plugin {
        return Ok(());
    }
    println!("building the plugin with cargo (the first build takes a minute)…");
    let options = BuildOptions {
        release: false,
        ..BuildOptions::default()
    };
    let built = build_plugin_crate(&folder.join("plugin"), &options)?;
    install_library(
        &built.library,
        &folder.join("effect"),
        &format!("plugins/{crate_name}"),
    )?;
    Ok(())
}

fn write_template(folder: &Path, template: &str, values: &Placeholders) -> Result<()> {
    for file in TEMPLATES.iter().filter(|file| file.template == template) {
        let target = folder.join(file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&target, fill(file.path, file.bytes, values))
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

/// The new folder must validate; its problems are named as in the folder it will become.
fn check(staging: &Path, out: &Path) -> Result<()> {
    let files = read_bundle(staging, &ArchiveLimits::default())?;
    let report = validate_files(out, &files);
    if !report.is_valid() {
        let problems: Vec<String> = report
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.to_string())
            .collect();
        bail!(
            "{} was not created: it would not validate (is the id a reverse domain such as com.example.name?):\n{}",
            out.display(),
            problems.join("\n")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_lowercase_with_dashes() {
        assert_eq!(folder_name("Neon Mask!"), "neon-mask");
        assert_eq!(folder_name("  Zombie   2  "), "zombie-2");
        assert_eq!(folder_name("Été"), "t");
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
    fn the_templates_are_built_in() {
        assert_eq!(
            template_names(),
            ["generative", "mask", "plugin", "sticker"]
        );
        assert!(
            TEMPLATES
                .iter()
                .any(|file| file.template == "mask" && file.path == "effect.toml")
        );
    }
}
