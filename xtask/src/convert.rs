//! TFLite → ONNX conversion with tf2onnx, in the private virtualenv
//! [`crate::python_env::CONVERTER`].

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::fetch::run_tool;
use crate::python_env::PYTHON_HINT;

/// Runs one of xtask's Python scripts (`xtask/python/<script>`) with the converter's Python.
fn run_script(converter_python: &Path, script: &str, input: &Path, output: &Path) -> Result<()> {
    let path = crate::paths::xtask_dir().join("python").join(script);
    let mut command = Command::new(converter_python);
    command.arg(&path).arg(input).arg(output);
    run_tool(
        &mut command,
        &format!("python xtask/python/{script}"),
        PYTHON_HINT,
    )
}

/// Converts `tflite` to ONNX at `output` (a scratch path the caller verifies and moves into
/// place): tf2onnx, then PRelu expanded into operators ONNX Runtime runs fast
/// (`expand_prelu.py`), then tensor names made reproducible (`canonicalize_onnx.py`).
pub fn tflite_to_onnx(
    converter_python: &Path,
    tflite: &Path,
    opset: u32,
    output: &Path,
) -> Result<()> {
    let raw = output.with_extension("raw.onnx");
    let expanded = output.with_extension("expanded.onnx");
    let mut convert = Command::new(converter_python);
    convert
        .args(["-m", "tf2onnx.convert", "--tflite"])
        .arg(tflite)
        .args(["--opset", &opset.to_string(), "--output"])
        .arg(&raw)
        .env("PYTHONHASHSEED", "0")
        .env("TF_CPP_MIN_LOG_LEVEL", "2")
        .env("CUDA_VISIBLE_DEVICES", "");
    let result = run_tool(&mut convert, "python -m tf2onnx.convert", PYTHON_HINT)
        .and_then(|()| run_script(converter_python, "expand_prelu.py", &raw, &expanded))
        .and_then(|()| run_script(converter_python, "canonicalize_onnx.py", &expanded, output));
    let _ = std::fs::remove_file(&raw);
    let _ = std::fs::remove_file(&expanded);
    result.with_context(|| format!("converting {} to ONNX", tflite.display()))?;
    if !output.exists() {
        bail!(
            "the converter reported success but wrote no {}",
            output.display()
        );
    }
    Ok(())
}
