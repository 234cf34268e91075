//! The rules a member path must follow, in an archive and in a bundle directory alike, so
//! that a bundle unpacks to the same files on every system and never outside its folder.
//!
//! A member path is relative, uses `/` between components and is portable: no `..`, no
//! absolute paths, no backslashes, no drive letters or Windows device names, no control
//! characters, and no two paths that differ only in letter case. Unicode normalisation is
//! not checked: `é` written precomposed and decomposed count as different names.

use std::collections::HashMap;

/// `My Hat (1).PNG` → `my-hat-1.png`: a file name any bundle accepts, made of lowercase
/// letters, digits, dots and single dashes (`asset` when nothing is left). Authoring tools
/// name the files they copy into a bundle with it.
pub fn clean_file_name(name: &str) -> String {
    let mut clean = String::new();
    for character in name.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() || character == '.' {
            clean.push(character);
        } else if !clean.is_empty() && !clean.ends_with('-') {
            clean.push('-');
        }
    }
    let clean = clean.replace("-.", ".");
    let clean = clean.trim_matches(|c| c == '-' || c == '.');
    if clean.is_empty() {
        return "asset".to_owned();
    }
    // Too long for a file system: keep the end, which holds the extension (the name is
    // ASCII by now, so any byte offset is a character boundary).
    let clean = &clean[clean
        .len()
        .saturating_sub(MAX_COMPONENT_BYTES - "asset-".len())..];
    let clean = clean.trim_start_matches(['-', '.']);
    let stem = clean.split('.').next().unwrap_or(clean);
    if clean.is_empty() || WINDOWS_DEVICES.contains(&stem) {
        // `con.png` would not unpack on Windows.
        format!("asset-{clean}")
    } else {
        clean.to_owned()
    }
}

/// The longest member path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;
/// The longest path component accepted, in bytes (what most file systems allow).
pub const MAX_COMPONENT_BYTES: usize = 255;
/// The deepest folder nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// Characters Windows refuses in names; refused everywhere so a bundle unpacks anywhere.
const WINDOWS_FORBIDDEN: &[char] = &['<', '>', ':', '"', '|', '?', '*', '\\'];

/// Device names Windows reserves in every folder, with or without an extension.
const WINDOWS_DEVICES: &[&str] = &[
    "con", "prn", "aux", "nul", "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
    "com8", "com9", "com¹", "com²", "com³", "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6",
    "lpt7", "lpt8", "lpt9", "lpt¹", "lpt²", "lpt³", "conin$", "conout$",
];

/// Checks one member path (a file's, without a trailing `/`). The error says why it is
/// refused, in words fit for [`super::BundleError::Member`].
pub fn check(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the name is empty".into());
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(format!(
            "the path is {} bytes long, more than {MAX_PATH_BYTES}",
            path.len()
        ));
    }
    if path.starts_with('/') {
        return Err("it is an absolute path; members must be relative to the bundle".into());
    }
    if let Some(bad) = path.chars().find(|c| c.is_control()) {
        return Err(format!(
            "it contains the control character U+{:04X}",
            u32::from(bad)
        ));
    }
    if path.contains('\\') {
        return Err("it contains a backslash; use `/` between folders".into());
    }
    if let Some(bad) = path.chars().find(|c| WINDOWS_FORBIDDEN.contains(c)) {
        return Err(format!(
            "it contains {bad:?}, which Windows forbids in names (drive letters and streams \
             included); rename the file"
        ));
    }
    let components: Vec<&str> = path.split('/').collect();
    if components.len() > MAX_DEPTH {
        return Err(format!(
            "it is nested {} folders deep, more than {MAX_DEPTH}",
            components.len()
        ));
    }
    for component in components {
        check_component(component)?;
    }
    Ok(())
}

/// Checks one component of a member path.
fn check_component(component: &str) -> Result<(), String> {
    match component {
        "" => return Err("it has an empty component (`//` or a trailing `/`)".into()),
        "." | ".." => {
            return Err(format!(
                "it has a {component:?} component; members may not point outside their folder"
            ));
        }
        _ => {}
    }
    if component.len() > MAX_COMPONENT_BYTES {
        return Err(format!(
            "the name {component:?} is longer than {MAX_COMPONENT_BYTES} bytes"
        ));
    }
    if component.ends_with('.') || component.ends_with(' ') {
        return Err(format!(
            "{component:?} ends with a dot or a space, which Windows drops; rename it"
        ));
    }
    let stem = component
        .split('.')
        .next()
        .unwrap_or(component)
        .trim_end()
        .to_lowercase();
    if WINDOWS_DEVICES.contains(&stem.as_str()) {
        return Err(format!(
            "{component:?} is a device name on Windows (CON, NUL, COM1, ...); rename it"
        ));
    }
    Ok(())
}

