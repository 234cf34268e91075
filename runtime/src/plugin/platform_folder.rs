//! The platform folders a bundle's plugin libraries go in (`linux-x86_64`,
//! `android-aarch64`, ...; see [`super::build::library_file_name`]) and what a library in
//! each must be: which file format, CPU and word size, checked against the library's own
//! headers ([`super::binary_header`]).

use super::binary_header::{BinaryFormat, BinaryHeader, BinaryKind, Cpu};
use super::build::Platform;

/// A platform folder this runtime knows: an operating system and a CPU architecture, as
/// Rust names it (`x86_64`, `aarch64`, `arm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlatformFolder {
    /// The operating system.
    pub platform: Platform,
    /// The architecture, as `std::env::consts::ARCH` names it.
    pub arch: &'static str,
}

impl PlatformFolder {
    /// Every platform folder a plugin library may be in: the platforms Lensmith builds
    /// for, with the names `lensmith plugin build` gives them.
    pub const KNOWN: [PlatformFolder; 10] = [
        Self::new(Platform::Linux, "x86_64"),
        Self::new(Platform::Linux, "aarch64"),
        Self::new(Platform::Android, "aarch64"),
        Self::new(Platform::Android, "arm"),
        Self::new(Platform::Android, "x86_64"),
        Self::new(Platform::MacOs, "aarch64"),
        Self::new(Platform::MacOs, "x86_64"),
        Self::new(Platform::Ios, "aarch64"),
        Self::new(Platform::Windows, "x86_64"),
        Self::new(Platform::Windows, "aarch64"),
    ];

    const fn new(platform: Platform, arch: &'static str) -> Self {
        Self { platform, arch }
    }

