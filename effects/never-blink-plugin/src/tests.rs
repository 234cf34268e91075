//! The plugin's logic on synthetic frames: a face whose eyes are dark ellipses on skin,
//! open in one frame and shut (plain skin) in the next.

use effect_api::PixelFormat;
use effect_api::plugin::FramePixels;

use super::*;

const WIDTH: u32 = 160;
const HEIGHT: u32 = 100;
const SKIN: [u8; 3] = [200, 160, 140];

/// A face's landmarks with both eyes' corners and contours placed: each eye's contour an
/// ellipse `open` corner distances tall (0 for shut), the eyes `width` pixels wide,
/// centred on `centres`.
fn landmarks(centres: [[f32; 2]; 2], width: f32, open: f32) -> Vec<[f32; 3]> {
    let mut points = vec![[0.0; 3]; 468];
    for eye in Eye::BOTH {
        let [cx, cy] = centres[eye.index()];
        let frame = EyeFrame::from_corners([cx - width / 2.0, cy], [cx + width / 2.0, cy]).unwrap();
        // The contour starts at one corner: at (-0.5, 0) if it is the frame's first.
        let start = if eye.contour()[0] as usize == eye.corners()[0] {
            std::f32::consts::PI
        } else {
            0.0
        };
        for (position, &index) in eye.contour().iter().enumerate() {
            let angle = start + position as f32 / 16.0 * std::f32::consts::TAU;
            let [x, y] = frame.to_image([0.5 * angle.cos(), open / 2.0 * angle.sin()]);
            points[index as usize] = [x, y, 0.0];
        }
    }
    points
}

/// A frame of skin with a dark, pupil-like ellipse in each open eye.
fn picture(centres: [[f32; 2]; 2], width: f32, open: f32) -> Vec<u8> {
    let mut data = Vec::new();
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let inside = centres.iter().any(|&[cx, cy]| {
                let u = (x as f32 + 0.5 - cx) / (width / 2.0);
                let v = (y as f32 + 0.5 - cy) / (width * open / 2.0).max(1e-3);
                open > 0.0 && u * u + v * v < 0.8
            });
            data.extend(if inside { [30, 20, 20] } else { SKIN });
        }
    }
    data
}

fn face<'a>(points: &'a [[f32; 3]], blink: f32, trigger_active: bool) -> FaceInput<'a> {
    FaceInput {
        id: 1,
        landmarks: points,
        blink: [Some(blink); 2],
        trigger_active,
        visibility: if trigger_active { 1.0 } else { 0.0 },
    }
}

const OPEN_AT: [[f32; 2]; 2] = [[50.0, 50.0], [110.0, 50.0]];
// The head has moved right and down a little and come closer by the time it blinks.
const SHUT_AT: [[f32; 2]; 2] = [[56.0, 54.0], [120.0, 54.0]];

fn run(
    plugin: &mut NeverBlink,
    centres: [[f32; 2]; 2],
    width: f32,
    open: f32,
    blink: f32,
    time_s: f64,
    active: bool,
) -> Vec<u8> {
    let mut data = picture(centres, width, open);
    let points = landmarks(centres, width, open);
    let mut pixels = FramePixels::new(
        &mut data,
        WIDTH,
        HEIGHT,
        WIDTH as usize * 3,
        PixelFormat::Rgb8,
    )
    .unwrap();
    plugin.begin_frame(time_s, false);
    plugin.process_face(&face(&points, blink, active), time_s, &mut pixels);
    data
}

fn rgb(data: &[u8], [x, y]: [f32; 2]) -> [u8; 3] {
    let at = (y as usize * WIDTH as usize + x as usize) * 3;
    [data[at], data[at + 1], data[at + 2]]
}

