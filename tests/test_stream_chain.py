"""Gapless chains: miniaudio.chain(a, b, c) plays streams back to back as one DecoderStream.

Frame-counter WAVs (32-bit PCM, sample n = start + n) of different lengths, one stereo and one at
another rate: the chain must equal the concatenation sample for sample at any chunk size, each
converted member equal to that member decoded alone at the chain's format; chunks are full across
member boundaries; a NULL-backend device plays the chain to its end; members are the chain's while
chained and the caller's again after.
"""

import io

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import DEADLINE, Finished
from test_stream_loop import counter_wav

A = counter_wav(1000)
B = counter_wav(2500, nchannels=2, start=1000)
C = counter_wav(700, rate=16000, start=5000)


def op(data, rate=8000, nchannels=1, **kw):
    return miniaudio.stream_memory(data, SF.SIGNED32, nchannels, rate, **kw)


def alone(data, **kw):
    """The member decoded alone at the chain's format (s32, mono, 8000 Hz)."""
    return list(op(data, **kw).send(10**6))


def members():
    return op(A), op(B, nchannels=2), op(C, rate=16000)


EXPECTED = list(range(1000)) + alone(B) + alone(C)


def test_the_reference_is_what_it_should_be():
    # the stereo counter mixed to mono (through float: within one step of the counter)
    assert len(alone(B)) == 2500
    assert max(abs(x - n) for x, n in zip(alone(B), range(1000, 3500))) <= 1
    assert len(alone(C)) == 350                   # 700 frames at 16 kHz -> 350 at 8 kHz


@pytest.mark.parametrize("chunk", [1, 1000, 4096])
def test_chain_equals_the_concatenation(chunk):
    a, b, c = members()
    chained = miniaudio.chain(a, b, c, frames_to_read=chunk)
    assert (chained.sample_format, chained.nchannels, chained.sample_rate) == (SF.SIGNED32, 1, 8000)
    out, sizes = [], []
    for piece in chained:
        sizes.append(len(piece))
        out.extend(piece)
    assert out == EXPECTED
    assert all(size == chunk for size in sizes[:-1])  # full chunks across member boundaries
    assert chained.position == len(EXPECTED)


def test_send_spans_members_and_chunk_types():
    a, b, c = members()
    chained = miniaudio.chain(a, b, c, chunk_type="bytes")
    first = chained.send(1500)
    assert len(first) == 1500 * 4
    rest = b"".join(iter(lambda: next(chained, b""), b""))
    import array
    assert list(array.array("i", first + rest)) == EXPECTED


def test_chain_format_given_and_numpy():
    np = pytest.importorskip("numpy")
    a, b, c = members()
    chained = miniaudio.chain(a, b, c, output_format=SF.FLOAT32, nchannels=2, chunk_type="numpy",
                              frames_to_read=512)
    out = np.concatenate(list(chained))
    assert out.shape == (len(EXPECTED), 2)
    assert np.array_equal(out[:, 0], out[:, 1])
    # the s32 reference rounds to integers on its way: within one step
    assert np.abs(out[:, 0].astype(np.float64) * 2**31 - np.array(EXPECTED)).max() <= 1.5


def test_length_seek_and_members_after_close():
    a, b = op(A), op(B, nchannels=2)
    chained = miniaudio.chain(a, b)
    assert chained.length == 3500
    for member in (a, b):
        with pytest.raises(RuntimeError):
            member.send(10)
        with pytest.raises(RuntimeError):
            member.seek(0)
        with pytest.raises(RuntimeError):
            member.close()
    assert len(chained.send(1200)) == 1200
    with pytest.raises(ValueError, match="frame 0"):
        chained.seek(5)
    assert chained.seek(0) == 0
    assert list(chained.send(10**6)) == list(range(1000)) + alone(B)
    chained.close()
    # given back: a was read to its end, b too; both can be rewound and read again
    with pytest.raises(StopIteration):
        a.send(10)
    assert a.seek(0) == 0 and list(a.send(5)) == [0, 1, 2, 3, 4]
    assert b.seek(0) == 0 and len(b.send(10**6)) == 2500 * 2


def test_a_partly_read_chain_gives_its_members_back_where_it_left_them():
    a, b = op(A), op(B, nchannels=2)
    chained = miniaudio.chain(a, b)
    chained.send(300)
    del chained  # freed: the members are released too
    assert a.position == 300 and list(a.send(3)) == [300, 301, 302]  # a member in the chain's format: no read-ahead
    assert len(b.send(10)) == 20


def test_members_can_be_generators_looping_streams_and_chains():
    looped = op(A, loop=2, loop_start=900)
    inner = miniaudio.chain(op(C, rate=16000))
    sine = miniaudio.Waveform("sine", 440, sample_rate=8000, nchannels=1, output_format=SF.SIGNED32)
    chained = miniaudio.chain(looped, inner, sine)
    out = list(chained.send(1100 + 350 + 100))
    assert out[:1450] == list(range(1000)) + list(range(900, 1000)) + alone(C)
    assert chained.length is None  # a generator never ends


def test_a_device_plays_a_chain_to_its_end(devices):
    a, b, c = members()
    chained = miniaudio.chain(a, b, c)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED32, 1, 8000, on_finished=fin.on_finished)
    dev.start(chained)
    assert dev.wait(DEADLINE + len(EXPECTED) / 8000) is True  # ends by itself
    assert fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert dev.stats.frames >= len(EXPECTED)
    assert chained.position == len(EXPECTED)
    with pytest.raises(StopIteration):
        chained.send(1)
    chained.close()
    assert a.seek(0) == 0


