"""miniaudio.Converter, the streaming converter: chunks fed one by one give what one
convert_frames() call gives (frame count and samples, bit for bit), whatever the chunk sizes;
the kinds of input and output; vari-speed (set_rate / set_ratio); flush, drain and reset; the
latencies and frame-count queries; content (a resampled sine keeps its frequency and level);
one call at a time across threads, with the GIL released for large chunks."""

import array
import random
import threading

import numpy as np
import pytest

import miniaudio
from miniaudio import ChannelMixMode as CM, SampleFormat as SF

WIDTH = {SF.UNSIGNED8: 1, SF.SIGNED16: 2, SF.SIGNED24: 3, SF.SIGNED32: 4, SF.FLOAT32: 4}
DTYPE = {SF.UNSIGNED8: np.uint8, SF.SIGNED16: np.int16, SF.SIGNED32: np.int32, SF.FLOAT32: np.float32}
RATES = [(44100, 48000), (48000, 44100), (48000, 16000), (8000, 48000)]
CHUNKS = [1, 2, 3, 5, 7, 13, 31, 97, 211, 1009, 4099, 20011]


def noise_frames(fmt, channels, frames, seed=0):
    """Random interleaved frames of `fmt` as bytes (f32: Gaussian at -10 dBFS, integers: full range)."""
    rng = np.random.default_rng(seed)
    if fmt is SF.FLOAT32:
        return (rng.standard_normal(frames * channels) * 0.3).astype(np.float32).tobytes()
    if fmt is SF.SIGNED24:
        return rng.integers(0, 256, frames * channels * 3, dtype=np.uint8).tobytes()
    info = np.iinfo(DTYPE[fmt])
    return rng.integers(info.min, info.max, frames * channels, dtype=DTYPE[fmt], endpoint=True).tobytes()


def feed(conv, data, frame_bytes, sizes, rng):
    """process() over `data` in chunks of sizes drawn from `sizes`, then flush(); the bytes."""
    out = bytearray()
    pos = 0
    while pos < len(data):
        k = rng.choice(sizes) * frame_bytes
        out += conv.process(data[pos:pos + k])
        pos += k
    out += conv.flush()
    return bytes(out)


def one_shot(fmt_in, ch_in, rate_in, data, fmt_out, ch_out, rate_out, **kw):
    return bytes(miniaudio.convert_frames(fmt_in, ch_in, rate_in, data, fmt_out, ch_out, rate_out, **kw))


# ---- chunked == one-shot ------------------------------------------------------------------------

@pytest.mark.parametrize("rates", RATES, ids=lambda r: "%d-%d" % r)
@pytest.mark.parametrize("fmt_in,fmt_out", [(SF.FLOAT32, SF.FLOAT32), (SF.SIGNED16, SF.SIGNED16),
                                            (SF.SIGNED16, SF.FLOAT32), (SF.FLOAT32, SF.SIGNED16),
                                            (SF.SIGNED32, SF.UNSIGNED8), (SF.UNSIGNED8, SF.SIGNED24),
                                            (SF.SIGNED24, SF.SIGNED32)], ids=lambda f: f.name)
@pytest.mark.parametrize("ch_in,ch_out", [(1, 1), (1, 2), (2, 1), (6, 2)])
def test_chunks_equal_one_convert_frames_call(rates, fmt_in, fmt_out, ch_in, ch_out):
    rng = random.Random(hash((rates, fmt_in, fmt_out, ch_in, ch_out)) & 0xFFFF)
    frames = 12007
    data = noise_frames(fmt_in, ch_in, frames, seed=ch_in * 7 + fmt_in.value)
    expected = one_shot(fmt_in, ch_in, rates[0], data, fmt_out, ch_out, rates[1])
    fb = WIDTH[fmt_in] * ch_in
    for sizes in ([1], [3, 5, 7, 11, 13], CHUNKS, [frames]):
        conv = miniaudio.Converter(fmt_in, ch_in, rates[0], fmt_out, ch_out, rates[1])
        got = feed(conv, data, fb, sizes, rng)
        assert len(got) == len(expected), sizes
        assert got == expected, sizes
        assert conv.frames_in == frames
        assert conv.frames_out * WIDTH[fmt_out] * ch_out == len(expected)


