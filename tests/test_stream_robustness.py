"""DecoderStream against hostile sources and inputs (stream.c, source.c): a Python source that calls
back into its own stream (during construction and after), BaseException-only errors from sources,
overflow-safe raw seeks, decoders that read short mid-stream (chunks and a device's GIL-free pull),
headers that lie about the data size (allocation bound, tell() for seekable file objects), and the
rules for `length`.

Re-entry cases run in a subprocess each, so a crash (the use-after-free this guards against) fails
the test instead of the run.  Every input is built here (struct, wave) or taken from samples/.
"""

import gc
import io
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import wave

import pytest

import miniaudio
from miniaudio import FileFormat as FF, SampleFormat as SF

import helpers

PKG_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(miniaudio.__file__)))
SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
DEADLINE = 5.0


def pcm_wav(frames=8000, rate=8000, riff_size=None, data_size=None, extra_chunks=b""):
    """A mono 16-bit WAV with a known ramp-like content; sizes can be overridden (lying headers)."""
    pcm = b"".join(struct.pack("<h", (i * 37) % 20000 - 10000) for i in range(frames))
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + extra_chunks
    body += b"data" + struct.pack("<I", len(pcm) if data_size is None else data_size) + pcm
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


class Pipe:
    """read() only: a pipe or a socket."""

    def __init__(self, data):
        self.b = io.BytesIO(data)

    def read(self, n):
        return self.b.read(n)


def frames_of(stream):
    return b"".join(bytes(c) for c in stream)


# --- re-entry from the source, in a subprocess ---------------------------------------------------------

REENTRY_SCRIPT = textwrap.dedent(r"""
    import gc, io, json, sys
    sys.path.insert(0, sys.argv[1])
    import miniaudio
    path, fmt_name, phase, seekable = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
    DATA = open(path, "rb").read()
    FMT = getattr(miniaudio.FileFormat, fmt_name)
    ACTIONS = {
        "close": lambda s: s.close(),
        "next": lambda s: next(s),
        "send": lambda s: s.send(10),
        "seek": lambda s: s.seek(0),
        "throw": lambda s: s.throw(ValueError("x")),
        "exit": lambda s: s.__exit__(None, None, None),
    }
    RATE = miniaudio.get_file_info(path).sample_rate  # no resampling: a seek lands exactly
    results = {}

    class Source(miniaudio.StreamableSource):
        def __init__(self, action):
            self.f = io.BytesIO(DATA)
            self.action = action
            self.stream = None
            self.armed = phase == "open"
            self.outcome = "not called"

        def hit(self):
            if not self.armed:
                return
            target = self.stream
            if phase == "open":
                target = next((r for r in gc.get_referrers(self) if type(r).__name__ == "DecoderStream"), None)
                if target is None:
                    self.outcome = "not reachable"
                    return
            self.armed = False
            try:
                ACTIONS[self.action](target)
                self.outcome = "returned"
            except BaseException as exc:
                self.outcome = type(exc).__name__

        def read(self, n):
            if phase in ("open", "read"):
                self.hit()
            return self.f.read(n)

        def seek(self, offset, origin):
            if phase == "seek":
                self.hit()
            if not seekable:
                return False
            self.f.seek(offset, origin.value)
            return True

        def tell(self):
            return self.f.tell()

    # every frame: what the same kind of source gives when nothing re-enters (a concatenated MP3
    # over a pipe keeps the Xing count's trimming, so memory would not be the right reference)
    plain = Source(None)
    plain.armed = False
    results["total"] = sum(len(c) for c in miniaudio.stream_any(plain, FMT, miniaudio.SampleFormat.SIGNED16, 1, RATE))
    for action in ACTIONS:
        src = Source(action)
        s = miniaudio.stream_any(src, FMT, miniaudio.SampleFormat.SIGNED16, 1, RATE)
        src.stream = s
        got = 0
        start = 0
        if phase == "read":
            src.armed = True
        first = next(s)
        got += len(first)
        if phase == "seek":
            for _ in range(10):  # out of the first FLAC frame (a seek within it needs no source seek)
                next(s)
            src.armed = True
            start = s.seek(10 if seekable else 20000)  # back (seeks the source) or forward (skips)
            got = 0
        got += sum(len(c) for c in s)
        results[action] = [src.outcome, start + got, s.closed]
    print(json.dumps(results))
""")

