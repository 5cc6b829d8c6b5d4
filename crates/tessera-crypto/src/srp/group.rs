//! Arithmetic modulo the RFC 3526 3072-bit prime `N`, in Montgomery form.
//!
//! Why not `crypto-bigint`'s own exponentiation for the hot path: measured in CPU time
//! on the (busy, 2-core) reference machine, its 3072-bit Montgomery multiplication
//! takes ≈ 2.9–3.0 µs and its squaring ≈ 3.0–3.1 µs (it squares through the general
//! multiplication), and a 256-bit `pow` ≈ 1.0–1.1 ms. The product-scanning kernel below
//! is specialised to this one modulus (`N ≡ −1 mod 2^64`, so the Montgomery digit is the
//! accumulator's low word and no per-digit multiplication by `−N⁻¹` is needed), keeps
//! two carry chains in flight, has a dedicated squaring, and takes ≈ 2.4 µs per
//! multiplication and ≈ 2.1 µs per squaring: a 256-bit exponentiation ≈ 0.75 ms, which
//! is what decides the SRP sign-in rate. `crypto-bigint` still supplies the Montgomery
//! parameters (`R mod N`, `R² mod N`) and the modular additions outside the
//! exponentiations, and is the reference the kernel is tested against (`tests` below;
//! `kernel_timings` prints both side by side).
//!
//! On a CPU with AVX-512 IFMA the exponentiations run on the kernel in [`ifma`]
//! instead (≈ 0.26 ms per 256-bit exponentiation, ≈ 50 µs per power of g, on the
//! same kind of machine); the kernel below is the fallback and the reference.
//!
//! Everything here is constant-time with respect to the *values* it handles: loops run
//! a number of times fixed by the sizes of the operands (the exponent's limb count, never
//! its bit length), carries are propagated arithmetically, the final conditional
//! subtraction and all table look-ups select with masks, and table look-ups touch every
//! entry. Masks pass through `black_box` so the optimiser cannot turn them back into
//! branches.
#![allow(clippy::needless_range_loop)] // index loops mirror the limb algebra

use std::hint::black_box;
use std::sync::OnceLock;

use aws_lc_rs::digest;
use crypto_bigint::modular::FixedMontyParams;
use crypto_bigint::{NonZero, Odd, U3072};

#[cfg(target_arch = "x86_64")]
mod ifma;

/// 64-bit limbs in a 3072-bit number.
pub(super) const LIMBS: usize = 48;
/// Bytes in a 3072-bit number.
pub(super) const BYTES: usize = 384;
/// A 3072-bit number as little-endian 64-bit limbs.
pub(super) type Limbs = [u64; LIMBS];

/// `N` as limbs, parsed from [`super::N_HEX`] at compile time.
pub(super) const N: Limbs = parse_n();

// The kernel takes the Montgomery digit as the accumulator's low word, which is right
// only because −N⁻¹ ≡ 1 (mod 2^64), i.e. N ≡ −1 (mod 2^64).
const _: () = assert!(N[0] == u64::MAX);

const fn hex_digit(c: u8) -> u64 {
    match c {
        b'0'..=b'9' => (c - b'0') as u64,
        b'a'..=b'f' => (c - b'a' + 10) as u64,
        b'A'..=b'F' => (c - b'A' + 10) as u64,
        _ => panic!("N_HEX holds a non-hex character"),
    }
}

const fn parse_n() -> Limbs {
    let hex = super::N_HEX.as_bytes();
    assert!(hex.len() == 2 * BYTES);
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < hex.len() {
        let nibble = hex.len() - 1 - i; // position counted from the least significant
        out[nibble / 16] |= hex_digit(hex[i]) << ((nibble % 16) * 4);
        i += 1;
    }
    out
}

/// The number 1 (not in Montgomery form).
const ONE: Limbs = {
    let mut one = [0u64; LIMBS];
    one[0] = 1;
    one
};

// ---------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------

