//! One plugin instance: the calls of the C ABI made safe for the host. Each call lends
//! the plugin host-owned data for its duration only, and turns a failure or a caught panic
//! into a [`PluginError`] naming the plugin, the layer and the call.

use std::ffi::c_void;
use std::sync::Arc;

use effect_api::plugin::{Value, abi};
use effect_api::{ExpressionScores, Frame, PixelFormat};

use super::PluginError;
use super::host_callbacks::{HostContext, PluginLog};
use super::library::PluginLibrary;
use super::overlay::OverlayBuffer;

/// How many bytes of a plugin's error message are kept.
const ERROR_CAPACITY: usize = 2048;

/// One face as the host hands it to a plugin.
#[derive(Debug, Clone, Copy)]
pub struct HostFace<'a> {
    /// Stable id.
    pub id: u32,
    /// Mesh presence score, 0..=1.
    pub presence: f32,
    /// The layer's trigger fade for this face, 0..=1.
    pub visibility: f32,
    /// Whether the layer's trigger is on for this face.
    pub trigger_active: bool,
    /// The 468-point mesh.
    pub landmarks: &'a [[f32; 3]],
    /// The head pose, when known.
    pub pose: Option<abi::PoseRef>,
    /// The expression scores, when known.
    pub expressions: Option<&'a ExpressionScores>,
}

/// A live instance of a plugin for one layer. Dropping it destroys the instance; the
/// library stays loaded (see [`PluginLibrary::load`]).
#[derive(Debug)]
pub struct PluginInstance {
    library: Arc<PluginLibrary>,
    layer: String,
    instance: abi::InstancePtr,
    /// Owns what the host table points at; must outlive `instance`.
    host: Box<HostContext>,
    error: Vec<u8>,
    faces: Vec<abi::FaceRef>,
    overlay: OverlayBuffer,
}

// SAFETY: the plugin contract requires an instance to accept calls from any thread, one at
// a time (`EffectPlugin: Send` enforces it for Rust plugins); `&mut self` on every call
// keeps them one at a time. The host context is only read by the callbacks.
unsafe impl Send for PluginInstance {}

/// The outcome of a call, before it is named.
struct CallFailure {
    status: abi::Status,
    message: String,
}

impl PluginInstance {
    /// Creates an instance of `library` for layer `layer`, with the layer's `settings`
    /// (TOML text) and its parameters at their defaults; log messages go to `log`.
    pub fn create(
        library: Arc<PluginLibrary>,
        layer: &str,
        settings_toml: &str,
        parameters: &[(String, Value)],
        log: PluginLog,
    ) -> Result<Self, PluginError> {
        let host = HostContext::new(layer, log);
        let mut instance = Self {
            library,
            layer: layer.to_owned(),
            instance: std::ptr::null_mut(),
            host,
            error: vec![0; ERROR_CAPACITY],
            faces: Vec::new(),
            overlay: OverlayBuffer::default(),
        };
        let table = instance.host.table();
        let list = parameter_refs(parameters);
        let info = abi::CreateInfo {
            size: std::mem::size_of::<abi::CreateInfo>() as u32,
            layer_name: abi::StrRef::new(layer),
            settings_toml: abi::StrRef::new(settings_toml),
            parameters: list.as_ptr(),
            parameter_count: list.len(),
        };
        let create = instance.library.functions.create;
        let mut created: abi::InstancePtr = std::ptr::null_mut();
        instance.call("create", |error| {
            // SAFETY: every pointer is valid for the call; `table`'s context is the boxed
            // host context, which lives as long as the instance.
            unsafe { create(&table, &info, &mut created, error) }
        })?;
        if created.is_null() {
            return Err(instance.named(
                "create",
                CallFailure {
                    status: abi::STATUS_ERROR,
                    message: "returned success but no instance".to_owned(),
                },
            ));
        }
        instance.instance = created;
        Ok(instance)
    }

    /// The library it came from.
    pub fn library(&self) -> &Arc<PluginLibrary> {
        &self.library
    }

    /// Passes new parameter values (a plugin without `update_parameters` ignores them).
    pub fn update_parameters(&mut self, parameters: &[(String, Value)]) -> Result<(), PluginError> {
        let Some(update) = self.library.functions.update_parameters else {
            return Ok(());
        };
        let list = parameter_refs(parameters);
        let instance = self.instance;
        self.call("update_parameters", |error| {
            // SAFETY: the list and its names live for the call.
            unsafe { update(instance, list.as_ptr(), list.len(), error) }
        })
    }

