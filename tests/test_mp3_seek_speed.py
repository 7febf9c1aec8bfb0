"""A forward seek in an MP3 goes on from where decoding is, and lands on decode()'s frames.

dr_mp3 counts its position including the encoder delay of a LAME tag (528 + 1 + the tag's delay)
and stepped a forward seek by the difference to the target: it landed `delay` frames early, so
every MP3 seek rewound and decoded from the start (a seek from 900 s to 910 s into a 30-minute MP3
decoded 910 s of audio).  Patch 0074 compares and steps in output frames.  How much is decoded is
checked here by the bytes a file object is asked for, not by a clock.
"""

import io
import os

import pytest

import miniaudio
from miniaudio import FileFormat as FF
from miniaudio import SampleFormat as SF

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples")


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


class CountingFile(io.BytesIO):
    """A seekable file object that counts the bytes read from it and the seeks to its start."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0
        self.rewinds = 0

    def read(self, n=-1):
        out = super().read(n)
        self.bytes_read += len(out)
        return out

    def seek(self, offset, whence=0):
        if whence == 0 and offset < 1024:
            self.rewinds += 1
        return super().seek(offset, whence)


@pytest.mark.parametrize("name", ["mono.mp3", "tone.mp3"])
@pytest.mark.parametrize("rate", [None, 48000])
def test_a_forward_seek_reads_only_what_it_skips(name, rate):
    data = sample(name)
    info = miniaudio.mp3_get_info(data)
    rate = rate or info.sample_rate
    length = miniaudio.decode(data, SF.SIGNED16, info.nchannels, rate).num_frames
    source = CountingFile(data)
    stream = miniaudio.stream_any(source, FF.MP3, SF.SIGNED16, info.nchannels, rate, 1024)
    assert stream.seek(length // 2) == length // 2
    next(stream)
    before, rewinds = source.bytes_read, source.rewinds
    target = length * 6 // 10
    assert stream.seek(target) == target
    next(stream)
    # about a tenth of the file (plus a frame or two and a read-ahead of the source), not the
    # 60 % a seek from the start decodes
    assert source.bytes_read - before < len(data) * 0.25, (source.bytes_read - before, len(data))
    assert source.rewinds == rewinds


def _reads(stream, frames, nch):
    """Up to `frames` frames of the stream as a list of samples."""
    out = []
    while len(out) < frames * nch:
        try:
            chunk = stream.send(frames - len(out) // nch)
        except StopIteration:
            break
        if len(chunk) == 0:
            break
        out.extend(chunk)
    return out


@pytest.mark.parametrize("how", ["memory", "path", "bytesio"])
@pytest.mark.parametrize("name", ["mono.mp3", "tone.mp3"])
def test_forward_and_backward_seeks_land_on_decodes_frames(how, name):
    data = sample(name)
    info = miniaudio.mp3_get_info(data)
    nch, rate = info.nchannels, info.sample_rate
    reference = list(miniaudio.decode(data, SF.SIGNED16, nch, rate).samples)
    length = len(reference) // nch
    path = os.path.join(SAMPLES, name)
    args = (SF.SIGNED16, nch, rate, 700)
    stream = {"memory": lambda: miniaudio.stream_memory(data, *args),
              "path": lambda: miniaudio.stream_file(path, *args),
              "bytesio": lambda: miniaudio.stream_any(io.BytesIO(data), FF.MP3, *args)}[how]()
    # forward from the start, forward from inside a frame, to the frame we stand on, 1 frame on,
    # backward, forward past the encoder delay's length, and close to the end
    for target in (1, 529, 530, 1000, 1000, 1001, 3000, 2999, 5000, 17000, 600, 1152, 1153, length - 10):
        assert stream.seek(target) == target
        got = _reads(stream, 300, nch)
        want = reference[target * nch:(target + 300) * nch]
        assert got == want, (target, len(got), len(want))


@pytest.mark.parametrize("name", ["mono.mp3", "tone.mp3"])
def test_a_failed_seek_past_the_end_moves_nothing(name):
    data = sample(name)
    info = miniaudio.mp3_get_info(data)
    nch, rate = info.nchannels, info.sample_rate
    reference = list(miniaudio.decode(data, SF.SIGNED16, nch, rate).samples)
    length = len(reference) // nch
    stream = miniaudio.stream_any(io.BytesIO(data), FF.MP3, SF.SIGNED16, nch, rate, 700)
    assert stream.seek(3000) == 3000
    with pytest.raises((ValueError, miniaudio.DecodeError)):
        stream.seek(length + 5000)
    assert stream.position == 3000
    assert _reads(stream, 200, nch) == reference[3000 * nch:3200 * nch]
