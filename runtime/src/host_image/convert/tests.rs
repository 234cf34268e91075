//! The conversions against per-pixel references, the Y4M path and each other.

use super::super::{HostImageLayout, Rotation};
use super::*;
use crate::video::{FrameSink, FrameSource, Y4mReader, Y4mWriter, yuv};

const ROTATIONS: [Rotation; 4] = [
    Rotation::Upright,
    Rotation::Clockwise90,
    Rotation::Clockwise180,
    Rotation::Clockwise270,
];

/// `width` x `height` pixels of varied colours (a fixed pseudo-random sequence).
fn varied(width: u32, height: u32) -> Frame {
    let mut state = 0x2545_f491_u32.wrapping_add(width * 31 + height);
    let data = (0..width * height * 3)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    Frame::from_packed(data, width, height, PixelFormat::Rgb8).unwrap()
}

/// `frame` stored as RGBA or BGRA in rows of `stride` bytes, padding and alpha `fill`.
fn four_byte(format: HostPixelFormat, frame: &Frame, stride: usize, fill: u8) -> Vec<u8> {
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let mut data = vec![fill; stride * height];
    let [r, g, b] = channel_order(format);
    for y in 0..height {
        for x in 0..width {
            let pixel = &mut data[y * stride + 4 * x..][..4];
            [pixel[r], pixel[g], pixel[b]] = frame.view().rgb(x as u32, y as u32);
        }
    }
    data
}

/// Where red, green and blue sit in a 4-byte pixel.
fn channel_order(format: HostPixelFormat) -> [usize; 3] {
    match format {
        HostPixelFormat::Bgra8 => [2, 1, 0],
        HostPixelFormat::Rgba8 | HostPixelFormat::Nv21 => [0, 1, 2],
    }
}

fn layout(format: HostPixelFormat, width: u32, height: u32) -> HostImageLayout {
    HostImageLayout::packed(format, width, height)
}

/// `stored` read through an RGBA buffer turned by `rotation` and `mirrored`.
fn turned(stored: &Frame, rotation: Rotation, mirrored: bool) -> Frame {
    let layout = HostImageLayout {
        rotation,
        mirrored,
        ..layout(HostPixelFormat::Rgba8, stored.width(), stored.height())
    };
    let data = four_byte(HostPixelFormat::Rgba8, stored, layout.strides[0], 255);
    let mut frame = Frame::filled(1, 1, [0; 3]).unwrap();
    read_upright(&HostImage::new(layout, [&data, &[]]).unwrap(), &mut frame);
    frame
}

/// `frame` written as NV21 of `layout`, into planes first filled with `fill`.
fn nv21_bytes(frame: &Frame, layout: HostImageLayout, fill: u8) -> [Vec<u8>; 2] {
    let [mut luma, mut chroma] = layout.plane_lens().unwrap().map(|len| vec![fill; len]);
    let mut image = HostImageMut::new(layout, [&mut luma, &mut chroma]).unwrap();
    write_upright(frame.view(), &mut image).unwrap();
    [luma, chroma]
}

fn read(layout: HostImageLayout, planes: &[Vec<u8>; 2]) -> Frame {
    let mut frame = Frame::filled(1, 1, [0; 3]).unwrap();
    read_upright(
        &HostImage::new(layout, [&planes[0], &planes[1]]).unwrap(),
        &mut frame,
    );
    frame
}

