//! Reading YUV4MPEG2 (`.y4m`) files: uncompressed 8-bit Y'CbCr frames behind a one-line
//! text header, the simplest lossless way to move video between tools.
//!
//! Colours are decoded as BT.601 limited range (see [`super::yuv`]); chroma is upsampled
//! by repeating the nearest sample, ignoring the siting differences of 420jpeg, 420mpeg2
//! and 420paldv (at most half a chroma pixel).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use effect_api::{Frame, PixelFormat};

use super::yuv;
use super::{FrameSource, SourceFrame, VideoError};

/// Longest header line read before giving up on finding its end.
const MAX_HEADER_BYTES: u64 = 4096;
/// Longest `FRAME` line (the marker plus its optional parameters).
const MAX_FRAME_LINE_BYTES: u64 = 1024;
/// Largest width or height accepted, so a corrupt header cannot ask for gigabytes.
const MAX_SIDE: u32 = 32768;

/// How the chroma planes of a Y4M file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chroma {
    /// Cb and Cr at half width and half height (any 4:2:0 siting).
    Half,
    /// Cb and Cr at half width, full height (4:2:2).
    HalfWidth,
    /// Cb and Cr at full resolution (4:4:4), optionally followed by an alpha plane.
    Full { alpha: bool },
    /// Luma only.
    Mono,
}

impl Chroma {
    fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "420jpeg" | "420paldv" | "420mpeg2" | "420" => Chroma::Half,
            "422" => Chroma::HalfWidth,
            "444" => Chroma::Full { alpha: false },
            "444alpha" => Chroma::Full { alpha: true },
            "mono" => Chroma::Mono,
            _ => return None,
        })
    }

    /// Horizontal and vertical subsampling shifts of the chroma planes; `None` for mono.
    fn shifts(self) -> Option<(u32, u32)> {
        match self {
            Chroma::Half => Some((1, 1)),
            Chroma::HalfWidth => Some((1, 0)),
            Chroma::Full { .. } => Some((0, 0)),
            Chroma::Mono => None,
        }
    }
}

/// What the stream header says.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Header {
    width: u32,
    height: u32,
    rate: f64,
    chroma: Chroma,
}

impl Header {
    /// Parses the header line (without its newline).
    fn parse(line: &[u8], path: &Path) -> Result<Self, VideoError> {
        let error = |field: &str, reason: String| VideoError::Y4mHeader {
            path: path.to_owned(),
            field: field.to_owned(),
            reason,
        };
        let rest = line
            .strip_prefix(b"YUV4MPEG2")
            .filter(|rest| rest.is_empty() || rest[0] == b' ')
            .ok_or_else(|| {
                let found = line[..line.len().min(16)].escape_ascii();
                error(
                    "signature",
                    format!("expected `YUV4MPEG2`, found `{found}`"),
                )
            })?;
        let rest = std::str::from_utf8(rest)
            .map_err(|_| error("signature", "the header line is not text".into()))?;
        let (mut width, mut height, mut rate, mut chroma) = (None, None, None, Chroma::Half);
        for token in rest.split(' ').filter(|token| !token.is_empty()) {
            let (tag, value) = token.split_at(token.chars().next().map_or(0, char::len_utf8));
            match tag {
                "W" | "H" => {
                    let side = value
                        .parse::<u32>()
                        .ok()
                        .filter(|side| (1..=MAX_SIDE).contains(side))
                        .ok_or_else(|| {
                            error(tag, format!("`{value}` is not a size from 1 to {MAX_SIDE}"))
                        })?;
                    *if tag == "W" { &mut width } else { &mut height } = Some(side);
                }
                "F" => {
                    rate = Some(parse_rate(value).ok_or_else(|| {
                        error(
                            "F",
                            format!("`{value}` is not a frame rate like `30:1` or `30000:1001`"),
                        )
                    })?)
                }
                "C" => {
                    chroma = Chroma::parse(value).ok_or_else(|| {
                        error("C", format!("colourspace `{value}` is not supported; expected 8-bit 420jpeg, 420paldv, 420mpeg2, 420, 422, 444 or mono"))
                    })?;
                }
                // Interlacing, pixel aspect and extensions do not change how pixels decode;
                // unknown tags are skipped as the format asks of readers.
                _ => {}
            }
        }
        let missing = |field: &str| error(field, "missing".into());
        Ok(Self {
            width: width.ok_or_else(|| missing("W"))?,
            height: height.ok_or_else(|| missing("H"))?,
            rate: rate.ok_or_else(|| missing("F"))?,
            chroma,
        })
    }

    /// Bytes in one frame's planes.
    fn frame_bytes(&self) -> usize {
        let luma = self.width as usize * self.height as usize;
        match self.chroma {
            Chroma::Mono => luma,
            Chroma::Full { alpha: true } => 4 * luma,
            _ => luma + 2 * self.chroma_width() * self.chroma_height(),
        }
    }

