"""Streams (stream_file / stream_memory): generator protocol, content, send sizes, seek, errors."""

import array
import collections.abc
import gc
import tracemalloc

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

FILES = ["tone_s16.wav", "tone_16.flac", "tone_24.flac", "tone.mp3", "tone.ogg", "mono_s16.wav", "short_f32.wav"]
FORMATS = [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED32, SF.FLOAT32]
TYPECODES = {SF.UNSIGNED8: "B", SF.SIGNED16: "h", SF.SIGNED32: "i", SF.FLOAT32: "f"}


def concat(stream, typecode):
    out = array.array(typecode)
    for chunk in stream:
        out.extend(chunk)
    return out


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_stream_file_equals_decode_file(sample_path, name, fmt):
    path = sample_path(name)
    whole = miniaudio.decode_file(path, fmt, 2, 44100)
    got = concat(miniaudio.stream_file(path, fmt, 2, 44100, frames_to_read=1000), TYPECODES[fmt])
    assert got.typecode == whole.samples.typecode
    assert len(got) == len(whole.samples)
    assert got == whole.samples


@pytest.mark.parametrize("name", ["tone_s16.wav", "tone.mp3", "tone.ogg", "tone_16.flac"])
def test_stream_memory_equals_stream_file(sample_path, sample_bytes, name):
    a = concat(miniaudio.stream_file(sample_path(name), SF.FLOAT32, 1, 22050), "f")
    b = concat(miniaudio.stream_memory(bytearray(sample_bytes(name)), SF.FLOAT32, 1, 22050), "f")
    assert a == b and len(a) > 0


@pytest.mark.parametrize("n", [1, 7, 256, 16384, 100000])
def test_send_returns_exactly_n_frames_until_the_end(sample_path, n):
    path = sample_path("tone.mp3")
    whole = miniaudio.decode_file(path, SF.SIGNED16, 2, 44100)
    total = whole.num_frames
    stream = miniaudio.stream_file(path, SF.SIGNED16, 2, 44100)
    got = array.array("h")
    while True:
        try:
            chunk = stream.send(n)
        except StopIteration:
            break
        frames = len(chunk) // 2
        remaining = total - len(got) // 2
        assert frames == min(n, remaining)
        got.extend(chunk)
    assert got == whole.samples


def test_next_and_send_none_give_frames_to_read(sample_path):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"), frames_to_read=300)
    assert len(next(stream)) == 600
    assert len(stream.send(None)) == 600
    assert len(stream.send(5)) == 10
    assert stream.position == 605
    assert stream.frames_to_read == 300


@pytest.mark.parametrize("name", ["tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg"])
@pytest.mark.parametrize("start", [0, 1, 4410, 30000])
def test_seek_then_read_equals_slice_of_whole(sample_path, name, start):
    path = sample_path(name)
    whole = miniaudio.decode_file(path, SF.SIGNED32, 2, 44100).samples
    stream = miniaudio.stream_file(path, SF.SIGNED32, 2, 44100)
    next(stream)
    assert stream.seek(start) == start
    assert stream.position == start
    chunk = stream.send(1000)
    assert chunk == whole[start * 2:(start + 1000) * 2]


def test_seek_frame_argument_and_looping(sample_path):
    path = sample_path("tone_16.flac")
    whole = miniaudio.decode_file(path).samples
    stream = miniaudio.stream_file(path, seek_frame=44000)
    assert concat(stream, "h") == whole[44000 * 2:]
    # after the end, seek(0) rewinds: a player can loop without reopening the file
    stream.seek(0)
    assert concat(stream, "h") == whole
    stream.close()


@pytest.mark.parametrize("name", ["tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg"])
def test_length_and_position(sample_path, name):
    path = sample_path(name)
    stream = miniaudio.stream_file(path, sample_rate=44100)
    assert stream.length == miniaudio.decode_file(path).num_frames == 44100
    resampled = miniaudio.stream_file(path, sample_rate=22050)
    assert abs(resampled.length - miniaudio.decode_file(path, sample_rate=22050).num_frames) <= 1  # estimate
    assert resampled.sample_rate == 22050 and resampled.nchannels == 2
    assert resampled.sample_format is SF.SIGNED16
    for s in (stream, resampled):
        s.send(1000)
        assert s.position == 1000
        s.send(234)
        assert s.position == 1234


def test_generator_protocol(sample_path):
    stream = miniaudio.stream_file(sample_path("tone.mp3"))
    assert isinstance(stream, collections.abc.Generator)
    assert iter(stream) is stream
    next(stream)
    with pytest.raises(ZeroDivisionError):
        stream.throw(ZeroDivisionError("boom"))
    assert stream.closed
    with pytest.raises(StopIteration):
        next(stream)
    stream.close()  # idempotent


