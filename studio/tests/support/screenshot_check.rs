//! Checks a screenshot of the studio: the preview stage is there, the picture in it is
//! not blank, and it is the sample photo with the face paint on it: a small part changed,
//! on the face, in saturated colours of several hues (the paint's rainbow).
#![allow(dead_code)]

use anyhow::{Result, bail, ensure};
use effect_api::Frame;

/// The viewer's stage colour, `Color::from_rgb(0.06, 0.06, 0.07)` in 8 bits.
const STAGE: [u8; 3] = [15, 15, 18];

fn is_stage(rgb: [u8; 3]) -> bool {
    rgb.iter()
        .zip(STAGE)
        .all(|(value, stage)| value.abs_diff(stage) <= 3)
}

/// The picture's box in the stage: the stage's bounding box, then the rows and columns
/// inside it that hold anything but stage colour.
pub fn picture_box(shot: &Frame) -> Result<(u32, u32, u32, u32)> {
    let (width, height) = (shot.width(), shot.height());
    let view = shot.view();
    let (mut left, mut top, mut right, mut bottom) = (width, height, 0, 0);
    let mut stage_pixels = 0u64;
    for y in 0..height {
        for x in 0..width {
            if is_stage(view.rgb(x, y)) {
                stage_pixels += 1;
                left = left.min(x);
                right = right.max(x);
                top = top.min(y);
                bottom = bottom.max(y);
            }
        }
    }
    ensure!(
        stage_pixels > 10_000,
        "no preview stage (colour {STAGE:?}) in the screenshot: is the studio on screen?"
    );
    let (mut pl, mut pt, mut pr, mut pb) = (right, bottom, left, top);
    for y in top..=bottom {
        for x in left..=right {
            if !is_stage(view.rgb(x, y)) {
                pl = pl.min(x);
                pr = pr.max(x);
                pt = pt.min(y);
                pb = pb.max(y);
            }
        }
    }
    ensure!(
        pr > pl && pb > pt,
        "the preview stage is empty: no frame is shown"
    );
    Ok((pl, pt, pr + 1 - pl, pb + 1 - pt))
}

/// The hue of a saturated colour in sixths of the circle (red, yellow, green, cyan, blue,
/// magenta), or `None` for greys and pale or dark colours.
fn hue_sixth(rgb: [u8; 3]) -> Option<usize> {
    let [r, g, b] = rgb.map(f32::from);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    if max - min < 90.0 {
        return None;
    }
    let chroma = max - min;
    let hue = if max == r {
        ((g - b) / chroma).rem_euclid(6.0)
    } else if max == g {
        (b - r) / chroma + 2.0
    } else {
        (r - g) / chroma + 4.0
    };
    Some((hue.round() as usize) % 6)
}

/// The picture must be the photo scaled to fit, with the paint on the face: a small part
/// of it changed, in the upper half, in saturated colours of several hues (the rainbow).
pub fn compare_with_photo(
    shot: &Frame,
    (left, top, width, height): (u32, u32, u32, u32),
    photo: &Frame,
) -> Result<()> {
    let (view, photo_view) = (shot.view(), photo.view());
    let (mut difference, mut far) = (0f64, 0u64);
    let (mut far_x, mut far_y) = (0f64, 0f64);
    let mut hues = [0u64; 6];
    for y in 0..height {
        for x in 0..width {
            // The picture is the photo scaled to fit (and filtered): compare with the
            // closest of the photo's pixels around the one it maps to, so edges do not count.
            let px = (u64::from(x) * u64::from(photo.width()) / u64::from(width)) as u32;
            let py = (u64::from(y) * u64::from(photo.height()) / u64::from(height)) as u32;
            let shown = view.rgb(left + x, top + y);
            let mut delta = u32::MAX;
            for ny in py.saturating_sub(1)..=(py + 1).min(photo.height() - 1) {
                for nx in px.saturating_sub(1)..=(px + 1).min(photo.width() - 1) {
                    let expected = photo_view.rgb(nx, ny);
                    let here: u32 = shown
                        .iter()
                        .zip(expected)
                        .map(|(a, b)| u32::from(a.abs_diff(b)))
                        .sum();
                    delta = delta.min(here);
                }
            }
            difference += f64::from(delta) / 3.0;
            if delta > 120 {
                far += 1;
                far_x += f64::from(x) / f64::from(width);
                far_y += f64::from(y) / f64::from(height);
                if let Some(sixth) = hue_sixth(shown) {
                    hues[sixth] += 1;
                }
            }
        }
    }
    let count = f64::from(width) * f64::from(height);
    let mean = difference / count;
    let far_share = far as f64 / count;
    let centre = (far_x / far.max(1) as f64, far_y / far.max(1) as f64);
    println!(
        "against the photo: mean difference {mean:.1}; {:.2}% of pixels changed, centred at ({:.2}, {:.2}) of the picture; their saturated hues (R Y G C B M): {hues:?}",
        far_share * 100.0,
        centre.0,
        centre.1
    );
    ensure!(
        mean < 20.0,
        "the picture is not the photo (mean difference {mean:.1})"
    );
    ensure!(far_share > 0.002, "nothing was painted on the photo");
    ensure!(
        far_share < 0.15,
        "too much differs from the photo ({:.1}%)",
        far_share * 100.0
    );
    ensure!(
        centre.1 < 0.5,
        "the changes are not on the face (centred at {centre:?})"
    );
    let strong_hues = hues.iter().filter(|&&pixels| pixels >= 20).count();
    if strong_hues < 3 {
        bail!(
            "the changes have {strong_hues} saturated hue(s), the face paint's rainbow has more: {hues:?}"
        );
    }
    Ok(())
}

/// The picture in `shot` is `photo` with the face paint on it; prints what it measured.
pub fn shows_painted_photo(shot: &Frame, photo: &Frame) -> Result<()> {
    let (left, top, width, height) = picture_box(shot)?;
    println!("preview picture: {width}×{height} at ({left}, {top})");
    ensure!(
        width >= 200 && height >= 200,
        "the picture is too small: {width}×{height}"
    );
    let view = shot.view();
    let (mut sum, mut sum_sq, mut saturated) = (0f64, 0f64, 0u64);
    for y in top..top + height {
        for x in left..left + width {
            let rgb = view.rgb(x, y);
            let luma =
                0.299 * f64::from(rgb[0]) + 0.587 * f64::from(rgb[1]) + 0.114 * f64::from(rgb[2]);
            sum += luma;
            sum_sq += luma * luma;
            saturated += u64::from(hue_sixth(rgb).is_some());
        }
    }
    let count = f64::from(width) * f64::from(height);
    let deviation = (sum_sq / count - (sum / count).powi(2)).max(0.0).sqrt();
    println!("luma deviation {deviation:.1}; saturated pixels {saturated}");
    ensure!(
        deviation > 20.0,
        "the picture is nearly uniform (deviation {deviation:.1}): blank?"
    );
    ensure!(
        saturated >= 500,
        "only {saturated} saturated pixels: a grey picture?"
    );
    compare_with_photo(shot, (left, top, width, height), photo)
}