    /// Tells the plugin that trigger `rule` turned on (`started`) or off for a face.
    pub fn on_trigger(
        &mut self,
        rule: &str,
        face_id: u32,
        started: bool,
        time_s: f64,
    ) -> Result<(), PluginError> {
        let Some(on_trigger) = self.library.functions.on_trigger else {
            return Ok(());
        };
        let event = abi::TriggerEventRef {
            rule: abi::StrRef::new(rule),
            face_id,
            phase: if started {
                abi::TRIGGER_STARTED
            } else {
                abi::TRIGGER_ENDED
            },
            time_s,
        };
        let instance = self.instance;
        self.call("on_trigger", |error| {
            // SAFETY: the event lives for the call.
            unsafe { on_trigger(instance, &event, error) }
        })
    }

    /// Lets the plugin draw on `frame` (RGB8 or RGBA8) in place, then blends what it drew
    /// on the overlay over the frame.
    pub fn process<'a>(
        &mut self,
        frame: &mut Frame,
        faces: impl IntoIterator<Item = HostFace<'a>>,
        time_s: f64,
        still_image: bool,
    ) -> Result<(), PluginError> {
        // The face list holds pointers into `faces`' landmarks, which outlive the call.
        self.faces.clear();
        self.faces
            .extend(faces.into_iter().map(|face| face_ref(&face)));
        let input = abi::FrameInput {
            size: std::mem::size_of::<abi::FrameInput>() as u32,
            face_stride: std::mem::size_of::<abi::FaceRef>() as u32,
            time_s,
            faces: self.faces.as_ptr(),
            face_count: self.faces.len() as u32,
            still_image: u32::from(still_image),
        };
        let (width, height) = (frame.width(), frame.height());
        let format = match frame.format() {
            PixelFormat::Rgb8 => abi::PIXEL_RGB8,
            PixelFormat::Rgba8 => abi::PIXEL_RGBA8,
        };
        let stride = width as usize * frame.format().bytes_per_pixel();
        let mut image = abi::ImageRef {
            data: frame.data_mut().as_mut_ptr(),
            width,
            height,
            stride,
            format,
        };
        self.overlay.prepare(width, height);
        let (overlay_pixels, overlay_stride) = self.overlay.pixels_mut();
        let mut overlay = abi::Overlay {
            image: abi::ImageRef {
                data: overlay_pixels.as_mut_ptr(),
                width,
                height,
                stride: overlay_stride,
                format: abi::PIXEL_RGBA8_PREMULTIPLIED,
            },
            dirty: abi::PixelRect::default(),
        };
        let (process, instance) = (self.library.functions.process, self.instance);
        let outcome = self.call("process", |error| {
            // SAFETY: the frame, overlay and face data (whose landmarks `faces` borrows)
            // are valid and exclusively lent for the call.
            unsafe { process(instance, &input, &mut image, &mut overlay, error) }
        });
        if overlay.dirty.width > 0 && overlay.dirty.height > 0 {
            self.overlay.composite_and_clear(frame, overlay.dirty);
        }
        outcome
    }

    /// The state to carry into a rebuilt instance; empty when the plugin keeps none.
    pub fn save_state(&mut self) -> Result<Vec<u8>, PluginError> {
        let Some(serialize) = self.library.functions.serialize else {
            return Ok(Vec::new());
        };
        let mut state = Vec::new();
        let mut sink = abi::ByteSink {
            context: (&mut state as *mut Vec<u8>).cast::<c_void>(),
            write: append_bytes,
        };
        let instance = self.instance;
        self.call("serialize", |error| {
            // SAFETY: the sink's context is `state`, alive and unaliased for the call.
            unsafe { serialize(instance, &mut sink, error) }
        })?;
        Ok(state)
    }

    /// Gives a new instance the state an older one saved; `false` when the plugin takes
    /// no state (it has no `restore`).
    pub fn restore_state(&mut self, state: &[u8]) -> Result<bool, PluginError> {
        let Some(restore) = self.library.functions.restore else {
            return Ok(false);
        };
        let instance = self.instance;
        self.call("restore", |error| {
            // SAFETY: `state` is valid for the call.
            unsafe { restore(instance, state.as_ptr(), state.len(), error) }
        })
        .map(|()| true)
    }

    /// Makes a call with a cleared error buffer and names its failure.
    fn call(
        &mut self,
        name: &'static str,
        call: impl FnOnce(*mut abi::ErrorBuffer) -> abi::Status,
    ) -> Result<(), PluginError> {
        let mut buffer = abi::ErrorBuffer {
            ptr: self.error.as_mut_ptr(),
            capacity: self.error.len(),
            len: 0,
        };
        let status = call(&mut buffer);
        if status == abi::STATUS_OK {
            return Ok(());
        }
        let len = buffer.len.min(self.error.len());
        let mut message = String::from_utf8_lossy(&self.error[..len]).into_owned();
        if message.is_empty() {
            message = format!("status {status}, with no message");
        }
        Err(self.named(name, CallFailure { status, message }))
    }

    fn named(&self, call: &'static str, failure: CallFailure) -> PluginError {
        PluginError::Call {
            plugin: format!("{} {}", self.library.name(), self.library.version()),
            layer: self.layer.clone(),
            call,
            outcome: if failure.status == abi::STATUS_PANIC {
                "panicked"
            } else {
                "failed"
            },
            message: failure.message,
        }
    }
}

