//! The export panel: validate the bundle folder, pack it into one `.effect` file and sign it
//! when a secret key is given, on a thread of its own, then show what was written or every
//! problem that stopped it.

use std::path::{Path, PathBuf};

use crate::background::on_thread;
use effect_api::Diagnostic;
use iced::widget::{button, checkbox, column, row, text, text_input};
use iced::{Alignment, Element, Fill, Task};
use lensmith_runtime::bundle::archive::{self, ArchiveLimits};
use lensmith_runtime::bundle::{signing, validate};
use lensmith_runtime::models::AssetCache;

use crate::screen::problems::diagnostic_line;
use crate::screen::widgets;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportReport {
    /// The `.effect` file.
    pub out: PathBuf,
    /// Files packed.
    pub files: usize,
    /// Its size in bytes.
    pub bytes: u64,
    /// The signing key's id, when signed.
    pub signer: Option<String>,
    /// What validation warned of (files nothing uses), one line each.
    pub warnings: Vec<String>,
    /// Files nothing uses that were left out, with their sizes.
    pub left_out: Vec<(String, u64)>,
}

/// Why an export stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportFailure {
    /// The bundle does not validate: nothing was written.
    Invalid(Vec<Diagnostic>),
    /// Something else: reading, the key, writing.
    Failed(String),
}

/// What to export where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The bundle folder.
    pub bundle: PathBuf,
    /// The `.effect` file to write.
    pub out: PathBuf,
    /// A secret key to sign with (made by `lensmith keygen`).
    pub key: Option<PathBuf>,
    /// Keep files nothing uses (left out by default, as `lensmith pack` does).
    pub include_unused: bool,
}

/// Validates, packs and signs, as `lensmith pack` does. Blocks; run it off the UI thread.
pub fn export(request: &ExportRequest) -> Result<ExportReport, ExportFailure> {
    let failed = |error: &dyn std::fmt::Display| ExportFailure::Failed(error.to_string());
    if !request.bundle.is_dir() {
        return Err(ExportFailure::Failed(format!(
            "{}: only a bundle folder can be exported",
            request.bundle.display()
        )));
    }
    let key = request
        .key
        .as_deref()
        .map(signing::read_secret_key)
        .transpose()
        .map_err(|error| failed(&error))?;
    let files = archive::read_dir(&request.bundle, &ArchiveLimits::default())
        .map_err(|error| failed(&error))?;
    // Models are checked against ONNX Runtime when set-up has provided it.
    let onnx_runtime = AssetCache::locate()
        .and_then(|cache| cache.onnxruntime_library())
        .ok();
    let label = format!("{}/", request.bundle.display());
    let report = validate(&files.files, &label, onnx_runtime.as_deref());
    if !report.is_valid() {
        return Err(ExportFailure::Invalid(report.diagnostics));
    }
    let options = archive::PackOptions {
        include_unused: request.include_unused,
    };
    let summary = archive::pack_with(&request.bundle, &request.out, key.as_ref(), &options)
        .map_err(|error| failed(&error))?;
    Ok(ExportReport {
        out: summary.out,
        files: summary.files.len(),
        bytes: summary.archive_bytes,
        signer: summary.signer,
        warnings: report.warnings.iter().map(ToString::to_string).collect(),
        left_out: summary.unused_left_out,
    })
}

/// The panel's state.
#[derive(Debug, Clone, Default)]
pub struct Export {
    bundle: Option<PathBuf>,
    out: String,
    key: String,
    include_unused: bool,
    running: bool,
    outcome: Option<Result<ExportReport, ExportFailure>>,
}

/// What the user did, or the export's end.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The output path was edited.
    OutEdited(String),
    /// The key path was edited.
    KeyEdited(String),
    /// Keep files nothing uses, or leave them out.
    IncludeUnused(bool),
    /// Export now.
    Export,
    /// The export ended.
    Finished(Result<ExportReport, ExportFailure>),
}

/// The panel raises no events: the export is a task of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {}

