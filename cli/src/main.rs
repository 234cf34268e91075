//! The `lensmith` command: runs Lensmith's face pipeline from a terminal.

mod detect;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "lensmith",
    version,
    about = "Real-time face effects: run the face pipeline from a terminal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Detect faces in a PNG or JPEG image and compute each face's 468-point mesh.
    Detect(detect::DetectArgs),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Detect(args) => detect::run(&args),
    }
}