    /// The known folder called `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::KNOWN.into_iter().find(|folder| folder.name() == name)
    }

    /// The folder of the machine this program runs on, when it is a known one.
    pub fn current() -> Option<Self> {
        Self::KNOWN.into_iter().find(|folder| {
            folder.platform == Platform::current() && folder.arch == std::env::consts::ARCH
        })
    }

    /// Every known folder's name, for messages: `linux-x86_64, linux-aarch64, ...`.
    pub fn known_names() -> String {
        Self::KNOWN
            .iter()
            .map(Self::name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The folder's name (`linux-x86_64`).
    pub fn name(&self) -> String {
        format!("{}-{}", self.platform.folder(), self.arch)
    }

    /// The file format its libraries are in.
    pub const fn format(&self) -> BinaryFormat {
        match self.platform {
            Platform::Linux | Platform::Android => BinaryFormat::Elf,
            Platform::MacOs | Platform::Ios => BinaryFormat::MachO,
            Platform::Windows => BinaryFormat::Pe,
        }
    }

    /// The CPU its libraries run on.
    pub fn cpu(&self) -> Cpu {
        match self.arch {
            "x86_64" => Cpu::X86_64,
            "aarch64" => Cpu::Aarch64,
            "arm" => Cpu::Arm,
            // Unreachable for the known folders; kept total for the type's sake.
            _ => Cpu::Other(0),
        }
    }

    /// Its word size: 32 for `arm`, 64 for the others.
    pub fn bits(&self) -> u8 {
        if self.arch == "arm" { 32 } else { 64 }
    }

    /// The Rust target a plugin crate is built for to put a library in this folder.
    pub fn rust_target(&self) -> &'static str {
        match (self.platform, self.arch) {
            (Platform::Linux, "aarch64") => "aarch64-unknown-linux-gnu",
            (Platform::Android, "aarch64") => "aarch64-linux-android",
            (Platform::Android, "arm") => "armv7-linux-androideabi",
            (Platform::Android, _) => "x86_64-linux-android",
            (Platform::MacOs, "aarch64") => "aarch64-apple-darwin",
            (Platform::MacOs, _) => "x86_64-apple-darwin",
            (Platform::Ios, _) => "aarch64-apple-ios",
            (Platform::Windows, "aarch64") => "aarch64-pc-windows-msvc",
            (Platform::Windows, _) => "x86_64-pc-windows-msvc",
            (Platform::Linux, _) => "x86_64-unknown-linux-gnu",
        }
    }

    /// What a library in this folder must be, in words: `an ELF library for AArch64
    /// (64-bit)`.
    pub fn needs(&self) -> String {
        BinaryHeader {
            format: self.format(),
            images: vec![super::binary_header::BinaryImage {
                cpu: self.cpu(),
                bits: self.bits(),
                kind: BinaryKind::Library,
            }],
            universal: false,
        }
        .describe()
    }

    /// True when `header` is a library this folder's platform can load: its format, a
    /// library, and (for a universal Mach-O file, in one of its slices) its CPU and word
    /// size.
    pub fn accepts(&self, header: &BinaryHeader) -> bool {
        header.format == self.format()
            && header.images.iter().any(|image| {
                image.kind == BinaryKind::Library
                    && image.cpu == self.cpu()
                    && image.bits == self.bits()
            })
    }

    /// The known folders whose platform can load `header`: where a library that is in the
    /// wrong folder belongs.
    pub fn folders_for(header: &BinaryHeader) -> Vec<Self> {
        Self::KNOWN
            .into_iter()
            .filter(|folder| folder.accepts(header))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::binary_header::BinaryImage;
    use super::*;

    fn header(format: BinaryFormat, cpu: Cpu, bits: u8, kind: BinaryKind) -> BinaryHeader {
        BinaryHeader {
            format,
            images: vec![BinaryImage { cpu, bits, kind }],
            universal: false,
        }
    }

    #[test]
    fn folder_names_are_those_library_file_name_gives() {
        for folder in PlatformFolder::KNOWN {
            let file = super::super::build::library_file_name(
                "plugins/glow",
                folder.platform,
                folder.arch,
            )
            .unwrap();
            let parent = file.rsplit('/').nth(1).unwrap();
            assert_eq!(parent, folder.name());
            assert_eq!(PlatformFolder::parse(parent), Some(folder));
        }
        assert_eq!(PlatformFolder::parse("linux-x86"), None);
        assert_eq!(PlatformFolder::parse("android-armv7"), None);
        assert!(PlatformFolder::known_names().starts_with("linux-x86_64, linux-aarch64, "));
    }

    #[test]
    fn each_folder_takes_libraries_of_its_format_cpu_and_word_size_only() {
        let linux = PlatformFolder::parse("linux-x86_64").unwrap();
        let android = PlatformFolder::parse("android-aarch64").unwrap();
        let arm = PlatformFolder::parse("android-arm").unwrap();
        let elf_x86 = header(BinaryFormat::Elf, Cpu::X86_64, 64, BinaryKind::Library);
        let elf_arm64 = header(BinaryFormat::Elf, Cpu::Aarch64, 64, BinaryKind::Library);
        assert!(linux.accepts(&elf_x86));
        assert!(!android.accepts(&elf_x86));
        assert!(android.accepts(&elf_arm64));
        assert!(!linux.accepts(&header(
            BinaryFormat::Elf,
            Cpu::X86_64,
            64,
            BinaryKind::Executable
        )));
        assert!(arm.accepts(&header(
            BinaryFormat::Elf,
            Cpu::Arm,
            32,
            BinaryKind::Library
        )));
        assert!(!linux.accepts(&header(
            BinaryFormat::MachO,
            Cpu::X86_64,
            64,
            BinaryKind::Library
        )));
        assert_eq!(
            PlatformFolder::folders_for(&elf_arm64)
                .iter()
                .map(PlatformFolder::name)
                .collect::<Vec<_>>(),
            ["linux-aarch64", "android-aarch64"]
        );
        let universal = BinaryHeader {
            format: BinaryFormat::MachO,
            images: vec![
                BinaryImage {
                    cpu: Cpu::X86_64,
                    bits: 64,
                    kind: BinaryKind::Library,
                },
                BinaryImage {
                    cpu: Cpu::Aarch64,
                    bits: 64,
                    kind: BinaryKind::Library,
                },
            ],
            universal: true,
        };
        assert!(
            PlatformFolder::parse("macos-aarch64")
                .unwrap()
                .accepts(&universal)
        );
        assert!(
            PlatformFolder::parse("macos-x86_64")
                .unwrap()
                .accepts(&universal)
        );
        assert_eq!(
            PlatformFolder::parse("windows-aarch64").unwrap().needs(),
            "a PE library for AArch64 (64-bit)"
        );
    }

    #[test]
    fn this_machine_has_a_known_folder_where_lensmith_is_built() {
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert_eq!(
                PlatformFolder::current().map(|folder| folder.name()),
                Some("linux-x86_64".to_owned())
            );
        }
    }
}
