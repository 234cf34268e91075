//! The `extern "C"` side of [`export_effect!`](crate::export_effect): generic functions the
//! macro instantiates for a plugin type. Each checks the raw arguments, builds the safe
//! views, calls the plugin inside `catch_unwind` and turns the outcome into a status code
//! with a message. Not for direct use.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::abi::{self, ErrorBuffer, InstancePtr, Status};
use super::views::{Face, FrameInfo, FramePixels, Host, OverlayPixels, Parameters, Value};
use super::{CreateContext, EffectPlugin, PluginError, TriggerChange, TriggerNotice};
use crate::frame::PixelFormat;

/// A plugin instance as the host holds it (behind an opaque pointer).
struct Instance<T> {
    plugin: T,
    frames: u64,
}

/// The table for plugin type `T`, named `name` at `version`.
pub const fn table<T: EffectPlugin>(name: &'static str, version: &'static str) -> abi::PluginTable {
    abi::PluginTable {
        abi_major: abi::ABI_MAJOR,
        abi_minor: abi::ABI_MINOR,
        size: std::mem::size_of::<abi::PluginTable>() as u32,
        name: abi::StrRef::new(name),
        version: abi::StrRef::new(version),
        create: Some(create::<T>),
        destroy: Some(destroy::<T>),
        update_parameters: Some(update_parameters::<T>),
        process: Some(process::<T>),
        on_trigger: Some(on_trigger::<T>),
        serialize: Some(serialize::<T>),
        restore: Some(restore::<T>),
    }
}

/// A failed call: a status and its message.
struct Failure(Status, String);

impl From<PluginError> for Failure {
    fn from(error: PluginError) -> Self {
        Failure(abi::STATUS_ERROR, error.message)
    }
}

fn invalid(what: &str) -> Failure {
    Failure(abi::STATUS_INVALID_ARGUMENT, what.to_owned())
}

/// Runs `call`, catching a panic; writes any failure's message into `error`.
fn guard(error: *mut ErrorBuffer, call: impl FnOnce() -> Result<(), Failure>) -> Status {
    let outcome = catch_unwind(AssertUnwindSafe(call)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with a non-text payload".to_owned());
        Err(Failure(abi::STATUS_PANIC, message))
    });
    match outcome {
        Ok(()) => abi::STATUS_OK,
        Err(Failure(status, message)) => {
            write_message(error, &message);
            status
        }
    }
}

/// Copies `message` into the host's buffer, cut at a character boundary if it is too long.
fn write_message(error: *mut ErrorBuffer, message: &str) {
    // SAFETY: the host passes either null or a buffer it owns for the call's duration.
    let Some(error) = (unsafe { error.as_mut() }) else {
        return;
    };
    if error.ptr.is_null() {
        return;
    }
    let mut len = message.len().min(error.capacity);
    while !message.is_char_boundary(len) {
        len -= 1;
    }
    // SAFETY: the host's buffer holds `capacity` writable bytes and `len <= capacity`.
    unsafe { std::ptr::copy_nonoverlapping(message.as_ptr(), error.ptr, len) };
    error.len = len;
}

/// # Safety
/// `text` must point at `len` bytes valid for `'a`, or be null with `len` 0.
unsafe fn text<'a>(text: abi::StrRef) -> Result<&'a str, Failure> {
    if text.len == 0 {
        return Ok("");
    }
    if text.ptr.is_null() {
        return Err(invalid("a string is null"));
    }
    // SAFETY: the caller's promise.
    let bytes = unsafe { std::slice::from_raw_parts(text.ptr, text.len) };
    std::str::from_utf8(bytes).map_err(|_| invalid("a string is not UTF-8"))
}

