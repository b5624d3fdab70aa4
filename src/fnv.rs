//! FNV-1a, 64 bits: tiny, dependency-free and stable across runs, Rust
//! versions and platforms (unlike `DefaultHasher`), which baseline and SARIF
//! fingerprints and the facts cache's key and header checksum need.

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

fn extend(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

pub fn hash_bytes(bytes: &[u8]) -> u64 {
    extend(OFFSET_BASIS, bytes)
}

/// The parts, each followed by a NUL, so no two inputs collide by
/// concatenation (`["ab", "c"]` and `["a", "bc"]` differ).
pub fn hash_parts(parts: &[&str]) -> u64 {
    parts.iter().fold(OFFSET_BASIS, |hash, part| {
        extend(extend(hash, part.as_bytes()), &[0])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_vectors() {
        assert_eq!(hash_bytes(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash_bytes(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash_bytes(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn parts_are_separated() {
        assert_eq!(hash_parts(&[]), 0xcbf2_9ce4_8422_2325);
        assert_ne!(hash_parts(&["ab", "c"]), hash_parts(&["a", "bc"]));
        assert_eq!(hash_parts(&["a", "b"]), hash_bytes(b"a\0b\0"));
    }
}
