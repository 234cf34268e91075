//! The face detector's input against MediaPipe's own: the runtime's letterbox of a wide
//! frame (a band of the sample photo) must equal, level for level, what OpenCV's
//! `warpPerspective` makes of it as MediaPipe's `ImageToTensorCalculator` calls it
//! (`tests/data/astronaut_band_detector_input.png`, from
//! `xtask/python/detector_input_reference.py`), black bars and the half-covered edge row
//! included. A face near the detector's threshold is then found exactly when MediaPipe
//! finds it.

use effect_api::{Frame, PixelFormat};
use lensmith_runtime::detection::Letterbox;
use lensmith_runtime::image_io::read_rgb_frame;

/// The rows of the 512×512 sample photo that make the wide frame.
const BAND_ROWS: std::ops::Range<usize> = 100..411;
const SIZE: u32 = 128;

#[test]
fn the_detector_reads_a_frame_as_mediapipe_does() {
    let test = "the_detector_reads_a_frame_as_mediapipe_does";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let photo = lensmith_testkit::astronaut(&cache);
    let row_bytes = photo.width() as usize * 3;
    let band = photo.data()[BAND_ROWS.start * row_bytes..BAND_ROWS.end * row_bytes].to_vec();
    let band = Frame::from_packed(
        band,
        photo.width(),
        BAND_ROWS.len() as u32,
        PixelFormat::Rgb8,
    )
    .unwrap();
    let letterbox = Letterbox::fit(band.width(), band.height(), SIZE);
    let mut tensor = vec![0.0; (SIZE * SIZE * 3) as usize];
    letterbox.fill_tensor(band.view(), &mut tensor);

    let reference = lensmith_testkit::workspace_root()
        .join("runtime/tests/data/astronaut_band_detector_input.png");
    let reference = read_rgb_frame(&reference).unwrap();
    assert_eq!((reference.width(), reference.height()), (SIZE, SIZE));
    let mut differing = Vec::new();
    for (index, (value, expected)) in tensor.iter().zip(reference.data()).enumerate() {
        let level = (value + 1.0) * 255.0 / 2.0;
        if (level - f32::from(*expected)).abs() > 1e-3 {
            let pixel = index / 3;
            differing.push((
                pixel / SIZE as usize,
                pixel % SIZE as usize,
                level,
                *expected,
            ));
        }
    }
    println!(
        "{} of {} values differ from MediaPipe's reading",
        differing.len(),
        tensor.len()
    );
    assert!(
        differing.is_empty(),
        "(row, column, ours, MediaPipe's), first of them: {:?}",
        &differing[..differing.len().min(10)]
    );
}
