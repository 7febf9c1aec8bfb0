"""Decoder and raw PCM streams read through the source layer (pull kinds) like generators and
chains: the edges where the kinds used to differ keep their behaviour.

These pin behaviour that the unification had to keep (they pass before and after it): raw PCM's
partial last frame after a pull, loops_done of a closed stream, a chain's seek(0) of looping and raw
members, seeks that only frame 0 allows, and looping and seeking agreeing sample for sample with a
straight read.
"""

import array
import io
import wave

import pytest

import miniaudio
from miniaudio import SampleFormat as SF


def _counter_wav(frames, channels=1, rate=8000):
    """A 16-bit WAV whose sample n of every channel is n (mod 2**15): any frame says where it is."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(array.array("h", (n % 32768 for n in range(frames) for _ in range(channels))).tobytes())
    return buf.getvalue()


def _samples(stream, n=None):
    out = array.array("h")
    for chunk in stream:
        out.extend(array.array("h", bytes(chunk)) if not isinstance(chunk, array.array) else chunk)
    return out


def test_raw_partial_last_frame_survives_a_chain_pull():
    """A chain pulls whole frames only; the raw stream's partial last frame is still next()'s."""
    pcm = array.array("h", range(7))  # 3 stereo frames and half of a fourth
    raw = miniaudio.stream_raw_pcm_memory(pcm, nchannels=2, sample_width=2)
    assert raw.length == 4
    c = miniaudio.chain(raw, output_format=SF.SIGNED16, nchannels=2, sample_rate=8000)
    assert list(_samples(c)) == [0, 1, 2, 3, 4, 5]
    c.close()  # unclaims the member
    assert not raw.closed and raw.position == 3
    tail = next(raw)
    assert isinstance(tail, memoryview) and bytes(tail) == array.array("h", [6]).tobytes()
    assert raw.position == 4
    with pytest.raises(StopIteration):
        next(raw)


def test_loops_done_of_a_closed_stream_keeps_its_count():
    data = _counter_wav(100)
    s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 8000, frames_to_read=250, loop=3)
    assert list(next(s)) == list(range(100)) * 2 + list(range(50))
    assert s.loops_done == 2
    s.close()
    assert s.loops_done == 2


def test_looping_equals_seek_and_read_sample_for_sample():
    data = _counter_wav(1000)
    s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 8000, frames_to_read=333, loop=4, loop_start=100,
                                loop_end=400, seek_frame=50)
    got = _samples(s)
    expected = list(range(50, 400)) + list(range(100, 400)) * 3
    assert list(got) == expected
    assert s.loops_done == 3 and s.position == 400
    s.seek(0)
    assert s.loops_done == 0 and s.position == 0
    assert list(s.send(10)) == list(range(10))


def test_chain_seek_zero_rewinds_looping_and_raw_members():
    data = _counter_wav(30)
    looped = miniaudio.stream_memory(data, SF.SIGNED16, 1, 8000, loop=2)
    raw = miniaudio.stream_raw_pcm_memory(array.array("h", [-1, -2, -3]), nchannels=1, sample_width=2)
    c = miniaudio.chain(looped, raw, output_format=SF.SIGNED16, nchannels=1, sample_rate=8000)
    assert c.length is None  # a looping member: not summed
    first = _samples(c)
    assert list(first) == list(range(30)) * 2 + [-1, -2, -3]
    assert looped.loops_done == 1 and raw.position == 3
    assert c.seek(0) == 0
    assert looped.loops_done == 0 and looped.position == 0 and raw.position == 0
    assert list(_samples(c)) == list(first)
    with pytest.raises(ValueError, match="can only seek to frame 0"):
        c.seek(5)


def test_noise_seeks_only_to_frame_zero_and_decoders_anywhere():
    n = miniaudio.Noise("white", seed=5)
    first = list(n.send(64))
    with pytest.raises(ValueError, match=r"cannot seek to frame 10: this source can only seek to frame 0"):
        n.seek(10)
    assert n.seek(0) == 0 and list(n.send(64)) == first
    s = miniaudio.stream_memory(_counter_wav(100), SF.SIGNED16, 1, 8000)
    assert s.seek(77) == 77 and list(s.send(3)) == [77, 78, 79]
    with pytest.raises(ValueError, match="the stream has 100 frames"):
        s.seek(101)


class _Pipe(io.RawIOBase):
    """A read()-only source: its seek() says it cannot seek."""

    def __init__(self, data):
        self._f = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, n=-1):
        return self._f.read(n)

    def seek(self, offset, whence=0):
        return False


def test_pipe_seeks_forward_by_skipping_and_refuses_back():
    data = _counter_wav(5000)
    s = miniaudio.stream_any(_Pipe(data), miniaudio.FileFormat.WAV, SF.SIGNED16, 1, 8000, frames_to_read=100)
    assert list(next(s))[:3] == [0, 1, 2]
    assert s.seek(4000) == 4000
    assert list(s.send(3)) == [4000, 4001, 4002]
    with pytest.raises(miniaudio.DecodeError, match="cannot seek back to frame 10 from frame 4003"):
        s.seek(10)
    assert s.seek(4990) == 4990
    assert list(_samples(s)) == list(range(4990, 5000))
    assert s.length == 5000
