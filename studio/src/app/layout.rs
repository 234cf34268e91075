//! The studio's window: the toolbar, the preview, the side panels (each folding to its
//! title so the rest fits a small screen), the problems and the status line.

use iced::widget::{column, container, row, rule, scrollable, text};
use iced::{Element, Fill};

use super::{Message, Studio};
use crate::panels::Panel;
use crate::screen::widgets;

impl Studio {
    /// What side panel `panel` shows when open.
    fn panel_content(&self, panel: Panel) -> Element<'_, Message> {
        match panel {
            Panel::Effect => self.effect_info.view().map(Message::EffectInfo),
            Panel::Layers => self.layers.view().map(Message::Layers),
            Panel::Triggers => self.triggers.view().map(Message::Triggers),
            Panel::Performance => self.performance.view().map(Message::Performance),
            Panel::Export => self.export.view().map(Message::Export),
            Panel::Golden => self.golden.view().map(Message::Golden),
        }
    }

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
        for panel in Panel::ALL {
            panels = panels.push(widgets::foldable_panel(
                panel.title(),
                self.folded.is_folded(panel),
                Message::Fold(panel),
                || self.panel_content(panel),
            ));
        }
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
