//! The same Montgomery arithmetic modulo N on AVX-512 IFMA, used when the CPU has it.
//!
//! IFMA multiplies eight pairs of 52-bit lanes per instruction (`vpmadd52luq` /
//! `vpmadd52huq` give the low and high 52 bits of each product, added to an
//! accumulator), so a 3072-bit number is held as 60 limbs of 52 bits in eight
//! 512-bit registers and a Montgomery multiplication is 60 rounds of 32 such
//! instructions — several times faster than the 64-bit scalar kernel in the parent
//! module, which stays the reference and the fallback.
//!
//! Montgomery form here uses R' = 2^3120 (60 × 52 bits). Because R' > 4N, a product
//! of two values below 2N is again below 2N without a final subtraction ("almost
//! Montgomery multiplication"); values leave this module fully reduced.
//!
//! Constant-time as the parent: every loop runs a fixed number of times, carries are
//! propagated arithmetically, table look-ups read every entry and select with masks.
#![allow(unsafe_code)] // only to enter the AVX-512 code, from `Kernel`, whose existence proves the CPU has it

use std::arch::x86_64::{
    __m512i, _mm_cvtsi128_si64, _mm256_extract_epi64, _mm512_alignr_epi64, _mm512_castsi512_si128,
    _mm512_extracti64x4_epi64, _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_add_epi64,
    _mm512_set_epi64, _mm512_set1_epi64, _mm512_setzero_si512,
};
use std::sync::OnceLock;

use super::{LIMBS, Limbs, N, mask, mask_eq, window_digit};

/// Width of the fixed-base windows for powers of g: as fast as 6 bits here (fewer
/// multiplications, but more table to scan) with two thirds of the table's memory.
const G_WINDOW: usize = 5;
/// Windows covering a 256-bit exponent.
const G_WINDOWS: usize = 256usize.div_ceil(G_WINDOW);
const G_ENTRIES: usize = 1 << G_WINDOW;

/// 52-bit limbs holding a 3072-bit number (and the almost-reduced values below 2N).
const DIGITS: usize = 60;
/// Lanes in eight 512-bit registers.
const LANES: usize = 64;
const MASK52: u64 = (1 << 52) - 1;

/// A number as 52-bit little-endian limbs, padded with zero lanes to eight registers.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Digits([u64; LANES]);

impl Digits {
    const ZERO: Digits = Digits([0; LANES]);

    /// Limbs (any value below 2^3072) → 52-bit digits.
    fn from_limbs(x: &Limbs) -> Digits {
        let mut out = Digits::ZERO;
        for d in 0..DIGITS {
            let bit = 52 * d;
            let (word, shift) = (bit / 64, bit % 64);
            let mut v = x[word] >> shift;
            if shift > 12 && word + 1 < LIMBS {
                v |= x[word + 1] << (64 - shift);
            }
            out.0[d] = v & MASK52;
        }
        out
    }

    /// Normalised digits of a value below 2^3072 → limbs.
    fn to_limbs(self) -> Limbs {
        let mut out = [0u64; LIMBS];
        for d in 0..DIGITS {
            let bit = 52 * d;
            let (word, shift) = (bit / 64, bit % 64);
            if word < LIMBS {
                out[word] |= self.0[d] << shift;
            }
            if shift > 12 && word + 1 < LIMBS {
                out[word + 1] |= self.0[d] >> (64 - shift);
            }
        }
        out
    }

    /// `self − N` if that is non-negative, else `self`; for normalised `self < 2N`.
    fn reduce_once(&self) -> Digits {
        let n = n_digits();
        let mut diff = Digits::ZERO;
        let mut borrow = 0u64;
        for d in 0..DIGITS {
            let v = self.0[d].wrapping_sub(n.0[d]).wrapping_sub(borrow);
            diff.0[d] = v & MASK52;
            borrow = v >> 63;
        }
        let keep = mask(borrow);
        let mut out = Digits::ZERO;
        for d in 0..DIGITS {
            out.0[d] = (self.0[d] & keep) | (diff.0[d] & !keep);
        }
        out
    }
}