impl Drop for PluginInstance {
    fn drop(&mut self) {
        if !self.instance.is_null() {
            // SAFETY: the instance came from this library's `create` and is destroyed
            // once; the host context it may call back into is still alive.
            unsafe { (self.library.functions.destroy)(self.instance) };
        }
    }
}

/// The ABI's view of a face; its pointers borrow `face`.
fn face_ref(face: &HostFace<'_>) -> abi::FaceRef {
    let mut flags = 0;
    let mut expressions = [0.0; abi::MAX_EXPRESSIONS];
    let mut expression_count = 0;
    if let Some(scores) = face.expressions {
        flags |= abi::FACE_HAS_EXPRESSIONS;
        for (slot, &expression) in expressions.iter_mut().zip(&effect_api::Expression::ALL) {
            *slot = scores.get(expression);
            expression_count += 1;
        }
    }
    if face.pose.is_some() {
        flags |= abi::FACE_HAS_POSE;
    }
    if face.trigger_active {
        flags |= abi::FACE_TRIGGER_ACTIVE;
    }
    abi::FaceRef {
        id: face.id,
        flags,
        presence: face.presence,
        visibility: face.visibility,
        landmarks: face.landmarks.as_ptr(),
        landmark_count: face.landmarks.len() as u32,
        expression_count,
        expressions,
        pose: face.pose.unwrap_or_default(),
    }
}

/// The ABI's view of parameters; borrows their names.
fn parameter_refs(parameters: &[(String, Value)]) -> Vec<abi::ParameterRef> {
    parameters
        .iter()
        .map(|(name, value)| {
            let mut parameter = abi::ParameterRef {
                name: abi::StrRef::new(name),
                kind: abi::PARAMETER_FLOAT,
                float: 0.0,
                int: 0,
                color: [0.0; 4],
            };
            match *value {
                Value::Float(value) => parameter.float = value,
                Value::Int(value) => {
                    parameter.kind = abi::PARAMETER_INT;
                    parameter.int = value;
                }
                Value::Bool(value) => {
                    parameter.kind = abi::PARAMETER_BOOL;
                    parameter.int = i64::from(value);
                }
                Value::Color(value) => {
                    parameter.kind = abi::PARAMETER_COLOR;
                    parameter.color = value;
                }
            }
            parameter
        })
        .collect()
}

/// The byte sink's callback.
///
/// # Safety
/// `context` must be the `Vec<u8>` of [`PluginInstance::save_state`]; `bytes` valid for
/// `len` bytes.
unsafe extern "C" fn append_bytes(context: *mut c_void, bytes: *const u8, len: usize) {
    if bytes.is_null() || len == 0 {
        return;
    }
    // SAFETY: the caller's promise.
    let (state, bytes) = unsafe {
        (
            &mut *context.cast::<Vec<u8>>(),
            std::slice::from_raw_parts(bytes, len),
        )
    };
    state.extend_from_slice(bytes);
}
