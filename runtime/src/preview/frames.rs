//! The preview's source frames: decoded once and kept (within a memory limit) so that
//! looping and scrubbing cost nothing; a frame not kept is decoded again, from the start of
//! the source when it lies behind the decoder. While kept frames play, the decoder reads
//! ahead towards the next frame that is not kept, a few frames each time, so a clip longer
//! than the memory limit loops without stalling there. A live source (a camera) keeps only
//! its newest frame.

use std::path::PathBuf;
use std::sync::Arc;

use effect_api::Frame;

use crate::video::{FrameSource, VideoError, open_source};

/// Frames the decoder reads ahead each time a kept frame is served: enough to reach the
/// next frame not kept well before playback does (it passes kept frames one at a time).
const READ_AHEAD_FRAMES: usize = 3;

/// One source frame, as the player takes it and as a screen shows it.
#[derive(Debug, Clone)]
pub(super) struct StoredFrame {
    /// RGB8, for the player.
    pub frame: Arc<Frame>,
    /// RGBA8, for display.
    pub rgba: Arc<Vec<u8>>,
}

/// The source's frames by index.
pub(super) struct FrameStore {
    path: PathBuf,
    source: Box<dyn FrameSource>,
    next_index: u64,
    kept: Vec<Option<StoredFrame>>,
    kept_bytes: usize,
    memory_limit: usize,
    length: Option<u64>,
    /// A live source's newest frame and the index it was given.
    live_frame: Option<(u64, StoredFrame)>,
}

impl FrameStore {
    /// Opens the source at `path`.
    pub(super) fn open(path: PathBuf, memory_limit: usize) -> Result<Self, VideoError> {
        let source = open_source(&path)?;
        Ok(Self {
            path,
            source,
            next_index: 0,
            kept: Vec::new(),
            kept_bytes: 0,
            memory_limit,
            length: None,
            live_frame: None,
        })
    }

    /// Frames per second.
    pub(super) fn frame_rate(&self) -> f64 {
        self.source.frame_rate()
    }

    /// Whether frames are unrelated stills.
    pub(super) fn is_independent_stills(&self) -> bool {
        self.source.is_independent_stills()
    }

    /// How many frames the source has, once its end has been reached.
    pub(super) fn length(&self) -> Option<u64> {
        self.length
    }

    /// How many frames the source says it has, before its end is reached.
    pub(super) fn length_hint(&self) -> Option<u64> {
        self.source.frame_count_hint()
    }

    /// Whether the source is a live camera.
    pub(super) fn is_live(&self) -> bool {
        self.source.is_live()
    }

    /// Frame `index`, or `None` past the end. A live source gives its next frame for an
    /// index it has not given yet, and its newest again for the same index.
    pub(super) fn get(&mut self, index: u64) -> Result<Option<StoredFrame>, VideoError> {
        if self.source.is_live() {
            return self.live(index);
        }
        if let Some(Some(stored)) = self.kept.get(index as usize) {
            let stored = stored.clone();
            self.read_ahead(index)?;
            return Ok(Some(stored));
        }
        if self.length.is_some_and(|length| index >= length) {
            return Ok(None);
        }
        if index < self.next_index {
            self.source = open_source(&self.path)?;
            self.next_index = 0;
        }
        loop {
            let Some(decoded) = self.source.next_frame()? else {
                self.length = Some(self.next_index);
                return Ok(None);
            };
            let position = self.next_index;
            self.next_index += 1;
            if position != index && !self.would_keep(position) {
                // Only passing by: converting it would be wasted.
                continue;
            }
            let stored = StoredFrame {
                rgba: Arc::new(to_rgba(&decoded.frame)),
                frame: Arc::new(decoded.frame),
            };
            self.keep(position, &stored);
            if position == index {
                return Ok(Some(stored));
            }
        }
    }

    fn live(&mut self, index: u64) -> Result<Option<StoredFrame>, VideoError> {
        if let Some((known, stored)) = &self.live_frame
            && *known == index
        {
            return Ok(Some(stored.clone()));
        }
        let Some(decoded) = self.source.next_frame()? else {
            return Ok(None);
        };
        let stored = StoredFrame {
            rgba: Arc::new(to_rgba(&decoded.frame)),
            frame: Arc::new(decoded.frame),
        };
        self.live_frame = Some((index, stored.clone()));
        Ok(Some(stored))
    }

