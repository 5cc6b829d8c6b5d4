//! Secure randomness: raw bytes, unbiased identifiers, temporary passwords, and
//! constant-time comparison.
//!
//! Every draw comes from AWS-LC's system generator. A failing system generator
//! leaves nothing safe to do (no key, nonce or secret could be trusted), so the
//! helpers here panic in that case rather than hand the caller a `Result` that
//! every identifier-generating call site would have to thread through.

use subtle::ConstantTimeEq;

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
pub(crate) const LOWER_AND_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const ALPHANUMERIC: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// The special characters Cognito's password policy counts as symbols.
pub const COGNITO_SYMBOLS: &[u8] = b"^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// Fills `dest` from the system generator.
///
/// # Panics
/// If the operating system's random source fails.
pub fn fill(dest: &mut [u8]) {
    // See the module comment: without a working generator nothing can be secured.
    #[allow(clippy::expect_used)]
    aws_lc_rs::rand::fill(dest).expect("the system random number generator failed");
}

/// `N` random bytes.
#[must_use]
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}

/// An index in `0..bound`, uniformly distributed (rejection sampling, no modulo bias).
///
/// # Panics
/// If `bound` is zero or does not fit in a `u32`.
#[must_use]
pub fn below(bound: usize) -> usize {
    let bound = u32::try_from(bound).ok().filter(|b| *b > 0);
    #[allow(clippy::expect_used)]
    let bound = bound.expect("random::below needs a bound in 1..=u32::MAX");
    // Largest multiple of `bound` that fits in u32's range; draws at or above it
    // are rejected so that every residue is equally likely.
    let zone = u32::MAX - (u32::MAX - bound + 1) % bound;
    loop {
        let draw = u32::from_le_bytes(bytes::<4>());
        if draw <= zone {
            return (draw % bound) as usize;
        }
    }
}

/// `len` characters drawn uniformly from `alphabet` (ASCII only).
fn string_from(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| char::from(alphabet[below(alphabet.len())]))
        .collect()
}

/// `len` characters from `a-z0-9` (app client ids are 26, client secrets 51).
#[must_use]
pub fn alphanumeric_lower(len: usize) -> String {
    string_from(LOWER_AND_DIGITS, len)
}

/// `len` characters from `A-Za-z0-9` (the 9-character suffix of a user pool id).
#[must_use]
pub fn alphanumeric(len: usize) -> String {
    string_from(ALPHANUMERIC, len)
}

/// Compares two byte strings in time independent of their contents.
///
/// Lengths are not secret: strings of different length compare unequal at once.
#[must_use]
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Which character classes a generated password must contain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CharacterClasses {
    pub upper: bool,
    pub lower: bool,
    pub digit: bool,
    pub symbol: bool,
}

impl CharacterClasses {
    /// Every class required (Cognito's default password policy).
    pub const ALL: Self = Self {
        upper: true,
        lower: true,
        digit: true,
        symbol: true,
    };
}

