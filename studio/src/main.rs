//! `lensmith-studio`: the studio's window.

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use lensmith_studio::config::StudioConfig;
use lensmith_studio::panels::FoldedPanels;
use lensmith_studio::preview_bridge::{OpenRequest, RendererChoice, runtime_launcher};
use lensmith_studio::screen::viewer::Compare;
use lensmith_studio::screen::viewer::overlay::Overlays;
use lensmith_studio::{Options, Studio};

/// Design, preview and debug Lensmith face effects.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// A bundle folder or `.effect` file to open at once (with --source).
    #[arg(long, requires = "source")]
    bundle: Option<PathBuf>,
    /// An image, image folder or video to preview on.
    #[arg(long, requires = "bundle")]
    source: Option<PathBuf>,
    /// Start empty instead of reopening the bundle and source used last.
    #[arg(long, conflicts_with = "bundle")]
    empty: bool,
    /// What draws the effect: `auto` (wgpu when it finds an adapter, else the CPU
    /// renderer), `gpu` (wgpu on its own device; lavapipe will do) or `cpu` (the reference
    /// renderer).
    #[arg(long, default_value = "auto", value_parser = ["auto", "cpu", "gpu"])]
    renderer: String,
    /// Overlays to show at start, any of: mesh, ids, crop, pose, expressions, none
    /// (default: those shown last).
    #[arg(long, value_delimiter = ',', value_parser = ["mesh", "ids", "crop", "pose", "expressions", "none"])]
    overlays: Option<Vec<String>>,
    /// How to compare the result with the source at start: off, split or side-by-side
    /// (default: as last time).
    #[arg(long, value_parser = ["off", "split", "side-by-side"])]
    compare: Option<String>,
    /// Side panels folded to their titles at start, any of: effect, layers, triggers,
    /// performance, export, golden, none (default: as last time).
    #[arg(long, value_delimiter = ',', value_parser = ["effect", "layers", "triggers", "performance", "export", "golden", "none"])]
    fold: Option<Vec<String>>,
    /// Write this file once the first frame is shown (scripts wait for it).
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// The configuration file (default: $XDG_CONFIG_HOME/lensmith/studio.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let config_path = args.config.or_else(StudioConfig::default_path);
    let config = match &config_path {
        Some(path) => StudioConfig::load(path).unwrap_or_else(|error| {
            eprintln!("warning: {error}; starting with an empty configuration");
            StudioConfig::default()
        }),
        None => StudioConfig::default(),
    };
    let open = match (args.bundle, args.source) {
        (Some(bundle), Some(source)) => Some(OpenRequest { bundle, source }),
        _ if args.empty => None,
        // The bundle and source used last, when both are still there.
        _ => config
            .last_bundle
            .clone()
            .zip(config.last_source.clone())
            .filter(|(bundle, source)| bundle.exists() && source.exists())
            .map(|(bundle, source)| OpenRequest { bundle, source }),
    };
    let overlays = match &args.overlays {
        Some(names) => {
            let shown = |name: &str| names.iter().any(|given| given == name);
            Overlays {
                mesh: shown("mesh"),
                ids: shown("ids"),
                crop: shown("crop"),
                pose: shown("pose"),
                meters: shown("expressions"),
            }
        }
        None => config.view.overlays,
    };
    let compare = match args.compare.as_deref() {
        Some("split") => Compare::Split,
        Some("side-by-side") => Compare::SideBySide,
        Some(_) => Compare::Off,
        None => config.view.compare,
    };
    let folded = match &args.fold {
        Some(names) => FoldedPanels::from_names(names.iter().map(String::as_str)),
        None => config.view.folded,
    };
    let size = config
        .window
        .map_or(iced::Size::new(1500.0, 940.0), |window| {
            iced::Size::new(window.width.max(640.0), window.height.max(480.0))
        });
    let options = Options {
        launcher: runtime_launcher(match args.renderer.as_str() {
            "gpu" => RendererChoice::Gpu,
            "cpu" => RendererChoice::Cpu,
            _ => RendererChoice::Auto,
        }),
        config,
        config_path,
        open,
        ready_file: args.ready_file,
        overlays,
        compare,
        folded,
    };
    iced::application(
        move || Studio::new(options.clone()),
        Studio::update,
        Studio::view,
    )
    .title(Studio::title)
    .theme(Studio::theme)
    .subscription(Studio::subscription)
    .window_size(size)
    .run()?;
    Ok(())
}
