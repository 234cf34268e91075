//! `cargo xtask`: fetches and prepares what Lensmith needs (`setup`), runs every
//! check CI runs (`test`), the demo on the sample face (`demo`), the speed comparison
//! with MediaPipe (`bench`), regenerates the committed art (`art`) and runs the ARM
//! cross-build under qemu against this host (`aarch64`).

mod aarch64;
mod archive;
mod art;
mod bench;
mod commands;
mod convert;
mod digest;
mod fetch;
mod header;
mod lock;
mod paths;
mod phases;
mod prerequisites;
mod python_env;
mod setup;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Lensmith's set-up and CI tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Fetch, verify and convert the ONNX Runtime library, face models and sample photo
    /// into $LENSMITH_HOME (default ~/.cache/lensmith). Safe to run again: it only redoes
    /// what is missing or fails its checksum.
    Setup(setup::SetupOptions),
    /// Set up, then run rustfmt, clippy and the whole test suite, as CI does.
    Test,
    /// Set up, then run the face pipeline on the sample photo and print what it found.
    Demo,
    /// Time face tracking per frame against MediaPipe's own FaceMesh on the same 1280x720
    /// clip (installs MediaPipe into $LENSMITH_HOME/tools/mediapipe once).
    Bench(bench::BenchOptions),
    /// Regenerate the shipped effects' art (face paint, risen zombie), the templates' images
    /// and the UV layout guide (docs/images/uv_layout.png) from the canonical face geometry;
    /// needs `setup` first.
    Art(art::ArtOptions),
    /// Write the C API's header (runtime/capi/include/lensmith.h) from the code with
    /// cbindgen; `--check` fails if the checked-in header is stale.
    Header(header::HeaderOptions),
    /// List what this machine lacks for `test` (programs, libraries, Python packages) and
    /// the Debian packages that give it; `.ci/run` installs what this names.
    Prerequisites(prerequisites::PrerequisiteOptions),
    /// Cross-build the CLI, the C API and the plugin for aarch64-unknown-linux-gnu, run the
    /// unit tests, every effect's golden tests and the C host under qemu-user, and compare
    /// every frame with this x86-64 host's (needs gcc-aarch64-linux-gnu, qemu-user and
    /// `rustup target add aarch64-unknown-linux-gnu`).
    Aarch64(aarch64::Aarch64Options),
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::Setup(options) => setup::run_with_options(&options),
        Task::Test => commands::test(),
        Task::Demo => commands::demo(),
        Task::Bench(options) => bench::run(&options),
        Task::Art(options) => art::run(&options),
        Task::Header(options) => header::run(&options),
        Task::Prerequisites(options) => prerequisites::run(&options),
        Task::Aarch64(options) => aarch64::run(&options),
    }
}
