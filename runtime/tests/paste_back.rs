//! The face-model layer's geometry, verified pixel by pixel with test models whose output
//! is known (colour inversion): the result changes pixels only inside the feathered face
//! region, lines up with the original face, and every declared layout, range and channel
//! order reaches the model as declared.

#[path = "support/effect_bundle.rs"]
mod effect_bundle;
#[path = "support/polygons.rs"]
mod polygons;

use polygons::inside_polygon;

use effect_api::{Frame, Point2};
use effect_bundle::{still_player, write_bundle};
use lensmith_runtime::render::DrawCommand;
use lensmith_runtime::tracking::TrackerSettings;

fn model_layer(model: &str, extra: &str) -> String {
    format!(
        "[[layer]]\nkind = \"face_model\"\nname = \"student\"\nmodel = \"models/m.onnx\"\n\
         crop_size = 256\n{extra}\n# {model}\n"
    )
}

fn render_with(
    model: &str,
    extra: &str,
    cache: &lensmith_runtime::models::AssetCache,
) -> (Frame, lensmith_runtime::render::Scene) {
    let source = format!("runtime/tests/data/models/{model}");
    let bundle = write_bundle(
        model,
        &model_layer(model, extra),
        &[("models/m.onnx", &source)],
    );
    let mut player = still_player(bundle.path(), cache);
    let mut frame = lensmith_testkit::astronaut(cache);
    player.process(&mut frame, 0.0).expect("rendering");
    (frame, player.scene().clone())
}

