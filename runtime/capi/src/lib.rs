//! Lensmith's runtime for C hosts: Android and iOS apps, or any C or C++ program, play
//! shipped `.effect` bundles on their camera frames through the functions of
//! `include/lensmith.h` (generated from this crate by `cargo xtask header`).
//!
//! Every exported function checks its pointers, catches panics and returns a
//! [`LensmithStatus`]; the message of a failure waits in `lensmith_last_error`. The rules
//! for threads are in the header's preamble (`cbindgen.toml`). The structs the API reads
//! and writes grow only at their end, and the host passes their size (`sized.rs`).

mod api;
mod config;
mod engine;
mod image;
mod results;
mod sized;
mod status;
mod text;

pub use api::*;
pub use config::LensmithConfig;
pub use engine::LensmithRuntime;
pub use image::{
    LENSMITH_FORMAT_BGRA8888, LENSMITH_FORMAT_NV21, LENSMITH_FORMAT_RGBA8888, LensmithImage,
};
pub use results::*;
pub use status::LensmithStatus;
