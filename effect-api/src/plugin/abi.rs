//! The plugin ABI: the `#[repr(C)]` data and function pointers that cross between a host
//! and a native plugin library. Only plain C data is here: numbers, pointers with lengths
//! and strides, status codes. `docs/plugins.md` describes the same layout for C authors.
//!
//! # Versioning
//!
//! [`ABI_MAJOR`] changes when anything already here changes meaning, size or place; a host
//! refuses a plugin of another major. [`ABI_MINOR`] grows when fields are appended to the
//! end of a struct that carries its own size ([`PluginTable::size`],
//! [`CreateInfo::size`], [`FrameInput::size`], [`HostTable::size`],
//! [`FrameInput::face_stride`]); a reader only reads a field that the size says is there.
//! A host refuses a plugin built for a newer minor than its own, since that plugin may rely
//! on fields the host does not fill. Fields are never removed or reordered within a major.

use std::ffi::c_void;

/// The ABI's major version: a host loads only plugins of its own major.
pub const ABI_MAJOR: u32 = 1;
/// The ABI's minor version: a host loads plugins of its minor or older.
pub const ABI_MINOR: u32 = 1;
/// The symbol every plugin library exports, NUL-terminated, of type [`EntryFn`].
pub const ENTRY_SYMBOL: &[u8] = b"lensmith_plugin_entry\0";

/// The entry function: returns the plugin's table, which must stay valid for as long as the
/// library is loaded. It must not fail and must not do any other work.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginTable;

/// A call's outcome. Anything other than [`STATUS_OK`] comes with a message in the
/// [`ErrorBuffer`].
pub type Status = i32;
/// The call succeeded.
pub const STATUS_OK: Status = 0;
/// The plugin reported an error.
pub const STATUS_ERROR: Status = 1;
/// The plugin panicked; the panic was caught at the boundary.
pub const STATUS_PANIC: Status = 2;
/// The host passed something the plugin cannot read (a null pointer, a bad stride).
pub const STATUS_INVALID_ARGUMENT: Status = 3;

/// A UTF-8 string borrowed for the duration of a call (or for the library's lifetime, in
/// the table). Not NUL-terminated; `ptr` may be null when `len` is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct StrRef {
    /// First byte.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl StrRef {
    /// Borrows a Rust string (usable in constants).
    pub const fn new(text: &str) -> Self {
        Self {
            ptr: text.as_ptr(),
            len: text.len(),
        }
    }

    /// The empty string.
    pub const EMPTY: Self = Self {
        ptr: std::ptr::null(),
        len: 0,
    };
}

/// Where a plugin writes a failed call's message, UTF-8, truncated to `capacity` bytes.
#[repr(C)]
#[derive(Debug)]
pub struct ErrorBuffer {
    /// The host's bytes.
    pub ptr: *mut u8,
    /// How many bytes `ptr` holds.
    pub capacity: usize,
    /// How many bytes the plugin wrote.
    pub len: usize,
}

/// `ImageRef::format`: red, green, blue, 3 bytes a pixel.
pub const PIXEL_RGB8: u32 = 1;
/// `ImageRef::format`: red, green, blue, straight alpha, 4 bytes a pixel.
pub const PIXEL_RGBA8: u32 = 2;
/// `ImageRef::format`: red, green, blue already multiplied by alpha, then alpha.
pub const PIXEL_RGBA8_PREMULTIPLIED: u32 = 3;

/// Rows of pixels, `stride` bytes apart; the buffer holds
/// `stride · (height − 1) + width · bytes per pixel` bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ImageRef {
    /// The first row's first byte.
    pub data: *mut u8,
    /// Pixels a row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Bytes from one row to the next.
    pub stride: usize,
    /// One of the `PIXEL_*` codes.
    pub format: u32,
}

/// A rectangle of pixels: columns `x..x + width`, rows `y..y + height`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PixelRect {
    /// Leftmost column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
}

