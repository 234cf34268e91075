//! Frame sources and sinks on real files in a temporary folder: Y4M, image folders, PNGs
//! and (when installed) ffmpeg.

use std::path::Path;

use effect_api::{Frame, FrameView, PixelFormat};
use lensmith_runtime::image_io::read_rgb_frame;
use lensmith_runtime::video::{FrameSource, SourceFrame, VideoError, create_sink, open_source};
use lensmith_testkit::TempDir;

/// Frame `seed`: the left half one flat colour, the right half a horizontal gradient.
fn test_frame(width: u32, height: u32, seed: u8) -> Frame {
    let flat = flat_colour(seed);
    let mut data = Vec::new();
    for _ in 0..height {
        for x in 0..width {
            let ramp = (x * 255 / width) as u8;
            data.extend(if x < width / 2 {
                flat
            } else {
                [ramp, 255 - ramp, seed]
            });
        }
    }
    Frame::from_packed(data, width, height, PixelFormat::Rgb8).unwrap()
}

fn flat_colour(seed: u8) -> [u8; 3] {
    [200 - seed * 20, 60 + seed * 30, 120]
}

fn write_all(path: &Path, rate: f64, frames: &[Frame]) {
    let mut sink = create_sink(path, rate).unwrap();
    for frame in frames {
        sink.write_frame(frame.view()).unwrap();
    }
    sink.finish().unwrap();
}

fn read_all(source: &mut dyn FrameSource) -> Vec<SourceFrame> {
    std::iter::from_fn(|| source.next_frame().unwrap()).collect()
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(a, b)| a.abs_diff(b) <= tolerance)
}

/// Asserts every pixel with `x` in `columns` is within `tolerance` of `expected`.
fn assert_close(got: &Frame, expected: &Frame, columns: std::ops::Range<u32>, tolerance: u8) {
    let (got, expected) = (got.view(), expected.view());
    for y in 0..expected.height() {
        for x in columns.clone() {
            let (a, b) = (got.rgb(x, y), expected.rgb(x, y));
            assert!(
                close(a, b, tolerance),
                "pixel ({x}, {y}) is {a:?}, expected {b:?} ±{tolerance}"
            );
        }
    }
}

#[test]
fn y4m_round_trip_keeps_colours_count_rate_and_size() {
    let dir = TempDir::new("y4m-round-trip");
    let path = dir.join("clip.y4m");
    let frames: Vec<Frame> = (0..3).map(|seed| test_frame(64, 48, seed)).collect();
    write_all(&path, 25.0, &frames);
    assert_eq!(dir.names(), ["clip.y4m"], "no temporary file is left");

    let mut source = open_source(&path).unwrap();
    assert_eq!(
        (source.frame_rate(), source.size_hint()),
        (25.0, Some((64, 48)))
    );
    assert!(!source.is_independent_stills());
    let read = read_all(source.as_mut());
    assert_eq!(read.len(), 3);
    for (got, expected) in read.iter().zip(&frames) {
        assert_close(&got.frame, expected, 2..30, 6);
        assert_close(&got.frame, expected, 34..64, 12);
    }
    assert_eq!(
        (read[2].index, read[2].time_s, read[2].name.as_str()),
        (2, 0.08, "frame 2")
    );
}

#[test]
fn y4m_odd_size_round_trip() {
    let dir = TempDir::new("y4m-odd");
    let path = dir.join("odd.y4m");
    // The last row and column get their own colour: their chroma blocks are 1 pixel
    // wide or high, and must not borrow from a neighbour.
    let edge = [20, 220, 90];
    let mut data = Vec::new();
    for y in 0..17 {
        for x in 0..33 {
            data.extend(if x == 32 || y == 16 {
                edge
            } else {
                flat_colour(1)
            });
        }
    }
    let frame = Frame::from_packed(data, 33, 17, PixelFormat::Rgb8).unwrap();
    write_all(&path, 30000.0 / 1001.0, &[frame.clone(), frame.clone()]);

    let mut source = open_source(&path).unwrap();
    assert_eq!(source.size_hint(), Some((33, 17)));
    assert!((source.frame_rate() - 29.97).abs() < 0.001);
    let read = read_all(source.as_mut());
    assert_eq!(read.len(), 2);
    assert_close(&read[1].frame, &frame, 0..33, 6);
}

