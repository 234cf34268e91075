//! A trigger rule's meter: its signal's live score as a bar, and its `on` (green) and
//! `off` (red) levels as handles the designer drags; the drag reports each new level and
//! its end, when the studio writes it.

use iced::mouse;
use iced::widget::canvas::{self, Action, Event, Frame, Geometry, Path, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme};

use super::Message;

/// One of a rule's two levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The score that starts the rule.
    On,
    /// The score that ends it.
    Off,
}

/// The meter of rule `rule`.
#[derive(Debug, Clone, Copy)]
pub struct LevelMeter {
    /// The rule's place in the list.
    pub rule: usize,
    /// The face's score on the rule's signal, if a face is in view.
    pub score: Option<f32>,
    /// The `on` level.
    pub on: f32,
    /// The `off` level.
    pub off: f32,
}

const ON: Color = Color::from_rgb(0.3, 0.9, 0.45);
const OFF: Color = Color::from_rgb(0.95, 0.35, 0.35);

/// The level a point across `width` stands for, 0..=1.
pub fn level_at(x: f32, width: f32) -> f32 {
    if width <= 0.0 {
        return 0.0;
    }
    (x / width).clamp(0.0, 1.0)
}

/// The handle nearer to `value`: `on` when they tie above it, `off` below.
pub fn nearer_handle(value: f32, on: f32, off: f32) -> Level {
    let to_on = (value - on).abs();
    let to_off = (value - off).abs();
    if to_on < to_off || (to_on == to_off && value >= on) {
        Level::On
    } else {
        Level::Off
    }
}

impl canvas::Program<Message> for LevelMeter {
    /// The level being dragged.
    type State = Option<Level>;

    fn update(
        &self,
        dragging: &mut Option<Level>,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<Message>> {
        match event {
            Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) => {
                let at = cursor.position_in(bounds)?;
                let value = level_at(at.x, bounds.width);
                let level = nearer_handle(value, self.on, self.off);
                *dragging = Some(level);
                Some(Action::publish(Message::LevelDragged(self.rule, level, value)).and_capture())
            }
            Event::Mouse(mouse::Event::CursorMoved { .. }) => {
                let level = (*dragging)?;
                let position = cursor.position()?;
                let value = level_at(position.x - bounds.x, bounds.width);
                Some(Action::publish(Message::LevelDragged(self.rule, level, value)).and_capture())
            }
            Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left)) => {
                let level = dragging.take()?;
                Some(Action::publish(Message::LevelReleased(self.rule, level)).and_capture())
            }
            _ => None,
        }
    }

    fn draw(
        &self,
        _dragging: &Option<Level>,
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let palette = theme.extended_palette();
        let (width, height) = (bounds.width, bounds.height);
        frame.fill_rectangle(
            Point::new(0.0, height * 0.25),
            Size::new(width, height * 0.5),
            palette.background.weak.color,
        );
        if let Some(score) = self.score {
            let lit = score >= self.on;
            frame.fill_rectangle(
                Point::new(0.0, height * 0.25),
                Size::new(width * score.clamp(0.0, 1.0), height * 0.5),
                if lit {
                    palette.primary.strong.color
                } else {
                    palette.secondary.base.color
                },
            );
        }
        for (level, color) in [(self.off, OFF), (self.on, ON)] {
            let x = width * level.clamp(0.0, 1.0);
            frame.stroke(
                &Path::line(Point::new(x, 0.0), Point::new(x, height)),
                Stroke::default().with_color(color).with_width(3.0),
            );
        }
        vec![frame.into_geometry()]
    }

    fn mouse_interaction(
        &self,
        dragging: &Option<Level>,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        if dragging.is_some() {
            mouse::Interaction::Grabbing
        } else if cursor.is_over(bounds) {
            mouse::Interaction::Grab
        } else {
            mouse::Interaction::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_press_takes_the_nearer_handle() {
        assert_eq!(nearer_handle(0.7, 0.6, 0.4), Level::On);
        assert_eq!(nearer_handle(0.3, 0.6, 0.4), Level::Off);
        assert_eq!(nearer_handle(0.5, 0.5, 0.5), Level::On);
        assert_eq!(nearer_handle(0.45, 0.5, 0.5), Level::Off);
        assert_eq!(level_at(150.0, 300.0), 0.5);
        assert_eq!(level_at(-4.0, 300.0), 0.0);
    }
}