/// A frame-sized layer the plugin may draw on instead of (or as well as) the frame: premultiplied
/// RGBA8, transparent when the call begins. After the call the host blends the part inside
/// `dirty` over the frame (normal blend), so drawing there needs no blending code.
#[repr(C)]
#[derive(Debug)]
pub struct Overlay {
    /// The pixels, format [`PIXEL_RGBA8_PREMULTIPLIED`], the frame's width and height.
    pub image: ImageRef,
    /// Set by the plugin: the rectangle it drew in (width 0: nothing).
    pub dirty: PixelRect,
}

/// A head pose: angles in degrees, as [`crate::face`] and the runtime's pose stage define.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PoseRef {
    /// Turn about the vertical axis; positive turns the face towards the image's right.
    pub yaw: f32,
    /// Nod; positive looks down.
    pub pitch: f32,
    /// Tilt in the image plane; positive is counter-clockwise as seen in the image.
    pub roll: f32,
    /// The canonical face's origin in frame pixels (x, y) and depth (z).
    pub translation: [f32; 3],
    /// Pixels per centimetre of the canonical face.
    pub scale: f32,
}

/// Expression scores a [`FaceRef`] carries, at most; [`FaceRef::expression_count`] says how
/// many are filled, in the order of [`crate::Expression::ALL`].
pub const MAX_EXPRESSIONS: usize = 32;

/// `FaceRef::flags`: `pose` holds this frame's head pose.
pub const FACE_HAS_POSE: u32 = 1;
/// `FaceRef::flags`: `expressions` holds this frame's scores.
pub const FACE_HAS_EXPRESSIONS: u32 = 2;
/// `FaceRef::flags`: the layer's trigger is on for this face (always set for a layer with
/// no trigger).
pub const FACE_TRIGGER_ACTIVE: u32 = 4;

/// One tracked face in one frame. Faces are passed as an array whose element size is
/// [`FrameInput::face_stride`], so later minors can append fields.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FaceRef {
    /// Stable id: the same face keeps it from frame to frame.
    pub id: u32,
    /// `FACE_*` bits.
    pub flags: u32,
    /// Mesh presence score, 0..=1.
    pub presence: f32,
    /// How far the layer's trigger has faded the layer in for this face, 0..=1 (1 with
    /// no trigger); multiply it into what you draw to fade as built-in layers do.
    pub visibility: f32,
    /// The face mesh: `landmark_count` points (468 today), x and y in frame pixels, z in
    /// the same scale, in MediaPipe's order.
    pub landmarks: *const [f32; 3],
    /// Points in `landmarks`.
    pub landmark_count: u32,
    /// Scores filled in `expressions`.
    pub expression_count: u32,
    /// Scores 0..=1 in the order of [`crate::Expression::ALL`].
    pub expressions: [f32; MAX_EXPRESSIONS],
    /// Head pose (see [`FACE_HAS_POSE`]).
    pub pose: PoseRef,
}

/// What one `process` call sees besides the pixels.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FrameInput {
    /// `size_of::<FrameInput>()` as the host knows it.
    pub size: u32,
    /// Bytes from one [`FaceRef`] to the next.
    pub face_stride: u32,
    /// The frame's time in seconds, increasing.
    pub time_s: f64,
    /// The faces, `face_count` of them, `face_stride` bytes apart.
    pub faces: *const FaceRef,
    /// How many.
    pub face_count: u32,
    /// 1 when frames are unrelated stills (no motion between them), else 0.
    pub still_image: u32,
}

/// `TriggerEventRef::phase`: the trigger turned on this frame.
pub const TRIGGER_STARTED: u32 = 1;
/// `TriggerEventRef::phase`: the trigger turned off this frame.
pub const TRIGGER_ENDED: u32 = 2;

/// A trigger rule turning on or off for a face.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct TriggerEventRef {
    /// The rule's name, as the manifest's `[[trigger]]` gives it.
    pub rule: StrRef,
    /// The face.
    pub face_id: u32,
    /// `TRIGGER_STARTED` or `TRIGGER_ENDED`.
    pub phase: u32,
    /// The frame's time in seconds.
    pub time_s: f64,
}