#[test]
fn truncated_y4m_names_the_frame() {
    let dir = TempDir::new("y4m-truncated");
    let path = dir.join("cut.y4m");
    let frames: Vec<Frame> = (0..3).map(|seed| test_frame(16, 8, seed)).collect();
    write_all(&path, 30.0, &frames);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();

    let mut source = open_source(&path).unwrap();
    assert!(source.next_frame().unwrap().is_some());
    assert!(source.next_frame().unwrap().is_some());
    let message = source.next_frame().unwrap_err().to_string();
    assert!(
        message.contains("frame 2") && message.contains("cut.y4m"),
        "{message}"
    );
    assert!(message.contains("182 of 192 bytes"), "{message}");
}

#[test]
fn garbage_y4m_header_names_the_field() {
    let dir = TempDir::new("y4m-garbage");
    for (header, field) in [
        ("not a video at all\n", "field signature"),
        ("YUV4MPEG2 W64 Hxyz F25:1\n", "field H"),
        ("YUV4MPEG2 W64 H48 F25:1 C411\n", "field C"),
    ] {
        let path = dir.join("bad.y4m");
        std::fs::write(&path, header).unwrap();
        let message = open_source(&path).err().unwrap().to_string();
        assert!(
            message.contains(field) && message.contains("bad.y4m"),
            "{message}"
        );
    }
}

#[test]
fn unfinished_sinks_leave_no_file() {
    let dir = TempDir::new("unfinished");
    let mut sink = create_sink(&dir.join("clip.y4m"), 30.0).unwrap();
    sink.write_frame(test_frame(8, 8, 0).view()).unwrap();
    let changed = sink.write_frame(test_frame(8, 6, 0).view()).unwrap_err();
    assert!(
        matches!(changed, VideoError::SizeChanged { frame: 1, .. }),
        "{changed}"
    );
    drop(sink);
    assert!(dir.names().is_empty(), "{:?}", dir.names());
}

fn write_png(path: &Path, colour: [u8; 3]) {
    let frame = Frame::filled(4, 3, colour).unwrap();
    write_all(path, 30.0, &[frame]);
}

#[test]
fn image_folder_plays_images_in_name_order() {
    let dir = TempDir::new("folder");
    write_png(&dir.join("frame_10.png"), [3, 3, 3]);
    write_png(&dir.join("alpha.png"), [1, 1, 1]);
    write_png(&dir.join("frame_02.png"), [2, 2, 2]);
    std::fs::write(dir.join("notes.txt"), "not an image").unwrap();
    // What macOS leaves beside a photo copied from it: hidden, and no image.
    std::fs::write(dir.join("._alpha.png"), "resource fork").unwrap();

    let mut source = open_source(dir.path()).unwrap();
    assert!(source.is_independent_stills());
    let read = read_all(source.as_mut());
    let names: Vec<&str> = read.iter().map(|frame| frame.name.as_str()).collect();
    assert_eq!(names, ["alpha.png", "frame_02.png", "frame_10.png"]);
    for (index, frame) in read.iter().enumerate() {
        assert_eq!(frame.frame.view().rgb(0, 0), [index as u8 + 1; 3]);
        assert_eq!(
            (frame.index, frame.time_s),
            (index as u64, index as f64 / 30.0)
        );
    }
}

/// A 4×3 picture of one `colour`, encoded as `format`.
fn write_still(path: &Path, colour: [u8; 3], format: image::ImageFormat) {
    image::RgbImage::from_pixel(4, 3, image::Rgb(colour))
        .save_with_format(path, format)
        .unwrap();
}