/// Big-endian bytes → limbs. Leading zero bytes beyond 384 are allowed; `None` if the
/// value needs more than 3072 bits. Time depends only on the input's length.
pub(super) fn from_be_bytes(bytes: &[u8]) -> Option<Limbs> {
    let (excess, tail) = bytes.split_at(bytes.len().saturating_sub(BYTES));
    let overflow = excess.iter().fold(0u8, |acc, b| acc | b);
    let mut out = [0u64; LIMBS];
    for (i, byte) in tail.iter().rev().enumerate() {
        out[i / 8] |= u64::from(*byte) << ((i % 8) * 8);
    }
    (overflow == 0).then_some(out)
}

/// Limbs → 384 big-endian bytes.
pub(super) fn to_be_bytes(x: &Limbs) -> [u8; BYTES] {
    let mut out = [0u8; BYTES];
    for (i, limb) in x.iter().enumerate() {
        let at = BYTES - 8 * (i + 1);
        out[at..at + 8].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// A big-endian byte string of at most 32 bytes as four little-endian limbs.
pub(super) fn exponent_256(bytes: &[u8]) -> Option<[u64; 4]> {
    if bytes.len() > 32 {
        return None;
    }
    let mut out = [0u64; 4];
    for (i, byte) in bytes.iter().rev().enumerate() {
        out[i / 8] |= u64::from(*byte) << ((i % 8) * 8);
    }
    Some(out)
}

/// An arbitrary-length big-endian byte string as little-endian limbs (at least one).
pub(super) fn exponent_limbs(bytes: &[u8]) -> Vec<u64> {
    let mut out = vec![0u64; bytes.len().div_ceil(8).max(1)];
    for (i, byte) in bytes.iter().rev().enumerate() {
        out[i / 8] |= u64::from(*byte) << ((i % 8) * 8);
    }
    out
}

fn to_uint(x: &Limbs) -> U3072 {
    U3072::from_be_slice(&to_be_bytes(x))
}

fn from_uint(x: &U3072) -> Limbs {
    let bytes = x.to_be_bytes();
    // A U3072 is exactly 384 bytes.
    from_be_bytes(bytes.as_ref()).unwrap_or([0; LIMBS])
}

// ---------------------------------------------------------------------------------
// Constant-time helpers
// ---------------------------------------------------------------------------------

/// 0 → 0, 1 → all ones; opaque to the optimiser.
#[inline(always)]
fn mask(bit: u64) -> u64 {
    black_box(bit.wrapping_neg())
}

/// All ones when `a == b`, else 0.
#[inline(always)]
fn mask_eq(a: u64, b: u64) -> u64 {
    let x = a ^ b;
    // (x | −x) has its top bit set iff x ≠ 0.
    mask(((x | x.wrapping_neg()) >> 63) ^ 1)
}

#[inline(always)]
fn select(m: u64, if_set: &Limbs, if_clear: &Limbs) -> Limbs {
    let mut out = [0u64; LIMBS];
    for j in 0..LIMBS {
        out[j] = (if_set[j] & m) | (if_clear[j] & !m);
    }
    out
}

/// `table[index]`, reading every entry.
#[inline(always)]
fn lookup(table: &[Limbs], index: u64) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (j, entry) in table.iter().enumerate() {
        let m = mask_eq(j as u64, index);
        for k in 0..LIMBS {
            out[k] |= entry[k] & m;
        }
    }
    out
}

/// Constant-time equality.
pub(super) fn ct_eq(a: &Limbs, b: &Limbs) -> bool {
    let diff = a.iter().zip(b).fold(0u64, |acc, (x, y)| acc | (x ^ y));
    black_box(diff) == 0
}

/// Constant-time `x < N`.
pub(super) fn ct_lt_n(x: &Limbs) -> bool {
    let mut borrow = 0u64;
    for j in 0..LIMBS {
        let (d, b1) = x[j].overflowing_sub(N[j]);
        let (_, b2) = d.overflowing_sub(borrow);
        borrow = u64::from(b1 | b2);
    }
    black_box(borrow) == 1
}

/// Constant-time `x == 0`.
pub(super) fn ct_is_zero(x: &Limbs) -> bool {
    black_box(x.iter().fold(0u64, |acc, l| acc | l)) == 0
}

/// `t + hi·2^3072 − N` if that is non-negative, else `t`; for `t + hi·2^3072 < 2N`.
#[inline(always)]
fn reduce_once(t: &Limbs, hi: u64) -> Limbs {
    let mut d = [0u64; LIMBS];
    let mut borrow = 0u64;
    for j in 0..LIMBS {
        let (x, b1) = t[j].overflowing_sub(N[j]);
        let (x, b2) = x.overflowing_sub(borrow);
        d[j] = x;
        borrow = u64::from(b1 | b2);
    }
    // Keep `t` exactly when there was no carry out and the subtraction borrowed.
    select(mask((hi ^ 1) & borrow), t, &d)
}

/// Reduces any 3072-bit value modulo N (one conditional subtraction suffices: N > 2^3071).
pub(super) fn reduce(x: &Limbs) -> Limbs {
    reduce_once(x, 0)
}

// ---------------------------------------------------------------------------------
// Montgomery multiplication (product scanning, reduction interleaved)
// ---------------------------------------------------------------------------------

/// `acc:hi += p` for a 192-bit column accumulator.
#[inline(always)]
fn acc_add(acc: &mut u128, hi: &mut u64, p: u128) {
    let (s, c) = acc.overflowing_add(p);
    *acc = s;
    *hi += u64::from(c);
}

#[inline(always)]
fn product(a: u64, b: u64) -> u128 {
    u128::from(a) * u128::from(b)
}

/// Shifts the 192-bit accumulator one word down.
#[inline(always)]
fn shift(acc: &mut u128, hi: &mut u64) {
    *acc = (*acc >> 64) | (u128::from(*hi) << 64);
    *hi = 0;
}

/// Adds a finished partial column `part:part_hi` into `acc:hi`.
#[inline(always)]
fn acc_merge(acc: &mut u128, hi: &mut u64, part: u128, part_hi: u64) {
    let (s, c) = acc.overflowing_add(part);
    *acc = s;
    *hi += part_hi + u64::from(c);
}

/// `a·b·R⁻¹ mod N` for `a < 2^3072`, `b < N` (R = 2^3072); fully reduced.
///
/// Each column sums a·b products and m·N products in two accumulators, so the two
/// carry chains run in parallel.
pub(super) fn mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc: u128 = 0;
    let mut hi = 0u64;
    for k in 0..LIMBS {
        let (mut ab, mut ab_hi) = (0u128, 0u64);
        let (mut mn, mut mn_hi) = (0u128, 0u64);
        for i in 0..k {
            acc_add(&mut ab, &mut ab_hi, product(a[i], b[k - i]));
            acc_add(&mut mn, &mut mn_hi, product(m[i], N[k - i]));
        }
        acc_add(&mut ab, &mut ab_hi, product(a[k], b[0]));
        acc_merge(&mut acc, &mut hi, ab, ab_hi);
        acc_merge(&mut acc, &mut hi, mn, mn_hi);
        // The Montgomery digit: acc·(−N⁻¹) mod 2^64 = acc mod 2^64.
        let digit = acc as u64;
        m[k] = digit;
        acc_add(&mut acc, &mut hi, product(digit, N[0]));
        shift(&mut acc, &mut hi);
    }
    for k in LIMBS..(2 * LIMBS - 1) {
        let (mut ab, mut ab_hi) = (0u128, 0u64);
        let (mut mn, mut mn_hi) = (0u128, 0u64);
        for i in (k + 1 - LIMBS)..LIMBS {
            acc_add(&mut ab, &mut ab_hi, product(a[i], b[k - i]));
            acc_add(&mut mn, &mut mn_hi, product(m[i], N[k - i]));
        }
        acc_merge(&mut acc, &mut hi, ab, ab_hi);
        acc_merge(&mut acc, &mut hi, mn, mn_hi);
        out[k - LIMBS] = acc as u64;
        shift(&mut acc, &mut hi);
    }
    out[LIMBS - 1] = acc as u64;
    reduce_once(&out, (acc >> 64) as u64)
}

