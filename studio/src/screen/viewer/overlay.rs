//! What the designer may draw over the rendered frame: the face mesh, the ids of the
//! landmarks near the pointer, the stable crop, the head pose's axes, and the expression
//! meters with their triggers' thresholds; a trigger that starts or ends flashes on its
//! meter and over the face.

mod ids;
mod meters;

use iced::widget::Action;
use iced::widget::canvas::{self, Event, Frame, Geometry, Path, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, mouse};

use crate::preview_bridge::FaceOverlay;

/// The mesh point at the top of the forehead, where trigger flashes are written.
const FOREHEAD: usize = 10;

/// Which overlays are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Overlays {
    /// The 468 mesh points.
    pub mesh: bool,
    /// The ids of the mesh points near the pointer.
    pub ids: bool,
    /// The stable face crop.
    pub crop: bool,
    /// The head pose's axes and angles.
    pub pose: bool,
    /// Expression meters with trigger thresholds.
    pub meters: bool,
}

impl Overlays {
    /// True when anything is drawn.
    pub fn any(self) -> bool {
        self.mesh || self.ids || self.crop || self.pose || self.meters
    }
}

/// A trigger that just started or ended, fading out.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    /// The face.
    pub face_id: u32,
    /// The rule.
    pub rule: String,
    /// Started (else ended).
    pub started: bool,
    /// When the frame that brought it was shown.
    pub shown_at: std::time::Instant,
    /// 1 when it happened, falling to 0.
    pub strength: f32,
}

/// A trigger rule as a meter: the expression it listens to and its levels.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerMeter {
    /// The rule's name.
    pub rule: String,
    /// The expression's name.
    pub expression: String,
    /// The level that turns it on.
    pub on: f32,
    /// The level that turns it off.
    pub off: f32,
}

/// The overlay of one frame, drawn over an image of `image_size` shown with
/// `ContentFit::Contain`.
#[derive(Debug)]
pub struct OverlayCanvas<'a> {
    /// The frame's size in pixels.
    pub image_size: Size,
    /// The faces.
    pub faces: &'a [FaceOverlay],
    /// What to draw.
    pub overlays: Overlays,
    /// The meters.
    pub meters: &'a [TriggerMeter],
    /// The triggers that just started or ended.
    pub flashes: &'a [Flash],
}

/// Where the image lands inside `bounds`: its top-left and its scale.
pub fn contain(image: Size, bounds: Size) -> (Point, f32) {
    if image.width <= 0.0 || image.height <= 0.0 {
        return (Point::ORIGIN, 1.0);
    }
    let scale = (bounds.width / image.width).min(bounds.height / image.height);
    let left = (bounds.width - image.width * scale) / 2.0;
    let top = (bounds.height - image.height * scale) / 2.0;
    (Point::new(left, top), scale)
}

const MESH: Color = Color::from_rgba(0.35, 1.0, 0.75, 0.85);
const CROP: Color = Color::from_rgb(1.0, 0.85, 0.2);
const AXES: [Color; 3] = [
    Color::from_rgb(1.0, 0.3, 0.3),
    Color::from_rgb(0.3, 1.0, 0.3),
    Color::from_rgb(0.35, 0.55, 1.0),
];

