"""Lossless decoding (WAV and FLAC): every read function and output format is
compared against the numpy reference PCM from samples/signals.py.

Exact where the conversion is lossless (same format, or widening u8/s16/s24 ->
s16/s32), otherwise within two LSB of the coarser format: miniaudio/dr_libs scale
floats by 32767 (or 32767.5) and truncate, which is up to ~1.5 LSB away from the
x*32768 reference in full-scale units."""

import array

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from helpers import SAMPLES, pcm, check_decoded_meta, assert_close_lsb

LOSSLESS = [s for s in SAMPLES if s.lossless]
OUT = {"s16": SF.SIGNED16, "s32": SF.SIGNED32, "f32": SF.FLOAT32}
TYPECODE = {"s16": "h", "s32": "i", "f32": "f"}


def exact_expected(ref, stored, out):
    """Expected decode when converting `stored` -> `out` is lossless, else None."""
    if stored == out:
        return ref
    if out == "s32":
        shift = {"u8": 24, "s16": 16, "s24": 8}.get(stored)
        if shift is not None:
            base = ref.astype(np.int64) - 128 if stored == "u8" else ref.astype(np.int64)
            return (base << shift).astype(np.int32)
    if out == "s16" and stored == "u8":
        return ((ref.astype(np.int32) - 128) << 8).astype(np.int16)
    return None


def check_against_reference(decoded, sample, out, sig):
    check_decoded_meta(decoded, sample.nchannels, sample.sample_rate, OUT[out])
    assert decoded.samples.typecode == TYPECODE[out]
    assert decoded.num_frames == sample.num_frames
    got = pcm(decoded)
    ref = sig.reference(sample.signal, sample.stored)
    exp = exact_expected(ref, sample.stored, out)
    if exp is not None:
        np.testing.assert_array_equal(got, exp)
    else:
        assert_close_lsb(got, out, ref, sample.stored, nlsb=2)


def reader(sample, out, from_file):
    prefix = "flac" if sample.file_format == miniaudio.FileFormat.FLAC else "wav"
    return getattr(miniaudio, "%s_read%s_%s" % (prefix, "_file" if from_file else "", out))


@pytest.mark.parametrize("out", list(OUT))
@pytest.mark.parametrize("sample", LOSSLESS, ids=lambda s: s.name)
def test_read_memory_matches_reference(sample, out, sample_bytes, sig):
    decoded = reader(sample, out, False)(sample_bytes(sample.name))
    check_against_reference(decoded, sample, out, sig)


@pytest.mark.parametrize("out", list(OUT))
@pytest.mark.parametrize("sample", LOSSLESS, ids=lambda s: s.name)
def test_read_file_matches_reference(sample, out, sample_path, sig):
    path = sample_path(sample.name)
    decoded = reader(sample, out, True)(path)
    check_against_reference(decoded, sample, out, sig)


@pytest.mark.parametrize("sample", LOSSLESS, ids=lambda s: s.name)
def test_memory_and_file_reads_identical(sample, sample_path, sample_bytes):
    for out in OUT:
        a = reader(sample, out, False)(sample_bytes(sample.name))
        b = reader(sample, out, True)(sample_path(sample.name))
        assert a.samples == b.samples
        assert (a.nchannels, a.sample_rate, a.sample_format) == (b.nchannels, b.sample_rate, b.sample_format)


@pytest.mark.parametrize(
    "name,fmt,typecode",
    [
        ("tone_s16.wav", SF.SIGNED16, "h"),
        ("short_s32.wav", SF.SIGNED32, "i"),
        ("short_f32.wav", SF.FLOAT32, "f"),
        ("mono_s16.wav", SF.SIGNED16, "h"),
        ("tone_16.flac", SF.SIGNED16, "h"),
        ("mono.flac", SF.SIGNED16, "h"),
    ],
)
def test_read_file_native_format_exact(name, fmt, typecode, sample_path, sig):
    from helpers import BY_NAME

    s = BY_NAME[name]
    decoded = miniaudio.read_file(sample_path(name))
    check_decoded_meta(decoded, s.nchannels, s.sample_rate, fmt)
    assert decoded.samples.typecode == typecode
    np.testing.assert_array_equal(pcm(decoded), sig.reference(s.signal, s.stored))


@pytest.mark.parametrize("name", ["short_s24.wav", "tone_24.flac"])
def test_read_file_24bit_needs_conversion(name, sample_path):
    with pytest.raises(miniaudio.MiniaudioError):
        miniaudio.read_file(sample_path(name))


@pytest.mark.parametrize("name", ["short_s24.wav", "tone_24.flac", "short_u8.wav", "short_s32.wav", "short_f32.wav"])
def test_read_file_convert_to_16bit(name, sample_path, sig):
    from helpers import BY_NAME

    s = BY_NAME[name]
    decoded = miniaudio.read_file(sample_path(name), convert_to_16bit=True)
    check_decoded_meta(decoded, s.nchannels, s.sample_rate, SF.SIGNED16)
    assert decoded.samples.typecode == "h"
    assert_close_lsb(pcm(decoded), "s16", sig.reference(s.signal, s.stored), s.stored, nlsb=2)


