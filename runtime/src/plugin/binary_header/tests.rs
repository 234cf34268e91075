//! Headers written byte by byte as each format's specification lays them out, then cut,
//! damaged and replaced by noise.

use super::*;

/// An ELF header of `bits` (32 or 64), little-endian unless `big`, with program headers
/// of the types `segments`.
fn elf_file(bits: u8, big: bool, e_type: u16, machine: u16, segments: &[u32]) -> Vec<u8> {
    let (header, entry) = if bits == 64 { (64, 56) } else { (52, 32) };
    let mut bytes = vec![0u8; header + entry * segments.len()];
    bytes[..4].copy_from_slice(b"\x7fELF");
    bytes[4] = if bits == 64 { 2 } else { 1 };
    bytes[5] = if big { 2 } else { 1 };
    bytes[6] = 1;
    let put16 = |bytes: &mut Vec<u8>, at: usize, value: u16| {
        let raw = if big {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        bytes[at..at + 2].copy_from_slice(&raw);
    };
    let put32 = |bytes: &mut Vec<u8>, at: usize, value: u32| {
        let raw = if big {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        bytes[at..at + 4].copy_from_slice(&raw);
    };
    put16(&mut bytes, 16, e_type);
    put16(&mut bytes, 18, machine);
    let count = segments.len() as u16;
    if bits == 64 {
        let raw = if big {
            (header as u64).to_be_bytes()
        } else {
            (header as u64).to_le_bytes()
        };
        bytes[32..40].copy_from_slice(&raw);
        put16(&mut bytes, 54, entry as u16);
        put16(&mut bytes, 56, count);
    } else {
        put32(&mut bytes, 28, header as u32);
        put16(&mut bytes, 42, entry as u16);
        put16(&mut bytes, 44, count);
    }
    for (index, &segment) in segments.iter().enumerate() {
        put32(&mut bytes, header + index * entry, segment);
    }
    bytes
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;

/// A little-endian Mach-O header.
fn mach_file(bits: u8, cputype: u32, filetype: u32) -> Vec<u8> {
    let magic: u32 = if bits == 64 { 0xfeed_facf } else { 0xfeed_face };
    let mut bytes = vec![0u8; if bits == 64 { 32 } else { 28 }];
    bytes[0..4].copy_from_slice(&magic.to_le_bytes());
    bytes[4..8].copy_from_slice(&cputype.to_le_bytes());
    bytes[12..16].copy_from_slice(&filetype.to_le_bytes());
    bytes
}

/// A universal file holding `slices`, each at a 64-byte-aligned offset.
fn fat_file(slices: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&0xcafe_babe_u32.to_be_bytes());
    bytes.extend_from_slice(&(slices.len() as u32).to_be_bytes());
    let mut offset = 64 * (1 + slices.len());
    let mut bodies = Vec::new();
    for (cputype, slice) in slices {
        bytes.extend_from_slice(&cputype.to_be_bytes());
        bytes.extend_from_slice(&0u32.to_be_bytes());
        bytes.extend_from_slice(&(offset as u32).to_be_bytes());
        bytes.extend_from_slice(&(slice.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&6u32.to_be_bytes());
        bodies.push((offset, slice));
        offset += 64 * slice.len().div_ceil(64).max(1);
    }
    for (at, slice) in bodies {
        bytes.resize(at, 0);
        bytes.extend_from_slice(slice);
    }
    bytes
}

/// A PE file: an MS-DOS header pointing at `PE\0\0` at 0x80, then the COFF header and the
/// optional header's magic.
fn pe_file(machine: u16, characteristics: u16, optional_magic: u16) -> Vec<u8> {
    let mut bytes = vec![0u8; 0x80 + 4 + 20 + 2];
    bytes[0..2].copy_from_slice(b"MZ");
    bytes[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    bytes[0x80..0x84].copy_from_slice(b"PE\0\0");
    bytes[0x84..0x86].copy_from_slice(&machine.to_le_bytes());
    bytes[0x84 + 18..0x84 + 20].copy_from_slice(&characteristics.to_le_bytes());
    bytes[0x84 + 20..0x84 + 22].copy_from_slice(&optional_magic.to_le_bytes());
    bytes
}

fn image(header: &BinaryHeader) -> BinaryImage {
    assert_eq!(header.images.len(), 1, "{header:?}");
    header.images[0]
}

#[test]
fn elf_libraries_programs_and_objects_of_both_classes_and_byte_orders() {
    let library = read_header(&elf_file(64, false, 3, 62, &[PT_LOAD, PT_DYNAMIC])).unwrap();
    assert_eq!(library.format, BinaryFormat::Elf);
    assert_eq!(
        image(&library),
        BinaryImage {
            cpu: Cpu::X86_64,
            bits: 64,
            kind: BinaryKind::Library
        }
    );
    assert_eq!(library.describe(), "an ELF library for x86-64 (64-bit)");

    let pie = read_header(&elf_file(64, false, 3, 183, &[PT_LOAD, PT_INTERP])).unwrap();
    assert_eq!(image(&pie).kind, BinaryKind::Executable);
    assert_eq!(image(&pie).cpu, Cpu::Aarch64);
    assert!(pie.describe().starts_with("an ELF executable"), "{pie:?}");

    let program = read_header(&elf_file(64, false, 2, 62, &[])).unwrap();
    assert_eq!(image(&program).kind, BinaryKind::Executable);
    let object = read_header(&elf_file(64, false, 1, 62, &[])).unwrap();
    assert_eq!(image(&object).kind, BinaryKind::Object);

    let arm = read_header(&elf_file(32, false, 3, 40, &[PT_DYNAMIC])).unwrap();
    assert_eq!(
        image(&arm),
        BinaryImage {
            cpu: Cpu::Arm,
            bits: 32,
            kind: BinaryKind::Library
        }
    );
    assert_eq!(arm.describe(), "an ELF library for 32-bit ARM (32-bit)");

    let big = read_header(&elf_file(64, true, 3, 183, &[PT_DYNAMIC])).unwrap();
    assert_eq!(image(&big).cpu, Cpu::Aarch64);
    assert_eq!(image(&big).kind, BinaryKind::Library);

    let riscv = read_header(&elf_file(64, false, 3, 243, &[])).unwrap();
    assert_eq!(image(&riscv).cpu, Cpu::Other(243));
    assert!(
        riscv.describe().contains("machine number 0xf3"),
        "{riscv:?}"
    );
}

#[test]
fn elf_headers_that_make_no_sense_are_refused() {
    let mut bad_class = elf_file(64, false, 3, 62, &[]);
    bad_class[4] = 9;
    assert!(matches!(
        read_header(&bad_class),
        Err(HeaderError::Malformed { .. })
    ));
    let mut bad_order = elf_file(64, false, 3, 62, &[]);
    bad_order[5] = 0;
    assert!(matches!(
        read_header(&bad_order),
        Err(HeaderError::Malformed { .. })
    ));
    // Program headers said to lie past the end of the file.
    let mut far = elf_file(64, false, 3, 62, &[PT_DYNAMIC]);
    far[32..40].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        read_header(&far),
        Err(HeaderError::Truncated { .. })
    ));
}

/// Sets the file offset and file size of the program header `index` of a little-endian
/// 64-bit [`elf_file`].
fn place_segment(bytes: &mut [u8], index: usize, offset: u64, size: u64) {
    let at = 64 + index * 56;
    bytes[at + 8..at + 16].copy_from_slice(&offset.to_le_bytes());
    bytes[at + 32..at + 40].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn a_library_whose_loaded_segments_run_past_its_end_is_cut_short() {
    let mut library = elf_file(64, false, 3, 62, &[PT_LOAD, PT_DYNAMIC, PT_LOAD]);
    library.resize(4096, 0);
    place_segment(&mut library, 0, 0, 2048);
    place_segment(&mut library, 2, 2048, 2048);
    assert!(
        read_header(&library).is_ok(),
        "segments that end at the file's end"
    );
    // Cut anywhere inside the second loaded segment: the loader would map past the end.
    for len in [4095, 3000, 2049] {
        let error = read_header(&library[..len]).unwrap_err();
        assert_eq!(
            error,
            HeaderError::CutShort {
                format: BinaryFormat::Elf,
                needed: 4096,
                len,
            }
        );
    }
    assert_eq!(
        read_header(&library[..3000]).unwrap_err().to_string(),
        "a truncated file: it is an ELF library whose code and data run to byte 4096, but the \
         file ends after 3000 bytes (it was cut short when copied or downloaded, or is still \
         being written)"
    );
    // Other segments (PT_DYNAMIC here) are inside the loaded ones; only loads are checked.
    place_segment(&mut library, 1, 1 << 40, 1 << 40);
    assert!(read_header(&library).is_ok());
    // An offset and size whose sum overflows are no segment either.
    place_segment(&mut library, 2, u64::MAX, 2);
    assert!(matches!(
        read_header(&library),
        Err(HeaderError::Truncated { .. })
    ));
}

#[cfg(target_os = "linux")]
#[test]
fn this_test_program_cut_after_its_headers_is_cut_short() {
    // A real ELF file the linker wrote: whole it reads; cut to its first 64 KiB (its
    // headers, and a little of the megabytes of code that follow) the code runs past the
    // end. (Cut in half it may still be whole: debug information, never loaded, is most
    // of a test program.)
    let program = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert!(read_header(&program).is_ok());
    let start = &program[..64 << 10];
    assert!(
        matches!(read_header(start), Err(HeaderError::CutShort { .. })),
        "{:?}",
        read_header(start)
    );
}

#[test]
fn mach_o_thin_and_universal() {
    let dylib = read_header(&mach_file(64, 0x0100_000c, 6)).unwrap();
    assert_eq!(dylib.format, BinaryFormat::MachO);
    assert_eq!(
        image(&dylib),
        BinaryImage {
            cpu: Cpu::Aarch64,
            bits: 64,
            kind: BinaryKind::Library
        }
    );
    assert_eq!(dylib.describe(), "a Mach-O library for AArch64 (64-bit)");
    let program = read_header(&mach_file(64, 0x0100_0007, 2)).unwrap();
    assert_eq!(image(&program).kind, BinaryKind::Executable);
    assert_eq!(image(&program).cpu, Cpu::X86_64);
    let bundle = read_header(&mach_file(32, 7, 8)).unwrap();
    assert_eq!(
        image(&bundle),
        BinaryImage {
            cpu: Cpu::X86,
            bits: 32,
            kind: BinaryKind::Library
        }
    );

    let universal = read_header(&fat_file(&[
        (0x0100_0007, mach_file(64, 0x0100_0007, 6)),
        (0x0100_000c, mach_file(64, 0x0100_000c, 6)),
    ]))
    .unwrap();
    assert!(universal.universal);
    let cpus: Vec<Cpu> = universal.images.iter().map(|image| image.cpu).collect();
    assert_eq!(cpus, [Cpu::X86_64, Cpu::Aarch64]);
    assert_eq!(
        universal.describe(),
        "a universal Mach-O library for x86-64 and AArch64"
    );

    // The table and the slice disagree.
    let lying = fat_file(&[(0x0100_0007, mach_file(64, 0x0100_000c, 6))]);
    assert!(matches!(
        read_header(&lying),
        Err(HeaderError::Malformed { .. })
    ));
}

#[test]
fn a_java_class_file_is_not_a_universal_binary() {
    // `cafebabe`, minor version 0, major version 52 (Java 8).
    let class = [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 10];
    assert!(matches!(
        read_header(&class),
        Err(HeaderError::Unrecognised { .. })
    ));
}

#[test]
fn pe_libraries_and_programs() {
    let dll = read_header(&pe_file(0x8664, 0x2022, 0x20b)).unwrap();
    assert_eq!(dll.format, BinaryFormat::Pe);
    assert_eq!(
        image(&dll),
        BinaryImage {
            cpu: Cpu::X86_64,
            bits: 64,
            kind: BinaryKind::Library
        }
    );
    assert_eq!(dll.describe(), "a PE library for x86-64 (64-bit)");
    let arm_dll = read_header(&pe_file(0xaa64, 0x2022, 0x20b)).unwrap();
    assert_eq!(image(&arm_dll).cpu, Cpu::Aarch64);
    let program = read_header(&pe_file(0x8664, 0x0022, 0x20b)).unwrap();
    assert_eq!(image(&program).kind, BinaryKind::Executable);
    let old = read_header(&pe_file(0x014c, 0x2102, 0x10b)).unwrap();
    assert_eq!(
        image(&old),
        BinaryImage {
            cpu: Cpu::X86,
            bits: 32,
            kind: BinaryKind::Library
        }
    );

    let mut dos = pe_file(0x8664, 0x2022, 0x20b);
    dos[0x80..0x84].copy_from_slice(b"NE\0\0");
    let error = read_header(&dos).unwrap_err();
    assert!(error.to_string().contains("MS-DOS program"), "{error}");
}

#[test]
fn every_cut_of_a_real_header_is_truncated_never_a_panic() {
    let whole = [
        elf_file(64, false, 3, 62, &[PT_LOAD, PT_DYNAMIC]),
        elf_file(32, true, 3, 40, &[PT_DYNAMIC]),
        mach_file(64, 0x0100_000c, 6),
        fat_file(&[(0x0100_000c, mach_file(64, 0x0100_000c, 6))]),
        pe_file(0x8664, 0x2022, 0x20b),
    ];
    for file in &whole {
        assert!(read_header(file).is_ok());
        let magic = if file.starts_with(b"MZ") { 2 } else { 4 };
        for len in magic..file.len() {
            match read_header(&file[..len]) {
                Err(HeaderError::Truncated { len: said, .. }) => assert_eq!(said, len),
                other => panic!("{} bytes of {file:02x?}: {other:?}", len),
            }
        }
    }
    let error = read_header(&whole[0][..20]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a truncated file: it begins like an ELF file but ends after 20 bytes, inside its \
         headers (it was cut short when copied or downloaded)"
    );
}

#[test]
fn noise_and_empty_files_are_not_libraries() {
    let error = read_header(&[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a library: its first bytes (none: the file is empty) are neither ELF, Mach-O nor PE"
    );
    let error = read_header(b"#!/bin/sh\necho hi\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a library: its first bytes (23 21 2f 62 69 6e 2f 73) are neither ELF, Mach-O nor PE"
    );
    // A fixed-seed generator: every run reads the same noise, and none of it panics.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for round in 0..2000 {
        let mut noise = Vec::new();
        for _ in 0..(round % 300) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            noise.push(state as u8);
        }
        // Half the rounds start like a format, to reach past the magic.
        let magic: &[u8] = match round % 6 {
            1 => b"\x7fELF\x02\x01",
            2 => b"MZ",
            3 => &[0xca, 0xfe, 0xba, 0xbe],
            _ => &[],
        };
        noise.splice(0..0, magic.iter().copied());
        let _ = read_header(&noise);
    }
}
