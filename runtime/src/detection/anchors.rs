//! SSD anchors of the two detectors, generated as MediaPipe's `SsdAnchorsCalculator` does
//! for their options: the short-range one's 4 layers (strides 8-16-16-16, interpolated
//! scale, 2 anchors per layer and cell) and the full-range one's single layer (stride 4, one
//! anchor per cell), both of fixed anchor size.

/// Side of the short-range detector's square input, in pixels.
pub const INPUT_SIZE: u32 = 128;
const STRIDES: [u32; 4] = [8, 16, 16, 16];
/// Side of the full-range detector's square input, in pixels.
pub const FULL_RANGE_INPUT_SIZE: u32 = 192;
const FULL_RANGE_STRIDE: u32 = 4;
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
        push_grid(&mut anchors, INPUT_SIZE.div_ceil(stride), anchors_per_cell);
    }
    anchors
}

/// The full-range detector's 2304 anchors: one per cell of a 48×48 grid.
pub fn full_range_anchors() -> Vec<Anchor> {
    let cells = FULL_RANGE_INPUT_SIZE.div_ceil(FULL_RANGE_STRIDE);
    let mut anchors = Vec::with_capacity((cells * cells) as usize);
    push_grid(&mut anchors, cells, 1);
    anchors
}

/// `per_cell` anchors at the centre of each cell of a `cells`×`cells` grid, row by row.
fn push_grid(anchors: &mut Vec<Anchor>, cells: u32, per_cell: usize) {
    for row in 0..cells {
        for column in 0..cells {
            let anchor = Anchor {
                x: (column as f32 + ANCHOR_OFFSET) / cells as f32,
                y: (row as f32 + ANCHOR_OFFSET) / cells as f32,
            };
            anchors.extend(std::iter::repeat_n(anchor, per_cell));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_range_layout_is_one_anchor_per_cell_of_48_by_48() {
        let anchors = full_range_anchors();
        assert_eq!(anchors.len(), 2304);
        assert_eq!(
            anchors[0],
            Anchor {
                x: 0.5 / 48.0,
                y: 0.5 / 48.0
            }
        );
        assert_eq!(
            anchors[1],
            Anchor {
                x: 1.5 / 48.0,
                y: 0.5 / 48.0
            }
        );
        assert_eq!(
            anchors[48],
            Anchor {
                x: 0.5 / 48.0,
                y: 1.5 / 48.0
            }
        );
    }

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
