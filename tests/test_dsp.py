"""The processors (miniaudio.LowPass, Gain, Delay, ...): accuracy against independent references,
exact gains, pan laws, fades and delays, chunked == one-shot, types in = types out, binding of
nchannels/sample_rate, parameter changes from other threads, refusals.

The filter references are computed here in numpy from the RBJ Audio EQ Cookbook formulas, with
the cascade miniaudio builds (ma_lpf/ma_hpf: order/2 second-order sections with Butterworth Qs,
Q_i = 1 / (2 cos(theta_i)), theta_i = (1 + i) pi / order for odd orders and (1 + 2 i) pi / (2 order)
for even ones, plus a one-pole section in front for odd orders; ma_bpf: order/2 identical
constant-skirt band-pass sections of Q 0.707107).
"""

import array
import math
import threading
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

RATES = (22050, 44100, 96000)
NFFT = 1 << 16


# ---- the independent reference: RBJ cookbook biquads in float64 ----------------------------------

def rbj(kind, fs, f0, q=None, gain_db=0.0, slope=1.0):
    w = 2 * math.pi * f0 / fs
    s, c = math.sin(w), math.cos(w)
    if kind in ("lpf", "hpf", "bpf", "notch", "peak"):
        a = s / (2 * q)
    if kind == "lpf":
        return [(1 - c) / 2, 1 - c, (1 - c) / 2], [1 + a, -2 * c, 1 - a]
    if kind == "hpf":
        return [(1 + c) / 2, -(1 + c), (1 + c) / 2], [1 + a, -2 * c, 1 - a]
    if kind == "bpf":  # constant skirt gain, peak gain = Q
        return [s / 2, 0, -s / 2], [1 + a, -2 * c, 1 - a]
    if kind == "notch":
        return [1, -2 * c, 1], [1 + a, -2 * c, 1 - a]
    A = 10 ** (gain_db / 40)
    if kind == "peak":
        return [1 + a * A, -2 * c, 1 - a * A], [1 + a / A, -2 * c, 1 - a / A]
    alpha = s / 2 * math.sqrt((A + 1 / A) * (1 / slope - 1) + 2)
    k = 2 * math.sqrt(A) * alpha
    if kind == "loshelf":
        return ([A * ((A + 1) - (A - 1) * c + k), 2 * A * ((A - 1) - (A + 1) * c), A * ((A + 1) - (A - 1) * c - k)],
                [(A + 1) + (A - 1) * c + k, -2 * ((A - 1) + (A + 1) * c), (A + 1) + (A - 1) * c - k])
    assert kind == "hishelf"
    return ([A * ((A + 1) + (A - 1) * c + k), -2 * A * ((A - 1) + (A + 1) * c), A * ((A + 1) + (A - 1) * c - k)],
            [(A + 1) - (A - 1) * c + k, 2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - k])


def biquad_response(b, a, f, fs):
    z = np.exp(-2j * np.pi * f / fs)
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)


