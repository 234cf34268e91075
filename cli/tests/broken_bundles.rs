//! A corpus of broken bundles, each made from one good bundle by one mistake, across
//! syntax, schema, meaning, assets and models (hostile archives are in the runtime's
//! `tests/bundle_archive.rs`). For every one, `lensmith validate` must exit with status 1,
//! print a `file:line:column:` message naming the problem, and not panic; `lensmith pack`
//! must refuse it and write nothing.

#[path = "support/bundle.rs"]
mod bundle;

use std::ffi::OsStr;
use std::path::Path;

use bundle::{cube, lensmith, printed, write_bundle, write_png};
use lensmith_testkit::TempDir;

const MANIFEST: &str = r#"[effect]
id = "com.example.hat"
name = "Party hat"
version = "0.1.0"
api_version = "1.0"
thumbnail = "images/hat.png"

[budget]
max_texture_px = 1024

[[trigger]]
name = "smiling"
when = "smile"

[[layer]]
kind = "sticker"
name = "hat"
image = "images/hat.png"
anchor = [10]
trigger = "smiling"

[[layer.parameter]]
name = "scale"
type = "float"
min = 0.5
max = 2.0
default = 1.0

[[layer]]
kind = "lut"
name = "warm"
file = "luts/warm.cube"
"#;

/// An ONNX model (`onnx.proto`'s ModelProto: IR version 8, opset 17) whose graph's one
/// initializer, `w` (4 floats), says its values are in `weights.bin` beside it
/// (`external_data` {location: weights.bin}, `data_location` EXTERNAL): what
/// `onnx.save_model(..., save_as_external_data=True)` writes.
const EXTERNAL_WEIGHTS_MODEL: &[u8] = b"\x08\x08\x42\x04\x0a\x00\x10\x11\x3a\x24\x2a\x22\x08\x04\x10\x01\x42\x01\x77\x6a\x17\x0a\x08location\x12\x0bweights.bin\x70\x01";

/// The good bundle, in `dir`.
fn write_good(dir: &Path) {
    write_bundle(dir, MANIFEST);
}

/// One mistake: a name, what to do to the good bundle, and words the report must hold.
struct Case {
    name: &'static str,
    damage: Box<dyn Fn(&Path)>,
    expect: &'static [&'static str],
}