REENTRY_INPUTS = [("mono_s16.wav", "WAV"), ("mono.flac", "FLAC"), ("tone.mp3", "MP3"), ("mono.ogg", "VORBIS")]


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "unseekable"])
@pytest.mark.parametrize("phase", ["open", "read", "seek"])
@pytest.mark.parametrize("name,fmt", REENTRY_INPUTS, ids=[n for n, _ in REENTRY_INPUTS])
def test_source_reentering_its_stream_is_refused(tmp_path, name, fmt, phase, seekable):
    """A source whose read() or seek() calls close/next/send/seek/throw/__exit__ on its own stream
    (found through gc.get_referrers while the stream is being built, or held after) gets
    RuntimeError; nothing is freed under the decoder, and the stream then gives every frame."""
    script = tmp_path / "reentry.py"
    script.write_text(REENTRY_SCRIPT)
    path = os.path.join(SAMPLES, name)
    if fmt == "MP3":
        # dr_mp3 reads ahead 64 KB at a time, so a smaller MP3 source is never read again after
        # the open: six copies of the file back to back (they decode as one stream) are 100 KB
        path = str(tmp_path / "six.mp3")
        with open(os.path.join(SAMPLES, name), "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data * 6)
    proc = subprocess.run([sys.executable, str(script), PKG_PARENT, path, fmt, phase,
                           "1" if seekable else "0"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    results = json.loads(proc.stdout)
    total = results.pop("total")
    for action, (outcome, frames, closed) in results.items():
        if phase == "open":
            # the half-built stream is not reachable; if it ever were, it must refuse
            assert outcome in ("not reachable", "RuntimeError"), (action, outcome)
        elif phase == "seek" and not seekable:
            # a source that said while opening that it cannot seek is not asked again
            assert outcome in ("not called", "RuntimeError"), (action, outcome)
        else:
            assert outcome == "RuntimeError", (action, outcome)
        assert closed is False
        assert frames == total, (action, frames, total)


def run_isolated(code):
    """Runs `code` (which prints OK at its end) in a fresh interpreter: a crash fails the test."""
    proc = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, %r)\n" % PKG_PARENT
                           + textwrap.dedent(code)], capture_output=True, text=True, timeout=120, cwd=SAMPLES)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), (proc.returncode, proc.stderr[-3000:])


def test_seek_closing_the_stream_on_first_seek_is_refused():
    """The reported case: Vorbis (push mode, never seeks while opening), a source whose seek()
    closes the stream on the stream's first seek().  RuntimeError inside seek(), reported as the
    DecodeError's cause; the stream stays usable and gives every frame."""
    run_isolated("""
        import io
        import miniaudio
        data = open("mono.ogg", "rb").read()

        class Source(miniaudio.StreamableSource):
            def __init__(self):
                self.f = io.BytesIO(data)
                self.stream = None
                self.errors = []

            def read(self, n):
                return self.f.read(n)

            def seek(self, offset, origin):
                if self.stream is not None:
                    try:
                        self.stream.close()
                    except RuntimeError as exc:
                        self.errors.append(str(exc))
                        raise
                return False

        src = Source()
        stream = miniaudio.stream_any(src, miniaudio.FileFormat.VORBIS, miniaudio.SampleFormat.SIGNED16, 1, 44100)
        src.stream = stream
        first = next(stream)
        try:
            stream.seek(40000)
            raise AssertionError("seek() did not fail")
        except miniaudio.DecodeError as exc:
            assert isinstance(exc.__cause__, RuntimeError), repr(exc.__cause__)
        assert "executing" in src.errors[0], src.errors
        assert not stream.closed
        src.stream = None
        rest = sum(len(c) for c in stream)
        assert len(first) + rest == miniaudio.decode(data, miniaudio.SampleFormat.SIGNED16, 1, 44100).num_frames
        print("OK")
    """)