/// # Safety
/// `parameters` must point at `count` parameters valid for `'a`, or be null with `count` 0.
unsafe fn parameters<'a>(
    parameters: *const abi::ParameterRef,
    count: usize,
) -> Result<Parameters<'a>, Failure> {
    if count == 0 {
        return Ok(Parameters::default());
    }
    if parameters.is_null() {
        return Err(invalid("the parameter list is null"));
    }
    // SAFETY: the caller's promise.
    let raw = unsafe { std::slice::from_raw_parts(parameters, count) };
    let mut entries = Vec::with_capacity(count);
    for parameter in raw {
        // SAFETY: the host's strings live as long as its parameter list.
        let name = unsafe { text(parameter.name) }?;
        let value = match parameter.kind {
            abi::PARAMETER_FLOAT => Value::Float(parameter.float),
            abi::PARAMETER_INT => Value::Int(parameter.int),
            abi::PARAMETER_BOOL => Value::Bool(parameter.int != 0),
            abi::PARAMETER_COLOR => Value::Color(parameter.color),
            // A kind from a newer host: skip it rather than refuse the call.
            _ => continue,
        };
        entries.push((name, value));
    }
    Ok(Parameters { entries })
}

/// # Safety
/// `instance` must be null or come from `create::<T>` and not be destroyed.
unsafe fn instance<'a, T>(instance: InstancePtr) -> Result<&'a mut Instance<T>, Failure> {
    // SAFETY: the caller's promise; the host calls an instance from one thread at a time.
    unsafe { instance.cast::<Instance<T>>().as_mut() }
        .ok_or_else(|| invalid("the instance is null"))
}

/// # Safety
/// The ABI's contract for [`abi::CreateFn`].
unsafe extern "C" fn create<T: EffectPlugin>(
    host: *const abi::HostTable,
    info: *const abi::CreateInfo,
    out_instance: *mut InstancePtr,
    error: *mut ErrorBuffer,
) -> Status {
    guard(error, || {
        // SAFETY: the host passes valid pointers or null for the call's duration.
        let (host, info) = unsafe { (host.as_ref(), info.as_ref()) };
        let (Some(host), Some(info)) = (host, info) else {
            return Err(invalid("create: the host table or the create info is null"));
        };
        if out_instance.is_null() {
            return Err(invalid("create: nowhere to put the instance"));
        }
        if (host.size as usize) < abi::HOST_TABLE_SIZE_1_0
            || (info.size as usize) < abi::CREATE_INFO_SIZE_1_0
        {
            return Err(invalid(
                "create: the host's tables are smaller than ABI 1.0's",
            ));
        }
        // SAFETY: the create info's strings and list live for the call.
        let context = unsafe {
            CreateContext {
                host: Host::new(*host),
                layer_name: text(info.layer_name)?,
                settings_toml: text(info.settings_toml)?,
                parameters: parameters(info.parameters, info.parameter_count)?,
            }
        };
        let plugin = T::create(&context)?;
        let boxed = Box::new(Instance { plugin, frames: 0 });
        // SAFETY: checked non-null above; the host owns the slot for the call.
        unsafe { *out_instance = Box::into_raw(boxed).cast() };
        Ok(())
    })
}

/// # Safety
/// The ABI's contract for [`abi::DestroyFn`].
unsafe extern "C" fn destroy<T: EffectPlugin>(instance: InstancePtr) {
    if instance.is_null() {
        return;
    }
    // A panic in a destructor cannot be reported; it is caught so it never unwinds into
    // the host, and the instance is gone either way.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the host passes an instance from `create::<T>` exactly once.
        drop(unsafe { Box::from_raw(instance.cast::<Instance<T>>()) });
    }));
}

/// # Safety
/// The ABI's contract for [`abi::UpdateParametersFn`].
unsafe extern "C" fn update_parameters<T: EffectPlugin>(
    instance_ptr: InstancePtr,
    list: *const abi::ParameterRef,
    count: usize,
    error: *mut ErrorBuffer,
) -> Status {
    guard(error, || {
        // SAFETY: the ABI's contract.
        let (instance, parameters) =
            unsafe { (instance::<T>(instance_ptr)?, parameters(list, count)?) };
        Ok(instance.plugin.set_parameters(&parameters)?)
    })
}