def test_context_manager_releases_decoder(sample_path):
    with miniaudio.stream_file(sample_path("tone.mp3")) as stream:
        next(stream)
    assert stream.closed
    with pytest.raises(StopIteration):
        stream.send(10)
    with pytest.raises(ValueError, match="closed"):
        stream.seek(0)
    with pytest.raises(ValueError, match="closed"):
        stream.position


def test_chunk_types(sample_path):
    import numpy as np

    path = sample_path("tone_s16.wav")
    whole = miniaudio.decode_file(path, SF.FLOAT32, 2, 44100).as_numpy()
    b = miniaudio.stream_file(path, SF.FLOAT32, chunk_type="bytes").send(100)
    assert isinstance(b, bytes) and len(b) == 100 * 2 * 4
    n = miniaudio.stream_file(path, SF.FLOAT32, chunk_type="numpy").send(100)
    assert n.shape == (100, 2) and n.dtype == np.float32
    np.testing.assert_array_equal(n, whole[:100])
    np.testing.assert_array_equal(np.frombuffer(b, np.float32).reshape(-1, 2), whole[:100])


@pytest.mark.parametrize("bad", [0, -1, -100000])
def test_send_bad_counts(sample_path, bad):
    stream = miniaudio.stream_file(sample_path("tone.mp3"))
    with pytest.raises(ValueError, match="at least 1"):
        stream.send(bad)
    with pytest.raises(TypeError):
        stream.send("10")
    assert len(stream.send(10)) == 20  # still usable


def test_bad_arguments(sample_path, sample_bytes):
    path = sample_path("tone.mp3")
    with pytest.raises(ValueError, match="frames_to_read"):
        miniaudio.stream_file(path, frames_to_read=0)
    with pytest.raises(ValueError, match="seek_frame"):
        miniaudio.stream_file(path, seek_frame=-1)
    with pytest.raises(ValueError, match="nchannels"):
        miniaudio.stream_file(path, nchannels=0)
    with pytest.raises(ValueError, match="chunk_type"):
        miniaudio.stream_file(path, chunk_type="list")
    with pytest.raises(FileNotFoundError):
        miniaudio.stream_file(path + ".missing")
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.stream_memory(b"not audio at all" * 50)
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.stream_memory(b"")
    stream = miniaudio.stream_file(path)
    with pytest.raises(ValueError, match="44100 frames"):
        stream.seek(44101)
    with pytest.raises(ValueError, match=">= 0"):
        stream.seek(-1)


def test_truncated_file_ends_cleanly(tmp_path, sample_bytes):
    data = sample_bytes("tone_s16.wav")
    path = tmp_path / "cut.wav"
    path.write_bytes(data[: len(data) // 2])
    frames = sum(len(c) for c in miniaudio.stream_file(path)) // 2
    assert 0 < frames < 44100


def test_memory_source_is_held_not_copied(sample_bytes):
    data = bytearray(sample_bytes("tone_s16.wav"))
    stream = miniaudio.stream_memory(data)
    with pytest.raises(BufferError):
        data.extend(b"xx")  # the stream holds a view on the buffer
    stream.close()
    data.extend(b"xx")  # released on close


def test_no_leak_over_open_read_close(sample_path, sample_bytes):
    path = sample_path("tone.ogg")
    data = sample_bytes("tone.mp3")

    def cycle():
        with miniaudio.stream_file(path) as s:
            s.send(500)
        s2 = miniaudio.stream_memory(data, chunk_type="bytes")
        next(s2)
        del s2

    for _ in range(50):
        cycle()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        cycle()
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert growth < 100_000


def _traceback():
    try:
        raise KeyError("where it came from")
    except KeyError as exc:
        return exc.__traceback__


@pytest.mark.parametrize("how", ["class", "instance"])
def test_throw_keeps_the_given_traceback(sample_path, how):
    tb = _traceback()
    stream = miniaudio.stream_file(sample_path("tone.mp3"))
    exc = ValueError if how == "class" else ValueError("boom")
    with pytest.raises(ValueError) as info:
        stream.throw(exc, None, tb)
    frames = []
    t = info.value.__traceback__
    while t is not None:
        frames.append(t.tb_frame.f_code.co_name)
        t = t.tb_next
    assert "_traceback" in frames
    assert stream.closed


def test_throw_rejects_a_non_traceback(sample_path):
    stream = miniaudio.stream_file(sample_path("tone.mp3"))
    with pytest.raises(TypeError, match="traceback"):
        stream.throw(ValueError, None, 5)
    assert len(next(stream)) > 0       # nothing happened to the stream