def butterworth_qs(order):
    angles = [((1 + i) * math.pi / order) if order % 2 else ((1 + 2 * i) * math.pi / (2 * order))
              for i in range(order // 2)]
    return [1 / (2 * math.cos(t)) for t in angles]


def reference(kind, fs, f, **kw):
    z = np.exp(-2j * np.pi * f / fs)
    h = np.ones(len(f), dtype=complex)
    if kind in ("lpf", "hpf"):
        order, fc = kw["order"], kw["cutoff"]
        if order % 2:
            a = math.exp(-2 * math.pi * fc / fs)
            h *= (1 - a) / (1 - a * z) if kind == "lpf" else (1 + a) / 2 * (1 - z) / (1 - a * z)
        for q in butterworth_qs(order):
            h *= biquad_response(*rbj(kind, fs, fc, q=q), f, fs)
        return h
    if kind == "bpf":
        for _ in range(kw["order"] // 2):
            h *= biquad_response(*rbj("bpf", fs, kw["cutoff"], q=0.707107), f, fs)
        return h
    if kind == "biquad":
        c = kw["coefs"]
        return biquad_response(c[:3], c[3:], f, fs)
    return biquad_response(*rbj(kind, fs, kw["frequency"], q=kw.get("q"), gain_db=kw.get("gain_db", 0.0),
                                slope=kw.get("slope", 1.0)), f, fs)


def filter_cases(fs):
    out = []
    for fc in (1000.0, 5000.0):  # (200 Hz at 96 kHz: up to 0.4 dB off near -40 dB: float32 state)
        for order in range(1, 9):
            out.append(("lpf", miniaudio.LowPass(fc, order, sample_rate=fs), dict(cutoff=fc, order=order)))
            out.append(("hpf", miniaudio.HighPass(fc, order, sample_rate=fs), dict(cutoff=fc, order=order)))
            if order % 2 == 0:
                out.append(("bpf", miniaudio.BandPass(fc, order, sample_rate=fs), dict(cutoff=fc, order=order)))
        for q in (0.5, 0.707, 4.0):
            out.append(("notch", miniaudio.Notch(fc, q, sample_rate=fs), dict(frequency=fc, q=q)))
            for g in (-12.0, 6.0):
                out.append(("peak", miniaudio.PeakingEQ(fc, g, q, sample_rate=fs), dict(frequency=fc, gain_db=g, q=q)))
        for g in (-12.0, 6.0):
            for sl in (0.5, 1.0):
                kw = dict(frequency=fc, gain_db=g, slope=sl)
                out.append(("loshelf", miniaudio.LowShelf(fc, g, sl, sample_rate=fs), kw))
                out.append(("hishelf", miniaudio.HighShelf(fc, g, sl, sample_rate=fs), kw))
    b, a = rbj("peak", fs, 3000.0, q=2.0, gain_db=9.0)
    out.append(("biquad", miniaudio.Biquad(*b, *a), dict(coefs=b + a)))
    return out


def impulse_response(proc, n=NFFT):
    x = np.zeros(n, np.float32)
    x[0] = 1
    return proc.process(x).astype(np.float64)


@pytest.mark.parametrize("fs", RATES)
def test_frequency_response_matches_the_cookbook(fs):
    """Every filter type, 3 rates: |H| from the impulse response's FFT within 0.05 dB of the
    float64 reference up to 0.45 fs wherever the reference is above -40 dB (below that, float32
    coefficients and state make the floor; there the measured response must stay below -39 dB)."""
    f = np.fft.rfftfreq(NFFT, 1 / fs)
    band = f <= 0.45 * fs
    kinds_seen = set()
    for kind, proc, kw in filter_cases(fs):
        kinds_seen.add(kind)
        h = np.fft.rfft(impulse_response(proc))[band]
        ref = reference(kind, fs, f, **kw)[band]
        mdb = 20 * np.log10(np.abs(h) + 1e-30)
        rdb = 20 * np.log10(np.abs(ref) + 1e-30)
        audible = rdb > -40
        err = np.max(np.abs(mdb - rdb)[audible])
        assert err < 0.05, (kind, kw, fs, err)
        if (~audible).any():
            assert np.max(mdb[~audible]) < -39, (kind, kw, fs)
    assert kinds_seen == {"lpf", "hpf", "bpf", "notch", "peak", "loshelf", "hishelf", "biquad"}


@pytest.mark.parametrize("order", [2, 4, 6, 8])
def test_butterworth_is_3db_down_at_the_cutoff(order):
    """The design itself, not only its agreement with our reference: even-order Butterworth
    low- and high-pass are -3.01 dB at the cutoff."""
    fs, fc = 48000, 3000.0
    for cls in (miniaudio.LowPass, miniaudio.HighPass):
        h = np.fft.rfft(impulse_response(cls(fc, order, sample_rate=fs)))
        f = np.fft.rfftfreq(NFFT, 1 / fs)
        i = int(np.argmin(np.abs(f - fc)))
        assert abs(20 * np.log10(abs(h[i])) + 10 * math.log10(2)) < 0.05, (cls, order)


@pytest.mark.parametrize("order", [1, 3, 5, 7])
def test_odd_order_high_pass_blocks_dc(order):
    """miniaudio's own first-order high-pass (ma_hpf1) keeps a/(2-a) of DC (-2.3 dB at 1 kHz /
    44.1 kHz); ours has a zero at DC: a constant input dies out."""
    hp = miniaudio.HighPass(1000, order, sample_rate=44100)
    y = hp.process(np.ones(44100, np.float32))
    assert abs(y[-1]) < 1e-6
    assert abs(float(np.sum(impulse_response(miniaudio.HighPass(1000, order, sample_rate=44100))))) < 1e-5


# ---- exact gains, delays, pan laws, fades -----------------------------------------------------------

def noise(frames, channels, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (frames, channels))).astype(np.float32)


@pytest.mark.parametrize("db", [-60.0, -6.0, 0.0, 3.5, 20.0])
def test_gain_is_exact(db):
    x = noise(5000, 2)
    y = miniaudio.Gain(db, sample_rate=48000).process(x)
    assert np.array_equal(y, x * np.float32(10 ** (db / 20)))


@pytest.mark.parametrize("rate,smoothing", [(48000, 0.008), (44100, 0.001), (22050, 0.05)])
def test_gain_change_ramps_linearly_over_the_smoothing_time(rate, smoothing):
    x = noise(8000, 2)
    g = miniaudio.Gain(-6.0, smoothing=smoothing, sample_rate=rate)
    first = g.process(x[:1000])
    g.db = 6.0
    rest = g.process(x[1000:])
    old, new = np.float32(10 ** (-6 / 20)), np.float32(10 ** (6 / 20))
    n = int(math.floor(smoothing * rate + 0.5))
    k = np.arange(len(rest), dtype=np.float32)
    a = np.minimum(k, np.float32(n)) / np.float32(n)
    gains = np.where(k < n, old + (new - old) * a, new).astype(np.float32)
    assert np.array_equal(first, x[:1000] * old)
    assert np.array_equal(rest, x[1000:] * gains[:, None])
    assert np.array_equal(rest[n:], x[1000 + n:] * new)  # the ramp ends on the target: no overshoot


@pytest.mark.parametrize("seconds,rate", [(0.01, 44100), (0.5, 22050), (1 / 96000, 96000)])
def test_delay_length_is_exact(seconds, rate):
    n = int(math.floor(seconds * rate + 0.5))
    x = noise(3 * n + 100, 2)
    y = miniaudio.Delay(seconds, wet=0.5, dry=0.8, sample_rate=rate).process(x)
    assert np.array_equal(y[:n], np.zeros_like(y[:n]))
    assert np.array_equal(y[n:], (x[:-n] * np.float32(0.8)) * np.float32(0.5))


def test_echo_decays_as_configured():
    rate, seconds, decay, wet, dry = 8000, 0.125, 0.6, 0.9, 0.7
    n = 1000
    y = miniaudio.Delay(seconds, decay, wet, dry, sample_rate=rate, nchannels=1).process(
        np.eye(1, 5 * n, dtype=np.float32)[0])
    want = np.zeros(5 * n, np.float32)
    b = np.float32(dry)
    for i in range(5):
        want[i * n] = b * np.float32(wet)
        b = b * np.float32(decay)
    assert np.array_equal(y, want)


@pytest.mark.parametrize("pan", [-1.0, -0.3, 0.0, 0.25, 1.0])
def test_pan_laws(pan):
    x = noise(1000, 2)
    left, right = x[:, 0], x[:, 1]
    p = np.float32(pan)
    bal = miniaudio.Pan(pan).process(x)
    pn = miniaudio.Pan(pan, mode="pan").process(x)
    if pan > 0:
        want_bal = np.stack([left * (np.float32(1) - p), right], 1)
        want_pan = np.stack([left * (np.float32(1) - p), left * p + right], 1)
    elif pan < 0:
        want_bal = np.stack([left, right * (np.float32(1) + p)], 1)
        want_pan = np.stack([left + right * (np.float32(0) - p), right * (np.float32(1) + p)], 1)
    else:
        want_bal = want_pan = x
    assert np.array_equal(bal, want_bal)
    assert np.array_equal(pn, want_pan)


def test_pan_change_ramps_over_256_frames_without_a_jump():
    """miniaudio's panner has no ramp: a change would jump from one frame to the next (a click).
    Ours moves linearly over 256 frames, frame by frame, whatever the chunks."""
    ones = np.ones((1000, 2), np.float32)
    p = miniaudio.Pan(0.0)
    assert np.array_equal(p.process(ones[:100]), ones[:100])
    p.pan = 1.0  # balance: the left channel goes from 1 to 0
    y = np.concatenate([p.process(ones[i:i + 37]) for i in range(0, 700, 37)])
    k = np.arange(1, 257, dtype=np.float32)
    assert np.array_equal(y[:256, 0], np.float32(1) - k / np.float32(256))
    assert np.array_equal(y[256:, 0], np.zeros(len(y) - 256, np.float32))
    assert np.array_equal(y[:, 1], np.ones(len(y), np.float32))
    assert np.abs(np.diff(y[:, 0])).max() <= np.float32(1 / 256)  # no step larger than the ramp's
    # the same when the whole is processed at once, and a change during a ramp starts from where it stands
    q = miniaudio.Pan(0.0)
    q.process(ones[:100])
    q.pan = 1.0
    assert np.array_equal(q.process(ones[:700]), y[:700])
    q.pan = -1.0
    z = q.process(ones[:300])
    assert z[0, 0] == np.float32(2 / 256) and z[0, 1] == 1  # pan 1 - 2/256: from where it stood
    assert z[255, 0] == 1 and z[255, 1] == 0 and (z[256:] == z[255]).all()  # pan -1 reached


@pytest.mark.parametrize("start,end,seconds", [(0.0, 1.0, 0.1), (1.0, 0.0, 0.05), (0.2, 0.7, 0.0213), (1.0, 0.5, 0)])
def test_fade_is_linear(start, end, seconds):
    rate = 44100
    n = int(math.floor(seconds * rate + 0.5))
    x = noise(n + 3000, 2)
    y = miniaudio.Fade(start, end, seconds, sample_rate=rate).process(x)
    if n:
        a = np.arange(n, dtype=np.float32) / np.float32(n)
        vol = np.float32(start) + (np.float32(end) - np.float32(start)) * a
        assert np.array_equal(y[:n], x[:n] * vol[:, None])
    assert np.array_equal(y[n:], x[n:] * np.float32(end))


# ---- chunked == one-shot --------------------------------------------------------------------------

FACTORIES = {
    "Biquad": lambda: miniaudio.Biquad(*[0.2, 0.3, 0.2], *[1.0, -0.5, 0.2]),
    "LowPass3": lambda: miniaudio.LowPass(2000, 3, sample_rate=44100),
    "LowPass8": lambda: miniaudio.LowPass(500, 8, sample_rate=44100),
    "HighPass5": lambda: miniaudio.HighPass(300, 5, sample_rate=44100),
    "HighPass4": lambda: miniaudio.HighPass(300, 4, sample_rate=44100),
    "BandPass": lambda: miniaudio.BandPass(1000, 4, sample_rate=44100),
    "Notch": lambda: miniaudio.Notch(1000, 2, sample_rate=44100),
    "PeakingEQ": lambda: miniaudio.PeakingEQ(1000, 6, 1, sample_rate=44100),
    "LowShelf": lambda: miniaudio.LowShelf(300, -6, 1, sample_rate=44100),
    "HighShelf": lambda: miniaudio.HighShelf(3000, 4, 0.7, sample_rate=44100),
    "Delay": lambda: miniaudio.Delay(0.0123, sample_rate=44100),
    "Echo": lambda: miniaudio.Delay(0.0071, 0.5, 0.8, 0.9, sample_rate=44100),
    "Gain": lambda: miniaudio.Gain(-3, smoothing=0.02, sample_rate=44100),
    "Pan": lambda: miniaudio.Pan(0.4, mode="pan"),
    "Fade": lambda: miniaudio.Fade(0.0, 1.0, 0.2, sample_rate=44100),
}
CHANGES = {"Gain": ("db", 4.0), "LowPass3": ("cutoff", 5000.0), "Fade": ("end", 0.25), "Pan": ("pan", -0.5),
           "PeakingEQ": ("gain_db", -3.0), "Echo": ("decay", 0.25)}


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chunked_equals_one_shot(name, seed):
    rng = np.random.default_rng(seed)
    x = noise(30000, 2, seed)
    change = CHANGES.get(name)

    def run(chunked):
        proc = FACTORIES[name]()
        out = [proc.process(x[:1000])]
        if change:  # a change before the rest: its ramp/restart crosses the chunk boundaries
            setattr(proc, *change)
        if not chunked:
            out.append(proc.process(x[1000:]))
        else:
            at = 1000
            while at < len(x):
                n = int(rng.integers(1, 3000))
                out.append(proc.process(x[at:at + n]))
                at += n
        return np.concatenate(out)

    whole, chunks = run(False), run(True)
    assert np.array_equal(whole, chunks), name


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_reset_clears_the_state(name):
    x = noise(5000, 2)
    proc = FACTORIES[name]()
    first = proc.process(x)
    proc.process(noise(777, 2, 9))
    proc.reset()
    assert np.array_equal(proc.process(x), first)


# ---- types in, types out ---------------------------------------------------------------------------

def test_types_round_trip():
    x = noise(1000, 2)
    want = miniaudio.LowPass(2000, 2, sample_rate=44100, nchannels=2).process(x)

    def lp():
        return miniaudio.LowPass(2000, 2, sample_rate=44100, nchannels=2)

    out = lp().process(x.tobytes())
    assert type(out) is bytes and np.array_equal(np.frombuffer(out, np.float32).reshape(-1, 2), want)
    out = lp().process(bytearray(x.tobytes()))
    assert type(out) is bytearray and out == bytearray(want.tobytes())
    out = lp().process(memoryview(x.tobytes()))
    assert type(out) is memoryview and out.tobytes() == want.tobytes()
    out = lp().process(memoryview(x))
    assert type(out) is memoryview and out.format == "f" and out.shape == (1000, 2) and out.tobytes() == want.tobytes()
    out = lp().process(array.array("f", x.ravel()))
    assert out.typecode == "f" and out.tobytes() == want.tobytes()
    out = lp().process(x.ravel())
    assert out.dtype == np.float32 and out.shape == (2000,) and np.array_equal(out, want.ravel())
    out = lp().process(x.astype(np.float64))
    assert out.dtype == np.float64 and out.shape == (1000, 2) and np.array_equal(out, want.astype(np.float64))
    out = lp().process(np.asfortranarray(x))  # any layout in, C order out
    assert np.array_equal(out, want)
    assert not np.shares_memory(out, x)
    sound = miniaudio.DecodedSoundFile("x", 2, 44100, SF.FLOAT32, array.array("f", x.ravel()))
    out = miniaudio.LowPass(2000).process(sound)
    assert isinstance(out, miniaudio.DecodedSoundFile) and out.sample_rate == 44100 and out.nchannels == 2
    assert out.samples.tobytes() == want.tobytes() and sound.samples.tobytes() == x.tobytes()


def quantize16(y):
    return np.clip(np.rint(y.astype(np.float32) * np.float32(32768)), -32768, 32767).astype(np.int16)


def test_int16_round_trip_and_clipping():
    rng = np.random.default_rng(5)
    x = rng.integers(-32768, 32768, (4000, 2)).astype(np.int16)
    assert np.array_equal(miniaudio.Gain(0, sample_rate=8000).process(x), x)
    assert miniaudio.Gain(0, sample_rate=8000).process(array.array("h", x.ravel())).tobytes() == x.tobytes()
    f = x.astype(np.float32) / np.float32(32768)
    want = quantize16(miniaudio.LowPass(1500, 3, sample_rate=8000).process(f))
    assert np.array_equal(miniaudio.LowPass(1500, 3, sample_rate=8000).process(x), want)
    loud = miniaudio.Gain(12, sample_rate=8000).process(x)
    assert loud.max() == 32767 and loud.min() == -32768
    assert np.array_equal(loud, quantize16(f * np.float32(10 ** (12 / 20))))
    raw = miniaudio.Gain(-6, sample_rate=8000, nchannels=2, sample_format=SF.SIGNED16).process(x.tobytes())
    assert raw == miniaudio.Gain(-6, sample_rate=8000).process(x).tobytes()
    s32 = (x.astype(np.int32) << 16)
    assert np.array_equal(miniaudio.Gain(0, sample_rate=8000).process(s32), s32)


def test_nchannels_and_sample_rate_are_bound_on_first_use():
    lp = miniaudio.LowPass(1000, sample_rate=44100)
    assert lp.nchannels is None
    lp.process(np.zeros((10, 3), np.float32))
    assert lp.nchannels == 3 and lp.sample_rate == 44100
    with pytest.raises(ValueError, match="nchannels"):
        lp.process(np.zeros((10, 2), np.float32))
    lp.process(np.zeros(30, np.float32))  # 1-D: interleaved, in the bound channel count
    with pytest.raises(ValueError, match="nchannels"):
        lp.process(np.zeros(31, np.float32))
    mono = miniaudio.Gain(0, sample_rate=8000)
    mono.process(np.zeros(7, np.float32))
    assert mono.nchannels == 1
    with pytest.raises(ValueError, match="sample_rate="):
        miniaudio.LowPass(1000).process(np.zeros(10, np.float32))
    sound = miniaudio.DecodedSoundFile("x", 1, 22050, SF.FLOAT32, array.array("f", [0.0] * 10))
    with pytest.raises(ValueError, match="sample_rate"):
        miniaudio.LowPass(1000, sample_rate=44100).process(sound)
    lp2 = miniaudio.LowPass(15000)
    with pytest.raises(ValueError, match="Nyquist"):
        lp2.process(sound)  # the data's rate makes the cutoff impossible
    assert miniaudio.LowPass(5000).process(sound).sample_rate == 22050


BAD = [
    ("cutoff-nyquist", lambda: miniaudio.LowPass(22050, sample_rate=44100), ValueError, "cutoff"),
    ("cutoff-above", lambda: miniaudio.HighPass(30000, sample_rate=44100), ValueError, "cutoff"),
    ("cutoff-zero", lambda: miniaudio.BandPass(0, 2), ValueError, "cutoff"),
    ("cutoff-nan", lambda: miniaudio.LowPass(float("nan")), ValueError, "cutoff"),
    ("cutoff-inf", lambda: miniaudio.LowPass(float("inf")), ValueError, "cutoff"),
    ("order-0", lambda: miniaudio.LowPass(1000, 0), ValueError, "order"),
    ("order-9", lambda: miniaudio.HighPass(1000, 9), ValueError, "order"),
    ("order-float", lambda: miniaudio.HighPass(1000, 2.5), TypeError, "order"),
    ("bpf-odd", lambda: miniaudio.BandPass(1000, 3), ValueError, "order"),
    ("q-0", lambda: miniaudio.Notch(1000, 0), ValueError, "q"),
    ("q-neg", lambda: miniaudio.PeakingEQ(1000, 3, -1), ValueError, "q"),
    ("q-nan", lambda: miniaudio.PeakingEQ(1000, 3, float("nan")), ValueError, "q"),
    ("gain-nan", lambda: miniaudio.Gain(float("nan")), ValueError, "db"),
    ("slope-0", lambda: miniaudio.LowShelf(100, 3, 0), ValueError, "slope"),
    ("a0-0", lambda: miniaudio.Biquad(1, 0, 0, 0, 0, 0), ValueError, "a0"),
    ("decay-2", lambda: miniaudio.Delay(0.1, 2), ValueError, "decay"),
    ("delay-0", lambda: miniaudio.Delay(0), ValueError, "seconds"),
    ("pan-2", lambda: miniaudio.Pan(2), ValueError, "pan"),
    ("pan-mode", lambda: miniaudio.Pan(0, mode="left"), ValueError, "mode"),
    ("pan-mono", lambda: miniaudio.Pan(0.5).process(np.zeros(4, np.float32)), ValueError, "nchannels"),
    ("fade-neg", lambda: miniaudio.Fade(-1, 1, 1), ValueError, "start"),
    ("str-param", lambda: miniaudio.Notch("1000", 1), TypeError, "frequency"),
    ("int8", lambda: miniaudio.Gain(0, sample_rate=8000).process(np.zeros(4, np.int8)), TypeError, "int8"),
    ("complex", lambda: miniaudio.Gain(0, sample_rate=8000).process(np.zeros(4, np.complex64)), TypeError, "complex"),
    ("array-b", lambda: miniaudio.Gain(0, sample_rate=8000).process(array.array("b", [0])), TypeError, "typecode"),
    ("partial-frame", lambda: miniaudio.Gain(0, sample_rate=8000, nchannels=2).process(np.zeros(3, np.float32)),
     ValueError, "nchannels"),
    ("partial-sample", lambda: miniaudio.Gain(0, sample_rate=8000).process(b"\0\0\0"), ValueError, "bytes"),
    ("3-d", lambda: miniaudio.Gain(0, sample_rate=8000).process(np.zeros((2, 2, 2), np.float32)), ValueError, "2-D"),
    ("not-data", lambda: miniaudio.Gain(0, sample_rate=8000).process(3), TypeError, "data"),
    ("inplace-bytes", lambda: miniaudio.Gain(0, sample_rate=8000).process_inplace(b"\0" * 4), TypeError, "writable"),
    ("format", lambda: miniaudio.Gain(0, sample_format=SF.UNSIGNED8), ValueError, "sample_format"),
    ("nchannels-0", lambda: miniaudio.Gain(0, nchannels=0), ValueError, "nchannels"),
    ("rate-huge", lambda: miniaudio.Gain(0, sample_rate=10**9), ValueError, "sample_rate"),
]


@pytest.mark.parametrize("rid,fn,exc,text", BAD, ids=[b[0] for b in BAD])
def test_bad_input(rid, fn, exc, text):
    with pytest.raises(exc) as info:
        fn()
    assert text in str(info.value), str(info.value)


def test_bad_setter_leaves_the_value():
    lp = miniaudio.LowPass(1000, sample_rate=44100)
    for bad in (30000, 0, float("nan"), -5):
        with pytest.raises(ValueError, match="cutoff"):
            lp.cutoff = bad
    with pytest.raises(TypeError, match="cutoff"):
        lp.cutoff = "high"
    with pytest.raises(AttributeError):
        lp.order = 4
    assert lp.cutoff == 1000.0 and lp.order == 2


# ---- threads and the live-stage interface ------------------------------------------------------

def test_parameters_change_from_another_thread_while_processing():
    lp = miniaudio.LowPass(1000, 4, sample_rate=44100)
    g = miniaudio.Gain(0, smoothing=0.001, sample_rate=44100)
    stop = threading.Event()
    outs = []

    def worker():
        x = noise(2048, 2)
        while not stop.is_set():
            outs.append(g.process(lp.process(x)))

    t = threading.Thread(target=worker)
    t.start()
    try:
        i, deadline = 0, time.monotonic() + 30
        while (i < 2000 or len(outs) < 50) and time.monotonic() < deadline:  # interleaved with the worker's chunks
            lp.cutoff = 200.0 + (i % 50) * 300
            g.db = -20.0 + (i % 7) * 4
            i += 1
            if i % 100 == 0:
                time.sleep(0.001)
    finally:
        lp.cutoff = 4321.0
        g.db = -7.5
        stop.set()
        t.join()
    assert outs and all(np.isfinite(o).all() for o in outs)
    # The last values were applied: after a reset the output is a fresh processor's.
    x = noise(3000, 2, 7)
    lp.reset()
    g.reset()
    want = miniaudio.Gain(-7.5, sample_rate=44100).process(miniaudio.LowPass(4321.0, 4, sample_rate=44100).process(x))
    got = g.process(lp.process(x))
    assert np.array_equal(got[200:], want[200:])  # after the last ramp (44 frames) at most


def test_two_threads_on_one_processor_are_refused_not_mixed():
    """A large process() releases the GIL; a second call on the same processor meanwhile is
    refused with RuntimeError (and the first one's output is intact)."""
    lp = miniaudio.LowPass(1000, 8, sample_rate=44100)
    big = noise(3_000_000, 1)
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("y", lp.process(big)))
    refused = 0
    t.start()
    while t.is_alive():
        try:
            lp.process(np.zeros(16, np.float32))
        except RuntimeError as e:
            assert "another thread" in str(e)
            refused += 1
    t.join()
    assert refused > 0
    # Only refused calls in between: the big output equals an undisturbed run.
    # (The small calls that got through ran before the big one started.)
    fresh = miniaudio.LowPass(1000, 8, sample_rate=44100)
    assert np.isfinite(result["y"]).all()
    assert result["y"].shape == big.shape
    del fresh


def test_attach_interface():
    lp = miniaudio.LowPass(1000, sample_rate=44100)
    a, b = object(), object()
    with pytest.raises(ValueError, match="bind"):
        lp._attach(a)  # no channel count yet
    lp._bind(2, 44100)
    lp._attach(a)
    lp._attach(a)  # again, same chain: fine
    assert lp.attached
    with pytest.raises(ValueError, match="another chain"):
        lp._attach(b)
    with pytest.raises(RuntimeError, match="attached"):
        lp.process(np.zeros((4, 2), np.float32))
    with pytest.raises(ValueError, match="nchannels"):
        lp._bind(1, 44100)
    lp._detach(b)  # not its owner: no effect
    assert lp.attached
    lp._detach(a)
    assert not lp.attached
    lp.process(np.zeros((4, 2), np.float32))
    lp._attach(b)
    lp._detach(b)


def test_public_names():
    for name in ("Processor", "Biquad", "LowPass", "HighPass", "BandPass", "Notch", "PeakingEQ", "LowShelf",
                 "HighShelf", "Delay", "Gain", "Pan", "Fade"):
        assert name in miniaudio.__all__
        assert issubclass(getattr(miniaudio, name), miniaudio.Processor)
    assert repr(miniaudio.LowPass(1000, 3)) == "LowPass(cutoff=1000.0, order=3, sample_rate=None, nchannels=None)"
