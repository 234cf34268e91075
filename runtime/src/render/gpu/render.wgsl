// Lensmith's compositing shader: the rules of runtime/src/render/scene.rs on the GPU.
// Textures are sampled with textureLoad and f32 weights (not a hardware sampler) so that the
// arithmetic is the CPU reference's; blending is the pipeline's fixed-function blend state.

// One draw's parameters, at a dynamic offset in the uniform buffer (see pipelines.rs).
struct Draw {
    // The frame's width and height in pixels.
    frame_size: vec2<f32>,
    // The image's width and height in texels, without the transparent border.
    image_size: vec2<f32>,
    // The draw's opacity, or a LUT's strength.
    opacity: f32,
    // A LUT's entries per side, N.
    lut_size: u32,
    // Quads and patches: frame pixels to (u, v), as u = dot(to_u.xy, p) + to_u.z (and v
    // likewise), the affine map the CPU inverts per pixel.
    to_u: vec4<f32>,
    to_v: vec4<f32>,
}

@group(0) @binding(0) var<uniform> draw: Draw;
// A texture padded with one transparent texel on every side: texel (i, j) is at (i+1, j+1).
// For a LUT draw, the frame copied before the draw (no border).
@group(1) @binding(0) var image: texture_2d<f32>;
// N×N×N RGB entries in .rgb: red along x, green along y, blue along z.
@group(2) @binding(0) var lut: texture_3d<f32>;

struct VertexIn {
    // Frame pixels, already snapped to 1/256 pixel.
    @location(0) position: vec2<f32>,
    @location(1) w: f32,
    @location(2) uv: vec2<f32>,
    @location(3) alpha: f32,
}

struct Varyings {
    @builtin(position) clip: vec4<f32>,
    // Interpolated perspective-correctly by the rasteriser (the default), from clip.w = w.
    @location(0) uv: vec2<f32>,
    @location(1) alpha: f32,
}

@vertex
fn vs_main(vertex: VertexIn) -> Varyings {
    let ndc = vec2<f32>(
        vertex.position.x / draw.frame_size.x * 2.0 - 1.0,
        1.0 - vertex.position.y / draw.frame_size.y * 2.0,
    );
    var out: Varyings;
    out.clip = vec4<f32>(ndc * vertex.w, 0.0, vertex.w);
    out.uv = vertex.uv;
    out.alpha = vertex.alpha;
    return out;
}

fn padded_texel(index: vec2<i32>, last: vec2<i32>) -> vec4<f32> {
    return textureLoad(image, clamp(index, vec2<i32>(0), last), 0);
}

// The premultiplied image at `uv`, bilinear between texel centres; every texel outside the
// image is transparent (the border, which clamping the index lands on).
fn sample_image(uv: vec2<f32>) -> vec4<f32> {
    let size = draw.image_size;
    // Clamping first keeps the integer conversion in range; both ends lie where every texel
    // is transparent, so it changes nothing.
    let position = clamp(uv * size - 0.5, vec2<f32>(-2.0), size + 1.0);
    let base = floor(position);
    let fraction = position - base;
    let index = vec2<i32>(base) + 1;
    let last = vec2<i32>(size) + 1;
    let top_left = padded_texel(index, last);
    let top_right = padded_texel(index + vec2<i32>(1, 0), last);
    let bottom_left = padded_texel(index + vec2<i32>(0, 1), last);
    let bottom_right = padded_texel(index + vec2<i32>(1, 1), last);
    let top = top_left + (top_right - top_left) * fraction.x;
    let bottom = bottom_left + (bottom_right - bottom_left) * fraction.x;
    return top + (bottom - top) * fraction.y;
}

// A coverage factor (opacity times alpha, or strength) clamped to 0..=1, NaN giving 0.
fn unit(k: f32) -> f32 {
    if k > 0.0 {
        return min(k, 1.0);
    }
    return 0.0;
}

// What normal, screen and add output, (P, A): the blend state does the rest.
fn premultiplied(uv: vec2<f32>, alpha: f32) -> vec4<f32> {
    return sample_image(uv) * unit(draw.opacity * alpha);
}

// What multiply outputs, 1 − A + P, which the blend state (Zero, Src) multiplies into the
// frame.
fn multiply(uv: vec2<f32>, alpha: f32) -> vec4<f32> {
    let sample = premultiplied(uv, alpha);
    return vec4<f32>(vec3<f32>(1.0 - sample.a) + sample.rgb, 1.0);
}

// The (u, v) the pixel centre of a quad or patch maps to.
fn affine_uv(centre: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(
        dot(draw.to_u.xy, centre) + draw.to_u.z,
        dot(draw.to_v.xy, centre) + draw.to_v.z,
    );
}

@fragment
fn fs_mesh(in: Varyings) -> @location(0) vec4<f32> {
    return premultiplied(in.uv, in.alpha);
}

@fragment
fn fs_mesh_multiply(in: Varyings) -> @location(0) vec4<f32> {
    return multiply(in.uv, in.alpha);
}

@fragment
fn fs_affine(in: Varyings) -> @location(0) vec4<f32> {
    return premultiplied(affine_uv(in.clip.xy), 1.0);
}

@fragment
fn fs_affine_multiply(in: Varyings) -> @location(0) vec4<f32> {
    return multiply(affine_uv(in.clip.xy), 1.0);
}

fn lut_entry(index: vec3<i32>) -> vec3<f32> {
    return textureLoad(lut, index, 0).rgb;
}

// d + (lut(d) − d)·k, with lut(d) the trilinear blend of the 8 entries around d·(N − 1).
@fragment
fn fs_lut(in: Varyings) -> @location(0) vec4<f32> {
    let d = textureLoad(image, vec2<i32>(floor(in.clip.xy)), 0).rgb;
    let top = i32(draw.lut_size) - 1;
    let lattice = clamp(d * f32(top), vec3<f32>(0.0), vec3<f32>(f32(top)));
    let base = min(vec3<i32>(floor(lattice)), vec3<i32>(top - 1));
    let f = lattice - vec3<f32>(base);
    let c000 = lut_entry(base);
    let c100 = lut_entry(base + vec3<i32>(1, 0, 0));
    let c010 = lut_entry(base + vec3<i32>(0, 1, 0));
    let c110 = lut_entry(base + vec3<i32>(1, 1, 0));
    let c001 = lut_entry(base + vec3<i32>(0, 0, 1));
    let c101 = lut_entry(base + vec3<i32>(1, 0, 1));
    let c011 = lut_entry(base + vec3<i32>(0, 1, 1));
    let c111 = lut_entry(base + vec3<i32>(1, 1, 1));
    let c00 = c000 + (c100 - c000) * f.x;
    let c10 = c010 + (c110 - c010) * f.x;
    let c01 = c001 + (c101 - c001) * f.x;
    let c11 = c011 + (c111 - c011) * f.x;
    let c0 = c00 + (c10 - c00) * f.y;
    let c1 = c01 + (c11 - c01) * f.y;
    let graded = c0 + (c1 - c0) * f.z;
    let k = unit(draw.opacity * in.alpha);
    return vec4<f32>(d + (graded - d) * k, 1.0);
}