fn n_digits() -> &'static Digits {
    static N_DIGITS: OnceLock<Digits> = OnceLock::new();
    N_DIGITS.get_or_init(|| Digits::from_limbs(&N))
}

/// The IFMA kernel with its constants; it exists only on a CPU that has AVX-512F and
/// AVX-512 IFMA, which is what makes calling the `target_feature` functions sound.
pub(super) struct Kernel {
    /// R' mod N: 1 in this module's Montgomery form.
    one: Digits,
    /// R'²/R mod N: multiplying by it moves a value from the parent's Montgomery form
    /// (x·R) to this one's (x·R').
    enter: Digits,
    /// R mod N: multiplying by it moves x·R' back to x·R.
    leave: Digits,
    /// `g_table[i·G_ENTRIES + d] = g^(d·2^(G_WINDOW·i))` in this module's Montgomery form.
    g_table: Vec<Digits>,
}

impl Kernel {
    /// The kernel, when this CPU can run it.
    pub(super) fn get() -> Option<&'static Kernel> {
        static KERNEL: OnceLock<Option<Kernel>> = OnceLock::new();
        KERNEL
            .get_or_init(|| {
                (std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512ifma"))
                .then(Kernel::new)
            })
            .as_ref()
    }

    fn new() -> Kernel {
        // R' = 2^48·R, so R' mod N is 2^48 in the parent's Montgomery form.
        let mut two_48 = [0u64; LIMBS];
        two_48[0] = 1 << 48;
        let r_prime = super::to_mont(&two_48);
        let mut kernel = Kernel {
            one: Digits::from_limbs(&r_prime),
            enter: Digits::from_limbs(&super::mul(&r_prime, &r_prime)),
            leave: Digits::from_limbs(&super::consts().one_m),
            g_table: Vec::new(),
        };
        // SAFETY: `new` runs only once `get` has found AVX-512F and AVX-512 IFMA.
        kernel.g_table = unsafe { g_table(&kernel) };
        kernel
    }

    /// `g^e` in the parent's Montgomery form, for a 256-bit exponent.
    pub(super) fn pow_g(&self, e: &[u64; 4]) -> Limbs {
        // SAFETY: a `Kernel` exists only on a CPU with AVX-512F and AVX-512 IFMA.
        unsafe { pow_g(self, e) }
    }

    /// `base^e` in the parent's Montgomery form (`base_m` in it too), fixed 4-bit
    /// windows over all `64·e.len()` bits.
    pub(super) fn pow(&self, base_m: &Limbs, e: &[u64]) -> Limbs {
        // SAFETY: as for `pow_g`.
        unsafe { pow(self, base_m, e) }
    }
}

// Everything below needs AVX-512F and AVX-512 IFMA; only `Kernel` calls into it.

/// Parent Montgomery form (x·R, below 2^3072) → this one's (x·R').
#[target_feature(enable = "avx512f,avx512ifma")]
fn enter(kernel: &Kernel, x_m: &Limbs) -> Digits {
    amm(&Digits::from_limbs(x_m), &kernel.enter)
}

/// This Montgomery form → the parent's, fully reduced.
#[target_feature(enable = "avx512f,avx512ifma")]
fn leave(kernel: &Kernel, x: &Digits) -> Limbs {
    amm(x, &kernel.leave).reduce_once().to_limbs()
}

