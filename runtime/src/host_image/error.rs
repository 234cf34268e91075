//! Why a host buffer cannot be read or written: each message names the plane, the value
//! given and what is needed.

use super::HostPixelFormat;

/// Why a host buffer's description or contents do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostImageError {
    /// A rotation that is not a quarter turn.
    #[error(
        "rotation {degrees} is not 0, 90, 180 or 270 degrees clockwise: pass the clockwise turn that makes the camera image upright"
    )]
    Rotation {
        /// Degrees given.
        degrees: i32,
    },
    /// Width or height is zero.
    #[error("the {format} image is {width}x{height}: both sides must be at least 1 pixel")]
    Empty {
        /// Pixel format.
        format: HostPixelFormat,
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
    },
    /// A plane's stride is shorter than one of its rows.
    #[error(
        "plane {plane} ({name}) stride {stride} is shorter than a row of {count} {unit} ({row_bytes} bytes)"
    )]
    StrideTooShort {
        /// Plane index: 0, or 1 for NV21's chroma.
        plane: usize,
        /// What the plane holds ("RGBA", "NV21 Y", "NV21 VU", ...).
        name: &'static str,
        /// Stride given, in bytes.
        stride: usize,
        /// Pixels (or chroma pairs) in a row.
        count: u32,
        /// What `count` counts.
        unit: &'static str,
        /// Bytes one row needs.
        row_bytes: usize,
    },
    /// A plane the format needs was not given (an empty slice or a null pointer).
    #[error("plane {plane} ({name}) is missing: an {format} image needs it ({needed} bytes)")]
    MissingPlane {
        /// Plane index.
        plane: usize,
        /// What the plane holds.
        name: &'static str,
        /// Pixel format.
        format: HostPixelFormat,
        /// Bytes the plane needs.
        needed: usize,
    },
    /// A plane ends before its last row does.
    #[error(
        "plane {plane} ({name}) holds {len} bytes but {rows} rows of stride {stride} need {needed}"
    )]
    PlaneTooShort {
        /// Plane index.
        plane: usize,
        /// What the plane holds.
        name: &'static str,
        /// Bytes given.
        len: usize,
        /// Rows in the plane.
        rows: u32,
        /// Stride given, in bytes.
        stride: usize,
        /// Bytes needed: `stride * (rows - 1)` plus one row.
        needed: usize,
    },
    /// A plane's size overflows this machine's address space.
    #[error(
        "plane {plane} ({name}): {rows} rows of stride {stride} are more bytes than this machine can address; check the size and stride"
    )]
    PlaneTooLarge {
        /// Plane index.
        plane: usize,
        /// What the plane holds.
        name: &'static str,
        /// Rows in the plane.
        rows: u32,
        /// Stride given, in bytes.
        stride: usize,
    },
    /// The upright frame would not fit in this machine's address space.
    #[error("a {width}x{height} image is too large to convert on this machine")]
    ImageTooLarge {
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
    },
    /// The frame to write is not the host image's upright size.
    #[error(
        "the frame is {frame_width}x{frame_height} but the host image is {upright_width}x{upright_height} upright ({width}x{height} stored, turned {degrees} degrees clockwise): write a frame of the upright size"
    )]
    FrameSize {
        /// Width of the frame given.
        frame_width: u32,
        /// Height of the frame given.
        frame_height: u32,
        /// Width the frame must have.
        upright_width: u32,
        /// Height the frame must have.
        upright_height: u32,
        /// Stored width of the host image.
        width: u32,
        /// Stored height of the host image.
        height: u32,
        /// The host image's rotation.
        degrees: u32,
    },
}
