"""Multichannel Ogg Vorbis: every channel count from 1 to 8, as libvorbis codes it, decodes to the
channels that were encoded, sample for sample as FFmpeg's own Vorbis decoder gives them.

What was wrong (patch 0023): libvorbis codes 5.1 in two submaps, FL FC FR RL RR coupled in one
type-2 residue (3690 values of 5 * 1024 per long block at q3) and the LFE in a submap of its own.
stb_vorbis bounded every type-2 residue at 2 * 1024 values, as if it were stereo, and read the rest
as the LFE's: float peaks near +-30 and clipped noise in 16 bits (stb issues 879 and 1594).  The
other counts escaped (libvorbis codes them uncoupled, with type-1 residues).  Asked for the file's
own channel count, miniaudio also mixed the source into the default map of that count (6 channels:
SIDE left/right where 5.1 has BACK; 4 channels: FC and BC where quad has BL and BR), blending the
rear channels into the fronts and sides.  Now the channels come out unmixed in the standard order
(FL FR FC LFE BL BR BC SL SR), the order FFmpeg's decoder uses too.

The encoded files: ffmpeg's aevalsrc with a named layout (its channel order), one sine of amplitude
0.5 per channel at FREQS[k], the libvorbis encoder (which reorders into Vorbis order).  Needs ffmpeg
with libvorbis; it skips without them unless MINIAUDIO_REQUIRE_FFMPEG=1 or MINIAUDIO_REQUIRE_ICECAST=1
(CI, which installs ffmpeg), when it fails.  test_committed_51_file needs no ffmpeg: it decodes
tests/corpus/regressions/vorbis-51-libvorbis.bin (made by tests/corpus/make_regressions.py --ffmpeg).
"""

import array
import math
import os
import shutil
import struct
import subprocess

import pytest

import miniaudio

HERE = os.path.dirname(os.path.abspath(__file__))
COMMITTED_51 = os.path.join(HERE, "corpus", "regressions", "vorbis-51-libvorbis.bin")

RATE = 48000
SECONDS = 0.5
# FFmpeg's layout for each count: the same positions as the Vorbis I channel order of that count
# (section 4.3.9), in WAVE-mask order; ffmpeg's decoder outputs these, and so do we.
LAYOUTS = {1: "mono", 2: "stereo", 3: "3.0", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}
# One frequency per channel (in layout order), whole multiples of the 2 Hz FFT bin of 0.5 s at
# 48 kHz.  Channel 3 is the LFE of 5.1, 6.1 and 7.1, which libvorbis low-passes near 280 Hz.
FREQS = (220, 330, 440, 110, 550, 660, 770, 880)
AMPLITUDE = 0.5
SINE_RMS = AMPLITUDE / math.sqrt(2)  # 0.354
LFE = 3  # in 5.1, 6.1 and 7.1


def rms_tolerance(nchannels, k):
    """libvorbis codes the LFE of 5.1 coarsely: its 110 Hz sine comes back with an RMS of 0.43 to
    0.45 (FFmpeg's decoder gives the same samples); every other channel within 2 % of 0.354."""
    return 0.35 if nchannels >= 6 and k == LFE else 0.05
# Two float decoders of one bitstream: FFmpeg's and ours differed by at most 3.6e-7 on these files
# (after the fix; 26 before), float32 rounding of two IMDCT implementations.  30x margin.
SAME_SAMPLES = 1e-5


def _ffmpeg_missing():
    if shutil.which("ffmpeg") is None:
        return "ffmpeg not installed (Debian package ffmpeg)"
    encoders = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    if "libvorbis" not in encoders:
        return "ffmpeg has no libvorbis encoder"
    return None


@pytest.fixture(scope="module")
def ffmpeg():
    reason = _ffmpeg_missing()
    if reason:
        for var in ("MINIAUDIO_REQUIRE_FFMPEG", "MINIAUDIO_REQUIRE_ICECAST"):
            if os.environ.get(var) == "1":
                pytest.fail(f"{var}=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def _run(args, **kw):
    return subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", *args], check=True,
                          capture_output=True, timeout=60, **kw).stdout