    /// Whether frame `position` would be kept if decoded now (it is not yet, and there is
    /// room).
    fn would_keep(&self, position: u64) -> bool {
        let taken = self
            .kept
            .get(position as usize)
            .is_some_and(Option::is_some);
        let frame_bytes = self
            .kept
            .iter()
            .flatten()
            .next()
            .map_or(0, |stored| stored.frame.data().len() + stored.rgba.len());
        !taken && self.kept_bytes + frame_bytes <= self.memory_limit
    }

    /// The first frame after `served` that is not kept, when it is known to exist.
    fn next_missing(&self, served: u64) -> Option<u64> {
        let end = self.length.unwrap_or(self.kept.len() as u64);
        (served + 1..end)
            .find(|&position| self.kept.get(position as usize).is_none_or(Option::is_none))
    }

    /// Moves the decoder a few frames towards the next frame after `served` that is not
    /// kept (starting it again first if it is already past that frame).
    fn read_ahead(&mut self, served: u64) -> Result<(), VideoError> {
        let Some(target) = self.next_missing(served) else {
            return Ok(());
        };
        if self.next_index > target {
            self.source = open_source(&self.path)?;
            self.next_index = 0;
        }
        for _ in 0..READ_AHEAD_FRAMES {
            if self.next_index >= target {
                break;
            }
            if self.source.next_frame()?.is_none() {
                self.length = Some(self.next_index);
                break;
            }
            self.next_index += 1;
        }
        Ok(())
    }

    /// Keeps `stored` as frame `position` while the memory limit allows.
    fn keep(&mut self, position: u64, stored: &StoredFrame) {
        let bytes = stored.frame.data().len() + stored.rgba.len();
        if self.kept_bytes + bytes > self.memory_limit {
            return;
        }
        let slot = position as usize;
        if self.kept.len() <= slot {
            self.kept.resize(slot + 1, None);
        }
        if self.kept[slot].is_none() {
            self.kept[slot] = Some(stored.clone());
            self.kept_bytes += bytes;
        }
    }
}

/// RGB8 or RGBA8 pixels as opaque RGBA8.
pub(super) fn to_rgba(frame: &Frame) -> Vec<u8> {
    let channels = frame.format().bytes_per_pixel();
    let mut rgba = Vec::with_capacity(frame.width() as usize * frame.height() as usize * 4);
    for pixel in frame.data().chunks_exact(channels) {
        rgba.extend_from_slice(&[pixel[0], pixel[1], pixel[2], 255]);
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::create_sink;

    /// A Y4M clip of `frames` 8×8 grey frames, frame N at level 20·N.
    fn grey_clip(path: &std::path::Path, frames: u8) {
        let mut sink = create_sink(path, 25.0).unwrap();
        for index in 0..frames {
            let level = 20 * index;
            sink.write_frame(Frame::filled(8, 8, [level; 3]).unwrap().view())
                .unwrap();
        }
        sink.finish().unwrap();
    }

    #[test]
    fn a_clip_longer_than_the_memory_limit_loops_without_starting_over_at_the_gap() {
        let dir = lensmith_testkit::TempDir::new("preview-read-ahead");
        let path = dir.join("clip.y4m");
        grey_clip(&path, 12);
        let frame_bytes = 8 * 8 * 3 + 8 * 8 * 4;
        let mut store = FrameStore::open(path, 5 * frame_bytes).unwrap();
        for index in 0..12 {
            assert!(store.get(index).unwrap().is_some(), "frame {index}");
        }
        assert!(store.get(12).unwrap().is_none());
        assert_eq!(store.length(), Some(12));

        // The second pass plays frames 0..5 from memory while the decoder, started again,
        // reads ahead to frame 5, the first one not kept.
        for index in 0..5 {
            store.get(index).unwrap();
        }
        assert_eq!(
            store.next_index, 5,
            "the decoder waits at the first frame not kept"
        );
        let fifth = store.get(5).unwrap().unwrap();
        let level = fifth.frame.view().rgb(3, 3)[0];
        assert!(level.abs_diff(100) <= 3, "frame 5 is itself: level {level}");
        assert_eq!(store.next_index, 6);
    }
}