    fn chroma_width(&self) -> usize {
        let (shift, _) = self.chroma.shifts().unwrap_or((0, 0));
        self.width.div_ceil(1 << shift) as usize
    }

    fn chroma_height(&self) -> usize {
        let (_, shift) = self.chroma.shifts().unwrap_or((0, 0));
        self.height.div_ceil(1 << shift) as usize
    }
}

/// `"num:den"` as frames per second, when both are positive.
fn parse_rate(value: &str) -> Option<f64> {
    let (numerator, denominator) = value.split_once(':')?;
    let numerator: u32 = numerator.parse().ok()?;
    let denominator: u32 = denominator.parse().ok()?;
    (numerator > 0 && denominator > 0).then(|| f64::from(numerator) / f64::from(denominator))
}

/// A [`FrameSource`] over a `.y4m` file, read through one buffer reused for every frame.
#[derive(Debug)]
pub struct Y4mReader {
    path: PathBuf,
    reader: BufReader<File>,
    header: Header,
    line: Vec<u8>,
    planes: Vec<u8>,
    index: u64,
    /// Frames in the file, from its size (frames with parameters on their `FRAME` line
    /// make this a slight overestimate).
    frame_count: u64,
}

impl Y4mReader {
    /// Opens `path` and parses its header.
    pub fn open(path: &Path) -> Result<Self, VideoError> {
        let file = File::open(path).map_err(|error| VideoError::io(path, "open", error))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut line = Vec::new();
        (&mut reader)
            .take(MAX_HEADER_BYTES)
            .read_until(b'\n', &mut line)
            .map_err(|error| VideoError::io(path, "read", error))?;
        if line.last() != Some(&b'\n') {
            // Either no newline at all or the line never ends: tell which field is at fault
            // when the signature itself is wrong, else say the header is cut short.
            Header::parse(&line, path)?;
            return Err(VideoError::Y4mHeader {
                path: path.to_owned(),
                field: "header".into(),
                reason: format!("no end of line within {MAX_HEADER_BYTES} bytes"),
            });
        }
        let header_bytes = line.len() as u64;
        line.pop();
        let header = Header::parse(&line, path)?;
        let file_bytes = reader
            .get_ref()
            .metadata()
            .map_err(|error| VideoError::io(path, "read", error))?
            .len();
        let frame_count = file_bytes.saturating_sub(header_bytes)
            / (b"FRAME\n".len() as u64 + header.frame_bytes() as u64);
        Ok(Self {
            path: path.to_owned(),
            reader,
            header,
            line,
            planes: Vec::with_capacity(header.frame_bytes()),
            index: 0,
            frame_count,
        })
    }

    fn frame_error(&self, reason: String) -> VideoError {
        VideoError::Y4mFrame {
            path: self.path.clone(),
            frame: self.index,
            reason,
        }
    }

    /// Reads the `FRAME` line; false at a clean end of file.
    fn read_marker(&mut self) -> Result<bool, VideoError> {
        self.line.clear();
        let read = (&mut self.reader)
            .take(MAX_FRAME_LINE_BYTES)
            .read_until(b'\n', &mut self.line)
            .map_err(|error| VideoError::io(&self.path, "read", error))?;
        if read == 0 {
            return Ok(false);
        }
        let line = &self.line[..];
        if b"FRAME".starts_with(line) || (line.starts_with(b"FRAME") && !line.ends_with(b"\n")) {
            return Err(self.frame_error("is cut short inside its FRAME line".into()));
        }
        if !line.starts_with(b"FRAME") || !matches!(line[5], b' ' | b'\n') {
            let found = line[..line.len().min(16)].escape_ascii().to_string();
            return Err(self.frame_error(format!(
                "does not start with `FRAME` (found `{found}`): the header's W, H or C may not match the data"
            )));
        }
        Ok(true)
    }

    /// Turns the planes in `self.planes` into packed RGB.
    fn to_rgb(&self) -> Vec<u8> {
        let Header { width, height, .. } = self.header;
        let (width, height) = (width as usize, height as usize);
        let (luma, chroma) = self.planes.split_at(width * height);
        let mut rgb = Vec::with_capacity(width * height * 3);
        let Some((x_shift, y_shift)) = self.header.chroma.shifts() else {
            rgb.extend(luma.iter().flat_map(|&y| yuv::rgb(y, 128, 128)));
            return rgb;
        };
        let chroma_width = self.header.chroma_width();
        let (cb, cr) = chroma.split_at(chroma_width * self.header.chroma_height());
        let plane = |data| yuv::SamplePlane {
            data,
            stride: chroma_width,
            step: 1,
        };
        let planes = yuv::YcbcrPlanes {
            luma: yuv::SamplePlane {
                data: luma,
                stride: width,
                step: 1,
            },
            cb: plane(cb),
            cr: plane(cr),
            x_shift,
            y_shift,
        };
        yuv::decode(&planes, width, height, |_, _, pixel| rgb.extend(pixel));
        rgb
    }
}