def encode(channels, seconds=SECONDS, quality="3"):
    """An Ogg Vorbis file (bytes) from libvorbis: channel k of LAYOUTS[channels] holds FREQS[k]."""
    exprs = "|".join(f"{AMPLITUDE}*sin({FREQS[k]}*2*PI*t)" for k in range(channels))
    return _run(["-f", "lavfi", "-i", f"aevalsrc={exprs}:c={LAYOUTS[channels]}:s={RATE}:d={seconds}",
                 "-c:a", "libvorbis", "-q:a", quality, "-fflags", "+bitexact", "-flags:a", "+bitexact",
                 "-f", "ogg", "-"])


def ffmpeg_decode(data):
    """FFmpeg's native Vorbis decoder (not libvorbis), float32 in its layout order."""
    raw = _run(["-c:a", "vorbis", "-f", "ogg", "-i", "-", "-f", "f32le", "-"], input=data)
    return array.array("f", raw)


def last_granule(data):
    """The granule position of the last Ogg page: the stream's length in samples."""
    at = data.rfind(b"OggS")
    return struct.unpack_from("<q", data, at + 6)[0]


def channel(samples, nchannels, k):
    return samples[k::nchannels]


def rms(xs):
    return math.sqrt(sum(x * x for x in xs) / len(xs))


def dominant_frequency(xs, rate=RATE):
    """The frequency (Hz, to the 2 Hz bin) with the most energy, among FREQS (a plain DFT at those
    few frequencies, and at the bins next to each, so a wrong channel or noise cannot pass)."""
    n = len(xs)
    candidates = sorted({f + d for f in FREQS for d in (-20, -10, 0, 10, 20)})

    def power(f):
        w = 2 * math.pi * f / rate
        c = sum(x * math.cos(w * i) for i, x in enumerate(xs))
        s = sum(x * math.sin(w * i) for i, x in enumerate(xs))
        return (c * c + s * s) / n

    return max(candidates, key=power)


@pytest.fixture(scope="module", params=range(1, 9), ids=lambda c: f"{c}ch")
def encoded(request, ffmpeg):
    channels = request.param
    data = encode(channels)
    return channels, data, ffmpeg_decode(data)


def test_float_decode_equals_ffmpeg_channel_by_channel(encoded):
    nch, data, theirs = encoded
    info = miniaudio.vorbis_get_info(data)
    assert (info.nchannels, info.sample_rate) == (nch, RATE)
    ours = miniaudio.decode(data, miniaudio.SampleFormat.FLOAT32, info.nchannels, info.sample_rate)
    assert (ours.nchannels, ours.sample_rate) == (nch, RATE)
    # Every input frame, as the last granule position says.  FFmpeg's command line delivers
    # 128 frames (half a short block) fewer at the end: it counts the first packet, which
    # yields no audio, as 128 frames and cuts the last packet at the granule position.
    assert ours.num_frames == last_granule(data) == int(RATE * SECONDS) == info.num_frames
    their_frames = len(theirs) // nch
    assert 0 <= ours.num_frames - their_frames <= 128
    for k in range(nch):
        mine = channel(ours.samples, nch, k)[:their_frames]
        ref = channel(theirs, nch, k)
        worst = max(abs(a - b) for a, b in zip(mine, ref))
        assert worst < SAME_SAMPLES, f"{nch} channels: channel {k} differs from FFmpeg's by {worst}"


def test_each_channel_holds_its_own_sine(encoded):
    nch, data, _ = encoded
    ours = miniaudio.decode(data, miniaudio.SampleFormat.FLOAT32, nch, RATE)
    assert max(map(abs, ours.samples)) < 0.75  # unfixed 5.1: 25.5
    for k in range(nch):
        xs = channel(ours.samples, nch, k)[2400:-2400]  # whole periods away from the edges
        assert dominant_frequency(xs) == FREQS[k], f"{nch} channels: channel {k}"
        assert rms(xs) == pytest.approx(SINE_RMS, rel=rms_tolerance(nch, k)), f"{nch} channels: channel {k}"


