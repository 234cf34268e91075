//! `lensmith render` run as a user runs it: the built binary playing an effect bundle on the
//! sample photo (as PNG and as WebP) and a folder of two images, checking the pixels it
//! draws, its refusals and the GPU renderer against the CPU one. Clips (Y4M, video, audio,
//! interruption) are in `render_clips_cli.rs`.

#[path = "support/bundle.rs"]
mod bundle;
#[path = "support/render.rs"]
#[allow(dead_code)] // the clip helpers are for render_clips_cli.rs
mod render_support;

use std::ffi::OsStr;

use bundle::{printed, write_png};
use effect_api::Point2;
use lensmith_runtime::video::create_sink;
use lensmith_testkit::{Motion, TempDir};

use render_support::{
    PAINT_MANIFEST, assert_painted, assert_success, face_box, listing, paint_bundle, read_frames,
    render, render_successfully, write_paint_bundle,
};

#[test]
fn paints_the_astronauts_face_and_not_the_corners() {
    let Some(cache) =
        lensmith_testkit::cache_or_skip("paints_the_astronauts_face_and_not_the_corners")
    else {
        return;
    };
    let work = TempDir::new("render-astronaut");
    let bundle = paint_bundle();
    let photo_path = lensmith_testkit::astronaut_path(&cache);
    let out = work.join("painted.png");
    let output = render_successfully(&bundle, &photo_path, &out);
    let photo = lensmith_testkit::astronaut(&cache);
    let painted = read_frames(&out).remove(0);
    assert_painted(&photo, &painted, face_box(&cache, &photo), "astronaut");
    assert!(
        printed(&output).contains("1 frame(s), 1 face(s)"),
        "{}",
        printed(&output)
    );

    // The same pixels as a WebP photo (the image crate writes WebP losslessly) are painted
    // exactly as the PNG was.
    let webp = work.join("astronaut.webp");
    image::open(&photo_path)
        .unwrap()
        .to_rgb8()
        .save_with_format(&webp, image::ImageFormat::WebP)
        .unwrap();
    let out_webp = work.join("painted_from_webp.png");
    let output = render_successfully(&bundle, &webp, &out_webp);
    assert!(
        printed(&output).contains("1 frame(s), 1 face(s)"),
        "{}",
        printed(&output)
    );
    assert!(
        read_frames(&out_webp).remove(0).data() == painted.data(),
        "the WebP photo was painted differently from the same pixels as PNG"
    );
}

