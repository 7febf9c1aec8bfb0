"""decode() / decode_file() with conversion: resampling (frame count and
frequency preserved), channel mixing (stereo->mono, mono->stereo), output
formats, dither, channel_mix and resampler_order keywords."""

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF, DitherMode, ChannelMixMode

from helpers import BY_NAME, pcm, check_decoded_meta, to_float, FMT_NAME, assert_close_lsb

FRAME_SLACK = 8  # resampler latency / rounding of the output length


def fl(decoded):
    return to_float(pcm(decoded), FMT_NAME[decoded.sample_format])


@pytest.mark.parametrize("rate", [48000, 22050, 96000, 8000])
@pytest.mark.parametrize("name", ["tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg"])
def test_resample_keeps_length_and_frequency(name, rate, sample_bytes, sig):
    s = BY_NAME[name]
    d = miniaudio.decode(sample_bytes(name), output_format=SF.FLOAT32, nchannels=2, sample_rate=rate)
    check_decoded_meta(d, 2, rate, SF.FLOAT32)
    expected = s.num_frames * rate / s.sample_rate
    slack = FRAME_SLACK + (1152 * rate / s.sample_rate if name.endswith(".mp3") else 0)
    assert abs(d.num_frames - expected) <= slack, (d.num_frames, expected)
    assert d.duration == pytest.approx(1.0, abs=slack / rate + 1e-6)
    x = fl(d)
    edge = rate // 20
    for ch, f in enumerate(sig.SIGNALS["tone"][1]):
        est = sig.peak_frequency(x[edge:-edge, ch], rate)
        assert est == pytest.approx(f, abs=2.0)
        # level kept (well below Nyquist, so the low-pass filter must not attenuate)
        assert sig.rms(x[edge:-edge, ch]) == pytest.approx(0.5 / np.sqrt(2), rel=0.1)


def test_resample_decode_file_equals_decode(sample_path, sample_bytes):
    a = miniaudio.decode_file(sample_path("tone_s16.wav"), sample_rate=48000)
    b = miniaudio.decode(sample_bytes("tone_s16.wav"), sample_rate=48000)
    assert a.samples == b.samples


def test_default_arguments_171(sample_bytes):
    """defaults: SIGNED16, 2 channels, 44100 Hz, no dither."""
    d = miniaudio.decode(sample_bytes("mono_s16.wav"))
    check_decoded_meta(d, 2, 44100, SF.SIGNED16)
    assert d.samples.typecode == "h"
    assert abs(d.num_frames - 44100) <= FRAME_SLACK
    explicit = miniaudio.decode(sample_bytes("mono_s16.wav"), SF.SIGNED16, 2, 44100, DitherMode.NONE)
    assert explicit.samples == d.samples


def test_upsample_mono_22050_keeps_frequency(sample_bytes, sig):
    d = miniaudio.decode(sample_bytes("mono_s16.wav"), output_format=SF.FLOAT32, nchannels=1, sample_rate=44100)
    assert abs(d.num_frames - 44100) <= FRAME_SLACK
    x = fl(d)[:, 0]
    assert sig.peak_frequency(x[2000:-2000], 44100) == pytest.approx(330.0, abs=2.0)


def test_stereo_to_mono_is_average(sample_bytes, sig):
    """Default channel mix (RECTANGULAR) stereo -> mono: the mean of left and right."""
    d = miniaudio.decode(sample_bytes("tone_s16.wav"), output_format=SF.SIGNED16, nchannels=1, sample_rate=44100)
    check_decoded_meta(d, 1, 44100, SF.SIGNED16)
    assert d.num_frames == 44100
    ref = sig.reference("tone", "s16").astype(np.int32)
    expected = (ref[:, 0] + ref[:, 1]) / 2.0
    got = pcm(d)[:, 0].astype(np.float64)
    assert np.max(np.abs(got - expected)) <= 2.0


def test_stereo_to_mono_keeps_both_tones(sample_bytes, sig):
    d = miniaudio.decode(sample_bytes("tone.ogg"), output_format=SF.FLOAT32, nchannels=1, sample_rate=44100)
    x = fl(d)[:, 0]
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / 44100)
    peaks = sorted(freqs[np.argsort(spec)[-2:]])
    assert peaks[0] == pytest.approx(440, abs=3)
    assert peaks[1] == pytest.approx(660, abs=3)


