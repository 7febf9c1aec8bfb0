"""Lossy decoding (MP3, Ogg Vorbis): the decoded tone keeps its frequency
(FFT peak within 2 Hz), level (RMS within 10 %) and length."""

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from helpers import BY_NAME, MP3_FRAME_TOLERANCE, pcm, check_decoded_meta, to_float

# (function name, takes filename?, output format)
MP3_READERS = [
    ("mp3_read_s16", False, SF.SIGNED16),
    ("mp3_read_f32", False, SF.FLOAT32),
    ("mp3_read_file_s16", True, SF.SIGNED16),
    ("mp3_read_file_f32", True, SF.FLOAT32),
]
VORBIS_READERS = [
    ("vorbis_read", False, SF.SIGNED16),
    ("vorbis_read_file", True, SF.SIGNED16),
]


def as_float(decoded):
    return to_float(pcm(decoded), {SF.SIGNED16: "s16", SF.FLOAT32: "f32", SF.SIGNED32: "s32", SF.UNSIGNED8: "u8"}[decoded.sample_format])


def check_tone(x, rate, signal, sig, skip=2048):
    """Each channel of x (float, frames x channels) has the signal's frequency and level.
    The first/last `skip` frames are ignored (codec warm-up / edges)."""
    srate, freqs, amp, nframes = sig.SIGNALS[signal]
    assert x.shape[1] == len(freqs)
    body = x[skip:-skip] if len(x) > 3 * skip else x
    for ch, f in enumerate(freqs):
        est = sig.peak_frequency(body[:, ch], rate)
        assert est == pytest.approx(f, abs=2.0), "channel %d: %.2f Hz, expected %.1f Hz" % (ch, est, f)
        level = sig.rms(body[:, ch])
        assert level == pytest.approx(amp / np.sqrt(2), rel=0.10), "channel %d RMS %.4f" % (ch, level)


def check_length(decoded, sample):
    if sample.file_format == miniaudio.FileFormat.MP3:
        assert abs(decoded.num_frames - sample.num_frames) <= MP3_FRAME_TOLERANCE, decoded.num_frames
    else:
        # Vorbis: the last page's granule position gives the exact length
        assert decoded.num_frames == sample.num_frames


@pytest.mark.parametrize("name", ["tone.mp3", "mono.mp3"])
@pytest.mark.parametrize("func,from_file,fmt", MP3_READERS, ids=[r[0] for r in MP3_READERS])
def test_mp3_read(name, func, from_file, fmt, sample_path, sample_bytes, sig):
    s = BY_NAME[name]
    arg = sample_path(name) if from_file else sample_bytes(name)
    decoded = getattr(miniaudio, func)(arg)
    check_decoded_meta(decoded, s.nchannels, s.sample_rate, fmt)
    assert decoded.samples.typecode == {SF.SIGNED16: "h", SF.FLOAT32: "f"}[fmt]
    check_length(decoded, s)
    check_tone(as_float(decoded), s.sample_rate, s.signal, sig)


def test_mp3_gapless_length_exact(sample_path):
    """The samples carry a LAME/Xing header with encoder delay and padding;
    dr_mp3 honours it, so the decoded length is the original length exactly."""
    for name in ("tone.mp3", "mono.mp3"):
        s = BY_NAME[name]
        assert miniaudio.mp3_read_file_f32(sample_path(name)).num_frames == s.num_frames, name
        assert miniaudio.mp3_get_file_info(sample_path(name)).num_frames == s.num_frames, name


@pytest.mark.parametrize("name", ["tone.ogg", "mono.ogg"])
@pytest.mark.parametrize("func,from_file,fmt", VORBIS_READERS, ids=[r[0] for r in VORBIS_READERS])
def test_vorbis_read(name, func, from_file, fmt, sample_path, sample_bytes, sig):
    s = BY_NAME[name]
    arg = sample_path(name) if from_file else sample_bytes(name)
    decoded = getattr(miniaudio, func)(arg)
    check_decoded_meta(decoded, s.nchannels, s.sample_rate, fmt)
    assert decoded.samples.typecode == "h"
    check_length(decoded, s)
    check_tone(as_float(decoded), s.sample_rate, s.signal, sig)


def test_mp3_s16_and_f32_agree(sample_bytes):
    a = miniaudio.mp3_read_s16(sample_bytes("tone.mp3"))
    b = miniaudio.mp3_read_f32(sample_bytes("tone.mp3"))
    assert a.num_frames == b.num_frames
    # same decoder, different output conversion: within a couple of s16 LSB
    diff = np.abs(as_float(a) - as_float(b))
    assert diff.max() <= 3 / 32768


def check_aligned(x, ref, sig):
    """x matches ref up to a gain (LAME scales its input by ~0.95): the least-squares
    gain is near 1 and the residual is tiny.  A decode shifted by even a few
    samples against a 440/660 Hz tone leaves a residual of several percent."""
    body = slice(2048, -2048)
    g = float(np.sum(x[body] * ref[body]) / np.sum(ref[body] * ref[body]))
    assert 0.85 < g < 1.05, g
    err = sig.rms((x - g * ref)[body]) / sig.rms(ref[body])
    assert err < 0.02, err


@pytest.mark.parametrize("name", ["tone.mp3", "mono.mp3"])
def test_mp3_decoded_waveform_aligned_with_reference(name, sample_bytes, sig):
    """Gapless decode (encoder delay removed) lines up with the original signal."""
    s = BY_NAME[name]
    decoded = miniaudio.mp3_read_f32(sample_bytes(name))
    if decoded.num_frames != s.num_frames:
        pytest.fail("decoded %d frames, expected %d: LAME gapless info not honoured" % (decoded.num_frames, s.num_frames))
    check_aligned(as_float(decoded), sig.float_signal(s.signal), sig)


@pytest.mark.parametrize("name", ["tone.ogg", "mono.ogg"])
def test_vorbis_decoded_waveform_aligned_with_reference(name, sample_bytes, sig):
    s = BY_NAME[name]
    decoded = miniaudio.vorbis_read(sample_bytes(name))
    assert decoded.num_frames == s.num_frames
    check_aligned(as_float(decoded), sig.float_signal(s.signal), sig)


@pytest.mark.parametrize("name", ["tone.mp3", "tone.ogg", "mono.mp3", "mono.ogg"])
def test_read_file_lossy_is_s16(name, sample_path, sig):
    s = BY_NAME[name]
    decoded = miniaudio.read_file(sample_path(name))
    check_decoded_meta(decoded, s.nchannels, s.sample_rate, SF.SIGNED16)
    check_length(decoded, s)
    check_tone(as_float(decoded), s.sample_rate, s.signal, sig)


@pytest.mark.parametrize("name", ["tone.mp3", "tone.ogg"])
def test_decode_lossy_native(name, sample_bytes, sample_path, sig):
    s = BY_NAME[name]
    a = miniaudio.decode(sample_bytes(name), output_format=SF.FLOAT32, nchannels=2, sample_rate=44100)
    b = miniaudio.decode_file(sample_path(name), output_format=SF.FLOAT32, nchannels=2, sample_rate=44100)
    assert a.samples == b.samples
    check_decoded_meta(a, 2, 44100, SF.FLOAT32)
    check_length(a, s)
    check_tone(as_float(a), 44100, s.signal, sig)
