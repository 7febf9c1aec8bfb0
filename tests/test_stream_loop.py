"""Looping streams: stream_file / stream_memory / stream_any with loop=, loop_start=, loop_end=.

The input is a frame counter: a 32-bit PCM WAV whose sample n is n, so a looped stream must equal the
exact concatenation of the passes, sample for sample, from every kind of input and any chunk size.
Resampled loops are compared with the resampled single pass.  A NULL-backend device plays a looped
stream to its end in C (no GIL) and ends by itself.
"""

import array
import io
import os
import struct

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import DEADLINE, Finished

RATE = 8000


def counter_wav(frames, rate=RATE, nchannels=1, start=0):
    """A WAV of 32-bit PCM whose frame n holds start + n in every channel."""
    data = array.array("i", [start + i for i in range(frames) for _ in range(nchannels)]).tobytes()
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt "
            + struct.pack("<IHHIIHH", 16, 1, nchannels, rate, rate * 4 * nchannels, 4 * nchannels, 32)
            + b"data" + struct.pack("<I", len(data)) + data)


WAV = counter_wav(1000)


class NoSeekSource(miniaudio.StreamableSource):
    def __init__(self, data):
        self.f = io.BytesIO(data)

    def read(self, n):
        return self.f.read(n)


@pytest.fixture
def wav_path(tmp_path):
    path = tmp_path / "counter.wav"
    path.write_bytes(WAV)
    return str(path)


def _open(kind, wav_path, data=WAV, **kw):
    kw.setdefault("output_format", SF.SIGNED32)
    kw.setdefault("nchannels", 1)
    kw.setdefault("sample_rate", RATE)
    if kind == "memory":
        return miniaudio.stream_memory(data, **kw)
    if kind == "path":
        return miniaudio.stream_file(wav_path, **kw)
    return miniaudio.stream_any(io.BytesIO(data), **kw)


def _read_all(stream, frames=None, limit=10**7):
    out = []
    while len(out) < limit:
        try:
            chunk = stream.send(frames)
        except StopIteration:
            break
        out.extend(chunk)
    return out


@pytest.mark.parametrize("kind", ["memory", "path", "bytesio"])
@pytest.mark.parametrize("chunk", [1, 300, 1000, 4096])
def test_loop_n_times_is_the_exact_concatenation(kind, chunk, wav_path):
    stream = _open(kind, wav_path, loop=3, frames_to_read=chunk)
    sizes = []
    out = []
    for c in stream:
        sizes.append(len(c))
        out.extend(c)
    assert out == list(range(1000)) * 3
    # chunks are full across the wraps: only the last may be short
    assert all(size == chunk for size in sizes[:-1])
    assert stream.position == 1000
    assert stream.loops_done == 2
    assert stream.length == 1000


@pytest.mark.parametrize("kind", ["memory", "path", "bytesio"])
def test_loop_range_with_intro(kind, wav_path):
    stream = _open(kind, wav_path, loop=3, loop_start=100, loop_end=500, frames_to_read=333)
    first = stream.send(600)  # spans the first wrap: 0..499 then 100..199
    assert list(first) == list(range(500)) + list(range(100, 200))
    assert stream.position == 200 and stream.loops_done == 1
    rest = _read_all(stream)
    assert list(first) + rest == list(range(500)) + list(range(100, 500)) * 2
    assert stream.position == 500
    assert stream.length == 1000  # the file's length, not the loop's end


def test_loop_from_seek_frame(wav_path):
    stream = _open("memory", wav_path, loop=2, seek_frame=900)
    assert _read_all(stream) == list(range(900, 1000)) + list(range(1000))


def test_loop_forever_ten_passes(wav_path):
    stream = _open("path", wav_path, loop=True, loop_start=250, frames_to_read=777)
    out = _read_all(stream, limit=250 + 750 * 10)
    assert out[:250 + 750 * 10] == list(range(1000)) + list(range(250, 1000)) * 9
    assert stream.loops_done >= 9
    assert not stream.closed
    stream.close()


def test_resampled_loop_equals_the_resampled_pass(wav_path):
    single = list(miniaudio.stream_memory(WAV, SF.SIGNED32, 1, 11025).send(10**5))
    assert len(single) == miniaudio.stream_memory(WAV, SF.SIGNED32, 1, 11025).length
    for chunk in (1, 500, 4096):
        out = _read_all(_open("memory", wav_path, loop=3, sample_rate=11025, frames_to_read=chunk))
        assert out == single * 3, chunk


