//! Unit tests of starting and stopping a [`BundleWatcher`]; the watching itself is tested
//! with real files in `runtime/tests/bundle_watch.rs`.

use super::*;
use lensmith_testkit::TempDir;

const DEBOUNCE: Duration = Duration::from_millis(50);

#[test]
fn the_watcher_can_move_to_a_worker_thread() {
    fn check<T: Send>() {}
    check::<BundleWatcher>();
    check::<WatchError>();
}

#[test]
fn a_missing_bundle_is_refused_with_its_path() {
    let dir = TempDir::new("watch-missing");
    let missing = dir.join("no-such-bundle");
    let error = BundleWatcher::new(&missing, DEBOUNCE).expect_err("nothing to watch");
    assert!(matches!(error, WatchError::Open { .. }), "{error:?}");
    assert!(error.to_string().contains("no-such-bundle"), "{error}");
}

#[test]
fn a_file_that_is_not_a_packed_bundle_is_refused() {
    let dir = TempDir::new("watch-not-bundle");
    let file = dir.join("notes.txt");
    std::fs::write(&file, "x").expect("the temporary folder is writable");
    let error = BundleWatcher::new(&file, DEBOUNCE).expect_err("not a bundle");
    assert_eq!(error, WatchError::NotABundle { path: file });
    assert!(error.to_string().contains("notes.txt"), "{error}");
}

/// The only unit test that starts a real watcher, so that counting this process's notify
/// threads is not thrown off by another test running at the same time. Integration tests
/// run in their own process.
#[test]
fn dropping_the_watcher_ends_its_threads() {
    if !cfg!(target_os = "linux") {
        println!("skipped: counting threads by name reads /proc, which only Linux has");
        return;
    }
    let dir = TempDir::new("watch-drop");
    std::fs::write(dir.join("effect.toml"), "").expect("the temporary folder is writable");
    let before = notify_threads();
    let watcher = BundleWatcher::new(dir.path(), DEBOUNCE).expect("the folder can be watched");
    assert_eq!(watcher.bundle(), dir.path());
    assert!(
        notify_threads() > before,
        "the watcher runs threads of its own"
    );
    drop(watcher);
    // The debouncer's thread is joined by the drop; the inotify thread ends on a message,
    // so give it time on a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(10);
    while notify_threads() > before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(notify_threads(), before, "every notify thread ended");
}

/// How many of this process's threads notify started (named `notify-rs ...`, which Linux
/// cuts to 15 bytes).
fn notify_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.starts_with("notify-rs"))
        })
        .count()
}
