//! Structs that grow by appending, as Linux's `copy_struct_from_user` and Vulkan's sized
//! structs do: the host says how many bytes its struct has (the `sizeof` of the header it
//! was built against), and the library reads or writes only those bytes.
//!
//! Reading a smaller struct fills the fields it lacks with their defaults; reading a larger
//! one is accepted only when every byte past this library's struct is zero, since those are
//! fields this library does not know. Writing stops at the smaller of the two sizes and
//! zeroes the host's bytes past this library's struct. For that to mean "the default", a
//! field appended to a struct must take zero (or NULL) as "as before this field existed".

use crate::status::Failure;

/// The largest struct size believed: far past any struct of the API, and small enough that
/// a garbage size (a struct never filled) is refused instead of read far past its end.
pub(crate) const MAX_STRUCT_SIZE: usize = 4096;

/// `sizeof` of a C struct whose last field ends at `end`, aligned to `align`: for the
/// sizes of the layouts of earlier releases, computed for the target being built.
pub(crate) const fn layout_size(end: usize, align: usize) -> usize {
    end.div_ceil(align) * align
}

/// The sizes a host may give for struct `T`: from the first layout released (`first`)
/// through [`MAX_STRUCT_SIZE`], multiples of `T`'s alignment (as every `sizeof` is).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SizeRule {
    /// The struct's C name, for messages.
    pub name: &'static str,
    /// The argument or field holding the size, for messages.
    pub what: &'static str,
    /// `sizeof` the first layout released, for this target.
    pub first: usize,
    /// `sizeof` the struct in this library.
    pub ours: usize,
    /// The struct's alignment; every `sizeof` is a multiple of it.
    pub align: usize,
}

impl SizeRule {
    /// The rule for `T`, whose first released layout is `first` bytes.
    pub const fn of<T>(name: &'static str, what: &'static str, first: usize) -> Self {
        Self {
            name,
            what,
            first,
            ours: size_of::<T>(),
            align: align_of::<T>(),
        }
    }

    /// The same rule, naming the size `what` in messages.
    pub const fn naming(self, what: &'static str) -> Self {
        Self { what, ..self }
    }

    /// Fails, naming the size and what to do, unless `size` is one a header could give.
    pub fn check(&self, size: usize) -> Result<(), Failure> {
        let Self {
            name,
            what,
            first,
            ours,
            align,
        } = *self;
        if size < first {
            return Err(Failure::invalid(format!(
                "{what} is {size}, smaller than the {first} bytes of the first {name} ever \
                 released; pass sizeof({name}) from lensmith.h (lensmith_config_init and the \
                 lensmith_get_* functions of the header do)"
            )));
        }
        if size > MAX_STRUCT_SIZE || !size.is_multiple_of(align) {
            return Err(Failure::invalid(format!(
                "{what} is {size}, which no {name} has (this library's is {ours} bytes, a \
                 multiple of {align}): the struct was not filled, or its size field was \
                 overwritten; fill it with the header's functions, which pass sizeof({name})"
            )));
        }
        Ok(())
    }
}

/// Writes `value` to the host's struct of `size` bytes at `out`: its first
/// `min(size, ours)` bytes, then zeros to `size`. Nothing is written past `size`.
///
/// # Safety
/// `out` is valid for writing `size` bytes, and `size` passed `rule.check`.
pub(crate) unsafe fn write<T: Copy>(out: *mut u8, size: usize, value: &T) {
    let ours = size_of::<T>();
    let shared = size.min(ours);
    // SAFETY: `value` is `ours` bytes, `out` holds `size` by the caller's promise, and the
    // host's buffer cannot overlap the library's value on the stack. Padding bytes are
    // copied as they are: the host has the same padding there.
    unsafe { std::ptr::copy_nonoverlapping((value as *const T).cast::<u8>(), out, shared) };
    if size > ours {
        // SAFETY: within the `size` bytes the caller promised.
        unsafe { out.add(ours).write_bytes(0, size - ours) };
    }
}

