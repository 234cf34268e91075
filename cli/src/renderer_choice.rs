//! `--renderer cpu|gpu`: which renderer draws an effect. The GPU one is never swapped for
//! the CPU one behind the user's back: if it cannot start, the command fails and says why.

use anyhow::Result;
use lensmith_runtime::render::Renderer;
use lensmith_runtime::render::cpu::CpuRenderer;

/// A renderer named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RendererChoice {
    /// The CPU reference renderer.
    Cpu,
    /// The wgpu renderer (any Vulkan, Metal, DX12 or GL adapter, software ones included).
    Gpu,
}

impl RendererChoice {
    /// Starts the renderer.
    pub fn create(self) -> Result<Box<dyn Renderer>> {
        Ok(match self {
            Self::Cpu => Box::new(CpuRenderer::default()),
            Self::Gpu => Box::new(lensmith_runtime::render::gpu::GpuRenderer::new()?),
        })
    }
}
