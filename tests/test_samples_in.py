"""What write() does to the numbers it is given (miniaudio_c/samples_in.c), checked without a device
through _miniaudio._samples_to_format, which runs the same conversion into bytes.

The reference: integers are taken to 32-bit full scale (int8 << 24, uint16 offset binary << 16, int64
>> 32, ...) and floats to float32, then converted by convert_sample_format, miniaudio's converter
(the same one the package uses everywhere); raw bytes are the device's own frames.
"""
import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF
from miniaudio import _miniaudio as _ma

FORMATS = [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32]
INT_DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]
FLOAT_DTYPES = ["float16", "float32", "float64"]


def to_s32(a):
    """Integers to 32-bit full scale, as samples_in.c documents."""
    dt = a.dtype
    bits = dt.itemsize * 8
    x = a.astype(np.int64) if dt.kind == "i" or bits < 64 else a
    if dt.kind == "u":
        if bits == 64:
            return ((a >> np.uint64(32)).astype(np.uint64) ^ np.uint64(0x80000000)).astype(np.uint32).view(np.int32)
        x = x - (1 << (bits - 1))
    if bits <= 32:
        return (x << (32 - bits)).astype(np.int32)
    return (x >> 32).astype(np.int32)


def reference(a, fmt):
    if a.dtype == np.uint8:  # miniaudio's own 8-bit PCM
        return bytes(miniaudio.convert_sample_format(SF.UNSIGNED8, a.tobytes(), fmt))
    if a.dtype.kind == "f":
        with np.errstate(over="ignore"):
            f = a.astype(np.float32)  # float64 beyond float32's range is +-inf, as numpy makes it
        return bytes(miniaudio.convert_sample_format(SF.FLOAT32, f.tobytes(), fmt))
    return bytes(miniaudio.convert_sample_format(SF.SIGNED32, to_s32(a).tobytes(), fmt))


def random_data(dtype, n, rng):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        x = rng.uniform(-1.5, 1.5, n)
        special = [1e300, -1e300, np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 3.5e38]
        x[:len(special)] = special
        with np.errstate(over="ignore"):
            return x.astype(dt)
    info = np.iinfo(dt)
    x = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
    x[:4] = [info.min, info.max, 0, 1]
    return x


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("dtype", INT_DTYPES + FLOAT_DTYPES)
def test_every_numeric_type_converts_like_the_reference(dtype, fmt):
    rng = np.random.default_rng(hash((dtype, fmt.value)) & 0xFFFF)
    a = random_data(dtype, 2 * 1000, rng)
    got = _ma._samples_to_format(a, fmt.value, 2)
    assert got == reference(a, fmt)
    # the same numbers as a 2-D array, a transposed (channels, frames) view, a strided view
    assert _ma._samples_to_format(a.reshape(-1, 2), fmt.value, 2) == got
    assert _ma._samples_to_format(np.ascontiguousarray(a.reshape(-1, 2).T).T, fmt.value, 2) == got
    wide = np.zeros((1000, 4), dtype)
    wide[:, ::2] = a.reshape(-1, 2)
    assert _ma._samples_to_format(wide[:, ::2], fmt.value, 2) == got


@pytest.mark.parametrize("value,dtype,expected", [
    (32767, "int16", 32767), (-32768, "int16", -32768), (128, "uint8", 0), (0, "uint8", -32768),
    (255, "uint8", 32512), (-128, "int8", -32768), (127, "int8", 32512), (0.5, "float64", 16383),
    (-1.0, "float32", -32767), (2.0, "float64", 32767), (float("nan"), "float64", 0), (float("-inf"), "float16", -32767),
    (-(2 ** 63), "int64", -32768), (2 ** 64 - 1, "uint64", 32767), (0x8000, "uint16", 0), (2 ** 31 - 1, "int32", 32767),
    (0.25, "float16", 8191),
])
def test_known_values_to_16_bit(value, dtype, expected):
    a = np.array([value, value], dtype=dtype)
    assert np.frombuffer(_ma._samples_to_format(a, SF.SIGNED16.value, 2), "<i2").tolist() == [expected, expected]


def test_float16_special_values_are_exact_in_float32():
    bits = np.arange(0, 1 << 16, dtype=np.uint32).astype(np.uint16)  # every half, NaNs included
    h = bits.view(np.float16)
    got = np.frombuffer(_ma._samples_to_format(h, SF.FLOAT32.value, 1), "<f4")
    want = h.astype(np.float32)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    assert same.all(), bits[~same][:10]


def test_raw_bytes_are_the_devices_own_frames_and_array_bytes_are_samples():
    raw = bytes(range(8))
    assert _ma._samples_to_format(raw, SF.SIGNED16.value, 2) == raw
    assert _ma._samples_to_format(bytearray(raw), SF.FLOAT32.value, 2) == raw
    assert _ma._samples_to_format(memoryview(raw), SF.SIGNED32.value, 1) == raw
    # an array of uint8 is samples (8-bit PCM), not raw bytes
    assert _ma._samples_to_format(np.frombuffer(raw, np.uint8), SF.SIGNED16.value, 2) != raw


def test_python_lists_strings_and_wrong_shapes_are_refused():
    for bad, exc in (([0, 0], TypeError), ("ab", TypeError), (np.zeros(3, np.int16), ValueError),
                     (np.zeros((2, 3), np.int16), ValueError), (np.zeros(4, np.complex128), TypeError),
                     (np.zeros(4, ">f4"), TypeError), (np.zeros(4, bool), TypeError),
                     (np.zeros(0, [("a", "i2"), ("b", "i2")]), TypeError), (np.float64(1.0), ValueError)):
        with pytest.raises(exc):
            _ma._samples_to_format(bad, SF.SIGNED16.value, 2)


def test_empty_data_gives_no_frames():
    assert _ma._samples_to_format(np.zeros((0, 2), np.float32), SF.SIGNED16.value, 2) == b""
    assert _ma._samples_to_format(b"", SF.SIGNED16.value, 2) == b""
