//! What the host offers a plugin through [`abi::HostTable`]: a log that keeps the latest
//! messages for the host application to show, and a monotonic clock.

use std::collections::VecDeque;
use std::ffi::c_void;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use effect_api::plugin::{LogLevel, abi};

/// Messages kept before the oldest are dropped.
const LOG_CAPACITY: usize = 256;

/// One message a plugin logged.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginLogRecord {
    /// The layer whose instance wrote it.
    pub layer: String,
    /// How much it matters.
    pub level: LogLevel,
    /// The text.
    pub message: String,
}

/// The plugins' log, shared by every instance of a player: the newest messages, oldest
/// first, until the host takes them.
#[derive(Debug, Clone, Default)]
pub struct PluginLog {
    records: Arc<Mutex<VecDeque<PluginLogRecord>>>,
}

impl PluginLog {
    /// Takes every message logged since the last call.
    pub fn drain(&self) -> Vec<PluginLogRecord> {
        match self.records.lock() {
            Ok(mut records) => records.drain(..).collect(),
            Err(poisoned) => poisoned.into_inner().drain(..).collect(),
        }
    }

    fn push(&self, record: PluginLogRecord) {
        let mut records = match self.records.lock() {
            Ok(records) => records,
            Err(poisoned) => poisoned.into_inner(),
        };
        if records.len() == LOG_CAPACITY {
            records.pop_front();
        }
        records.push_back(record);
    }
}

/// The state behind one instance's host table; boxed so that its address, which the
/// plugin holds as the callbacks' context, never moves.
#[derive(Debug)]
pub(super) struct HostContext {
    layer: String,
    log: PluginLog,
}

impl HostContext {
    pub(super) fn new(layer: &str, log: PluginLog) -> Box<Self> {
        Box::new(Self {
            layer: layer.to_owned(),
            log,
        })
    }

    /// The table to hand the plugin; valid while `self` is (it lives in a box, so its
    /// address does not change).
    pub(super) fn table(&self) -> abi::HostTable {
        abi::HostTable {
            size: std::mem::size_of::<abi::HostTable>() as u32,
            context: (self as *const Self).cast_mut().cast::<c_void>(),
            log: Some(log),
            time_s: Some(time_s),
        }
    }
}

/// # Safety
/// `context` must be a live [`HostContext`] (the table's), `message` valid for the call.
unsafe extern "C" fn log(context: *mut c_void, level: u32, message: abi::StrRef) {
    // A panic must not unwind into the plugin; a lost log line is the worst outcome.
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: the caller's promise; the context is only read.
        let Some(context) = (unsafe { context.cast::<HostContext>().as_ref() }) else {
            return;
        };
        let text = if message.ptr.is_null() || message.len == 0 {
            String::new()
        } else {
            // SAFETY: the caller's promise.
            let bytes = unsafe { std::slice::from_raw_parts(message.ptr, message.len) };
            String::from_utf8_lossy(bytes).into_owned()
        };
        let level = match level {
            abi::LOG_ERROR => LogLevel::Error,
            abi::LOG_WARN => LogLevel::Warn,
            abi::LOG_INFO => LogLevel::Info,
            _ => LogLevel::Debug,
        };
        context.log.push(PluginLogRecord {
            layer: context.layer.clone(),
            level,
            message: text,
        });
    });
}

/// # Safety
/// Any context: the clock is the process's.
unsafe extern "C" fn time_s(_context: *mut c_void) -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}
