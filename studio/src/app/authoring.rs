//! The studio's authoring: every edit from the layer and trigger editors, the sticker
//! placer and the asset dialogs written into the open bundle's `effect.toml` (checked
//! first, comments kept, atomically) with undo and redo; new effects made from templates
//! and opened. The bundle watcher reloads each edit as it reloads a text editor's.

use std::path::{Path, PathBuf};

use iced::Task;
use lensmith_runtime::bundle::manifest_edit::{FieldValue, ManifestEdit, save_edit};
use lensmith_runtime::golden::record::{Recording, record_case};
use lensmith_runtime::models::AssetCache;
use lensmith_runtime::player::PlayerOptions;
use lensmith_templates::{CreatedEffect, NewEffect};

use super::{Message, Studio};
use crate::background::on_thread;
use crate::editing::{assets, starter};
use crate::file_dialog::{self, Purpose};
use crate::preview_bridge::OpenRequest;
use crate::screen::golden;
use crate::screen::layers::number;
use crate::screen::viewer::StickerPlacement;

impl Studio {
    /// The open bundle's `effect.toml`, when it is a folder (a `.effect` is read-only).
    pub(super) fn editable_manifest(&self) -> Option<PathBuf> {
        let bundle = &self.session.as_ref()?.bundle;
        bundle.is_dir().then(|| bundle.join("effect.toml"))
    }

