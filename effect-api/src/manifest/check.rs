//! Reading `effect.toml` the careful way: every problem at once, each with its line and
//! column. First the TOML syntax, then the shape (unknown keys with the likely intended
//! one, wrong types, missing keys), then the meaning (identifiers, versions, ranges,
//! references between triggers and layers, paths). Whether the files it names exist and
//! load is the runtime's part.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Manifest;
use super::schema::{self, Field, Kind};
use super::semantics;
use crate::diagnostic::{Diagnostic, SourceMap, near_match};

/// A parsed manifest with the positions of its values, for pinning later findings.
pub struct CheckedManifest<'a> {
    /// The manifest, when it could be read as one (unknown keys and meaning problems may
    /// remain: see the diagnostics).
    pub manifest: Option<Manifest>,
    /// Everything found, in file order.
    pub diagnostics: Vec<Diagnostic>,
    positions: Option<Spanned<DeTable<'a>>>,
    source: SourceMap<'a>,
}

impl<'a> CheckedManifest<'a> {
    /// A diagnostic at the value found at `path` (table keys and array indices, e.g.
    /// `["layer", "2", "model"]`), or at the start of the file when there is none.
    pub fn at(
        &self,
        path: &[&str],
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let offset = self
            .positions
            .as_ref()
            .and_then(|root| span_at(root, path))
            .map_or(0, |span| span.start);
        self.source.at(offset, message, hint)
    }

    /// Whether the manifest's text holds a value at `path` (as in [`CheckedManifest::at`]),
    /// rather than the field taking its default.
    pub fn is_written(&self, path: &[&str]) -> bool {
        self.positions
            .as_ref()
            .and_then(|root| span_at(root, path))
            .is_some()
    }
}

fn span_at(root: &Spanned<DeTable<'_>>, path: &[&str]) -> Option<Range<usize>> {
    let mut span = root.span();
    let mut table = Some(root.get_ref());
    let mut array = None;
    for step in path {
        let value = match (table, array) {
            (Some(current), _) => current.get(*step)?,
            (None, Some(items)) => {
                let items: &toml::de::DeArray<'_> = items;
                items.get(step.parse::<usize>().ok()?)?
            }
            (None, None) => return None,
        };
        span = value.span();
        (table, array) = match value.get_ref() {
            DeValue::Table(inner) => (Some(inner), None),
            DeValue::Array(items) => (None, Some(items)),
            _ => (None, None),
        };
    }
    Some(span)
}

/// Checks `text`, the contents of `file`.
pub fn check<'a>(file: &str, text: &'a str) -> CheckedManifest<'a> {
    let source = SourceMap::new(file, text);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let mut diagnostics: Vec<Diagnostic> = syntax_errors
        .iter()
        .map(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            source.at(
                offset,
                format!("TOML syntax: {}", error.message().trim()),
                Some("see https://toml.io for the syntax".to_owned()),
            )
        })
        .collect();
    let mut checked = CheckedManifest {
        manifest: None,
        diagnostics: Vec::new(),
        positions: None,
        source,
    };
    if !diagnostics.is_empty() {
        checked.diagnostics = diagnostics;
        return checked;
    }
    let walker = ShapeWalker {
        source: &checked.source,
    };
    walker.table(
        root.get_ref(),
        root.span(),
        schema::MANIFEST,
        "",
        true,
        &mut diagnostics,
    );
    checked.positions = Some(root);
    let shape_is_right = diagnostics.is_empty();
    match toml::from_str::<Manifest>(text) {
        // Unknown keys do not stop the rest from being checked.
        Ok(manifest) => {
            semantics::check(&manifest, &checked, &mut diagnostics);
            checked.manifest = Some(manifest);
        }
        // The shape check should have caught it; report it rather than lose it.
        Err(error) if shape_is_right => diagnostics.push(checked.source.at(
            error.span().map_or(0, |span| span.start),
            error.message().trim().to_owned(),
            None,
        )),
        Err(_) => {}
    }
    diagnostics.sort_by_key(|diagnostic| (diagnostic.line, diagnostic.column));
    checked.diagnostics = diagnostics;
    checked
}

struct ShapeWalker<'s, 'a> {
    source: &'s SourceMap<'a>,
}

fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn expected(kind: &Kind) -> String {
    match kind {
        Kind::Text => "a string".to_owned(),
        Kind::OneOf(choices) => format!("one of \"{}\"", choices.join("\", \"")),
        Kind::Integer => "a whole number".to_owned(),
        Kind::Number => "a number".to_owned(),
        Kind::Boolean => "true or false".to_owned(),
        Kind::ArrayOf(item) => format!("an array of {}", expected(item)),
        Kind::Table(_) => "a table".to_owned(),
        Kind::Tables(_) | Kind::Layers => "an array of tables ([[...]])".to_owned(),
        Kind::Free => "anything".to_owned(),
    }
}

