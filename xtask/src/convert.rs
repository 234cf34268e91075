//! TFLite → ONNX conversion with tf2onnx, in a private virtualenv under
//! `$LENSMITH_HOME/tools/converter` whose packages are pinned by hash in
//! `xtask/converter-requirements.txt`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::digest::{sha256_file, write_atomically};
use crate::fetch::run_tool;

const PYTHON_HINT: &str = "Debian: apt-get install python3 python3-venv python3-pip";

/// The host's Python 3 interpreter (`$LENSMITH_PYTHON`, else `python3`), checked to run.
pub fn host_python() -> Result<String> {
    let python = std::env::var("LENSMITH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run_tool(
        Command::new(&python).arg("--version"),
        &format!("{python} --version"),
        PYTHON_HINT,
    )?;
    Ok(python)
}

/// The converter's virtualenv, created or repaired as needed; returns its Python.
pub fn ensure_converter(home: &Path) -> Result<PathBuf> {
    let venv = home.join("tools").join("converter");
    let python = venv.join("bin").join("python");
    let requirements = crate::paths::xtask_dir().join("converter-requirements.txt");
    let pinned = sha256_file(&requirements)?;
    let stamp = venv.join("lensmith-requirements.sha256");
    if python.exists() && std::fs::read_to_string(&stamp).is_ok_and(|text| text.trim() == pinned) {
        return Ok(python);
    }
    println!(
        "  installing the model converter (tf2onnx, tensorflow-cpu) into {}; this takes a few minutes once",
        venv.display()
    );
    let _ = std::fs::remove_dir_all(&venv);
    let host = host_python()?;
    run_tool(
        Command::new(&host).args(["-m", "venv"]).arg(&venv),
        &format!("{host} -m venv"),
        PYTHON_HINT,
    )?;
    let mut install = Command::new(&python);
    install
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "--no-deps",
            "--only-binary=:all:",
        ])
        .arg("--requirement")
        .arg(&requirements)
        .env_remove("PIP_FIND_LINKS")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    run_tool(&mut install, "pip install -r xtask/converter-requirements.txt", PYTHON_HINT).with_context(|| {
        format!(
            "installing the pinned converter packages into {}. tensorflow-cpu 2.21 publishes wheels for \
             CPython 3.10-3.13 on x86-64 and aarch64 Linux; point LENSMITH_PYTHON at such an interpreter if \
             python3 is another version",
            venv.display()
        )
    })?;
    write_atomically(&stamp, pinned.as_bytes())?;
    Ok(python)
}

/// Converts `tflite` to ONNX at `output` (a scratch path the caller verifies and moves into place).
pub fn tflite_to_onnx(
    converter_python: &Path,
    tflite: &Path,
    opset: u32,
    output: &Path,
) -> Result<()> {
    let raw = output.with_extension("raw.onnx");
    let mut convert = Command::new(converter_python);
    convert
        .args(["-m", "tf2onnx.convert", "--tflite"])
        .arg(tflite)
        .args(["--opset", &opset.to_string(), "--output"])
        .arg(&raw)
        .env("PYTHONHASHSEED", "0")
        .env("TF_CPP_MIN_LOG_LEVEL", "2")
        .env("CUDA_VISIBLE_DEVICES", "");
    let converted = run_tool(&mut convert, "python -m tf2onnx.convert", PYTHON_HINT);
    let canonical = converted.and_then(|()| {
        let script = crate::paths::xtask_dir()
            .join("python")
            .join("canonicalize_onnx.py");
        let mut canonicalize = Command::new(converter_python);
        canonicalize.arg(&script).arg(&raw).arg(output);
        run_tool(
            &mut canonicalize,
            "python xtask/python/canonicalize_onnx.py",
            PYTHON_HINT,
        )
    });
    let _ = std::fs::remove_file(&raw);
    canonical.with_context(|| format!("converting {} to ONNX", tflite.display()))?;
    if !output.exists() {
        bail!(
            "the converter reported success but wrote no {}",
            output.display()
        );
    }
    Ok(())
}
