//! Frame-by-frame differences between two renders of the same thing: PNG frames (golden
//! tests) and Y4M clips (the C host), as the largest and mean absolute difference of
//! their 8-bit samples.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// How far apart two frames are.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameDifference {
    /// The largest absolute difference of any sample (0–255).
    pub largest: u8,
    /// The mean absolute difference over all samples.
    pub mean: f64,
    /// The share of samples that differ at all.
    pub differing: f64,
}

impl FrameDifference {
    /// The difference of two equally long sample buffers.
    pub fn of(a: &[u8], b: &[u8]) -> Self {
        debug_assert_eq!(a.len(), b.len());
        let (mut largest, mut sum, mut differing) = (0u8, 0u64, 0usize);
        for (&x, &y) in a.iter().zip(b) {
            let difference = x.abs_diff(y);
            largest = largest.max(difference);
            sum += u64::from(difference);
            differing += usize::from(difference != 0);
        }
        let count = a.len().max(1) as f64;
        Self {
            largest,
            mean: sum as f64 / count,
            differing: differing as f64 / count,
        }
    }

    /// Whether the frames are identical.
    pub fn is_identical(&self) -> bool {
        self.largest == 0
    }
}

/// Decodes a PNG into its 8-bit samples, with its size and colour type for checking that
/// two frames are comparable.
fn png_samples(path: &Path) -> Result<(Vec<u8>, String)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .with_context(|| format!("reading {}", path.display()))?;
    let size = reader
        .output_buffer_size()
        .with_context(|| format!("{}: its size overflows", path.display()))?;
    let mut samples = vec![0; size];
    let info = reader
        .next_frame(&mut samples)
        .with_context(|| format!("decoding {}", path.display()))?;
    samples.truncate(info.buffer_size());
    let shape = format!("{}x{} {:?}", info.width, info.height, info.color_type);
    Ok((samples, shape))
}

/// The difference between two PNG frames of the same size and colour type.
pub fn png_difference(a: &Path, b: &Path) -> Result<FrameDifference> {
    let (first, first_shape) = png_samples(a)?;
    let (second, second_shape) = png_samples(b)?;
    if first_shape != second_shape {
        bail!(
            "{} is {first_shape} but {} is {second_shape}",
            a.display(),
            b.display()
        );
    }
    Ok(FrameDifference::of(&first, &second))
}

/// A Y4M file's frames, each as its raw planes.
pub fn y4m_frames(path: &Path) -> Result<Vec<Vec<u8>>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let header_end = bytes
        .iter()
        .position(|&byte| byte == b'\n')
        .with_context(|| format!("{}: no Y4M header line", path.display()))?;
    let header = std::str::from_utf8(&bytes[..header_end])
        .with_context(|| format!("{}: the Y4M header is not text", path.display()))?;
    let frame_size = y4m_frame_size(header).with_context(|| format!("{}", path.display()))?;
    let mut frames = Vec::new();
    let mut rest = &bytes[header_end + 1..];
    while !rest.is_empty() {
        let line_end = rest
            .iter()
            .position(|&byte| byte == b'\n')
            .with_context(|| format!("{}: a frame without its FRAME line", path.display()))?;
        if !rest.starts_with(b"FRAME") || rest.len() < line_end + 1 + frame_size {
            bail!("{}: frame {} is cut short", path.display(), frames.len());
        }
        let data = &rest[line_end + 1..line_end + 1 + frame_size];
        frames.push(data.to_vec());
        rest = &rest[line_end + 1 + frame_size..];
    }
    Ok(frames)
}

/// The bytes of one frame of a Y4M file with this header (4:2:0 or 4:4:4, 8-bit).
fn y4m_frame_size(header: &str) -> Result<usize> {
    let field = |tag: char| {
        header
            .split(' ')
            .find_map(|field| field.strip_prefix(tag))
            .map(str::to_owned)
    };
    let dimension = |tag: char| -> Result<usize> {
        field(tag)
            .with_context(|| format!("the Y4M header has no {tag} field"))?
            .parse()
            .with_context(|| format!("the Y4M header's {tag} field is not a number"))
    };
    let (width, height) = (dimension('W')?, dimension('H')?);
    let colour = field('C').unwrap_or_else(|| "420jpeg".to_owned());
    if colour.starts_with("444") {
        Ok(width * height * 3)
    } else if colour.starts_with("420") {
        Ok(width * height + 2 * width.div_ceil(2) * height.div_ceil(2))
    } else {
        bail!("the Y4M colour space C{colour} is not compared (only 4:2:0 and 4:4:4)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_largest_mean_and_share() {
        let difference = FrameDifference::of(&[10, 20, 30, 40], &[10, 23, 30, 39]);
        assert_eq!(difference.largest, 3);
        assert!((difference.mean - 1.0).abs() < 1e-12);
        assert!((difference.differing - 0.5).abs() < 1e-12);
        assert!(!difference.is_identical());
        assert!(FrameDifference::of(&[1, 2], &[1, 2]).is_identical());
    }

    #[test]
    fn y4m_frame_sizes_follow_the_chroma_layout() {
        assert_eq!(
            y4m_frame_size("YUV4MPEG2 W4 H2 F30:1 C420jpeg").unwrap(),
            8 + 2 * 2
        );
        assert_eq!(y4m_frame_size("YUV4MPEG2 W3 H3 F30:1").unwrap(), 9 + 2 * 4);
        assert_eq!(y4m_frame_size("YUV4MPEG2 W2 H2 C444").unwrap(), 12);
        assert!(y4m_frame_size("YUV4MPEG2 W2 H2 Cmono").is_err());
        assert!(y4m_frame_size("YUV4MPEG2 H2").is_err());
    }
}