/// # Safety
/// The ABI's contract for [`abi::OnTriggerFn`].
unsafe extern "C" fn on_trigger<T: EffectPlugin>(
    instance_ptr: InstancePtr,
    event: *const abi::TriggerEventRef,
    error: *mut ErrorBuffer,
) -> Status {
    guard(error, || {
        // SAFETY: the ABI's contract.
        let (instance, event) = unsafe { (instance::<T>(instance_ptr)?, event.as_ref()) };
        let event = event.ok_or_else(|| invalid("on_trigger: the event is null"))?;
        let change = match event.phase {
            abi::TRIGGER_STARTED => TriggerChange::Started,
            abi::TRIGGER_ENDED => TriggerChange::Ended,
            _ => return Ok(()),
        };
        let notice = TriggerNotice {
            // SAFETY: the event's strings live for the call.
            rule: unsafe { text(event.rule) }?,
            face_id: event.face_id,
            change,
            time_s: event.time_s,
        };
        Ok(instance.plugin.on_trigger(&notice)?)
    })
}

/// # Safety
/// The ABI's contract for [`abi::ProcessFn`].
unsafe extern "C" fn process<T: EffectPlugin>(
    instance_ptr: InstancePtr,
    input: *const abi::FrameInput,
    frame: *mut abi::ImageRef,
    overlay: *mut abi::Overlay,
    error: *mut ErrorBuffer,
) -> Status {
    guard(error, || {
        // SAFETY: the ABI's contract: valid pointers or null, exclusive for the call.
        let (instance, input, frame, overlay) = unsafe {
            (
                instance::<T>(instance_ptr)?,
                input.as_ref(),
                frame.as_mut(),
                overlay.as_mut(),
            )
        };
        let (Some(input), Some(frame), Some(overlay)) = (input, frame, overlay) else {
            return Err(invalid("process: the input, frame or overlay is null"));
        };
        // SAFETY: the host's face array and image buffers live for the call.
        let info = unsafe { frame_info(input, instance.frames) }?;
        let mut pixels = unsafe { frame_pixels(frame) }?;
        let mut canvas = unsafe { overlay_pixels(&overlay.image) }?;
        instance.frames += 1;
        let outcome = instance.plugin.process(&info, &mut pixels, &mut canvas);
        overlay.dirty = canvas.dirty().unwrap_or_default();
        Ok(outcome?)
    })
}

/// # Safety
/// `input`'s face array must hold `face_count` faces `face_stride` bytes apart, each with
/// its landmarks, all valid for `'a`.
unsafe fn frame_info<'a>(
    input: &'a abi::FrameInput,
    frames: u64,
) -> Result<FrameInfo<'a>, Failure> {
    if (input.size as usize) < abi::FRAME_INPUT_SIZE_1_0
        || (input.face_stride as usize) < abi::FACE_SIZE_1_0
    {
        return Err(invalid(
            "process: the frame input is smaller than ABI 1.0's",
        ));
    }
    if input.face_count > 0 && input.faces.is_null() {
        return Err(invalid("process: the face list is null"));
    }
    let align = std::mem::align_of::<abi::FaceRef>();
    if input.face_count > 0
        && (!(input.face_stride as usize).is_multiple_of(align) || !input.faces.is_aligned())
    {
        return Err(invalid("process: the face list is not aligned for FaceRef"));
    }
    let mut faces = Vec::with_capacity(input.face_count as usize);
    for index in 0..input.face_count as usize {
        // SAFETY: the caller's promise about the array; `face_stride` covers ABI 1.0's
        // `FaceRef` (the fields this build reads) and keeps every element aligned.
        let face = unsafe {
            &*input
                .faces
                .cast::<u8>()
                .add(index * input.face_stride as usize)
                .cast::<abi::FaceRef>()
        };
        let landmarks = match (face.landmarks.is_null(), face.landmark_count) {
            (_, 0) => &[][..],
            (true, _) => return Err(invalid("process: a face's landmarks are null")),
            // SAFETY: the caller's promise.
            (false, count) => unsafe { std::slice::from_raw_parts(face.landmarks, count as usize) },
        };
        faces.push(Face::new(face, landmarks));
    }
    Ok(FrameInfo {
        time_s: input.time_s,
        frame_index: frames,
        still_image: input.still_image != 0,
        faces,
    })
}

