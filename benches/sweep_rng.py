"""sweep's random draws in Python: the initial weights and epoch shuffles of `sweep` seed S,
bit for bit, so that benches/make_fake_trace.py can write the trace of a real sweep run
(`--rng sweep`) before `sweep trace` exists, and benches/replay.py can compare it with that
run's curves. A module for those scripts, not a command.

What it reproduces (the versions in Cargo.lock: rand 0.10.4, rand_core 0.10.1,
rand_chacha 0.10.0; src/train/mod.rs, src/model/mod.rs, src/numeric/normal_draws.rs, src/numeric/explog.rs):
- `ChaCha8Rng::seed_from_u64(seed)`: the seed expanded to 32 key bytes by rand_core's PCG32
  step, then the ChaCha8 keystream (counter and stream id from 0) as little-endian u32 words;
  a u64 is two consecutive words (low first);
- `rng.random::<f64>()`: the top 53 bits of a u64 times 2^-53;
- the initial weights: W_hh, W_xh, W_hy in row-major order, each N(0, 1) by Marsaglia's
  polar method with the spare kept (sweep's `Normals`, which uses sweep's own `ln`, ported
  here with exactly rounded fused multiply-adds) times init_scale;
- each epoch's order: `0..n` shuffled by rand's `SliceRandom::shuffle` (a forward
  Fisher-Yates driven by `IncreasingUniform`, with u32 draws by Canon's method).
Needs numpy.
"""
import math
from fractions import Fraction

import numpy as np

MASK32 = 0xFFFF_FFFF
MASK64 = 0xFFFF_FFFF_FFFF_FFFF