@pytest.mark.parametrize("mix", [CM.RECTANGULAR, CM.SIMPLE])
@pytest.mark.parametrize("order", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("rates", RATES + [(44100, 44100)], ids=lambda r: "%d-%d" % r)
def test_options_chunked_equal_one_shot(mix, order, rates):
    # 5.1 -> stereo (and 2 -> 6) with each mix mode and resampler order.
    rng = random.Random(order * 10 + mix.value)
    for ch_in, ch_out in ((6, 2), (2, 6)):
        data = noise_frames(SF.FLOAT32, ch_in, 5003, seed=order)
        expected = one_shot(SF.FLOAT32, ch_in, rates[0], data, SF.SIGNED16, ch_out, rates[1], channel_mix=mix,
                            resampler_order=order)
        conv = miniaudio.Converter(SF.FLOAT32, ch_in, rates[0], SF.SIGNED16, ch_out, rates[1], channel_mix=mix,
                                   resampler_order=order)
        assert feed(conv, data, 4 * ch_in, CHUNKS, rng) == expected


def test_empty_chunks_and_empty_input():
    conv = miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 1, 48000)
    assert conv.process(b"") == b""
    assert conv.flush() == b""
    assert conv.frames_in == conv.frames_out == 0
    assert one_shot(SF.SIGNED16, 2, 44100, b"", SF.FLOAT32, 1, 48000) == b""


def test_reset_starts_a_new_stream():
    data = noise_frames(SF.FLOAT32, 2, 3001)
    expected = one_shot(SF.FLOAT32, 2, 48000, data, SF.FLOAT32, 2, 44100)
    conv = miniaudio.Converter(SF.FLOAT32, 2, 48000, SF.FLOAT32, 2, 44100)
    conv.process(noise_frames(SF.FLOAT32, 2, 777, seed=5))  # some other stream, part-way
    conv.reset()
    assert conv.frames_in == 0 and not conv.flushed
    assert feed(conv, data, 8, CHUNKS, random.Random(1)) == expected
    conv.reset()  # after a flush too
    assert feed(conv, data, 8, [64], random.Random(1)) == expected


def test_process_after_flush_is_refused_until_reset():
    conv = miniaudio.Converter(SF.SIGNED16, 1, 8000, SF.SIGNED16, 1, 48000)
    conv.process(b"\0\1" * 100)
    conv.flush()
    assert conv.flushed
    with pytest.raises(ValueError, match="flushed.*reset"):
        conv.process(b"\0\1" * 10)
    with pytest.raises(ValueError, match="flushed"):
        conv.flush()
    assert conv.frames_in == 100  # nothing taken by the refused calls
    conv.reset()
    assert len(conv.process(b"\0\1" * 10)) == 2 * conv.frames_out


# ---- kinds of input and output ------------------------------------------------------------------

def test_numpy_in_numpy_out():
    x = (np.random.default_rng(3).standard_normal((4000, 2)) * 0.2).astype(np.float32)
    expected = np.frombuffer(one_shot(SF.FLOAT32, 2, 44100, x.tobytes(), SF.SIGNED16, 1, 22050),
                             dtype=np.int16)
    conv = miniaudio.Converter(SF.FLOAT32, 2, 44100, SF.SIGNED16, 1, 22050)
    parts = [conv.process(x[i:i + 333]) for i in range(0, 4000, 333)] + [conv.flush()]
    for p in parts:
        assert isinstance(p, np.ndarray) and p.dtype == np.int16 and p.ndim == 2 and p.shape[1] == 1
    assert np.array_equal(np.concatenate(parts)[:, 0], expected)
    # 1-D (interleaved) in: 1-D out; a non-contiguous chunk is taken too (copied).
    conv = miniaudio.Converter(SF.FLOAT32, 2, 44100, SF.SIGNED16, 1, 22050)
    flat = conv.process(x.reshape(-1))
    assert flat.ndim == 1 and flat.dtype == np.int16 and np.array_equal(flat, expected)
    conv.reset()
    wide = np.zeros((4000, 4), np.float32)
    wide[:, ::2] = x
    assert np.array_equal(conv.process(wide[:, ::2])[:, 0], expected)


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED32, SF.FLOAT32])
def test_numpy_dtypes_follow_the_formats(fmt):
    x = np.frombuffer(noise_frames(fmt, 2, 1000), dtype=DTYPE[fmt]).reshape(-1, 2)
    conv = miniaudio.Converter(fmt, 2, 48000, fmt, 2, 48000)
    out = conv.process(x)
    assert out.dtype == DTYPE[fmt] and out.shape == (1000, 2) and np.array_equal(out, x)


