//! Safe views of what crosses the plugin boundary: the frame's pixels, the overlay, the
//! faces, parameters and trigger changes, and the host's callbacks. The export glue builds
//! them from the raw ABI structs after checking them; a plugin author sees only these.

use super::abi;
use crate::expression::Expression;
use crate::frame::{FrameView, PixelFormat};
use crate::geometry::{Point2, Rect};

/// The frame a plugin draws on, in place: 8-bit RGB or RGBA rows, `stride` bytes apart.
#[derive(Debug)]
pub struct FramePixels<'a> {
    data: &'a mut [u8],
    width: u32,
    height: u32,
    stride: usize,
    format: PixelFormat,
}

impl<'a> FramePixels<'a> {
    /// Wraps a buffer holding every row; `None` when it is too short or a side is zero.
    pub fn new(
        data: &'a mut [u8],
        width: u32,
        height: u32,
        stride: usize,
        format: PixelFormat,
    ) -> Option<Self> {
        FrameView::new(data, width, height, stride, format).ok()?;
        Some(Self {
            data,
            width,
            height,
            stride,
            format,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes from one row to the next.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// RGB or RGBA (straight alpha, which a plugin should leave as it is).
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// Row `y`'s pixels (without the padding after them).
    pub fn row(&self, y: u32) -> &[u8] {
        let start = y as usize * self.stride;
        &self.data[start..start + self.width as usize * self.format.bytes_per_pixel()]
    }

    /// Row `y`'s pixels, to write.
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        let start = y as usize * self.stride;
        let len = self.width as usize * self.format.bytes_per_pixel();
        &mut self.data[start..start + len]
    }

    /// The RGB of pixel `(x, y)`; `None` outside the frame.
    pub fn rgb(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let at = y as usize * self.stride + x as usize * self.format.bytes_per_pixel();
        Some([self.data[at], self.data[at + 1], self.data[at + 2]])
    }

    /// Sets the RGB of pixel `(x, y)`; nothing outside the frame.
    pub fn set_rgb(&mut self, x: u32, y: u32, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            let at = y as usize * self.stride + x as usize * self.format.bytes_per_pixel();
            self.data[at..at + 3].copy_from_slice(&rgb);
        }
    }
}

/// A transparent, frame-sized layer of premultiplied RGBA8 that the host blends over the
/// frame after the call, where the plugin drew.
#[derive(Debug)]
pub struct OverlayPixels<'a> {
    data: &'a mut [u8],
    width: u32,
    height: u32,
    stride: usize,
    dirty: Option<abi::PixelRect>,
}

impl<'a> OverlayPixels<'a> {
    /// Wraps a premultiplied RGBA8 buffer holding every row; `None` when it is too short.
    pub fn new(data: &'a mut [u8], width: u32, height: u32, stride: usize) -> Option<Self> {
        FrameView::new(data, width, height, stride, PixelFormat::Rgba8).ok()?;
        Some(Self {
            data,
            width,
            height,
            stride,
            dirty: None,
        })
    }

    /// Width in pixels (the frame's).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels (the frame's).
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Draws premultiplied `rgba` over pixel `(x, y)` of the overlay (normal blend);
    /// nothing outside the frame.
    pub fn blend_premultiplied(&mut self, x: u32, y: u32, rgba: [u8; 4]) {
        if x >= self.width || y >= self.height || rgba[3] == 0 && rgba[..3] == [0, 0, 0] {
            return;
        }
        let at = y as usize * self.stride + x as usize * 4;
        let keep = 255 - u32::from(rgba[3]);
        for (channel, value) in self.data[at..at + 4].iter_mut().zip(rgba) {
            let below = (u32::from(*channel) * keep + 127) / 255;
            *channel = (below + u32::from(value)).min(255) as u8;
        }
        self.mark(abi::PixelRect {
            x,
            y,
            width: 1,
            height: 1,
        });
    }

    /// Row `y` of the rectangle `rect` (clipped to the overlay), to write premultiplied
    /// RGBA8 into; the rectangle is marked as drawn.
    pub fn row_mut(&mut self, rect: abi::PixelRect, y: u32) -> &mut [u8] {
        let rect = self.clip(rect);
        if y < rect.y || y >= rect.y + rect.height || rect.width == 0 {
            return &mut [];
        }
        self.mark(rect);
        let start = y as usize * self.stride + rect.x as usize * 4;
        &mut self.data[start..start + rect.width as usize * 4]
    }