/// `ParameterRef::kind`: a number, in `float`.
pub const PARAMETER_FLOAT: u32 = 1;
/// `ParameterRef::kind`: a whole number, in `int`.
pub const PARAMETER_INT: u32 = 2;
/// `ParameterRef::kind`: on or off, in `int` (0 or 1).
pub const PARAMETER_BOOL: u32 = 3;
/// `ParameterRef::kind`: an RGBA colour 0..=1, in `color`.
pub const PARAMETER_COLOR: u32 = 4;

/// One live parameter's current value. This struct never grows; new kinds get new codes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ParameterRef {
    /// The parameter's name in the manifest.
    pub name: StrRef,
    /// A `PARAMETER_*` code saying which value field holds it.
    pub kind: u32,
    /// For floats.
    pub float: f64,
    /// For ints and bools.
    pub int: i64,
    /// For colours (alpha 1 when the manifest gives RGB).
    pub color: [f32; 4],
}

/// What `create` is given.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CreateInfo {
    /// `size_of::<CreateInfo>()` as the host knows it.
    pub size: u32,
    /// The layer's name in the manifest.
    pub layer_name: StrRef,
    /// The layer's `settings` table as TOML text (empty when it has none).
    pub settings_toml: StrRef,
    /// The layer's parameters at their defaults.
    pub parameters: *const ParameterRef,
    /// How many.
    pub parameter_count: usize,
}

/// `HostTable::log` levels.
pub const LOG_ERROR: u32 = 1;
/// A warning.
pub const LOG_WARN: u32 = 2;
/// Information.
pub const LOG_INFO: u32 = 3;
/// Detail for debugging.
pub const LOG_DEBUG: u32 = 4;

/// What the host offers a plugin: valid from `create` until `destroy` returns, callable
/// from inside any call the host makes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct HostTable {
    /// `size_of::<HostTable>()` as the host knows it.
    pub size: u32,
    /// Passed back to every callback.
    pub context: *mut c_void,
    /// Writes a message to the host's log at a `LOG_*` level.
    pub log: Option<unsafe extern "C" fn(context: *mut c_void, level: u32, message: StrRef)>,
    /// Seconds on the host's monotonic clock (for the plugin's own timing).
    pub time_s: Option<unsafe extern "C" fn(context: *mut c_void) -> f64>,
}

/// Where `serialize` writes its bytes: it calls `write` any number of times.
#[repr(C)]
#[derive(Debug)]
pub struct ByteSink {
    /// Passed back to `write`.
    pub context: *mut c_void,
    /// Appends `len` bytes.
    pub write: unsafe extern "C" fn(context: *mut c_void, bytes: *const u8, len: usize),
}

/// An instance of the plugin, as the plugin created it; opaque to the host.
pub type InstancePtr = *mut c_void;

/// `create(host, info, out_instance, error)`: makes an instance.
pub type CreateFn = unsafe extern "C" fn(
    host: *const HostTable,
    info: *const CreateInfo,
    out_instance: *mut InstancePtr,
    error: *mut ErrorBuffer,
) -> Status;
/// `destroy(instance)`: frees an instance; it must not fail.
pub type DestroyFn = unsafe extern "C" fn(instance: InstancePtr);
/// `update_parameters(instance, parameters, count, error)`: new values for some or all.
pub type UpdateParametersFn = unsafe extern "C" fn(
    instance: InstancePtr,
    parameters: *const ParameterRef,
    count: usize,
    error: *mut ErrorBuffer,
) -> Status;
/// `process(instance, input, frame, overlay, error)`: one frame. `frame` is read and may
/// be written in place; `overlay` may be drawn on.
pub type ProcessFn = unsafe extern "C" fn(
    instance: InstancePtr,
    input: *const FrameInput,
    frame: *mut ImageRef,
    overlay: *mut Overlay,
    error: *mut ErrorBuffer,
) -> Status;
/// `on_trigger(instance, event, error)`: a trigger turned on or off (before the frame's
/// `process`).
pub type OnTriggerFn = unsafe extern "C" fn(
    instance: InstancePtr,
    event: *const TriggerEventRef,
    error: *mut ErrorBuffer,
) -> Status;
/// `serialize(instance, sink, error)`: writes the instance's state before a reload.
pub type SerializeFn = unsafe extern "C" fn(
    instance: InstancePtr,
    sink: *mut ByteSink,
    error: *mut ErrorBuffer,
) -> Status;
/// `restore(instance, bytes, len, error)`: takes back what an older build's `serialize`
/// wrote; the instance was just created.
pub type RestoreFn = unsafe extern "C" fn(
    instance: InstancePtr,
    bytes: *const u8,
    len: usize,
    error: *mut ErrorBuffer,
) -> Status;

