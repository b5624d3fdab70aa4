//! Where the skim's scan stops: one bit per byte of a text, set on the
//! bytes that end a run of plain code and, in a second map, a run of plain
//! string content. Both maps are built in one pass (32 bytes at a time with
//! AVX2 where the CPU has it), so the scan jumps from stop to stop with a
//! `trailing_zeros` instead of looking at every byte of every name, number
//! and blank.

/// The bytes a run of plain code ends at: quotes, line breaks, `#`, `\`,
/// brackets, `;` and every byte that is not ASCII (the skim's
/// `PLAIN_STOPS`).
pub const CODE: [bool; 256] = {
    let mut stops = [false; 256];
    let mut byte = 0usize;
    while byte < 256 {
        stops[byte] = matches!(
            byte as u8,
            b'\''
                | b'"'
                | b'\n'
                | b'\r'
                | b'#'
                | b'\\'
                | b'('
                | b'['
                | b'{'
                | b')'
                | b']'
                | b'}'
                | b';'
                | 0x80..
        );
        byte += 1;
    }
    stops
};

/// The bytes a run of plain string content ends at: quotes, `\`, line
/// breaks and braces (the skim's `STRING_STOPS`).
pub const STRING: [bool; 256] = {
    let mut stops = [false; 256];
    let mut byte = 0usize;
    while byte < 256 {
        stops[byte] = matches!(
            byte as u8,
            b'\'' | b'"' | b'\\' | b'\n' | b'\r' | b'{' | b'}'
        );
        byte += 1;
    }
    stops
};

/// Which of the two stop maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    Code = 0,
    String = 1,
}

/// Both maps of one text: word `i` holds bytes `64 i .. 64 i + 64`, the
/// code map's word first.
#[derive(Default)]
pub struct StopMaps {
    words: Vec<[u64; 2]>,
    len: usize,
}

impl StopMaps {
    /// The maps of `bytes`, in this buffer's memory.
    pub fn build(&mut self, bytes: &[u8]) {
        self.len = bytes.len();
        self.words.clear();
        self.words.reserve(bytes.len().div_ceil(64));
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2, checked just above.
                unsafe { avx2::build(bytes, &mut self.words) };
                return;
            }
        }
        scalar(bytes, 0, &mut self.words);
    }

    /// The first stop of `run` at or after `at`, or `at` itself when that
    /// is past the last stop (the length of the text, or beyond).
    #[inline]
    pub fn next(&self, run: Run, at: usize) -> usize {
        let mut word = at / 64;
        if let Some(first) = self.words.get(word) {
            let mut bits = first[run as usize] & (!0u64 << (at % 64));
            loop {
                if bits != 0 {
                    return word * 64 + bits.trailing_zeros() as usize;
                }
                word += 1;
                match self.words.get(word) {
                    Some(next) => bits = next[run as usize],
                    None => break,
                }
            }
        }
        self.len.max(at)
    }

    /// Lets go of the memory a huge text needed.
    pub fn shrink(&mut self) {
        if self.words.capacity() > 1 << 20 {
            *self = Self::default();
        }
    }
}

