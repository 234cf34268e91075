//! The `sticker` layer: an image pinned to landmarks that follows the face's position,
//! size and roll. Its placement is smoothed per face with One Euro filters, so it holds
//! still on a still face without lagging behind a moving one.

use effect_api::Point2;
use effect_api::manifest::StickerLayer;

use crate::render::{DrawCommand, QuadDraw, Scene, TextureId};
use crate::smoothing::{OneEuro, SmoothingSettings};

/// The subject's right and left cheek extremes: the face's width.
const FACE_WIDTH_LANDMARKS: [usize; 2] = [234, 454];
/// The outer eye corners (subject's right, then left): the face's x axis.
const EYE_CORNERS: [usize; 2] = [33, 263];

/// Where a sticker goes on one face, before smoothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placement {
    /// The anchor (centre of the anchor landmarks), frame pixels.
    pub anchor: Point2,
    /// The face's width, frame pixels.
    pub face_width: f32,
    /// The face's roll: the angle of its x axis on screen, radians (clockwise positive,
    /// y down).
    pub roll: f32,
}

impl Placement {
    /// Measures the placement from landmarks; `None` when an index is missing or the
    /// face has no width.
    pub(crate) fn measure(landmarks: &[[f32; 3]], anchor: &[u32]) -> Option<Self> {
        let point = |index: usize| landmarks.get(index).map(|p| Point2::new(p[0], p[1]));
        let mut sum = Point2::new(0.0, 0.0);
        for &index in anchor {
            let p = point(index as usize)?;
            sum = Point2::new(sum.x + p.x, sum.y + p.y);
        }
        let count = anchor.len().max(1) as f32;
        let [right, left] = FACE_WIDTH_LANDMARKS.map(point);
        let face_width = right?.distance(left?);
        let [eye_right, eye_left] = EYE_CORNERS.map(point);
        let (eye_right, eye_left) = (eye_right?, eye_left?);
        let roll = (eye_left.y - eye_right.y).atan2(eye_left.x - eye_right.x);
        (face_width > 0.0 && face_width.is_finite()).then_some(Self {
            anchor: Point2::new(sum.x / count, sum.y / count),
            face_width,
            roll,
        })
    }

    /// The three corners (top-left, top-right, bottom-left) of the sticker's image.
    pub(crate) fn corners(
        &self,
        layer: &StickerLayer,
        scale: f32,
        rotation_deg: f32,
        aspect: f32,
    ) -> [Point2; 3] {
        let (sin, cos) = self.roll.sin_cos();
        let face_x = Point2::new(cos, sin);
        let face_y = Point2::new(-sin, cos);
        let offset = |along_x: f32, along_y: f32| {
            Point2::new(
                face_x.x * along_x + face_y.x * along_y,
                face_x.y * along_x + face_y.y * along_y,
            )
        };
        let shift = offset(
            layer.offset[0] as f32 * self.face_width,
            layer.offset[1] as f32 * self.face_width,
        );
        let centre = Point2::new(self.anchor.x + shift.x, self.anchor.y + shift.y);
        let width = scale * self.face_width;
        let height = width * aspect;
        let (sin, cos) = (self.roll + rotation_deg.to_radians()).sin_cos();
        let (across, down) = (Point2::new(cos, sin), Point2::new(-sin, cos));
        let at = |x: f32, y: f32| {
            Point2::new(
                centre.x + across.x * x + down.x * y,
                centre.y + across.y * x + down.y * y,
            )
        };
        [
            at(-width / 2.0, -height / 2.0),
            at(width / 2.0, -height / 2.0),
            at(-width / 2.0, height / 2.0),
        ]
    }
}

/// One face's smoothing state.
#[derive(Debug, Clone, Copy)]
struct PlacementFilter {
    face_id: u32,
    x: OneEuro,
    y: OneEuro,
    log_width: OneEuro,
    roll: OneEuro,
    time_s: f64,
    seen: bool,
}

/// A sticker layer's state: the image and each face's smoothed placement.
#[derive(Debug)]
pub(crate) struct StickerStage {
    layer: StickerLayer,
    texture: TextureId,
    aspect: f32,
    smoothing: Option<SmoothingSettings>,
    filters: Vec<PlacementFilter>,
}

impl StickerStage {
    /// A stage drawing `texture` (`width` × `height` texels) as `layer` says; `smoothing`
    /// `None` for unrelated stills.
    pub(crate) fn new(
        layer: StickerLayer,
        texture: TextureId,
        (width, height): (u32, u32),
        smoothing: Option<SmoothingSettings>,
    ) -> Self {
        Self {
            layer,
            texture,
            aspect: height as f32 / width.max(1) as f32,
            smoothing,
            filters: Vec::new(),
        }
    }

    /// The layer as the manifest declares it.
    pub(crate) fn layer(&self) -> &StickerLayer {
        &self.layer
    }

    /// Starts a frame: faces not drawn by its end are forgotten.
    pub(crate) fn begin_frame(&mut self) {
        for filter in &mut self.filters {
            filter.seen = false;
        }
    }

    /// Ends a frame, forgetting the faces that were not drawn.
    pub(crate) fn end_frame(&mut self) {
        self.filters.retain(|filter| filter.seen);
    }

