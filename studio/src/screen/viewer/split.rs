//! The split (wipe) view: the source left of a divider, the result right of it, in one
//! picture; dragging the divider (or clicking anywhere on the picture) moves it.
//!
//! The picture is composed from the two frames' pixels ([`compose`]) rather than by
//! clipping one image over the other: iced's software renderer ignores a clip on images.
//! The canvas draws only the divider and takes the drags.

use iced::widget::Action;
use iced::widget::canvas::{self, Event, Frame, Geometry, Path, Stroke};
use iced::widget::image::Handle;
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, mouse};

use super::overlay::contain;
use crate::preview_bridge::PreviewImage;

/// The divider over a picture of `image_size`.
#[derive(Debug)]
pub struct SplitCanvas {
    /// The frame's size in pixels.
    pub image_size: Size,
    /// The divider's place across the picture, 0..=1 (0: all result, 1: all source).
    pub position: f32,
}

/// The column where the divider falls in a picture `width` pixels wide.
pub fn divider_column(width: u32, position: f32) -> usize {
    (width as f32 * position.clamp(0.0, 1.0)).round() as usize
}

/// One picture: `before`'s pixels left of the divider, `after`'s right of it. `None` when
/// either is not RGBA pixels or their sizes differ.
pub fn compose(before: &PreviewImage, after: &PreviewImage, position: f32) -> Option<PreviewImage> {
    let (Handle::Rgba { pixels: left, .. }, Handle::Rgba { pixels: right, .. }) =
        (&before.handle, &after.handle)
    else {
        return None;
    };
    let (width, height) = (after.width, after.height);
    let row = width as usize * 4;
    if (before.width, before.height) != (width, height)
        || left.len() != row * height as usize
        || right.len() != left.len()
    {
        return None;
    }
    let cut = divider_column(width, position) * 4;
    let mut pixels = Vec::with_capacity(left.len());
    for (left_row, right_row) in left.chunks_exact(row).zip(right.chunks_exact(row)) {
        pixels.extend_from_slice(&left_row[..cut]);
        pixels.extend_from_slice(&right_row[cut..]);
    }
    Some(PreviewImage::from_rgba(width, height, pixels))
}

/// Whether the divider is being dragged.
#[derive(Debug, Default)]
pub struct DragState {
    dragging: bool,
}

/// Where a pointer at `x` (canvas pixels) puts the divider, for a picture that starts at
/// `left` and is `width` wide.
pub fn position_at(x: f32, left: f32, width: f32) -> f32 {
    if width <= 0.0 {
        return 0.5;
    }
    ((x - left) / width).clamp(0.0, 1.0)
}

impl<Message> canvas::Program<Message> for SplitCanvas
where
    Message: From<SplitMoved>,
{
    type State = DragState;

    fn update(
        &self,
        state: &mut DragState,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<Message>> {
        let (origin, scale) = contain(self.image_size, bounds.size());
        let moved = |pointer: Point| {
            let position = position_at(pointer.x, origin.x, self.image_size.width * scale);
            Action::publish(Message::from(SplitMoved(position))).and_capture()
        };
        match event {
            Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) => {
                let pointer = cursor.position_in(bounds)?;
                state.dragging = true;
                Some(moved(pointer))
            }
            Event::Mouse(mouse::Event::CursorMoved { .. }) if state.dragging => {
                cursor.position_in(bounds).map(moved)
            }
            Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left)) if state.dragging => {
                state.dragging = false;
                Some(Action::capture())
            }
            _ => None,
        }
    }

    fn draw(
        &self,
        _state: &DragState,
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let (origin, scale) = contain(self.image_size, bounds.size());
        let picture = Rectangle::new(origin, self.image_size * scale);
        let column = divider_column(self.image_size.width as u32, self.position);
        let divider = picture.x + column as f32 * scale;
        frame.stroke(
            &Path::line(
                Point::new(divider, picture.y),
                Point::new(divider, picture.y + picture.height),
            ),
            Stroke::default().with_color(Color::WHITE).with_width(2.0),
        );
        let handle = Path::circle(Point::new(divider, picture.y + picture.height / 2.0), 9.0);
        frame.fill(&handle, Color::WHITE);
        for (text, x) in [
            ("before", picture.x + 8.0),
            ("after", picture.x + picture.width - 48.0),
        ] {
            frame.fill_text(canvas::Text {
                content: text.to_owned(),
                position: Point::new(x, picture.y + 8.0),
                color: Color::WHITE,
                size: 13.0.into(),
                ..canvas::Text::default()
            });
        }
        vec![frame.into_geometry()]
    }

    fn mouse_interaction(
        &self,
        _state: &DragState,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        if cursor.is_over(bounds) {
            mouse::Interaction::ResizingHorizontally
        } else {
            mouse::Interaction::default()
        }
    }
}

/// The divider moved to this place (0..=1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitMoved(pub f32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_divider_follows_the_pointer_within_the_picture() {
        assert_eq!(position_at(150.0, 100.0, 200.0), 0.25);
        assert_eq!(position_at(50.0, 100.0, 200.0), 0.0);
        assert_eq!(position_at(400.0, 100.0, 200.0), 1.0);
        assert_eq!(position_at(10.0, 0.0, 0.0), 0.5);
    }

    #[test]
    fn composing_takes_the_source_left_of_the_divider() {
        let before = PreviewImage::from_rgba(4, 2, vec![1; 32]);
        let after = PreviewImage::from_rgba(4, 2, vec![9; 32]);
        let split = compose(&before, &after, 0.25).unwrap();
        let Handle::Rgba { pixels, .. } = split.handle else {
            panic!("not RGBA")
        };
        let first_row: Vec<u8> = pixels[..16].iter().step_by(4).copied().collect();
        assert_eq!(first_row, [1, 9, 9, 9]);
        assert_eq!(pixels.len(), 32);
        let smaller = PreviewImage::from_rgba(2, 2, vec![1; 16]);
        assert!(compose(&smaller, &after, 0.5).is_none());
    }
}
