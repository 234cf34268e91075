//! The bundle watcher against real files: edits, atomic saves, bursts, new folders, junk,
//! packed `.effect` files and a bundle folder that disappears.
//!
//! Waits for events are generous (the machine may be loaded); nothing here asserts that the
//! watcher is fast. Where a test needs the writes to land close together (a burst, a save
//! by rename), it measures how close they landed and only asserts what that allows.

use std::path::Path;
use std::time::{Duration, Instant};

use lensmith_runtime::atomic_file::PendingFile;
use lensmith_runtime::watch::{BundleChange, BundleWatcher, WatchError};
use lensmith_testkit::TempDir;

/// How long to wait for a change that must come: a correctness wait, not a timing claim.
const EVENTUAL: Duration = Duration::from_secs(10);

/// A bundle folder with a manifest and one asset.
fn bundle(dir: &Path) {
    std::fs::create_dir_all(dir.join("assets")).expect("the temporary folder is writable");
    write(
        &dir.join("effect.toml"),
        "[effect]\nid = \"com.example.watch\"\n",
    );
    write(&dir.join("assets/mask.png"), "not really a png");
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
}

fn watch(bundle: &Path, debounce_ms: u64) -> BundleWatcher {
    BundleWatcher::new(bundle, Duration::from_millis(debounce_ms))
        .unwrap_or_else(|error| panic!("watching {} starts: {error}", bundle.display()))
}

/// The next change, which must come.
fn next_change(watcher: &BundleWatcher) -> BundleChange {
    match watcher.wait(EVENTUAL) {
        Ok(Some(change)) => change,
        Ok(None) => panic!("no change within {EVENTUAL:?}"),
        Err(error) => panic!("watching failed: {error}"),
    }
}

