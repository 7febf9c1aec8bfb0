"""convert_sample_format() and convert_frames(): round trips, lossless widenings,
output sizes, rate/channel changes keep frequency and level."""

import array

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF, DitherMode, ChannelMixMode

from helpers import bytes_to_pcm, s24_bytes, assert_close_lsb, FMT_NAME

ALL_FORMATS = [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32]


def pcm_in(fmt, sig, name="tone"):
    """Reference signal stored as fmt, returned as raw interleaved bytes."""
    ref = sig.reference(name, FMT_NAME[fmt])
    if fmt == SF.SIGNED24:
        return s24_bytes(ref)
    return ref.tobytes()


def test_s16_f32_s16_round_trip_within_1_lsb(sig):
    src = sig.reference("tone", "s16")
    # include the extremes too
    src = np.concatenate([src.reshape(-1), np.array([-32768, -32767, -1, 0, 1, 32766, 32767], np.int16)])
    f = miniaudio.convert_sample_format(SF.SIGNED16, src.tobytes(), SF.FLOAT32)
    assert isinstance(f, bytearray)
    assert len(f) == len(src) * 4
    fv = np.frombuffer(bytes(f), np.float32)
    assert np.all(np.abs(fv) <= 1.0)
    np.testing.assert_allclose(fv, src / 32768.0, atol=1.01 / 32768)
    back = miniaudio.convert_sample_format(SF.FLOAT32, f, SF.SIGNED16)
    assert len(back) == len(src) * 2
    bv = np.frombuffer(bytes(back), np.int16).astype(np.int32)
    assert np.max(np.abs(bv - src.astype(np.int32))) <= 1


@pytest.mark.parametrize(
    "a,b",
    [(SF.UNSIGNED8, SF.SIGNED16), (SF.UNSIGNED8, SF.SIGNED32), (SF.SIGNED16, SF.SIGNED32),
     (SF.SIGNED16, SF.SIGNED24), (SF.SIGNED24, SF.SIGNED32), (SF.UNSIGNED8, SF.SIGNED24)],
)
def test_lossless_widening_round_trips_exactly(a, b, sig):
    src = pcm_in(a, sig)
    wide = miniaudio.convert_sample_format(a, src, b)
    assert len(wide) == len(src) // miniaudio.width_from_format(a) * miniaudio.width_from_format(b)
    back = miniaudio.convert_sample_format(b, wide, a)
    assert bytes(back) == src


def test_widening_values(sig):
    s16 = sig.reference("tone", "s16")
    s32 = bytes_to_pcm(miniaudio.convert_sample_format(SF.SIGNED16, s16.tobytes(), SF.SIGNED32), SF.SIGNED32, 2)
    np.testing.assert_array_equal(s32, s16.astype(np.int32) << 16)
    s24 = bytes_to_pcm(miniaudio.convert_sample_format(SF.SIGNED16, s16.tobytes(), SF.SIGNED24), SF.SIGNED24, 2)
    np.testing.assert_array_equal(s24, s16.astype(np.int32) << 8)
    u8 = sig.reference("tone", "u8")
    s16b = bytes_to_pcm(miniaudio.convert_sample_format(SF.UNSIGNED8, u8.tobytes(), SF.SIGNED16), SF.SIGNED16, 2)
    np.testing.assert_array_equal(s16b, (u8.astype(np.int32) - 128) << 8)


@pytest.mark.parametrize("src_fmt", ALL_FORMATS)
@pytest.mark.parametrize("dst_fmt", ALL_FORMATS)
def test_all_pairs_close_to_reference(src_fmt, dst_fmt, sig):
    src = pcm_in(src_fmt, sig)
    out = miniaudio.convert_sample_format(src_fmt, src, dst_fmt)
    assert isinstance(out, bytearray)
    nsamples = len(src) // miniaudio.width_from_format(src_fmt)
    assert len(out) == nsamples * miniaudio.width_from_format(dst_fmt)
    got = bytes_to_pcm(out, dst_fmt, 2)
    assert_close_lsb(got, FMT_NAME[dst_fmt], sig.reference("tone", FMT_NAME[src_fmt]), FMT_NAME[src_fmt], nlsb=2)


def test_same_format_is_copy(sig):
    src = pcm_in(SF.SIGNED16, sig)
    out = miniaudio.convert_sample_format(SF.SIGNED16, src, SF.SIGNED16)
    assert bytes(out) == src


@pytest.mark.parametrize("dither", list(DitherMode))
def test_dither_f32_to_s16(dither, sig):
    src = pcm_in(SF.FLOAT32, sig)
    out = miniaudio.convert_sample_format(SF.FLOAT32, src, SF.SIGNED16, dither)
    out_kw = miniaudio.convert_sample_format(SF.FLOAT32, src, SF.SIGNED16, dither=dither)
    assert len(out) == len(out_kw) == len(src) // 2
    for o in (out, out_kw):
        assert_close_lsb(bytes_to_pcm(o, SF.SIGNED16, 2), "s16", sig.reference("tone", "f32"), "f32", nlsb=4)
    if dither == DitherMode.NONE:
        assert out == out_kw


