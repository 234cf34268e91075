//! Placing a sticker on the face in the preview: while a sticker's anchor is being picked,
//! a click takes the mesh landmark nearest to it as the anchor; a drag moves the sticker
//! by the distance dragged (in face widths, as `offset` counts); the wheel scales it.

use iced::mouse;
use iced::widget::canvas::{self, Action, Event, Frame, Geometry};
use iced::{Point, Rectangle, Renderer, Size, Theme};

use super::Message;
use super::overlay::contain;
use crate::preview_bridge::FaceOverlay;

/// How far the pointer must travel before a press is a drag, in window pixels.
const DRAG_START: f32 = 4.0;

/// The mesh points that span a face's width (its left and right cheek edges).
const FACE_EDGES: (usize, usize) = (234, 454);

/// The picker over a picture of `image_size` showing `face`.
pub struct AnchorPicker<'a> {
    /// The picture's size in frame pixels.
    pub image_size: Size,
    /// The face whose landmarks can be picked.
    pub face: Option<&'a FaceOverlay>,
}

/// Where a press started, in window coordinates.
#[derive(Debug, Default)]
pub struct Press(Option<Point>);

/// The landmark of `face` nearest to `point` (frame pixels).
pub fn nearest_landmark(face: &FaceOverlay, point: [f32; 2]) -> Option<u32> {
    face.landmarks
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| {
            let distance = |p: &[f32; 2]| (p[0] - point[0]).powi(2) + (p[1] - point[1]).powi(2);
            distance(a).total_cmp(&distance(b))
        })
        .map(|(index, _)| index as u32)
}

/// The face's width in frame pixels (cheek edge to cheek edge).
pub fn face_width(face: &FaceOverlay) -> Option<f32> {
    let left = face.landmarks.get(FACE_EDGES.0)?;
    let right = face.landmarks.get(FACE_EDGES.1)?;
    let width = ((right[0] - left[0]).powi(2) + (right[1] - left[1]).powi(2)).sqrt();
    (width > 1.0).then_some(width)
}

impl AnchorPicker<'_> {
    /// A window point as frame pixels.
    fn to_frame(&self, bounds: Rectangle, point: Point) -> [f32; 2] {
        let (origin, scale) = contain(self.image_size, bounds.size());
        [
            (point.x - bounds.x - origin.x) / scale,
            (point.y - bounds.y - origin.y) / scale,
        ]
    }
}

impl canvas::Program<Message> for AnchorPicker<'_> {
    type State = Press;

    fn update(
        &self,
        press: &mut Press,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<Message>> {
        let face = self.face?;
        match event {
            Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) => {
                press.0 = Some(cursor.position_over(bounds)?);
                Some(Action::capture())
            }
            Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left)) => {
                let start = press.0.take()?;
                let end = cursor.position().unwrap_or(start);
                let moved = end - start;
                if moved.x.hypot(moved.y) < DRAG_START {
                    let landmark = nearest_landmark(face, self.to_frame(bounds, end))?;
                    return Some(Action::publish(Message::AnchorPicked(landmark)).and_capture());
                }
                let (_, scale) = contain(self.image_size, bounds.size());
                let width = face_width(face)? * scale;
                Some(
                    Action::publish(Message::StickerDragged([moved.x / width, moved.y / width]))
                        .and_capture(),
                )
            }
            Event::Mouse(mouse::Event::WheelScrolled { delta }) if cursor.is_over(bounds) => {
                let notches = match delta {
                    mouse::ScrollDelta::Lines { y, .. } => *y,
                    mouse::ScrollDelta::Pixels { y, .. } => *y / 40.0,
                };
                (notches != 0.0).then(|| {
                    Action::publish(Message::StickerScaled(1.1_f32.powf(notches))).and_capture()
                })
            }
            _ => None,
        }
    }

    fn draw(
        &self,
        _press: &Press,
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        // Nothing of its own: the mesh and ids overlays show the landmarks.
        vec![Frame::new(renderer, bounds.size()).into_geometry()]
    }

    fn mouse_interaction(
        &self,
        press: &Press,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        if press.0.is_some() {
            mouse::Interaction::Grabbing
        } else if cursor.is_over(bounds) {
            mouse::Interaction::Crosshair
        } else {
            mouse::Interaction::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_landmark_and_the_face_width_are_found() {
        let mut landmarks = vec![[0.0, 0.0]; 468];
        landmarks[151] = [100.0, 50.0];
        landmarks[234] = [60.0, 120.0];
        landmarks[454] = [180.0, 120.0];
        let face = FaceOverlay {
            landmarks,
            ..FaceOverlay::default()
        };
        assert_eq!(nearest_landmark(&face, [98.0, 53.0]), Some(151));
        assert_eq!(face_width(&face), Some(120.0));
    }
}