    /// Where the plugin drew, if anywhere.
    pub fn dirty(&self) -> Option<abi::PixelRect> {
        self.dirty
    }

    fn clip(&self, rect: abi::PixelRect) -> abi::PixelRect {
        let x = rect.x.min(self.width);
        let y = rect.y.min(self.height);
        abi::PixelRect {
            x,
            y,
            width: rect.width.min(self.width - x),
            height: rect.height.min(self.height - y),
        }
    }

    fn mark(&mut self, rect: abi::PixelRect) {
        self.dirty = Some(match self.dirty {
            None => rect,
            Some(old) => {
                let x = old.x.min(rect.x);
                let y = old.y.min(rect.y);
                abi::PixelRect {
                    x,
                    y,
                    width: (old.x + old.width).max(rect.x + rect.width) - x,
                    height: (old.y + old.height).max(rect.y + rect.height) - y,
                }
            }
        });
    }
}

/// A head pose (degrees; see the runtime's pose stage for the axes).
pub type Pose = abi::PoseRef;

/// One tracked face in this frame.
#[derive(Debug, Clone, Copy)]
pub struct Face<'a> {
    raw: &'a abi::FaceRef,
    landmarks: &'a [[f32; 3]],
}

impl<'a> Face<'a> {
    /// Views a face whose `landmarks` the caller has checked.
    pub(crate) fn new(raw: &'a abi::FaceRef, landmarks: &'a [[f32; 3]]) -> Self {
        Self { raw, landmarks }
    }

    /// Stable id: the same face keeps it from frame to frame.
    pub fn id(&self) -> u32 {
        self.raw.id
    }

    /// Mesh presence score, 0..=1.
    pub fn presence(&self) -> f32 {
        self.raw.presence
    }

    /// The 468-point mesh in MediaPipe's order: x and y in frame pixels, z in the same
    /// scale. Where the layer sets `irises = true` (or the bundle reads gaze), both irises
    /// follow at 468–477, numbered as MediaPipe's `refine_landmarks` numbers them
    /// ([`crate::face_regions::LANDMARK_COUNT_WITH_IRISES`]).
    pub fn landmarks(&self) -> &'a [[f32; 3]] {
        self.landmarks
    }

    /// The centres of the irises, the subject's right (on the image's left) first; `None`
    /// where the irises were not found (see [`Self::landmarks`]).
    pub fn iris_centers(&self) -> Option<[Point2; 2]> {
        let [right, left] =
            crate::face_regions::IRIS_CENTERS.map(|index| self.point(index as usize));
        Some([right?, left?])
    }

    /// Landmark `index`'s x and y; `None` past the mesh.
    pub fn point(&self, index: usize) -> Option<Point2> {
        self.landmarks
            .get(index)
            .map(|&[x, y, _]| Point2::new(x, y))
    }

    /// The rectangle around the mesh's x and y, in frame pixels (it may reach past the
    /// frame's edges); `None` for a face without landmarks.
    pub fn bounds(&self) -> Option<Rect> {
        Rect::around(self.landmarks.iter().map(|&[x, y, _]| Point2::new(x, y)))
    }

    /// The head pose, when the pose stage ran.
    pub fn pose(&self) -> Option<Pose> {
        (self.raw.flags & abi::FACE_HAS_POSE != 0).then_some(self.raw.pose)
    }

    /// An expression's score 0..=1, when the host computed it.
    pub fn expression(&self, expression: Expression) -> Option<f32> {
        if self.raw.flags & abi::FACE_HAS_EXPRESSIONS == 0 {
            return None;
        }
        let index = Expression::ALL.iter().position(|&e| e == expression)?;
        let count = (self.raw.expression_count as usize).min(abi::MAX_EXPRESSIONS);
        (index < count).then(|| self.raw.expressions[index])
    }

    /// Whether the layer's trigger is on for this face (always, with no trigger).
    pub fn trigger_active(&self) -> bool {
        self.raw.flags & abi::FACE_TRIGGER_ACTIVE != 0
    }

    /// How far the trigger has faded the layer in, 0..=1: multiply it into what you draw.
    pub fn visibility(&self) -> f32 {
        self.raw.visibility.clamp(0.0, 1.0)
    }
}

