//! `lensmith new`: a new effect folder made from one of the templates built into the
//! binary (`templates/` in the workspace), with the effect's name and id written into it.
//! The folder appears whole or not at all, and only once it validates.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use lensmith_runtime::bundle::archive::ArchiveLimits;

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
    /// The template: mask or sticker.
    #[arg(long, short = 't')]
    pub template: String,
    /// The effect's id (reverse domain, "com.example.neon-mask"); default
    /// `com.example.` followed by the folder's name.
    #[arg(long)]
    pub id: Option<String>,
    /// The folder to create (default: the name in lowercase with dashes, here).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
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

/// A file's bytes with `{{name}}` and `{{id}}` filled in; TOML strings escaped in `.toml`
/// files, other files untouched unless they are text.
fn fill(path: &str, bytes: &[u8], name: &str, id: &str) -> Vec<u8> {
    let is_text = [".toml", ".md", ".rs", ".txt"]
        .iter()
        .any(|extension| path.ends_with(extension));
    let Ok(text) = std::str::from_utf8(bytes).map(str::to_owned) else {
        return bytes.to_vec();
    };
    if !is_text {
        return bytes.to_vec();
    }
    let name = if path.ends_with(".toml") {
        name.replace('\\', "\\\\").replace('"', "\\\"")
    } else {
        name.to_owned()
    };
    text.replace("{{name}}", &name)
        .replace("{{id}}", id)
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
    let staging = staging_folder(&out)?;
    let made = write_template(&staging, &args.template, &args.name, &id)
        .and_then(|()| check(&staging, &out));
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
         Try it: lensmith render {} PHOTO_OR_VIDEO -o out.png, or open it in Lensmith Studio.",
        out.display(),
        args.name,
        args.template,
        out.display()
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

fn write_template(folder: &Path, template: &str, name: &str, id: &str) -> Result<()> {
    for file in TEMPLATES.iter().filter(|file| file.template == template) {
        let target = folder.join(file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&target, fill(file.path, file.bytes, name, id))
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
    fn names_are_escaped_in_toml_only() {
        let filled = fill(
            "effect.toml",
            b"name = \"{{name}}\" id = \"{{id}}\"",
            "A \"b\"",
            "com.x",
        );
        assert_eq!(
            String::from_utf8(filled).unwrap(),
            "name = \"A \\\"b\\\"\" id = \"com.x\""
        );
        let readme = fill("README.md", b"# {{name}}", "A \"b\"", "com.x");
        assert_eq!(readme, b"# A \"b\"");
        let png = fill("x.png", b"{{name}}", "A", "com.x");
        assert_eq!(png, b"{{name}}");
    }

    #[test]
    fn the_templates_are_built_in() {
        assert_eq!(template_names(), ["mask", "sticker"]);
        assert!(
            TEMPLATES
                .iter()
                .any(|file| file.template == "mask" && file.path == "effect.toml")
        );
    }
}
