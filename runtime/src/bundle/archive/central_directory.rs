//! A minimal, independent read of a zip's central directory: the raw name of every entry,
//! in order. The `zip` crate keys entries by name and silently keeps one of two entries
//! with the same name; this read sees all of them, so duplicates are refused rather than
//! hidden, and the entry count is checked before the crate allocates anything. It reads
//! from any seekable source, so a file and a buffer in memory get the same checks.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::super::BundleError;

/// The fixed part of the end of central directory record.
const END_RECORD_BYTES: usize = 22;
/// The fixed part of a central directory file header.
const HEADER_BYTES: usize = 46;
/// The largest central directory read: thousands of entries take well under a megabyte.
const MAX_DIRECTORY_BYTES: u32 = 16 << 20;
const END_SIGNATURE: &[u8; 4] = b"PK\x05\x06";
const HEADER_SIGNATURE: &[u8; 4] = b"PK\x01\x02";

/// The raw names of the entries of the zip in `source` (named `path` in messages: its
/// file, or the label of a buffer), in central directory order. Refuses sources that are
/// not a plain, single-part zip starting at byte 0, ZIP64 archives, and more than
/// `max_entries` entries.
pub(super) fn entry_names<R: Read + Seek>(
    source: &mut R,
    path: &Path,
    max_entries: u64,
) -> Result<Vec<Vec<u8>>, BundleError> {
    let not_zip = |reason: String| BundleError::NotAnArchive {
        path: path.to_owned(),
        reason,
    };
    let io = |error: std::io::Error| BundleError::io("read", path, error);
    let length = source.seek(SeekFrom::End(0)).map_err(io)?;
    if length < END_RECORD_BYTES as u64 {
        return Err(not_zip(format!(
            "it is {length} bytes long, too short for a zip"
        )));
    }
    // The end record sits at the very end, followed only by a comment of up to 64 KiB.
    let tail_length = length.min((END_RECORD_BYTES + usize::from(u16::MAX)) as u64);
    let tail_start = length - tail_length;
    let mut tail = vec![0; tail_length as usize];
    source.seek(SeekFrom::Start(tail_start)).map_err(io)?;
    source.read_exact(&mut tail).map_err(io)?;
    let end = (0..=tail.len() - END_RECORD_BYTES)
        .rev()
        .find(|&at| {
            &tail[at..at + 4] == END_SIGNATURE
                && usize::from(u16_at(&tail, at + 20)) == tail.len() - at - END_RECORD_BYTES
        })
        .ok_or_else(|| {
            not_zip("it has no end-of-archive record: it is truncated or not a zip".into())
        })?;
    let record = &tail[end..end + END_RECORD_BYTES];
    let (disk, directory_disk) = (u16_at(record, 4), u16_at(record, 6));
    let (on_disk, count) = (u16_at(record, 8), u16_at(record, 10));
    let (size, offset) = (u32_at(record, 12), u32_at(record, 16));
    if count == u16::MAX || size == u32::MAX || offset == u32::MAX {
        return Err(not_zip(
            "it is a ZIP64 archive, which bundles never need (they stay far below 4 GiB)".into(),
        ));
    }
    if disk != 0 || directory_disk != 0 || on_disk != count {
        return Err(not_zip("it is one part of a multi-part archive".into()));
    }
    if u64::from(count) > max_entries {
        return Err(BundleError::TooManyEntries {
            bundle: path.to_owned(),
            count: count.into(),
            limit: max_entries,
        });
    }
    if size > MAX_DIRECTORY_BYTES {
        return Err(not_zip(format!(
            "its central directory declares {size} bytes, far more than a bundle needs"
        )));
    }
    let end_at = tail_start + end as u64;
    if u64::from(offset) + u64::from(size) != end_at {
        return Err(not_zip(
            "its central directory is not where its end record says: data was added before \
             or inside the archive, or it is truncated"
                .into(),
        ));
    }
    let mut directory = vec![0; size as usize];
    source.seek(SeekFrom::Start(offset.into())).map_err(io)?;
    source.read_exact(&mut directory).map_err(io)?;
    parse_headers(&directory, count).map_err(not_zip)
}

/// The names in `count` central directory headers filling `directory` exactly.
fn parse_headers(directory: &[u8], count: u16) -> Result<Vec<Vec<u8>>, String> {
    let mut names = Vec::with_capacity(count.into());
    let mut at = 0;
    for index in 0..count {
        let broken = || format!("its central directory entry {index} is damaged");
        let header = directory
            .get(at..at + HEADER_BYTES)
            .filter(|header| &header[..4] == HEADER_SIGNATURE)
            .ok_or_else(broken)?;
        let name_length = usize::from(u16_at(header, 28));
        let extra_length = usize::from(u16_at(header, 30));
        let comment_length = usize::from(u16_at(header, 32));
        let name_start = at + HEADER_BYTES;
        let name = directory
            .get(name_start..name_start + name_length)
            .ok_or_else(broken)?;
        names.push(name.to_vec());
        at = name_start + name_length + extra_length + comment_length;
    }
    if at != directory.len() {
        return Err(format!(
            "its central directory holds more or less than the {count} entries it declares"
        ));
    }
    Ok(names)
}

// The readers below index fixed-size records at offsets within them; every caller has
// checked the record's length first.
fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}
