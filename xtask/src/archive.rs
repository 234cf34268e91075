//! Reading single files out of source archives (wheels are zip files, npm packages are
//! gzipped tars) and out of Emscripten packed data files. Only named members are read,
//! into memory, so an archive cannot write anywhere by itself.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The bytes of `member` inside the archive at `archive`, chosen by file extension.
pub fn read_member(archive: &Path, member: &str) -> Result<Vec<u8>> {
    let name = archive.to_string_lossy();
    let bytes = if name.ends_with(".whl") || name.ends_with(".zip") {
        read_zip_member(archive, member)
    } else if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
        read_tgz_member(archive, member)
    } else {
        bail!(
            "{} is neither a zip nor a gzipped tar archive",
            archive.display()
        );
    };
    bytes.with_context(|| format!("reading `{member}` from {}", archive.display()))
}

fn read_zip_member(archive: &Path, member: &str) -> Result<Vec<u8>> {
    let file = File::open(archive)?;
    let mut zip = zip::ZipArchive::new(file)?;
    let mut entry = zip
        .by_name(member)
        .map_err(|_| anyhow::anyhow!("no such member in the archive"))?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn read_tgz_member(archive: &Path, member: &str) -> Result<Vec<u8>> {
    let file = File::open(archive)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries()? {
        let mut entry = entry?;
        if entry.path()?.to_string_lossy() == member {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            return Ok(bytes);
        }
    }
    bail!("no such member in the archive")
}

/// One file listed by an Emscripten loader script.
#[derive(Debug, Deserialize, PartialEq)]
pub struct PackedFile {
    /// The file's path in the virtual file system.
    pub filename: String,
    /// First byte in the data file.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

#[derive(Deserialize)]
struct PackageIndex {
    files: Vec<PackedFile>,
}

/// Parses the file list that an Emscripten `*_loader.js` passes to `loadPackage({...})`.
pub fn parse_packed_index(loader_js: &str) -> Result<Vec<PackedFile>> {
    const CALL: &str = "loadPackage(";
    let Some(position) = loader_js.rfind(CALL) else {
        bail!("the loader script has no `{CALL}` call listing the packed files");
    };
    let mut stream = serde_json::Deserializer::from_str(&loader_js[position + CALL.len()..])
        .into_iter::<PackageIndex>();
    match stream.next() {
        Some(Ok(index)) => Ok(index.files),
        Some(Err(error)) => {
            bail!("the file list passed to `{CALL}` is not the expected JSON: {error}")
        }
        None => bail!("nothing follows `{CALL}` in the loader script"),
    }
}

/// Cuts `name` out of `data` using the byte ranges in `index`.
pub fn unpack<'a>(data: &'a [u8], index: &[PackedFile], name: &str) -> Result<&'a [u8]> {
    let Some(file) = index.iter().find(|file| file.filename == name) else {
        let listed: Vec<_> = index.iter().map(|file| file.filename.as_str()).collect();
        bail!(
            "`{name}` is not in the packed file list (it lists: {})",
            listed.join(", ")
        );
    };
    if file.start > file.end || file.end > data.len() {
        bail!(
            "`{name}` is listed at bytes {}..{} but the data file has {} bytes",
            file.start,
            file.end,
            data.len()
        );
    }
    Ok(&data[file.start..file.end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = r#"var Module = {}; function loadPackage(metadata) { var files = metadata['files']; }
    loadPackage({"files": [{"filename": "/a.bin", "start": 0, "end": 3}, {"filename": "/b.bin", "start": 3, "end": 5}], "remote_package_size": 5, "package_uuid": "x"});
    })();"#;

    #[test]
    fn index_is_read_from_the_loadpackage_call_not_the_function_definition() {
        let index = parse_packed_index(LOADER).unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(
            index[1],
            PackedFile {
                filename: "/b.bin".into(),
                start: 3,
                end: 5
            }
        );
        assert_eq!(unpack(b"abcde", &index, "/b.bin").unwrap(), b"de");
    }

    #[test]
    fn missing_name_lists_what_is_there() {
        let index = parse_packed_index(LOADER).unwrap();
        let error = unpack(b"abcde", &index, "/c.bin").unwrap_err().to_string();
        assert!(error.contains("/a.bin, /b.bin"), "{error}");
    }

    #[test]
    fn ranges_past_the_data_are_refused() {
        let index = parse_packed_index(LOADER).unwrap();
        assert!(
            unpack(b"abcd", &index, "/b.bin")
                .unwrap_err()
                .to_string()
                .contains("4 bytes")
        );
    }

    #[test]
    fn a_script_without_the_call_is_refused() {
        assert!(parse_packed_index("var x = 1;").is_err());
        assert!(parse_packed_index("loadPackage({\"nofiles\": 1})").is_err());
    }
}
