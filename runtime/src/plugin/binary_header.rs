//! What a library file's first bytes say it is: ELF, Mach-O (one architecture or a
//! universal file of several) or PE, for which CPU, in which word size, and whether it is
//! a shared library or a program. Only headers are read (for Mach-O universal files, each
//! slice's header too), every read bounds-checked, so any bytes give an answer or a
//! [`HeaderError`], never a panic.

#[cfg(test)]
mod tests;

/// A binary file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryFormat {
    /// ELF: Linux, Android and the other Unix-likes.
    Elf,
    /// Mach-O: macOS and iOS.
    MachO,
    /// PE (Portable Executable): Windows.
    Pe,
}

impl BinaryFormat {
    /// The format's name as users know it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Elf => "ELF",
            Self::MachO => "Mach-O",
            Self::Pe => "PE",
        }
    }
}

/// A CPU architecture, as a binary header names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cpu {
    /// 64-bit Intel and AMD.
    X86_64,
    /// 32-bit Intel.
    X86,
    /// 64-bit ARM (arm64).
    Aarch64,
    /// 32-bit ARM (armv7).
    Arm,
    /// Anything else: the format's own machine number.
    Other(u32),
}

impl Cpu {
    /// The architecture's name in messages (`x86-64`, `AArch64`, ...).
    pub fn name(self) -> String {
        match self {
            Self::X86_64 => "x86-64".to_owned(),
            Self::X86 => "32-bit x86".to_owned(),
            Self::Aarch64 => "AArch64".to_owned(),
            Self::Arm => "32-bit ARM".to_owned(),
            Self::Other(number) => format!("an unknown CPU (machine number {number:#x})"),
        }
    }
}

/// What a binary is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryKind {
    /// A shared library, which a host can load (`.so`, `.dylib`, `.dll`).
    Library,
    /// A program (an executable, position-independent or not).
    Executable,
    /// An object file or static archive member, input to a linker.
    Object,
    /// Something else (a core dump, a kernel extension, ...).
    Other,
}

/// One architecture's code in a binary: a universal Mach-O file has several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BinaryImage {
    /// The CPU it runs on.
    pub cpu: Cpu,
    /// Its word size: 32 or 64.
    pub bits: u8,
    /// Library, program or other.
    pub kind: BinaryKind,
}

/// What a binary's headers say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryHeader {
    /// Its file format.
    pub format: BinaryFormat,
    /// Its code, one image per architecture (more than one only for universal Mach-O).
    pub images: Vec<BinaryImage>,
    /// True for a Mach-O universal ("fat") file.
    pub universal: bool,
}

