//! A native effect plugin: a warm glow over each face, strongest at its centre and fading
//! to nothing at the edge of the face's landmarks. The `strength` parameter (0..1) scales
//! it, live. Built with `lensmith plugin build . --into ../effect`.

use effect_api::Rect;
use effect_api::plugin::{
    CreateContext, EffectPlugin, FrameInfo, FramePixels, OverlayPixels, Parameters, PluginError,
};

/// The glow's colour.
const GLOW: [u8; 3] = [255, 140, 30];

/// The plugin's state: only its strength.
struct Glow {
    strength: f64,
}

/// How much glow a point gets: 1 at the centre of `bounds`, falling to 0 at the ellipse
/// inscribed in it, 0 outside.
pub fn glow_weight(x: f32, y: f32, bounds: Rect) -> f32 {
    let (half_width, half_height) = (bounds.width / 2.0, bounds.height / 2.0);
    if half_width <= 0.0 || half_height <= 0.0 {
        return 0.0;
    }
    let centre = bounds.center();
    let dx = (x - centre.x) / half_width;
    let dy = (y - centre.y) / half_height;
    (1.0 - (dx * dx + dy * dy)).clamp(0.0, 1.0)
}

impl EffectPlugin for Glow {
    fn create(context: &CreateContext<'_>) -> Result<Self, PluginError> {
        Ok(Self {
            strength: context.parameters().number("strength").unwrap_or(0.6),
        })
    }

    fn set_parameters(&mut self, parameters: &Parameters<'_>) -> Result<(), PluginError> {
        if let Some(strength) = parameters.number("strength") {
            self.strength = strength.clamp(0.0, 1.0);
        }
        Ok(())
    }

    fn process(
        &mut self,
        frame: &FrameInfo<'_>,
        _pixels: &mut FramePixels<'_>,
        overlay: &mut OverlayPixels<'_>,
    ) -> Result<(), PluginError> {
        for face in frame.faces() {
            let Some(bounds) = face.bounds() else {
                continue;
            };
            let strength = self.strength as f32 * face.visibility();
            let (left, top) = (bounds.x.max(0.0) as u32, bounds.y.max(0.0) as u32);
            let right = (bounds.x + bounds.width).max(0.0) as u32;
            let bottom = (bounds.y + bounds.height).max(0.0) as u32;
            for y in top..bottom {
                for x in left..right {
                    let weight = strength * glow_weight(x as f32 + 0.5, y as f32 + 0.5, bounds);
                    let alpha = (weight * 255.0).round() as u8;
                    if alpha > 0 {
                        // Premultiplied: each colour channel scaled by alpha.
                        let [r, g, b] =
                            GLOW.map(|channel| (u32::from(channel) * u32::from(alpha) / 255) as u8);
                        overlay.blend_premultiplied(x, y, [r, g, b, alpha]);
                    }
                }
            }
        }
        Ok(())
    }
}

effect_api::export_effect!(Glow);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glow_is_full_at_the_centre_and_gone_at_the_edge() {
        let bounds = Rect {
            x: 0.0,
            y: 0.0,
            width: 100.0,
            height: 200.0,
        };
        assert_eq!(glow_weight(50.0, 100.0, bounds), 1.0);
        assert_eq!(glow_weight(100.0, 100.0, bounds), 0.0);
        assert_eq!(glow_weight(0.0, 0.0, bounds), 0.0);
        let between = glow_weight(75.0, 100.0, bounds);
        assert!(between > 0.5 && between < 1.0, "{between}");
        let flat = Rect {
            width: 0.0,
            ..bounds
        };
        assert_eq!(glow_weight(5.0, 5.0, flat), 0.0);
    }
}
