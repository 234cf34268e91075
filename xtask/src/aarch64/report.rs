//! What `cargo xtask aarch64` found: a row per compared frame, the checks that passed or
//! failed, printed and written as Markdown.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};

use super::compare::FrameDifference;

/// One frame drawn on both CPUs.
pub struct FrameRow {
    /// What was drawn: `face-paint golden astronaut-sway`, `cartoon C host`.
    pub what: String,
    /// The frame's file or index.
    pub frame: String,
    /// ARM against x86-64.
    pub difference: FrameDifference,
}

/// Everything compared and checked in one run.
#[derive(Default)]
pub struct Report {
    rows: Vec<FrameRow>,
    checks: Vec<(String, bool)>,
    left_out: Vec<String>,
}

impl Report {
    /// Adds a compared frame.
    pub fn frame(&mut self, what: &str, frame: String, difference: FrameDifference) {
        self.rows.push(FrameRow {
            what: what.to_owned(),
            frame,
            difference,
        });
    }

    /// Records a golden case not played on ARM in this run.
    pub fn left_out(&mut self, case: String) {
        self.left_out.push(case);
    }

    /// Records a check and whether it held; a failed one fails the run at the end.
    pub fn check(&mut self, description: String, held: bool) {
        println!("{} {description}", if held { "ok:" } else { "FAILED:" });
        self.checks.push((description, held));
    }

    /// The report as Markdown: the checks, a summary per thing drawn, then every frame.
    pub fn markdown(&self) -> String {
        let mut text = String::from("# AArch64 (qemu, Cortex-A76) against x86-64\n\n## Checks\n\n");
        for (description, held) in &self.checks {
            let _ = writeln!(
                text,
                "- {}: {description}",
                if *held { "ok" } else { "FAILED" }
            );
        }
        for case in &self.left_out {
            let _ = writeln!(text, "- SKIPPED (over the case budget): golden case {case}");
        }
        text.push_str(
            "\n## Per effect\n\n| drawn | frames | identical | largest difference | \
             largest mean difference |\n|---|---|---|---|---|\n",
        );
        let mut groups: Vec<&str> = self.rows.iter().map(|row| row.what.as_str()).collect();
        groups.dedup();
        for group in groups {
            let rows: Vec<&FrameRow> = self.rows.iter().filter(|row| row.what == group).collect();
            let identical = rows
                .iter()
                .filter(|row| row.difference.is_identical())
                .count();
            let largest = rows
                .iter()
                .map(|row| row.difference.largest)
                .max()
                .unwrap_or(0);
            let mean = rows
                .iter()
                .map(|row| row.difference.mean)
                .fold(0.0, f64::max);
            let _ = writeln!(
                text,
                "| {group} | {} | {identical} | {largest} | {mean:.4} |",
                rows.len()
            );
        }
        text.push_str(
            "\n## Per frame\n\n| drawn | frame | largest | mean | samples differing |\n\
             |---|---|---|---|---|\n",
        );
        for row in &self.rows {
            let _ = writeln!(
                text,
                "| {} | {} | {} | {:.4} | {:.3} % |",
                row.what,
                row.frame,
                row.difference.largest,
                row.difference.mean,
                row.difference.differing * 100.0
            );
        }
        text
    }

    /// Prints the report, writes it to `path` and fails if any check failed.
    pub fn finish(&self, path: &Path) -> Result<()> {
        let text = self.markdown();
        println!("\n{text}");
        crate::digest::write_atomically(path, text.as_bytes())?;
        println!("aarch64: report written to {}", path.display());
        let failed: Vec<&str> = self
            .checks
            .iter()
            .filter(|(_, held)| !held)
            .map(|(description, _)| description.as_str())
            .collect();
        if !failed.is_empty() {
            bail!("on AArch64: {}", failed.join("; "));
        }
        Ok(())
    }
}
