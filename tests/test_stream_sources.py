"""stream_any over Python sources, the per-format streams, raw PCM, callbacks, WavFileReadStream."""

import array
import gc
import io
import tracemalloc

import pytest

import miniaudio
from miniaudio import FileFormat, SampleFormat as SF


def concat(stream, typecode="h"):
    out = array.array(typecode)
    for chunk in stream:
        out.extend(chunk)
    return out


class BytesSource(miniaudio.StreamableSource):
    def __init__(self, data, seekable=True):
        self.f = io.BytesIO(data)
        self.seekable = seekable
        self.closed = False

    def read(self, num_bytes):
        return self.f.read(num_bytes)

    def seek(self, offset, origin):
        assert isinstance(origin, miniaudio.SeekOrigin)
        if not self.seekable:
            return False
        self.f.seek(offset, origin.value)
        return True

    def close(self):
        self.closed = True


@pytest.mark.parametrize("name", ["tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg"])
def test_stream_any_sources_agree(sample_path, sample_bytes, name):
    path = sample_path(name)
    whole = miniaudio.decode_file(path).samples
    with open(path, "rb") as f:
        assert concat(miniaudio.stream_any(f)) == whole
    assert concat(miniaudio.stream_any(io.BytesIO(sample_bytes(name)))) == whole
    with BytesSource(sample_bytes(name)) as src:
        assert concat(miniaudio.stream_any(src)) == whole


@pytest.mark.parametrize("name,fmt", [("tone.mp3", FileFormat.MP3), ("tone.ogg", FileFormat.VORBIS),
                                      ("tone_16.flac", FileFormat.FLAC)])
def test_stream_any_unseekable_source_with_format(sample_path, sample_bytes, name, fmt):
    whole = miniaudio.decode_file(sample_path(name)).samples
    got = concat(miniaudio.stream_any(BytesSource(sample_bytes(name), seekable=False), fmt))
    assert got == whole


@pytest.mark.parametrize("name", ["tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg"])
def test_stream_any_unseekable_source_detects_the_format(sample_path, sample_bytes, name):
    # Format detection tries one decoder after another and rewinds in between: over a source that
    # cannot seek, the bytes read while opening are kept and served again.
    whole = miniaudio.decode_file(sample_path(name)).samples
    got = concat(miniaudio.stream_any(BytesSource(sample_bytes(name), seekable=False)))
    assert got == whole


@pytest.mark.parametrize("name", ["tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg"])
def test_unseekable_source_seeks_forward_but_not_back(sample_path, sample_bytes, name):
    whole = miniaudio.decode_file(sample_path(name)).samples
    stream = miniaudio.stream_any(BytesSource(sample_bytes(name), seekable=False), frames_to_read=1000)
    assert stream.send(1000) == whole[:2000]
    assert stream.seek(30000) == 30000            # forward: read and discarded
    assert stream.send(500) == whole[60000:61000]
    with pytest.raises(miniaudio.DecodeError, match="source cannot seek"):
        stream.seek(0)                            # backwards: those bytes are gone
    assert stream.position == 30500               # and the stream goes on from where it was
    assert stream.send(500) == whole[61000:62000]
    stream.close()


class SeekRaises(BytesSource):
    jammed = False

    def seek(self, offset, origin):
        if self.jammed:
            raise OSError("the tape is jammed")
        return super().seek(offset, origin)


@pytest.mark.parametrize("name", ["tone_16.flac", "tone.ogg"])
def test_source_seek_exception_surfaces_from_seek(sample_bytes, name):
    source = SeekRaises(sample_bytes(name))
    stream = miniaudio.stream_any(source)
    stream.send(20000)
    source.jammed = True
    with pytest.raises(miniaudio.DecodeError, match="cannot seek") as info:
        stream.seek(0)
    assert isinstance(info.value.__cause__, OSError)
    try:
        next(stream)   # FLAC goes on; Vorbis: the failed rewind closed the decoder (freed twice once)
    except (miniaudio.DecodeError, StopIteration):
        pass
    del stream
    gc.collect()


def test_stream_any_seek_while_streaming(sample_path, sample_bytes):
    whole = miniaudio.decode_file(sample_path("tone_16.flac"), SF.FLOAT32).samples
    stream = miniaudio.stream_any(BytesSource(sample_bytes("tone_16.flac")), output_format=SF.FLOAT32)
    stream.send(3000)
    stream.seek(10000)
    assert stream.send(500) == whole[20000:21000]


class Failing(miniaudio.StreamableSource):
    def __init__(self, data, fail_after, exc):
        self.f = io.BytesIO(data)
        self.calls = 0
        self.fail_after = fail_after
        self.exc = exc

    def read(self, num_bytes):
        self.calls += 1
        if self.calls > self.fail_after:
            raise self.exc
        return self.f.read(num_bytes)