/// `a²·R⁻¹ mod N` for `a < N`; fully reduced.
pub(super) fn sqr(a: &Limbs) -> Limbs {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc: u128 = 0;
    let mut hi = 0u64;
    for k in 0..(2 * LIMBS - 1) {
        // (written as a branch: `saturating_sub` here costs ≈ 8% in the benchmark)
        let lo = if k >= LIMBS { k + 1 - LIMBS } else { 0 };
        // Off-diagonal products a_i·a_{k−i} (i < k−i), doubled, plus the square term.
        let mut cross: u128 = 0;
        let mut cross_hi = 0u64;
        let mut i = lo;
        while 2 * i < k {
            acc_add(&mut cross, &mut cross_hi, product(a[i], a[k - i]));
            i += 1;
        }
        cross_hi = (cross_hi << 1) | ((cross >> 127) as u64);
        cross <<= 1;
        if k % 2 == 0 {
            acc_add(&mut cross, &mut cross_hi, product(a[k / 2], a[k / 2]));
        }
        acc_add(&mut acc, &mut hi, cross);
        hi += cross_hi;
        // m·N products, alternately into two accumulators so that two carry chains
        // run in parallel (≈ 7% faster than one).
        let m_end = if k < LIMBS { k } else { LIMBS };
        let (mut even, mut even_hi) = (0u128, 0u64);
        let (mut odd, mut odd_hi) = (0u128, 0u64);
        let mut i = lo;
        while i + 1 < m_end {
            acc_add(&mut even, &mut even_hi, product(m[i], N[k - i]));
            acc_add(&mut odd, &mut odd_hi, product(m[i + 1], N[k - i - 1]));
            i += 2;
        }
        if i < m_end {
            acc_add(&mut even, &mut even_hi, product(m[i], N[k - i]));
        }
        acc_merge(&mut acc, &mut hi, even, even_hi);
        acc_merge(&mut acc, &mut hi, odd, odd_hi);
        if k < LIMBS {
            let digit = acc as u64;
            m[k] = digit;
            acc_add(&mut acc, &mut hi, product(digit, N[0]));
        } else {
            out[k - LIMBS] = acc as u64;
        }
        shift(&mut acc, &mut hi);
    }
    out[LIMBS - 1] = acc as u64;
    reduce_once(&out, (acc >> 64) as u64)
}

