//! A 5 × 7 pixel font of digits and a few signs, drawn from code (no font files), for the
//! numbers on the UV layout guide.

use super::canvas::{Canvas, Rgba, V2, v2};

/// Rows of each glyph, top first; bit 4 is the leftmost column.
fn glyph(character: char) -> Option<[u8; 7]> {
    Some(match character {
        '0' => [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
        '1' => [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
        '2' => [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
        '3' => [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
        '4' => [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
        '5' => [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
        '6' => [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
        '7' => [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
        '9' => [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c],
        'u' => [0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d],
        'v' => [0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04],
        '=' => [0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00],
        ' ' => [0; 7],
        _ => return None,
    })
}

/// Width of `text` in pixels at `scale` (one column of space between glyphs).
pub fn text_width(text: &str, scale: f32) -> f32 {
    let count = text.chars().count() as f32;
    (count * 6.0 - 1.0).max(0.0) * scale
}

/// Height of a line of text at `scale`.
pub fn text_height(scale: f32) -> f32 {
    7.0 * scale
}

/// Draws `text` with its top-left corner at `origin`, each font pixel a `scale`-sized
/// square, in `colour` over a `halo`-coloured outline one font pixel wide (for legibility
/// over the mesh). Characters the font lacks are left blank.
pub fn draw_text(
    canvas: &mut Canvas,
    origin: V2,
    scale: f32,
    text: &str,
    colour: Rgba,
    halo: Rgba,
) {
    let cells: Vec<V2> = text
        .chars()
        .enumerate()
        .filter_map(|(index, character)| Some((index, glyph(character)?)))
        .flat_map(|(index, rows)| {
            (0..7).flat_map(move |row| {
                (0..5)
                    .filter(move |column| rows[row] >> (4 - column) & 1 == 1)
                    .map(move |column| v2((index * 6 + column) as f32, row as f32))
            })
        })
        .map(|cell| origin + cell * scale)
        .collect();
    let size = v2(text_width(text, scale), text_height(scale));
    let bounds = canvas.covering(origin - v2(scale, scale), origin + size + v2(scale, scale));
    // Distance to the nearest lit cell, in font pixels, measured as a box (Chebyshev)
    // distance so that the outline keeps the glyphs' square corners.
    let cell_distance = |p: V2| {
        cells
            .iter()
            .map(|&corner| {
                let centre = corner + v2(scale / 2.0, scale / 2.0);
                let d = p - centre;
                d.x.abs().max(d.y.abs()) - scale / 2.0
            })
            .fold(f32::INFINITY, f32::min)
    };
    canvas.fill(bounds, halo, |p| cell_distance(p) - scale);
    canvas.fill(bounds, colour, cell_distance);
}
