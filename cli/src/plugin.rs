//! `lensmith plugin build`: builds a native plugin crate with cargo and installs its
//! library into a bundle at every plugin layer's `library` key that names it, atomically,
//! so a studio playing the bundle hot-reloads the new library and never half of one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use effect_api::LayerKind;
use lensmith_runtime::plugin::build::{
    BuildOptions, build_plugin_crate, current_library_file_name, install_library,
};

/// Arguments of `lensmith plugin`.
#[derive(Args)]
pub struct PluginArgs {
    #[command(subcommand)]
    command: PluginCommand,
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Build a plugin crate with cargo and install its library into a bundle folder, at
    /// each plugin layer whose `library` key ends in the crate's library name.
    Build(BuildArgs),
}

#[derive(Args)]
struct BuildArgs {
    /// The plugin crate's folder (holding its Cargo.toml; a cdylib built against
    /// effect-api).
    #[arg(value_name = "CRATE")]
    crate_dir: PathBuf,
    /// The bundle folder (with effect.toml at its root) to install the library into.
    #[arg(long, value_name = "BUNDLE")]
    into: PathBuf,
    /// Build with cargo's dev profile instead of `--release`.
    #[arg(long)]
    debug: bool,
    /// Cargo features of the plugin crate to enable, comma-separated.
    #[arg(long, value_name = "F,...", value_delimiter = ',')]
    features: Vec<String>,
}

/// `lensmith plugin ...`.
pub fn run(args: &PluginArgs) -> Result<()> {
    match &args.command {
        PluginCommand::Build(args) => run_build(args),
    }
}

/// A library key of the manifest and the plugin layers that use it, in manifest order.
struct KeyUse<'m> {
    key: &'m str,
    layers: Vec<&'m str>,
}

fn run_build(args: &BuildArgs) -> Result<()> {
    // Read before building, so a wrong bundle path fails at once rather than after cargo.
    let manifest_path = args.into.join("effect.toml");
    let label = manifest_path.display().to_string();
    let text = std::fs::read_to_string(&manifest_path).with_context(|| {
        format!("cannot read {label}: --into must be a bundle folder with effect.toml in it")
    })?;
    let checked = effect_api::manifest::check(&label, &text);
    let Some(manifest) = &checked.manifest else {
        for diagnostic in &checked.diagnostics {
            eprintln!("{diagnostic}");
        }
        bail!("{label} cannot be read as a manifest; fix the problems above");
    };
    if !checked.diagnostics.is_empty() {
        eprintln!(
            "note: {label} has {} problem(s); `lensmith validate {}` lists them",
            checked.diagnostics.len(),
            args.into.display()
        );
    }
    let mut uses: Vec<KeyUse<'_>> = Vec::new();
    for layer in &manifest.layers {
        if let LayerKind::Plugin(plugin) = &layer.kind {
            match uses.iter_mut().find(|used| used.key == plugin.library) {
                Some(used) => used.layers.push(&layer.name),
                None => uses.push(KeyUse {
                    key: &plugin.library,
                    layers: vec![&layer.name],
                }),
            }
        }
    }

    let options = BuildOptions {
        release: !args.debug,
        features: args.features.clone(),
        ..BuildOptions::default()
    };
    let built = build_plugin_crate(&args.crate_dir, &options)?;
    let matching: Vec<&KeyUse<'_>> = uses
        .iter()
        .filter(|used| used.key.rsplit('/').next() == Some(built.lib_name.as_str()))
        .collect();
    if matching.is_empty() {
        bail!(
            "{}",
            no_match(&label, &args.crate_dir, &built.lib_name, &uses)
        );
    }
    for used in matching {
        let destination = install_library(&built.library, &args.into, used.key)?;
        let size = std::fs::metadata(&destination)
            .with_context(|| format!("cannot read {} after writing it", destination.display()))?
            .len();
        println!(
            "wrote {} ({}) for {} {}",
            destination.display(),
            human_size(size),
            if used.layers.len() == 1 {
                "layer"
            } else {
                "layers"
            },
            layer_list(&used.layers)
        );
    }
    Ok(())
}

/// Why nothing was installed: the keys the manifest has, the name built, and the fix.
fn no_match(label: &str, crate_dir: &Path, lib_name: &str, uses: &[KeyUse<'_>]) -> String {
    let fix = format!("library = \"plugins/{lib_name}\"");
    if uses.is_empty() {
        return format!(
            "{label} has no plugin layer, so nothing uses `{lib_name}`, the library built \
             from {}; add one:\n\n[[layer]]\nkind = \"plugin\"\nname = \"{lib_name}\"\n{fix}",
            crate_dir.display()
        );
    }
    let listed: Vec<String> = uses
        .iter()
        .map(|used| {
            let mut line = format!("  \"{}\" (layer {})", used.key, layer_list(&used.layers));
            if let Err(error) = current_library_file_name(used.key) {
                line.push_str(&format!(": {}", error.problem));
            }
            line
        })
        .collect();
    format!(
        "no plugin layer in {label} uses `{lib_name}`, the library built from {}; its plugin \
         layers name these libraries:\n{}\nthe last part of a layer's key must be the \
         crate's library name: set `{fix}` on the layer meant for it (or rename the \
         crate's [lib] target)",
        crate_dir.display(),
        listed.join("\n")
    )
}

/// Layer names as messages show them: `` `a`, `b` ``.
fn layer_list(layers: &[&str]) -> String {
    layers
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `bytes` as a person reads it: `812 bytes`, `14.2 KiB`, `3.1 MiB`.
fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    // Precision is not at stake: library sizes are far below 2^52 bytes.
    let size = bytes as f64;
    if size < KIB {
        format!("{bytes} bytes")
    } else if size < KIB * KIB {
        format!("{:.1} KiB", size / KIB)
    } else {
        format!("{:.1} MiB", size / (KIB * KIB))
    }
}