def _pcg32(state):
    state = (state * 0x5851_F42D_4C95_7F2D + 0xA176_54E4_6FBE_17F3) & MASK64
    xorshifted = (((state >> 18) ^ state) >> 27) & MASK32
    rot = state >> 59
    return state, ((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & MASK32


def _rotl(x, n):
    return (x << np.uint32(n)) | (x >> np.uint32(32 - n))


class ChaCha8:
    """rand_chacha's ChaCha8Rng as a stream of u32 words, made 64 blocks at a time."""

    BATCH = 64

    def __init__(self, seed):
        state = seed & MASK64
        key = []
        for _ in range(8):
            state, word = _pcg32(state)
            key.append(word)  # little-endian bytes read back as a little-endian word
        self.key = key
        self.block = 0
        self.words = []
        self.pos = 0

    def _refill(self):
        b = np.arange(self.block, self.block + self.BATCH, dtype=np.uint64)
        self.block += self.BATCH
        s = np.zeros((16, self.BATCH), dtype=np.uint32)
        s[0:4] = np.array([0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574],
                          dtype=np.uint32)[:, None]
        s[4:12] = np.array(self.key, dtype=np.uint32)[:, None]
        s[12] = (b & np.uint64(MASK32)).astype(np.uint32)
        s[13] = (b >> np.uint64(32)).astype(np.uint32)
        x = s.copy()

        def qr(a, b_, c, d):
            x[a] += x[b_]
            x[d] = _rotl(x[d] ^ x[a], 16)
            x[c] += x[d]
            x[b_] = _rotl(x[b_] ^ x[c], 12)
            x[a] += x[b_]
            x[d] = _rotl(x[d] ^ x[a], 8)
            x[c] += x[d]
            x[b_] = _rotl(x[b_] ^ x[c], 7)

        with np.errstate(over="ignore"):
            for _ in range(4):  # ChaCha8: four double rounds
                qr(0, 4, 8, 12)
                qr(1, 5, 9, 13)
                qr(2, 6, 10, 14)
                qr(3, 7, 11, 15)
                qr(0, 5, 10, 15)
                qr(1, 6, 11, 12)
                qr(2, 7, 8, 13)
                qr(3, 4, 9, 14)
            x += s
        self.words = x.T.reshape(-1).tolist()  # block by block, word 0..15 each
        self.pos = 0

    def next_u32(self):
        if self.pos >= len(self.words):
            self._refill()
        w = self.words[self.pos]
        self.pos += 1
        return w

    def next_u64(self):
        lo = self.next_u32()
        return lo | (self.next_u32() << 32)

    def next_f64(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def below_u32(self, bound):
        """`rng.random_range(..bound)` for u32 (Canon's method, rand's default)."""
        m = self.next_u32() * bound
        result, lo = m >> 32, m & MASK32
        if lo > ((-bound) & MASK32):
            new_hi = (self.next_u32() * bound) >> 32
            if lo + new_hi > MASK32:
                result += 1
        return result

    def shuffle(self, items):
        """rand's `SliceRandom::shuffle` in place."""
        n = len(items)
        if n <= 1:
            return
        # IncreasingUniform starting at 0: index i is drawn from [0, i].
        chunk, remaining, count = 0, 1, 0
        for i in range(n):
            nxt = count + 1
            if remaining > 0:
                remaining -= 1
            else:
                bound, rem = _bound_u32(nxt)
                chunk = self.below_u32(bound)
                remaining = rem - 1
            if remaining == 0:
                index = chunk
            else:
                index = chunk % nxt
                chunk //= nxt
            count = nxt
            items[i], items[index] = items[index], items[i]


def _bound_u32(m):
    product, current = m, m + 1
    while product * current <= MASK32:
        product *= current
        current += 1
    return product, current - m


# sweep's own ln (src/numeric/explog.rs), with its fused multiply-adds exactly rounded.
LN2_HI = 0.6931471803691238
LN2_LO = 1.9082149292705877e-10
_L = [0.6666666666666666, 0.4, 0.2857142857142857, 0.2222222222222222, 0.18181818181818182,
      0.15384615384615385, 0.13333333333333333, 0.11764705882352941, 0.10526315789473684,
      0.09523809523809525, 0.08695652173913043]


def _fma(a, b, c):
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def sweep_ln(x):
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    if x == math.inf:
        return x
    e0 = 0
    if x < 2.2250738585072014e-308:
        x, e0 = x * 18014398509481984.0, -54
    bits = int(np.float64(x).view(np.uint64))
    e = ((bits >> 52) & 0x7FF) - 1023 + e0
    m = float(np.uint64((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000).view(np.float64))
    if m > math.sqrt(2):
        m *= 0.5
        e += 1
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    r = _L[10]
    for c in reversed(_L[:10]):
        r = _fma(r, z, c)
    r = r * z
    half_f2 = 0.5 * f * f
    ln_m = f - (half_f2 - s * (half_f2 + r))
    e = float(e)
    return _fma(e, LN2_HI, _fma(e, LN2_LO, ln_m))


class SweepDraws:
    """The random draws of one sweep run: `initial(V, H, K, scale)` and then `order(n)` for
    each epoch, in that order, from one ChaCha8 stream."""

    def __init__(self, seed):
        self.rng = ChaCha8(seed)
        self.spare = None

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        rng = self.rng
        while True:
            x1 = 2.0 * rng.next_f64() - 1.0
            x2 = 2.0 * rng.next_f64() - 1.0
            r2 = x1 * x1 + x2 * x2
            if r2 < 1.0 and r2 != 0.0:
                f = math.sqrt(-2.0 * sweep_ln(r2) / r2)
                self.spare = f * x1
                return f * x2

    def initial(self, vocab, hidden, classes, scale):
        """(W_xh, W_hh, W_hy, b_h, b_y) as `Rnn::init` draws them."""
        mats = {}
        for name, shape in (("W_hh", (hidden, hidden)), ("W_xh", (hidden, vocab)),
                            ("W_hy", (classes, hidden))):
            vals = [self.normal() * scale for _ in range(shape[0] * shape[1])]
            mats[name] = np.array(vals, dtype=np.float64).reshape(shape)
        self.spare = None  # unused afterwards: shuffles draw from the stream itself
        return (mats["W_xh"], mats["W_hh"], mats["W_hy"], np.zeros(hidden), np.zeros(classes))

    def order(self, n):
        items = list(range(n))
        self.rng.shuffle(items)
        return items