/// Reads the host's struct of `size` bytes at `from` over `defaults`: the fields past
/// `size` keep their defaults, and bytes past this library's struct must be zero.
///
/// # Safety
/// `from` is valid for reading `size` bytes, and `size` passed `rule.check`.
pub(crate) unsafe fn read<T: Copy>(
    from: *const u8,
    size: usize,
    defaults: T,
    rule: &SizeRule,
) -> Result<T, Failure> {
    let ours = size_of::<T>();
    if size > ours {
        // SAFETY: `size` bytes are readable by the caller's promise.
        let tail = unsafe { std::slice::from_raw_parts(from.add(ours), size - ours) };
        if let Some(at) = tail.iter().position(|&byte| byte != 0) {
            let SizeRule { name, what, .. } = *rule;
            return Err(Failure::invalid(format!(
                "{what} is {size}, larger than this library's {name} ({ours} bytes), and byte \
                 {} sets a field this library does not have; leave the newer fields zero to \
                 run with this library, or ship the library whose lensmith.h you built with",
                ours + at
            )));
        }
    }
    let mut value = defaults;
    // SAFETY: `size.min(ours)` bytes are readable from `from` and writable in `value`. The
    // host's bytes make valid field values: every field is a number or a raw pointer, any
    // bit pattern of which is valid, and `SizeRule::check` took a multiple of the struct's
    // alignment, so no field is cut in two (the unit tests check no field straddles one).
    unsafe {
        std::ptr::copy_nonoverlapping(from, (&mut value as *mut T).cast::<u8>(), size.min(ours))
    };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Grown {
        a: u32,
        b: u32,
        c: u64,
    }

    const RULE: SizeRule = SizeRule::of::<Grown>("Grown", "grown.size", 8);

    #[test]
    fn sizes_below_the_first_layout_or_off_alignment_or_huge_are_refused() {
        // `Grown` is 8-aligned on 64-bit targets and 4-aligned on i686.
        let off_alignment = 8 + align_of::<Grown>() / 2;
        for size in [
            0,
            4,
            7,
            off_alignment,
            17,
            MAX_STRUCT_SIZE + 8,
            usize::MAX - 7,
        ] {
            let failure = RULE.check(size).expect_err("refused");
            assert!(
                failure.message.contains(&format!("is {size},")),
                "{failure:?}"
            );
        }
        for size in [8, 16, 24, MAX_STRUCT_SIZE] {
            RULE.check(size).expect("accepted");
        }
    }

    #[test]
    fn a_smaller_struct_keeps_the_defaults_of_the_fields_it_lacks() {
        let old = [7u32, 9];
        let defaults = Grown { a: 1, b: 2, c: 3 };
        // SAFETY: `old` is 8 bytes.
        let read = unsafe { read(old.as_ptr().cast(), 8, defaults, &RULE) }.unwrap();
        assert_eq!(read, Grown { a: 7, b: 9, c: 3 });
    }

    #[test]
    fn a_larger_struct_needs_a_zero_tail() {
        let mut newer = [0u64; 4];
        newer[0] = 5;
        newer[1] = 6;
        let defaults = Grown { a: 1, b: 2, c: 3 };
        // SAFETY: `newer` is 32 bytes.
        let grown = unsafe { read(newer.as_ptr().cast(), 32, defaults, &RULE) }.unwrap();
        assert_eq!(grown.c, 6);
        newer[3] = 1;
        // SAFETY: as above.
        let failure = unsafe { read(newer.as_ptr().cast(), 32, defaults, &RULE) }.unwrap_err();
        assert!(failure.message.contains("byte 24"), "{failure:?}");
    }

    #[test]
    fn writing_stops_at_the_size_given_and_zeroes_past_ours() {
        let value = Grown { a: 1, b: 2, c: 3 };
        let mut buffer = [0xA5u8; 40];
        // SAFETY: 40 bytes are writable.
        unsafe { write(buffer.as_mut_ptr(), 8, &value) };
        assert_eq!(&buffer[..4], &1u32.to_ne_bytes());
        assert!(buffer[8..].iter().all(|&byte| byte == 0xA5));
        let mut buffer = [0xA5u8; 40];
        // SAFETY: as above.
        unsafe { write(buffer.as_mut_ptr(), 32, &value) };
        assert_eq!(&buffer[16..32], &[0; 16]);
        assert!(buffer[32..].iter().all(|&byte| byte == 0xA5));
    }
}