#[test]
fn corners_land_where_the_turn_and_mirror_put_them() {
    // Stored 3x2: corners A (0, 0), B (2, 0), C (0, 1), D (2, 1).
    let stored = varied(3, 2);
    let corners = [(0, 0), (2, 0), (0, 1), (2, 1)];
    for (rotation, mirrored, landed) in [
        (Rotation::Upright, false, [(0, 0), (2, 0), (0, 1), (2, 1)]),
        (Rotation::Upright, true, [(2, 0), (0, 0), (2, 1), (0, 1)]),
        (
            Rotation::Clockwise90,
            false,
            [(1, 0), (1, 2), (0, 0), (0, 2)],
        ),
        (
            Rotation::Clockwise90,
            true,
            [(0, 0), (0, 2), (1, 0), (1, 2)],
        ),
        (
            Rotation::Clockwise180,
            false,
            [(2, 1), (0, 1), (2, 0), (0, 0)],
        ),
        (
            Rotation::Clockwise180,
            true,
            [(0, 1), (2, 1), (0, 0), (2, 0)],
        ),
        (
            Rotation::Clockwise270,
            false,
            [(0, 2), (0, 0), (1, 2), (1, 0)],
        ),
        (
            Rotation::Clockwise270,
            true,
            [(1, 2), (1, 0), (0, 2), (0, 0)],
        ),
    ] {
        let upright = turned(&stored, rotation, mirrored);
        let size = if rotation.swaps_sides() {
            (2, 3)
        } else {
            (3, 2)
        };
        assert_eq!((upright.width(), upright.height()), size);
        for ((x, y), (upright_x, upright_y)) in corners.into_iter().zip(landed) {
            assert_eq!(
                upright.view().rgb(upright_x, upright_y),
                stored.view().rgb(x, y),
                "{rotation:?}, mirrored {mirrored}: stored ({x}, {y})"
            );
        }
    }
}

#[test]
fn rgba_and_bgra_round_trip_exactly_and_keep_padding() {
    let stored = varied(5, 3);
    let stride = 5 * 4 + 3;
    for format in [HostPixelFormat::Rgba8, HostPixelFormat::Bgra8] {
        // Alpha 7 on the way in: ignored by reads, written back as 255.
        let input = four_byte(format, &stored, stride, 7);
        let expected = four_byte(format, &stored, stride, 255);
        for rotation in ROTATIONS {
            for mirrored in [false, true] {
                let layout = HostImageLayout {
                    strides: [stride, 0],
                    rotation,
                    mirrored,
                    ..layout(format, 5, 3)
                };
                let upright = read(layout, &[input.clone(), Vec::new()]);
                assert_eq!(upright, turned(&stored, rotation, mirrored));
                let mut output = vec![0xa5; input.len()];
                let mut image = HostImageMut::new(layout, [&mut output, &mut []]).unwrap();
                write_upright(upright.view(), &mut image).unwrap();
                for (y, (got, want)) in output
                    .chunks(stride)
                    .zip(expected.chunks(stride))
                    .enumerate()
                {
                    let context = format!("{format} {rotation:?} mirrored {mirrored} row {y}");
                    assert_eq!(got[..20], want[..20], "{context}");
                    assert_eq!(got[20..], [0xa5; 3], "{context}: padding was written");
                }
            }
        }
    }
}

#[test]
fn rgba_frames_and_in_place_buffers_are_written() {
    let stored = varied(4, 2);
    let layout = HostImageLayout {
        rotation: Rotation::Clockwise90,
        ..layout(HostPixelFormat::Bgra8, 4, 2)
    };
    let mut buffer = four_byte(HostPixelFormat::Bgra8, &stored, 16, 255);
    let original = buffer.clone();
    let mut image = HostImageMut::new(layout, [&mut buffer, &mut []]).unwrap();
    let mut frame = Frame::filled(1, 1, [0; 3]).unwrap();
    read_upright(&image.as_image(), &mut frame);
    // The same pixels as an RGBA frame with padded rows.
    let mut rgba = vec![9; 2 * 6 * 4];
    for y in 0..4 {
        for x in 0..2 {
            let at = y * 12 + x * 4;
            rgba[at..at + 3].copy_from_slice(&frame.view().rgb(x as u32, y as u32));
        }
    }
    let view = FrameView::new(&rgba, 2, 4, 12, PixelFormat::Rgba8).unwrap();
    write_upright(view, &mut image).unwrap();
    assert_eq!(buffer, original);
}

