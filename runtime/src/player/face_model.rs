//! The `face_model` layer, the seed's path: cut each face's stable crop at the model's
//! size, hand it to the model in the declared layout, range and channel order, and paste
//! the result back through the inverse transform with a feathered mask over the layer's
//! region (the face's outline, the head, or the whole crop), which fades before the crop's
//! edge so that no seam and no halo show.

use effect_api::FrameView;
use effect_api::manifest::{ChannelOrder, FaceModelLayer, TensorLayout, TensorRange};

use crate::face_crop::CropTransform;
use crate::face_regions::FACE_OVAL;
use crate::models::{ImageModel, ImageModelError};
use crate::render::{DrawCommand, PatchDraw, Scene};

use super::feather::FeatherMask;
use super::paste_region::region_outline;

/// What a face-model layer keeps between frames: its session and its buffers.
#[derive(Debug)]
pub(crate) struct FaceModelStage {
    layer: FaceModelLayer,
    model: ImageModel,
    crop_rgb: Vec<u8>,
    input: Vec<f32>,
    output: Vec<f32>,
    mask: FeatherMask,
    face_oval: Vec<[f32; 2]>,
    outline: Vec<[f32; 2]>,
}

/// Maps a pixel code 0..=255 into the model's range and back.
fn encode(code: u8, range: TensorRange) -> f32 {
    let unit = f32::from(code) / 255.0;
    match range {
        TensorRange::MinusOneToOne => unit * 2.0 - 1.0,
        TensorRange::ZeroToOne => unit,
        TensorRange::ZeroTo255 => f32::from(code),
    }
}

fn decode(value: f32, range: TensorRange) -> f32 {
    let unit = match range {
        TensorRange::MinusOneToOne => (value + 1.0) * 0.5,
        TensorRange::ZeroToOne => value,
        TensorRange::ZeroTo255 => value / 255.0,
    };
    if unit.is_nan() {
        0.0
    } else {
        unit.clamp(0.0, 1.0)
    }
}

/// Index of channel `channel` (in the model's order) of pixel `pixel` in a tensor.
fn tensor_index(layout: TensorLayout, pixel: usize, channel: usize, pixels: usize) -> usize {
    match layout {
        TensorLayout::Nchw => channel * pixels + pixel,
        TensorLayout::Nhwc => pixel * 3 + channel,
    }
}

/// The frame channel (0 = red) that model channel `channel` holds.
fn frame_channel(order: ChannelOrder, channel: usize) -> usize {
    match order {
        ChannelOrder::Rgb => channel,
        ChannelOrder::Bgr => 2 - channel,
    }
}

impl FaceModelStage {
    /// A stage for `layer` running `model` (loaded and checked against the layer).
    pub(crate) fn new(layer: FaceModelLayer, model: ImageModel) -> Self {
        let side = layer.crop_size as usize;
        Self {
            crop_rgb: vec![0; side * side * 3],
            input: vec![0.0; side * side * 3],
            output: vec![0.0; side * side * 3],
            mask: FeatherMask::new(layer.crop_size),
            face_oval: Vec::with_capacity(FACE_OVAL.len()),
            outline: Vec::with_capacity(FACE_OVAL.len()),
            layer,
            model,
        }
    }

    /// The layer as the manifest declares it.
    pub(crate) fn layer(&self) -> &FaceModelLayer {
        &self.layer
    }

    /// Runs the model on one face and adds its patch to `scene`. `crop` is the face's
    /// stable crop (at any side: it is rescaled to the model's), `landmarks` its mesh;
    /// `opacity` (0..=1) and `feather` (fraction of the side) are the live values.
    pub(crate) fn draw_face(
        &mut self,
        frame: FrameView<'_>,
        crop: &CropTransform,
        landmarks: &[[f32; 3]],
        opacity: f32,
        feather: f32,
        scene: &mut Scene,
    ) -> Result<(), ImageModelError> {
        let side = self.layer.crop_size;
        let transform = CropTransform {
            scale: crop.scale * crop.side as f32 / side as f32,
            side,
            ..*crop
        };
        // The buffer was sized for this side in `new`, so sampling cannot refuse it.
        transform.sample_rgb(frame, &mut self.crop_rgb);
        self.fill_input();
        self.model.run(&self.input, &mut self.output)?;

        self.face_oval.clear();
        self.face_oval.extend(FACE_OVAL.iter().filter_map(|&index| {
            let point = landmarks.get(index as usize)?;
            let crop_point = transform.frame_to_crop(effect_api::Point2::new(point[0], point[1]));
            Some([crop_point.x, crop_point.y])
        }));
        region_outline(self.layer.region, &self.face_oval, side, &mut self.outline);
        self.mask.update(&self.outline, feather * side as f32);

        let (pixels, patch) = scene.push_patch(side);
        self.write_patch(patch, opacity);
        scene.commands.push(DrawCommand::Patch(PatchDraw {
            pixels,
            side,
            crop_to_frame: transform.crop_to_frame_matrix(),
        }));
        Ok(())
    }

    fn fill_input(&mut self) {
        let pixels = self.crop_rgb.len() / 3;
        let FaceModelLayer {
            input_layout,
            value_range,
            channel_order,
            ..
        } = self.layer;
        for (pixel, rgb) in self.crop_rgb.chunks_exact(3).enumerate() {
            for channel in 0..3 {
                let code = rgb[frame_channel(channel_order, channel)];
                self.input[tensor_index(input_layout, pixel, channel, pixels)] =
                    encode(code, value_range);
            }
        }
    }

    /// Premultiplied RGBA: the model's colours, alpha = feather mask × opacity.
    fn write_patch(&self, patch: &mut [u8], opacity: f32) {
        let pixels = patch.len() / 4;
        let FaceModelLayer {
            output_layout,
            value_range,
            channel_order,
            ..
        } = self.layer;
        let mask = self.mask.values();
        for (pixel, rgba) in patch.chunks_exact_mut(4).enumerate() {
            let alpha = (mask[pixel] * opacity).clamp(0.0, 1.0);
            for channel in 0..3 {
                let value = decode(
                    self.output[tensor_index(output_layout, pixel, channel, pixels)],
                    value_range,
                );
                rgba[frame_channel(channel_order, channel)] = (value * alpha * 255.0 + 0.5) as u8;
            }
            rgba[3] = (alpha * 255.0 + 0.5) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip_every_code() {
        for range in [
            TensorRange::MinusOneToOne,
            TensorRange::ZeroToOne,
            TensorRange::ZeroTo255,
        ] {
            for code in 0..=255u8 {
                let back = decode(encode(code, range), range) * 255.0;
                assert!((back - f32::from(code)).abs() < 1e-3, "{range:?} {code}");
            }
        }
        assert_eq!(decode(f32::NAN, TensorRange::ZeroToOne), 0.0);
        assert_eq!(decode(7.0, TensorRange::ZeroToOne), 1.0);
    }

    #[test]
    fn layouts_and_channel_orders_place_values() {
        assert_eq!(tensor_index(TensorLayout::Nchw, 5, 2, 100), 205);
        assert_eq!(tensor_index(TensorLayout::Nhwc, 5, 2, 100), 17);
        assert_eq!(frame_channel(ChannelOrder::Bgr, 0), 2);
        assert_eq!(frame_channel(ChannelOrder::Rgb, 0), 0);
        assert_eq!(
            crate::models::tensor_shape(256, TensorLayout::Nhwc),
            [1, 256, 256, 3]
        );
    }
}