#[test]
fn a_shut_eye_is_covered_by_the_open_one_where_it_is_now() {
    let mut plugin = NeverBlink::new(Settings::default());
    let open = run(&mut plugin, OPEN_AT, 24.0, 0.35, 0.0, 0.0, false);
    assert_eq!(
        open,
        picture(OPEN_AT, 24.0, 0.35),
        "nothing is drawn while the eyes are open"
    );
    assert_eq!(plugin.memory().faces[0].eyes[0].slots.len(), 1);

    let shut = run(&mut plugin, SHUT_AT, 26.0, 0.0, 1.0, 0.04, true);
    for centre in SHUT_AT {
        assert!(
            rgb(&shut, centre)[0] < 60,
            "the open eye is back at {centre:?}"
        );
    }
    // Far from the eyes, nothing changed.
    let plain = picture(SHUT_AT, 26.0, 0.0);
    for point in [[5.0, 5.0], [83.0, 54.0], [88.0, 90.0], [56.0, 80.0]] {
        assert_eq!(rgb(&shut, point), rgb(&plain, point), "{point:?} changed");
    }
    // No capture while the trigger is on: the stored eye stays the open one.
    assert_eq!(plugin.memory().faces[0].eyes[0].slots.len(), 1);
}

#[test]
fn strength_scales_the_blend_and_zero_draws_nothing() {
    let mut plugin = NeverBlink::new(Settings {
        strength: 0.0,
        feather: 1.0,
    });
    run(&mut plugin, OPEN_AT, 24.0, 0.35, 0.0, 0.0, false);
    let shut = run(&mut plugin, SHUT_AT, 26.0, 0.0, 1.0, 0.04, true);
    assert_eq!(shut, picture(SHUT_AT, 26.0, 0.0));

    let mut half = NeverBlink::new(Settings {
        strength: 0.5,
        feather: 1.0,
    });
    run(&mut half, OPEN_AT, 24.0, 0.35, 0.0, 0.0, false);
    let shut = run(&mut half, SHUT_AT, 26.0, 0.0, 1.0, 0.04, true);
    let red = rgb(&shut, SHUT_AT[0])[0];
    assert!(
        (100..130).contains(&red),
        "half way between skin and pupil: {red}"
    );
}

#[test]
fn an_eye_never_seen_open_is_left_alone() {
    let mut plugin = NeverBlink::new(Settings::default());
    let shut = run(&mut plugin, SHUT_AT, 26.0, 0.0, 1.0, 0.0, true);
    assert_eq!(shut, picture(SHUT_AT, 26.0, 0.0));
    // Half-open with the trigger off is not "clearly open": still nothing stored.
    run(&mut plugin, OPEN_AT, 24.0, 0.2, 0.5, 0.04, false);
    assert!(
        plugin.memory().faces[0]
            .eyes
            .iter()
            .all(|eye| eye.slots.is_empty())
    );
}

#[test]
fn stills_never_borrow_an_eye_from_another_photo() {
    let mut plugin = NeverBlink::new(Settings::default());
    run(&mut plugin, OPEN_AT, 24.0, 0.35, 0.0, 0.0, false);
    let mut data = picture(SHUT_AT, 26.0, 0.0);
    let points = landmarks(SHUT_AT, 26.0, 0.0);
    let mut pixels = FramePixels::new(
        &mut data,
        WIDTH,
        HEIGHT,
        WIDTH as usize * 3,
        PixelFormat::Rgb8,
    )
    .unwrap();
    plugin.begin_frame(0.0, true);
    plugin.process_face(&face(&points, 1.0, true), 0.0, &mut pixels);
    assert_eq!(data, picture(SHUT_AT, 26.0, 0.0));
}

#[test]
fn stored_eyes_survive_a_reload() {
    let mut plugin = NeverBlink::new(Settings::default());
    assert!(
        plugin.save_state().unwrap().is_empty(),
        "nothing to carry yet"
    );
    run(&mut plugin, OPEN_AT, 24.0, 0.35, 0.0, 0.0, false);
    let saved = plugin.save_state().unwrap();

    let mut reloaded = NeverBlink::new(Settings::default());
    reloaded.restore_state(&saved).unwrap();
    assert_eq!(reloaded.memory(), plugin.memory());
    let error = reloaded
        .restore_state(&saved[..saved.len() - 1])
        .unwrap_err();
    assert!(error.message().contains("never-blink"), "{error}");
    assert_eq!(
        reloaded.memory(),
        plugin.memory(),
        "a refused state changes nothing"
    );

    let shut = run(&mut reloaded, SHUT_AT, 26.0, 0.0, 1.0, 0.04, true);
    assert!(rgb(&shut, SHUT_AT[1])[0] < 60, "the restored eye is pasted");
}
