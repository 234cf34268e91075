//! Lensmith's runtime: the face pipeline, models and compositing that play an effect on
//! live frames. It has no GUI; the studio, the `lensmith` command and mobile hosts embed it.

pub mod annotate;
pub mod atomic_file;
pub mod bundle;
pub mod detection;
pub mod expressions;
pub mod eyes;
pub mod face_crop;
pub mod face_pipeline;
pub mod golden;
pub mod helper_thread;
pub mod host_image;
pub mod image_io;
/// The mesh's named regions live in the contract, for plugins too.
pub use effect_api::face_regions;
pub mod landmarks;
pub mod models;
pub mod player;
pub mod plugin;
pub mod pose;
pub mod preview;
pub mod render;
pub mod sampling;
pub mod smoothing;
pub mod tracking;
pub mod triggers;
pub mod video;
pub mod watch;
