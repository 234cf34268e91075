//! The cache's eye landmark model (distilled from MediaPipe's iris landmark model) on a real
//! photo: each iris is found inside its eye, of a plausible size, and where MediaPipe's
//! `refine_landmarks` puts it, and the refined eyelids lie where the mesh put the eye.

use effect_api::{Frame, Point2};
use lensmith_runtime::eyes::{EYE_CONTOUR_POINTS, EYELID_MESH_POINTS, EyeRefiner, RefinedEye};
use lensmith_runtime::face_pipeline::{FacePipeline, FacePipelineSettings};
use lensmith_runtime::face_regions::{
    IRIS_CENTERS, LANDMARK_COUNT_WITH_IRISES, LEFT_EYE, RIGHT_EYE,
};
use lensmith_runtime::models::{AssetCache, AssetPaths, ModelOptions};

#[path = "support/effect_bundle.rs"]
mod effect_bundle;
#[path = "support/polygons.rs"]
mod polygons;

use polygons::inside_polygon;

/// Each eye's opening along its lid margins, image-left eye first: the mesh's corners are
/// its points 0 and 8.
const EYE_RINGS: [[u32; 16]; 2] = [RIGHT_EYE, LEFT_EYE];

/// The face pipeline for stills, eyes refined.
fn still_pipeline(cache: &AssetCache) -> FacePipeline {
    FacePipeline::load(
        cache,
        ModelOptions::default(),
        FacePipelineSettings::still_images(1),
        Vec::new(),
    )
    .unwrap()
}

/// MediaPipe's 478 landmarks (x, y) on the astronaut with `refine_landmarks=True`.
fn mediapipe_refined_landmarks() -> Vec<Point2> {
    let reference: serde_json::Value = serde_json::from_str(include_str!(
        "data/astronaut_mediapipe_refined_landmarks.json"
    ))
    .unwrap();
    let points: Vec<Point2> = reference["faces"][0]["landmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|point| {
            Point2::new(
                point[0].as_f64().unwrap() as f32,
                point[1].as_f64().unwrap() as f32,
            )
        })
        .collect();
    assert_eq!(points.len(), LANDMARK_COUNT_WITH_IRISES as usize);
    points
}

/// The face mesh of the one face in `frame`, and its eyes refined.
fn mesh_and_eyes(cache: &AssetCache, frame: &Frame) -> (Vec<[f32; 3]>, [Option<RefinedEye>; 2]) {
    let mut pipeline = still_pipeline(cache);
    let faces = pipeline.process(frame.view(), 0.0).unwrap();
    let face = faces.faces().next().expect("the astronaut's face is found");
    let landmarks = face.tracked.landmarks.clone();
    let mut refiner = EyeRefiner::load(cache).unwrap();
    let eyes = refiner.refine(frame.view(), &landmarks).unwrap();
    (landmarks, eyes)
}

#[test]
fn each_iris_is_found_inside_its_eye_and_the_lids_follow_the_mesh() {
    let Some(cache) = lensmith_testkit::cache_or_skip("eyes") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let (landmarks, eyes) = mesh_and_eyes(&cache, &photo);
    for (eye, ring) in eyes.iter().zip(EYE_RINGS) {
        let eye = eye.as_ref().expect("both eyes' corners are in the mesh");
        let ring: Vec<Point2> = ring
            .iter()
            .map(|&index| Point2::new(landmarks[index as usize][0], landmarks[index as usize][1]))
            .collect();
        let width = (ring[0].x - ring[8].x).hypot(ring[0].y - ring[8].y);
        let center = eye.iris_center();
        assert!(
            inside_polygon(&ring, center),
            "the iris centre {center:?} lies outside the mesh's eye {ring:?}"
        );
        // An adult iris is about 11.7 mm across, an eye about 30 mm corner to corner.
        let radius = eye.iris_radius();
        assert!(
            (0.12 * width..0.3 * width).contains(&radius),
            "iris radius {radius} for an eye {width} px wide"
        );
        assert_eq!(eye.contour.len(), EYE_CONTOUR_POINTS);
        // Every mesh eyelid point has a refined contour point near it.
        for point in &ring {
            let nearest = eye
                .contour
                .iter()
                .map(|&[x, y, _]| (x - point.x).hypot(y - point.y))
                .fold(f32::INFINITY, f32::min);
            assert!(
                nearest < 0.15 * width,
                "mesh eyelid point {point:?} is {nearest} px from every refined point"
            );
        }
    }
}