#[test]
fn photos_in_other_formats_are_stills_alone_and_in_folders() {
    let dir = TempDir::new("formats");
    let stills = [
        ("a.webp", image::ImageFormat::WebP),
        ("b.bmp", image::ImageFormat::Bmp),
        ("c.tiff", image::ImageFormat::Tiff),
        ("d.ppm", image::ImageFormat::Pnm),
    ];
    for (index, (name, format)) in stills.into_iter().enumerate() {
        write_still(&dir.join(name), [index as u8 * 50; 3], format);
        // Alone, each is one still photo, never a video for ffmpeg.
        let mut source = open_source(&dir.join(name)).unwrap();
        assert!(source.is_independent_stills(), "{name}");
        let read = read_all(source.as_mut());
        assert_eq!(read.len(), 1, "{name}");
        assert_eq!(
            read[0].frame.view().rgb(0, 0),
            [index as u8 * 50; 3],
            "{name}"
        );
    }
    let read = read_all(open_source(dir.path()).unwrap().as_mut());
    let names: Vec<&str> = read.iter().map(|frame| frame.name.as_str()).collect();
    assert_eq!(names, ["a.webp", "b.bmp", "c.tiff", "d.ppm"]);
}

#[test]
fn phone_photos_that_are_not_read_are_named_alone_and_in_folders() {
    let dir = TempDir::new("heic");
    write_png(&dir.join("a.png"), [1, 1, 1]);
    std::fs::write(dir.join("IMG_0002.HEIC"), "ftypheic").unwrap();
    for input in [dir.join("IMG_0002.HEIC"), dir.path().to_owned()] {
        let error = open_source(&input).err().unwrap();
        assert!(
            matches!(error, VideoError::UnsupportedPhoto { format: "HEIC", .. }),
            "{error}"
        );
        assert!(
            error.to_string().contains("IMG_0002.HEIC") && error.to_string().contains("JPEG"),
            "{error}"
        );
    }
}

#[test]
fn a_broken_still_is_named_once() {
    let dir = TempDir::new("broken");
    std::fs::write(dir.join("face.webp"), "not pixels").unwrap();
    let error = open_source(&dir.join("face.webp")).err().unwrap();
    assert!(matches!(error, VideoError::Image(_)), "{error}");
    assert!(error.to_string().contains("face.webp"), "{error}");
    // The message already holds the image's own error: a `source` would print it twice.
    assert!(std::error::Error::source(&error).is_none(), "{error}");
}

