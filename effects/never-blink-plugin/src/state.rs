//! The stored eyes as bytes, to carry them over a hot reload: a small versioned binary
//! format, little-endian, checked field by field on the way back in.
//!
//! ```text
//! "NBLK"  u16 version (1)  u16 face count
//! per face:  u32 id  f64 last seen (s)
//!   per eye (right, left):  u8 patch count
//!     per patch:  f64 time (s)  f32 openness  u16 width  u16 height
//!                 16 × (f32 u, f32 v) contour  width × height × 3 bytes RGB
//! ```

use effect_api::plugin::PluginError;

use crate::memory::{EyeMemory, FaceMemory, MAX_FACES, Memory, SLOTS};
use crate::patch::{CONTOUR_LEN, EyePatch, MAX_SIZE, MIN_SIZE};

/// The format's first four bytes.
const MAGIC: &[u8; 4] = b"NBLK";

/// The version this build writes and reads.
pub const VERSION: u16 = 1;

/// The largest normalised coordinate a contour point may have: a real eye's contour sits
/// within about ±0.6; anything far past it was not written by this plugin.
const CONTOUR_LIMIT: f32 = 4.0;

/// Writes `memory` in the format above.
pub fn encode(memory: &Memory) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    // Invariant: `Memory` never holds more than MAX_FACES faces nor an eye more than SLOTS
    // patches, both far below these integer types' limits.
    out.extend_from_slice(&(memory.faces.len() as u16).to_le_bytes());
    for face in &memory.faces {
        out.extend_from_slice(&face.id.to_le_bytes());
        out.extend_from_slice(&face.last_seen_s.to_le_bytes());
        for eye in &face.eyes {
            out.push(eye.slots.len() as u8);
            for patch in &eye.slots {
                out.extend_from_slice(&patch.time_s.to_le_bytes());
                out.extend_from_slice(&patch.openness.to_le_bytes());
                out.extend_from_slice(&patch.width.to_le_bytes());
                out.extend_from_slice(&patch.height.to_le_bytes());
                for [u, v] in patch.contour {
                    out.extend_from_slice(&u.to_le_bytes());
                    out.extend_from_slice(&v.to_le_bytes());
                }
                out.extend_from_slice(&patch.rgb);
            }
        }
    }
    out
}

/// Reads what [`encode`] wrote, refusing anything else with the reason.
pub fn decode(bytes: &[u8]) -> Result<Memory, PluginError> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(4)? != MAGIC {
        return Err(problem(
            "it does not start with \"NBLK\": not a never-blink state",
        ));
    }
    let version = reader.u16()?;
    if version != VERSION {
        return Err(problem(&format!(
            "it is version {version}, and this build reads version {VERSION} only; the eyes \
             will be learned afresh"
        )));
    }
    let face_count = usize::from(reader.u16()?);
    if face_count > MAX_FACES {
        return Err(problem(&format!(
            "it holds {face_count} faces, more than {MAX_FACES}"
        )));
    }
    let mut memory = Memory::default();
    for _ in 0..face_count {
        let id = reader.u32()?;
        let last_seen_s = reader.finite_f64("a face's last-seen time")?;
        let mut eyes: [EyeMemory; 2] = Default::default();
        for eye in &mut eyes {
            let count = usize::from(reader.u8()?);
            if count > SLOTS {
                return Err(problem(&format!(
                    "an eye holds {count} patches, more than {SLOTS}"
                )));
            }
            for _ in 0..count {
                eye.slots.push(read_patch(&mut reader)?);
            }
        }
        memory.faces.push(FaceMemory {
            id,
            last_seen_s,
            eyes,
            pasted: [None; 2],
        });
    }
    if reader.at != bytes.len() {
        return Err(problem(&format!(
            "{} bytes follow its end",
            bytes.len() - reader.at
        )));
    }
    Ok(memory)
}