def test_source_exception_surfaces_as_decode_error_with_cause(sample_bytes):
    exc = ConnectionResetError("peer went away")
    src = Failing(sample_bytes("tone.mp3"), 4, exc)
    stream = miniaudio.stream_any(src, FileFormat.MP3)
    with pytest.raises(miniaudio.DecodeError, match="peer went away") as info:
        for _ in stream:
            pass
    assert info.value.__cause__ is exc
    assert src.error_in_readcallback is exc  # as 1.71 kept it
    assert stream.closed
    with pytest.raises(StopIteration):
        next(stream)


def test_source_exception_during_open(sample_bytes):
    exc = KeyError("boom")
    with pytest.raises(miniaudio.DecodeError) as info:
        miniaudio.stream_any(Failing(sample_bytes("tone.mp3"), 0, exc))
    assert info.value.__cause__ is exc


@pytest.mark.parametrize("result,error", [(None, TypeError), ("text", TypeError), (12, TypeError)])
def test_source_read_wrong_type(result, error):
    class Wrong(miniaudio.StreamableSource):
        def read(self, num_bytes):
            return result

    with pytest.raises(miniaudio.DecodeError) as info:
        miniaudio.stream_any(Wrong())
    assert isinstance(info.value.__cause__, error)


def test_source_read_too_many_bytes():
    class Greedy(miniaudio.StreamableSource):
        def read(self, num_bytes):
            return b"\0" * (num_bytes + 10)

    with pytest.raises(miniaudio.DecodeError, match="more than asked") as info:
        miniaudio.stream_any(Greedy())
    assert isinstance(info.value.__cause__, ValueError)


def test_source_returning_nothing_is_not_audio():
    class Empty(miniaudio.StreamableSource):
        def read(self, num_bytes):
            return b""

    with pytest.raises(miniaudio.DecodeError):
        miniaudio.stream_any(Empty())


def test_stream_any_rejects_non_sources():
    with pytest.raises(TypeError, match="file-like"):
        miniaudio.stream_any(b"bytes are not a source")


@pytest.mark.parametrize("func,name", [(miniaudio.wav_stream_file, "mono_s16.wav"),
                                       (miniaudio.flac_stream_file, "tone_16.flac"),
                                       (miniaudio.mp3_stream_file, "tone.mp3")])
def test_format_stream_files_native_s16(sample_path, func, name):
    path = sample_path(name)
    native = miniaudio.read_file(path, convert_to_16bit=True)
    chunks = list(func(path, frames_to_read=500))
    assert all(len(c) == 500 * native.nchannels for c in chunks[:-1])
    joined = array.array("h")
    for c in chunks:
        joined.extend(c)
    assert joined == native.samples
    tail = concat(func(path, seek_frame=1000))
    assert tail == native.samples[1000 * native.nchannels:]


def test_vorbis_stream_file(sample_path):
    path = sample_path("tone.ogg")
    assert concat(miniaudio.vorbis_stream_file(path)) == miniaudio.vorbis_read_file(path).samples


def test_stream_raw_pcm_memory():
    pcm = array.array("h", range(1000))
    stream = miniaudio.stream_raw_pcm_memory(pcm, 2, 2, frames_to_read=100)
    first = stream.send(10)
    assert bytes(first) == pcm[:20].tobytes()
    assert bytes(next(stream)) == pcm[20:220].tobytes()
    rest = b"".join(bytes(c) for c in stream)
    assert rest == pcm[220:].tobytes()