// ---------------------------------------------------------------------------------
// Group constants and exponentiation
// ---------------------------------------------------------------------------------

/// Width of the fixed-base windows for powers of g.
const G_WINDOW: usize = 6;
/// Windows covering a 256-bit exponent.
const G_WINDOWS: usize = 256usize.div_ceil(G_WINDOW);
const G_ENTRIES: usize = 1 << G_WINDOW;

struct Consts {
    /// R² mod N, to enter Montgomery form.
    r2: Limbs,
    /// R mod N: 1 in Montgomery form.
    one_m: Limbs,
    /// The multiplier k, in Montgomery form.
    k_m: Limbs,
}

fn consts() -> &'static Consts {
    static CONSTS: OnceLock<Consts> = OnceLock::new();
    CONSTS.get_or_init(|| {
        let modulus = Odd::new(to_uint(&N)).into_option();
        // N is odd (checked at compile time above), so this is always Some.
        let params = modulus.map(FixedMontyParams::new_vartime);
        let (r2, one_m) = match params {
            Some(p) => (from_uint(p.r2()), from_uint(p.one())),
            None => ([0; LIMBS], [0; LIMBS]),
        };
        let k_m = mul(&k_value(), &r2);
        Consts { r2, one_m, k_m }
    })
}

/// `table[i·64 + d] = g^(d·2^(6i))` in Montgomery form (Brauer's fixed-base table), for
/// the portable kernel.
fn g_table() -> &'static [Limbs] {
    static G_TABLE: OnceLock<Vec<Limbs>> = OnceLock::new();
    G_TABLE.get_or_init(|| {
        let mut g = [0u64; LIMBS];
        g[0] = 2;
        let mut base = to_mont(&g); // g^(2^(6i))
        let mut table = Vec::with_capacity(G_WINDOWS * G_ENTRIES);
        for _ in 0..G_WINDOWS {
            let mut power = consts().one_m;
            for _ in 0..G_ENTRIES {
                table.push(power);
                power = mul(&power, &base);
            }
            for _ in 0..G_WINDOW {
                base = sqr(&base);
            }
        }
        table
    })
}