/// Brauer's fixed-base table for g (see [`Kernel::g_table`]).
#[target_feature(enable = "avx512f,avx512ifma")]
fn g_table(kernel: &Kernel) -> Vec<Digits> {
    let mut g = [0u64; LIMBS];
    g[0] = 2;
    let mut base = enter(kernel, &super::to_mont(&g)); // g^(2^(W·i))
    let mut table = Vec::with_capacity(G_WINDOWS * G_ENTRIES);
    for _ in 0..G_WINDOWS {
        let mut power = kernel.one;
        for _ in 0..G_ENTRIES {
            table.push(power);
            power = amm(&power, &base);
        }
        for _ in 0..G_WINDOW {
            base = amm(&base, &base);
        }
    }
    table
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn pow_g(kernel: &Kernel, e: &[u64; 4]) -> Limbs {
    let digit = |i: usize| window_digit(e, i, G_WINDOW);
    let table = &kernel.g_table;
    let mut acc = lookup(&table[..G_ENTRIES], digit(0));
    for i in 1..G_WINDOWS {
        let entry = lookup(&table[i * G_ENTRIES..(i + 1) * G_ENTRIES], digit(i));
        acc = amm(&acc, &entry);
    }
    leave(kernel, &acc)
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn pow(kernel: &Kernel, base_m: &Limbs, e: &[u64]) -> Limbs {
    const W: usize = 4;
    let base = enter(kernel, base_m);
    let mut table = [Digits::ZERO; 1 << W];
    table[0] = kernel.one;
    table[1] = base;
    for d in 2..(1 << W) {
        table[d] = if d % 2 == 0 {
            amm(&table[d / 2], &table[d / 2])
        } else {
            amm(&table[d - 1], &base)
        };
    }
    let windows = e.len() * 64 / W;
    if windows == 0 {
        return leave(kernel, &kernel.one);
    }
    let digit = |i: usize| -> u64 { (e[i * W / 64] >> ((i * W) % 64)) & ((1 << W) - 1) };
    let mut acc = lookup(&table, digit(windows - 1));
    for i in (0..windows - 1).rev() {
        for _ in 0..W {
            acc = amm(&acc, &acc);
        }
        acc = amm(&acc, &lookup(&table, digit(i)));
    }
    leave(kernel, &acc)
}

/// `table[index]`, reading every entry.
#[target_feature(enable = "avx512f")]
fn lookup(table: &[Digits], index: u64) -> Digits {
    let mut out = Digits::ZERO;
    for (j, entry) in table.iter().enumerate() {
        let m = mask_eq(j as u64, index);
        for k in 0..LANES {
            out.0[k] |= entry.0[k] & m;
        }
    }
    out
}

/// Almost Montgomery multiplication: `a·b·R'⁻¹ mod N`, below 2N, normalised, for
/// normalised `a, b < 2N`.
///
/// Operand scanning: round i adds `a·b_i` and `m·N` (m chosen so the lowest digit
/// becomes zero; −N⁻¹ ≡ 1 mod 2^52 because N ≡ −1 mod 2^64, so m is that digit),
/// then drops the lowest digit. Low halves of the products land in their own lane,
/// high halves one lane up, i.e. in the same lane after the shift. Lanes are left
/// unnormalised until the end: 60 rounds add at most 240 values below 2^52 to a lane.
///
#[target_feature(enable = "avx512f,avx512ifma")]
fn amm(a: &Digits, b: &Digits) -> Digits {
    let n = n_digits();
    let av: [__m512i; 8] = std::array::from_fn(|k| load(&a.0[8 * k..8 * k + 8]));
    let nv: [__m512i; 8] = std::array::from_fn(|k| load(&n.0[8 * k..8 * k + 8]));
    let zero = _mm512_setzero_si512();
    let mut acc = [zero; 8];
    let n0 = n.0[0];
    for i in 0..DIGITS {
        let bi = _mm512_set1_epi64(b.0[i] as i64);
        for k in 0..8 {
            acc[k] = _mm512_madd52lo_epu64(acc[k], av[k], bi);
        }
        let low = _mm_cvtsi128_si64(_mm512_castsi512_si128(acc[0])) as u64;
        let m = low & MASK52;
        let mv = _mm512_set1_epi64(m as i64);
        for k in 0..8 {
            acc[k] = _mm512_madd52lo_epu64(acc[k], nv[k], mv);
        }
        // The lowest lane is now a multiple of 2^52; carry its top into the next one.
        let carry = (low + (n0.wrapping_mul(m) & MASK52)) >> 52;
        for k in 0..7 {
            acc[k] = _mm512_alignr_epi64::<1>(acc[k + 1], acc[k]);
        }
        acc[7] = _mm512_alignr_epi64::<1>(zero, acc[7]);
        acc[0] = _mm512_mask_add_epi64(acc[0], 1, acc[0], _mm512_set1_epi64(carry as i64));
        for k in 0..8 {
            acc[k] = _mm512_madd52hi_epu64(acc[k], av[k], bi);
            acc[k] = _mm512_madd52hi_epu64(acc[k], nv[k], mv);
        }
    }
    let mut out = Digits::ZERO;
    for (k, v) in acc.iter().enumerate() {
        out.0[8 * k..8 * k + 8].copy_from_slice(&store(*v));
    }
    let mut carry = 0u64;
    for d in out.0.iter_mut() {
        let v = *d + carry;
        *d = v & MASK52;
        carry = v >> 52;
    }
    out
}

/// Eight lanes from `x[0..8]` (lane 0 = `x[0]`); the compiler makes this one load.
#[target_feature(enable = "avx512f")]
fn load(x: &[u64]) -> __m512i {
    let lane = |i: usize| x[i] as i64;
    _mm512_set_epi64(
        lane(7),
        lane(6),
        lane(5),
        lane(4),
        lane(3),
        lane(2),
        lane(1),
        lane(0),
    )
}

/// The eight lanes of `v`, lane 0 first.
#[target_feature(enable = "avx512f")]
fn store(v: __m512i) -> [u64; 8] {
    let (low, high) = (
        _mm512_extracti64x4_epi64::<0>(v),
        _mm512_extracti64x4_epi64::<1>(v),
    );
    [
        _mm256_extract_epi64::<0>(low) as u64,
        _mm256_extract_epi64::<1>(low) as u64,
        _mm256_extract_epi64::<2>(low) as u64,
        _mm256_extract_epi64::<3>(low) as u64,
        _mm256_extract_epi64::<0>(high) as u64,
        _mm256_extract_epi64::<1>(high) as u64,
        _mm256_extract_epi64::<2>(high) as u64,
        _mm256_extract_epi64::<3>(high) as u64,
    ]
}

#[cfg(test)]
mod tests {
    use super::super::{ONE, from_mont, pow_g_portable, pow_portable, reduce, to_mont};
    use super::*;
    use crate::random;

    fn random_below_n() -> Limbs {
        reduce(&super::super::from_be_bytes(&random::bytes::<384>()).expect("384 bytes fit"))
    }

    #[test]
    fn digits_round_trip() {
        for x in [random_below_n(), [u64::MAX; LIMBS], ONE, N] {
            assert_eq!(Digits::from_limbs(&x).to_limbs(), x);
        }
    }

    /// Runs only where the CPU has IFMA; says so where it has not.
    fn kernel() -> Option<&'static Kernel> {
        let kernel = Kernel::get();
        if kernel.is_none() {
            eprintln!("no AVX-512 IFMA on this CPU: the IFMA kernel is not exercised here");
        }
        kernel
    }

    #[test]
    fn matches_the_portable_kernel() {
        let Some(kernel) = kernel() else { return };
        let top = reduce(&[u64::MAX; LIMBS]); // 2^3072 − 1 − N: large, below N
        let n_minus_1 = {
            let mut x = N;
            x[0] -= 1;
            x
        };
        let mut bases = vec![[0u64; LIMBS], ONE, top, n_minus_1];
        bases.extend((0..6).map(|_| random_below_n()));
        let mut exponents: Vec<Vec<u64>> = vec![vec![0; 4], vec![1, 0, 0, 0], vec![u64::MAX; 4]];
        exponents.push(super::super::exponent_limbs(&random::bytes::<32>()));
        exponents.push(super::super::exponent_limbs(&random::bytes::<72>()));
        for base in &bases {
            let base_m = to_mont(base);
            for e in &exponents {
                let fast = kernel.pow(&base_m, e);
                assert_eq!(fast, pow_portable(&base_m, e), "{base:x?}^{e:x?}");
                assert_eq!(from_mont(&fast), from_mont(&pow_portable(&base_m, e)));
            }
        }
        for e in [[0u64; 4], [1, 0, 0, 0], [u64::MAX; 4], [0, 0, 0, 1 << 63]] {
            assert_eq!(kernel.pow_g(&e), pow_g_portable(&e), "{e:x?}");
        }
        for _ in 0..20 {
            let e = super::super::exponent_256(&random::bytes::<32>()).expect("32 bytes");
            assert_eq!(kernel.pow_g(&e), pow_g_portable(&e));
        }
    }
}