impl<Message> canvas::Program<Message> for OverlayCanvas<'_> {
    type State = ();

    fn update(
        &self,
        _state: &mut (),
        event: &Event,
        _bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Option<Action<Message>> {
        // The ids follow the pointer.
        match event {
            Event::Mouse(mouse::Event::CursorMoved { .. } | mouse::Event::CursorLeft)
                if self.overlays.ids =>
            {
                Some(Action::request_redraw())
            }
            _ => None,
        }
    }

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let (origin, scale) = contain(self.image_size, bounds.size());
        let at = |[x, y]: [f32; 2]| Point::new(origin.x + x * scale, origin.y + y * scale);
        let pointer = cursor.position_in(bounds);
        for face in self.faces {
            if self.overlays.ids
                && let Some(pointer) = pointer
            {
                let on_screen: Vec<Point> = face.landmarks.iter().map(|point| at(*point)).collect();
                ids::draw(&mut frame, &on_screen, &face.landmarks, pointer);
            }
            if let Some(top) = face.landmarks.get(FOREHEAD) {
                self.draw_flashes(&mut frame, theme, face.id, at(*top));
            }
            if self.overlays.mesh {
                for point in &face.landmarks {
                    let p = at(*point);
                    frame.fill_rectangle(
                        Point::new(p.x - 1.0, p.y - 1.0),
                        Size::new(2.0, 2.0),
                        MESH,
                    );
                }
            }
            if self.overlays.crop
                && let Some(corners) = face.crop_corners
            {
                let outline = Path::new(|builder| {
                    builder.move_to(at(corners[0]));
                    for corner in &corners[1..] {
                        builder.line_to(at(*corner));
                    }
                    builder.close();
                });
                frame.stroke(&outline, Stroke::default().with_color(CROP).with_width(2.0));
                label(
                    &mut frame,
                    at(corners[0]),
                    &format!("face {}", face.id),
                    CROP,
                );
            }
            if self.overlays.pose
                && let Some(pose) = face.pose
            {
                let from = at(pose.origin);
                for (axis, color) in pose.axes.iter().zip(AXES) {
                    frame.stroke(
                        &Path::line(from, at(*axis)),
                        Stroke::default().with_color(color).with_width(3.0),
                    );
                }
                label(
                    &mut frame,
                    Point::new(from.x + 6.0, from.y + 6.0),
                    &format!(
                        "yaw {:.0}° pitch {:.0}° roll {:.0}°",
                        pose.yaw, pose.pitch, pose.roll
                    ),
                    Color::WHITE,
                );
            }
        }
        if self.overlays.ids && pointer.is_none() && !self.faces.is_empty() {
            label(
                &mut frame,
                Point::new(origin.x + 8.0, origin.y + 8.0),
                "point at a face to see its landmark ids",
                Color::WHITE,
            );
        }
        if self.overlays.meters {
            let bottom_left = Point::new(origin.x, origin.y + self.image_size.height * scale);
            meters::draw(
                &mut frame,
                theme,
                bottom_left,
                self.faces,
                self.meters,
                self.flashes,
            );
        }
        vec![frame.into_geometry()]
    }
}

impl OverlayCanvas<'_> {
    /// The triggers that just started (▲) or ended (▼) on face `face_id`, stacked above
    /// the top of its forehead, fading.
    fn draw_flashes(&self, frame: &mut Frame, theme: &Theme, face_id: u32, forehead: Point) {
        let palette = theme.extended_palette();
        let mut y = forehead.y - 22.0;
        for flash in self.flashes.iter().filter(|flash| flash.face_id == face_id) {
            let (mark, color) = if flash.started {
                ("▲", palette.success.strong.color)
            } else {
                ("▼", palette.danger.strong.color)
            };
            let text = format!("{mark} {}", flash.rule);
            let width = 8.0 * text.chars().count() as f32 + 8.0;
            frame.fill_rectangle(
                Point::new(forehead.x - width / 2.0, y - 2.0),
                Size::new(width, 18.0),
                Color::from_rgba(0.0, 0.0, 0.0, 0.6 * flash.strength),
            );
            label(
                frame,
                Point::new(forehead.x - width / 2.0 + 4.0, y),
                &text,
                Color {
                    a: flash.strength,
                    ..color
                },
            );
            y -= 20.0;
        }
    }
}

fn label(frame: &mut Frame, position: Point, content: &str, color: Color) {
    frame.fill_text(canvas::Text {
        content: content.to_owned(),
        position,
        color,
        size: 12.0.into(),
        ..canvas::Text::default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contain_centres_the_image() {
        let (origin, scale) = contain(Size::new(200.0, 100.0), Size::new(400.0, 400.0));
        assert_eq!(scale, 2.0);
        assert_eq!(origin, Point::new(0.0, 100.0));
        let (origin, scale) = contain(Size::new(100.0, 100.0), Size::new(300.0, 200.0));
        assert_eq!(scale, 2.0);
        assert_eq!(origin, Point::new(50.0, 0.0));
    }
}