def test_signed16_decode_has_no_clipping_noise(encoded):
    nch, data, _ = encoded
    for sound in (miniaudio.decode(data, miniaudio.SampleFormat.SIGNED16, nch, RATE), miniaudio.vorbis_read(data)):
        assert (sound.nchannels, sound.num_frames) == (nch, int(RATE * SECONDS))
        assert max(map(abs, sound.samples)) < 0.75 * 32767  # unfixed 5.1: full scale
        for k in range(nch):
            xs = channel(sound.samples, nch, k)[2400:-2400]
            assert rms(xs) == pytest.approx(SINE_RMS * 32767, rel=rms_tolerance(nch, k)), f"{nch} channels: {k}"


def test_stream_equals_decode(encoded):
    nch, data, _ = encoded
    whole = miniaudio.decode(data, miniaudio.SampleFormat.FLOAT32, nch, RATE).samples
    streamed = array.array("f")
    for chunk in miniaudio.stream_memory(data, miniaudio.SampleFormat.FLOAT32, nch, RATE, frames_to_read=1000):
        streamed.extend(chunk)
    assert streamed == whole


def test_silent_rear_channels_stay_silent(ffmpeg):
    # 5.1 with silent rears and a gated front left: libvorbis leaves the rears' floors unused in
    # most packets while their coupling partners carry sound.
    exprs = "0.5*sin(220*2*PI*t)*gt(mod(t\\,0.2)\\,0.1)|0.5*sin(330*2*PI*t)|0|0|0|0"
    data = _run(["-f", "lavfi", "-i", f"aevalsrc={exprs}:c=5.1:s={RATE}:d=1", "-c:a", "libvorbis", "-q:a", "3",
                 "-f", "ogg", "-"])
    theirs = ffmpeg_decode(data)
    ours = miniaudio.decode(data, miniaudio.SampleFormat.FLOAT32, 6, RATE).samples
    frames = len(theirs) // 6
    for k in range(6):
        worst = max(abs(a - b) for a, b in zip(channel(ours, 6, k)[:frames], channel(theirs, 6, k)))
        assert worst < SAME_SAMPLES, f"channel {k} differs from FFmpeg's by {worst}"
    assert max(map(abs, ours[2::6] + ours[3::6] + ours[4::6] + ours[5::6])) < 1e-3


# ---- the committed file: no ffmpeg needed ------------------------------------------------------

# vorbis-51-libvorbis.bin: 0.3 s of 5.1 at 48 kHz, libvorbis q0, channel k of FFmpeg's 5.1 layout
# (FL FR FC LFE BL BR) holding FREQS[k] (make_regressions.py --ffmpeg).
COMMITTED_FRAMES = 14400


@pytest.mark.parametrize("how", ["decode", "decode_file", "stream_file", "vorbis_read"])
def test_committed_51_file(how):
    with open(COMMITTED_51, "rb") as f:
        data = f.read()
    f32 = miniaudio.SampleFormat.FLOAT32
    if how == "decode":
        samples, scale = miniaudio.decode(data, f32, 6, RATE).samples, 1.0
    elif how == "decode_file":
        samples, scale = miniaudio.decode_file(COMMITTED_51, f32, 6, RATE).samples, 1.0
    elif how == "stream_file":
        samples, scale = array.array("f"), 1.0
        for chunk in miniaudio.stream_file(COMMITTED_51, f32, 6, RATE, frames_to_read=1024):
            samples.extend(chunk)
    else:
        samples, scale = miniaudio.vorbis_read(data).samples, 32767.0
    assert len(samples) == 6 * COMMITTED_FRAMES
    assert max(map(abs, samples)) < 0.75 * scale  # unfixed: 27 (float), 32767 (16 bits)
    for k in range(6):
        xs = channel(samples, 6, k)[2400:-2400]
        assert dominant_frequency(xs) == FREQS[k], f"channel {k}"
        assert rms(xs) == pytest.approx(SINE_RMS * scale, rel=rms_tolerance(6, k)), f"channel {k}"