#[test]
fn empty_image_folder_is_an_error() {
    let dir = TempDir::new("empty");
    std::fs::write(dir.join("readme.txt"), "no frames here").unwrap();
    let error = open_source(dir.path()).err().unwrap();
    assert!(matches!(error, VideoError::EmptyFolder { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains(&dir.path().display().to_string()),
        "{error}"
    );
}

#[test]
fn outputs_named_for_formats_not_written_are_refused_not_made_folders() {
    let dir = TempDir::new("unwritten-outputs");
    for name in [
        "clip.gif",
        "clip.AVI",
        "photo.webp",
        "photo.bmp",
        "photo.heic",
    ] {
        let path = dir.join(name);
        let error = create_sink(&path, 30.0).err().expect(name);
        assert!(
            matches!(error, VideoError::UnsupportedOutput { .. }),
            "{name}: {error}"
        );
        assert!(!path.exists(), "{name}: nothing is made");
    }
    // A folder that is already there is written into, whatever its name.
    let folder = dir.join("frames.gif");
    std::fs::create_dir(&folder).unwrap();
    let mut sink = create_sink(&folder, 30.0).unwrap();
    sink.write_frame(test_frame(4, 4, 0).view()).unwrap();
    sink.finish().unwrap();
    assert!(folder.join("frame_000000.png").is_file());
}

#[test]
fn png_sequence_sink_writes_decodable_frames() {
    let dir = TempDir::new("png-sequence");
    let out = dir.join("out");
    let frames: Vec<Frame> = (0..3).map(|seed| test_frame(5, 4, seed)).collect();
    let mut sink = create_sink(&out, 24.0).unwrap();
    for frame in &frames {
        // RGBA rows with 4 bytes of padding, as a host's buffer might hold them.
        let mut padded = Vec::new();
        for row in frame.data().chunks(15) {
            row.chunks(3)
                .for_each(|rgb| padded.extend([rgb[0], rgb[1], rgb[2], 255]));
            padded.extend([0; 4]);
        }
        sink.write_frame(FrameView::new(&padded, 5, 4, 24, PixelFormat::Rgba8).unwrap())
            .unwrap();
    }
    sink.finish().unwrap();
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for (index, frame) in frames.iter().enumerate() {
        let decoded = read_rgb_frame(&out.join(format!("frame_{index:06}.png"))).unwrap();
        assert_eq!(&decoded, frame);
    }
}

#[test]
fn single_png_takes_exactly_one_frame() {
    let dir = TempDir::new("single-png");
    let path = dir.join("still.png");
    let mut sink = create_sink(&path, 30.0).unwrap();
    sink.write_frame(test_frame(4, 4, 0).view()).unwrap();
    let error = sink.write_frame(test_frame(4, 4, 1).view()).unwrap_err();
    assert!(matches!(error, VideoError::NotOneFrame { .. }), "{error}");
    assert!(sink.finish().is_err());
    assert!(dir.names().is_empty(), "{:?}", dir.names());

    write_png(&path, [9, 8, 7]);
    let mut source = open_source(&path).unwrap();
    let read = read_all(source.as_mut());
    assert_eq!((read.len(), read[0].name.as_str()), (1, "still.png"));
}

#[test]
fn ffmpeg_round_trip_through_mp4_and_webm() {
    if !lensmith_testkit::ffmpeg_or_skip("ffmpeg_round_trip_through_mp4_and_webm") {
        return;
    }
    let dir = TempDir::new("ffmpeg");
    let frames: Vec<Frame> = (0..6).map(|seed| test_frame(64, 48, seed)).collect();
    for name in ["clip.mp4", "clip.webm"] {
        let path = dir.join(name);
        write_all(&path, 24.0, &frames);
        let mut source = open_source(&path).unwrap();
        assert_eq!(
            (source.frame_rate(), source.size_hint()),
            (24.0, Some((64, 48)))
        );
        let read = read_all(source.as_mut());
        assert_eq!(read.len(), 6, "{name}");
        for (got, expected) in read.iter().zip(&frames) {
            assert_close(&got.frame, expected, 4..28, 12);
        }
        // Tagged with the matrix and range it was encoded with, so that players do not
        // guess (BT.709 for HD, which shifts every colour).
        let probed = std::process::Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
            .args(["stream=color_space,color_range", "-of", "csv=p=0"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&probed.stdout).trim(),
            "tv,smpte170m",
            "{name}"
        );
    }
    assert_eq!(
        dir.names(),
        ["clip.mp4", "clip.webm"],
        "no temporary file is left"
    );
}

#[test]
fn ffmpeg_reader_applies_rotation_and_pads_odd_sizes() {
    if !lensmith_testkit::ffmpeg_or_skip("ffmpeg_reader_applies_rotation_and_pads_odd_sizes") {
        return;
    }
    let dir = TempDir::new("ffmpeg-rotation");
    let (upright, rotated) = (dir.join("upright.mp4"), dir.join("rotated.mp4"));
    write_all(
        &upright,
        30.0,
        &[test_frame(33, 17, 0), test_frame(33, 17, 1)],
    );
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .args([&upright, Path::new("-c"), Path::new("copy")])
        .args([
            Path::new("-metadata:s:v:0"),
            Path::new("rotate=90"),
            &rotated,
        ])
        .status()
        .unwrap();
    assert!(status.success());
    for (path, size) in [(&upright, (34, 18)), (&rotated, (18, 34))] {
        let mut source = open_source(path).unwrap();
        assert_eq!(source.size_hint(), Some(size));
        let read = read_all(source.as_mut());
        assert_eq!(read.len(), 2);
    }
    // The flat left half of the source must now be a flat band across the top or bottom,
    // which only holds if ffmpeg really turned the pixels (the edges hold the padding).
    let frame = read_all(open_source(&rotated).unwrap().as_mut())
        .remove(1)
        .frame;
    let flat_row = |y| (2..16).all(|x| close(frame.view().rgb(x, y), flat_colour(1), 12));
    assert!(flat_row(4) || flat_row(29));
}

#[test]
fn a_variable_rate_video_gives_each_stored_frame_once_at_its_average_rate() {
    if !lensmith_testkit::ffmpeg_or_skip(
        "a_variable_rate_video_gives_each_stored_frame_once_at_its_average_rate",
    ) {
        return;
    }
    let dir = TempDir::new("ffmpeg-vfr");
    let path = dir.join("vfr.mp4");
    // 20 frames: ten 1/30 s apart, then ten 4/30 s apart (as a phone records when the
    // light drops); the stream declares 30 fps, and averages 20 frames over 47/30 s.
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=30",
            "-frames:v",
            "20",
        ])
        .args([
            "-vf",
            "setpts='if(lt(N,10),N,10+(N-10)*4)/(30*TB)'",
            "-vsync",
            "vfr",
            "-c:v",
            "mpeg4",
        ])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg could not make the test clip");
    let mut source = open_source(&path).unwrap();
    let rate = source.frame_rate();
    assert!(
        (rate - 600.0 / 47.0).abs() < 0.01,
        "plays at the average rate, not {rate}"
    );
    let read = read_all(source.as_mut());
    assert_eq!(read.len(), 20, "each stored frame once, none repeated");
}

