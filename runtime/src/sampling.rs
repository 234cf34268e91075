//! Reading frame colours at fractional pixel positions.

use effect_api::FrameView;

/// The colour at a fractional position, bilinearly interpolated between the four nearest
/// pixel centres; positions outside the frame take the nearest edge pixel.
#[inline]
pub fn bilinear(frame: FrameView<'_>, x: f32, y: f32) -> [f32; 3] {
    let x = x.clamp(0.0, frame.width() as f32 - 1.0);
    let y = y.clamp(0.0, frame.height() as f32 - 1.0);
    let x0 = x.floor() as u32;
    let y0 = y.floor() as u32;
    let x1 = (x0 + 1).min(frame.width() - 1);
    let y1 = (y0 + 1).min(frame.height() - 1);
    let fx = x - x0 as f32;
    let fy = y - y0 as f32;
    let [a, b, c, d] = [
        frame.rgb(x0, y0),
        frame.rgb(x1, y0),
        frame.rgb(x0, y1),
        frame.rgb(x1, y1),
    ];
    std::array::from_fn(|channel| {
        let top = a[channel] as f32 + (b[channel] as f32 - a[channel] as f32) * fx;
        let bottom = c[channel] as f32 + (d[channel] as f32 - c[channel] as f32) * fx;
        top + (bottom - top) * fy
    })
}