impl BinaryHeader {
    /// What it is, in words: `an ELF library for AArch64 (64-bit)`, `an ELF executable
    /// for x86-64 (64-bit)`, `a universal Mach-O library for AArch64 and x86-64`.
    pub fn describe(&self) -> String {
        let kinds: Vec<BinaryKind> = dedup(self.images.iter().map(|image| image.kind));
        let kind = match kinds.as_slice() {
            [BinaryKind::Library] => "library",
            [BinaryKind::Executable] => "executable (a program, not a library)",
            [BinaryKind::Object] => "object file (input to a linker, not a library)",
            [_] => "file that is neither a library nor a program",
            _ => "file that mixes libraries and other kinds",
        };
        let cpus = self
            .images
            .iter()
            .map(|image| {
                if self.universal {
                    image.cpu.name()
                } else {
                    format!("{} ({}-bit)", image.cpu.name(), image.bits)
                }
            })
            .collect::<Vec<_>>();
        let cpus = match cpus.as_slice() {
            [] => "no architecture at all".to_owned(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        let format = self.format.name();
        if self.universal {
            format!("a universal {format} {kind} for {cpus}")
        } else {
            let article = if matches!(self.format, BinaryFormat::Elf) {
                "an"
            } else {
                "a"
            };
            format!("{article} {format} {kind} for {cpus}")
        }
    }
}

/// The distinct items of `items`, in first-seen order.
fn dedup<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut distinct = Vec::new();
    for item in items {
        if !distinct.contains(&item) {
            distinct.push(item);
        }
    }
    distinct
}

/// Why bytes are not a binary this module can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The first bytes match no format.
    #[error("not a library: its first bytes ({first_bytes}) are neither ELF, Mach-O nor PE")]
    Unrecognised {
        /// Up to the first eight bytes, in hex.
        first_bytes: String,
    },
    /// The file begins like a format but ends before its headers do.
    #[error(
        "a truncated file: it begins like {} {} file but ends after {len} bytes, inside its \
         headers (it was cut short when copied or downloaded)",
        if matches!(format, BinaryFormat::Elf) { "an" } else { "a" },
        format.name()
    )]
    Truncated {
        /// The format it begins like.
        format: BinaryFormat,
        /// Its length in bytes.
        len: usize,
    },
    /// The headers are whole, but the code or data they place in the file runs past its end.
    #[error(
        "a truncated file: it is {} {} library whose code and data run to byte {needed}, but \
         the file ends after {len} bytes (it was cut short when copied or downloaded, or is \
         still being written)",
        if matches!(format, BinaryFormat::Elf) { "an" } else { "a" },
        format.name()
    )]
    CutShort {
        /// The format.
        format: BinaryFormat,
        /// Where its last loaded segment ends.
        needed: u64,
        /// Its length in bytes.
        len: usize,
    },
    /// The file begins like a format, but its headers are inconsistent.
    #[error("not a library: it begins like {} {} file, but {problem}",
        if matches!(format, BinaryFormat::Elf) { "an" } else { "a" },
        format.name()
    )]
    Malformed {
        /// The format it begins like.
        format: BinaryFormat,
        /// What is wrong.
        problem: &'static str,
    },
}

/// Reads what `bytes`' headers say.
pub fn read_header(bytes: &[u8]) -> Result<BinaryHeader, HeaderError> {
    if bytes.starts_with(b"\x7fELF") {
        return elf(bytes);
    }
    if bytes.starts_with(b"MZ") {
        return pe(bytes);
    }
    match bytes.get(..4).map(|magic| {
        (
            u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]),
            u32::from_be_bytes([magic[0], magic[1], magic[2], magic[3]]),
        )
    }) {
        Some((le, _)) if le == MH_MAGIC || le == MH_MAGIC_64 => mach_o(bytes, Endian::Little),
        Some((_, be)) if be == MH_MAGIC || be == MH_MAGIC_64 => mach_o(bytes, Endian::Big),
        Some((_, be)) if be == FAT_MAGIC || be == FAT_MAGIC_64 => fat_mach_o(bytes),
        _ => Err(HeaderError::Unrecognised {
            first_bytes: first_bytes(bytes),
        }),
    }
}

/// Up to the first eight bytes in hex (`7f 45 4c 46`), or `none: the file is empty`.
fn first_bytes(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "none: the file is empty".to_owned();
    }
    bytes
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

/// Bounds-checked reads of little- or big-endian numbers.
struct Reader<'a> {
    bytes: &'a [u8],
    endian: Endian,
}