/// Every path reported from the next change (which must come) until nothing more comes
/// for half a second: for tests where a loaded machine may split one change in two.
fn paths_until_quiet(watcher: &BundleWatcher) -> Vec<String> {
    let mut paths = next_change(watcher).paths;
    while let Some(change) = watcher
        .wait(Duration::from_millis(500))
        .expect("watching goes on")
    {
        paths.extend(change.paths);
    }
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn editing_the_manifest_in_place_gives_one_change_naming_it() {
    let dir = TempDir::new("watch-edit");
    bundle(dir.path());
    let watcher = watch(dir.path(), 100);
    write(
        &dir.join("effect.toml"),
        "[effect]\nid = \"com.example.edited\"\n",
    );
    let change = next_change(&watcher);
    assert_eq!(change.paths, ["effect.toml"]);
    assert!(change.touches_manifest());
    assert!(!change.touches_plugin_library());
}

#[test]
fn polling_without_blocking_finds_the_change_once_it_settles() {
    let dir = TempDir::new("watch-poll");
    bundle(dir.path());
    let watcher = watch(dir.path(), 100);
    assert_eq!(watcher.try_next(), Ok(None), "nothing changed yet");
    write(&dir.join("assets/mask.png"), "repainted");

    let deadline = Instant::now() + EVENTUAL;
    let change = loop {
        match watcher.try_next() {
            Ok(Some(change)) => break change,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => panic!("no change within {EVENTUAL:?}: {other:?}"),
        }
    };
    assert_eq!(change.paths, ["assets/mask.png"]);
    assert_eq!(watcher.try_next(), Ok(None), "a change is handed out once");
}

#[test]
fn an_atomic_save_names_the_file_it_replaced() {
    let dir = TempDir::new("watch-atomic-save");
    bundle(dir.path());
    // The debouncer pairs a temporary file with its rename when both land within half the
    // debounce time.
    let debounce = Duration::from_millis(300);
    let watcher = watch(dir.path(), 300);
    let started = Instant::now();
    write(
        &dir.join("effect.toml.tmp"),
        "[effect]\nid = \"com.example.saved\"\n",
    );
    std::fs::rename(dir.join("effect.toml.tmp"), dir.join("effect.toml")).expect("rename");
    let took = started.elapsed();

    let paths = paths_until_quiet(&watcher);
    assert!(paths.contains(&"effect.toml".to_owned()), "{paths:?}");
    if took < debounce / 4 {
        assert_eq!(
            paths,
            ["effect.toml"],
            "the temporary file is never reported"
        );
    } else {
        // The machine stalled between the write and the rename, so the temporary file may
        // have been reported on its own before the rename paired it up.
        println!("write and rename took {took:?}; only checking the names reported");
        assert!(
            paths
                .iter()
                .all(|path| path == "effect.toml" || path == "effect.toml.tmp"),
            "{paths:?}"
        );
    }
}

#[test]
fn a_vim_style_save_names_only_the_file() {
    // vim's default save: probe the folder with a file named 4913, move the original to a
    // `~` backup, write the file afresh, delete the backup.
    let dir = TempDir::new("watch-vim-save");
    bundle(dir.path());
    let watcher = watch(dir.path(), 100);
    write(&dir.join("4913"), "");
    std::fs::remove_file(dir.join("4913")).expect("remove the probe");
    std::fs::rename(dir.join("effect.toml"), dir.join("effect.toml~")).expect("backup");
    write(&dir.join("effect.toml"), "# saved by vim\n");
    std::fs::remove_file(dir.join("effect.toml~")).expect("remove the backup");

    assert_eq!(paths_until_quiet(&watcher), ["effect.toml"]);
}

#[test]
fn the_projects_own_atomic_writes_name_only_the_file() {
    let dir = TempDir::new("watch-pending-file");
    bundle(dir.path());
    let watcher = watch(dir.path(), 100);
    let pending = PendingFile::new(&dir.join("effect.toml"));
    std::fs::write(pending.temp(), "# written atomically\n").expect("write the temporary file");
    pending.commit().expect("rename it into place");

    assert_eq!(paths_until_quiet(&watcher), ["effect.toml"]);
}

#[test]
fn a_burst_of_writes_gives_one_change_holding_every_file() {
    let dir = TempDir::new("watch-burst");
    bundle(dir.path());
    let debounce = Duration::from_millis(100);
    let watcher = watch(dir.path(), 100);
    let mut longest_gap = Duration::ZERO;
    let mut last = Instant::now();
    for round in 0..20 {
        write(&dir.join("effect.toml"), &format!("# round {round}\n"));
        write(&dir.join("assets/mask.png"), &format!("round {round}"));
        std::thread::sleep(Duration::from_millis(5));
        longest_gap = longest_gap.max(last.elapsed());
        last = Instant::now();
    }

    let both = ["assets/mask.png", "effect.toml"];
    if longest_gap < debounce {
        let change = next_change(&watcher);
        assert_eq!(change.paths, both);
        let after = watcher
            .wait(Duration::from_millis(500))
            .expect("watching goes on");
        assert_eq!(after, None, "the burst was reported once");
    } else {
        // The writer stalled for longer than the debounce time: the files really were quiet
        // in between, so more than one change is right.
        println!("writes stalled for {longest_gap:?}; only checking the files reported");
        assert_eq!(paths_until_quiet(&watcher), both);
    }
}

#[test]
fn a_library_in_a_new_folder_is_reported_as_a_plugin_change() {
    let dir = TempDir::new("watch-new-plugin");
    bundle(dir.path());
    let watcher = watch(dir.path(), 100);
    std::fs::create_dir(dir.join("plugins")).expect("create plugins/");
    write(&dir.join("plugins/libx.so"), "not really a library");

    let paths = paths_until_quiet(&watcher);
    assert_eq!(
        paths,
        ["plugins/libx.so"],
        "the folder stands for its files"
    );
    let change = BundleChange { paths };
    assert!(change.touches_plugin_library());
    assert!(!change.touches_manifest());
}

#[test]
fn editor_and_build_junk_gives_no_change() {
    let dir = TempDir::new("watch-junk");
    bundle(dir.path());
    let watcher = watch(dir.path(), 100);
    write(&dir.join(".effect.toml.swp"), "swap");
    std::fs::create_dir_all(dir.join("target/debug")).expect("create target/debug");
    write(&dir.join("target/debug/foo"), "build output");
    write(&dir.join("assets/.DS_Store"), "finder");

    let change = watcher
        .wait(Duration::from_millis(600))
        .expect("watching goes on");
    assert_eq!(change, None, "junk alone is no reason to reload");
    // The junk is not held back either: a real edit afterwards comes alone.
    write(&dir.join("effect.toml"), "# edited\n");
    assert_eq!(next_change(&watcher).paths, ["effect.toml"]);
}

#[test]
fn reading_the_bundle_gives_no_change() {
    // Reloading reads every file; if reads counted, each reload would cause the next.
    let dir = TempDir::new("watch-read");
    bundle(dir.path());
    let watcher = watch(dir.path(), 100);
    for name in ["effect.toml", "assets/mask.png"] {
        std::fs::read(dir.join(name)).expect("the bundle's files can be read");
    }
    let listing = std::fs::read_dir(dir.join("assets")).expect("assets/ can be listed");
    assert_eq!(listing.count(), 1);

    let change = watcher
        .wait(Duration::from_millis(600))
        .expect("watching goes on");
    assert_eq!(change, None, "reading is not changing");
}

#[test]
fn a_packed_bundle_replaced_by_rename_is_reported_and_its_siblings_are_not() {
    let dir = TempDir::new("watch-packed");
    let packed = dir.join("cartoon.effect");
    write(&packed, "archive v1");
    write(&dir.join("other.effect"), "another archive");
    let watcher = watch(&packed, 100);

    write(&dir.join("other.effect"), "another archive, changed");
    write(&dir.join("notes.txt"), "a sibling");
    let change = watcher
        .wait(Duration::from_millis(600))
        .expect("watching goes on");
    assert_eq!(
        change, None,
        "siblings of the watched file are not part of it"
    );

    write(&dir.join("cartoon.effect.part"), "archive v2");
    std::fs::rename(dir.join("cartoon.effect.part"), &packed).expect("rename");
    let change = next_change(&watcher);
    assert_eq!(change.paths, ["cartoon.effect"]);
    assert!(change.touches_manifest(), "an archive holds the manifest");
}

#[test]
fn deleting_the_bundle_folder_is_an_error_naming_it() {
    let dir = TempDir::new("watch-deleted");
    let folder = dir.join("doomed");
    bundle(&folder);
    let watcher = watch(&folder, 100);
    std::fs::remove_dir_all(&folder).expect("delete the bundle");

    // The change to the files inside is moot; the error must come (Linux's inotify reports
    // the folder's own deletion, and the watcher also looks whenever a batch arrives or a
    // wait times out, for platforms that do not).
    let error = wait_for_error(&watcher);
    assert_eq!(
        error,
        WatchError::Gone {
            path: folder.clone()
        }
    );
    assert!(error.to_string().contains("doomed"), "{error}");
    // It stays an error: the operating system's watch went with the folder.
    assert!(watcher.try_next().is_err());
}

#[test]
fn moving_the_bundle_folder_away_is_an_error_naming_it() {
    let dir = TempDir::new("watch-moved");
    let folder = dir.join("wanderer");
    bundle(&folder);
    let watcher = watch(&folder, 100);
    std::fs::rename(&folder, dir.join("elsewhere")).expect("move the bundle away");

    let error = wait_for_error(&watcher);
    assert_eq!(error, WatchError::Gone { path: folder });
}

/// The error that waiting ends in, allowing a change or two first.
fn wait_for_error(watcher: &BundleWatcher) -> WatchError {
    let deadline = Instant::now() + EVENTUAL;
    while Instant::now() < deadline {
        if let Err(error) = watcher.wait(Duration::from_millis(500)) {
            return error;
        }
    }
    panic!("no error within {EVENTUAL:?}");
}