/// The maps of `bytes[start..]` a byte at a time (`start` a multiple of
/// 64): the reference the SIMD build is tested against, the build where
/// there is no AVX2, and the SIMD build's tail.
fn scalar(bytes: &[u8], start: usize, words: &mut Vec<[u64; 2]>) {
    for chunk in bytes.get(start..).unwrap_or_default().chunks(64) {
        let mut word = [0u64; 2];
        for (bit, &byte) in chunk.iter().enumerate() {
            word[0] |= u64::from(CODE[usize::from(byte)]) << bit;
            word[1] |= u64::from(STRING[usize::from(byte)]) << bit;
        }
        words.push(word);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_set1_epi8, _mm256_setr_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8,
        _mm256_srli_epi16,
    };

    /// A byte is in a set when `LOW[byte & 15] & HIGH[byte >> 4]` is not
    /// zero: each bit of the tables is one group of bytes that share their
    /// high nibble. Code stops: bit 0 `\n` `\r`; bit 1 `"` `#` `'` `(` `)`;
    /// bit 2 `;`; bit 3 `[` `\` `]`; bit 4 `{` `}`; bit 5 every byte from
    /// 0x80. String stops: bit 0 `\n` `\r`; bit 1 `"` `'`; bit 3 `\`; bit 4
    /// `{` `}`.
    const CODE_LOW: [i8; 16] = [
        32, 32, 34, 34, 32, 32, 32, 34, 34, 34, 33, 60, 40, 57, 32, 32,
    ];
    const CODE_HIGH: [i8; 16] = [1, 0, 2, 4, 0, 8, 0, 16, 32, 32, 32, 32, 32, 32, 32, 32];
    const STRING_LOW: [i8; 16] = [0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 1, 16, 8, 17, 0, 0];
    const STRING_HIGH: [i8; 16] = [1, 0, 2, 0, 0, 8, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0];

    #[inline]
    #[target_feature(enable = "avx2")]
    fn table(nibbles: [i8; 16]) -> __m256i {
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = nibbles;
        _mm256_setr_epi8(
            a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, a, b, c, d, e, f, g, h, i, j, k, l, m,
            n, o, p,
        )
    }

    /// The two maps' bits of the 32 bytes at `at`.
    ///
    /// # Safety
    /// `at + 32` must not pass the end of `bytes`; the CPU must have AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn classify(bytes: &[u8], at: usize, tables: &[__m256i; 4]) -> (u32, u32) {
        debug_assert!(at + 32 <= bytes.len());
        // SAFETY: the caller leaves 32 bytes from `at`; the load is
        // unaligned.
        let chunk = unsafe { _mm256_loadu_si256(bytes.as_ptr().add(at).cast()) };
        let nibble = _mm256_set1_epi8(0x0f);
        let low = _mm256_and_si256(chunk, nibble);
        let high = _mm256_and_si256(_mm256_srli_epi16::<4>(chunk), nibble);
        let zero = _mm256_setzero_si256();
        let set = |low_table: __m256i, high_table: __m256i| {
            let groups = _mm256_and_si256(
                _mm256_shuffle_epi8(low_table, low),
                _mm256_shuffle_epi8(high_table, high),
            );
            !(_mm256_movemask_epi8(_mm256_cmpeq_epi8(groups, zero)) as u32)
        };
        (set(tables[0], tables[1]), set(tables[2], tables[3]))
    }

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn build(bytes: &[u8], words: &mut Vec<[u64; 2]>) {
        let tables = [
            table(CODE_LOW),
            table(CODE_HIGH),
            table(STRING_LOW),
            table(STRING_HIGH),
        ];
        let mut at = 0;
        while at + 64 <= bytes.len() {
            // SAFETY: 64 bytes from `at`; AVX2 is the caller's promise.
            let ((code_low, string_low), (code_high, string_high)) = unsafe {
                (
                    classify(bytes, at, &tables),
                    classify(bytes, at + 32, &tables),
                )
            };
            words.push([
                u64::from(code_low) | u64::from(code_high) << 32,
                u64::from(string_low) | u64::from(string_high) << 32,
            ]);
            at += 64;
        }
        super::scalar(bytes, at, words);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(bytes: &[u8], run: Run, at: usize) -> usize {
        let table = match run {
            Run::Code => &CODE,
            Run::String => &STRING,
        };
        (at..bytes.len())
            .find(|&at| table[usize::from(bytes[at])])
            .unwrap_or(bytes.len().max(at))
    }

    fn check(bytes: &[u8]) {
        let mut maps = StopMaps::default();
        maps.build(bytes);
        // The byte-table build, where there is no AVX2, gives the same words.
        let mut table_words = Vec::new();
        scalar(bytes, 0, &mut table_words);
        assert_eq!(maps.words, table_words, "{bytes:?}");
        for at in 0..=bytes.len() + 1 {
            for run in [Run::Code, Run::String] {
                assert_eq!(
                    maps.next(run, at),
                    reference(bytes, run, at),
                    "{run:?} from {at} in {bytes:?}"
                );
            }
        }
    }

    #[test]
    fn every_byte_value_in_every_position() {
        let all: Vec<u8> = (0..=255u8).collect();
        check(&all);
        for byte in 0..=255u8 {
            for length in [1, 31, 32, 33, 63, 64, 65, 130] {
                let mut bytes = vec![b'a'; length];
                bytes[length - 1] = byte;
                check(&bytes);
                bytes[length / 2] = byte;
                check(&bytes);
            }
        }
    }

    #[test]
    fn python_text() {
        check(b"");
        check(b"import os\nx = f\"{a['b']}\"  # c\r\ny = (1; [2]) \\\n  + {3} \xc3\xa9\n");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            check(&bytes);
        }
    }
}
