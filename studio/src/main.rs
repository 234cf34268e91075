//! `lensmith-studio`: the studio's window.

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use lensmith_studio::config::StudioConfig;
use lensmith_studio::preview_bridge::{OpenRequest, RendererChoice, runtime_launcher};
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
    /// Open the bundle and source used last.
    #[arg(long, conflicts_with = "bundle")]
    last: bool,
    /// What draws the effect: `cpu` (the reference renderer) or `gpu` (wgpu on its own
    /// device; lavapipe will do where there is no GPU).
    #[arg(long, default_value = "cpu", value_parser = ["cpu", "gpu"])]
    renderer: String,
    /// Overlays to show at start, any of: mesh, crop, pose, expressions.
    #[arg(long, value_delimiter = ',', value_parser = ["mesh", "crop", "pose", "expressions"])]
    overlays: Vec<String>,
    /// Show the source beside the result at start.
    #[arg(long)]
    compare: bool,
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
        _ if args.last => config
            .last_bundle
            .clone()
            .zip(config.last_source.clone())
            .map(|(bundle, source)| OpenRequest { bundle, source }),
        _ => None,
    };
    let size = config
        .window
        .map_or(iced::Size::new(1500.0, 940.0), |window| {
            iced::Size::new(window.width.max(640.0), window.height.max(480.0))
        });
    let options = Options {
        launcher: runtime_launcher(if args.renderer == "gpu" {
            RendererChoice::Gpu
        } else {
            RendererChoice::Cpu
        }),
        config,
        config_path,
        open,
        ready_file: args.ready_file,
        overlays: Overlays {
            mesh: args.overlays.iter().any(|name| name == "mesh"),
            crop: args.overlays.iter().any(|name| name == "crop"),
            pose: args.overlays.iter().any(|name| name == "pose"),
            meters: args.overlays.iter().any(|name| name == "expressions"),
        },
        compare: args.compare,
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
