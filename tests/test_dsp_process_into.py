"""Processor.process() on numpy arrays fills its new output in one pass (each block copied in just
before it is processed, inside the C loop): the samples are those of the copy-then-process path,
bit for bit, for every processor kind, dtype and shape, contiguous or not; the input is left
alone; and the private source argument refuses a buffer of another length."""

import numpy as np
import pytest

import miniaudio

RATE = 44100


def makers():
    return [
        lambda: miniaudio.LowPass(2000, order=4, sample_rate=RATE),
        lambda: miniaudio.HighPass(300, order=3, sample_rate=RATE),
        lambda: miniaudio.PeakingEQ(1000, 6, 1.0, sample_rate=RATE),
        lambda: miniaudio.Biquad(0.5, 0.2, 0.1, 1.0, -0.3, 0.1, sample_rate=RATE),
        lambda: miniaudio.Delay(0.01, decay=0.5, sample_rate=RATE),
        lambda: miniaudio.Gain(-6, sample_rate=RATE),
        lambda: miniaudio.Fade(0, 1, 0.05, sample_rate=RATE),
    ]


def signal(dtype, frames=10000, channels=2, seed=0):
    x = np.random.default_rng(seed).uniform(-0.9, 0.9, (frames, channels))
    if dtype in ("int16", "int32"):
        return (x * np.iinfo(dtype).max).astype(dtype)
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "int32"])
@pytest.mark.parametrize("kind", range(7))
def test_process_equals_copy_then_process_inplace(dtype, kind):
    make = makers()[kind]
    x = signal(dtype)
    before = x.copy()
    out = make().process(x)
    ref = x.copy()
    make().process_inplace(ref)
    assert out.dtype == x.dtype and out.shape == x.shape
    assert np.array_equal(out, ref)
    assert np.array_equal(x, before)  # the input is not touched
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize("dtype", ["float32", "int16"])
def test_non_contiguous_and_byte_swapped_inputs_give_the_same(dtype):
    x = signal(dtype)
    ref = miniaudio.LowPass(2000, order=4, sample_rate=RATE).process(x)
    fortran = np.asfortranarray(x)
    swapped = x.astype(x.dtype.newbyteorder(">"))
    strided = np.repeat(x, 2, axis=0)[::2]
    for variant in (fortran, swapped, strided):
        out = miniaudio.LowPass(2000, order=4, sample_rate=RATE).process(variant)
        assert np.array_equal(out, ref)


def test_chunks_equal_one_call_on_the_numpy_path():
    x = signal("float32", frames=50000)
    whole = miniaudio.PeakingEQ(1000, 6, 1.0, sample_rate=RATE).process(x)
    proc = miniaudio.PeakingEQ(1000, 6, 1.0, sample_rate=RATE)
    rng = np.random.default_rng(3)
    parts, at = [], 0
    while at < len(x):
        n = int(rng.integers(1, 5000))
        parts.append(proc.process(x[at:at + n]))
        at += n
    assert np.array_equal(np.concatenate(parts), whole)


def test_source_of_another_length_is_refused():
    proc = miniaudio.Gain(-6, sample_rate=RATE, nchannels=2)
    out = np.zeros((100, 2), np.float32)
    with pytest.raises(ValueError, match="source holds 792 bytes, data 800"):
        proc._process_inplace(out, 0, 0, np.zeros(198, np.float32))
    with pytest.raises(TypeError):
        proc._process_inplace(out, 0, 0, 12345)
    assert not out.any()  # nothing written
    proc._process_inplace(out, 0, 0, np.ones((100, 2), np.float32))
    assert np.allclose(out, 10 ** (-6 / 20))