def test_array_bytes_bytearray_memoryview():
    s16 = array.array("h", [0, 1000, -1000, 32767] * 50)
    conv = miniaudio.Converter(SF.SIGNED16, 2, 16000, SF.FLOAT32, 2, 16000)
    out = conv.process(s16)
    assert isinstance(out, array.array) and out.typecode == "f" and len(out) == len(s16)
    assert out[3] == 32767 / 32768
    assert isinstance(conv.flush(), array.array)
    conv.reset()
    assert type(conv.process(s16.tobytes())) is bytes and type(conv.flush()) is bytes
    conv.reset()
    assert type(conv.process(bytearray(s16.tobytes()))) is bytearray
    assert type(conv.process(memoryview(s16.tobytes()))) is bytearray
    assert type(conv.flush()) is bytearray


def test_wrong_chunks_name_the_argument():
    conv = miniaudio.Converter(SF.FLOAT32, 2, 44100, SF.SIGNED16, 2, 48000)
    with pytest.raises(ValueError, match="3 channels.*2"):
        conv.process(np.zeros((10, 3), np.float32))
    with pytest.raises(TypeError, match="dtype float32"):
        conv.process(np.zeros((10, 2), np.int16))
    with pytest.raises(TypeError, match="dtype float32"):
        conv.process(np.zeros((10, 2), np.float64))
    with pytest.raises(TypeError, match="typecode 'f'"):
        conv.process(array.array("h", [0, 0]))
    with pytest.raises(ValueError, match="chunk.*whole number of frames"):
        conv.process(b"\0" * 12)
    with pytest.raises(ValueError, match="whole number"):
        conv.process(np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="1-D.*2-D"):
        conv.process(np.zeros((2, 2, 2), np.float32))
    with pytest.raises(TypeError, match="chunk"):
        conv.process("not audio")
    assert conv.frames_in == 0
    s24 = miniaudio.Converter(SF.SIGNED24, 1, 44100, SF.FLOAT32, 1, 44100)
    with pytest.raises(ValueError, match="24-bit"):
        s24.process(np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="24-bit"):
        miniaudio.Converter(SF.FLOAT32, 1, 44100, SF.SIGNED24, 1, 44100).process(array.array("f", [0.0]))


@pytest.mark.parametrize("kw,exc,text", [
    (dict(from_format=SF.UNKNOWN), ValueError, "from_format"),
    (dict(to_format=7), ValueError, "to_format"),
    (dict(from_nchannels=0), ValueError, "from_nchannels"),
    (dict(to_nchannels=255), ValueError, "to_nchannels"),
    (dict(from_sample_rate=0), ValueError, "from_sample_rate"),
    (dict(to_sample_rate=-44100), ValueError, "to_sample_rate"),
    (dict(resampler_order=9), ValueError, "resampler_order"),
    (dict(channel_mix=CM.CUSTOMWEIGHTS), ValueError, "channel_mix"),
    (dict(dither=SF.SIGNED16), TypeError, "dither"),
    (dict(dynamic_rate="yes"), TypeError, "dynamic_rate"),
])
def test_bad_construction(kw, exc, text):
    args = dict(from_format=SF.FLOAT32, from_nchannels=2, from_sample_rate=44100, to_format=SF.SIGNED16,
                to_nchannels=2, to_sample_rate=48000)
    args.update(kw)
    with pytest.raises(exc, match=text):
        miniaudio.Converter(**args)


# ---- content ------------------------------------------------------------------------------------