/// This frame's time, faces and flags.
#[derive(Debug, Clone)]
pub struct FrameInfo<'a> {
    pub(crate) time_s: f64,
    pub(crate) frame_index: u64,
    pub(crate) still_image: bool,
    pub(crate) faces: Vec<Face<'a>>,
}

impl<'a> FrameInfo<'a> {
    /// The frame's time in seconds, increasing.
    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    /// Frames processed by this instance before this one (counted afresh after
    /// `restore_state`).
    pub fn frame_index(&self) -> u64 {
        self.frame_index
    }

    /// Whether frames are unrelated stills (nothing moves between them).
    pub fn still_image(&self) -> bool {
        self.still_image
    }

    /// The tracked faces.
    pub fn faces(&self) -> &[Face<'a>] {
        &self.faces
    }
}

/// A live parameter's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A number.
    Float(f64),
    /// A whole number.
    Int(i64),
    /// On or off.
    Bool(bool),
    /// RGBA, each 0..=1.
    Color([f32; 4]),
}

impl Value {
    /// The value as a number (ints converted, bools 0 or 1); `None` for colours.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(value) => Some(value),
            Value::Int(value) => Some(value as f64),
            Value::Bool(value) => Some(f64::from(u8::from(value))),
            Value::Color(_) => None,
        }
    }
}

/// Parameters passed to `create` or `set_parameters`, by name.
#[derive(Debug, Clone, Default)]
pub struct Parameters<'a> {
    pub(crate) entries: Vec<(&'a str, Value)>,
}

impl<'a> Parameters<'a> {
    /// Every parameter given, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Value)> + '_ {
        self.entries.iter().copied()
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.entries
            .iter()
            .find(|(candidate, _)| *candidate == name)
            .map(|&(_, value)| value)
    }

    /// `name` as a number, if given and numeric.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|value| value.as_f64())
    }
}

/// Whether a trigger turned on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerChange {
    /// It turned on this frame.
    Started,
    /// It turned off this frame.
    Ended,
}

/// A trigger rule turning on or off for a face.
#[derive(Debug, Clone, Copy)]
pub struct TriggerNotice<'a> {
    /// The rule's name in the manifest.
    pub rule: &'a str,
    /// The face.
    pub face_id: u32,
    /// On or off.
    pub change: TriggerChange,
    /// The frame's time in seconds.
    pub time_s: f64,
}

/// How much a log message matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warn,
    /// Worth knowing.
    Info,
    /// Detail for debugging.
    Debug,
}

/// The host's callbacks: logging and its clock. Cheap to copy; keep one in the plugin.
/// It is valid until the instance is destroyed: a thread the plugin starts must stop
/// using it before then.
#[derive(Debug, Clone, Copy)]
pub struct Host {
    table: abi::HostTable,
}

// SAFETY: the ABI requires a host's callbacks to be callable from any thread, at any time
// between `create` and the end of `destroy`; the table itself is plain data.
unsafe impl Send for Host {}
// SAFETY: as for `Send`: the callbacks are thread-safe and the table is never written.
unsafe impl Sync for Host {}

impl Host {
    /// Copies a host table the glue has checked.
    pub(crate) fn new(table: abi::HostTable) -> Self {
        Self { table }
    }

    /// Writes `message` to the host's log.
    pub fn log(&self, level: LogLevel, message: &str) {
        let code = match level {
            LogLevel::Error => abi::LOG_ERROR,
            LogLevel::Warn => abi::LOG_WARN,
            LogLevel::Info => abi::LOG_INFO,
            LogLevel::Debug => abi::LOG_DEBUG,
        };
        if let Some(log) = self.table.log {
            // SAFETY: the host promised in `create` that its table and callbacks stay
            // valid, from any thread, until `destroy` returns.
            unsafe { log(self.table.context, code, abi::StrRef::new(message)) };
        }
    }

    /// Seconds on the host's monotonic clock; 0 when the host has no clock.
    pub fn time_s(&self) -> f64 {
        match self.table.time_s {
            // SAFETY: as for `log`.
            Some(time) => unsafe { time(self.table.context) },
            None => 0.0,
        }
    }
}
