//! MediaPipe's canonical face geometry (`geometry_pipeline_metadata_landmarks.binarypb`):
//! the 468-vertex canonical mesh with its triangles, and the landmark weights for
//! Procrustes alignment. A small protobuf reader, for this one message only, keeps the
//! runtime free of a protobuf dependency.

use std::path::{Path, PathBuf};

/// Vertices of the canonical mesh, one per face-mesh landmark.
pub const CANONICAL_VERTEX_COUNT: usize = 468;

/// Why the geometry file could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot read the face geometry {path}: {reason}. Run `cargo xtask setup` to restore it")]
pub struct GeometryError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

/// The canonical face: positions in centimetres (x right, y up, z out of the face).
#[derive(Debug, Clone, PartialEq)]
pub struct CanonicalFace {
    /// One position per landmark.
    pub vertices: Vec<[f32; 3]>,
    /// Texture coordinates per landmark: u to the right, v down the texture image (row 0
    /// at v = 0; the forehead has a small v, the chin a large one), as MediaPipe lays out
    /// its face-paint textures.
    pub uvs: Vec<[f32; 2]>,
    /// Triangles as landmark indices.
    pub triangles: Vec<[u32; 3]>,
    /// (landmark, weight) pairs for Procrustes alignment.
    pub procrustes_weights: Vec<(usize, f32)>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

enum Field<'a> {
    Varint(u64),
    Fixed32([u8; 4]),
    Fixed64,
    Bytes(&'a [u8]),
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.position).ok_or("truncated varint")?;
            self.position += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err("varint longer than 10 bytes".to_owned())
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], String> {
        let end = self
            .position
            .checked_add(count)
            .filter(|&end| end <= self.bytes.len())
            .ok_or("truncated field")?;
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    fn next_field(&mut self) -> Result<Option<(u64, Field<'a>)>, String> {
        if self.position >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = match key & 7 {
            0 => Field::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Field::Fixed64
            }
            2 => {
                let length = usize::try_from(self.varint()?).map_err(|_| "length overflow")?;
                Field::Bytes(self.take(length)?)
            }
            5 => Field::Fixed32(self.take(4)?.try_into().map_err(|_| "truncated fixed32")?),
            wire => return Err(format!("unsupported wire type {wire}")),
        };
        Ok(Some((key >> 3, field)))
    }
}

/// Appends the floats of a repeated `float` field, packed or not.
fn push_floats(field: &Field<'_>, out: &mut Vec<f32>) -> Result<(), String> {
    match field {
        Field::Fixed32(bytes) => out.push(f32::from_le_bytes(*bytes)),
        Field::Bytes(packed) if packed.len() % 4 == 0 => out.extend(
            packed
                .chunks_exact(4)
                .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])),
        ),
        _ => return Err("a float field has an unexpected encoding".to_owned()),
    }
    Ok(())
}

/// Appends the integers of a repeated varint field, packed or not.
fn push_varints(field: &Field<'_>, out: &mut Vec<u64>) -> Result<(), String> {
    match field {
        Field::Varint(value) => out.push(*value),
        Field::Bytes(packed) => {
            let mut reader = Reader::new(packed);
            while reader.position < packed.len() {
                out.push(reader.varint()?);
            }
        }
        _ => return Err("an integer field has an unexpected encoding".to_owned()),
    }
    Ok(())
}

fn parse_mesh(bytes: &[u8], face: &mut CanonicalFace) -> Result<(), String> {
    let mut reader = Reader::new(bytes);
    let (mut vertex_buffer, mut index_buffer) = (Vec::new(), Vec::new());
    while let Some((number, field)) = reader.next_field()? {
        match number {
            3 => push_floats(&field, &mut vertex_buffer)?,
            4 => push_varints(&field, &mut index_buffer)?,
            _ => {}
        }
    }
    // Vertex type VERTEX_PT: x, y, z, u, v per vertex.
    if vertex_buffer.len() != CANONICAL_VERTEX_COUNT * 5 {
        return Err(format!(
            "the canonical mesh has {} vertex values, expected {}",
            vertex_buffer.len(),
            CANONICAL_VERTEX_COUNT * 5
        ));
    }
    if index_buffer.is_empty() || index_buffer.len() % 3 != 0 {
        return Err(format!(
            "the canonical mesh has {} triangle indices, not a positive multiple of 3",
            index_buffer.len()
        ));
    }
    if let Some(bad) = index_buffer
        .iter()
        .find(|&&index| index >= CANONICAL_VERTEX_COUNT as u64)
    {
        return Err(format!(
            "triangle index {bad} is past the {CANONICAL_VERTEX_COUNT} vertices"
        ));
    }
    face.vertices = vertex_buffer
        .chunks_exact(5)
        .map(|v| [v[0], v[1], v[2]])
        .collect();
    face.uvs = vertex_buffer
        .chunks_exact(5)
        .map(|v| [v[3], v[4]])
        .collect();
    face.triangles = index_buffer
        .chunks_exact(3)
        .map(|t| [t[0] as u32, t[1] as u32, t[2] as u32])
        .collect();
    Ok(())
}

fn parse_weight(bytes: &[u8]) -> Result<(usize, f32), String> {
    let mut reader = Reader::new(bytes);
    let (mut landmark, mut weight) = (None, None);
    while let Some((number, field)) = reader.next_field()? {
        match (number, field) {
            (1, Field::Varint(value)) => landmark = Some(value as usize),
            (2, Field::Fixed32(bytes)) => weight = Some(f32::from_le_bytes(bytes)),
            _ => {}
        }
    }
    match (landmark, weight) {
        (Some(landmark), Some(weight))
            if landmark < CANONICAL_VERTEX_COUNT && weight.is_finite() && weight >= 0.0 =>
        {
            Ok((landmark, weight))
        }
        _ => Err(
            "a Procrustes weight lacks its landmark or weight, or they are out of range".to_owned(),
        ),
    }
}

impl CanonicalFace {
    /// Parses the geometry message.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let mut face = CanonicalFace {
            vertices: Vec::new(),
            uvs: Vec::new(),
            triangles: Vec::new(),
            procrustes_weights: Vec::new(),
        };
        let mut reader = Reader::new(bytes);
        let mut saw_mesh = false;
        while let Some((number, field)) = reader.next_field()? {
            match (number, field) {
                (1, Field::Bytes(mesh)) => {
                    parse_mesh(mesh, &mut face)?;
                    saw_mesh = true;
                }
                (2, Field::Bytes(weight)) => face.procrustes_weights.push(parse_weight(weight)?),
                _ => {}
            }
        }
        if !saw_mesh {
            return Err("no canonical mesh (field 1)".to_owned());
        }
        if face.procrustes_weights.len() < 3 {
            return Err(format!(
                "{} Procrustes weights, at least 3 needed",
                face.procrustes_weights.len()
            ));
        }
        Ok(face)
    }

    /// Reads and parses the geometry file.
    pub fn load(path: &Path) -> Result<Self, GeometryError> {
        let error = |reason: String| GeometryError {
            path: path.to_owned(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|io| error(io.to_string()))?;
        Self::parse(&bytes).map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        assert!(CanonicalFace::parse(b"").is_err());
        assert!(CanonicalFace::parse(&[0x0a, 0xff, 0x01]).is_err());
        assert!(CanonicalFace::parse(&[0xff; 12]).is_err());
        assert!(CanonicalFace::parse(&[0x0b]).is_err());
    }
}
