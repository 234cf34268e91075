//! The expression meters: one panel per face in the picture's bottom-left corner, a bar
//! per trigger rule with ticks at its `on` and `off` levels (lit while the rule is on for
//! that face, flashing as it starts or ends), then every other expression score.

use iced::widget::canvas::{Frame, Path, Stroke};
use iced::{Color, Point, Size, Theme};

use super::{Flash, TriggerMeter, label};
use crate::preview_bridge::FaceOverlay;

/// Width of a meter's bar.
const BAR_WIDTH: f32 = 150.0;
/// Width of a whole panel: the bar, its figure and its name.
const PANEL_WIDTH: f32 = BAR_WIDTH + 150.0;
/// Height of one meter.
const ROW_HEIGHT: f32 = 18.0;

/// One meter: a trigger rule's expression (with its on and off levels) or a plain score.
struct MeterRow {
    name: String,
    score: f32,
    levels: Option<(f32, f32)>,
    on: bool,
    /// How bright the rule's start or end flash still is (0 when none), and which it was.
    flash: Option<(f32, bool)>,
}

/// Draws a panel for each face, left to right from `corner` (the picture's bottom-left).
pub(super) fn draw(
    frame: &mut Frame,
    theme: &Theme,
    corner: Point,
    faces: &[FaceOverlay],
    meters: &[TriggerMeter],
    flashes: &[Flash],
) {
    for (column, face) in faces.iter().enumerate() {
        let rows = rows(face, meters, flashes);
        let left = corner.x + 10.0 + column as f32 * (PANEL_WIDTH + 12.0);
        let height = (rows.len() + 1) as f32 * ROW_HEIGHT + 8.0;
        let top = (corner.y - 10.0 - height).max(0.0);
        draw_panel(frame, theme, Point::new(left, top), face.id, rows);
    }
}

fn rows(face: &FaceOverlay, meters: &[TriggerMeter], flashes: &[Flash]) -> Vec<MeterRow> {
    let score_of = |name: &str| {
        face.scores
            .iter()
            .find(|(expression, _)| expression == name)
            .map_or(0.0, |(_, score)| *score)
    };
    let mut rows: Vec<MeterRow> = meters
        .iter()
        .map(|meter| MeterRow {
            name: format!("{} ({})", meter.rule, meter.expression),
            score: score_of(&meter.expression),
            levels: Some((meter.on, meter.off)),
            on: face.triggers_on.contains(&meter.rule),
            flash: flashes
                .iter()
                .rev()
                .find(|flash| flash.face_id == face.id && flash.rule == meter.rule)
                .map(|flash| (flash.strength, flash.started)),
        })
        .collect();
    rows.extend(
        face.scores
            .iter()
            .filter(|(name, _)| !meters.iter().any(|meter| &meter.expression == name))
            .map(|(name, score)| MeterRow {
                name: name.clone(),
                score: *score,
                levels: None,
                on: false,
                flash: None,
            }),
    );
    rows
}

fn draw_panel(
    frame: &mut Frame,
    theme: &Theme,
    top_left: Point,
    face_id: u32,
    rows: Vec<MeterRow>,
) {
    let palette = theme.extended_palette();
    let (left, mut top) = (top_left.x, top_left.y);
    frame.fill_rectangle(
        Point::new(left - 4.0, top - 4.0),
        Size::new(PANEL_WIDTH, (rows.len() + 1) as f32 * ROW_HEIGHT + 8.0),
        Color::from_rgba(0.0, 0.0, 0.0, 0.55),
    );
    label(
        frame,
        Point::new(left, top),
        &format!("face {face_id}"),
        Color::WHITE,
    );
    top += ROW_HEIGHT;
    for row in rows {
        let bar_top = top + 4.0;
        if let Some((strength, started)) = row.flash {
            let glow = if started {
                palette.success.base.color
            } else {
                palette.danger.base.color
            };
            frame.fill_rectangle(
                Point::new(left - 3.0, top - 1.0),
                Size::new(PANEL_WIDTH - 2.0, ROW_HEIGHT),
                Color {
                    a: 0.6 * strength,
                    ..glow
                },
            );
        }
        frame.fill_rectangle(
            Point::new(left, bar_top),
            Size::new(BAR_WIDTH, 8.0),
            Color::from_rgba(1.0, 1.0, 1.0, 0.15),
        );
        let fill = if row.on {
            palette.success.base.color
        } else if row.levels.is_some() {
            palette.primary.base.color
        } else {
            Color::from_rgba(1.0, 1.0, 1.0, 0.5)
        };
        frame.fill_rectangle(
            Point::new(left, bar_top),
            Size::new(BAR_WIDTH * row.score.clamp(0.0, 1.0), 8.0),
            fill,
        );
        if let Some((on_level, off_level)) = row.levels {
            for (level, color) in [
                (on_level, Color::WHITE),
                (off_level, Color::from_rgb(0.6, 0.6, 0.6)),
            ] {
                let x = left + BAR_WIDTH * level;
                frame.stroke(
                    &Path::line(Point::new(x, bar_top - 3.0), Point::new(x, bar_top + 11.0)),
                    Stroke::default().with_color(color).with_width(1.5),
                );
            }
        }
        let color = if row.on {
            palette.success.strong.color
        } else {
            Color::WHITE
        };
        label(
            frame,
            Point::new(left + BAR_WIDTH + 8.0, top),
            &format!("{:.2} {}", row.score, row.name),
            color,
        );
        top += ROW_HEIGHT;
    }
}