#[test]
fn frames_are_reused_when_the_size_matches() {
    let stored = varied(4, 6);
    let layout = layout(HostPixelFormat::Rgba8, 4, 6);
    let data = four_byte(HostPixelFormat::Rgba8, &stored, 16, 255);
    let image = HostImage::new(layout, [&data, &[]]).unwrap();
    let mut frame = Frame::filled(4, 6, [1, 2, 3]).unwrap();
    let buffer = frame.data().as_ptr();
    read_upright(&image, &mut frame);
    assert_eq!(frame.data().as_ptr(), buffer);
    assert_eq!(frame, stored);
    // An RGBA frame of the right size is replaced by an RGB one.
    let mut rgba = Frame::from_packed(vec![0; 4 * 6 * 4], 4, 6, PixelFormat::Rgba8).unwrap();
    read_upright(&image, &mut rgba);
    assert_eq!(rgba, stored);
}

#[test]
fn frames_of_the_wrong_size_are_refused() {
    let layout = HostImageLayout {
        rotation: Rotation::Clockwise270,
        ..layout(HostPixelFormat::Nv21, 4, 2)
    };
    let [mut luma, mut chroma] = [vec![0; 8], vec![0; 4]];
    let mut image = HostImageMut::new(layout, [&mut luma, &mut chroma]).unwrap();
    let frame = varied(4, 2);
    assert_eq!(
        write_upright(frame.view(), &mut image)
            .unwrap_err()
            .to_string(),
        "the frame is 4x2 but the host image is 2x4 upright (4x2 stored, turned 270 degrees clockwise): write a frame of the upright size"
    );
    assert_eq!([luma, chroma], [vec![0; 8], vec![0; 4]]);
}

/// Writes `frame` to a Y4M file with the Y4M sink and returns the file's one frame of
/// planes and what the Y4M source reads back from it.
fn through_y4m(frame: &Frame) -> (Vec<u8>, Frame) {
    let path = std::env::temp_dir().join(format!(
        "lensmith-host-image-{}-{}x{}.y4m",
        std::process::id(),
        frame.width(),
        frame.height()
    ));
    let mut writer = Box::new(Y4mWriter::create(&path, 30.0).unwrap());
    writer.write_frame(frame.view()).unwrap();
    writer.finish().unwrap();
    let file = std::fs::read(&path).unwrap();
    let mut reader = Y4mReader::open(&path).unwrap();
    let decoded = reader.next_frame().unwrap().unwrap().frame;
    std::fs::remove_file(&path).unwrap();
    let header_end = file.iter().position(|&byte| byte == b'\n').unwrap() + 1;
    let planes = file[header_end..].strip_prefix(b"FRAME\n").unwrap();
    (planes.to_vec(), decoded)
}

#[test]
fn nv21_matches_the_y4m_writer_and_reader_byte_for_byte() {
    for (width, height) in [(7, 5), (8, 6), (1, 1)] {
        let frame = varied(width, height);
        let (y4m, y4m_decoded) = through_y4m(&frame);
        let (pixels, chroma_pixels) = ((width * height) as usize, {
            (width.div_ceil(2) * height.div_ceil(2)) as usize
        });
        let (luma, rest) = y4m.split_at(pixels);
        let (cb, cr) = rest.split_at(chroma_pixels);
        let vu: Vec<u8> = cr.iter().zip(cb).flat_map(|(&v, &u)| [v, u]).collect();

        let layout = layout(HostPixelFormat::Nv21, width, height);
        let nv21 = nv21_bytes(&frame, layout, 0);
        assert_eq!(nv21[0], luma, "{width}x{height} luma");
        assert_eq!(nv21[1], vu, "{width}x{height} chroma");
        assert_eq!(read(layout, &nv21), y4m_decoded, "{width}x{height} read");
    }
}

