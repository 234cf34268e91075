//! SSD anchors of the short-range detector, generated as MediaPipe's
//! `SsdAnchorsCalculator` does for its options (4 layers, strides 8-16-16-16,
//! interpolated scale, fixed anchor size).

/// Side of the square detector input, in pixels.
pub const INPUT_SIZE: u32 = 128;
const STRIDES: [u32; 4] = [8, 16, 16, 16];
const ANCHOR_OFFSET: f32 = 0.5;

/// The centre of one anchor, normalised to the detector input (0..1). With a fixed anchor
/// size every anchor is 1×1, so regressed sizes are used as they come.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    /// Horizontal centre.
    pub x: f32,
    /// Vertical centre.
    pub y: f32,
}

/// The 896 anchors, in the order of the model's outputs.
pub fn short_range_anchors() -> Vec<Anchor> {
    let mut anchors = Vec::with_capacity(896);
    let mut layer = 0;
    while layer < STRIDES.len() {
        // Consecutive layers with the same stride share a feature map; each contributes two
        // anchors per cell (aspect ratio 1 and the interpolated scale), all of size 1 here.
        let stride = STRIDES[layer];
        let mut anchors_per_cell = 0;
        while layer < STRIDES.len() && STRIDES[layer] == stride {
            anchors_per_cell += 2;
            layer += 1;
        }
        let cells = INPUT_SIZE.div_ceil(stride);
        for row in 0..cells {
            for column in 0..cells {
                let anchor = Anchor {
                    x: (column as f32 + ANCHOR_OFFSET) / cells as f32,
                    y: (row as f32 + ANCHOR_OFFSET) / cells as f32,
                };
                anchors.extend(std::iter::repeat_n(anchor, anchors_per_cell));
            }
        }
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_model_output() {
        let anchors = short_range_anchors();
        assert_eq!(anchors.len(), 896);
        // 16×16 cells with 2 anchors, then 8×8 cells with 6.
        assert_eq!(
            anchors[0],
            Anchor {
                x: 0.5 / 16.0,
                y: 0.5 / 16.0
            }
        );
        assert_eq!(anchors[1], anchors[0]);
        assert_eq!(
            anchors[2],
            Anchor {
                x: 1.5 / 16.0,
                y: 0.5 / 16.0
            }
        );
        assert_eq!(
            anchors[511],
            Anchor {
                x: 15.5 / 16.0,
                y: 15.5 / 16.0
            }
        );
        assert_eq!(
            anchors[512],
            Anchor {
                x: 0.5 / 8.0,
                y: 0.5 / 8.0
            }
        );
        assert_eq!(anchors[517], anchors[512]);
        assert_eq!(
            anchors[518],
            Anchor {
                x: 1.5 / 8.0,
                y: 0.5 / 8.0
            }
        );
        assert_eq!(
            anchors[895],
            Anchor {
                x: 7.5 / 8.0,
                y: 7.5 / 8.0
            }
        );
    }
}