#[test]
fn paints_a_folder_of_two_images_under_their_names() {
    let Some(cache) =
        lensmith_testkit::cache_or_skip("paints_a_folder_of_two_images_under_their_names")
    else {
        return;
    };
    let work = TempDir::new("render-folder");
    let bundle = paint_bundle();
    let photo = lensmith_testkit::astronaut(&cache);
    let moved = Motion {
        angle: 0.2,
        scale: 0.8,
        shift: Point2::new(20.0, 30.0),
        centre: Point2::new(256.0, 256.0),
    }
    .render(&photo);
    let (input, out) = (work.join("frames"), work.join("painted"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(
        lensmith_testkit::astronaut_path(&cache),
        input.join("one.png"),
    )
    .unwrap();
    let mut sink = create_sink(&input.join("two.png"), 30.0).unwrap();
    sink.write_frame(moved.view()).unwrap();
    sink.finish().unwrap();
    std::fs::write(input.join("notes.txt"), "not an image").unwrap();

    render_successfully(&bundle, &input, &out);
    assert_eq!(listing(&out), ["one.png", "two.png"]);
    let one = read_frames(&out.join("one.png")).remove(0);
    assert_painted(&photo, &one, face_box(&cache, &photo), "one.png");
    let two = read_frames(&out.join("two.png")).remove(0);
    assert_painted(&moved, &two, face_box(&cache, &moved), "two.png");

    // The same folder as output would overwrite the images: refused, nothing touched.
    let before = std::fs::read(input.join("one.png")).unwrap();
    let output = render(&[
        bundle.as_os_str(),
        input.as_os_str(),
        "-o".as_ref(),
        input.as_os_str(),
    ]);
    assert!(!output.status.success(), "{}", printed(&output));
    assert!(
        printed(&output).contains("refusing to overwrite"),
        "{}",
        printed(&output)
    );
    assert_eq!(std::fs::read(input.join("one.png")).unwrap(), before);
}

#[test]
fn a_broken_bundle_fails_naming_file_and_line_and_writes_nothing() {
    let test = "a_broken_bundle_fails_naming_file_and_line_and_writes_nothing";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    let work = TempDir::new("render-broken");
    let bundle = work.join("broken");
    write_paint_bundle(&bundle, &PAINT_MANIFEST.replace("texture = ", "textur = "));
    let photo = lensmith_testkit::astronaut_path(&cache);
    let out = work.join("out.png");
    let output = render(&[
        bundle.as_os_str(),
        photo.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(!output.status.success(), "{}", printed(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Every problem, each with its file, line and column.
    let located = stderr
        .lines()
        .filter(|line| {
            line.contains("effect.toml:")
                && line
                    .split(':')
                    .nth(2)
                    .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .count();
    assert!(located >= 2, "every problem with file:line:\n{stderr}");
    assert!(stderr.contains("textur"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(listing(work.path()), ["broken"], "nothing written");
}

#[test]
fn bad_paths_are_named_and_nothing_is_overwritten() {
    let work = TempDir::new("render-paths");
    let bundle = work.join("paint");
    write_paint_bundle(&bundle, PAINT_MANIFEST);
    let still = work.join("face.png");
    write_png(&still, 16, 16);
    let before = std::fs::read(&still).unwrap();
    let nowhere = work.join("no/such/folder/x.png");
    let cases: [(&[&OsStr], &str); 5] = [
        (
            &[
                bundle.as_os_str(),
                "missing.mp4".as_ref(),
                "-o".as_ref(),
                "x.mp4".as_ref(),
            ],
            "missing.mp4 does not exist",
        ),
        (
            &[
                "no-bundle".as_ref(),
                still.as_os_str(),
                "-o".as_ref(),
                "x.png".as_ref(),
            ],
            "bundle no-bundle does not exist",
        ),
        (
            &[
                bundle.as_os_str(),
                still.as_os_str(),
                "-o".as_ref(),
                still.as_os_str(),
            ],
            "refusing to overwrite",
        ),
        (
            &[
                bundle.as_os_str(),
                still.as_os_str(),
                "-o".as_ref(),
                "x.mp4".as_ref(),
            ],
            "name it .png or .jpg",
        ),
        (
            &[
                bundle.as_os_str(),
                still.as_os_str(),
                "-o".as_ref(),
                nowhere.as_os_str(),
            ],
            "does not exist: create it first",
        ),
    ];
    for (args, expected) in cases {
        let output = render(args);
        assert!(!output.status.success(), "{args:?}: {}", printed(&output));
        assert!(
            printed(&output).contains(expected),
            "{args:?}: `{expected}` missing from:\n{}",
            printed(&output)
        );
    }
    assert_eq!(
        std::fs::read(&still).unwrap(),
        before,
        "the input is untouched"
    );
}

#[test]
fn gpu_renderer_paints_like_the_cpu_one_when_an_adapter_exists() {
    let test = "gpu_renderer_paints_like_the_cpu_one_when_an_adapter_exists";
    let Some(cache) = lensmith_testkit::cache_or_skip(test) else {
        return;
    };
    if let Err(error) = lensmith_runtime::render::gpu::GpuRenderer::new() {
        if std::env::var_os("LENSMITH_REQUIRE_GPU").is_some() {
            panic!("{test}: a GPU adapter is required here (LENSMITH_REQUIRE_GPU): {error}");
        }
        lensmith_testkit::announce_skip(
            test,
            &format!("no GPU adapter: {error}"),
            "Install a Vulkan driver (mesa-vulkan-drivers gives lavapipe) to run it.",
        );
        return;
    }
    let work = TempDir::new("render-gpu");
    let bundle = paint_bundle();
    let photo_path = lensmith_testkit::astronaut_path(&cache);
    let mut painted = Vec::new();
    for renderer in ["cpu", "gpu"] {
        let out = work.join(&format!("{renderer}.png"));
        let output = render(&[
            bundle.as_os_str(),
            photo_path.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--renderer".as_ref(),
            renderer.as_ref(),
        ]);
        assert_success(&output);
        assert!(
            printed(&output).contains(&format!("({renderer}")),
            "{}",
            printed(&output)
        );
        painted.push(read_frames(&out).remove(0));
    }
    let photo = lensmith_testkit::astronaut(&cache);
    assert_painted(&photo, &painted[1], face_box(&cache, &photo), "gpu");
    let (cpu, gpu) = (painted[0].data(), painted[1].data());
    let mean = cpu
        .iter()
        .zip(gpu)
        .map(|(a, b)| f64::from(a.abs_diff(*b)))
        .sum::<f64>()
        / cpu.len() as f64;
    assert!(
        mean < 1.0,
        "the GPU differs from the CPU by {mean:.2} per channel on average"
    );
}
