//! Video4Linux2 capture: the device opened and set to `YUYV` (or `MJPG`) at about
//! [`CAMERA_SIZE`], a thread streaming its buffers through mmap and keeping the newest
//! frame as RGB.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use effect_api::{Frame, PixelFormat};
use v4l::buffer::Type;
use v4l::io::mmap::Stream;
use v4l::io::traits::CaptureStream;
use v4l::video::Capture;
use v4l::video::capture::Parameters;
use v4l::{Device, Format, FourCC};

use super::{CAMERA_RATE, CAMERA_SIZE, CameraSpec, camera_error};
use crate::video::yuyv::yuyv_to_rgb;
use crate::video::{FrameSource, SourceFrame, VideoError};

/// How long `next_frame` waits for the camera before giving up.
const FRAME_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the capture thread looks at its stop flag while the camera is silent.
const POLL_TIMEOUT: Duration = Duration::from_millis(500);
/// Buffers the driver fills in turn.
const BUFFERS: u32 = 4;
/// Unreadable frames in a row after which capture gives up (webcams send a damaged MJPG
/// frame now and then; that one is skipped).
const BAD_FRAMES_IN_A_ROW: u32 = 30;

/// The two pixel formats read.
const YUYV: [u8; 4] = *b"YUYV";
const MJPG: [u8; 4] = *b"MJPG";

/// What the capture thread leaves for the reader.
#[derive(Default)]
struct Slot {
    /// Counts the frames captured.
    sequence: u64,
    frame: Option<Frame>,
    /// Why capture stopped, once it has.
    failure: Option<String>,
}

struct Shared {
    slot: Mutex<Slot>,
    fresh: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // The capture thread never panics while holding the lock; a poisoned slot still
        // holds a whole frame.
        self.slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A live camera; dropping it stops the capture.
pub struct CameraSource {
    spec: CameraSpec,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    size: (u32, u32),
    rate: f64,
    last_sequence: u64,
    index: u64,
}

impl std::fmt::Debug for CameraSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CameraSource")
            .field("camera", &self.spec.describe())
            .field("size", &self.size)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl CameraSource {
    /// Opens the camera, agrees a format with its driver and starts capturing.
    pub fn open(spec: &CameraSpec) -> Result<Self, VideoError> {
        let device = match spec {
            CameraSpec::Index(index) => Device::new(*index),
            CameraSpec::Device(path) => Device::with_path(path),
        }
        .map_err(|error| {
            camera_error(
                spec,
                format!(
                    "cannot open it: {error}; is a camera connected and may this user use it (group `video`)? `v4l2-ctl --list-devices` lists them"
                ),
            )
        })?;
        let format = agree_format(&device, spec)?;
        // Not every driver lets the rate be set; the rate it reports is used either way.
        let _ = device.set_params(&Parameters::with_fps(CAMERA_RATE));
        let rate = device
            .params()
            .ok()
            .filter(|params| params.interval.numerator > 0)
            .map(|params| {
                f64::from(params.interval.denominator) / f64::from(params.interval.numerator)
            })
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            .unwrap_or(f64::from(CAMERA_RATE));
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            fresh: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("lensmith-camera".to_owned())
            .spawn(move || capture(&device, format, &thread_shared))
            .map_err(|error| camera_error(spec, format!("cannot start its thread: {error}")))?;
        Ok(Self {
            spec: spec.clone(),
            shared,
            thread: Some(thread),
            size: (format.width, format.height),
            rate,
            last_sequence: 0,
            index: 0,
        })
    }
}

/// Asks for `YUYV` at [`CAMERA_SIZE`], then `MJPG`; the format the driver granted.
fn agree_format(device: &Device, spec: &CameraSpec) -> Result<Format, VideoError> {
    let current = device
        .format()
        .map_err(|error| camera_error(spec, format!("cannot read its format: {error}")))?;
    for fourcc in [YUYV, MJPG] {
        let wanted = Format {
            width: CAMERA_SIZE.0,
            height: CAMERA_SIZE.1,
            fourcc: FourCC::new(&fourcc),
            ..current
        };
        if let Ok(granted) = device.set_format(&wanted)
            && granted.fourcc.repr == fourcc
        {
            return Ok(granted);
        }
    }
    let offered: Vec<String> = device
        .enum_formats()
        .map(|formats| {
            formats
                .iter()
                .map(|format| format.fourcc.to_string())
                .collect()
        })
        .unwrap_or_default();
    Err(camera_error(
        spec,
        format!(
            "it offers neither YUYV nor MJPG (it offers: {}); convert it with a v4l2loopback device",
            offered.join(", ")
        ),
    ))
}

/// The capture thread: streams buffers until told to stop or the device fails.
fn capture(device: &Device, format: Format, shared: &Shared) {
    let failure = match stream_frames(device, format, shared) {
        Ok(()) => return,
        Err(reason) => reason,
    };
    shared.lock().failure = Some(failure);
    shared.fresh.notify_all();
}

fn stream_frames(device: &Device, format: Format, shared: &Shared) -> Result<(), String> {
    let mut stream = Stream::with_buffers(device, Type::VideoCapture, BUFFERS)
        .map_err(|error| format!("cannot map its buffers: {error}"))?;
    stream.set_timeout(POLL_TIMEOUT);
    let mut bad_in_a_row = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        let (buffer, metadata) = match stream.next() {
            Ok(captured) => captured,
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(error) => return Err(format!("capture failed: {error}")),
        };
        let used = (metadata.bytesused as usize).min(buffer.len());
        let frame = match to_frame(&buffer[..used], format) {
            Ok(frame) => {
                bad_in_a_row = 0;
                frame
            }
            Err(reason) if bad_in_a_row + 1 >= BAD_FRAMES_IN_A_ROW => {
                return Err(format!(
                    "{BAD_FRAMES_IN_A_ROW} frames in a row were unreadable: {reason}"
                ));
            }
            Err(_) => {
                bad_in_a_row += 1;
                continue;
            }
        };
        let mut slot = shared.lock();
        slot.sequence += 1;
        slot.frame = Some(frame);
        drop(slot);
        shared.fresh.notify_all();
    }
    Ok(())
}