    /// Reads the manifest again, once, into the editors.
    pub(super) fn refresh_manifest(&mut self) {
        let table = self
            .editable_manifest()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| text.parse::<toml::Table>().ok());
        self.layers.set_manifest(table.as_ref());
        self.triggers.set_manifest(table.as_ref());
        self.effect_info.set_manifest(table.as_ref());
    }

    fn history_changed(&mut self) {
        self.toolbar.set_history(
            self.history.next_undo().is_some(),
            self.history.next_redo().is_some(),
        );
    }

    /// Writes `edit` into the open bundle's manifest; a refused edit changes nothing and
    /// shows why.
    pub(super) fn edit(&mut self, edit: ManifestEdit) {
        let Some(path) = self.editable_manifest() else {
            self.problems.error(
                "a packed .effect cannot be edited: open the folder it was packed from".to_owned(),
            );
            return;
        };
        let what = edit.describe();
        match save_edit(&path, &edit) {
            Ok(saved) => {
                self.history.record(what.clone(), saved);
                self.status = format!("Edited: {what}");
                self.history_changed();
                self.refresh_manifest();
            }
            Err(error) => {
                self.status = format!("Refused: {what}");
                self.problems.error(error.to_string());
            }
        }
    }

    /// Undoes (`true`) or redoes the last edit.
    pub(super) fn undo_or_redo(&mut self, undo: bool) {
        let Some(path) = self.editable_manifest() else {
            return;
        };
        let done = if undo {
            self.history.undo(&path)
        } else {
            self.history.redo(&path)
        };
        match done {
            Ok(Some(what)) => {
                self.status = format!("{}: {what}", if undo { "Undone" } else { "Redone" });
                self.refresh_manifest();
            }
            Ok(None) => {}
            Err(error) => self.problems.error(error.to_string()),
        }
        self.history_changed();
    }

    /// The open bundle folder (when editable) and its layers' names.
    fn bundle_and_layer_names(&self) -> Option<(PathBuf, Vec<String>)> {
        let bundle = self.editable_manifest()?.parent()?.to_owned();
        let names = self
            .layers
            .layers()
            .iter()
            .map(|layer| layer.name.clone())
            .collect();
        Some((bundle, names))
    }

    /// Adds a layer of `kind` with its starting asset.
    pub(super) fn add_layer(&mut self, kind: &str) {
        let Some((bundle, taken)) = self.bundle_and_layer_names() else {
            return;
        };
        match starter::new_layer(&bundle, kind, &taken) {
            Ok(edit) => self.edit(edit),
            Err(problem) => self.problems.error(problem),
        }
    }

    /// Adds a plugin layer for the built library at `library`, copied into the bundle.
    pub(super) fn add_plugin_layer(&mut self, library: &Path) {
        let Some((bundle, taken)) = self.bundle_and_layer_names() else {
            return;
        };
        match starter::plugin_layer(&bundle, library, &taken) {
            Ok(edit) => self.edit(edit),
            Err(problem) => self.problems.error(problem),
        }
    }

    /// Opens the file dialog for a layer's asset field.
    pub(super) fn choose_asset(&self, layer: String, field: String) -> Task<Message> {
        let purpose = match field.as_str() {
            "texture" => Purpose::Asset("texture"),
            "image" => Purpose::Asset("image"),
            "file" => Purpose::Asset("file"),
            _ => Purpose::Asset("model"),
        };
        file_dialog::choose(purpose).map(move |path| Message::AssetChosen {
            layer: layer.clone(),
            field: field.clone(),
            path,
        })
    }

    /// A file chosen for a layer's asset: copied into the bundle, then set.
    pub(super) fn asset_chosen(&mut self, layer: String, field: String, path: Option<PathBuf>) {
        let (Some(path), Some(manifest)) = (path, self.editable_manifest()) else {
            return;
        };
        let bundle = manifest.parent().unwrap_or(Path::new("."));
        match assets::import(bundle, &path, &field) {
            Ok(relative) => self.edit(ManifestEdit::SetLayerField {
                layer,
                field,
                value: FieldValue::Text(relative),
            }),
            Err(problem) => self.problems.error(problem),
        }
    }

    /// The sticker being placed was anchored, moved or scaled on the preview.
    pub(super) fn place_sticker(&mut self, placement: StickerPlacement) {
        let Some(layer) = self.layers.anchoring().map(str::to_owned) else {
            return;
        };
        let field_number = |field: &str| {
            self.layers
                .table(&layer)
                .and_then(|table| table.get(field))
                .and_then(number)
        };
        let offset = self
            .layers
            .table(&layer)
            .and_then(|table| table.get("offset"))
            .and_then(toml::Value::as_array)
            .and_then(|items| items.iter().map(number).collect::<Option<Vec<f64>>>())
            .filter(|offset| offset.len() == 2)
            .unwrap_or_else(|| vec![0.0, 0.0]);
        let round = |value: f64| (value * 1000.0).round() / 1000.0;
        let (field, value) = match placement {
            StickerPlacement::Anchor(landmark) => {
                self.layers.stop_anchoring();
                self.viewer.set_placing(false);
                ("anchor", FieldValue::Integers(vec![i64::from(landmark)]))
            }
            StickerPlacement::Offset([x, y]) => (
                "offset",
                FieldValue::Numbers(vec![
                    round(offset[0] + f64::from(x)),
                    round(offset[1] + f64::from(y)),
                ]),
            ),
            StickerPlacement::Scale(factor) => (
                "scale",
                FieldValue::Number(round(
                    (field_number("scale").unwrap_or(1.0) * f64::from(factor)).clamp(0.05, 4.0),
                )),
            ),
        };
        self.edit(ManifestEdit::SetLayerField {
            layer,
            field: field.to_owned(),
            value,
        });
    }

    /// Makes a new effect: at once for a template without code, on a thread for one whose
    /// plugin must be built (a minute the first time).
    pub(super) fn create_effect(&mut self, request: NewEffect) -> Task<Message> {
        if !lensmith_templates::has_plugin(&request.template) {
            let made = lensmith_templates::create(&request, &mut |_| {}).map_err(|e| e.to_string());
            self.effect_created(made);
            return Task::none();
        }
        self.status = "Building the new plugin (the first build takes a minute)…".to_owned();
        let create = move || lensmith_templates::create(&request, &mut |_| {});
        Task::perform(on_thread("lensmith-new", "new effect", create), |made| {
            Message::EffectCreated(made.and_then(|made| made.map_err(|e| e.to_string())))
        })
    }

    /// A new effect was made (or not): open it on the current source.
    pub(super) fn effect_created(&mut self, made: Result<CreatedEffect, String>) {
        self.new_effect.finished();
        match made {
            Ok(created) => {
                self.show_new_effect = false;
                self.status = format!("Made {}", created.folder.display());
                let source = self
                    .session
                    .as_ref()
                    .map(|session| session.source.clone())
                    .or_else(|| self.toolbar.source())
                    .or_else(|| self.config.last_source.clone());
                match source {
                    Some(source) => self.open(OpenRequest {
                        bundle: created.bundle,
                        source,
                    }),
                    None => {
                        self.toolbar.set_path(true, &created.bundle);
                        self.status = format!(
                            "Made {}: choose a photo or video to preview it on, then Open",
                            created.folder.display()
                        );
                    }
                }
            }
            Err(problem) => self.problems.error(problem),
        }
    }

    /// What recording a golden case named `name` would record now: the bundle folder, and
    /// the source, the frame in view (for a video) and the parameters changed.
    pub fn golden_recording(&self, name: &str) -> Result<(PathBuf, Recording), String> {
        let session = self
            .session
            .as_ref()
            .ok_or("open a bundle and a source first")?;
        if !session.bundle.is_dir() {
            return Err(
                "golden cases are recorded into a bundle folder: open the folder, not the .effect"
                    .to_owned(),
            );
        }
        let frame = (!self.viewer.is_still())
            .then(|| self.viewer.frame().map(|frame| frame.index))
            .flatten();
        Ok((
            session.bundle.clone(),
            Recording {
                name: name.to_owned(),
                source: session.source.clone(),
                frame,
                parameters: self.layers.changed_values(),
            },
        ))
    }

    /// Records a golden case on a thread (the bundle plays the source up to the frame).
    pub(super) fn record_golden(&mut self, name: String) -> Task<Message> {
        let (bundle, recording) = match self.golden_recording(&name) {
            Ok(found) => found,
            Err(problem) => {
                let _ = self.golden.update(golden::Message::Finished(Err(problem)));
                return Task::none();
            }
        };
        self.status = format!("Recording the golden case `{name}`…");
        let record = move || record_golden_now(&bundle, &recording);
        Task::perform(
            on_thread("lensmith-golden", "recording", record),
            |outcome| {
                Message::Golden(golden::Message::Finished(
                    outcome.and_then(|outcome| outcome),
                ))
            },
        )
    }
}

/// Records `recording` into the bundle folder `bundle` now; says what it wrote.
pub fn record_golden_now(bundle: &Path, recording: &Recording) -> Result<String, String> {
    let cache = AssetCache::locate().map_err(|error| error.to_string())?;
    let options = PlayerOptions::default();
    let outcome = record_case(bundle, recording, &cache, &options).map_err(|e| e.to_string())?;
    Ok(format!(
        "recorded `{}`: {} expected frame(s) in tests/expected/{}",
        recording.name,
        outcome.frames.len(),
        recording.name
    ))
}
