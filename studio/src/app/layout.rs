//! The studio's window: the toolbar, the preview, the side panels (each folding to its
//! title so the rest fits a small screen), the problems and the status line.

use iced::widget::{column, container, row, rule, scrollable, text};
use iced::{Element, Fill};

use super::{Message, Studio};
use crate::panels::Panel;
use crate::screen::widgets;

impl Studio {
    /// The window's content.
    pub fn view(&self) -> Element<'_, Message> {
        let toolbar = container(self.toolbar.view().map(Message::Toolbar)).padding([8, 12]);
        let viewer = container(self.viewer.view().map(Message::Viewer))
            .padding(8)
            .width(Fill)
            .height(Fill);
        let mut panels = column![].spacing(10).padding(8);
        if self.show_new_effect {
            panels = panels.push(widgets::panel(
                "New effect",
                self.new_effect.view().map(Message::NewEffect),
            ));
        }
        let folded = |panel: Panel| self.folded.is_folded(panel);
        panels = panels
            .push(widgets::foldable_panel(
                "Effect",
                folded(Panel::Effect),
                Message::Fold(Panel::Effect),
                || self.effect_info.view().map(Message::EffectInfo),
            ))
            .push(widgets::foldable_panel(
                "Layers",
                folded(Panel::Layers),
                Message::Fold(Panel::Layers),
                || self.layers.view().map(Message::Layers),
            ))
            .push(widgets::foldable_panel(
                "Triggers",
                folded(Panel::Triggers),
                Message::Fold(Panel::Triggers),
                || self.triggers.view().map(Message::Triggers),
            ))
            .push(widgets::foldable_panel(
                "Performance (last 2 s)",
                folded(Panel::Performance),
                Message::Fold(Panel::Performance),
                || self.performance.view().map(Message::Performance),
            ))
            .push(widgets::foldable_panel(
                "Export",
                folded(Panel::Export),
                Message::Fold(Panel::Export),
                || self.export.view().map(Message::Export),
            ))
            .push(widgets::foldable_panel(
                "Golden test",
                folded(Panel::Golden),
                Message::Fold(Panel::Golden),
                || self.golden.view().map(Message::Golden),
            ));
        let sidebar = scrollable(panels).width(440).height(Fill);
        let mut body = column![row![viewer, sidebar].height(Fill)];
        if !self.problems.is_empty() {
            body = body.push(
                container(widgets::panel(
                    "Problems",
                    scrollable(self.problems.view().map(Message::Problems)).height(iced::Shrink),
                ))
                .padding([0, 8])
                .max_height(260),
            );
        }
        let status = container(widgets::mono(self.status.as_str()).style(text::secondary))
            .padding([4, 12])
            .width(Fill);
        column![
            toolbar,
            rule::horizontal(1),
            body.height(Fill),
            rule::horizontal(1),
            status
        ]
        .into()
    }
}
