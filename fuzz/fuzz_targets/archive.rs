//! Any bytes as a `.effect` archive: reading must refuse or verify, never panic, reading
//! the same bytes from memory must give exactly what reading the file gives, and
//! unpacking must leave nothing behind when it refuses.
#![no_main]

use lensmith_runtime::bundle::archive::{self, ArchiveLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("lensmith-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.effect");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = ArchiveLimits::default();
    let read = archive::read(&path, &limits);
    // Labelled with the file's path, the memory read must match to the last error field.
    assert_eq!(
        archive::read_bytes(data, &path, &limits),
        read,
        "reading from memory and from the file disagree"
    );
    let destination = dir.join("unpacked");
    let _ = std::fs::remove_dir_all(&destination);
    let unpacked = archive::unpack(&path, &destination, &limits);
    assert_eq!(read.is_ok(), unpacked.is_ok(), "read and unpack disagree");
    if unpacked.is_err() {
        assert!(
            !destination.exists(),
            "a refused unpack left {}",
            destination.display()
        );
    }
    let _ = std::fs::remove_dir_all(&destination);
});
