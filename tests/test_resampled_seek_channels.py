"""A resampled stream sought back, or looped, gives the same frames on every channel (patch 0054).

miniaudio's ma_biquad_clear_cache reset only the first channel's filter state, so after any reset
of a resampler (every seek of a resampled stream, every loop wrap) the other channels started with
the history of what was read before: a 48 kHz stereo WAV at 44.1 kHz, read a little and sought back
to 0, gave other samples on its second channel for ~435 frames.  Inputs are made here: every
channel a different random signal, so a channel that keeps another's history cannot pass.
"""

import random
import struct

import pytest

import miniaudio

SF = miniaudio.SampleFormat


def wav(frames, rate, channels, seed=1):
    rnd = random.Random(seed)
    data = struct.pack("<%dh" % (frames * channels), *(rnd.randrange(-30000, 30000) for _ in range(frames * channels)))
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt +
            b"data" + struct.pack("<I", len(data)) + data)


def frames(stream):
    return [x for chunk in stream for x in chunk]


RATES = [(48000, 44100), (22050, 48000), (44100, 8000), (96000, 44100)]


@pytest.mark.parametrize("channels", [1, 2, 3, 6])
@pytest.mark.parametrize("rate_in,rate_out", RATES)
def test_seek_back_to_0_after_reading_gives_the_fresh_frames(channels, rate_in, rate_out):
    data = wav(3000, rate_in, channels)
    fresh = frames(miniaudio.stream_memory(data, SF.FLOAT32, channels, rate_out, 100))
    for read_first in (1, 7, 500):
        s = miniaudio.stream_memory(data, SF.FLOAT32, channels, rate_out, 100)
        s.send(read_first)
        assert s.seek(0) == 0
        assert frames(s) == fresh, (read_first, channels)


@pytest.mark.parametrize("channels", [2, 6])
@pytest.mark.parametrize("rate_in,rate_out", RATES)
def test_a_seek_lands_on_the_same_frames_whatever_was_read_before(channels, rate_in, rate_out):
    data = wav(3000, rate_in, channels)
    s = miniaudio.stream_memory(data, SF.FLOAT32, channels, rate_out, 100)
    target = s.length // 2
    s.seek(target)
    want = frames(s)
    s = miniaudio.stream_memory(data, SF.FLOAT32, channels, rate_out, 100)
    s.send(s.length * 2 // 3)
    assert s.seek(target) == target
    assert frames(s) == want


@pytest.mark.parametrize("channels", [2, 3])
def test_a_resampled_loop_repeats_exactly_on_every_channel(channels):
    data = wav(2000, 48000, channels)
    once = miniaudio.decode(data, SF.SIGNED16, channels, 44100).samples.tolist()
    looped = frames(miniaudio.stream_memory(data, SF.SIGNED16, channels, 44100, 333, loop=3))
    assert looped == once * 3