/// The IFMA kernel when this CPU has it.
#[cfg(target_arch = "x86_64")]
fn fast_kernel() -> Option<&'static ifma::Kernel> {
    ifma::Kernel::get()
}

/// Builds the constant tables now rather than on first use.
pub(super) fn warm_up() {
    #[cfg(target_arch = "x86_64")]
    if fast_kernel().is_some() {
        return;
    }
    let _ = g_table();
}

/// k = H(padHex(N) ‖ padHex(g)) = SHA-256(0x00 ‖ N ‖ 0x02).
fn k_value() -> Limbs {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&[0]);
    ctx.update(&to_be_bytes(&N));
    ctx.update(&[2]);
    let hash = ctx.finish();
    from_be_bytes(hash.as_ref()).unwrap_or([0; LIMBS])
}

/// k as an integer.
#[cfg(test)]
pub(super) fn k() -> Limbs {
    k_value()
}

/// Enters Montgomery form (`x < 2^3072`; the result is reduced).
pub(super) fn to_mont(x: &Limbs) -> Limbs {
    mul(x, &consts().r2)
}

/// Leaves Montgomery form.
pub(super) fn from_mont(x: &Limbs) -> Limbs {
    mul(x, &ONE)
}

/// `k·x mod N` for an integer `x < 2^3072` (result not in Montgomery form).
pub(super) fn times_k(x: &Limbs) -> Limbs {
    mul(x, &consts().k_m)
}

/// `g^e` in Montgomery form for a 256-bit exponent (four little-endian limbs):
/// 42 multiplications by table entries, no squarings.
pub(super) fn pow_g(e: &[u64; 4]) -> Limbs {
    #[cfg(target_arch = "x86_64")]
    if let Some(kernel) = fast_kernel() {
        return kernel.pow_g(e);
    }
    pow_g_portable(e)
}

/// Bits `[i·width, (i+1)·width)` of a 256-bit exponent (zero beyond bit 255).
#[inline(always)]
fn window_digit(e: &[u64; 4], i: usize, width: usize) -> u64 {
    let mut d = 0u64;
    for bit in 0..width {
        let p = i * width + bit;
        if p < 256 {
            d |= ((e[p / 64] >> (p % 64)) & 1) << bit;
        }
    }
    d
}

fn pow_g_portable(e: &[u64; 4]) -> Limbs {
    let table = g_table();
    let digit = |i: usize| window_digit(e, i, G_WINDOW);
    let mut acc = lookup(&table[..G_ENTRIES], digit(0));
    for i in 1..G_WINDOWS {
        let entry = lookup(&table[i * G_ENTRIES..(i + 1) * G_ENTRIES], digit(i));
        acc = mul(&acc, &entry);
    }
    acc
}

/// `base^e` in Montgomery form (`base_m` in Montgomery form, `e` little-endian limbs),
/// fixed 4-bit windows over all `64·e.len()` bits.
pub(super) fn pow(base_m: &Limbs, e: &[u64]) -> Limbs {
    #[cfg(target_arch = "x86_64")]
    if let Some(kernel) = fast_kernel() {
        return kernel.pow(base_m, e);
    }
    pow_portable(base_m, e)
}

fn pow_portable(base_m: &Limbs, e: &[u64]) -> Limbs {
    const W: usize = 4;
    let mut table = [[0u64; LIMBS]; 1 << W];
    table[0] = consts().one_m;
    table[1] = *base_m;
    for d in 2..(1 << W) {
        table[d] = if d % 2 == 0 {
            sqr(&table[d / 2])
        } else {
            mul(&table[d - 1], base_m)
        };
    }
    let windows = e.len() * 64 / W;
    if windows == 0 {
        return consts().one_m;
    }
    let digit = |i: usize| -> u64 { (e[i * W / 64] >> ((i * W) % 64)) & ((1 << W) - 1) };
    let mut acc = lookup(&table, digit(windows - 1));
    for i in (0..windows - 1).rev() {
        for _ in 0..W {
            acc = sqr(&acc);
        }
        acc = mul(&acc, &lookup(&table, digit(i)));
    }
    acc
}