/// What a path in a [`MemberSet`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Folder,
}

/// The member paths seen so far, folded to lower case, to refuse duplicates, paths that
/// differ only in case, and a file that is also used as a folder.
#[derive(Debug, Default)]
pub struct MemberSet {
    seen: HashMap<String, (String, Kind)>,
}

impl MemberSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file path (already [`check`]ed). The error names the clashing path.
    pub fn add_file(&mut self, path: &str) -> Result<(), String> {
        self.add_ancestors(path)?;
        self.add(path, Kind::File)
    }

    /// Adds a folder path (already [`check`]ed, without its trailing `/`).
    pub fn add_folder(&mut self, path: &str) -> Result<(), String> {
        self.add_ancestors(path)?;
        self.add(path, Kind::Folder)
    }

    /// Adds every folder above `path`.
    fn add_ancestors(&mut self, path: &str) -> Result<(), String> {
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash;
            self.add(&path[..end], Kind::Folder)?;
            end += 1;
        }
        Ok(())
    }

    fn add(&mut self, path: &str, kind: Kind) -> Result<(), String> {
        let folded = path.to_lowercase();
        match self.seen.get(&folded) {
            None => {
                self.seen.insert(folded, (path.to_owned(), kind));
                Ok(())
            }
            Some((seen, Kind::Folder)) if kind == Kind::Folder && seen == path => Ok(()),
            Some((seen, seen_kind)) if seen == path && *seen_kind != kind => {
                Err(format!("{path:?} is both a file and a folder"))
            }
            Some((seen, _)) if seen == path => Err(format!("{path:?} appears twice")),
            Some((seen, _)) => Err(format!(
                "{path:?} and {seen:?} differ only in letter case, so they would be one \
                 file on macOS and Windows; rename one"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_bundle_paths() {
        assert_eq!(clean_file_name("My Hat (1).PNG"), "my-hat-1.png");
        assert_eq!(clean_file_name("été.cube"), "t.cube");
        assert_eq!(clean_file_name("???"), "asset");
        assert_eq!(clean_file_name("CON.png"), "asset-con.png");
        assert_eq!(clean_file_name("com1"), "asset-com1");
        assert_eq!(clean_file_name("console.png"), "console.png");
        let long = format!("{}.png", "a".repeat(400));
        for name in [
            "My Hat (1).PNG",
            "CON.png",
            "nul",
            "lpt9.cube",
            "-.-x",
            &long,
        ] {
            let clean = clean_file_name(name);
            assert!(
                check(&format!("stickers/{clean}")).is_ok(),
                "{name} -> {clean}"
            );
        }
        assert!(clean_file_name(&long).ends_with("aaa.png"));
    }

    #[test]
    fn portable_relative_paths_pass() {
        for path in [
            "effect.toml",
            "models/style.onnx",
            "a/b/c.cube",
            ".hidden",
            "café.png",
        ] {
            assert_eq!(check(path), Ok(()), "{path}");
        }
    }

    #[test]
    fn hostile_paths_fail() {
        for path in [
            "",
            "/abs",
            "../evil",
            "a/../../b",
            "a/./b",
            "a//b",
            "dir/",
            "a\\b",
            "C:/x",
            "CON",
            "models/nul.txt",
            "Com1.png",
            "lpt²",
            "x\0y",
            "x\ny",
            "trailing.",
            "trailing ",
            "a?b",
        ] {
            assert!(check(path).is_err(), "{path:?} must be refused");
        }
        assert!(check(&"a/".repeat(40)).is_err());
        assert!(check(&"x".repeat(300)).is_err());
    }

    #[test]
    fn duplicates_case_clashes_and_file_folder_clashes_fail() {
        let mut set = MemberSet::new();
        set.add_file("models/a.onnx").unwrap();
        set.add_folder("models").unwrap();
        set.add_file("models/b.onnx").unwrap();
        assert!(set.add_file("models/a.onnx").unwrap_err().contains("twice"));
        assert!(set.add_file("Models/c.onnx").unwrap_err().contains("case"));
        assert!(set.add_file("MODELS/A.ONNX").unwrap_err().contains("case"));
        assert!(set.add_file("models").is_err());
        assert!(set.add_file("models/a.onnx/x").is_err());
    }
}