fn edit(from: &'static str, to: &'static str) -> Box<dyn Fn(&Path)> {
    Box::new(move |dir: &Path| {
        let path = dir.join("effect.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "the good manifest holds `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    })
}

fn append(extra: &'static str) -> Box<dyn Fn(&Path)> {
    Box::new(move |dir: &Path| {
        let path = dir.join("effect.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}{extra}")).unwrap();
    })
}

fn cases() -> Vec<Case> {
    let case = |name, damage, expect| Case {
        name,
        damage,
        expect,
    };
    vec![
        // Syntax.
        case(
            "unclosed string",
            edit("\"Party hat\"", "\"Party hat"),
            &["TOML syntax"],
        ),
        case(
            "missing value",
            edit("version = \"0.1.0\"", "version ="),
            &["TOML syntax"],
        ),
        case(
            "duplicate key",
            edit("name = \"Party hat\"", "name = \"a\"\nname = \"b\""),
            &["TOML syntax"],
        ),
        case(
            "bad table header",
            edit("[budget]", "[budget"),
            &["TOML syntax"],
        ),
        // Shape.
        case(
            "misspelt key",
            edit("thumbnail =", "thumbnial ="),
            &[
                "unknown key `effect.thumbnial`",
                "did you mean `thumbnail`?",
            ],
        ),
        case(
            "missing required key",
            edit("id = \"com.example.hat\"\n", ""),
            &["missing key `effect.id`"],
        ),
        case(
            "wrong type",
            edit("anchor = [10]", "anchor = 10"),
            &["`layer[0].anchor` is a whole number, expected an array"],
        ),
        case(
            "unknown layer kind",
            edit("kind = \"lut\"", "kind = \"lookup\""),
            &["\"lookup\" is not a known value"],
        ),
        case(
            "unknown trigger signal",
            edit("when = \"smile\"", "when = \"smiel\""),
            &["\"smiel\" is not a known value", "did you mean \"smile\"?"],
        ),
        case(
            "unknown blend mode",
            edit("anchor = [10]", "anchor = [10]\nblend = \"overlay\""),
            &["\"overlay\" is not a known value"],
        ),
        case(
            "unknown top-level table",
            append("[extras]\nx = 1\n"),
            &["unknown key `extras`"],
        ),
        // Meaning.
        case(
            "id not reverse-DNS",
            edit("com.example.hat", "Party Hat"),
            &["not a reverse-DNS identifier"],
        ),
        case(
            "version not semver",
            edit("\"0.1.0\"", "\"v1\""),
            &["not a semver version"],
        ),
        case(
            "newer runtime contract",
            edit("api_version = \"1.0\"", "api_version = \"3.1\""),
            &["needs runtime contract 3.1"],
        ),
        case(
            "undefined trigger",
            edit("trigger = \"smiling\"", "trigger = \"smilin\""),
            &["refers to trigger \"smilin\"", "did you mean \"smiling\"?"],
        ),
        case(
            "default out of range",
            edit("default = 1.0", "default = 4.0"),
            &["default 4 is outside min 0.5 ..= max 2"],
        ),
        case(
            "trigger levels reversed",
            edit("when = \"smile\"", "when = \"smile\"\non = 0.2\noff = 0.8"),
            &["must satisfy 0 <= off <= on <= 1"],
        ),
        case(
            "path leaves the bundle",
            edit("image = \"images/hat.png\"", "image = \"../hat.png\""),
            &["path \"../hat.png\""],
        ),
        case(
            "anchor past the mesh and the irises",
            edit("anchor = [10]", "anchor = [478]"),
            &["landmark indices from 0 to 477"],
        ),
        case(
            "duplicate layer name",
            edit("name = \"warm\"", "name = \"hat\""),
            &["layer `hat` is defined twice"],
        ),
        // Assets.
        case(
            "missing image",
            Box::new(|dir: &Path| std::fs::remove_file(dir.join("images/hat.png")).unwrap()),
            &["\"images/hat.png\" is not in the bundle"],
        ),
        case(
            "image not an image",
            Box::new(|dir: &Path| {
                std::fs::write(dir.join("images/hat.png"), b"not a png").unwrap()
            }),
            &["\"images/hat.png\" cannot be used as an image: it is not a PNG or JPEG"],
        ),
        case(
            "image in a format bundles do not hold",
            Box::new(|dir: &Path| {
                image::RgbImage::from_pixel(4, 4, image::Rgb([9, 9, 9]))
                    .save_with_format(dir.join("images/hat.png"), image::ImageFormat::WebP)
                    .unwrap()
            }),
            &["it is a WebP image, and bundles hold PNG or JPEG images only"],
        ),
        case(
            "image cut short after its header",
            Box::new(|dir: &Path| {
                let path = dir.join("images/hat.png");
                // Noise, so that the compressed pixels are many times the header's size.
                let noise = image::RgbImage::from_fn(200, 200, |x, y| {
                    image::Rgb([(x * 7 + y * 13) as u8, (x * y) as u8, (x ^ y) as u8])
                });
                noise.save(&path).unwrap();
                let bytes = std::fs::read(&path).unwrap();
                std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
            }),
            &["\"images/hat.png\" cannot be used as an image"],
        ),
        case(
            "image over the texture budget",
            Box::new(|dir: &Path| write_png(&dir.join("images/hat.png"), 2048, 16)),
            &["over the texture budget of 1024 px"],
        ),
        case(
            "short LUT",
            Box::new(|dir: &Path| {
                std::fs::write(
                    dir.join("luts/warm.cube"),
                    cube().replacen("0 0 0\n", "", 1),
                )
                .unwrap()
            }),
            &["7 colour lines, but LUT_3D_SIZE 2 needs 8"],
        ),
        case(
            "LUT with a bad line",
            Box::new(|dir: &Path| {
                std::fs::write(
                    dir.join("luts/warm.cube"),
                    cube().replacen("1 0 0", "1 red 0", 1),
                )
                .unwrap()
            }),
            &["warm.cube:3:1", "is not 3 numbers: `red` is not a number"],
        ),
        case(
            "bundle over its size budget",
            edit(
                "max_texture_px = 1024",
                "max_texture_px = 1024\nmax_total_mb = 0.000001",
            ),
            &["over its budget"],
        ),
        case(
            "no manifest",
            Box::new(|dir: &Path| std::fs::remove_file(dir.join("effect.toml")).unwrap()),
            &["effect.toml"],
        ),
        // Models.
        case(
            "model that is not ONNX",
            Box::new(|dir: &Path| {
                std::fs::create_dir_all(dir.join("models")).unwrap();
                std::fs::write(dir.join("models/toon.onnx"), b"garbage, not a model").unwrap();
                let text = std::fs::read_to_string(dir.join("effect.toml")).unwrap();
                std::fs::write(dir.join("effect.toml"), format!("{text}\n[[layer]]\nkind = \"face_model\"\nname = \"toon\"\nmodel = \"models/toon.onnx\"\n")).unwrap();
            }),
            &["model \"models/toon.onnx\""],
        ),
        case(
            "model whose weights are stored beside it",
            Box::new(|dir: &Path| {
                std::fs::create_dir_all(dir.join("models")).unwrap();
                std::fs::write(dir.join("models/toon.onnx"), EXTERNAL_WEIGHTS_MODEL).unwrap();
                std::fs::write(dir.join("models/weights.bin"), [0u8; 16]).unwrap();
                let text = std::fs::read_to_string(dir.join("effect.toml")).unwrap();
                std::fs::write(dir.join("effect.toml"), format!("{text}\n[[layer]]\nkind = \"face_model\"\nname = \"toon\"\nmodel = \"models/toon.onnx\"\n")).unwrap();
            }),
            &[
                "model \"models/toon.onnx\" does not load",
                "(tensor \"w\") are stored in a separate file",
                "save_as_external_data=False",
            ],
        ),
        case(
            "model missing",
            append(
                "\n[[layer]]\nkind = \"face_model\"\nname = \"toon\"\nmodel = \"models/toon.onnx\"\n",
            ),
            &["\"models/toon.onnx\" is not in the bundle"],
        ),
        case(
            "crop size not a multiple of 8",
            append(
                "\n[[layer]]\nkind = \"face_model\"\nname = \"toon\"\nmodel = \"m.onnx\"\ncrop_size = 250\n",
            ),
            &["must be a multiple of 8"],
        ),
    ]
}

#[test]
fn every_broken_bundle_is_refused_with_a_clear_message() {
    let work = TempDir::new("broken-bundles");
    let good = work.join("good");
    write_good(&good);
    let output = lensmith(&[OsStr::new("validate"), good.as_os_str()]);
    assert!(
        output.status.success(),
        "the good bundle validates: {}",
        String::from_utf8_lossy(&output.stdout)
    );

    let cases = cases();
    assert!(cases.len() >= 25, "the corpus keeps at least 25 cases");
    for (index, case) in cases.iter().enumerate() {
        let dir = work.join(&format!("case{index}"));
        write_good(&dir);
        (case.damage)(&dir);
        let output = lensmith(&[OsStr::new("validate"), dir.as_os_str()]);
        let report = printed(&output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}: exit status, report:\n{report}",
            case.name
        );
        assert!(
            !report.contains("panicked"),
            "{}: panicked:\n{report}",
            case.name
        );
        for expected in case.expect {
            assert!(
                report.contains(expected),
                "{}: `{expected}` missing from:\n{report}",
                case.name
            );
        }
        let archive = work.join(&format!("case{index}.effect"));
        let pack = lensmith(&[
            OsStr::new("pack"),
            dir.as_os_str(),
            OsStr::new("-o"),
            archive.as_os_str(),
        ]);
        assert_eq!(
            pack.status.code(),
            Some(1),
            "{}: pack must refuse",
            case.name
        );
        assert!(
            !archive.exists(),
            "{}: a broken bundle was packed",
            case.name
        );
    }
    println!("{} broken bundles refused", cases.len());
}
