//! Finding an adapter and opening a device of our own, and turning wgpu's error scopes
//! into [`RenderError`]s instead of its default panic.

use super::super::RenderError;

/// What to do when no adapter exists, for every message that says so.
const INSTALL_HINT: &str = "install a Vulkan driver; on a machine without a GPU, \
     Mesa's software rasteriser (lavapipe) works: `apt-get install mesa-vulkan-drivers` on \
     Debian or Ubuntu";

/// A device this renderer opened itself.
pub(super) struct OwnDevice {
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// The adapter's name, for reports.
    pub adapter_name: String,
}

/// Opens a device on the best adapter there is; software ones (lavapipe) count.
pub(super) fn open() -> Result<OwnDevice, RenderError> {
    let instance = wgpu::Instance::new(&wgpu::InstanceDescriptor::from_env_or_default());
    let hardware = wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        force_fallback_adapter: false,
        compatible_surface: None,
    };
    let software = wgpu::RequestAdapterOptions {
        force_fallback_adapter: true,
        ..hardware
    };
    let adapter = pollster::block_on(instance.request_adapter(&hardware))
        .or_else(|_| pollster::block_on(instance.request_adapter(&software)))
        .map_err(|error| {
            RenderError::Gpu(format!("no GPU adapter found ({error}): {INSTALL_HINT}"))
        })?;
    let info = adapter.get_info();
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("lensmith renderer"),
        required_features: wgpu::Features::empty(),
        // All the adapter has: large frames and LUTs need more than the defaults on some.
        required_limits: adapter.limits(),
        memory_hints: wgpu::MemoryHints::Performance,
        ..wgpu::DeviceDescriptor::default()
    }))
    .map_err(|error| {
        RenderError::Gpu(format!(
            "could not open a device on {} ({:?}): {error}",
            info.name, info.backend
        ))
    })?;
    Ok(OwnDevice {
        device,
        queue,
        adapter_name: info.name,
    })
}

/// Catches the validation and out-of-memory errors of the work between [`Self::push`] and
/// [`Self::pop`], which wgpu would otherwise hand to its panicking default handler.
pub(super) struct ErrorScope;

impl ErrorScope {
    /// Opens the scopes on `device`, for this thread.
    pub fn push(device: &wgpu::Device) -> Self {
        device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        device.push_error_scope(wgpu::ErrorFilter::Validation);
        Self
    }

    /// Closes them, returning the first error caught while `doing` something.
    pub fn pop(self, device: &wgpu::Device, doing: &str) -> Result<(), RenderError> {
        let validation = now(device.pop_error_scope());
        let memory = now(device.pop_error_scope());
        match validation.or(memory) {
            None => Ok(()),
            Some(error) => Err(RenderError::Gpu(format!("{doing}: {error}"))),
        }
    }
}

/// The output of `future`, which on native backends is ready at once: polled once without
/// blocking machinery (which would allocate every frame), else waited for.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => pollster::block_on(future),
    }
}
