//! Golden-frame regression tests for a bundle, as `lensmith test` runs them.
//!
//! A bundle folder may hold a `tests/` folder ([`effect_api::manifest::TESTS_FOLDER`])
//! that is never packed or shipped:
//!
//! - `tests/golden.toml` declares the cases ([`suite`]): what each plays (a file in
//!   `tests/`, or a sample from the asset cache such as `sample:astronaut.png`, optionally
//!   swayed into a motion sequence by [`motion`]), which frames it compares, with which
//!   parameters, within which tolerance;
//! - `tests/expected/<case>/frame_NNNNNN.png` are the expected frames, written by
//!   `lensmith test --update` after a person has looked at them;
//! - `tests/report/<case>/` receives, for each frame that fails, what was rendered and a
//!   picture of where it differs ([`run`]).
//!
//! Frames are drawn by the CPU reference renderer, which gives the same pixels on every
//! machine up to the rounding of the face models' arithmetic; the default
//! [`suite::Tolerance`] absorbs that and nothing a person would see.

pub mod difference;
pub mod motion;
pub mod record;
pub mod run;
pub mod suite;

use std::path::{Path, PathBuf};

use effect_api::Diagnostic;

pub use difference::Difference;
pub use run::{CaseOutcome, FrameOutcome, Mode, Verdict, check_case_input, run_case};
pub use suite::{Case, CaseInput, Suite, Tolerance};

/// The suite's file name inside `tests/`.
pub const SUITE_FILE: &str = "golden.toml";
/// The folder of expected frames inside `tests/`.
pub const EXPECTED_FOLDER: &str = "expected";
/// The folder of failure pictures inside `tests/`.
pub const REPORT_FOLDER: &str = "report";

/// Why a golden test could not run (a frame that differs is not an error but a
/// [`Verdict`]).
#[derive(Debug, Clone, thiserror::Error)]
pub enum GoldenError {
    /// The bundle has no suite.
    #[error(
        "{} has no golden tests: {} does not exist; write one (see `lensmith test --help`) \
         or start from a template with `lensmith new`",
        bundle.display(),
        suite.display()
    )]
    NoSuite {
        /// The bundle folder.
        bundle: PathBuf,
        /// Where the suite should be.
        suite: PathBuf,
    },
    /// The suite is malformed.
    #[error("{}", diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Suite {
        /// Every problem, at its line.
        diagnostics: Vec<Diagnostic>,
    },
    /// A case's input cannot be read.
    #[error("case `{case}`: {message}")]
    Input {
        /// The case.
        case: String,
        /// What went wrong, naming the file.
        message: String,
    },
    /// The bundle cannot be played.
    #[error("case `{case}`: {message}")]
    Player {
        /// The case.
        case: String,
        /// The player's error.
        message: String,
    },
    /// A case's parameter does not exist or does not fit.
    #[error("case `{case}`: {message}; fix `parameters` in tests/golden.toml")]
    Parameter {
        /// The case.
        case: String,
        /// The player's error.
        message: String,
    },
    /// An expected frame cannot be read.
    #[error(
        "cannot read the expected frame {}: {message}; write it again with \
         `lensmith test --update` once the render is right",
        path.display()
    )]
    Expected {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A picture cannot be written.
    #[error("cannot write {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A file operation failed.
    #[error("cannot {action} {}: {message}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On what.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
}

impl GoldenError {
    pub(crate) fn io(action: &'static str, path: &Path, error: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            message: error.to_string(),
        }
    }
}

/// Reads and checks the suite of the bundle folder `bundle`; returns its `tests/` folder
/// with it.
pub fn load_suite(bundle: &Path) -> Result<(PathBuf, Suite), GoldenError> {
    let tests = bundle.join(effect_api::manifest::TESTS_FOLDER);
    let path = tests.join(SUITE_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(GoldenError::NoSuite {
                bundle: bundle.to_owned(),
                suite: path,
            });
        }
        Err(error) => return Err(GoldenError::io("read", &path, error)),
    };
    let suite = suite::parse(&path.display().to_string(), &text)
        .map_err(|diagnostics| GoldenError::Suite { diagnostics })?;
    Ok((tests, suite))
}