impl ShapeWalker<'_, '_> {
    fn table(
        &self,
        table: &DeTable<'_>,
        span: Range<usize>,
        fields: &[Field],
        prefix: &str,
        report_unknown: bool,
        out: &mut Vec<Diagnostic>,
    ) {
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            match fields.iter().find(|field| field.name == name) {
                Some(field) => self.value(value, &field.kind, &format!("{prefix}{name}"), out),
                None if !report_unknown => {}
                None => {
                    let near = near_match(name, fields.iter().map(|field| field.name));
                    let known: Vec<&str> = fields.iter().map(|field| field.name).collect();
                    out.push(self.source.at(
                        key.span().start,
                        format!("unknown key `{prefix}{name}`"),
                        Some(match near {
                            Some(near) => format!("did you mean `{near}`?"),
                            None => format!("the keys here are: {}", known.join(", ")),
                        }),
                    ));
                }
            }
        }
        for field in fields.iter().filter(|field| field.required) {
            if table.get(field.name).is_none() {
                out.push(self.source.at(
                    span.start,
                    format!("missing key `{prefix}{}`", field.name),
                    Some(format!(
                        "add `{} = ...` ({})",
                        field.name,
                        expected(&field.kind)
                    )),
                ));
            }
        }
    }

    fn value(
        &self,
        value: &Spanned<DeValue<'_>>,
        kind: &Kind,
        path: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let span = value.span();
        let mismatch = |out: &mut Vec<Diagnostic>| {
            out.push(self.source.at(
                span.start,
                format!(
                    "`{path}` is {}, expected {}",
                    describe(value.get_ref()),
                    expected(kind)
                ),
                None,
            ));
        };
        match (kind, value.get_ref()) {
            (Kind::Free, _)
            | (Kind::Text, DeValue::String(_))
            | (Kind::Integer, DeValue::Integer(_))
            | (Kind::Number, DeValue::Integer(_) | DeValue::Float(_))
            | (Kind::Boolean, DeValue::Boolean(_)) => {}
            (Kind::OneOf(choices), DeValue::String(text)) => {
                let text: &str = text;
                if !choices.contains(&text) {
                    let hint = match near_match(text, choices.iter().copied()) {
                        Some(near) => format!("did you mean \"{near}\"?"),
                        None => format!("use one of \"{}\"", choices.join("\", \"")),
                    };
                    out.push(self.source.at(
                        span.start,
                        format!("`{path}` = \"{text}\" is not a known value"),
                        Some(hint),
                    ));
                }
            }
            (Kind::ArrayOf(item), DeValue::Array(items)) => {
                for (index, element) in items.iter().enumerate() {
                    self.value(element, item, &format!("{path}[{index}]"), out);
                }
            }
            (Kind::Table(fields), DeValue::Table(table)) => {
                self.table(table, span, fields, &format!("{path}."), true, out);
            }
            (Kind::Tables(fields), DeValue::Array(items)) => {
                for (index, element) in items.iter().enumerate() {
                    match element.get_ref() {
                        DeValue::Table(table) => self.table(
                            table,
                            element.span(),
                            fields,
                            &format!("{path}[{index}]."),
                            true,
                            out,
                        ),
                        _ => mismatch(out),
                    }
                }
            }
            (Kind::Layers, DeValue::Array(items)) => {
                for (index, element) in items.iter().enumerate() {
                    match element.get_ref() {
                        DeValue::Table(table) => {
                            self.layer(table, element.span(), &format!("{path}[{index}]."), out)
                        }
                        _ => mismatch(out),
                    }
                }
            }
            _ => mismatch(out),
        }
    }

    fn layer(
        &self,
        table: &DeTable<'_>,
        span: Range<usize>,
        prefix: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let kind = table.get("kind").and_then(|kind| match kind.get_ref() {
            DeValue::String(text) => Some(text.to_string()),
            _ => None,
        });
        // With an unknown kind, its own keys cannot be judged: only the kind is reported.
        let specific = kind.as_deref().and_then(schema::layer_fields);
        let fields: Vec<Field> = schema::LAYER_COMMON
            .iter()
            .chain(specific.unwrap_or(&[]))
            .copied()
            .collect();
        let kind_known = specific.is_some() || kind.is_none();
        self.table(table, span, &fields, prefix, kind_known, out);
    }
}
