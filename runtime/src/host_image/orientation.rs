//! Turning and mirroring: where each stored pixel of a host buffer lands in the upright
//! frame.

use super::{HostImageError, HostImageLayout};

/// The clockwise turn that makes a stored camera buffer upright.
///
/// The buffer turned clockwise by the rotation, then mirrored left to right if the layout
/// says so, is the upright frame. For [`Rotation::Clockwise90`] the upright frame is
/// `height` x `width` and the stored pixel (x, y) lands at (H - 1 - y, x), H being the
/// stored height:
///
/// ```text
///  stored (3 x 2)    Clockwise90 (2 x 3)    Clockwise90, mirrored
///
///     A B C               D A                     A D
///     D E F               E B                     B E
///                         F C                     C F
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rotation {
    /// Stored upright: no turn.
    #[default]
    Upright,
    /// A quarter turn clockwise.
    Clockwise90,
    /// A half turn.
    Clockwise180,
    /// Three quarter turns clockwise (a quarter turn anticlockwise).
    Clockwise270,
}

impl Rotation {
    /// The rotation of `degrees` clockwise: 0, 90, 180 or 270 (as Android's
    /// `sensorOrientation` reports it); anything else is an error.
    pub fn from_degrees(degrees: i32) -> Result<Self, HostImageError> {
        Ok(match degrees {
            0 => Rotation::Upright,
            90 => Rotation::Clockwise90,
            180 => Rotation::Clockwise180,
            270 => Rotation::Clockwise270,
            _ => return Err(HostImageError::Rotation { degrees }),
        })
    }

    /// Degrees clockwise: 0, 90, 180 or 270.
    pub fn degrees(self) -> u32 {
        match self {
            Rotation::Upright => 0,
            Rotation::Clockwise90 => 90,
            Rotation::Clockwise180 => 180,
            Rotation::Clockwise270 => 270,
        }
    }

    /// True for quarter turns, which swap width and height.
    pub fn swaps_sides(self) -> bool {
        matches!(self, Rotation::Clockwise90 | Rotation::Clockwise270)
    }
}

/// Where the stored pixel (x, y) of a layout lies in an upright frame's bytes: the upright
/// position is affine in (x, y), so its byte offset is `origin + x * step_x + y * step_y`.
/// No branch in the per-pixel path, whatever the rotation.
#[derive(Debug, Clone, Copy)]
pub(super) struct UprightMap {
    origin: isize,
    /// Bytes between the upright places of stored pixels (x, y) and (x + 1, y).
    pub(super) step_x: isize,
    step_y: isize,
}

impl UprightMap {
    /// The map for `layout` into an upright frame whose rows are `stride` bytes apart and
    /// whose pixels are `bytes_per_pixel` bytes. The frame must be of the layout's upright
    /// size, which `HostImageLayout::plane_lens` has checked fits in an `isize`.
    pub(super) fn new(layout: &HostImageLayout, stride: usize, bytes_per_pixel: usize) -> Self {
        let (width, height) = (layout.width as isize, layout.height as isize);
        // upright x = x0 + xx * x + xy * y, upright y = y0 + yx * x + yy * y.
        let (mut x0, mut xx, mut xy, y0, yx, yy) = match layout.rotation {
            Rotation::Upright => (0, 1, 0, 0, 0, 1),
            Rotation::Clockwise90 => (height - 1, 0, -1, 0, 1, 0),
            Rotation::Clockwise180 => (width - 1, -1, 0, height - 1, 0, -1),
            Rotation::Clockwise270 => (0, 0, 1, width - 1, -1, 0),
        };
        if layout.mirrored {
            let upright_width = layout.upright_size().0 as isize;
            (x0, xx, xy) = (upright_width - 1 - x0, -xx, -xy);
        }
        let (stride, bytes) = (stride as isize, bytes_per_pixel as isize);
        Self {
            origin: y0 * stride + x0 * bytes,
            step_x: yx * stride + xx * bytes,
            step_y: yy * stride + xy * bytes,
        }
    }

    /// The same map into a band of the frame that starts `bytes` into it.
    pub(super) fn into_band_at(self, bytes: usize) -> Self {
        Self {
            origin: self.origin - bytes as isize,
            ..self
        }
    }

    /// Byte offset of the upright place of stored pixel (0, `y`).
    #[inline]
    pub(super) fn row_start(&self, y: usize) -> isize {
        self.origin + y as isize * self.step_y
    }
}

/// The stored columns and rows (`[xs, ys]`) of `layout` whose pixels land in upright
/// rows `rows`: a band of upright rows is a band of stored rows (no turn, a half turn) or
/// of stored columns (quarter turns); mirroring moves pixels within their upright row.
pub(super) fn stored_pixels_of_upright_rows(
    layout: &HostImageLayout,
    rows: std::ops::Range<usize>,
) -> [std::ops::Range<usize>; 2] {
    let (width, height) = (layout.width as usize, layout.height as usize);
    match layout.rotation {
        Rotation::Upright => [0..width, rows],
        Rotation::Clockwise180 => [0..width, height - rows.end..height - rows.start],
        Rotation::Clockwise90 => [rows, 0..height],
        Rotation::Clockwise270 => [width - rows.end..width - rows.start, 0..height],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_convert_both_ways() {
        for degrees in [0, 90, 180, 270] {
            let rotation = Rotation::from_degrees(degrees).unwrap();
            assert_eq!(rotation.degrees(), degrees as u32);
        }
        for degrees in [-90, 45, 360] {
            let message = Rotation::from_degrees(degrees).unwrap_err().to_string();
            assert!(
                message.starts_with(&format!("rotation {degrees} is not 0, 90, 180 or 270")),
                "{message}"
            );
        }
    }
}