#[test]
fn nv21_with_padded_strides_matches_tight_rows_and_keeps_padding() {
    let frame = varied(7, 5);
    let tight = layout(HostPixelFormat::Nv21, 7, 5);
    let padded = HostImageLayout {
        strides: [11, 13],
        ..tight
    };
    let tight_planes = nv21_bytes(&frame, tight, 0);
    let padded_planes = nv21_bytes(&frame, padded, 0xa5);
    for plane in 0..2 {
        let [tight_stride, padded_stride] = [tight.strides[plane], padded.strides[plane]];
        let rows = padded_planes[plane].chunks(padded_stride);
        for (y, (got, want)) in rows
            .zip(tight_planes[plane].chunks(tight_stride))
            .enumerate()
        {
            assert_eq!(got[..tight_stride], *want, "plane {plane} row {y}");
            assert!(
                got[tight_stride..].iter().all(|&byte| byte == 0xa5),
                "plane {plane} row {y}: padding was written"
            );
        }
    }
    assert_eq!(read(padded, &padded_planes), read(tight, &tight_planes));
}

#[test]
fn nv21_turns_like_rgba_with_blocks_of_the_stored_buffer() {
    let stored = varied(7, 5);
    let upright_layout = layout(HostPixelFormat::Nv21, 7, 5);
    let stored_planes = nv21_bytes(&stored, upright_layout, 0);
    let stored_decoded = read(upright_layout, &stored_planes);
    for rotation in ROTATIONS {
        for mirrored in [false, true] {
            let layout = HostImageLayout {
                rotation,
                mirrored,
                ..upright_layout
            };
            let context = format!("{rotation:?} mirrored {mirrored}");
            // Writing the turned frame gives the planes of the stored one.
            let upright = turned(&stored, rotation, mirrored);
            assert_eq!(nv21_bytes(&upright, layout, 0), stored_planes, "{context}");
            // Reading turned planes gives the stored decode, turned.
            let expected = turned(&stored_decoded, rotation, mirrored);
            assert_eq!(read(layout, &stored_planes), expected, "{context}");
        }
    }
}

/// Where the stored pixel (`x`, `y`) of `layout` lands upright, worked out from the
/// turn and mirror directly rather than through `UprightMap`.
fn reference_place(layout: &HostImageLayout, x: usize, y: usize) -> (usize, usize) {
    let (width, height) = (layout.width as usize, layout.height as usize);
    let (upright_x, upright_y) = match layout.rotation {
        Rotation::Upright => (x, y),
        Rotation::Clockwise90 => (height - 1 - y, x),
        Rotation::Clockwise180 => (width - 1 - x, height - 1 - y),
        Rotation::Clockwise270 => (y, width - 1 - x),
    };
    if layout.mirrored {
        (layout.upright_size().0 as usize - 1 - upright_x, upright_y)
    } else {
        (upright_x, upright_y)
    }
}

/// The upright RGB bytes of `planes`, one stored pixel at a time.
fn reference_read(layout: &HostImageLayout, planes: &[Vec<u8>; 2]) -> Vec<u8> {
    let upright_width = layout.upright_size().0 as usize;
    let mut out = vec![0; layout.width as usize * layout.height as usize * 3];
    let [luma_stride, chroma_stride] = layout.strides;
    for y in 0..layout.height as usize {
        for x in 0..layout.width as usize {
            let pixel = match layout.format {
                HostPixelFormat::Nv21 => {
                    let vu = (y / 2) * chroma_stride + 2 * (x / 2);
                    let luma = planes[0][y * luma_stride + x];
                    yuv::rgb(luma, planes[1][vu + 1], planes[1][vu])
                }
                HostPixelFormat::Rgba8 | HostPixelFormat::Bgra8 => {
                    let [r, g, b] = channel_order(layout.format);
                    let pixel = &planes[0][y * luma_stride + 4 * x..];
                    [pixel[r], pixel[g], pixel[b]]
                }
            };
            let (upright_x, upright_y) = reference_place(layout, x, y);
            let at = (upright_y * upright_width + upright_x) * 3;
            out[at..at + 3].copy_from_slice(&pixel);
        }
    }
    out
}

