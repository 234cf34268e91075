//! Problems found in a file a designer wrote, each pinned to a line and column with a hint
//! on what to do, printed as `file:line:column: message` (the form editors and terminals
//! turn into links) or serialized as JSON.

use serde::Serialize;

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, as the user named it (`effect.toml`, `bundle/effect.toml`).
    pub file: String,
    /// Line, counting from 1 (0 when the problem has no place in the file).
    pub line: usize,
    /// Column in characters, counting from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when there is more to say than the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets in one file's text into line and column numbers.
#[derive(Debug, Clone)]
pub struct SourceMap<'a> {
    file: String,
    text: &'a str,
}

impl<'a> SourceMap<'a> {
    /// A map for `text`, the contents of `file`.
    pub fn new(file: impl Into<String>, text: &'a str) -> Self {
        Self {
            file: file.into(),
            text,
        }
    }

    /// The file name diagnostics carry.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// A diagnostic at byte `offset` (clamped to the text).
    pub fn at(
        &self,
        offset: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let offset = offset.min(self.text.len());
        // Step back to a character boundary so slicing cannot split a character.
        let offset = (0..=offset)
            .rev()
            .find(|&index| self.text.is_char_boundary(index))
            .unwrap_or(0);
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
        Diagnostic {
            file: self.file.clone(),
            line,
            column,
            message: message.into(),
            hint,
        }
    }
}

/// The candidate closest to `given` by edit distance, if it is close enough to be a
/// likely typo (at most a third of its length, and at least one edit).
pub fn near_match<'c>(
    given: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (given.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(given, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance over characters, counting a swap of two neighbours as one edit (the
/// optimal-string-alignment distance): `smiel` is one typo away from `smile`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // distance[i][j]: between the first i characters of a and the first j of b.
    let mut distance = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in distance.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in distance[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (distance[i - 1][j] + 1)
                .min(distance[i][j - 1] + 1)
                .min(distance[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(distance[i - 2][j - 2] + 1);
            }
            distance[i][j] = best;
        }
    }
    distance[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let map = SourceMap::new("effect.toml", "a = 1\nnäme = 2\n");
        let diagnostic = map.at(11, "bad", Some("fix it".into()));
        assert_eq!((diagnostic.line, diagnostic.column), (2, 5));
        assert_eq!(
            diagnostic.to_string(),
            "effect.toml:2:5: bad\n  hint: fix it"
        );
        assert_eq!(map.at(999, "end", None).line, 3);
    }

    #[test]
    fn typos_find_their_word_and_strangers_find_none() {
        let words = ["thumbnail", "version", "description"];
        assert_eq!(near_match("thumbnial", words), Some("thumbnail"));
        assert_eq!(near_match("verison", words), Some("version"));
        assert_eq!(near_match("colour", words), None);
        assert_eq!(near_match("smiel", ["smile", "kiss"]), Some("smile"));
    }
}
