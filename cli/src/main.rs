//! The `lensmith` command: runs Lensmith's face pipeline from a terminal.

mod bench;
mod detect;
mod json_file;
mod track;

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
    /// Track faces through an image, a folder of images, a Y4M file or a video.
    Track(track::TrackArgs),
    /// Time face tracking per frame on a clip held in memory (median, p95, per stage).
    Bench(bench::BenchArgs),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Detect(args) => detect::run(&args),
        Command::Track(args) => track::run(&args),
        Command::Bench(args) => bench::run(&args),
    }
}
