//! The side panels and which of them the designer folded to their titles (remembered in
//! the settings file, and set at start with `--fold`), so the rest fits a small screen.

use serde::{Deserialize, Serialize};

/// One side panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// The effect's details and budget.
    Effect,
    /// The layers and their editor.
    Layers,
    /// The trigger rules.
    Triggers,
    /// Stage timings.
    Performance,
    /// Validate, pack and sign.
    Export,
    /// Record golden frames.
    Golden,
}

impl Panel {
    /// Every panel, top to bottom.
    pub const ALL: [Panel; 6] = [
        Panel::Effect,
        Panel::Layers,
        Panel::Triggers,
        Panel::Performance,
        Panel::Export,
        Panel::Golden,
    ];

    /// Its title in the side bar.
    pub fn title(self) -> &'static str {
        match self {
            Panel::Effect => "Effect",
            Panel::Layers => "Layers",
            Panel::Triggers => "Triggers",
            Panel::Performance => "Performance (last 2 s)",
            Panel::Export => "Export",
            Panel::Golden => "Golden test",
        }
    }

    /// Its name on the command line (`--fold layers,export`).
    pub fn name(self) -> &'static str {
        match self {
            Panel::Effect => "effect",
            Panel::Layers => "layers",
            Panel::Triggers => "triggers",
            Panel::Performance => "performance",
            Panel::Export => "export",
            Panel::Golden => "golden",
        }
    }
}

/// Which panels are folded. At first only the effect panel is: its details and budget are
/// set once, the layers and triggers all the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FoldedPanels {
    /// The effect panel.
    pub effect: bool,
    /// The layers panel.
    pub layers: bool,
    /// The triggers panel.
    pub triggers: bool,
    /// The performance panel.
    pub performance: bool,
    /// The export panel.
    pub export: bool,
    /// The golden-test panel.
    pub golden: bool,
}

impl Default for FoldedPanels {
    fn default() -> Self {
        Self {
            effect: true,
            ..Self::none()
        }
    }
}

impl FoldedPanels {
    /// Every panel open.
    pub fn none() -> Self {
        Self {
            effect: false,
            layers: false,
            triggers: false,
            performance: false,
            export: false,
            golden: false,
        }
    }

    fn flag(&mut self, panel: Panel) -> &mut bool {
        match panel {
            Panel::Effect => &mut self.effect,
            Panel::Layers => &mut self.layers,
            Panel::Triggers => &mut self.triggers,
            Panel::Performance => &mut self.performance,
            Panel::Export => &mut self.export,
            Panel::Golden => &mut self.golden,
        }
    }

    /// Whether `panel` is folded.
    pub fn is_folded(mut self, panel: Panel) -> bool {
        *self.flag(panel)
    }

    /// Folds `panel` if open, opens it if folded.
    pub fn toggle(&mut self, panel: Panel) {
        let flag = self.flag(panel);
        *flag = !*flag;
    }

    /// The panels named (`layers`, `triggers`, …; `none` folds none); unknown names are
    /// left to the command line's own check.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut folded = Self::none();
        for name in names {
            if let Some(panel) = Panel::ALL.into_iter().find(|panel| panel.name() == name) {
                *folded.flag(panel) = true;
            }
        }
        folded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_fold_by_name_and_toggle() {
        let mut folded = FoldedPanels::from_names(["layers", "export"]);
        assert!(folded.is_folded(Panel::Layers) && folded.is_folded(Panel::Export));
        assert!(!folded.is_folded(Panel::Triggers));
        folded.toggle(Panel::Layers);
        assert!(!folded.is_folded(Panel::Layers));
        assert_eq!(FoldedPanels::from_names(["none"]), FoldedPanels::none());
        assert!(FoldedPanels::default().is_folded(Panel::Effect));
    }
}