impl Export {
    /// A bundle was opened: exports go beside it as `<folder>.effect`.
    pub fn set_bundle(&mut self, bundle: &Path) {
        self.bundle = Some(bundle.to_owned());
        self.out = bundle.with_extension("effect").display().to_string();
        self.outcome = None;
    }

    /// How the last export ended.
    pub fn outcome(&self) -> Option<&Result<ExportReport, ExportFailure>> {
        self.outcome.as_ref()
    }

    /// The export the fields describe.
    pub fn request(&self) -> Option<ExportRequest> {
        let bundle = self.bundle.clone()?;
        let out = self.out.trim();
        let key = self.key.trim();
        (!out.is_empty()).then(|| ExportRequest {
            bundle,
            out: PathBuf::from(out),
            key: (!key.is_empty()).then(|| PathBuf::from(key)),
            include_unused: self.include_unused,
        })
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::OutEdited(out) => self.out = out,
            Message::KeyEdited(key) => self.key = key,
            Message::IncludeUnused(include) => self.include_unused = include,
            Message::Export => {
                if let Some(request) = self.request().filter(|_| !self.running) {
                    self.running = true;
                    self.outcome = None;
                    return (Task::perform(run(request), Message::Finished), None);
                }
            }
            Message::Finished(outcome) => {
                self.running = false;
                self.outcome = Some(outcome);
            }
        }
        (Task::none(), None)
    }

    /// The panel.
    pub fn view(&self) -> Element<'_, Message> {
        let ready = self.request().is_some() && !self.running;
        let mut panel = column![
            widgets::caption("Validate, pack into one .effect file, sign if a key is given."),
            text_input("out.effect", &self.out)
                .on_input(Message::OutEdited)
                .size(13),
            row![
                text_input("secret key (optional, from lensmith keygen)", &self.key)
                    .on_input(Message::KeyEdited)
                    .size(13)
                    .width(Fill),
                button(text(if self.running {
                    "Exporting…"
                } else {
                    "Export"
                }))
                .on_press_maybe(ready.then_some(Message::Export)),
            ]
            .spacing(6)
            .align_y(Alignment::Center),
            checkbox(self.include_unused)
                .label("Keep files nothing uses")
                .on_toggle(Message::IncludeUnused)
                .size(14)
                .text_size(13),
        ]
        .spacing(6);
        match &self.outcome {
            None => {}
            Some(Ok(report)) => {
                panel = panel.push(
                    widgets::mono(format!(
                        "{}: {} file(s), {} bytes, {}",
                        report.out.display(),
                        report.files,
                        report.bytes,
                        report
                            .signer
                            .as_deref()
                            .map_or_else(|| "unsigned".to_owned(), |id| format!("signed by {id}"))
                    ))
                    .style(text::success),
                );
                for (path, bytes) in &report.left_out {
                    panel = panel.push(
                        widgets::mono(format!(
                            "left out {path} ({}): nothing uses it",
                            lensmith_runtime::bundle::usage::human_size(*bytes)
                        ))
                        .style(text::secondary),
                    );
                }
            }
            Some(Err(ExportFailure::Invalid(diagnostics))) => {
                panel = panel.push(
                    text(format!("Not exported: {} problem(s)", diagnostics.len()))
                        .size(13)
                        .style(text::danger),
                );
                for diagnostic in diagnostics {
                    panel =
                        panel.push(widgets::mono(diagnostic_line(diagnostic)).style(text::danger));
                }
            }
            Some(Err(ExportFailure::Failed(message))) => {
                panel = panel.push(widgets::mono(message.as_str()).style(text::danger));
            }
        }
        panel.into()
    }
}

/// Runs [`export`] on a thread of its own and waits for it without blocking the executor.
async fn run(request: ExportRequest) -> Result<ExportReport, ExportFailure> {
    on_thread("lensmith-export", "export", move || export(&request))
        .await
        .unwrap_or_else(|problem| Err(ExportFailure::Failed(problem)))
}
