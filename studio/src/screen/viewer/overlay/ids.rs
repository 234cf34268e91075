//! Landmark ids: the mesh points near the mouse pointer are numbered (all 468 at once
//! would be unreadable at any size a face has on screen), the nearest one with its frame
//! coordinates, so a designer can find the index a plugin or a region needs.

use iced::widget::canvas::Frame;
use iced::{Color, Point, Size};

use super::label;

/// How far from the pointer, in screen pixels, points are numbered.
pub const RADIUS: f32 = 56.0;
/// Most points numbered at once.
pub const MOST: usize = 24;

const NEAREST: Color = Color::from_rgb(1.0, 0.9, 0.3);
const NEARBY: Color = Color::from_rgba(1.0, 1.0, 1.0, 0.9);

/// The points within `radius` of `pointer`, nearest first, at most `most`: each point's
/// index and distance.
pub fn nearby(points: &[Point], pointer: Point, radius: f32, most: usize) -> Vec<(usize, f32)> {
    let mut near: Vec<(usize, f32)> = points
        .iter()
        .enumerate()
        .map(|(index, point)| (index, point.distance(pointer)))
        .filter(|(_, distance)| *distance <= radius)
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    near.truncate(most);
    near
}

/// Numbers the points of one face near `pointer`; `on_screen` are the face's landmarks
/// mapped to the canvas, `in_frame` the same in frame pixels.
pub(super) fn draw(frame: &mut Frame, on_screen: &[Point], in_frame: &[[f32; 2]], pointer: Point) {
    let near = nearby(on_screen, pointer, RADIUS, MOST);
    for (rank, (index, _)) in near.iter().enumerate().rev() {
        let point = on_screen[*index];
        let (color, side) = if rank == 0 {
            (NEAREST, 5.0)
        } else {
            (NEARBY, 3.0)
        };
        frame.fill_rectangle(
            Point::new(point.x - side / 2.0, point.y - side / 2.0),
            Size::new(side, side),
            color,
        );
        let text = if rank == 0 {
            let [x, y] = in_frame[*index];
            format!("#{index} ({x:.0}, {y:.0})")
        } else {
            index.to_string()
        };
        label(
            frame,
            Point::new(point.x + 3.0, point.y - 13.0),
            &text,
            color,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_near_points_are_numbered_nearest_first() {
        let points = [
            Point::new(0.0, 0.0),
            Point::new(10.0, 0.0),
            Point::new(3.0, 0.0),
            Point::new(100.0, 0.0),
        ];
        let near = nearby(&points, Point::new(2.0, 0.0), 20.0, 10);
        let order: Vec<usize> = near.iter().map(|(index, _)| *index).collect();
        assert_eq!(order, [2, 0, 1]);
        assert_eq!(nearby(&points, Point::new(2.0, 0.0), 20.0, 2).len(), 2);
        assert!(nearby(&points, Point::new(50.0, 50.0), 20.0, 10).is_empty());
    }
}
