//! Private Python virtualenvs under `$LENSMITH_HOME/tools/<name>`, each installed from a
//! hash-pinned requirements file in `xtask/` with `pip --require-hashes --no-deps`, and
//! rebuilt whenever that file changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::digest::{sha256_file, write_atomically};
use crate::fetch::run_tool;

/// How to install Python on the machines set-up supports.
pub const PYTHON_HINT: &str = "Debian: apt-get install python3 python3-venv python3-pip";

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

/// How to get PyTorch for the distillation tools on the machines set-up supports.
pub const TORCH_HINT: &str = "Debian 12: apt-get install python3-torch (PyTorch 1.13 for the system \
                              python3); elsewhere point LENSMITH_DISTILL_PYTHON at a Python 3.10+ with \
                              torch >= 1.13 and numpy < 2";

/// A Python 3 interpreter that imports torch and numpy < 2: `$LENSMITH_DISTILL_PYTHON`, else
/// the first of `python3` and `/usr/bin/python3` (Debian's, where `python3-torch` installs)
/// that does.
pub fn torch_python() -> Result<String> {
    let candidates = match std::env::var("LENSMITH_DISTILL_PYTHON") {
        Ok(python) => vec![python],
        Err(_) => vec!["python3".to_owned(), "/usr/bin/python3".to_owned()],
    };
    let probe = "import numpy, torch, sys; sys.exit(int(numpy.__version__.split('.')[0]) >= 2)";
    for python in &candidates {
        let works = Command::new(python)
            .args(["-c", probe])
            .output()
            .is_ok_and(|output| output.status.success());
        if works {
            return Ok(python.clone());
        }
    }
    anyhow::bail!(
        "the distillation tools need PyTorch, and none of {} imports torch with numpy < 2 ({TORCH_HINT})",
        candidates.join(", ")
    )
}

/// One pinned virtualenv.
pub struct PythonEnv {
    /// Folder name under `$LENSMITH_HOME/tools`.
    pub name: &'static str,
    /// Requirements file name in `xtask/`.
    pub requirements: &'static str,
    /// What it holds, for the progress line ("the model converter (tf2onnx, ...)").
    pub purpose: &'static str,
    /// Which interpreters its packages have wheels for, for the error when pip fails.
    pub supported_pythons: &'static str,
    /// Built over an interpreter that already has PyTorch (and its numpy), whose packages
    /// the env sees (`--system-site-packages`); the pinned packages go on top.
    pub over_torch: bool,
}

impl PythonEnv {
    /// The env's Python, creating or repairing the env first when needed.
    pub fn ensure(&self, home: &Path) -> Result<PathBuf> {
        let venv = home.join("tools").join(self.name);
        let python = venv.join("bin").join("python");
        let requirements = crate::paths::xtask_dir().join(self.requirements);
        let pinned = sha256_file(&requirements)?;
        let stamp = venv.join("lensmith-requirements.sha256");
        if python.exists()
            && std::fs::read_to_string(&stamp).is_ok_and(|text| text.trim() == pinned)
        {
            return Ok(python);
        }
        println!(
            "  installing {} into {}; this takes a few minutes once",
            self.purpose,
            venv.display()
        );
        let _ = std::fs::remove_dir_all(&venv);
        let host = match self.over_torch {
            true => torch_python()?,
            false => host_python()?,
        };
        let mut create = Command::new(&host);
        create.args(["-m", "venv"]);
        if self.over_torch {
            create.arg("--system-site-packages");
        }
        run_tool(create.arg(&venv), &format!("{host} -m venv"), PYTHON_HINT)?;
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
            // A local wheel folder in the environment must not stand in for the pinned files.
            .env_remove("PIP_FIND_LINKS")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        let what = format!("pip install -r xtask/{}", self.requirements);
        run_tool(&mut install, &what, PYTHON_HINT).with_context(|| {
            format!(
                "installing the pinned packages of xtask/{} into {}. {}; point LENSMITH_PYTHON at \
                 such an interpreter if python3 is another version",
                self.requirements,
                venv.display(),
                self.supported_pythons
            )
        })?;
        write_atomically(&stamp, pinned.as_bytes())?;
        Ok(python)
    }
}

/// The TFLite → ONNX converter (tf2onnx and TensorFlow).
pub const CONVERTER: PythonEnv = PythonEnv {
    name: "converter",
    requirements: "converter-requirements.txt",
    purpose: "the model converter (tf2onnx, tensorflow-cpu)",
    supported_pythons: "tensorflow-cpu 2.21 publishes wheels for CPython 3.10-3.13 on x86-64 and \
                        aarch64 Linux",
    over_torch: false,
};

/// MediaPipe's own face mesh, the yardstick for speed and accuracy.
pub const MEDIAPIPE: PythonEnv = PythonEnv {
    name: "mediapipe",
    requirements: "mediapipe-requirements.txt",
    purpose: "MediaPipe 0.10.21 (the reference face mesh)",
    supported_pythons: "mediapipe 0.10.21 publishes wheels for CPython 3.9-3.12 on x86-64 Linux \
                        (and 3.9-3.12 on aarch64)",
    over_torch: false,
};

/// The distillation tools (`distill/`): ONNX, ONNX Runtime, OpenCV, matplotlib, Ray and
/// pytest over a Python that has PyTorch; the `distill` package itself is installed from
/// the checkout, editable.
pub const DISTILL: PythonEnv = PythonEnv {
    name: "distill",
    requirements: "distill-requirements.txt",
    purpose: "the distillation tools' packages (onnx, onnxruntime, opencv, matplotlib, ray, pytest)",
    supported_pythons: "onnxruntime 1.31.1, opencv-python-headless 4.11 and ray 2.60.0 publish \
                        wheels for CPython 3.10-3.13 on x86-64 and aarch64 Linux",
    over_torch: true,
};