    /// Places the sticker on one face and adds it to `scene`.
    pub(crate) fn draw_face(
        &mut self,
        face_id: u32,
        landmarks: &[[f32; 3]],
        time_s: f64,
        live: (f32, f32, f32),
        scene: &mut Scene,
    ) {
        let (opacity, scale, rotation_deg) = live;
        let Some(raw) = Placement::measure(landmarks, &self.layer.anchor) else {
            return;
        };
        let placement = self.smooth(face_id, raw, time_s);
        scene.commands.push(DrawCommand::Quad(QuadDraw {
            texture: self.texture,
            corners: placement.corners(&self.layer, scale, rotation_deg, self.aspect),
            blend: self.layer.blend,
            opacity,
        }));
    }

    fn smooth(&mut self, face_id: u32, raw: Placement, time_s: f64) -> Placement {
        let start = |face_id| PlacementFilter {
            face_id,
            x: OneEuro::at(raw.anchor.x),
            y: OneEuro::at(raw.anchor.y),
            log_width: OneEuro::at(raw.face_width.ln()),
            roll: OneEuro::at(raw.roll),
            time_s,
            seen: true,
        };
        let Some(settings) = self.smoothing else {
            return raw;
        };
        let Some(filter) = self.filters.iter_mut().find(|f| f.face_id == face_id) else {
            self.filters.push(start(face_id));
            return raw;
        };
        let elapsed = (time_s - filter.time_s) as f32;
        if elapsed <= 0.0 {
            *filter = start(face_id);
            return raw;
        }
        // Keep the angle continuous so that crossing ±180° does not spin the sticker.
        let previous = filter.roll.value();
        let turn = (raw.roll - previous + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU)
            - std::f32::consts::PI;
        let width = raw.face_width;
        let smoothed = Placement {
            anchor: Point2::new(
                filter.x.update(raw.anchor.x, elapsed, width, &settings),
                filter.y.update(raw.anchor.y, elapsed, width, &settings),
            ),
            face_width: filter
                .log_width
                .update(raw.face_width.ln(), elapsed, 1.0, &settings)
                .exp(),
            roll: filter.roll.update(previous + turn, elapsed, 1.0, &settings),
        };
        filter.time_s = time_s;
        filter.seen = true;
        smoothed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(roll: f32) -> Vec<[f32; 3]> {
        let mut landmarks = vec![[100.0, 100.0, 0.0]; 468];
        let (sin, cos) = roll.sin_cos();
        let at = |x: f32, y: f32| [100.0 + cos * x - sin * y, 100.0 + sin * x + cos * y, 0.0];
        landmarks[234] = at(-50.0, 0.0);
        landmarks[454] = at(50.0, 0.0);
        landmarks[33] = at(-30.0, -10.0);
        landmarks[263] = at(30.0, -10.0);
        landmarks[10] = at(0.0, -60.0);
        landmarks
    }

    fn layer(offset: [f64; 2]) -> StickerLayer {
        StickerLayer {
            image: "s.png".to_owned(),
            anchor: vec![10],
            offset,
            scale: 0.5,
            rotation_deg: 0.0,
            blend: Default::default(),
            opacity: 1.0,
            faces: Default::default(),
        }
    }

    #[test]
    fn a_sticker_follows_anchor_size_and_roll() {
        let upright = Placement::measure(&face(0.0), &[10]).unwrap();
        assert!((upright.face_width - 100.0).abs() < 1e-3);
        let [top_left, top_right, bottom_left] =
            upright.corners(&layer([0.0, -0.5]), 0.5, 0.0, 1.0);
        // 50 px wide, centred 50 px above landmark 10 at (100, 40).
        assert!((top_left.x - 75.0).abs() < 1e-3 && (top_left.y - (-35.0)).abs() < 1e-3);
        assert!((top_right.x - 125.0).abs() < 1e-3);
        assert!((bottom_left.y - 15.0).abs() < 1e-3);

        let roll = 0.5f32;
        let turned = Placement::measure(&face(roll), &[10]).unwrap();
        assert!((turned.roll - roll).abs() < 1e-4);
        let [a, b, _] = turned.corners(&layer([0.0, 0.0]), 0.5, 0.0, 1.0);
        assert!(((b.y - a.y).atan2(b.x - a.x) - roll).abs() < 1e-4);
    }

    #[test]
    fn smoothing_holds_a_jittering_anchor_still() {
        let mut stage = StickerStage::new(
            layer([0.0, 0.0]),
            TextureId(0),
            (10, 10),
            Some(SmoothingSettings::default()),
        );
        let mut scene = Scene::default();
        let mut xs = Vec::new();
        for frame in 0..60 {
            let mut landmarks = face(0.0);
            landmarks[10][0] += if frame % 2 == 0 { 1.0 } else { -1.0 };
            scene.clear();
            stage.begin_frame();
            stage.draw_face(
                0,
                &landmarks,
                frame as f64 / 30.0,
                (1.0, 0.5, 0.0),
                &mut scene,
            );
            stage.end_frame();
            let DrawCommand::Quad(quad) = &scene.commands[0] else {
                panic!("a quad")
            };
            xs.push(quad.corners[0].x);
        }
        let late = &xs[30..];
        let spread = late.iter().cloned().fold(f32::MIN, f32::max)
            - late.iter().cloned().fold(f32::MAX, f32::min);
        assert!(spread < 0.5, "±1 px jitter became {spread} px of movement");
    }
}