def test_seek_starts_the_passes_over(wav_path):
    stream = _open("memory", wav_path, loop=2)
    assert len(_read_all(stream)) == 2000
    assert stream.seek(0) == 0
    assert stream.loops_done == 0
    assert _read_all(stream) == list(range(1000)) * 2


def test_loop_one_plays_the_range_once(wav_path):
    assert _read_all(_open("memory", wav_path, loop=1, loop_end=10)) == list(range(10))
    assert _read_all(_open("memory", wav_path, loop=False)) == list(range(1000))


def test_a_device_plays_a_looped_stream_to_its_end(devices, wav_path):
    stream = _open("path", wav_path, loop=3)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED32, 1, RATE, on_finished=fin.on_finished)
    dev.start(stream)
    assert dev.wait(DEADLINE + 3 * 1000 / RATE) is True  # ends by itself
    assert fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert dev.stats.frames >= 3000
    assert stream.position == 1000 and stream.loops_done == 2
    with pytest.raises(StopIteration):
        stream.send(10)


def test_a_converting_device_plays_a_looped_stream(devices, wav_path):
    stream = _open("memory", wav_path, loop=2, loop_start=500)
    dev = devices(miniaudio.PlaybackDevice, SF.FLOAT32, 2, 16000)
    dev.start(stream)
    assert dev.wait(DEADLINE + 2) is True
    assert dev.stats.frames >= 2 * 1500
    assert stream.loops_done == 1


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw,exc,text", [
    (dict(loop=0), ValueError, "loop"),
    (dict(loop=-2), ValueError, "loop"),
    (dict(loop=1.5), TypeError, "loop"),
    (dict(loop="yes"), TypeError, "loop"),
    (dict(loop=2**64), OverflowError, "loop"),
    (dict(loop=True, loop_start=-1), ValueError, "loop_start"),
    (dict(loop=True, loop_start=1.0), TypeError, "loop_start"),
    (dict(loop=True, loop_start=True), TypeError, "loop_start"),
    (dict(loop=True, loop_end=-5), ValueError, "loop_end"),
    (dict(loop=True, loop_end=0), ValueError, "loop_end"),
    (dict(loop=True, loop_end=2.0), TypeError, "loop_end"),
    (dict(loop=True, loop_start=10, loop_end=10), ValueError, "loop_start"),
    (dict(loop=True, loop_start=20, loop_end=10), ValueError, "loop_start"),
    (dict(loop=True, loop_end=1001), ValueError, "loop_end"),
    (dict(loop=True, loop_start=1000), ValueError, "loop_start"),
    (dict(loop=True, loop_end=100, seek_frame=100), ValueError, "seek_frame"),
    (dict(loop_start=5), ValueError, "loop_start"),
    (dict(loop_end=5), ValueError, "loop_end"),
])
@pytest.mark.parametrize("kind", ["memory", "path", "bytesio"])
def test_bad_loop_arguments(kind, kw, exc, text, wav_path):
    with pytest.raises(exc, match=text):
        _open(kind, wav_path, **kw)


def test_loop_over_a_source_that_cannot_seek_is_refused():
    with pytest.raises(ValueError, match="loop needs a source that can seek"):
        miniaudio.stream_any(NoSeekSource(WAV), miniaudio.FileFormat.WAV, SF.SIGNED32, 1, RATE, loop=True)
    r, w = os.pipe()
    try:
        os.write(w, WAV)
        os.close(w)
        w = None
        with os.fdopen(r, "rb", buffering=0) as pipe:
            r = None
            with pytest.raises(ValueError, match="loop needs a source that can seek"):
                miniaudio.stream_any(pipe, output_format=SF.SIGNED32, nchannels=1, sample_rate=RATE, loop=2)
    finally:
        for fd in (r, w):
            if fd is not None:
                os.close(fd)
    # without loop the same source streams as before
    assert len(_read_all(miniaudio.stream_any(NoSeekSource(WAV), miniaudio.FileFormat.WAV, SF.SIGNED32, 1,
                                              RATE))) == 1000