#[test]
fn the_refined_lids_map_onto_the_mesh_points_they_refine_and_measure_an_open_gaze() {
    let Some(cache) = lensmith_testkit::cache_or_skip("eyes") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let (landmarks, eyes) = mesh_and_eyes(&cache, &photo);
    for (eye, mesh_points) in eyes.iter().zip(EYELID_MESH_POINTS) {
        let eye = eye.as_ref().unwrap();
        let corner = |index: usize| Point2::new(landmarks[index][0], landmarks[index][1]);
        let width = corner(mesh_points[0]).distance(corner(mesh_points[8]));
        // Each of the first 16 refined points lies by the mesh point it stands for, and the
        // lids are not swapped: with upper and lower margins exchanged (point i for 8 + i),
        // the points lie much further off. The eye measures rely on this mapping.
        let refined = |index: usize| Point2::new(eye.contour[index][0], eye.contour[index][1]);
        let mut own_total = 0.0;
        for (index, &mesh_index) in mesh_points.iter().enumerate() {
            let own = refined(index).distance(corner(mesh_index));
            assert!(
                own < 0.12 * width,
                "refined point {index} is {own} px from mesh point {mesh_index} (eye {width} px wide)"
            );
            own_total += own;
        }
        let swapped_total: f32 = (1..8)
            .map(|index| {
                refined(index).distance(corner(mesh_points[8 + index]))
                    + refined(8 + index).distance(corner(mesh_points[index]))
            })
            .sum();
        assert!(
            own_total < 0.5 * swapped_total,
            "lids as mapped: {own_total} px in all; swapped: {swapped_total} px"
        );
        // The astronaut looks into the camera with open eyes.
        let measures = eye.measures;
        assert!(
            (0.2..0.5).contains(&measures.openness),
            "openness {measures:?}"
        );
        assert!(
            measures.gaze_x.abs() < 0.1 && measures.gaze_y.abs() < 0.12,
            "gaze {measures:?}"
        );
    }
}

#[test]
fn a_mirrored_face_gives_mirrored_eyes() {
    let Some(cache) = lensmith_testkit::cache_or_skip("eyes") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let mirror = lensmith_testkit::mirrored(&photo);
    let (_, eyes) = mesh_and_eyes(&cache, &photo);
    let (_, mirrored) = mesh_and_eyes(&cache, &mirror);
    // The image-left eye of one is the image-right eye of the other.
    for (eye, other) in eyes.iter().zip(mirrored.iter().rev()) {
        let (eye, other) = (eye.as_ref().unwrap(), other.as_ref().unwrap());
        let (a, b) = (eye.iris_center(), other.iris_center());
        let across = photo.width() as f32 - b.x;
        assert!(
            (a.x - across).abs() < 1.5 && (a.y - b.y).abs() < 1.5,
            "iris at {a:?}, mirrored at {b:?}"
        );
    }
}

#[test]
fn the_irises_are_appended_to_the_mesh_as_mediapipe_numbers_them() {
    let Some(cache) = lensmith_testkit::cache_or_skip("eyes") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let expected = mediapipe_refined_landmarks();
    let mut pipeline = still_pipeline(&cache);
    let faces = pipeline.process(photo.view(), 0.0).unwrap();
    let face = faces.faces().next().expect("the astronaut's face is found");
    assert_eq!(face.landmarks.len(), LANDMARK_COUNT_WITH_IRISES as usize);
    assert_eq!(&face.landmarks[..468], &face.tracked.landmarks[..]);
    let interocular = expected[33].distance(expected[263]);
    let worst = face.landmarks[468..]
        .iter()
        .zip(&expected[468..])
        .map(|(&[x, y, _], expected)| Point2::new(x, y).distance(*expected) / interocular)
        .fold(0.0f32, f32::max);
    println!(
        "iris points 468-477 against MediaPipe's refine_landmarks: at most {:.2}% of the \
         inter-ocular distance apart",
        worst * 100.0
    );
    assert!(
        worst < 0.03,
        "an iris point is {:.1}% of the inter-ocular distance from MediaPipe's",
        worst * 100.0
    );
    for (center, ring) in IRIS_CENTERS.iter().zip(EYE_RINGS) {
        let [x, y, _] = face.landmarks[*center as usize];
        let ring: Vec<Point2> = ring
            .iter()
            .map(|&index| {
                let [x, y, _] = face.landmarks[index as usize];
                Point2::new(x, y)
            })
            .collect();
        assert!(
            inside_polygon(&ring, Point2::new(x, y)),
            "iris centre {center} is inside its eye"
        );
    }

    // Without eye refinement, the landmarks are the mesh alone.
    pipeline.set_refine_eyes(false);
    let faces = pipeline.process(photo.view(), 0.0).unwrap();
    assert_eq!(faces.faces().next().unwrap().landmarks.len(), 468);
}