def test_mono_to_stereo_duplicates(sample_bytes, sig):
    d = miniaudio.decode(sample_bytes("mono_s16.wav"), output_format=SF.SIGNED16, nchannels=2, sample_rate=22050)
    check_decoded_meta(d, 2, 22050, SF.SIGNED16)
    x = pcm(d)
    np.testing.assert_array_equal(x[:, 0], x[:, 1])
    assert_close_lsb(x[:, :1], "s16", sig.reference("mono", "s16"), "s16", nlsb=1)


@pytest.mark.parametrize("nch", [1, 2, 3, 6, 8])
def test_any_channel_count(nch, sample_bytes):
    d = miniaudio.decode(sample_bytes("tone_16.flac"), output_format=SF.SIGNED16, nchannels=nch, sample_rate=44100)
    check_decoded_meta(d, nch, 44100, SF.SIGNED16)
    assert d.num_frames == 44100
    assert np.any(pcm(d) != 0)


@pytest.mark.parametrize("mix", list(ChannelMixMode))
def test_channel_mix_keyword(mix, sample_bytes):
    if mix == ChannelMixMode.CUSTOMWEIGHTS:
        # there is no way to pass the weights: a clear ValueError is the sensible answer
        with pytest.raises(ValueError, match="channel_mix"):
            miniaudio.decode(sample_bytes("tone_s16.wav"), nchannels=1, channel_mix=mix)
        return
    d = miniaudio.decode(sample_bytes("tone_s16.wav"), output_format=SF.FLOAT32, nchannels=1, sample_rate=44100,
                         channel_mix=mix)
    check_decoded_meta(d, 1, 44100, SF.FLOAT32)
    assert d.num_frames == 44100
    assert np.max(np.abs(fl(d))) > 0.1


def test_channel_mix_simple_differs_from_rectangular_when_upmixing(sample_bytes):
    """SIMPLE and RECTANGULAR are different algorithms; for stereo -> 6 channels at
    least one output channel must differ (proves the option is passed through)."""
    args = dict(output_format=SF.FLOAT32, nchannels=6, sample_rate=44100)
    a = miniaudio.decode(sample_bytes("tone_s16.wav"), channel_mix=ChannelMixMode.RECTANGULAR, **args)
    b = miniaudio.decode(sample_bytes("tone_s16.wav"), channel_mix=ChannelMixMode.SIMPLE, **args)
    assert a.num_frames == b.num_frames
    assert a.samples != b.samples


@pytest.mark.parametrize("order", [0, 1, 2, 4, 8])
def test_resampler_order_keyword(order, sample_bytes, sig):
    d = miniaudio.decode(sample_bytes("tone_s16.wav"), output_format=SF.FLOAT32, nchannels=2, sample_rate=48000,
                         resampler_order=order)
    assert abs(d.num_frames - 48000) <= FRAME_SLACK
    assert sig.peak_frequency(fl(d)[2400:-2400, 0], 48000) == pytest.approx(440, abs=2)


@pytest.mark.parametrize("dither", list(DitherMode))
def test_dither_modes_f32_to_s16(dither, sample_bytes, sig):
    d = miniaudio.decode(sample_bytes("short_f32.wav"), output_format=SF.SIGNED16, nchannels=2, sample_rate=44100,
                         dither=dither)
    check_decoded_meta(d, 2, 44100, SF.SIGNED16)
    # dither adds at most a couple of LSB of noise
    assert_close_lsb(pcm(d), "s16", sig.reference("short", "f32"), "f32", nlsb=4)


def test_no_dither_is_deterministic(sample_bytes):
    a = miniaudio.decode(sample_bytes("short_f32.wav"), output_format=SF.SIGNED16)
    b = miniaudio.decode(sample_bytes("short_f32.wav"), output_format=SF.SIGNED16)
    assert a.samples == b.samples


@pytest.mark.parametrize("out,typecode", [(SF.UNSIGNED8, "B"), (SF.SIGNED16, "h"), (SF.SIGNED32, "i"), (SF.FLOAT32, "f")])
def test_output_formats_typecodes(out, typecode, sample_path, sig):
    d = miniaudio.decode_file(sample_path("tone.ogg"), output_format=out, nchannels=2, sample_rate=44100)
    check_decoded_meta(d, 2, 44100, out)
    assert d.samples.typecode == typecode
    x = fl(d)
    assert sig.peak_frequency(x[2048:-2048, 0], 44100) == pytest.approx(440, abs=2)


def test_decode_s24_output_not_supported(sample_bytes):
    """SIGNED24 has no array typecode: MiniaudioError as in 1.71 (or ValueError naming the argument)."""
    with pytest.raises((miniaudio.MiniaudioError, ValueError)):
        miniaudio.decode(sample_bytes("tone_s16.wav"), output_format=SF.SIGNED24)
