//! Turning one still photo into a moving sequence, so that a golden test exercises what a
//! still cannot: tracking from frame to frame, smoothing, and every layer following a face
//! that drifts, turns and changes size.
//!
//! The `sway` motion is a hand-held camera's: over one smooth loop the picture drifts by up
//! to 6 % of its width and 4 % of its height, turns by up to 8° and zooms between 1.04×
//! and 1.20×, each on its own phase, so no two frames are alike. Pixels are resampled
//! bilinearly ([`crate::sampling::SampleGrid`]); where the turned picture leaves the
//! frame, its edge pixels repeat. The same still and frame count always give the same
//! bytes.

use effect_api::{Frame, PixelFormat, Point2};

use super::suite::{Motion, MotionKind};
use crate::sampling::SampleGrid;
use crate::video::{FrameSource, STILLS_FRAME_RATE, SourceFrame, VideoError};

/// Where frame `index` of `count` looks on the still.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CameraPose {
    /// Shift of the picture, as fractions of the frame's width and height.
    shift: [f32; 2],
    /// Turn of the picture, radians (positive: clockwise on screen).
    turn: f32,
    /// Magnification.
    zoom: f32,
}

impl CameraPose {
    fn sway(index: u32, count: u32) -> Self {
        let phase = std::f32::consts::TAU * index as f32 / count as f32;
        Self {
            shift: [0.06 * phase.sin(), 0.04 * (2.0 * phase).sin()],
            turn: 8f32.to_radians() * (phase + 0.6).sin(),
            zoom: 1.12 + 0.08 * (phase - 0.9).sin(),
        }
    }

    /// The grid that samples the still for this pose: output pixel `p` shows the still at
    /// `centre + R(−turn) · (p − centre − shift) / zoom`.
    fn grid(&self, width: u32, height: u32) -> SampleGrid {
        let centre = Point2::new((width as f32 - 1.0) / 2.0, (height as f32 - 1.0) / 2.0);
        let shift = Point2::new(self.shift[0] * width as f32, self.shift[1] * height as f32);
        let (sin, cos) = (-self.turn).sin_cos();
        let map = |x: f32, y: f32| {
            Point2::new(
                (cos * x - sin * y) / self.zoom,
                (sin * x + cos * y) / self.zoom,
            )
        };
        let offset = map(-centre.x - shift.x, -centre.y - shift.y);
        SampleGrid {
            origin: Point2::new(centre.x + offset.x, centre.y + offset.y),
            column_step: map(1.0, 0.0),
            row_step: map(0.0, 1.0),
            width,
            height,
        }
    }
}

/// A [`FrameSource`] that plays a still under a [`Motion`].
#[derive(Debug)]
pub struct MotionSource {
    still: Frame,
    motion: Motion,
    next: u32,
}

impl MotionSource {
    /// Plays `still` (RGB) under `motion`.
    pub fn new(still: Frame, motion: Motion) -> Self {
        Self {
            still,
            motion,
            next: 0,
        }
    }

    /// Frame `index` of the sequence.
    fn render(&self, index: u32) -> Frame {
        let (width, height) = (self.still.width(), self.still.height());
        let pose = match self.motion.kind {
            MotionKind::Sway => CameraPose::sway(index, self.motion.frames),
        };
        let mut pixels = vec![0u8; width as usize * height as usize * 3];
        pose.grid(width, height)
            .sample(self.still.view(), |at, rgb| {
                for (slot, value) in pixels[at * 3..at * 3 + 3].iter_mut().zip(rgb) {
                    *slot = value.round().clamp(0.0, 255.0) as u8;
                }
            });
        // The buffer holds exactly width × height RGB pixels, made just above.
        Frame::from_packed(pixels, width, height, PixelFormat::Rgb8)
            .expect("a packed buffer of the still's size")
    }
}