def test_empty_input_gives_empty_output():
    assert miniaudio.convert_sample_format(SF.SIGNED16, b"", SF.FLOAT32) == bytearray()


# --- convert_frames -----------------------------------------------------------

@pytest.mark.parametrize("to_rate", [48000, 22050, 44100, 96000])
@pytest.mark.parametrize("to_fmt", [SF.SIGNED16, SF.FLOAT32])
def test_convert_frames_rate_change(to_rate, to_fmt, sig):
    src = sig.reference("tone", "s16")
    out = miniaudio.convert_frames(SF.SIGNED16, 2, 44100, src.tobytes(), to_fmt, 2, to_rate)
    assert isinstance(out, bytearray)
    width = miniaudio.width_from_format(to_fmt)
    assert len(out) % (2 * width) == 0
    nframes = len(out) // (2 * width)
    assert abs(nframes - to_rate) <= 8, nframes
    x = bytes_to_pcm(out, to_fmt, 2).astype(np.float64)
    if to_fmt == SF.SIGNED16:
        x /= 32768
    edge = to_rate // 20
    for ch, f in enumerate((440.0, 660.0)):
        assert sig.peak_frequency(x[edge:-edge, ch], to_rate) == pytest.approx(f, abs=2)
        assert sig.rms(x[edge:-edge, ch]) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


def test_convert_frames_identity_is_exact(sig):
    src = sig.reference("tone", "s16").tobytes()
    out = miniaudio.convert_frames(SF.SIGNED16, 2, 44100, src, SF.SIGNED16, 2, 44100)
    assert bytes(out) == src


def test_convert_frames_stereo_to_mono(sig):
    src = sig.reference("tone", "s16")
    out = miniaudio.convert_frames(SF.SIGNED16, 2, 44100, src.tobytes(), SF.FLOAT32, 1, 44100)
    assert len(out) == 44100 * 4
    x = np.frombuffer(bytes(out), np.float32).astype(np.float64)
    expected = (src[:, 0].astype(np.float64) + src[:, 1]) / 2 / 32768
    assert np.max(np.abs(x - expected)) <= 2 / 32768


def test_convert_frames_mono_to_stereo(sig):
    src = sig.reference("mono", "f32")
    out = miniaudio.convert_frames(SF.FLOAT32, 1, 22050, src.tobytes(), SF.FLOAT32, 2, 22050)
    x = np.frombuffer(bytes(out), np.float32).reshape(-1, 2)
    assert x.shape == (22050, 2)
    np.testing.assert_array_equal(x[:, 0], x[:, 1])
    np.testing.assert_allclose(x[:, 0], src[:, 0], atol=1e-6)


def test_convert_frames_keywords(sig):
    src = sig.reference("tone", "f32").tobytes()
    base = miniaudio.convert_frames(SF.FLOAT32, 2, 44100, src, SF.SIGNED16, 2, 48000)
    same = miniaudio.convert_frames(SF.FLOAT32, 2, 44100, src, SF.SIGNED16, 2, 48000,
                                    dither=DitherMode.NONE, channel_mix=ChannelMixMode.RECTANGULAR, resampler_order=4)
    assert base == same
    for order in (0, 2, 8):
        o = miniaudio.convert_frames(SF.FLOAT32, 2, 44100, src, SF.SIGNED16, 2, 48000, resampler_order=order)
        assert abs(len(o) // 4 - 48000) <= 8
    tri = miniaudio.convert_frames(SF.FLOAT32, 2, 44100, src, SF.SIGNED16, 2, 48000, dither=DitherMode.TRIANGLE)
    assert len(tri) == len(base)
    simple = miniaudio.convert_frames(SF.FLOAT32, 2, 44100, src, SF.SIGNED16, 1, 44100, channel_mix=ChannelMixMode.SIMPLE)
    assert len(simple) == 44100 * 2


@pytest.mark.parametrize(
    "data_factory",
    [bytes, bytearray, memoryview, lambda b: array.array("h", b), lambda b: np.frombuffer(b, np.int16)],
    ids=["bytes", "bytearray", "memoryview", "array", "numpy"],
)
def test_convert_accepts_buffers(data_factory, sig):
    raw = sig.reference("tone", "s16").tobytes()
    expected_fmt = miniaudio.convert_sample_format(SF.SIGNED16, raw, SF.FLOAT32)
    expected_frames = miniaudio.convert_frames(SF.SIGNED16, 2, 44100, raw, SF.FLOAT32, 1, 22050)
    assert miniaudio.convert_sample_format(SF.SIGNED16, data_factory(raw), SF.FLOAT32) == expected_fmt
    assert miniaudio.convert_frames(SF.SIGNED16, 2, 44100, data_factory(raw), SF.FLOAT32, 1, 22050) == expected_frames