/// One captured buffer as an RGB frame.
fn to_frame(data: &[u8], format: Format) -> Result<Frame, String> {
    let (width, height) = (format.width, format.height);
    let rgb = if format.fourcc.repr == YUYV {
        yuyv_to_rgb(data, width, height, format.stride as usize).ok_or_else(|| {
            format!(
                "a YUYV buffer of {} bytes is too short for {width}×{height} (stride {})",
                data.len(),
                format.stride
            )
        })?
    } else {
        let decoded = image::load_from_memory_with_format(data, image::ImageFormat::Jpeg)
            .map_err(|error| format!("a MJPG frame could not be decoded: {error}"))?
            .to_rgb8();
        if decoded.dimensions() != (width, height) {
            return Err(format!(
                "a MJPG frame is {:?}, not the {width}×{height} agreed",
                decoded.dimensions()
            ));
        }
        decoded.into_raw()
    };
    Frame::from_packed(rgb, width, height, PixelFormat::Rgb8).map_err(|error| error.to_string())
}

impl FrameSource for CameraSource {
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, VideoError> {
        let slot = self.shared.lock();
        let (mut slot, timeout) = self
            .shared
            .fresh
            .wait_timeout_while(slot, FRAME_TIMEOUT, |slot| {
                slot.sequence <= self.last_sequence && slot.failure.is_none()
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(failure) = &slot.failure {
            return Err(camera_error(&self.spec, failure.clone()));
        }
        if timeout.timed_out() {
            return Err(camera_error(
                &self.spec,
                format!(
                    "no frame for {} s; is it in use by another program?",
                    FRAME_TIMEOUT.as_secs()
                ),
            ));
        }
        self.last_sequence = slot.sequence;
        let frame = slot.frame.take().ok_or_else(|| {
            camera_error(&self.spec, "a newer frame was announced but is missing")
        })?;
        drop(slot);
        let index = self.index;
        self.index += 1;
        Ok(Some(SourceFrame {
            frame,
            index,
            time_s: index as f64 / self.rate,
            name: format!("frame {index}"),
        }))
    }

    fn frame_rate(&self) -> f64 {
        self.rate
    }

    fn size_hint(&self) -> Option<(u32, u32)> {
        Some(self.size)
    }

    fn is_independent_stills(&self) -> bool {
        false
    }

    fn is_live(&self) -> bool {
        true
    }
}

impl Drop for CameraSource {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // It looks at the flag at least every POLL_TIMEOUT.
            let _ = thread.join();
        }
    }
}
