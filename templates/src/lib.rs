//! Lensmith's effect templates, built into the program (`build.rs` gathers the template
//! folders beside this crate's `src/`), and new effect folders made from them: the one
//! place `lensmith new` and the studio's New both use.

mod new_effect;

pub use new_effect::{CreatedEffect, NewEffect, NewEffectError, create, folder_name, library_name};

/// One file of a template.
#[derive(Debug)]
pub struct TemplateFile {
    /// The template's name (its folder).
    pub template: &'static str,
    /// The file's path in the template, `/` between folders.
    pub path: &'static str,
    /// Its bytes, placeholders (`{{name}}`, `{{id}}`, …) not yet filled in.
    pub bytes: &'static [u8],
}

/// Every template file, gathered by `build.rs`, sorted by template and path.
pub static TEMPLATES: &[TemplateFile] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// The templates' names, sorted: `generative`, `mask`, `plugin`, `sticker`.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&str> = TEMPLATES.iter().map(|file| file.template).collect();
    names.dedup();
    names
}

/// The bytes of one template file as shipped (`file("sticker", "stickers/sparkles.png")`):
/// the studio's starting assets for a new layer.
pub fn file(template: &str, path: &str) -> Option<&'static [u8]> {
    TEMPLATES
        .iter()
        .find(|file| file.template == template && file.path == path)
        .map(|file| file.bytes)
}

/// Whether `template` holds a plugin crate (`plugin/`) beside its bundle (`effect/`).
pub fn has_plugin(template: &str) -> bool {
    TEMPLATES
        .iter()
        .any(|file| file.template == template && file.path.starts_with("plugin/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_are_built_in() {
        assert_eq!(names(), ["generative", "mask", "plugin", "sticker"]);
        assert!(file("mask", "effect.toml").is_some());
        assert!(
            file("sticker", "stickers/sparkles.png").is_some_and(|png| png.starts_with(b"\x89PNG"))
        );
        assert!(has_plugin("plugin"));
        assert!(!has_plugin("mask"));
        assert!(
            !TEMPLATES.iter().any(|file| file.path.starts_with("src/")),
            "the crate's own sources are not a template"
        );
    }
}
