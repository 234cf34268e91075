//! `lensmith new`: a new effect folder made from one of the templates built into the
//! program (`lensmith-templates`), with the effect's name and id written into it. The
//! folder appears whole or not at all, and only once it validates.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use lensmith_templates::{NewEffect, create, folder_name};

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

/// Runs `lensmith new`.
pub fn run(args: &NewArgs) -> Result<()> {
    let request = NewEffect {
        name: args.name.clone(),
        template: args.template.clone(),
        id: args.id.clone(),
        folder: args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(folder_name(&args.name))),
        effect_api: args.effect_api.clone(),
    };
    let made = create(&request, &mut |step| println!("{step}"))?;
    let bundle = shell_word(&made.bundle.display().to_string());
    println!(
        "{}: a new `{}` effect from the `{}` template; it validates.\n\
         Try it: lensmith render {bundle} PHOTO_OR_VIDEO -o out.png, or open it in Lensmith Studio.\n\
         Once it looks right, record its golden frames: lensmith test {bundle} --update",
        made.folder.display(),
        args.name,
        args.template,
    );
    Ok(())
}

/// `text` as one word for a POSIX shell: as it is when it holds only characters no shell
/// treats specially, else in single quotes, so that the commands printed can be pasted.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "-_./,:@+=%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_only_where_a_shell_needs_it() {
        assert_eq!(shell_word("effects/neon-mask"), "effects/neon-mask");
        assert_eq!(shell_word("glow dir/effect"), "'glow dir/effect'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("ёлка"), "ёлка");
    }
}