/// `planes` with the upright `frame` written in, one stored pixel (and for NV21 one
/// 2x2 block) at a time.
fn reference_write(layout: &HostImageLayout, frame: FrameView, planes: &mut [Vec<u8>; 2]) {
    let (width, height) = (layout.width as usize, layout.height as usize);
    let [luma_stride, chroma_stride] = layout.strides;
    let stored_rgb = |x: usize, y: usize| {
        let (upright_x, upright_y) = reference_place(layout, x, y);
        frame.rgb(upright_x as u32, upright_y as u32)
    };
    for y in 0..height {
        for x in 0..width {
            let pixel = stored_rgb(x, y);
            match layout.format {
                HostPixelFormat::Nv21 => planes[0][y * luma_stride + x] = yuv::luma(pixel),
                HostPixelFormat::Rgba8 | HostPixelFormat::Bgra8 => {
                    let [r, g, b] = channel_order(layout.format);
                    let out = &mut planes[0][y * luma_stride + 4 * x..];
                    [out[r], out[g], out[b], out[3]] = [pixel[0], pixel[1], pixel[2], 255];
                }
            }
        }
    }
    if layout.format != HostPixelFormat::Nv21 {
        return;
    }
    for chroma_y in 0..height.div_ceil(2) {
        for chroma_x in 0..width.div_ceil(2) {
            let (mut sum, mut count) = ([0i32; 3], 0i32);
            for y in 2 * chroma_y..(2 * chroma_y + 2).min(height) {
                for x in 2 * chroma_x..(2 * chroma_x + 2).min(width) {
                    for (total, channel) in sum.iter_mut().zip(stored_rgb(x, y)) {
                        *total += i32::from(channel);
                    }
                    count += 1;
                }
            }
            let (cb, cr) = yuv::chroma(sum.map(|total| (total + count / 2) / count));
            let at = chroma_y * chroma_stride + 2 * chroma_x;
            (planes[1][at], planes[1][at + 1]) = (cr, cb);
        }
    }
}