impl Reader<'_> {
    fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        let end = at.checked_add(N)?;
        self.bytes.get(at..end)?.try_into().ok()
    }

    fn u16(&self, at: usize) -> Option<u16> {
        let raw = self.array::<2>(at)?;
        Some(match self.endian {
            Endian::Little => u16::from_le_bytes(raw),
            Endian::Big => u16::from_be_bytes(raw),
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let raw = self.array::<4>(at)?;
        Some(match self.endian {
            Endian::Little => u32::from_le_bytes(raw),
            Endian::Big => u32::from_be_bytes(raw),
        })
    }

    fn u64(&self, at: usize) -> Option<u64> {
        let raw = self.array::<8>(at)?;
        Some(match self.endian {
            Endian::Little => u64::from_le_bytes(raw),
            Endian::Big => u64::from_be_bytes(raw),
        })
    }
}

/// Where an ELF program header's segment ends in the file (`p_offset + p_filesz`), for the
/// header at byte `at`; `None` when the header is cut or the sum overflows.
fn segment_end(read: &Reader<'_>, at: usize, bits: u8) -> Option<u64> {
    let (offset, size) = if bits == 64 {
        (
            read.u64(at.checked_add(8)?)?,
            read.u64(at.checked_add(32)?)?,
        )
    } else {
        (
            u64::from(read.u32(at.checked_add(4)?)?),
            u64::from(read.u32(at.checked_add(16)?)?),
        )
    };
    offset.checked_add(size)
}

/// ELF: `e_type` says library (ET_DYN) or program (ET_EXEC); a position-independent
/// program is ET_DYN too, told apart by the interpreter (PT_INTERP) it asks for.
fn elf(bytes: &[u8]) -> Result<BinaryHeader, HeaderError> {
    const ET_REL: u16 = 1;
    const ET_EXEC: u16 = 2;
    const ET_DYN: u16 = 3;
    const PT_LOAD: u32 = 1;
    const PT_INTERP: u32 = 3;
    let truncated = || HeaderError::Truncated {
        format: BinaryFormat::Elf,
        len: bytes.len(),
    };
    let malformed = |problem| HeaderError::Malformed {
        format: BinaryFormat::Elf,
        problem,
    };
    let (Some(&class), Some(&data)) = (bytes.get(4), bytes.get(5)) else {
        return Err(truncated());
    };
    let bits = match class {
        1 => 32,
        2 => 64,
        _ => return Err(malformed("its class byte is neither 32- nor 64-bit")),
    };
    let endian = match data {
        1 => Endian::Little,
        2 => Endian::Big,
        _ => {
            return Err(malformed(
                "its byte-order byte is neither little- nor big-endian",
            ));
        }
    };
    let read = Reader { bytes, endian };
    let header_size = if bits == 64 { 64 } else { 52 };
    if bytes.len() < header_size {
        return Err(truncated());
    }
    let e_type = read.u16(16).ok_or_else(truncated)?;
    let machine = read.u16(18).ok_or_else(truncated)?;
    let (phoff, phentsize, phnum) = if bits == 64 {
        (read.u64(32), read.u16(54), read.u16(56))
    } else {
        (read.u32(28).map(u64::from), read.u16(42), read.u16(44))
    };
    let (phoff, phentsize, phnum) = (
        phoff.ok_or_else(truncated)?,
        phentsize.ok_or_else(truncated)?,
        phnum.ok_or_else(truncated)?,
    );
    let kind = match e_type {
        ET_EXEC => BinaryKind::Executable,
        ET_REL => BinaryKind::Object,
        ET_DYN => {
            // The whole table of program headers must lie in the file.
            let table_end = u64::from(phnum)
                .checked_mul(u64::from(phentsize))
                .and_then(|size| size.checked_add(phoff));
            if table_end.is_none_or(|end| end > bytes.len() as u64) {
                return Err(truncated());
            }
            let mut interpreter = false;
            for index in 0..u64::from(phnum) {
                // In bounds: the table's end was checked above.
                let at = usize::try_from(phoff + index * u64::from(phentsize)).ok();
                let Some(p_type) = at.and_then(|at| read.u32(at)) else {
                    return Err(truncated());
                };
                interpreter |= p_type == PT_INTERP;
                if p_type == PT_LOAD {
                    // The loader maps each loaded segment from the file: one that runs past
                    // the file's end faults (SIGBUS) when its code or data is first touched.
                    let end = at.and_then(|at| segment_end(&read, at, bits));
                    let Some(end) = end else {
                        return Err(truncated());
                    };
                    if end > bytes.len() as u64 {
                        return Err(HeaderError::CutShort {
                            format: BinaryFormat::Elf,
                            needed: end,
                            len: bytes.len(),
                        });
                    }
                }
            }
            if interpreter {
                BinaryKind::Executable
            } else {
                BinaryKind::Library
            }
        }
        _ => BinaryKind::Other,
    };
    let cpu = match machine {
        3 => Cpu::X86,
        40 => Cpu::Arm,
        62 => Cpu::X86_64,
        183 => Cpu::Aarch64,
        other => Cpu::Other(u32::from(other)),
    };
    Ok(BinaryHeader {
        format: BinaryFormat::Elf,
        images: vec![BinaryImage { cpu, bits, kind }],
        universal: false,
    })
}

const MH_MAGIC: u32 = 0xfeed_face;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const FAT_MAGIC: u32 = 0xcafe_babe;
const FAT_MAGIC_64: u32 = 0xcafe_babf;
/// Universal files hold a handful of slices; Java class files share the magic and give a
/// version number where the slice count would be, at least 45.
const MAX_FAT_SLICES: u32 = 16;

/// A Mach-O CPU type.
fn mach_cpu(cputype: u32) -> Cpu {
    match cputype {
        7 => Cpu::X86,
        0x0100_0007 => Cpu::X86_64,
        12 => Cpu::Arm,
        0x0100_000c => Cpu::Aarch64,
        other => Cpu::Other(other),
    }
}

/// One Mach-O image (a thin file, or a slice of a universal one) at the start of `bytes`.
fn mach_image(bytes: &[u8], endian: Endian) -> Result<BinaryImage, HeaderError> {
    const MH_OBJECT: u32 = 1;
    const MH_EXECUTE: u32 = 2;
    const MH_DYLIB: u32 = 6;
    const MH_BUNDLE: u32 = 8;
    let read = Reader { bytes, endian };
    let truncated = || HeaderError::Truncated {
        format: BinaryFormat::MachO,
        len: bytes.len(),
    };
    let magic = read.u32(0).ok_or_else(truncated)?;
    let bits = match magic {
        MH_MAGIC => 32,
        MH_MAGIC_64 => 64,
        _ => {
            return Err(HeaderError::Malformed {
                format: BinaryFormat::MachO,
                problem: "a slice of the universal file is not a Mach-O image",
            });
        }
    };
    let header_size = if bits == 64 { 32 } else { 28 };
    if bytes.len() < header_size {
        return Err(truncated());
    }
    let cputype = read.u32(4).ok_or_else(truncated)?;
    let filetype = read.u32(12).ok_or_else(truncated)?;
    let kind = match filetype {
        MH_DYLIB | MH_BUNDLE => BinaryKind::Library,
        MH_EXECUTE => BinaryKind::Executable,
        MH_OBJECT => BinaryKind::Object,
        _ => BinaryKind::Other,
    };
    Ok(BinaryImage {
        cpu: mach_cpu(cputype),
        bits,
        kind,
    })
}

fn mach_o(bytes: &[u8], endian: Endian) -> Result<BinaryHeader, HeaderError> {
    Ok(BinaryHeader {
        format: BinaryFormat::MachO,
        images: vec![mach_image(bytes, endian)?],
        universal: false,
    })
}

/// A universal Mach-O file: a big-endian table of slices, each a whole Mach-O image at
/// its offset.
fn fat_mach_o(bytes: &[u8]) -> Result<BinaryHeader, HeaderError> {
    let read = Reader {
        bytes,
        endian: Endian::Big,
    };
    let truncated = || HeaderError::Truncated {
        format: BinaryFormat::MachO,
        len: bytes.len(),
    };
    let wide = read.u32(0) == Some(FAT_MAGIC_64);
    let count = read.u32(4).ok_or_else(truncated)?;
    if count == 0 || count > MAX_FAT_SLICES {
        return Err(HeaderError::Unrecognised {
            first_bytes: first_bytes(bytes),
        });
    }
    let entry_size = if wide { 32 } else { 20 };
    let mut images = Vec::new();
    for index in 0..count as usize {
        let entry = 8 + index * entry_size;
        let cputype = read.u32(entry).ok_or_else(truncated)?;
        let offset = if wide {
            read.u64(entry + 8)
        } else {
            read.u32(entry + 8).map(u64::from)
        };
        let slice = offset
            .and_then(|offset| usize::try_from(offset).ok())
            .and_then(|offset| bytes.get(offset..))
            .ok_or_else(truncated)?;
        let slice_endian = match slice.get(..4) {
            Some([0xcf | 0xce, 0xfa, 0xed, 0xfe]) => Endian::Little,
            _ => Endian::Big,
        };
        // A slice cut short is the whole file cut short: say the file's length.
        let image = mach_image(slice, slice_endian).map_err(|error| match error {
            HeaderError::Truncated { .. } => truncated(),
            other => other,
        })?;
        if image.cpu != mach_cpu(cputype) {
            return Err(HeaderError::Malformed {
                format: BinaryFormat::MachO,
                problem: "a slice's CPU differs from what the universal file's table says",
            });
        }
        images.push(image);
    }
    Ok(BinaryHeader {
        format: BinaryFormat::MachO,
        images,
        universal: true,
    })
}

/// PE: an MS-DOS stub whose `e_lfanew` points at `PE\0\0` and the COFF header, whose
/// characteristics say DLL or program; the optional header's magic gives the word size.
fn pe(bytes: &[u8]) -> Result<BinaryHeader, HeaderError> {
    const IMAGE_FILE_EXECUTABLE_IMAGE: u16 = 0x0002;
    const IMAGE_FILE_DLL: u16 = 0x2000;
    let read = Reader {
        bytes,
        endian: Endian::Little,
    };
    let truncated = || HeaderError::Truncated {
        format: BinaryFormat::Pe,
        len: bytes.len(),
    };
    let malformed = |problem| HeaderError::Malformed {
        format: BinaryFormat::Pe,
        problem,
    };
    let lfanew = read.u32(0x3c).ok_or_else(truncated)? as usize;
    let signature = read.array::<4>(lfanew);
    match signature {
        Some(signature) if &signature == b"PE\0\0" => {}
        Some(_) => {
            return Err(malformed(
                "has no `PE\\0\\0` signature where its MS-DOS header points: it is an MS-DOS \
                 program, not a Windows library",
            ));
        }
        // The file ends before the header its MS-DOS stub points at.
        None => return Err(truncated()),
    }
    let coff = lfanew + 4;
    let machine = read.u16(coff).ok_or_else(truncated)?;
    let characteristics = read.u16(coff + 18).ok_or_else(truncated)?;
    let optional_magic = read.u16(coff + 20).ok_or_else(truncated)?;
    let bits = match optional_magic {
        0x10b => 32,
        0x20b => 64,
        _ => return Err(malformed("its optional header is neither PE32 nor PE32+")),
    };
    let kind = if characteristics & IMAGE_FILE_DLL != 0 {
        BinaryKind::Library
    } else if characteristics & IMAGE_FILE_EXECUTABLE_IMAGE != 0 {
        BinaryKind::Executable
    } else {
        BinaryKind::Object
    };
    let cpu = match machine {
        0x8664 => Cpu::X86_64,
        0xaa64 => Cpu::Aarch64,
        0x014c => Cpu::X86,
        0x01c4 => Cpu::Arm,
        other => Cpu::Other(u32::from(other)),
    };
    Ok(BinaryHeader {
        format: BinaryFormat::Pe,
        images: vec![BinaryImage { cpu, bits, kind }],
        universal: false,
    })
}