def test_seek_index_that_closes_the_stream():
    """seek()'s argument's __index__ runs before the stream is looked at: closing it there makes the
    seek fail cleanly (ValueError: closed), not use a freed decoder."""
    run_isolated("""
        import miniaudio
        stream = miniaudio.stream_file("mono.flac", miniaudio.SampleFormat.SIGNED16, 1, 44100)
        next(stream)

        class Frame:
            def __index__(self):
                stream.close()
                return 0

        try:
            stream.seek(Frame())
            raise AssertionError("seek() did not fail")
        except ValueError as exc:
            assert "closed" in str(exc), exc
        print("OK")
    """)


# --- BaseException-only errors propagate unchanged --------------------------------------------------------

class CustomBase(BaseException):
    pass


BASE_ONLY = [KeyboardInterrupt, SystemExit, CustomBase]


class Raising(miniaudio.StreamableSource):
    """Raises `exc` from read() or seek() once `armed`."""

    def __init__(self, data, exc, where, armed):
        self.f = io.BytesIO(data)
        self.exc, self.where, self.armed = exc, where, armed

    def read(self, n):
        if self.armed and self.where == "read":
            raise self.exc("from read")
        return self.f.read(n)

    def seek(self, offset, origin):
        if self.armed and self.where == "seek":
            raise self.exc("from seek")
        self.f.seek(offset, origin.value)
        return True

    def tell(self):
        return self.f.tell()


@pytest.mark.parametrize("exc", BASE_ONLY + [ValueError], ids=lambda e: e.__name__)
@pytest.mark.parametrize("where", ["read", "seek"])
def test_source_error_at_open(exc, where):
    """An MP3 opened with format detection: the WAV decoder refuses it and the source is rewound
    (seek), having been read: both run while stream_any() opens."""
    data = open(os.path.join(SAMPLES, "mono.mp3"), "rb").read()
    src = Raising(data, exc, where, armed=True)
    expected = miniaudio.DecodeError if issubclass(exc, Exception) else exc
    with pytest.raises(expected) as info:
        miniaudio.stream_any(src, FF.UNKNOWN, SF.SIGNED16, 1, 44100)
    if expected is miniaudio.DecodeError:
        assert isinstance(info.value.__cause__, exc)
    else:
        assert str(info.value) == "from " + where
        assert type(info.value) is exc


@pytest.mark.parametrize("exc", BASE_ONLY + [ValueError], ids=lambda e: e.__name__)
@pytest.mark.parametrize("where", ["read", "seek"])
def test_source_error_later(exc, where):
    """After the first chunk: next() (read) or seek() (seek).  Ordinary exceptions keep today's
    DecodeError with __cause__; KeyboardInterrupt, SystemExit and other BaseException-only types
    arrive unchanged, so `except Exception` does not swallow Ctrl-C."""
    data = pcm_wav(frames=20000, rate=8000)
    src = Raising(data, exc, where, armed=False)
    stream = miniaudio.stream_any(src, FF.WAV, SF.SIGNED16, 1, 8000, frames_to_read=100)
    next(stream)
    src.armed = True
    expected = miniaudio.DecodeError if issubclass(exc, Exception) else exc
    with pytest.raises(expected) as info:
        if where == "read":
            for _ in stream:
                pass
        else:
            stream.seek(0)
    if expected is miniaudio.DecodeError:
        assert isinstance(info.value.__cause__, exc)
    else:
        assert type(info.value) is exc and str(info.value) == "from " + where
    if where == "read":
        assert stream.closed  # a source that raised ends the stream, as a generator that raised
        with pytest.raises(StopIteration):
            next(stream)


