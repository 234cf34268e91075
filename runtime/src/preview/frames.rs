//! The preview's source frames: decoded once and kept (within a memory limit) so that
//! looping and scrubbing cost nothing; a frame not kept is decoded again, from the start of
//! the source when it lies behind the decoder. A live source (a camera) keeps only its
//! newest frame.

use std::path::PathBuf;
use std::sync::Arc;

use effect_api::Frame;

use crate::video::{FrameSource, VideoError, open_source};

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
            return Ok(Some(stored.clone()));
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
