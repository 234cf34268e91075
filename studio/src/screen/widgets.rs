//! Small pieces of look shared by the panels: captions, tooltips and titled panels.

use iced::widget::{column, container, text};
use iced::{Element, Fill, Font, Theme};

/// A small, quiet label above a field.
pub fn caption<'a, Message: 'a>(label: impl text::IntoFragment<'a>) -> Element<'a, Message> {
    text(label).size(12).style(text::secondary).into()
}

/// A tooltip's body.
pub fn tip<'a, Message: 'a>(label: &'a str) -> Element<'a, Message> {
    container(text(label).size(13))
        .padding(6)
        .style(container::bordered_box)
        .into()
}

/// A panel with a title over its content.
pub fn panel<'a, Message: 'a>(
    title: impl text::IntoFragment<'a>,
    content: impl Into<Element<'a, Message>>,
) -> Element<'a, Message> {
    container(
        column![text(title).size(15).font(Font::MONOSPACE), content.into()]
            .spacing(8)
            .width(Fill),
    )
    .padding(10)
    .style(container::rounded_box)
    .into()
}

/// A panel whose title is a button that folds it to the title and back; `content` is made
/// only when shown.
pub fn foldable_panel<'a, Message: Clone + 'a>(
    title: &'a str,
    folded: bool,
    fold: Message,
    content: impl FnOnce() -> Element<'a, Message>,
) -> Element<'a, Message> {
    let header = iced::widget::button(
        text(format!("{} {title}", if folded { "+" } else { "-" }))
            .size(15)
            .font(Font::MONOSPACE),
    )
    .padding(0)
    .style(iced::widget::button::text)
    .on_press(fold);
    let mut body = column![header].spacing(8).width(Fill);
    if !folded {
        body = body.push(content());
    }
    container(body)
        .padding(10)
        .style(container::rounded_box)
        .into()
}

/// Monospaced text for numbers and paths that should line up.
pub fn mono<'a>(content: impl text::IntoFragment<'a>) -> text::Text<'a, Theme> {
    text(content).font(Font::MONOSPACE).size(13)
}