impl FrameSource for MotionSource {
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, VideoError> {
        if self.next >= self.motion.frames {
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        Ok(Some(SourceFrame {
            frame: self.render(index),
            index: u64::from(index),
            time_s: f64::from(index) / STILLS_FRAME_RATE,
            name: format!("frame {index}"),
        }))
    }

    fn frame_rate(&self) -> f64 {
        STILLS_FRAME_RATE
    }

    fn size_hint(&self) -> Option<(u32, u32)> {
        Some((self.still.width(), self.still.height()))
    }

    fn is_independent_stills(&self) -> bool {
        false
    }

    fn frame_count_hint(&self) -> Option<u64> {
        Some(u64::from(self.motion.frames))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A still whose every pixel tells where it is: red = column, green = row.
    fn gradient(width: u32, height: u32) -> Frame {
        let mut pixels = Vec::new();
        for y in 0..height {
            for x in 0..width {
                pixels.extend_from_slice(&[x as u8, y as u8, 128]);
            }
        }
        Frame::from_packed(pixels, width, height, PixelFormat::Rgb8).unwrap()
    }

    fn sway(frames: u32) -> Motion {
        Motion {
            kind: MotionKind::Sway,
            frames,
        }
    }

    #[test]
    fn the_sequence_has_the_frames_asked_for_each_different_and_timed() {
        let mut source = MotionSource::new(gradient(200, 160), sway(12));
        assert_eq!(source.frame_count_hint(), Some(12));
        assert!(!source.is_independent_stills());
        let mut frames = Vec::new();
        while let Some(frame) = source.next_frame().unwrap() {
            assert_eq!(frame.index, frames.len() as u64);
            assert!((frame.time_s - frame.index as f64 / 30.0).abs() < 1e-9);
            assert_eq!((frame.frame.width(), frame.frame.height()), (200, 160));
            frames.push(frame.frame);
        }
        assert_eq!(frames.len(), 12);
        for (index, pair) in frames.windows(2).enumerate() {
            assert_ne!(
                pair[0],
                pair[1],
                "frames {index} and {} are the same",
                index + 1
            );
        }
    }

    #[test]
    fn the_same_still_gives_the_same_bytes() {
        let still = gradient(64, 48);
        let first: Vec<Frame> = std::iter::from_fn({
            let mut source = MotionSource::new(still.clone(), sway(5));
            move || source.next_frame().unwrap().map(|frame| frame.frame)
        })
        .collect();
        let mut again = MotionSource::new(still, sway(5));
        for frame in first {
            assert_eq!(again.next_frame().unwrap().unwrap().frame, frame);
        }
    }

    #[test]
    fn the_centre_moves_by_the_poses_shift_and_the_picture_turns() {
        let (width, height) = (200u32, 160u32);
        let still = gradient(width, height);
        let count = 40;
        for index in [0, 7, 23] {
            let pose = CameraPose::sway(index, count);
            let frame = MotionSource::new(still.clone(), sway(count)).render(index);
            // The still's centre lands at the frame's centre plus the shift.
            let centre = ((width as f32 - 1.0) / 2.0, (height as f32 - 1.0) / 2.0);
            let x = (centre.0 + pose.shift[0] * width as f32).round() as u32;
            let y = (centre.1 + pose.shift[1] * height as f32).round() as u32;
            let [red, green, _] = frame.view().rgb(x, y);
            assert!(
                (f32::from(red) - centre.0).abs() <= 1.5
                    && (f32::from(green) - centre.1).abs() <= 1.5,
                "frame {index}: the still's centre is at ({red}, {green}) instead of {centre:?}"
            );
            // Along an output row, the still's row changes by the turn's slope over the zoom.
            let step = 20;
            let [_, left_row, _] = frame.view().rgb(x - step, y);
            let [_, right_row, _] = frame.view().rgb(x + step, y);
            let slope = (f32::from(right_row) - f32::from(left_row)) / (2 * step) as f32;
            let expected = (-pose.turn).sin() / pose.zoom;
            assert!(
                (slope - expected).abs() < 0.03,
                "frame {index}: slope {slope} for a turn of {:.1}° (expected {expected})",
                pose.turn.to_degrees()
            );
        }
    }

    #[test]
    fn the_sway_stays_within_its_stated_range() {
        for index in 0..100 {
            let pose = CameraPose::sway(index, 100);
            assert!(pose.shift[0].abs() <= 0.06 && pose.shift[1].abs() <= 0.04);
            assert!(pose.turn.abs() <= 8f32.to_radians() + 1e-6);
            assert!((1.04..=1.20).contains(&pose.zoom));
        }
    }
}