fn read_patch(reader: &mut Reader<'_>) -> Result<EyePatch, PluginError> {
    let time_s = reader.finite_f64("a patch's time")?;
    let openness = reader.finite_f32("a patch's openness")?;
    let (width, height) = (reader.u16()?, reader.u16()?);
    if !(MIN_SIZE[0]..=MAX_SIZE[0]).contains(&width)
        || !(MIN_SIZE[1]..=MAX_SIZE[1]).contains(&height)
    {
        return Err(problem(&format!(
            "a patch is {width}×{height} pixels; patches are {}×{} to {}×{}",
            MIN_SIZE[0], MIN_SIZE[1], MAX_SIZE[0], MAX_SIZE[1]
        )));
    }
    let mut contour = [[0.0; 2]; CONTOUR_LEN];
    for point in &mut contour {
        for value in point.iter_mut() {
            *value = reader.finite_f32("a contour point")?;
            if value.abs() > CONTOUR_LIMIT {
                return Err(problem(&format!(
                    "a contour point is at {value}, outside ±{CONTOUR_LIMIT}"
                )));
            }
        }
    }
    let rgb = reader
        .take(usize::from(width) * usize::from(height) * 3)?
        .to_vec();
    Ok(EyePatch {
        time_s,
        openness,
        width,
        height,
        rgb,
        contour,
    })
}

fn problem(what: &str) -> PluginError {
    PluginError::new(format!(
        "never-blink: the saved state cannot be restored: {what}"
    ))
}

/// Reads fields off the front of a byte slice, never past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], PluginError> {
        let end = self
            .at
            .checked_add(count)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(problem(&format!(
                "it ends after {} bytes, in the middle of a field",
                self.bytes.len()
            )));
        };
        let field = &self.bytes[self.at..end];
        self.at = end;
        Ok(field)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PluginError> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    fn u8(&mut self) -> Result<u8, PluginError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, PluginError> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, PluginError> {
        self.array().map(u32::from_le_bytes)
    }

    fn finite_f32(&mut self, what: &str) -> Result<f32, PluginError> {
        let value = f32::from_le_bytes(self.array()?);
        value
            .is_finite()
            .then_some(value)
            .ok_or_else(|| problem(&format!("{what} is {value}")))
    }

    fn finite_f64(&mut self, what: &str) -> Result<f64, PluginError> {
        let value = f64::from_le_bytes(self.array()?);
        value
            .is_finite()
            .then_some(value)
            .ok_or_else(|| problem(&format!("{what} is {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Memory {
        let patch = |time_s: f64, shade: u8| EyePatch {
            time_s,
            openness: 0.12,
            width: 9,
            height: 6,
            rgb: (0..9 * 6 * 3)
                .map(|index| (index as u8).wrapping_add(shade))
                .collect(),
            contour: std::array::from_fn(|index| [index as f32 * 0.05 - 0.4, 0.1]),
        };
        Memory {
            faces: vec![
                FaceMemory {
                    id: 7,
                    last_seen_s: 12.5,
                    eyes: [
                        EyeMemory {
                            slots: vec![patch(12.0, 0), patch(12.04, 9)],
                        },
                        EyeMemory::default(),
                    ],
                    pasted: [None; 2],
                },
                FaceMemory {
                    id: 9,
                    last_seen_s: 3.0,
                    eyes: Default::default(),
                    pasted: [None; 2],
                },
            ],
        }
    }

    #[test]
    fn state_round_trips() {
        let memory = sample();
        let bytes = encode(&memory);
        assert_eq!(decode(&bytes).unwrap(), memory);
        assert_eq!(
            decode(&encode(&Memory::default())).unwrap(),
            Memory::default()
        );
    }

    #[test]
    fn corrupt_state_is_refused_with_the_reason() {
        let bytes = encode(&sample());
        let message = |bytes: &[u8]| decode(bytes).unwrap_err().message().to_owned();

        assert!(message(b"PNG!\x01\x00\x00\x00").contains("not a never-blink state"));
        let mut newer = bytes.clone();
        newer[4..6].copy_from_slice(&2u16.to_le_bytes());
        assert!(message(&newer).contains("version 2"), "{}", message(&newer));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(message(&longer).contains("1 bytes follow"));
        let mut many = bytes.clone();
        many[6..8].copy_from_slice(&500u16.to_le_bytes());
        assert!(message(&many).contains("500 faces"));
        // A patch claiming to be huge.
        let size_at = 4 + 2 + 2 + 4 + 8 + 1 + 8 + 4;
        let mut huge = bytes.clone();
        huge[size_at..size_at + 2].copy_from_slice(&60000u16.to_le_bytes());
        assert!(message(&huge).contains("60000×6"), "{}", message(&huge));
        // A time that is not a number.
        let mut nan = bytes.clone();
        nan[12..20].copy_from_slice(&f64::NAN.to_le_bytes());
        assert!(message(&nan).contains("last-seen time is NaN"));
        // Every truncation is refused, none panics.
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_err(), "{end} bytes were accepted");
        }
        assert!(message(&bytes[..30]).contains("in the middle of a field"));
    }
}