@pytest.mark.parametrize("exc", BASE_ONLY + [ValueError], ids=lambda e: e.__name__)
@pytest.mark.parametrize("rate", [44100, 8000], ids=["native", "resampled"])
@pytest.mark.parametrize("frame", [1, 5000])
def test_source_read_error_inside_a_seek(exc, rate, frame):
    """A seek that decodes (dr_mp3 seeks back by decoding from the start): the source's seek()
    works, its read() raises.  The decoder stops short of the frame, and what the source raised must
    arrive unchanged, not as "the decoder stopped at frame 0" (found by the source fuzz target)."""
    data = open(os.path.join(SAMPLES, "mono.mp3"), "rb").read()
    src = Raising(data, exc, "read", armed=False)
    stream = miniaudio.stream_any(src, FF.MP3, SF.SIGNED16, 1, rate, frames_to_read=100)
    next(stream)
    stream.seek(frame + 3000)  # without errors, and past the frame: the next seek goes back
    src.armed = True
    expected = miniaudio.DecodeError if issubclass(exc, Exception) else exc
    with pytest.raises(expected) as info:
        stream.seek(frame)
    if expected is miniaudio.DecodeError:
        assert isinstance(info.value.__cause__, exc)
    else:
        assert type(info.value) is exc and str(info.value) == "from read"


def test_keyboard_interrupt_not_caught_by_except_exception():
    data = pcm_wav(frames=20000)
    src = Raising(data, KeyboardInterrupt, "read", armed=False)
    stream = miniaudio.stream_any(src, FF.WAV, frames_to_read=100)
    next(stream)
    src.armed = True
    with pytest.raises(KeyboardInterrupt):
        try:
            for _ in stream:
                pass
        except Exception:  # what a playback loop writes: must not see Ctrl-C
            pytest.fail("KeyboardInterrupt arrived as an Exception")


# --- raw PCM seeks: no 64-bit wrap --------------------------------------------------------------------

@pytest.mark.parametrize("frame", [2 ** 62, 2 ** 63 - 1, 2 ** 61 + 1])
def test_raw_seek_far_past_the_end(frame):
    s = miniaudio.stream_raw_pcm_memory(b"\x01\x02\x03", 2, 2)
    assert s.length == 1  # a partial frame counts (next() gives it)
    with pytest.raises(ValueError, match="cannot seek to frame"):
        s.seek(frame)
    assert bytes(next(s)) == b"\x01\x02\x03" and s.position == 1
    full = miniaudio.stream_raw_pcm_memory(bytes(range(16)), 2, 2, frames_to_read=3)
    assert full.length == 4
    with pytest.raises(ValueError):
        full.seek(frame)
    assert full.seek(4) == 4
    with pytest.raises(StopIteration):
        next(full)
    assert full.seek(3) == 3 and bytes(next(full)) == bytes(range(12, 16))


# --- decoders that read short mid-stream --------------------------------------------------------------

def ima_adpcm_wav_with_bad_block_align(seconds=1.0, rate=44100, extra=16):
    """A mono IMA ADPCM WAV (made by ffmpeg) whose block align is `extra` bytes larger than its
    samples per block imply: dr_wav then reads short at every block."""
    wav = bytearray(subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         f"sine=frequency=440:sample_rate={rate}:duration={seconds}", "-c:a", "adpcm_ima_wav", "-f", "wav", "-"],
        check=True, capture_output=True).stdout)
    fmt = wav.find(b"fmt ") + 8
    align = struct.unpack_from("<H", wav, fmt + 12)[0]
    struct.pack_into("<H", wav, fmt + 12, align + extra)
    return bytes(wav)


needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@needs_ffmpeg
@pytest.mark.parametrize("chunk_type", ["array", "bytes"])
def test_short_reads_mid_stream_give_full_chunks(tmp_path, chunk_type):
    data = ima_adpcm_wav_with_bad_block_align()
    total = miniaudio.decode(data, SF.SIGNED16, 1, 44100).num_frames
    assert total > 5000
    path = tmp_path / "adpcm.wav"
    path.write_bytes(data)
    expected = miniaudio.decode(data, SF.SIGNED16, 1, 44100).samples.tobytes()
    for stream in (miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100, 1000, chunk_type=chunk_type),
                   miniaudio.stream_file(str(path), SF.SIGNED16, 1, 44100, 1000, chunk_type=chunk_type),
                   miniaudio.stream_any(io.BytesIO(data), FF.WAV, SF.SIGNED16, 1, 44100, 1000,
                                        chunk_type=chunk_type)):
        sizes = [memoryview(c).nbytes // 2 for c in stream]
        assert sum(sizes) == total
        assert all(n == 1000 for n in sizes[:-1]) and 0 < sizes[-1] <= 1000, sizes
    # the growing send() path, and send() of any size
    s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100)
    a = bytes(s.send(3000))
    assert len(a) == 6000
    b = bytes(s.send(100000))  # above the growth threshold: all the rest at once
    assert a + b == expected
    with pytest.raises(StopIteration):
        s.send(10)
    assert s.length == total  # exact once the end is reached