@pytest.mark.parametrize("rates", RATES, ids=lambda r: "%d-%d" % r)
def test_resampled_sine_keeps_frequency_and_level(rates):
    rate_in, rate_out = rates
    freq = min(rates) / 16  # well inside both bands (a linear resampler droops near Nyquist)
    n = rate_in  # one second
    t = np.arange(n) / rate_in
    x = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    conv = miniaudio.Converter(SF.FLOAT32, 1, rate_in, SF.FLOAT32, 1, rate_out)
    rng = random.Random(7)
    out, pos = [], 0
    while pos < n:
        k = rng.choice(CHUNKS)
        out.append(conv.process(x[pos:pos + k]))
        pos += k
    y = np.concatenate(out + [conv.flush()])
    assert abs(len(y) - n * rate_out / rate_in) <= 1
    body = y[len(y) // 10: len(y) - len(y) // 10].astype(np.float64)  # away from the start-up
    window = np.hanning(len(body))
    spectrum = np.abs(np.fft.rfft(body * window))
    peak = np.argmax(spectrum)
    assert abs(peak * rate_out / len(body) - freq) < rate_out / len(body) * 1.5
    level_db = 20 * np.log10(np.sqrt(np.mean(body ** 2)) / (0.5 / np.sqrt(2)))
    assert abs(level_db) < 0.15, level_db


@pytest.mark.parametrize("rates", RATES, ids=lambda r: "%d-%d" % r)
@pytest.mark.parametrize("order", [0, 2, 8])
def test_drain_gives_the_held_tail(rates, order):
    # convert_frames (and flush()) stop short of the last input frames by the resampler's delay;
    # flush(drain=True) feeds that delay with silence: the result is convert_frames on the input
    # followed by input_latency frames of silence.
    x = np.full(800, 0.5, np.float32)
    conv = miniaudio.Converter(SF.FLOAT32, 1, rates[0], SF.FLOAT32, 1, rates[1], resampler_order=order)
    body = conv.process(x)
    assert len(conv.flush()) == 0
    conv.reset()
    latency = conv.input_latency
    assert latency == 1 + order  # miniaudio: one frame of interpolation + the filter's
    expected_tail = conv.expected_output_frames(800 + latency) - conv.expected_output_frames(800)
    assert np.array_equal(conv.process(x), body)
    tail = conv.flush(drain=True)
    padded = np.concatenate([x, np.zeros(latency, np.float32)])
    expected = np.frombuffer(one_shot(SF.FLOAT32, 1, rates[0], padded.tobytes(), SF.FLOAT32, 1, rates[1],
                                      resampler_order=order), np.float32)
    assert np.array_equal(np.concatenate([body, tail]), expected)
    assert len(tail) == expected_tail
    assert abs(len(tail) - conv.output_latency) <= 1
    assert body[-1] > 0.45 and (len(tail) == 0 or tail.min() <= body[-1])  # the tail goes from the input's level toward silence


def test_drain_of_u8_feeds_its_silence():
    # UNSIGNED8's silence is 128, not 0.
    conv = miniaudio.Converter(SF.UNSIGNED8, 1, 8000, SF.UNSIGNED8, 1, 16000, resampler_order=0)
    conv.process(bytes([128]) * 100)
    assert set(conv.flush(drain=True)) == {128}


def test_latencies():
    for order in range(9):
        conv = miniaudio.Converter(SF.FLOAT32, 1, 44100, SF.FLOAT32, 1, 88200, resampler_order=order)
        assert conv.input_latency >= 1
        assert conv.output_latency == conv.input_latency * 2
    same = miniaudio.Converter(SF.FLOAT32, 1, 44100, SF.SIGNED16, 2, 44100)
    assert same.input_latency == 0 and same.output_latency == 0 and not same.dynamic_rate


@pytest.mark.parametrize("rates", RATES, ids=lambda r: "%d-%d" % r)
def test_expected_output_and_required_input_frames(rates):
    conv = miniaudio.Converter(SF.SIGNED16, 1, rates[0], SF.SIGNED16, 1, rates[1])
    rng = random.Random(3)
    for _ in range(50):
        k = rng.choice(CHUNKS)
        expected = conv.expected_output_frames(k)
        assert len(conv.process(b"\0\0" * k)) == 2 * expected
        need = conv.required_input_frames(100)
        assert len(conv.process(b"\0\0" * need)) >= 2 * 99  # at least all but the last asked for
    with pytest.raises(ValueError, match="frames"):
        conv.expected_output_frames(-1)
    with pytest.raises(TypeError, match="frames"):
        conv.required_input_frames(1.5)


# ---- vari-speed ---------------------------------------------------------------------------------

def test_set_rate_mid_stream_changes_the_output_length():
    conv = miniaudio.Converter(SF.FLOAT32, 1, 48000, SF.FLOAT32, 1, 48000, dynamic_rate=True)
    x = np.zeros(48000, np.float32)
    first = conv.process(x)
    assert abs(len(first) - 48000) <= 1
    conv.set_rate(48000, 24000)  # half as many frames out
    assert conv.rates == (48000, 24000)
    second = conv.process(x)
    assert abs(len(second) - 24000) <= 2
    conv.set_ratio(0.5)  # twice as many
    third = conv.process(x)
    assert abs(len(third) - 96000) <= 2
    assert conv.rates == (500000, 1000000)
    conv.set_rate(44100, 48000)
    assert abs(len(conv.process(x)) - 48000 * 48000 / 44100) <= 2
    assert conv.frames_in == 4 * 48000


@pytest.mark.parametrize("order", [0, 1, 4, 8])
def test_set_rate_keeps_a_sine_continuous(order):
    # Vari-speed with the state kept: no click where the rate changes (a lost history would jump
    # by up to the full 0.5).  Orders 0 and 1 change without a trace; from order 2 the low-pass
    # filter's new coefficients meet its old state, a transient of well under 1.5 steps.
    conv = miniaudio.Converter(SF.FLOAT32, 1, 44100, SF.FLOAT32, 1, 48000, resampler_order=order)
    t = np.arange(44100) / 44100
    x = (0.5 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    a = conv.process(x[:22050])
    conv.set_rate(44100, 52000)
    b = conv.process(x[22050:])
    assert abs(len(b) - 22050 * 52000 / 44100) <= 2
    steps = np.abs(np.diff(np.concatenate([a, b])[100:]))
    normal = 2 * np.pi * 200 / 48000 * 0.5  # the largest step of the sine at 48 kHz
    assert steps.max() < normal * (1.001 if order < 2 else 1.5)


def test_set_rate_refused_without_resampler_and_bad_values():
    same = miniaudio.Converter(SF.FLOAT32, 1, 44100, SF.FLOAT32, 1, 44100)
    with pytest.raises(ValueError, match="dynamic_rate=True"):
        same.set_rate(44100, 48000)
    with pytest.raises(ValueError, match="dynamic_rate=True"):
        same.set_ratio(1.1)
    conv = miniaudio.Converter(SF.FLOAT32, 1, 44100, SF.FLOAT32, 1, 48000)
    for bad in (float("nan"), float("inf"), -1.0, 0.0, 1e-9, 1e6):
        with pytest.raises(ValueError, match="ratio"):
            conv.set_ratio(bad)
    with pytest.raises(TypeError, match="ratio"):
        conv.set_ratio("2")
    with pytest.raises(ValueError, match="from_sample_rate"):
        conv.set_rate(-44100, 48000)
    with pytest.raises(ValueError, match="to_sample_rate"):
        conv.set_rate(44100, 0)
    with pytest.raises(TypeError, match="from_sample_rate"):
        conv.set_rate(44100.0, 48000)
    assert conv.rates == (44100, 48000)  # nothing changed by the refusals


def test_equal_rates_with_dynamic_rate_delay_by_one_frame():
    x = np.arange(1, 101, dtype=np.float32) / 100
    passthrough = miniaudio.Converter(SF.FLOAT32, 1, 48000, SF.FLOAT32, 1, 48000)
    assert np.array_equal(passthrough.process(x), x)
    dyn = miniaudio.Converter(SF.FLOAT32, 1, 48000, SF.FLOAT32, 1, 48000, dynamic_rate=True)
    y = dyn.process(x)
    assert dyn.dynamic_rate and y[0] == 0 and np.allclose(y[1:], x[:len(y) - 1])


# ---- threads ------------------------------------------------------------------------------------

def test_gil_released_and_second_thread_refused():
    # While one thread converts a large chunk (GIL released), another thread runs and its call on
    # the same converter is refused at once; the converter's output is not disturbed.
    frames = 400000
    data = noise_frames(SF.FLOAT32, 2, frames, seed=9)
    expected = one_shot(SF.FLOAT32, 2, 44100, data, SF.FLOAT32, 2, 48000, resampler_order=8)
    conv = miniaudio.Converter(SF.FLOAT32, 2, 44100, SF.FLOAT32, 2, 48000, resampler_order=8)
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("out", conv.process(data)))
    refused = 0
    worker.start()
    while worker.is_alive():
        try:
            conv.process(b"")
        except RuntimeError as exc:
            assert "another thread" in str(exc)
            refused += 1
    worker.join()
    assert refused > 0  # the main thread ran while the worker converted: the GIL was released
    assert bytes(result["out"]) + bytes(conv.flush()) == expected


def test_two_threads_one_converter_never_garbage():
    # Stateless conversion (same rate), so every chunk's output can be checked on its own.
    chunks = [noise_frames(SF.SIGNED16, 2, 50000, seed=i) for i in range(40)]
    conv = miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 1, 44100)
    outcomes = []
    lock = threading.Lock()

    def work(mine):
        for c in mine:
            try:
                out = conv.process(c)
            except RuntimeError:
                out = None
            with lock:
                outcomes.append((c, out))

    threads = [threading.Thread(target=work, args=(chunks[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = 0
    for c, out in outcomes:
        if out is not None:
            done += 1
            assert bytes(out) == one_shot(SF.SIGNED16, 2, 44100, c, SF.FLOAT32, 1, 44100)
    assert done >= 20 and conv.frames_in == done * 50000


def test_separate_converters_in_parallel():
    from concurrent.futures import ThreadPoolExecutor

    data = [noise_frames(SF.FLOAT32, 2, 100000, seed=i) for i in range(4)]

    def run(d):
        conv = miniaudio.Converter(SF.FLOAT32, 2, 48000, SF.SIGNED16, 2, 44100)
        return feed(conv, d, 8, [4096, 10007], random.Random(0))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, data))
    for d, r in zip(data, results):
        assert r == one_shot(SF.FLOAT32, 2, 48000, d, SF.SIGNED16, 2, 44100)