#[test]
fn a_file_with_two_video_streams_plays_the_first_one_whole() {
    if !lensmith_testkit::ffmpeg_or_skip("a_file_with_two_video_streams_plays_the_first_one_whole")
    {
        return;
    }
    let dir = TempDir::new("ffmpeg-two-streams");
    let (small, large) = (dir.join("small.mp4"), dir.join("large.mp4"));
    write_all(
        &small,
        30.0,
        &[test_frame(32, 16, 0), test_frame(32, 16, 1)],
    );
    write_all(
        &large,
        30.0,
        &[test_frame(64, 48, 2), test_frame(64, 48, 3)],
    );
    // The small stream first: ffmpeg alone would decode the large one, ffprobe measures
    // the first.
    let both = dir.join("both.mkv");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&small)
        .arg("-i")
        .arg(&large)
        .args(["-map", "0:v", "-map", "1:v", "-c", "copy"])
        .arg(&both)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg could not make the test clip");
    let read = read_all(open_source(&both).unwrap().as_mut());
    assert_eq!(
        read.len(),
        2,
        "the first stream's frames, not the second's cut up"
    );
    let expected = read_all(open_source(&small).unwrap().as_mut());
    for (got, want) in read.iter().zip(&expected) {
        assert_eq!(got.frame.data(), want.frame.data());
    }
}

#[test]
fn ffmpeg_errors_carry_its_message() {
    if !lensmith_testkit::ffmpeg_or_skip("ffmpeg_errors_carry_its_message") {
        return;
    }
    let dir = TempDir::new("ffmpeg-garbage");
    let path = dir.join("garbage.mp4");
    std::fs::write(&path, "this is not a video").unwrap();
    let error = open_source(&path).err().unwrap();
    let message = error.to_string();
    assert!(matches!(error, VideoError::ToolFailed { .. }), "{message}");
    assert!(
        message.contains("garbage.mp4") && message.contains("Invalid data"),
        "{message}"
    );
}
