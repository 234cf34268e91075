//! Compositing an effect's layers onto a frame. The player turns tracked faces and layers
//! into a [`Scene`] (a list of draws in frame pixels); a [`Renderer`] draws it. Two
//! renderers implement the same rules: [`cpu::CpuRenderer`], the exact reference the golden
//! tests use, and `gpu::GpuRenderer` (wgpu), used by the studio and for speed. The rules
//! both follow are written once, in [`scene`].

pub mod cpu;
pub mod cube;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod scene;

pub use cube::{CubeError, parse_cube};
pub use effect_api::manifest::BlendMode;
#[cfg(feature = "gpu")]
pub use gpu::GpuRenderer;
pub use scene::{
    DrawCommand, Lut3d, LutDraw, LutId, LutRegion, MeshDraw, MeshVertex, PatchDraw, QuadDraw,
    Scene, SceneAssets, Texture, TextureId, Topology, TopologyId,
};

use effect_api::Frame;

/// Why a frame could not be drawn.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    /// The scene names a texture, LUT or topology that was never loaded.
    #[error("the scene uses {kind} #{index}, but only {loaded} were loaded")]
    MissingAsset {
        /// `texture`, `lut` or `topology`.
        kind: &'static str,
        /// The index asked for.
        index: usize,
        /// How many of that kind are loaded.
        loaded: usize,
    },
    /// An asset cannot be used as given.
    #[error("{0}")]
    InvalidAsset(String),
    /// No GPU adapter, or the device failed.
    #[error("GPU renderer: {0}")]
    Gpu(String),
}

/// Draws scenes onto frames. Assets are loaded once per bundle; `render` is called every
/// frame and does not allocate once warm.
pub trait Renderer: Send {
    /// A short name for reports: `cpu` or `gpu (adapter name)`.
    fn name(&self) -> String;

    /// Takes the bundle's textures, LUTs and mesh topologies, replacing any loaded before.
    /// The ids in later scenes index into these lists. On error the assets loaded before
    /// stay in place.
    fn load_assets(&mut self, assets: &SceneAssets) -> Result<(), RenderError>;

    /// Draws `scene` onto `frame` in place, in command order. The frame is `Rgb8` or
    /// `Rgba8`; its alpha channel, if any, is left as it was.
    fn render(&mut self, frame: &mut Frame, scene: &Scene) -> Result<(), RenderError>;
}