#[test]
fn the_iris_model_is_loaded_only_once_eyes_are_refined() {
    let Some(cache) = lensmith_testkit::cache_or_skip("eyes") else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    // A cache whose eye model is missing: only refining the eyes needs it.
    let missing = cache.root().join("no-such-folder/iris_landmark.onnx");
    let without_iris = cache.clone().with_paths(AssetPaths {
        iris_landmarks: Some(missing),
        ..AssetPaths::default()
    });
    let settings = |refine_eyes| FacePipelineSettings {
        refine_eyes,
        ..FacePipelineSettings::still_images(1)
    };
    let error = FacePipeline::load(
        &without_iris,
        ModelOptions::default(),
        settings(true),
        vec![],
    )
    .expect_err("refining from the start loads the eye model with the pipeline");
    assert!(error.to_string().contains("iris"), "{error}");

    let mut pipeline = FacePipeline::load(
        &without_iris,
        ModelOptions::default(),
        settings(false),
        vec![],
    )
    .expect("a pipeline that refines no eyes does not need the eye model");
    let faces = pipeline.process(photo.view(), 0.0).unwrap();
    assert_eq!(faces.faces().next().unwrap().landmarks.len(), 468);
    // Turned on, the next frame loads it, and says which file is missing.
    pipeline.set_refine_eyes(true);
    let error = pipeline.process(photo.view(), 0.1).unwrap_err();
    assert!(error.to_string().contains("iris"), "{error}");

    // From the real cache, the same pipeline loads it on the frame that first needs it.
    let mut pipeline =
        FacePipeline::load(&cache, ModelOptions::default(), settings(false), vec![]).unwrap();
    pipeline.process(photo.view(), 0.0).unwrap();
    pipeline.set_refine_eyes(true);
    let faces = pipeline.process(photo.view(), 0.1).unwrap();
    assert_eq!(faces.faces().next().unwrap().landmarks.len(), 478);
}

/// The centroid of the pixels of `after` that are nearly `color` and were not in `before`.
fn centroid_of(before: &Frame, after: &Frame, color: [u8; 3]) -> Option<Point2> {
    let (mut sum, mut count) = (Point2::new(0.0, 0.0), 0.0f32);
    let width = after.width() as usize;
    for (index, (old, new)) in before
        .data()
        .chunks_exact(3)
        .zip(after.data().chunks_exact(3))
        .enumerate()
    {
        let near = |pixel: &[u8]| pixel.iter().zip(color).all(|(&a, b)| a.abs_diff(b) < 40);
        if near(new) && !near(old) {
            let (x, y) = ((index % width) as f32 + 0.5, (index / width) as f32 + 0.5);
            sum = Point2::new(sum.x + x, sum.y + y);
            count += 1.0;
        }
    }
    (count > 0.0).then(|| Point2::new(sum.x / count, sum.y / count))
}

#[test]
fn stickers_pinned_to_the_irises_land_on_them() {
    let Some(cache) = lensmith_testkit::cache_or_skip("eyes") else {
        return;
    };
    let manifest = "[[layer]]\nkind = \"sticker\"\nname = \"right-iris\"\nimage = \"stickers/red.png\"\n\
                    anchor = [468]\nscale = 0.05\n\n\
                    [[layer]]\nkind = \"sticker\"\nname = \"left-iris\"\nimage = \"stickers/green.png\"\n\
                    anchor = [473]\nscale = 0.05\n";
    let bundle = effect_bundle::write_bundle("iris-stickers", manifest, &[]);
    std::fs::create_dir_all(bundle.join("stickers")).unwrap();
    for (name, color) in [("red", [255, 0, 0]), ("green", [0, 255, 0])] {
        image::RgbImage::from_pixel(8, 8, image::Rgb(color))
            .save(bundle.join(&format!("stickers/{name}.png")))
            .unwrap();
    }
    let before = lensmith_testkit::astronaut(&cache);
    let after = effect_bundle::render_astronaut(bundle.path(), &cache);

    let expected = mediapipe_refined_landmarks();
    let point = |index: usize| expected[index];
    let interocular = point(33).distance(point(263));
    for (color, center) in [
        ([255, 0, 0], IRIS_CENTERS[0]),
        ([0, 255, 0], IRIS_CENTERS[1]),
    ] {
        let drawn = centroid_of(&before, &after, color).expect("the sticker is drawn");
        let error = drawn.distance(point(center as usize)) / interocular;
        println!(
            "sticker on landmark {center}: {:.1}% of the inter-ocular distance from MediaPipe's iris centre",
            error * 100.0
        );
        assert!(
            error < 0.04,
            "the sticker pinned to {center} is {:.1}% of the inter-ocular distance off",
            error * 100.0
        );
    }
}