def test_a_converting_device_plays_a_chain(devices):
    chained = miniaudio.chain(*members())
    dev = devices(miniaudio.PlaybackDevice, SF.FLOAT32, 2, 44100)
    dev.start(chained)
    assert dev.wait(DEADLINE + 1) is True
    assert dev.stats.frames >= len(EXPECTED) * 44100 // 8000


# --- bad input ------------------------------------------------------------------------------------

def test_no_sources():
    with pytest.raises(ValueError, match="at least one"):
        miniaudio.chain()


@pytest.mark.parametrize("bad", [42, b"bytes", None, [1, 2], io.BytesIO(A)])
def test_a_non_stream_is_refused_by_position(bad):
    with pytest.raises(TypeError, match="argument 2 must be a DecoderStream"):
        miniaudio.chain(op(A), bad)
    with pytest.raises(TypeError, match="argument 1 must be a DecoderStream"):
        miniaudio.chain(bad)


def test_bad_members_name_their_position():
    closed = op(A)
    closed.close()
    with pytest.raises(ValueError, match="argument 2 is a closed stream"):
        miniaudio.chain(op(A), closed)
    ended = op(A)
    ended.send(10**6)
    with pytest.raises(StopIteration):
        ended.send(1)
    with pytest.raises(ValueError, match="argument 3 has already ended"):
        miniaudio.chain(op(A), op(A), ended)
    python_source = miniaudio.stream_any(io.BytesIO(A), output_format=SF.SIGNED32, nchannels=1, sample_rate=8000)
    with pytest.raises(ValueError, match="argument 2 reads a Python source"):
        miniaudio.chain(op(A), python_source)
    a = op(A)
    with pytest.raises(RuntimeError, match="argument 2 is already played"):
        miniaudio.chain(a, a)
    # a refused chain claims nothing: a is free
    assert len(a.send(10)) == 10
    held = op(A)
    first = miniaudio.chain(held)
    with pytest.raises(RuntimeError, match="argument 1 is already played by a device or another chain"):
        miniaudio.chain(held)
    first.close()
    assert len(held.send(10)) == 10


def test_a_member_played_by_a_device_is_refused(devices):
    stream = op(A, loop=True)
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED32, 1, 8000)
    dev.start(stream)
    try:
        with pytest.raises(RuntimeError, match="argument 1 is already played"):
            miniaudio.chain(stream)
    finally:
        dev.stop()


@pytest.mark.parametrize("kw,exc,text", [
    (dict(output_format=99), ValueError, "output_format"),
    (dict(output_format="s16"), TypeError, "output_format"),
    (dict(nchannels=0), ValueError, "nchannels"),
    (dict(nchannels=1.0), TypeError, "nchannels"),
    (dict(sample_rate=0), ValueError, "sample_rate"),
    (dict(sample_rate=10**6), ValueError, "sample_rate"),
    (dict(frames_to_read=0), ValueError, "frames_to_read"),
    (dict(chunk_type="list"), ValueError, "chunk_type"),
    (dict(chunk_type=1), TypeError, "chunk_type"),
    (dict(output_format=SF.SIGNED24), ValueError, "SIGNED24"),
])
def test_bad_chain_arguments(kw, exc, text):
    a = op(A)
    with pytest.raises(exc, match=text):
        miniaudio.chain(a, **kw)
    assert len(a.send(10)) == 10  # not claimed by the refused chain


# ---- on a real server ----------------------------------------------------------------------------

def test_a_chain_of_three_files_is_heard_as_their_concatenation(pulse_server, tmp_path):
    """Three WAV files holding consecutive stretches of a frame-counter signal, chained and played
    on the PulseAudio null sink: the monitor recording (parec, a separate process) holds every frame
    in order, with no gap or repeat at the two joins (after the server's own start latency)."""
    import wave

    import test_devices_pulse as tdp

    sizes = [tdp.RATE // 2, tdp.RATE // 3, tdp.RATE]  # 0.5 s, 0.33 s, 1 s
    pcm = tdp.counter_pcm(sum(sizes))
    paths, start = [], 0
    for i, n in enumerate(sizes):
        path = tmp_path / ("part%d.wav" % i)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(tdp.RATE)
            w.writeframes(pcm[start:start + n].tobytes())
        paths.append(str(path))
        start += n
    total = sum(sizes)
    streams = [miniaudio.stream_file(p, SF.SIGNED16, 2, tdp.RATE) for p in paths]
    with tdp.open_playback(fmt=SF.SIGNED16, buffersize_msec=20) as playback:
        rec = tdp.MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        try:
            rec.wait_frames(tdp.RATE // 10)
            playback.start(miniaudio.chain(*streams))
            assert playback.wait(timeout=tdp.DEADLINE)
            rec.wait_frames(tdp.RATE // 4)
        finally:
            x = rec.stop()
        stats = playback.stats
    got = tdp.counter_frames(x)
    gaps = np.nonzero(np.diff(got) != 1)[0]
    assert gaps.size == 0, "discontinuities after frames %r" % [(int(got[g]), int(got[g + 1])) for g in gaps[:10]]
    assert got[0] < tdp.JOIN_SKIP, "the first %d frames are missing" % got[0]
    assert got[-1] == total - 1, "the recording ends at frame %d of %d" % (got[-1], total)
    assert stats.frames >= total