/// The table a plugin's entry function returns. The first three fields are the handshake
/// and never move; every later field is read only when `size` covers it.
#[repr(C)]
#[derive(Debug)]
pub struct PluginTable {
    /// [`ABI_MAJOR`] of the `effect-api` the plugin was built with.
    pub abi_major: u32,
    /// [`ABI_MINOR`] of the same.
    pub abi_minor: u32,
    /// `size_of::<PluginTable>()` as the plugin knows it.
    pub size: u32,
    /// The plugin's name (its crate's, by default), for messages.
    pub name: StrRef,
    /// The plugin's own version.
    pub version: StrRef,
    /// Required.
    pub create: Option<CreateFn>,
    /// Required.
    pub destroy: Option<DestroyFn>,
    /// Optional: without it, parameter changes are not passed on.
    pub update_parameters: Option<UpdateParametersFn>,
    /// Required.
    pub process: Option<ProcessFn>,
    /// Optional.
    pub on_trigger: Option<OnTriggerFn>,
    /// Optional: without it, a reload starts from a fresh instance.
    pub serialize: Option<SerializeFn>,
    /// Optional, paired with `serialize`.
    pub restore: Option<RestoreFn>,
}

// SAFETY: a table is immutable data (numbers, pointers to static strings and functions)
// that is never written after the plugin builds it, so sharing it between threads is sound.
unsafe impl Sync for PluginTable {}

/// The handshake fields' size: a host reads these first, whatever the table's size.
pub const HANDSHAKE_SIZE: usize = 3 * std::mem::size_of::<u32>();

/// The smallest [`PluginTable`] of this major (ABI 1.0's, up to `restore`): a host refuses
/// a smaller one and reads a field appended by a later minor only when `size` covers it.
pub const PLUGIN_TABLE_SIZE_1_0: usize =
    std::mem::offset_of!(PluginTable, restore) + std::mem::size_of::<Option<RestoreFn>>();
/// The smallest [`HostTable`] of this major (1.0's, up to `time_s`).
pub const HOST_TABLE_SIZE_1_0: usize = std::mem::offset_of!(HostTable, time_s)
    + std::mem::size_of::<Option<unsafe extern "C" fn(*mut c_void) -> f64>>();
/// The smallest [`CreateInfo`] of this major (1.0's, up to `parameter_count`).
pub const CREATE_INFO_SIZE_1_0: usize =
    std::mem::offset_of!(CreateInfo, parameter_count) + std::mem::size_of::<usize>();
/// The smallest [`FrameInput`] of this major (1.0's, up to `still_image`).
pub const FRAME_INPUT_SIZE_1_0: usize =
    std::mem::offset_of!(FrameInput, still_image) + std::mem::size_of::<u32>();
/// The smallest [`FaceRef`] stride of this major (1.0's face, up to `pose`); the stride is
/// also a multiple of `FaceRef`'s alignment, and the array is aligned for `FaceRef`.
pub const FACE_SIZE_1_0: usize =
    std::mem::offset_of!(FaceRef, pose) + std::mem::size_of::<PoseRef>();