@needs_ffmpeg
def test_device_plays_every_frame_of_a_short_reading_stream():
    data = ima_adpcm_wav_with_bad_block_align(seconds=0.5)
    total = miniaudio.decode(data, SF.SIGNED16, 1, 44100).num_frames
    stream = miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100)
    with miniaudio.PlaybackDevice(SF.SIGNED16, 1, 44100, buffersize_msec=10,
                                  backends=[miniaudio.Backend.NULL]) as dev:
        dev.start(stream)
        assert dev.wait(DEADLINE + total / 44100) is True
        assert dev.callback_error is None
        assert stream.position == total
        assert dev.stats.frames >= total
    with pytest.raises(StopIteration):
        next(stream)


# --- headers that lie about the data size ---------------------------------------------------------------

LYING = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 0xFFFFFFFF, b"WAVE", b"fmt ", 16, 1, 2, 44100, 176400, 4, 16,
                    b"data", 0xFFFFFFF0) + bytes(1000)


@pytest.mark.parametrize("kind", ["BytesIO", "pipe"])
def test_lying_wav_header_send_allocates_what_arrives(kind):
    """1 KB claiming 4 GB of data: send(10**9) must not allocate by the header's word (the old code
    allocated 10**9 frames, 8 GB, before decoding 250)."""
    src = io.BytesIO(LYING) if kind == "BytesIO" else Pipe(LYING)
    s = miniaudio.stream_any(src, FF.UNKNOWN, SF.FLOAT32, 2, 44100)
    tracemalloc.start()
    try:
        chunk = s.send(10 ** 9)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(chunk) == 250 * 2
    assert peak < 40 << 20, peak


def test_lying_wav_header_over_file_object():
    """A seekable file object's size is learned (seek to the end, tell): the same length as memory."""
    assert miniaudio.stream_memory(LYING, SF.FLOAT32, 2, 44100).length == 250
    assert miniaudio.stream_any(io.BytesIO(LYING), FF.UNKNOWN, SF.FLOAT32, 2, 44100).length == 250


def test_wav_ffffffff_same_frames_from_every_input(tmp_path):
    """0xFFFFFFFF RIFF and data sizes (streaming writers): bytes, path, BytesIO, open file and pipe
    all give every frame."""
    data = pcm_wav(riff_size=0xFFFFFFFF, data_size=0xFFFFFFFF)
    path = tmp_path / "ff.wav"
    path.write_bytes(data)
    expected = miniaudio.decode(data, SF.SIGNED16, 1, 8000).samples.tobytes()
    assert len(expected) == 16000
    with open(path, "rb") as f:
        streams = {
            "memory": miniaudio.stream_memory(data, SF.SIGNED16, 1, 8000),
            "path": miniaudio.stream_file(str(path), SF.SIGNED16, 1, 8000),
            "BytesIO": miniaudio.stream_any(io.BytesIO(data), FF.WAV, SF.SIGNED16, 1, 8000),
            "file": miniaudio.stream_any(f, FF.UNKNOWN, SF.SIGNED16, 1, 8000),
            "pipe": miniaudio.stream_any(Pipe(data), FF.WAV, SF.SIGNED16, 1, 8000),
        }
        for name, s in streams.items():
            assert frames_of(s) == expected, name
            assert s.length == 8000, name


def test_source_without_tell_is_not_asked_to_seek_from_the_end():
    """A seekable source without tell(): where a seek from the end lands could not be reported, so
    none is asked for; the 0xFFFFFFFF WAV is measured by reading, as from a pipe."""
    data = pcm_wav(riff_size=0xFFFFFFFF, data_size=0xFFFFFFFF)
    origins = []

    class NoTell(miniaudio.StreamableSource):
        def __init__(self):
            self.f = io.BytesIO(data)

        def read(self, n):
            return self.f.read(n)

        def seek(self, offset, origin):
            origins.append(origin)
            self.f.seek(offset, origin.value)
            return True

    s = miniaudio.stream_any(NoTell(), FF.WAV, SF.SIGNED16, 1, 8000)
    assert len(frames_of(s)) == 16000
    assert miniaudio.SeekOrigin.END not in origins