/// Bilinear sample of the patch's alpha at crop point `point`, texels outside being 0.
fn patch_alpha(alpha: &[u8], side: usize, point: Point2) -> f32 {
    let (x, y) = (point.x - 0.5, point.y - 0.5);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let texel = |i: f32, j: f32| -> f32 {
        if i < 0.0 || j < 0.0 || i >= side as f32 || j >= side as f32 {
            0.0
        } else {
            f32::from(alpha[j as usize * side + i as usize]) / 255.0
        }
    };
    let top = texel(x0, y0) * (1.0 - fx) + texel(x0 + 1.0, y0) * fx;
    let bottom = texel(x0, y0 + 1.0) * (1.0 - fx) + texel(x0 + 1.0, y0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}

fn distance_to_polygon(polygon: &[Point2], point: Point2) -> f32 {
    polygon
        .iter()
        .enumerate()
        .map(|(index, &a)| {
            let b = polygon[(index + 1) % polygon.len()];
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let t = (((point.x - a.x) * dx + (point.y - a.y) * dy) / (dx * dx + dy * dy))
                .clamp(0.0, 1.0);
            point.distance(Point2::new(a.x + t * dx, a.y + t * dy))
        })
        .fold(f32::MAX, f32::min)
}

/// The sample photo, its face's landmarks and the model cache; `None` after announcing
/// why `test` is skipped.
fn tracked_astronaut(
    test: &str,
) -> Option<(Frame, Vec<[f32; 3]>, lensmith_runtime::models::AssetCache)> {
    let (mut tracker, original) =
        lensmith_testkit::tracker_or_skip(test, TrackerSettings::still_images())?;
    let cache = lensmith_testkit::cache_or_skip(test).expect("the tracker came from it");
    let landmarks = tracker.process(original.view(), 0.0).unwrap().faces[0]
        .landmarks
        .clone();
    Some((original, landmarks, cache))
}

#[test]
fn an_inverting_model_changes_only_the_feathered_face_and_lines_up_with_it() {
    let Some((original, landmarks, cache)) = tracked_astronaut("paste_back_geometry") else {
        return;
    };
    let outline: Vec<Point2> = lensmith_runtime::face_regions::FACE_OVAL
        .iter()
        .map(|&index| Point2::new(landmarks[index as usize][0], landmarks[index as usize][1]))
        .collect();

    let (rendered, scene) = render_with("invert_nchw_pm1.onnx", "", &cache);
    let [DrawCommand::Patch(patch)] = scene.commands.as_slice() else {
        panic!("one patch expected, got {:?}", scene.commands.len());
    };
    let side = patch.side as usize;
    let alpha: Vec<u8> = scene.patch_pixels[patch.pixels.clone()]
        .chunks_exact(4)
        .map(|rgba| rgba[3])
        .collect();
    let [[a, b, tx], [c, d, ty]] = patch.crop_to_frame;
    let determinant = a * d - b * c;
    let to_crop = |p: Point2| {
        let (x, y) = (p.x - tx, p.y - ty);
        Point2::new(
            (d * x - b * y) / determinant,
            (-c * x + a * y) / determinant,
        )
    };
    // Frame pixels per crop pixel, to turn the feather width into frame pixels.
    let scale = (a * a + c * c).sqrt();
    let feather_px = 0.08 * 256.0 * scale;

    let width = original.width() as usize;
    let (mut changed, mut changed_outside_mask, mut changed_far_from_face) = (0, 0, 0);
    let (mut core, mut core_changed) = (0, 0);
    let mut shift_error = [[0f64; 5]; 5];
    let mut shift_count = 0usize;
    for y in 0..original.height() as usize {
        for x in 0..width {
            let centre = Point2::new(x as f32 + 0.5, y as f32 + 0.5);
            let index = (y * width + x) * 3;
            let before = &original.data()[index..index + 3];
            let after = &rendered.data()[index..index + 3];
            let mask = patch_alpha(&alpha, side, to_crop(centre));
            let inside = inside_polygon(&outline, centre);
            let edge_distance = distance_to_polygon(&outline, centre);
            if before != after {
                changed += 1;
                changed_outside_mask += usize::from(mask == 0.0);
                changed_far_from_face += usize::from(!inside && edge_distance > feather_px + 2.0);
            }
            if inside && edge_distance > feather_px {
                core += 1;
                core_changed += usize::from(before != after);
            }
            // Where the mask is full, the result is the inverted photo: measure how well it
            // matches the inverted original moved by up to 2 px each way.
            let margin = 3;
            if mask >= 254.0 / 255.0
                && x >= margin
                && y >= margin
                && x + margin < width
                && y + margin < original.height() as usize
            {
                shift_count += 1;
                for (row, dy) in (-2i32..=2).enumerate() {
                    for (column, dx) in (-2i32..=2).enumerate() {
                        let moved =
                            ((y as i32 + dy) as usize * width + (x as i32 + dx) as usize) * 3;
                        let shifted = &original.data()[moved..moved + 3];
                        for (got, source) in after.iter().zip(shifted) {
                            let expected = 255 - i32::from(*source);
                            shift_error[row][column] +=
                                f64::from((i32::from(*got) - expected).abs());
                        }
                    }
                }
            }
        }
    }
    assert!(changed > 10_000, "only {changed} pixels changed");
    assert_eq!(
        changed_outside_mask, 0,
        "pixels changed where the blend mask is zero"
    );
    assert_eq!(
        changed_far_from_face, 0,
        "pixels changed further than the feather ({feather_px:.1} px) outside the face outline"
    );
    assert!(
        core_changed as f64 >= 0.99 * core as f64,
        "only {core_changed} of {core} pixels well inside the face changed"
    );
    let errors: Vec<Vec<f64>> = shift_error
        .iter()
        .map(|row| {
            row.iter()
                .map(|sum| sum / (shift_count * 3) as f64)
                .collect()
        })
        .collect();
    let best = (0..25)
        .min_by(|&i, &j| errors[i / 5][i % 5].total_cmp(&errors[j / 5][j % 5]))
        .unwrap();
    eprintln!(
        "mean error of the inverted face against the inverted photo moved by (dx, dy) = -2..2:"
    );
    for row in &errors {
        eprintln!(
            "  {}",
            row.iter()
                .map(|e| format!("{e:6.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    assert_eq!(
        (best % 5, best / 5),
        (2, 2),
        "the pasted face lines up best with the photo moved by ({}, {}) px",
        best % 5 - 2,
        best / 5 - 2
    );
    // Two bilinear resamplings blur fine detail a little; the match must still be close.
    assert!(
        errors[2][2] < 6.0,
        "mean error {:.2} codes where aligned",
        errors[2][2]
    );
}

/// Mean change per channel inside the face, for a rendering against the photo.
fn channel_changes(rendered: &Frame, original: &Frame) -> [f64; 3] {
    let mut sums = [0f64; 3];
    for (after, before) in rendered
        .data()
        .chunks_exact(3)
        .zip(original.data().chunks_exact(3))
    {
        for channel in 0..3 {
            sums[channel] += f64::from(after[channel].abs_diff(before[channel]));
        }
    }
    sums.map(|sum| sum / (rendered.width() * rendered.height()) as f64)
}

#[test]
fn layouts_ranges_and_channel_orders_reach_the_model_as_declared() {
    let Some(cache) = lensmith_testkit::cache_or_skip("model_layouts") else {
        return;
    };
    let original = lensmith_testkit::astronaut(&cache);
    let (nchw, _) = render_with(
        "invert_nchw_pm1.onnx",
        "value_range = \"minus_one_to_one\"",
        &cache,
    );
    let (nhwc, _) = render_with(
        "invert_nhwc_01.onnx",
        "input_layout = \"nhwc\"\noutput_layout = \"nhwc\"\nvalue_range = \"zero_to_one\"",
        &cache,
    );
    let largest = nchw
        .data()
        .iter()
        .zip(nhwc.data())
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(
        largest <= 1,
        "NHWC [0,1] and NCHW [-1,1] inversions differ by {largest} codes"
    );

    let (rgb, _) = render_with(
        "invert_channel0_nchw_01.onnx",
        "value_range = \"zero_to_one\"",
        &cache,
    );
    let [red, green, blue] = channel_changes(&rgb, &original);
    // Untouched channels change only by the blur of resampling there and back.
    assert!(
        red > 2.0 && green < red / 10.0 && blue < red / 10.0,
        "rgb: {red} {green} {blue}"
    );
    let (bgr, _) = render_with(
        "invert_channel0_nchw_01.onnx",
        "value_range = \"zero_to_one\"\nchannel_order = \"bgr\"",
        &cache,
    );
    let [red, green, blue] = channel_changes(&bgr, &original);
    assert!(
        blue > 2.0 && green < blue / 10.0 && red < blue / 10.0,
        "bgr: {red} {green} {blue}"
    );
}

/// Frame pixels the rendering changed, and how many of them lie above `above_y`.
fn changed_pixels(rendered: &Frame, original: &Frame, above_y: f32) -> (usize, usize) {
    let width = original.width() as usize;
    let (mut changed, mut changed_above) = (0, 0);
    for (index, (after, before)) in rendered
        .data()
        .chunks_exact(3)
        .zip(original.data().chunks_exact(3))
        .enumerate()
    {
        if after != before {
            changed += 1;
            changed_above += usize::from(((index / width) as f32) < above_y);
        }
    }
    (changed, changed_above)
}

#[test]
fn the_region_chooses_how_much_of_the_result_reaches_the_frame() {
    let Some((original, landmarks, cache)) = tracked_astronaut("paste_back_regions") else {
        return;
    };
    // The top of the face oval (MediaPipe's landmark 10, at the hairline): the hair is above.
    let forehead_y = landmarks[10][1] - 5.0;
    let render = |region: &str| {
        let (rendered, scene) = render_with(
            "invert_nchw_pm1.onnx",
            &format!("region = \"{region}\""),
            &cache,
        );
        let [DrawCommand::Patch(patch)] = scene.commands.as_slice() else {
            panic!(
                "{region}: one patch expected, got {:?}",
                scene.commands.len()
            );
        };
        // The crop's area in frame pixels: the patch's side times its scale, squared.
        let [[a, _, _], [c, _, _]] = patch.crop_to_frame;
        let crop_area = (f64::from(patch.side) * f64::from(a.hypot(c))).powi(2);
        (changed_pixels(&rendered, &original, forehead_y), crop_area)
    };
    let ((oval, oval_above), crop_area) = render("face_oval");
    let ((head, head_above), _) = render("head");
    let ((crop, crop_above), _) = render("crop");
    eprintln!(
        "changed pixels: face_oval {oval} ({oval_above} above the forehead), head {head} \
         ({head_above}), crop {crop} ({crop_above}); the crop covers {crop_area:.0}"
    );
    assert!(oval_above < oval / 50, "the face oval keeps off the hair");
    assert!(
        head as f64 > 1.25 * oval as f64,
        "the head region adds hair and ears"
    );
    assert!(
        head_above > 10 * oval_above.max(100),
        "the head region reaches above the forehead"
    );
    assert!(
        crop as f64 > 1.3 * head as f64,
        "the crop region adds the background"
    );
    assert!(
        (0.85..=1.05).contains(&(crop as f64 / crop_area)),
        "the crop region changes nearly the whole crop: {crop} of {crop_area:.0} pixels"
    );
}
