//! The `lensmith` command: runs Lensmith's face pipeline from a terminal.

mod bench;
mod bundle_commands;
mod crops;
mod detect;
mod detector_choice;
mod eye_model_choice;
mod golden;
mod json_file;
mod new;
mod number_args;
mod plugin;
mod render;
mod renderer_choice;
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
    /// Detect faces in an image (PNG, JPEG, WebP, BMP, TIFF, PPM) and compute each face's
    /// 468-point mesh.
    Detect(detect::DetectArgs),
    /// Track faces through an image, a folder of images, a Y4M file or a video.
    Track(track::TrackArgs),
    /// Play an effect bundle on an image, a folder of images, a Y4M file or a video and
    /// write the result (a video keeps its audio).
    Render(render::RenderArgs),
    /// Write the stable face crops a face_model layer feeds its model (PNG plus landmarks
    /// in JSON), to train a student model on.
    Crops(crops::CropsArgs),
    /// Time face tracking per frame on a clip held in memory (median, p95, per stage).
    Bench(bench::BenchArgs),
    /// Start a new effect from a template (mask, sticker, generative, plugin): a folder with
    /// the effect's name and id written in, which validates.
    New(new::NewArgs),
    /// Run a bundle's golden-frame tests (tests/golden.toml): render each case and
    /// compare it with the stored expected frames, or write them with --update.
    Test(golden::TestArgs),
    /// Check a bundle folder or .effect file and list every problem.
    Validate(bundle_commands::ValidateArgs),
    /// Validate a bundle folder and pack it into a .effect file, optionally signed.
    Pack(bundle_commands::PackArgs),
    /// Check a .effect file's checksums and signature.
    Verify(bundle_commands::VerifyArgs),
    /// Show what a .effect file holds: manifest, layers, files, signer.
    Inspect(bundle_commands::InspectArgs),
    /// Make a key pair for signing bundles.
    Keygen(bundle_commands::KeygenArgs),
    /// Build and install native effect plugins.
    Plugin(plugin::PluginArgs),
}

fn main() -> Result<()> {
    remove_unfinished_files_when_stopped();
    match Cli::parse().command {
        Command::Detect(args) => detect::run(&args),
        Command::Track(args) => track::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Crops(args) => crops::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::New(args) => new::run(&args),
        Command::Test(args) => golden::run(&args),
        Command::Validate(args) => bundle_commands::run_validate(&args),
        Command::Pack(args) => bundle_commands::run_pack(&args),
        Command::Verify(args) => bundle_commands::run_verify(&args),
        Command::Inspect(args) => bundle_commands::run_inspect(&args),
        Command::Keygen(args) => bundle_commands::run_keygen(&args),
        Command::Plugin(args) => plugin::run(&args),
    }
}

/// On Ctrl-C, SIGTERM or SIGHUP, removes the hidden temporary files of outputs not yet
/// finished (a video half encoded, a frame half written), which the destructors that would
/// remove them never get to, then exits with 130 as shells expect of an interrupted command.
fn remove_unfinished_files_when_stopped() {
    let installed = ctrlc::set_handler(|| {
        let removed = lensmith_runtime::atomic_file::remove_unfinished();
        eprintln!("\nstopped; {removed} unfinished output file(s) removed");
        std::process::exit(130);
    });
    if let Err(error) = installed {
        eprintln!("note: an interrupted command may leave hidden partial files: {error}");
    }
}