# --- length rules ---------------------------------------------------------------------------------------

def test_length_below_the_delivered_frames():
    """A FLAC whose STREAMINFO says 1000 frames while its frames hold all of them: length starts at
    the header's word, but never stays below the position (None until the end), and is exact at
    the end; seek() then accepts every frame that exists."""
    good = open(os.path.join(SAMPLES, "mono.flac"), "rb").read()
    rate = miniaudio.get_file_info(os.path.join(SAMPLES, "mono.flac")).sample_rate
    expected = miniaudio.decode(good, SF.SIGNED16, 1, rate).samples.tobytes()
    total = len(expected) // 2
    s = miniaudio.stream_memory(flac_claiming(1000), SF.SIGNED16, 1, rate, frames_to_read=500)
    assert s.length == 1000
    seen = b""
    for chunk in s:
        seen += bytes(chunk)
        assert s.length is None or s.length >= s.position
    assert seen == expected and s.position == total
    assert s.length == total
    # seek() no longer refuses frames past the header's word; where the decoder cannot reach them
    # (dr_flac stops at its stated total) it says so instead of serving other frames as these
    try:
        assert s.seek(total - 700) == total - 700
        assert bytes(next(s)) == expected[2 * (total - 700):2 * (total - 200)]
    except miniaudio.DecodeError as exc:
        assert "stopped at frame 1000" in str(exc)
        assert s.position == 1000 and bytes(next(s)) == expected[2000:3000]


def flac_claiming(total_samples):
    data = bytearray(open(os.path.join(SAMPLES, "mono.flac"), "rb").read())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO first
    word = int.from_bytes(data[18:26], "big")
    word = (word & ~((1 << 36) - 1)) | total_samples
    data[18:26] = word.to_bytes(8, "big")
    return bytes(data)


def test_length_more_than_the_input_could_hold_is_unknown(tmp_path):
    """A FLAC of a few KB whose STREAMINFO claims 2**36 - 1 frames: length None (not 68719476735),
    the real frames decode, and at the end length is what was delivered."""
    data = flac_claiming(2 ** 36 - 1)
    good = open(os.path.join(SAMPLES, "mono.flac"), "rb").read()
    rate = miniaudio.decode(good).sample_rate
    expected = miniaudio.decode(good, SF.SIGNED16, 1, rate).samples.tobytes()
    path = tmp_path / "big.flac"
    path.write_bytes(data)
    for s in (miniaudio.stream_memory(data, SF.SIGNED16, 1, rate),
              miniaudio.stream_file(str(path), SF.SIGNED16, 1, rate)):
        assert s.length is None
        assert frames_of(s) == expected
        assert s.length == len(expected) // 2 == s.position


def test_length_is_exact_at_the_end_after_resampling():
    s = miniaudio.stream_file(os.path.join(SAMPLES, "tone_16.flac"), SF.SIGNED16, 2, 22050)
    n = sum(len(c) for c in s) // 2
    assert s.length == n == s.position


def test_seek_past_an_unknown_end_does_not_invent_a_length():
    """A seek target beyond the real end of a stream whose length is unknown is not taken for
    frames delivered: length stays None."""
    data = open(os.path.join(SAMPLES, "mono.ogg"), "rb").read()
    s = miniaudio.stream_any(Pipe(data), FF.VORBIS, SF.SIGNED16, 1, 44100)  # push mode: length unknown
    assert s.length is None
    s.seek(10 ** 7)  # skipped by decoding: lands at the real end
    assert s.position == miniaudio.decode(data, SF.SIGNED16, 1, 44100).num_frames
    s2 = miniaudio.stream_any(io.BytesIO(data), FF.VORBIS, SF.SIGNED16, 1, 44100)
    with pytest.raises(ValueError):
        s2.seek(2 ** 63 - 1)  # beyond any stream at this rate