def test_read_file_u8(sample_path, sig):
    """1.71 raised MiniaudioError for 8-bit WAV without convert_to_16bit; returning
    the native unsigned 8-bit data (typecode 'B') is the natural improvement.
    Either is accepted, but if data is returned it must be exact."""
    try:
        decoded = miniaudio.read_file(sample_path("short_u8.wav"))
    except miniaudio.MiniaudioError:
        return
    check_decoded_meta(decoded, 2, 44100, SF.UNSIGNED8)
    assert decoded.samples.typecode == "B"
    np.testing.assert_array_equal(pcm(decoded), sig.reference("short", "u8"))


@pytest.mark.parametrize("name", ["tone_s16.wav", "short_f32.wav", "short_s32.wav", "tone_24.flac", "mono.flac"])
@pytest.mark.parametrize("out", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED32, SF.FLOAT32])
def test_decode_native_rate_and_channels(name, out, sample_path, sample_bytes, sig):
    """decode()/decode_file() without rate or channel change equal the reference
    within one LSB (exact when the output format is the stored one)."""
    from helpers import BY_NAME, FMT_NAME

    s = BY_NAME[name]
    a = miniaudio.decode_file(sample_path(name), output_format=out, nchannels=s.nchannels, sample_rate=s.sample_rate)
    b = miniaudio.decode(sample_bytes(name), output_format=out, nchannels=s.nchannels, sample_rate=s.sample_rate)
    assert a.samples == b.samples
    check_decoded_meta(a, s.nchannels, s.sample_rate, out)
    assert a.num_frames == s.num_frames
    assert a.samples.typecode == {SF.UNSIGNED8: "B", SF.SIGNED16: "h", SF.SIGNED32: "i", SF.FLOAT32: "f"}[out]
    ref = sig.reference(s.signal, s.stored)
    got = pcm(a)
    if FMT_NAME[out] == s.stored:
        np.testing.assert_array_equal(got, ref)
    elif s.stored == "s24" and out == SF.SIGNED32:
        np.testing.assert_array_equal(got, sig.reference_s32_from_s24(s.signal))
    else:
        assert_close_lsb(got, FMT_NAME[out], ref, s.stored, nlsb=2)


# --- DecodedSoundFile.as_numpy() -------------------------------------------

@pytest.mark.parametrize(
    "name,func",
    [
        ("tone_s16.wav", "wav_read_file_s16"),
        ("short_s32.wav", "wav_read_file_s32"),
        ("short_f32.wav", "wav_read_file_f32"),
        ("mono.flac", "flac_read_file_s16"),
        ("tone.mp3", "mp3_read_file_f32"),
        ("tone.ogg", "vorbis_read_file"),
    ],
)
def test_as_numpy_shares_memory(name, func, sample_path):
    decoded = getattr(miniaudio, func)(sample_path(name))
    arr = decoded.as_numpy()
    assert isinstance(arr, np.ndarray)
    assert arr.shape == (decoded.num_frames, decoded.nchannels)
    assert arr.dtype.itemsize == decoded.samples.itemsize
    assert arr.dtype.kind == {"h": "i", "i": "i", "f": "f", "B": "u"}[decoded.samples.typecode]
    assert np.shares_memory(arr, np.frombuffer(decoded.samples, dtype=arr.dtype))
    np.testing.assert_array_equal(arr, pcm(decoded))
    # writes through the numpy view are visible in .samples
    if arr.flags.writeable:
        old = decoded.samples[1]
        arr[0, 1 % decoded.nchannels] = 7
        assert decoded.samples[1 % decoded.nchannels] == 7
        arr[0, 1 % decoded.nchannels] = old


def test_as_numpy_u8(sample_path):
    decoded = miniaudio.decode_file(sample_path("short_u8.wav"), output_format=SF.UNSIGNED8, nchannels=2, sample_rate=44100)
    arr = decoded.as_numpy()
    assert arr.dtype == np.uint8
    assert arr.shape == (22050, 2)
    assert np.shares_memory(arr, np.frombuffer(decoded.samples, dtype=np.uint8))


def test_decoded_sound_file_171_constructor():
    samples = array.array("h", [1, 2, 3, 4, 5, 6])
    d = miniaudio.DecodedSoundFile("x", 2, 8000, SF.SIGNED16, samples)
    assert d.name == "x"
    assert d.nchannels == 2
    assert d.sample_rate == 8000
    assert d.sample_format == SF.SIGNED16
    assert d.sample_width == 2
    assert d.num_frames == 3
    assert d.duration == pytest.approx(3 / 8000)
    assert d.file_format == miniaudio.FileFormat.UNKNOWN
    assert d.sub_format is None
    assert d.samples is samples
    np.testing.assert_array_equal(d.as_numpy(), [[1, 2], [3, 4], [5, 6]])