/// `(a + b) mod N` for `a, b < N`.
pub(super) fn add_mod(a: &Limbs, b: &Limbs) -> Limbs {
    let p = NonZero::new(to_uint(&N)).into_option();
    match p {
        Some(p) => from_uint(&to_uint(a).add_mod(&to_uint(b), &p)),
        None => [0; LIMBS],
    }
}

/// `(a − b) mod N` for `a, b < N`.
pub(super) fn sub_mod(a: &Limbs, b: &Limbs) -> Limbs {
    let p = NonZero::new(to_uint(&N)).into_option();
    match p {
        Some(p) => from_uint(&to_uint(a).sub_mod(&to_uint(b), &p)),
        None => [0; LIMBS],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random;
    use crypto_bigint::modular::FixedMontyForm;
    use crypto_bigint::{U256, U1024};

    fn params() -> FixedMontyParams<{ U3072::LIMBS }> {
        FixedMontyParams::new_vartime(Odd::new(to_uint(&N)).expect("N is odd"))
    }

    fn random_below_n() -> Limbs {
        reduce(&from_be_bytes(&random::bytes::<BYTES>()).expect("384 bytes fit"))
    }

    #[test]
    fn n_parses_to_the_rfc_3526_prime() {
        assert_eq!(to_uint(&N), U3072::from_be_hex(super::super::N_HEX));
        assert_eq!(N[LIMBS - 1], u64::MAX);
        assert!(!ct_lt_n(&N));
        assert!(ct_lt_n(&sub_mod(&[0; LIMBS], &ONE)));
    }

    #[test]
    fn kernel_matches_crypto_bigint() {
        let p = params();
        for _ in 0..50 {
            let (a, b) = (random_below_n(), random_below_n());
            let am = FixedMontyForm::from_montgomery(to_uint(&a), &p);
            let bm = FixedMontyForm::from_montgomery(to_uint(&b), &p);
            assert_eq!(to_uint(&mul(&a, &b)), *am.mul(&bm).as_montgomery());
            assert_eq!(to_uint(&sqr(&a)), *am.square().as_montgomery());
        }
        // Extremes: N − 1 squared and multiplied, 0, 1.
        let top = sub_mod(&[0; LIMBS], &ONE);
        let tm = FixedMontyForm::from_montgomery(to_uint(&top), &p);
        assert_eq!(to_uint(&sqr(&top)), *tm.square().as_montgomery());
        assert_eq!(to_uint(&mul(&top, &top)), *tm.square().as_montgomery());
        assert!(ct_is_zero(&mul(&top, &[0; LIMBS])));
        // a value ≥ N as the first factor (allowed: a < 2^3072) still reduces fully.
        let big = [u64::MAX; LIMBS];
        assert!(ct_lt_n(&mul(&big, &consts().r2)));
        assert_eq!(from_mont(&to_mont(&big)), reduce(&big));
    }

    #[test]
    fn montgomery_round_trip_and_pow_match_crypto_bigint() {
        let p = params();
        let x = random_below_n();
        assert_eq!(from_mont(&to_mont(&x)), x);
        let e = random::bytes::<32>();
        let e4 = exponent_256(&e).expect("32 bytes");
        let base = FixedMontyForm::new(&to_uint(&x), &p);
        let expected = base.pow(&U256::from_be_slice(&e)).retrieve();
        assert_eq!(to_uint(&from_mont(&pow(&to_mont(&x), &e4))), expected);
        let g = FixedMontyForm::new(&U3072::from_u64(2), &p);
        let expected_g = g.pow(&U256::from_be_slice(&e)).retrieve();
        assert_eq!(to_uint(&from_mont(&pow_g(&e4))), expected_g);
        // Longer exponents (the JS client's 1024-bit a).
        let long = random::bytes::<128>();
        let expected_long = g.pow(&U1024::from_be_slice(&long)).retrieve();
        let two_m = to_mont(&{
            let mut t = [0; LIMBS];
            t[0] = 2;
            t
        });
        assert_eq!(
            to_uint(&from_mont(&pow(&two_m, &exponent_limbs(&long)))),
            expected_long
        );
    }

    #[test]
    fn pow_g_edge_exponents() {
        let p = params();
        let g = FixedMontyForm::new(&U3072::from_u64(2), &p);
        for e in [[0u64; 4], [1, 0, 0, 0], [u64::MAX; 4], [0, 0, 0, 1 << 63]] {
            let mut be = [0u8; 32];
            for (i, limb) in e.iter().enumerate() {
                be[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
            }
            let expected = g.pow(&U256::from_be_slice(&be)).retrieve();
            assert_eq!(to_uint(&from_mont(&pow_g(&e))), expected, "{e:x?}");
            assert_eq!(
                to_uint(&from_mont(&pow(&g_m_for_tests(), &e))),
                expected,
                "{e:x?}"
            );
        }
    }

    fn g_m_for_tests() -> Limbs {
        let mut two = [0u64; LIMBS];
        two[0] = 2;
        to_mont(&two)
    }

    /// Kernel timings: `cargo test -p tessera-crypto --release -- --ignored --nocapture kernel_timings`
    /// (wall time, best of five rounds).
    #[test]
    #[ignore = "timing print, run by hand with --release"]
    fn kernel_timings() {
        fn best(label: &str, iterations: u32, mut op: impl FnMut()) {
            let mut best = f64::MAX;
            for _ in 0..5 {
                let start = std::time::Instant::now();
                for _ in 0..iterations {
                    op();
                }
                best = best.min(start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations));
            }
            println!("{label:<28} {best:>9.2} µs");
        }
        warm_up();
        let (mut x, y) = (random_below_n(), random_below_n());
        let e = exponent_256(&random::bytes::<32>()).expect("32 bytes");
        best("mul", 20_000, || x = mul(black_box(&x), &y));
        best("sqr", 20_000, || x = sqr(black_box(&x)));
        best("lookup (64 entries)", 20_000, || {
            x = lookup(&g_table()[..G_ENTRIES], black_box(x[0] & 63));
        });
        best("pow_g (256-bit)", 500, || x = pow_g_portable(black_box(&e)));
        best("pow (256-bit, 4-bit windows)", 100, || {
            x = pow_portable(black_box(&y), &e)
        });
        #[cfg(target_arch = "x86_64")]
        if let Some(kernel) = fast_kernel() {
            best("IFMA pow_g (256-bit)", 2_000, || {
                x = kernel.pow_g(black_box(&e))
            });
            best("IFMA pow (256-bit)", 500, || {
                x = kernel.pow(black_box(&y), &e)
            });
        }
        let p = params();
        let ym = FixedMontyForm::from_montgomery(to_uint(&y), &p);
        let mut xm = FixedMontyForm::from_montgomery(to_uint(&x), &p);
        best("crypto-bigint mul", 20_000, || xm = black_box(xm).mul(&ym));
        best("crypto-bigint square", 20_000, || {
            xm = black_box(xm).square()
        });
        let e_uint = U256::from_be_slice(&random::bytes::<32>());
        best("crypto-bigint pow (256-bit)", 100, || {
            xm = black_box(ym).pow(&e_uint)
        });
        black_box((x, xm));
    }

    #[test]
    fn byte_conversions() {
        assert_eq!(from_be_bytes(&[]), Some([0; LIMBS]));
        let mut long = vec![0u8; 500];
        long[499] = 7;
        assert_eq!(from_be_bytes(&long).map(|l| l[0]), Some(7));
        long[0] = 1;
        assert_eq!(from_be_bytes(&long), None);
        let x = random_below_n();
        assert_eq!(from_be_bytes(&to_be_bytes(&x)), Some(x));
        assert_eq!(exponent_256(&[1; 33]), None);
        assert_eq!(exponent_limbs(&[]), vec![0]);
        assert_eq!(exponent_limbs(&[1, 2]), vec![0x0102]);
    }
}
