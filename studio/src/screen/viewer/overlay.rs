//! What the designer may draw over the rendered frame: the face mesh, the stable crop,
//! the head pose's axes, and the expression meters with their triggers' thresholds (a
//! meter lights up while its trigger is on).

use iced::widget::canvas::{self, Frame, Geometry, Path, Stroke};
use iced::{Color, Point, Rectangle, Renderer, Size, Theme, mouse};

use crate::preview_bridge::FaceOverlay;

/// Which overlays are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overlays {
    /// The 468 mesh points.
    pub mesh: bool,
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
        self.mesh || self.crop || self.pose || self.meters
    }
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

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let (origin, scale) = contain(self.image_size, bounds.size());
        let at = |[x, y]: [f32; 2]| Point::new(origin.x + x * scale, origin.y + y * scale);
        for face in self.faces {
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
        if self.overlays.meters {
            let bottom_left = Point::new(origin.x, origin.y + self.image_size.height * scale);
            self.draw_meters(&mut frame, theme, bottom_left);
        }
        vec![frame.into_geometry()]
    }
}

impl OverlayCanvas<'_> {
    /// One bar per trigger rule (the first face's score), with ticks at its on and off
    /// levels, filled bright while the rule is on; then every other expression, plain.
    fn draw_meters(&self, frame: &mut Frame, theme: &Theme, corner: Point) {
        let Some(face) = self.faces.first() else {
            return;
        };
        let palette = theme.extended_palette();
        // In the picture's bottom-left corner, away from the face in most framings.
        let (left, width, row) = (corner.x + 10.0, 150.0, 18.0);
        let rows_count = self.meters.len()
            + face
                .scores
                .iter()
                .filter(|(name, _)| !self.meters.iter().any(|meter| &meter.expression == name))
                .count();
        let mut top = (corner.y - 10.0 - rows_count as f32 * row).max(0.0);
        let score_of = |name: &str| {
            face.scores
                .iter()
                .find(|(expression, _)| expression == name)
                .map_or(0.0, |(_, score)| *score)
        };
        let mut rows: Vec<MeterRow> = self
            .meters
            .iter()
            .map(|meter| MeterRow {
                name: format!("{} ({})", meter.rule, meter.expression),
                score: score_of(&meter.expression),
                levels: Some((meter.on, meter.off)),
                on: face.triggers_on.contains(&meter.rule),
            })
            .collect();
        rows.extend(
            face.scores
                .iter()
                .filter(|(name, _)| !self.meters.iter().any(|meter| &meter.expression == name))
                .map(|(name, score)| MeterRow {
                    name: name.clone(),
                    score: *score,
                    levels: None,
                    on: false,
                }),
        );
        let backdrop = Size::new(width + 140.0, rows.len() as f32 * row + 8.0);
        frame.fill_rectangle(
            Point::new(left - 4.0, top - 4.0),
            backdrop,
            Color::from_rgba(0.0, 0.0, 0.0, 0.55),
        );
        for MeterRow {
            name,
            score,
            levels,
            on,
        } in rows
        {
            let bar_top = top + 4.0;
            frame.fill_rectangle(
                Point::new(left, bar_top),
                Size::new(width, 8.0),
                Color::from_rgba(1.0, 1.0, 1.0, 0.15),
            );
            let fill = if on {
                palette.success.base.color
            } else if levels.is_some() {
                palette.primary.base.color
            } else {
                Color::from_rgba(1.0, 1.0, 1.0, 0.5)
            };
            frame.fill_rectangle(
                Point::new(left, bar_top),
                Size::new(width * score.clamp(0.0, 1.0), 8.0),
                fill,
            );
            if let Some((on_level, off_level)) = levels {
                for (level, color) in [
                    (on_level, Color::WHITE),
                    (off_level, Color::from_rgb(0.6, 0.6, 0.6)),
                ] {
                    let x = left + width * level;
                    frame.stroke(
                        &Path::line(Point::new(x, bar_top - 3.0), Point::new(x, bar_top + 11.0)),
                        Stroke::default().with_color(color).with_width(1.5),
                    );
                }
            }
            let color = if on {
                palette.success.strong.color
            } else {
                Color::WHITE
            };
            label(
                frame,
                Point::new(left + width + 8.0, top),
                &format!("{score:.2} {name}"),
                color,
            );
            top += row;
        }
    }
}

/// One meter: a trigger rule's expression (with its on and off levels) or a plain score.
struct MeterRow {
    name: String,
    score: f32,
    levels: Option<(f32, f32)>,
    on: bool,
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