impl FrameSource for Y4mReader {
    fn next_frame(&mut self) -> Result<Option<SourceFrame>, VideoError> {
        if !self.read_marker()? {
            return Ok(None);
        }
        let expected = self.header.frame_bytes();
        self.planes.clear();
        let got = (&mut self.reader)
            .take(expected as u64)
            .read_to_end(&mut self.planes)
            .map_err(|error| VideoError::io(&self.path, "read", error))?;
        if got < expected {
            return Err(self.frame_error(format!("is cut short: {got} of {expected} bytes")));
        }
        let frame = Frame::from_packed(
            self.to_rgb(),
            self.header.width,
            self.header.height,
            PixelFormat::Rgb8,
        )
        .map_err(|error| self.frame_error(error.to_string()))?;
        let index = self.index;
        self.index += 1;
        Ok(Some(SourceFrame {
            frame,
            index,
            time_s: index as f64 / self.header.rate,
            name: format!("frame {index}"),
        }))
    }

    fn frame_rate(&self) -> f64 {
        self.header.rate
    }

    fn size_hint(&self) -> Option<(u32, u32)> {
        Some((self.header.width, self.header.height))
    }

    fn is_independent_stills(&self) -> bool {
        false
    }

    fn frame_count_hint(&self) -> Option<u64> {
        Some(self.frame_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Header, VideoError> {
        Header::parse(line.as_bytes(), Path::new("clip.y4m"))
    }

    #[test]
    fn headers_parse_with_optional_fields() {
        let header = parse("YUV4MPEG2 W33 H17 F30000:1001 Ip A1:1 C422 XYSCSS=422").unwrap();
        assert_eq!((header.width, header.height), (33, 17));
        assert!((header.rate - 29.97).abs() < 0.01);
        assert_eq!(header.chroma, Chroma::HalfWidth);
        assert_eq!(header.frame_bytes(), 33 * 17 + 2 * 17 * 17);
        let default = parse("YUV4MPEG2 W3 H3 F25:1").unwrap();
        assert_eq!(default.chroma, Chroma::Half);
        assert_eq!(default.frame_bytes(), 9 + 2 * 4);
        assert_eq!(
            parse("YUV4MPEG2 W2 H2 F1:1 Cmono").unwrap().frame_bytes(),
            4
        );
    }

    #[test]
    fn bad_fields_are_named() {
        for (line, field) in [
            ("RIFF....", "signature"),
            ("YUV4MPEG2 W0 H2 F1:1", "W"),
            ("YUV4MPEG2 W2 H2 F1:0", "F"),
            ("YUV4MPEG2 W2 F1:1", "H"),
            ("YUV4MPEG2 W2 H2 F1:1 C420p10", "C"),
        ] {
            let message = parse(line).unwrap_err().to_string();
            assert!(
                message.contains(&format!("field {field}:")),
                "{line}: {message}"
            );
        }
    }

    /// Writes a 2x2 file in `colourspace` whose planes are `planes`, with a parameter on
    /// the FRAME line, and decodes its one frame.
    fn decode(colourspace: &str, planes: &[u8]) -> Vec<u8> {
        let path = std::env::temp_dir().join(format!(
            "lensmith-y4m-{colourspace}-{}.y4m",
            std::process::id()
        ));
        let mut bytes =
            format!("YUV4MPEG2 W2 H2 F25:1 It C{colourspace}\nFRAME Ixyz\n").into_bytes();
        bytes.extend_from_slice(planes);
        std::fs::write(&path, bytes).unwrap();
        let mut reader = Y4mReader::open(&path).unwrap();
        let frame = reader.next_frame().unwrap().unwrap();
        assert!(reader.next_frame().unwrap().is_none());
        std::fs::remove_file(&path).unwrap();
        frame.frame.data().to_vec()
    }

    #[test]
    fn every_colourspace_decodes() {
        let grey = |y| yuv::rgb(y, 128, 128);
        let red = yuv::rgb(81, 90, 240);
        assert_eq!(decode("mono", &[16, 235, 126, 126]).len(), 12);
        assert_eq!(
            decode("mono", &[16, 235, 126, 126])[..6],
            [grey(16), grey(235)].concat()
        );
        assert_eq!(decode("420paldv", &[81, 81, 81, 81, 90, 240])[..3], red);
        assert_eq!(decode("422", &[81, 81, 81, 81, 90, 90, 240, 240])[9..], red);
        let full = [[81; 4], [90; 4], [240; 4], [255; 4]].concat();
        assert_eq!(decode("444alpha", &full)[3..6], red);
        assert_eq!(decode("444", &full[..12])[6..9], red);
    }
}