/// A temporary password of `len` characters containing at least one character of
/// each required class (symbols from [`COGNITO_SYMBOLS`]).
///
/// The remaining positions are drawn from letters and digits, plus symbols when
/// symbols are required; the result is then shuffled so the required characters
/// sit at random positions. If `len` is shorter than the number of required
/// classes, the password is lengthened to fit them all.
#[must_use]
pub fn password(len: usize, required: CharacterClasses) -> String {
    let mut chars: Vec<u8> = Vec::with_capacity(len.max(4));
    let classes: [(bool, &[u8]); 4] = [
        (required.upper, UPPER),
        (required.lower, LOWER),
        (required.digit, DIGITS),
        (required.symbol, COGNITO_SYMBOLS),
    ];
    for (wanted, class) in classes {
        if wanted {
            chars.push(class[below(class.len())]);
        }
    }
    let mut pool = ALPHANUMERIC.to_vec();
    if required.symbol {
        pool.extend_from_slice(COGNITO_SYMBOLS);
    }
    while chars.len() < len {
        chars.push(pool[below(pool.len())]);
    }
    // Fisher–Yates with unbiased indices.
    for i in (1..chars.len()).rev() {
        chars.swap(i, below(i + 1));
    }
    chars.into_iter().map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn bytes_differ_between_draws() {
        assert_ne!(bytes::<32>(), bytes::<32>());
        assert_eq!(bytes::<0>(), [0u8; 0]);
    }

    #[test]
    fn below_stays_in_range_and_reaches_every_value() {
        let mut seen = [false; 7];
        for _ in 0..2000 {
            let i = below(7);
            assert!(i < 7);
            seen[i] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(below(1), 0);
        assert!(below(u32::MAX as usize) < u32::MAX as usize);
    }

    #[test]
    fn identifiers_use_their_alphabets() {
        let id = alphanumeric_lower(26);
        assert_eq!(id.len(), 26);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        let secret = alphanumeric_lower(51);
        assert_eq!(secret.len(), 51);
        let suffix = alphanumeric(9);
        assert_eq!(suffix.len(), 9);
        assert!(suffix.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(alphanumeric(0), "");
    }

    #[test]
    fn alphanumeric_covers_upper_and_lower_case() {
        let sample = alphanumeric(2000);
        assert!(sample.bytes().any(|b| b.is_ascii_uppercase()));
        assert!(sample.bytes().any(|b| b.is_ascii_lowercase()));
        assert!(sample.bytes().any(|b| b.is_ascii_digit()));
        let distinct: HashSet<u8> = sample.bytes().collect();
        assert_eq!(distinct.len(), ALPHANUMERIC.len());
    }

    #[test]
    fn ct_eq_compares_contents_and_length() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }

    fn classes_of(p: &str) -> CharacterClasses {
        CharacterClasses {
            upper: p.bytes().any(|b| b.is_ascii_uppercase()),
            lower: p.bytes().any(|b| b.is_ascii_lowercase()),
            digit: p.bytes().any(|b| b.is_ascii_digit()),
            symbol: p.bytes().any(|b| COGNITO_SYMBOLS.contains(&b)),
        }
    }

    #[test]
    fn password_always_meets_the_required_classes() {
        for mask in 0u8..16 {
            let required = CharacterClasses {
                upper: mask & 1 != 0,
                lower: mask & 2 != 0,
                digit: mask & 4 != 0,
                symbol: mask & 8 != 0,
            };
            for len in [0, 1, 4, 6, 8, 99] {
                for _ in 0..50 {
                    let p = password(len, required);
                    let needed = mask.count_ones() as usize;
                    assert_eq!(p.len(), len.max(needed), "{p:?}");
                    let got = classes_of(&p);
                    assert!(!required.upper || got.upper, "{p:?}");
                    assert!(!required.lower || got.lower, "{p:?}");
                    assert!(!required.digit || got.digit, "{p:?}");
                    assert!(!required.symbol || got.symbol, "{p:?}");
                    assert!(required.symbol || !got.symbol, "{p:?}");
                }
            }
        }
    }

    #[test]
    fn password_places_required_characters_anywhere() {
        // With only digits required, the digit must not always land first.
        let required = CharacterClasses {
            digit: true,
            ..CharacterClasses::default()
        };
        let first_is_digit = (0..200)
            .filter(|_| password(8, required).as_bytes()[0].is_ascii_digit())
            .count();
        assert!(first_is_digit < 200);
    }

    #[test]
    fn cognito_symbol_set_is_the_documented_one() {
        assert_eq!(COGNITO_SYMBOLS.len(), 32);
        let distinct: HashSet<u8> = COGNITO_SYMBOLS.iter().copied().collect();
        assert_eq!(distinct.len(), 32);
        assert!(!COGNITO_SYMBOLS.contains(&b' '));
    }
}
