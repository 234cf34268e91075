//! A second pair of hands: one long-lived thread that does half of a job while the
//! calling thread does the other half ([`HelperThread::join`]).
//!
//! Splitting a frame's pixel work (drawing a face model's patch, converting a camera
//! buffer) over two cores saves milliseconds a frame, but starting a thread for it costs
//! tens of microseconds and allocates, and a live frame must allocate nothing. So the
//! thread is started once, with whatever owns it, and sleeps on a condition variable
//! between jobs; handing it a job and waiting for it allocate nothing.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

/// One helper thread, stopped and joined when this is dropped.
pub struct HelperThread {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for HelperThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelperThread").finish_non_exhaustive()
    }
}

/// What the two threads share.
#[derive(Default)]
struct Shared {
    slot: Mutex<Slot>,
    /// Signalled when a job is posted or the helper is asked to stop.
    posted: Condvar,
    /// Signalled when the helper has finished a job.
    finished: Condvar,
}

#[derive(Default)]
struct Slot {
    job: Option<Job>,
    /// Set by the helper when the posted job has returned (or panicked).
    done: bool,
    /// The panic of the last job, if it panicked, for the caller to resume.
    panic: Option<Box<dyn std::any::Any + Send>>,
    stop: bool,
}

/// A job posted to the helper: a closure on the caller's stack, with its lifetime erased.
struct Job(*mut (dyn FnMut() + Send + 'static));

// SAFETY: the closure behind the pointer is `Send`, and `HelperThread::join` keeps it alive
// and untouched by the caller until the helper reports it done.
unsafe impl Send for Job {}

impl HelperThread {
    /// Starts the helper thread, named `name` (as debuggers and `top -H` show it).
    pub fn spawn(name: &str) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || serve(&theirs))?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// A helper when this machine has a second core to run it on, else `None` (a second
    /// thread on one core only adds switching).
    pub fn for_this_machine(name: &str) -> Option<Self> {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        if cores < 2 {
            return None;
        }
        Self::spawn(name).ok()
    }

    /// Runs `here` on this thread and `there` on the helper at the same time, and returns
    /// `here`'s result once both have finished. A panic in either half is resumed here,
    /// after both halves have stopped.
    pub fn join<R>(&mut self, here: impl FnOnce() -> R, there: impl FnOnce() + Send) -> R {
        let mut there = Some(there);
        let mut call = move || {
            if let Some(there) = there.take() {
                there();
            }
        };
        let job: &mut (dyn FnMut() + Send + '_) = &mut call;
        // SAFETY: only the lifetime is changed. The helper calls the closure at most once,
        // and `WaitForHelper` below does not let this function return or unwind past this
        // frame (where `call` lives) until the helper has reported the job done.
        let job: *mut (dyn FnMut() + Send + 'static) = unsafe { std::mem::transmute(job) };
        {
            let mut slot = lock(&self.shared.slot);
            slot.job = Some(Job(job));
            slot.done = false;
        }
        self.shared.posted.notify_one();
        let waiting = WaitForHelper {
            shared: &self.shared,
        };
        let result = here();
        if let Some(panic) = waiting.wait() {
            resume_unwind(panic);
        }
        result
    }
}

impl Drop for HelperThread {
    fn drop(&mut self) {
        lock(&self.shared.slot).stop = true;
        self.shared.posted.notify_one();
        if let Some(thread) = self.thread.take() {
            // The helper catches its jobs' panics, so joining it cannot fail for one.
            let _ = thread.join();
        }
    }
}

/// Waits for the posted job to finish, when asked or when dropped (so that a panic on
/// the calling thread cannot free the job's closure while the helper runs it).
struct WaitForHelper<'a> {
    shared: &'a Shared,
}

impl WaitForHelper<'_> {
    /// Waits, and hands over the job's panic, if it panicked.
    fn wait(self) -> Option<Box<dyn std::any::Any + Send>> {
        let panic = self.wait_for_done();
        std::mem::forget(self);
        panic
    }

    fn wait_for_done(&self) -> Option<Box<dyn std::any::Any + Send>> {
        let mut slot = lock(&self.shared.slot);
        while !slot.done {
            slot = self
                .shared
                .finished
                .wait(slot)
                .unwrap_or_else(PoisonError::into_inner);
        }
        slot.panic.take()
    }
}

impl Drop for WaitForHelper<'_> {
    fn drop(&mut self) {
        // Unwinding already: the job's own panic, if any, is dropped.
        drop(self.wait_for_done());
    }
}

/// The helper's loop: take a job, run it, report it done; until asked to stop.
fn serve(shared: &Shared) {
    loop {
        let job = {
            let mut slot = lock(&shared.slot);
            loop {
                if let Some(job) = slot.job.take() {
                    break job;
                }
                if slot.stop {
                    return;
                }
                slot = shared
                    .posted
                    .wait(slot)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        // SAFETY: `HelperThread::join` keeps the closure alive, and does not touch it,
        // until `done` is set below.
        let outcome = catch_unwind(AssertUnwindSafe(|| unsafe { (*job.0)() }));
        let mut slot = lock(&shared.slot);
        slot.panic = outcome.err();
        slot.done = true;
        drop(slot);
        shared.finished.notify_one();
    }
}

/// The slot, even if a thread panicked while holding the lock (the slot's fields are
/// always consistent: each is written in one statement).
fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_run_and_see_their_own_borrows() {
        let mut helper = HelperThread::spawn("test-helper").unwrap();
        let mut data = vec![0u32; 1000];
        for round in 1..=50u32 {
            let (left, right) = data.split_at_mut(500);
            let sum = helper.join(
                || {
                    left.iter_mut().for_each(|value| *value += round);
                    left.iter().sum::<u32>()
                },
                || right.iter_mut().for_each(|value| *value += 2 * round),
            );
            assert_eq!(sum, 500 * (1..=round).sum::<u32>());
        }
        assert!(data[..500].iter().all(|&v| v == 1275));
        assert!(data[500..].iter().all(|&v| v == 2550));
    }

    #[test]
    fn the_helpers_half_runs_on_another_thread() {
        let mut helper = HelperThread::spawn("test-helper").unwrap();
        let mut there = None;
        let here = helper.join(
            || std::thread::current().id(),
            || there = Some(std::thread::current().id()),
        );
        assert_eq!(here, std::thread::current().id());
        assert!(there.is_some_and(|id| id != here));
    }

    #[test]
    fn a_panic_on_the_helper_reaches_the_caller_and_the_helper_keeps_working() {
        let mut helper = HelperThread::spawn("test-helper").unwrap();
        let caught = catch_unwind(AssertUnwindSafe(|| {
            helper.join(|| (), || panic!("the helper's half failed"))
        }));
        let message = caught.unwrap_err();
        assert_eq!(
            message.downcast_ref::<&str>(),
            Some(&"the helper's half failed")
        );
        let mut ran = false;
        helper.join(|| (), || ran = true);
        assert!(ran);
    }

    #[test]
    fn a_panic_here_waits_for_the_helpers_half_first() {
        let mut helper = HelperThread::spawn("test-helper").unwrap();
        let mut finished = false;
        let caught = catch_unwind(AssertUnwindSafe(|| {
            helper.join(
                || panic!("this half failed"),
                || {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    finished = true;
                },
            )
        }));
        assert!(caught.is_err());
        assert!(
            finished,
            "the helper's half ran to its end before the unwind went on"
        );
    }
}