/// The byte length of an image's rows, or an error naming what is wrong.
fn image_len(image: &abi::ImageRef, bytes_per_pixel: usize) -> Result<usize, Failure> {
    let row = image.width as usize * bytes_per_pixel;
    if image.data.is_null() || image.width == 0 || image.height == 0 || image.stride < row {
        return Err(invalid(
            "process: an image is null, empty or has a short stride",
        ));
    }
    image
        .stride
        .checked_mul(image.height as usize - 1)
        .and_then(|rows| rows.checked_add(row))
        .ok_or_else(|| invalid("process: an image's size overflows"))
}

/// # Safety
/// `image` must describe a buffer the host lends exclusively for `'a`.
unsafe fn frame_pixels<'a>(image: &abi::ImageRef) -> Result<FramePixels<'a>, Failure> {
    let format = match image.format {
        abi::PIXEL_RGB8 => PixelFormat::Rgb8,
        abi::PIXEL_RGBA8 => PixelFormat::Rgba8,
        _ => return Err(invalid("process: the frame's pixel format is unknown")),
    };
    let len = image_len(image, format.bytes_per_pixel())?;
    // SAFETY: the caller's promise; `len` is what the width, height and stride span.
    let data = unsafe { std::slice::from_raw_parts_mut(image.data, len) };
    FramePixels::new(data, image.width, image.height, image.stride, format)
        .ok_or_else(|| invalid("process: the frame's buffer is too short"))
}

/// # Safety
/// As for [`frame_pixels`].
unsafe fn overlay_pixels<'a>(image: &abi::ImageRef) -> Result<OverlayPixels<'a>, Failure> {
    if image.format != abi::PIXEL_RGBA8_PREMULTIPLIED {
        return Err(invalid("process: the overlay is not premultiplied RGBA"));
    }
    let len = image_len(image, 4)?;
    // SAFETY: the caller's promise.
    let data = unsafe { std::slice::from_raw_parts_mut(image.data, len) };
    OverlayPixels::new(data, image.width, image.height, image.stride)
        .ok_or_else(|| invalid("process: the overlay's buffer is too short"))
}

/// # Safety
/// The ABI's contract for [`abi::SerializeFn`].
unsafe extern "C" fn serialize<T: EffectPlugin>(
    instance_ptr: InstancePtr,
    sink: *mut abi::ByteSink,
    error: *mut ErrorBuffer,
) -> Status {
    guard(error, || {
        // SAFETY: the ABI's contract.
        let (instance, sink) = unsafe { (instance::<T>(instance_ptr)?, sink.as_mut()) };
        let sink = sink.ok_or_else(|| invalid("serialize: the sink is null"))?;
        let state = instance.plugin.save_state()?;
        // SAFETY: the sink's callback takes bytes valid for the call.
        unsafe { (sink.write)(sink.context, state.as_ptr(), state.len()) };
        Ok(())
    })
}

/// # Safety
/// The ABI's contract for [`abi::RestoreFn`].
unsafe extern "C" fn restore<T: EffectPlugin>(
    instance_ptr: InstancePtr,
    bytes: *const u8,
    len: usize,
    error: *mut ErrorBuffer,
) -> Status {
    guard(error, || {
        // SAFETY: the ABI's contract.
        let instance = unsafe { instance::<T>(instance_ptr) }?;
        let state = match (bytes.is_null(), len) {
            (_, 0) => &[][..],
            (true, _) => return Err(invalid("restore: the state is null")),
            // SAFETY: the host lends `len` bytes for the call.
            (false, len) => unsafe { std::slice::from_raw_parts(bytes, len) },
        };
        instance.frames = 0;
        Ok(instance.plugin.restore_state(state)?)
    })
}
