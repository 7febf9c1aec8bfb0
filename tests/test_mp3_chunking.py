"""MP3 samples do not depend on how the reads are split.

A stream's channel count is its first MP3 frame's.  A later frame with another count (a mono/stereo
switch, or a header corrupted into one) was copied out as if it had the stream's layout, so the
samples after a read boundary inside that frame depended on where the boundary fell: decode() and
a stream whose first read ended inside the frame disagreed (found by the long fuzz run, target
agree: tests/corpus/regressions/fuzz-agree-mp3-stereo-frame-chunking.bin, a 22050 Hz mono MP3 with
one frame that says stereo).  Such a frame is now converted to the stream's channels (patch 0040).

Checked here: decode() against streams read with a first read ending at every frame around the
odd frame, with 1-, 7- and 1000-frame chunks, and after seeks into it; for the fuzz input, MP3s
from the samples with one frame's channel mode flipped, and MP3s whose Xing/Info frame count
under- or over-states the frames (the reads go past / stop before the counted end).
"""

import array
import os

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from test_length_consistency import mp3_with_xing_count, sample

REGRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "regressions")
FORMATS = (SF.FLOAT32, SF.SIGNED16)
TYPECODE = {SF.FLOAT32: "f", SF.SIGNED16: "h"}

_BITRATES = {1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def layer3_frames(data):
    """(offset, size) of the MPEG audio layer III frames following an ID3v2 tag, in order."""
    pos = 0
    if data[:3] == b"ID3":
        s = data[6:10]
        pos = 10 + ((s[0] << 21) | (s[1] << 14) | (s[2] << 7) | s[3])
    frames = []
    while pos + 4 <= len(data):
        h = data[pos:pos + 4]
        version, bitrate, rate = (h[1] >> 3) & 3, h[2] >> 4, (h[2] >> 2) & 3
        if h[0] != 0xFF or h[1] & 0xE6 != 0xE2 or version == 1 or bitrate in (0, 15) or rate == 3:
            break
        kbps = _BITRATES[1 if version == 3 else 2][bitrate]
        size = (144 if version == 3 else 72) * kbps * 1000 // _RATES[version][rate] + ((h[2] >> 1) & 1)
        frames.append((pos, size))
        pos += size
    return frames


def with_channel_mode(data, index, mode):
    """The MP3 with the channel mode bits of its frame number `index` set (0 stereo, 3 mono)."""
    data = bytearray(data)
    pos = layer3_frames(bytes(data))[index][0]
    data[pos + 3] = (data[pos + 3] & 0x3F) | (mode << 6)
    return bytes(data)


def as_array(fmt, chunks):
    return array.array(TYPECODE[fmt], b"".join(bytes(c) for c in chunks))


def stream(data, fmt, nch, rate, first, then, seek=None):
    """Every sample of a memory stream: a first read of `first` frames, then reads of `then`."""
    s = miniaudio.stream_memory(data, fmt, nch, rate, then)
    out = []
    if seek is not None:
        assert s.seek(seek) == seek
    if first:
        out.append(s.send(first))
    for chunk in s:
        out.append(chunk)
    return as_array(fmt, out)


def check_splits(data, fmt, nch, rate, firsts):
    """decode() == streams read with each first read size, and with 1-, 7- and 1000-frame chunks."""
    expected = miniaudio.decode(data, fmt, nch, rate).samples
    assert len(expected) > 0
    for chunk in (1, 7, 1000):
        assert stream(data, fmt, nch, rate, 0, chunk) == expected, f"{chunk}-frame chunks"
    for first in firsts:
        got = stream(data, fmt, nch, rate, first, 100000)
        if got != expected:
            diff = [i for i in range(min(len(got), len(expected))) if got[i] != expected[i]]
            pytest.fail(f"first read of {first} frames: {len(got)} samples against {len(expected)}, "
                        f"differ at {diff[:1]}..{diff[-1:]} ({len(diff)})")
    return expected


def check_seeks(data, fmt, nch, rate, expected, targets):
    """After seek(target), reads of 7 then 1000 frames give the samples decode() gave there."""
    s = miniaudio.stream_memory(data, fmt, nch, rate, 1000)
    for target in list(targets) + list(targets)[::-1]:
        assert s.seek(target) == target
        got = as_array(fmt, [s.send(7), s.send(1000)])
        assert got == expected[target * nch:(target + 1007) * nch], f"after seek({target})"


# ---- the fuzz input ------------------------------------------------------------------------------

def fuzz_input():
    with open(os.path.join(REGRESSIONS, "fuzz-agree-mp3-stereo-frame-chunking.bin"), "rb") as f:
        return f.read()


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_fuzz_input_every_first_read_in_the_stereo_frame(fmt):
    """The frame giving output frames 7488..8063 says stereo in a mono stream: a first read
    ending anywhere in it, or in the frames either side, gives decode()'s samples."""
    data = fuzz_input()
    expected = check_splits(data, fmt, 1, 22050, range(7488 - 40, 8064 + 40))
    assert len(expected) == 9216
    check_seeks(data, fmt, 1, 22050, expected, range(7400, 8100, 23))


def test_fuzz_input_in_stereo():
    data = fuzz_input()
    expected = check_splits(data, SF.FLOAT32, 2, 22050, range(7488, 8064 + 1, 3))
    check_seeks(data, SF.FLOAT32, 2, 22050, expected, range(7400, 8100, 41))


# ---- a frame of the other channel count, built from the samples ----------------------------------

# Both samples come from LAME with an Info frame first; decoding skips the encoder delay of
# 576 + 529 samples.  The output of MP3 frame `index` (the Info frame is 0) starts at:
DELAY = 1105


def frame_start(index, spf):
    return (index - 1) * spf - DELAY


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_stereo_frame_in_a_mono_stream(fmt):
    """mono.mp3 (22050 Hz, 576-sample frames) with frame 20 marked stereo (it still decodes; a
    later frame whose bit reservoir it spoilt does not); the frame is mixed down to mono."""
    original = sample("mono.mp3")
    data = with_channel_mode(original, 20, 0)
    start = frame_start(20, 576)
    before = miniaudio.decode(original, fmt, 1, 22050).samples
    expected = check_splits(data, fmt, 1, 22050, range(start - 20, start + 576 + 20))
    assert expected[:start] == before[:start]
    check_seeks(data, fmt, 1, 22050, expected, range(start - 50, start + 600, 13))


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_mono_frame_in_a_stereo_stream(fmt):
    """tone.mp3 (44100 Hz stereo, 1152-sample frames) with frame 15 marked mono (it still
    decodes): the frame is given on both channels (it gave stale samples of the frame before)."""
    original = sample("tone.mp3")
    data = with_channel_mode(original, 15, 3)
    start = frame_start(15, 1152)
    before = miniaudio.decode(original, fmt, 2, 44100).samples
    expected = check_splits(data, fmt, 2, 44100, range(start - 20, start + 1152 + 20, 3))
    check_seeks(data, fmt, 2, 44100, expected, range(start - 50, start + 1200, 29))
    assert len(expected) == len(before)
    assert expected[:start * 2] == before[:start * 2]
    frame = expected[start * 2:(start + 1152) * 2]
    assert frame[0::2] == frame[1::2], "a mono frame gives the same samples on both channels"
    assert any(frame), "the mono frame is not silence"
    assert expected[(start - 1) * 2] != expected[(start - 1) * 2 + 1], "the stereo frame before differs"


# ---- Xing/Info counts that under- and over-state the frames --------------------------------------

@pytest.mark.parametrize("name, nch, rate, spf", [("tone.mp3", 2, 44100, 1152), ("mono.mp3", 1, 22050, 576)])
@pytest.mark.parametrize("how", ["understated", "overstated"])
def test_counted_end_every_first_read(name, nch, rate, spf, how):
    """A first read ending at every frame of the MP3 frames around the counted end (the count's
    length from get_info()) and around the real end, chunks of 1, 7 and 1000: decode()'s samples."""
    original = sample(name)
    audio_frames = len(layer3_frames(original)) - 1     # the first is the Info frame
    count = audio_frames // 3 if how == "understated" else audio_frames + 3
    data = mp3_with_xing_count(original, count)
    counted = miniaudio.mp3_get_info(data).num_frames
    real = len(miniaudio.decode(data, SF.FLOAT32, nch, rate).samples) // nch     # the reads' end
    assert (counted < real) if how == "understated" else (counted > real)
    firsts = sorted({n for end in (counted, real) for n in range(end - spf - 5, end + spf + 5) if 0 < n})
    for fmt in FORMATS:
        expected = check_splits(data, fmt, nch, rate, firsts if fmt == SF.FLOAT32 else firsts[::7])
        check_seeks(data, fmt, nch, rate, expected, range(max(0, counted - spf), min(real, counted + spf), 37))
