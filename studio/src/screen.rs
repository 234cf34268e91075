//! The studio's panels. Each owns its state and its `Message`; its `update` returns a
//! task for the runtime and, where the rest of the studio must act, an `Event` that the
//! root (`app`) maps.

pub mod effect_info;
pub mod export;
pub mod golden;
pub mod layers;
pub mod new_effect;
pub mod performance;
pub mod problems;
pub mod toolbar;
pub mod triggers;
pub mod viewer;
pub mod widgets;