#[test]
fn every_path_matches_a_per_pixel_reference_byte_for_byte() {
    let mut state = 0x9e37_79b9_u32;
    let mut noise = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect()
    };
    let sizes = [
        (1, 1),
        (2, 2),
        (1, 3),
        (3, 1),
        (5, 4),
        (6, 7),
        (7, 5),
        (8, 6),
        // Tall enough for a helper thread to write half of the rows.
        (5, 64),
        (7, 67),
        (3, 130),
        (66, 3),
        (131, 2),
    ];
    let mut helper = crate::helper_thread::HelperThread::spawn("test-convert").unwrap();
    let formats = [
        HostPixelFormat::Nv21,
        HostPixelFormat::Rgba8,
        HostPixelFormat::Bgra8,
    ];
    for (width, height) in sizes {
        for format in formats {
            for padded in [false, true] {
                let packed = layout(format, width, height);
                let strides = if padded {
                    packed.strides.map(|stride| stride + 3 + stride % 5)
                } else {
                    packed.strides
                };
                for rotation in ROTATIONS {
                    for mirrored in [false, true] {
                        let layout = HostImageLayout {
                            strides,
                            rotation,
                            mirrored,
                            ..packed
                        };
                        let context = format!(
                            "{format} {width}x{height} strides {strides:?} {rotation:?} mirrored {mirrored}"
                        );
                        let lens = layout.plane_lens().unwrap();
                        let planes = lens.map(&mut noise);
                        let upright = read(layout, &planes);
                        let expected = reference_read(&layout, &planes);
                        assert_eq!(upright.data(), expected, "{context}: read");
                        let image = HostImage::new(layout, [&planes[0], &planes[1]]).unwrap();
                        let mut halves = Frame::filled(1, 1, [0, 0, 0]).unwrap();
                        read_upright_on(&image, &mut halves, Some(&mut helper));
                        assert_eq!(halves.data(), expected, "{context}: read in halves");

                        // Written back from an RGB frame and from a padded RGBA one.
                        let (upright_width, upright_height) = layout.upright_size();
                        let rgba_stride = upright_width as usize * 4 + 5;
                        let rgba = noise(rgba_stride * upright_height as usize);
                        let rgba = FrameView::new(
                            &rgba,
                            upright_width,
                            upright_height,
                            rgba_stride,
                            PixelFormat::Rgba8,
                        )
                        .unwrap();
                        for frame in [upright.view(), rgba] {
                            let before = lens.map(&mut noise);
                            let mut want = before.clone();
                            reference_write(&layout, frame, &mut want);
                            let mut got = before.clone();
                            let [luma, chroma] = &mut got;
                            let mut image = HostImageMut::new(layout, [luma, chroma]).unwrap();
                            write_upright(frame, &mut image).unwrap();
                            assert_eq!(got, want, "{context}: write {:?}", frame.format());
                            let mut halves = before;
                            let [luma, chroma] = &mut halves;
                            let mut image = HostImageMut::new(layout, [luma, chroma]).unwrap();
                            write_upright_on(frame, &mut image, Some(&mut helper)).unwrap();
                            assert_eq!(
                                halves,
                                want,
                                "{context}: write in halves {:?}",
                                frame.format()
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn edge_blocks_of_odd_sizes_average_fewer_pixels() {
    // 3x3: one whole block, two blocks of 2 pixels, one of 1.
    let pixel = |x: usize, y: usize| [(40 * x + 7 * y) as u8, (90 * y + 3) as u8, 200];
    let rgb: Vec<u8> = (0..3)
        .flat_map(|y| (0..3).flat_map(move |x| pixel(x, y)))
        .collect();
    let frame = Frame::from_packed(rgb, 3, 3, PixelFormat::Rgb8).unwrap();
    let layout = HostImageLayout::packed(HostPixelFormat::Nv21, 3, 3);
    let (mut luma_plane, mut vu_plane) = (vec![0; 9], vec![0; 8]);
    let mut image = HostImageMut::new(layout, [&mut luma_plane, &mut vu_plane]).unwrap();
    write_upright(frame.view(), &mut image).unwrap();
    let mut lumas: Vec<_> = (0..3)
        .flat_map(|y| (0..3).map(move |x| (x, y)))
        .map(|(x, y)| (x, y, luma_plane[y * 3 + x]))
        .collect();
    lumas.sort();
    let expected: Vec<_> = (0..3)
        .flat_map(|x| (0..3).map(move |y| (x, y, yuv::luma(pixel(x, y)))))
        .collect();
    assert_eq!(lumas, expected);
    // NV21 stores each block's V (Cr) before its U (Cb).
    let chromas: Vec<_> = (0..2)
        .flat_map(|y| (0..2).map(move |x| (x, y)))
        .map(|(x, y)| {
            let at = y * 4 + 2 * x;
            (x, y, (vu_plane[at + 1], vu_plane[at]))
        })
        .collect();
    let mean = |pixels: &[(usize, usize)]| {
        let count = pixels.len() as i32;
        let sum = pixels.iter().fold([0; 3], |sum: [i32; 3], &(x, y)| {
            let [r, g, b] = pixel(x, y).map(i32::from);
            [sum[0] + r, sum[1] + g, sum[2] + b]
        });
        yuv::chroma(sum.map(|total| (total + count / 2) / count))
    };
    assert_eq!(
        chromas,
        [
            (0, 0, mean(&[(0, 0), (1, 0), (0, 1), (1, 1)])),
            (1, 0, mean(&[(2, 0), (2, 1)])),
            (0, 1, mean(&[(0, 2), (1, 2)])),
            (1, 1, mean(&[(2, 2)])),
        ]
    );
}
