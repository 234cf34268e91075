//! Lensmith Studio: open an effect bundle on a picture or a video, play it live with the
//! runtime on a worker thread, tune its layers, see its problems and its timings.

pub mod app;
pub mod background;
pub mod config;
pub mod editing;
pub mod file_dialog;
pub mod panels;
pub mod preview_bridge;
pub mod screen;
pub mod shortcut;
pub mod stats;

pub use app::{Message, Options, Studio};