def test_stream_with_callbacks(sample_path):
    progress, ended = [], []
    inner = miniaudio.stream_file(sample_path("tone_s16.wav"))
    stream = miniaudio.stream_with_callbacks(inner, progress.append, lambda c: c[: len(c) // 2], lambda: ended.append(1))
    next(stream)
    total = 0
    while True:
        try:
            chunk = stream.send(4410)
        except StopIteration:
            break
        total += len(chunk)
    assert ended == [1]
    assert total == 44100  # half of each 2-channel chunk
    assert progress and all(p == 4410 for p in progress)


@pytest.mark.parametrize("fmt,tag", [(SF.SIGNED16, 1), (SF.FLOAT32, 3)])
def test_wav_file_read_stream(sample_path, fmt, tag):
    path = sample_path("tone_s16.wav")
    whole = miniaudio.decode_file(path, fmt)
    wav = miniaudio.WavFileReadStream(miniaudio.stream_file(path, fmt), 44100, 2, fmt, max_frames=whole.num_frames)
    data = wav.read(100) + wav.read()
    assert int.from_bytes(data[20:22], "little") == tag
    back = miniaudio.decode(data, fmt)
    assert back.samples == whole.samples
    assert wav.read() == b""


def test_no_leak_stream_any(sample_bytes):
    data = sample_bytes("tone.ogg")

    def cycle():
        stream = miniaudio.stream_any(io.BytesIO(data), FileFormat.VORBIS)
        stream.send(300)
        stream.close()

    for _ in range(30):
        cycle()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(500):
        cycle()
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert growth < 100_000


def test_second_thread_gets_runtime_error_not_corrupt_data(sample_bytes):
    """While one thread is inside a read (here: blocked in the source), another thread using
    the same stream gets a RuntimeError; the first then completes normally."""
    import threading

    entered, release = threading.Event(), threading.Event()

    class Slow(BytesSource):
        block = False

        def read(self, num_bytes):
            if self.block:
                entered.set()
                release.wait(10)
            return super().read(num_bytes)

    src = Slow(sample_bytes("tone_s16.wav"))
    stream = miniaudio.stream_any(src, FileFormat.WAV)
    src.block = True
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("chunk", stream.send(20000)))
    worker.start()
    assert entered.wait(10)
    with pytest.raises(RuntimeError, match="another thread"):
        next(stream)
    with pytest.raises(RuntimeError):
        stream.close()
    with pytest.raises(RuntimeError):
        stream.seek(0)
    assert stream.position == 0  # readable meanwhile
    release.set()
    worker.join(10)
    assert len(result["chunk"]) == 40000
    stream.close()


def test_file_truncated_while_streaming_ends_cleanly(tmp_path, sample_bytes):
    data = sample_bytes("tone_s16.wav")
    path = tmp_path / "shrinking.wav"
    path.write_bytes(data)
    stream = miniaudio.stream_file(path, frames_to_read=1000)
    first = next(stream)
    with open(path, "r+b") as f:
        f.truncate(len(data) // 3)
    rest = sum(len(c) for c in stream) // 2
    assert len(first) == 2000
    assert 1000 + rest < 44100  # ended early, cleanly, without garbage or a hang


def test_wav_file_read_stream_stops_at_max_frames():
    """With max_frames the file is exactly header + max_frames frames, also from an endless
    generator (1.71 read to the generator's end: read() never returned), and the generator is
    not advanced past the chunk holding the last frame."""
    import array
    import itertools

    pulled = []

    def endless():
        for i in itertools.count():
            pulled.append(i)
            yield array.array("h", [i] * 2000)  # 1000 stereo frames, every sample = the chunk number

    wav = miniaudio.WavFileReadStream(endless(), 8000, 2, SF.SIGNED16, max_frames=2500)
    data = wav.read()
    assert len(data) == 44 + 2500 * 4
    assert wav.read() == b"" and wav.read(10) == b""
    assert pulled == [0, 1, 2]
    back = miniaudio.decode(data, SF.SIGNED16, nchannels=2, sample_rate=8000)
    assert back.num_frames == 2500
    assert list(back.samples) == [0] * 2000 + [1] * 2000 + [2] * 1000
    # read in small pieces: the same bytes
    wav = miniaudio.WavFileReadStream(endless(), 8000, 2, SF.SIGNED16, max_frames=2500)
    pieces = []
    while True:
        piece = wav.read(777)
        if not piece:
            break
        pieces.append(piece)
    assert b"".join(pieces) == data


def _ramp_wav(frames):
    """A 16-bit stereo 44.1 kHz WAV whose left samples count 0, 1, 2 ... and right ones down."""
    import wave

    pcm = array.array("h")
    for i in range(frames):
        pcm.extend((i % 32768, -(i % 32768)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(pcm.tobytes())
    return buf.getvalue(), pcm


@pytest.mark.parametrize("chunk_type", ["array", "bytes"])
@pytest.mark.parametrize("seekable", [True, False])
def test_send_huge_n_allocates_only_what_it_decodes(chunk_type, seekable):
    """send(10**9) reads the rest of the stream and holds memory for what was decoded, not for a
    billion frames (4 GB of 16-bit stereo, which it used to allocate first); a request just above
    the growth threshold (65536 frames) still gives exactly what was asked."""
    wav, pcm = _ramp_wav(200_000)
    stream = miniaudio.stream_any(BytesSource(wav, seekable), miniaudio.FileFormat.WAV, chunk_type=chunk_type)

    def samples(chunk):
        return array.array("h", bytes(chunk)) if chunk_type == "bytes" else chunk

    first = samples(stream.send(70_000))
    assert first == pcm[:140_000]
    tracemalloc.start()
    try:
        rest = samples(stream.send(10**9))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rest == pcm[140_000:]
    assert peak < 4 * 130_000 * 4  # the decoded frames, a copy and growth slack: far from 4 GB
    with pytest.raises(StopIteration):
        stream.send(10**9)


@pytest.mark.parametrize("name,fmt", [("tone_s16.wav", miniaudio.FileFormat.WAV),
                                      ("tone_16.flac", miniaudio.FileFormat.FLAC),
                                      ("tone.mp3", miniaudio.FileFormat.MP3),
                                      ("tone.ogg", miniaudio.FileFormat.VORBIS)])
@pytest.mark.parametrize("most", [1, 97])
def test_source_giving_short_reads_decodes_in_full(sample_bytes, name, fmt, most):
    """A source may give less than asked (a socket gives what has arrived): the stream asks again
    until it has the bytes or the source ends.  Before, the WAV, FLAC and MP3 decoders took a short
    read for the end (1-byte reads: DecodeError on open), and the Vorbis open grew its buffer by
    4 KB per read."""
    data = sample_bytes(name)

    class Trickle(BytesSource):
        def read(self, num_bytes):
            return super().read(min(num_bytes, most))

    got = concat(miniaudio.stream_any(Trickle(data), fmt), "h")
    assert got == miniaudio.decode(data).samples
