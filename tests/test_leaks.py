"""Leak checks: every public API, success and error paths, is called many times after a warm-up;
Python-heap growth (tracemalloc) must stay under 100 KB and process RSS growth under 2 MB.

A leaked decode buffer (tens of KB per call), a leaked exception or argument reference, a leaked
decoder, file handle or device context shows up far above these limits.

Counts: MINIAUDIO_LEAKS_FULL=1 runs each case 10,000 times (device start/stop and device errors
2,000 times: each waits for the NULL device's audio thread, tens of milliseconds);
the default suite runs DEFAULT calls per case (the file stays around a minute).
MINIAUDIO_LEAKS_COUNT=N runs N per case (valgrind and the debug interpreter use small N).
MINIAUDIO_LEAKS_REPORT=path appends one line per case: name, calls, traced and RSS growth, seconds.
MINIAUDIO_UNDER_VALGRIND=1 (set by tests/reliability/valgrind.sh) skips the RSS bound.
The full run's figures are in RELIABILITY.md ("Leaks and lifecycle").
"""

import array
import asyncio
import gc
import http.server
import io
import os
import socket
import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

TRACED_LIMIT = 100 * 1024
RSS_LIMIT = 2 * 1024 * 1024
FULL = os.environ.get("MINIAUDIO_LEAKS_FULL") == "1"
OVERRIDE = int(os.environ.get("MINIAUDIO_LEAKS_COUNT", "0"))
FULL_COUNT = 10000
FULL_DEVICE = 2000  # a start/stop waits for the NULL device's audio thread: ~25 ms
DEFAULT = 600
DEFAULT_DEVICE = 100
NULL = [miniaudio.Backend.NULL]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _samples_dir():
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")


def _read(name):
    with open(os.path.join(_samples_dir(), name), "rb") as f:
        return f.read()


def _expect(exc_type, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc_type:
        return
    raise AssertionError("expected %s from %s" % (exc_type.__name__, getattr(fn, "__name__", fn)))


def _drain(stream):
    """Reads a stream to its end; the number of bytes it gave."""
    n = 0
    for chunk in stream:
        n += memoryview(chunk).nbytes
    return n


class _BytesSource(miniaudio.StreamableSource):
    """A StreamableSource over bytes (seekable), as a user would write one."""

    def __init__(self, data):
        self.f = io.BytesIO(data)

    def read(self, num_bytes):
        return self.f.read(num_bytes)

    def seek(self, offset, origin):
        self.f.seek(offset, {miniaudio.SeekOrigin.START: 0, miniaudio.SeekOrigin.CURRENT: 1}.get(origin, 2))
        return True


class _NoSeekSource(miniaudio.StreamableSource):
    """A StreamableSource over bytes that cannot seek (a stream over it cannot loop)."""

    def __init__(self, data):
        self.f = io.BytesIO(data)

    def read(self, num_bytes):
        return self.f.read(num_bytes)


class _FailingSource(miniaudio.StreamableSource):
    """A source whose read() raises after the header: the error must surface, nothing may stay."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def read(self, num_bytes):
        if self.pos > 2000:
            raise OSError("network down")
        chunk = self.data[self.pos:self.pos + num_bytes]
        self.pos += len(chunk)
        return chunk


class _Handler(http.server.BaseHTTPRequestHandler):
    """/404 -> 404; /html -> a page that is not audio; /aac -> an audio type we cannot decode."""

    def do_GET(self):
        if self.path == "/404":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if self.path == "/html" else "audio/aac")
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tone_gen():
    frames = yield b""
    while True:
        frames = yield b"\0" * (frames * 4)


def _device_cycle(cls, **kw):
    with cls(backends=NULL, **kw) as dev:
        assert dev.backend == "Null"


def _start_stop(dev, source):
    """One run: start, wait until the audio thread has called back at least once, stop."""
    before = dev.stats.callbacks
    dev.start(source)
    deadline = time.monotonic() + 10
    while dev.stats.callbacks == before and dev.running and time.monotonic() < deadline:
        time.sleep(0.001)
    assert dev.stats.callbacks > before, "the NULL device did not call back"
    dev.stop()


def _start_stop_wait(dev, before):
    deadline = time.monotonic() + 10
    while dev.stats.callbacks == before and dev.running and time.monotonic() < deadline:
        time.sleep(0.001)
    assert dev.stats.callbacks > before, "the NULL device did not call back"
    dev.stop()


def make_cases(tmp, http_url):
    p = lambda n: os.path.join(_samples_dir(), n)  # noqa: E731
    wav, flac, mp3, ogg = _read("mono_s16.wav"), _read("mono.flac"), _read("mono.mp3"), _read("mono.ogg")
    f32wav = _read("short_f32.wav")
    s16 = np.frombuffer(wav[44:], np.int16)[:4410].tobytes()
    sound = miniaudio.wav_read_s16(wav)
    sound_f32 = miniaudio.wav_read_f32(f32wav)
    garbage = b"not audio at all " * 50
    from test_output_bound import constant_flac

    unknown_length_flac = constant_flac(3, total=0)
    out_wav = os.path.join(tmp, "out \u266a.wav")
    big_wav = os.path.join(tmp, "big.wav")  # 9 MiB of 16-bit stereo: over the two-thread minimum
    miniaudio.wav_write_file(big_wav, miniaudio.DecodedSoundFile(
        "big", 2, 44100, SF.SIGNED16, array.array("h", np.random.default_rng(3).integers(
            -32768, 32767, 9 << 19, dtype=np.int16).tobytes())))
    missing = p("nope \u266a.wav")
    refused = "http://127.0.0.1:%d/" % _closed_port()

    def converter_ops(s16):
        # every method, every kind of chunk, and the refusals
        conv = miniaudio.Converter(SF.SIGNED16, 1, 44100, SF.FLOAT32, 2, 48000)
        conv.process(s16)
        conv.process(array.array("h", s16[:400]))
        conv.process(np.frombuffer(s16, np.int16)[:1000])
        conv.set_rate(44100, 32000)
        conv.set_ratio(1.5)
        conv.process(bytearray(s16[:2000]))
        conv.expected_output_frames(1000), conv.required_input_frames(1000)
        conv.input_latency, conv.output_latency, conv.rates
        conv.flush(drain=True)
        for bad in (lambda: conv.process(s16), lambda: conv.set_ratio(float("nan")),
                    lambda: conv.process(np.zeros((4, 3), np.int16)), lambda: conv.process(b"\0")):
            try:
                bad()
            except (ValueError, TypeError):
                pass
        conv.reset()
        conv.process(memoryview(s16)[:200])
        return conv.flush()

    def stream_file_ops():
        with miniaudio.stream_file(p("mono.flac"), frames_to_read=512) as s:
            next(s)
            s.send(300)
            s.seek(1000)
            assert s.position == 1000
            s.send(100)

    def stream_memory_ops():
        s = miniaudio.stream_memory(mp3, output_format=SF.FLOAT32, nchannels=1, sample_rate=22050,
                                    frames_to_read=1024, chunk_type="numpy")
        next(s)
        s.seek(0)
        s.send(2000)
        s.close()

    def stream_any_ops():
        s = miniaudio.stream_any(io.BytesIO(ogg), miniaudio.FileFormat.VORBIS, chunk_type="bytes")
        next(s)
        s.send(700)
        s.seek(5000)
        # past the end of an unknown length, resampled: refused, the resampler's state put back
        _expect(miniaudio.DecodeError, s.seek, 2 ** 31)
        s.send(100)
        s.close()
        s = miniaudio.stream_any(_BytesSource(wav))  # detection over a StreamableSource
        s.send(4096)
        s.close()

    def stream_loop():
        # wraps inside chunks (memory, path, a seekable file object), then the refusals
        assert _drain(miniaudio.stream_memory(wav, nchannels=1, sample_rate=22050, loop=3, loop_start=100,
                                              frames_to_read=4000)) == (22050 + 2 * 21950) * 2
        s = miniaudio.stream_file(p("mono.flac"), loop=True, loop_end=3000)
        s.send(10000)
        s.seek(0)
        s.close()
        s = miniaudio.stream_any(io.BytesIO(wav), loop=2)
        s.send(5000)
        s.close()
        _expect(ValueError, miniaudio.stream_any, _NoSeekSource(wav), loop=True)
        _expect(ValueError, miniaudio.stream_memory, wav, loop=True, loop_end=10**9)
        _expect(TypeError, miniaudio.stream_memory, wav, loop=1.5)

    def stream_chain():
        # same-format and converted members, read to the end, rewound, closed part-way, refused
        a, b = miniaudio.stream_memory(wav, nchannels=1, sample_rate=22050), miniaudio.stream_file(p("mono.flac"))
        assert _drain(miniaudio.chain(a, b, frames_to_read=3000)) > 0
        c = miniaudio.chain(miniaudio.stream_memory(wav), miniaudio.Waveform("sine", 440))
        c.send(5000)
        c.seek(0)
        c.send(100)
        c.close()
        miniaudio.chain(miniaudio.stream_memory(wav)).send(10)  # dropped unclosed
        told = []
        looped = miniaudio.chain(miniaudio.stream_memory(wav), loop=3, on_source_end=lambda i, m: told.append(m))
        assert _drain(looped) > 0 and len(told) == 3
        del told[:]
        s = miniaudio.stream_memory(wav)
        _expect(RuntimeError, miniaudio.chain, s, s)
        _expect(TypeError, miniaudio.chain, s, 42)
        _expect(ValueError, miniaudio.chain, s, miniaudio.stream_any(io.BytesIO(wav)))
        s.close()

    def stream_playlist():
        # appended while read, run dry (empty chunks), callbacks (one raising: unraisable), refused
        # members and appends, a cycle of playlists, dropped open
        ends = []
        pl = miniaudio.Playlist(miniaudio.stream_memory(wav), on_source_end=lambda i, s: ends.append(i))
        pl.send(3000)
        pl.append(miniaudio.stream_file(p("mono.flac")))
        pl.extend([miniaudio.stream_memory(wav, nchannels=1, sample_rate=22050)])
        while len(pl.send(50000)) > 0:
            pass
        pl.close_input()
        assert _drain(pl) == 0 and len(ends) == 3
        pl.seek(0)
        pl.close()
        s = miniaudio.stream_memory(wav)
        q = miniaudio.Playlist(s, on_source_end=lambda i, s: 1 / 0)
        _expect(RuntimeError, q.append, s)
        _expect(TypeError, q.append, 42)
        _expect(ValueError, q.append, miniaudio.stream_any(io.BytesIO(wav)))
        _expect(TypeError, q.extend, s)
        r = miniaudio.Playlist(output_format=SF.SIGNED16, nchannels=2, sample_rate=44100)
        q.append(r)
        _expect(ValueError, r.append, q)
        q.close_input()
        _expect(ValueError, q.append, miniaudio.stream_memory(wav))
        q.send(100)  # dropped open: the cycle q -> callback is collected

    def stream_whole():
        assert _drain(miniaudio.stream_file(p("mono.mp3"), nchannels=1, sample_rate=22050)) == 22050 * 2
        assert _drain(miniaudio.stream_raw_pcm_memory(array.array("h", s16), 1, 2, 1000)) == 4410 * 2

    def stream_native_functions():
        for fn, name in ((miniaudio.wav_stream_file, "mono_s16.wav"), (miniaudio.flac_stream_file, "mono.flac"),
                         (miniaudio.mp3_stream_file, "mono.mp3")):
            s = fn(p(name), frames_to_read=4096)
            next(s)
            s.close()
        s = miniaudio.vorbis_stream_file(p("mono.ogg"))
        next(s)
        s.close()

    def audiofile_write():
        audio = np.stack([np.linspace(-1.2, 1.2, 700, dtype=np.float32)] * 2)
        with miniaudio.WriteableAudioFile(out_wav, 22050, 2, 24) as w:
            w.write(audio)
            w.flush()
            w.write(array.array("h", [1, -1] * 50))
        buf = io.BytesIO()
        with miniaudio.WriteableAudioFile(buf, 22050, 2, 32, format="wav") as w:
            w.write(audio.T)
        from miniaudio._audiofile_write import encode
        encode(audio, 22050, "wav", 2, 8)
        _expect(ValueError, miniaudio.WriteableAudioFile, buf, 22050, format="mp3")
        _expect(ValueError, encode, audio, 22050, "wav", 3)  # 2-channel audio for 3 channels
        _expect(RuntimeError, w.write, audio)
        _expect(FileNotFoundError, miniaudio.WriteableAudioFile, os.path.join(missing, "x.wav"), 8000)

    def stream_wrappers():
        w = miniaudio.stream_with_callbacks(miniaudio.stream_memory(wav), progress_callback=lambda n: None,
                                            end_callback=lambda: None)
        next(w)
        w.send(1000)
        w.close()
        r = miniaudio.WavFileReadStream(miniaudio.stream_memory(flac, nchannels=1, sample_rate=22050), 22050, 1,
                                        SF.SIGNED16, max_frames=3000)
        assert len(r.read(44 + 6000)) == 44 + 6000
        r.close()

    def stream_errors():
        _expect(miniaudio.DecodeError, miniaudio.stream_memory, garbage)
        _expect(FileNotFoundError, miniaudio.stream_file, missing)
        _expect(ValueError, miniaudio.stream_file, p("mono.flac"), nchannels=0)
        _expect(TypeError, miniaudio.stream_any, 42)
        # (the source fails 2000 bytes in: while the stream opens, since it fills the decoder's reads)
        _expect(miniaudio.DecodeError, lambda: _drain(miniaudio.stream_any(_FailingSource(mp3),
                                                                           miniaudio.FileFormat.MP3)))
        s = miniaudio.stream_memory(wav)
        s.close()
        _expect(StopIteration, next, s)
        s = miniaudio.stream_memory(wav)
        _expect(ValueError, s.throw, ValueError("thrown in"))
        s = miniaudio.stream_file(p("mono.flac"))
        _expect((ValueError, miniaudio.MiniaudioError), s.seek, -1)
        s.close()

    def icecast_errors():
        _expect(miniaudio.IceCastError, miniaudio.IceCastClient, http_url + "/404")
        _expect(miniaudio.IceCastError, miniaudio.IceCastClient, http_url + "/html")
        _expect(miniaudio.IceCastError, miniaudio.IceCastClient, http_url + "/aac")
        _expect(miniaudio.IceCastError, miniaudio.IceCastClient, refused, timeout=5)
        _expect(TypeError, miniaudio.IceCastClient, refused, update_stream_title=42)
        _expect(ValueError, miniaudio.IceCastClient, refused, timeout=0)

    def device_enumeration():
        with miniaudio.Devices(backends=NULL) as devices:
            assert devices.get_playbacks() and devices.get_captures()

    play = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=5, nchannels=2, output_format=SF.SIGNED16)
    cap = miniaudio.CaptureDevice(backends=NULL, buffersize_msec=5)
    closed = miniaudio.PlaybackDevice(backends=NULL)
    closed.close()

    def capture_gen():
        while True:
            data = yield
            assert isinstance(data, bytearray)

    def device_start_stop():
        _start_stop(play, _tone_gen())
        _start_stop(play, miniaudio.stream_memory(wav, nchannels=2, sample_rate=play.sample_rate))  # GIL-free
        _start_stop(cap, capture_gen())
        # converted on the audio thread (another format, channel count and rate), and a generator
        _start_stop(play, miniaudio.stream_memory(wav, SF.FLOAT32, 1, 22050))
        _start_stop(play, miniaudio.Noise("pink", 0.1, seed=1, output_format=SF.FLOAT32, nchannels=1))

    def device_watch_notify():
        # a device watcher started and closed (its thread joined, its contexts closed), and a run
        # whose notifications are delivered to on_notification and read back
        with miniaudio.watch_devices(lambda event, device: None, interval=0.001, backends=NULL):
            time.sleep(0.003)
        play.on_notification = lambda device, kind: None
        _start_stop(play, _tone_gen())
        assert len(play.notifications) <= 256
        play.on_notification = None

    def device_volume_pause():
        # volume and volume_db (good and refused values), pause/resume with a fade, a refused pause
        play.volume = 0.5
        play.volume_db = -3.0
        _expect(ValueError, setattr, play, "volume", float("nan"))
        _expect(TypeError, setattr, play, "volume_db", "x")
        _expect(miniaudio.MiniaudioError, play.pause)
        play.start(_tone_gen())
        play.pause(0.001)
        _expect(ValueError, play.resume, -1.0)
        play.resume(0.001)
        before = play.stats.callbacks
        _start_stop_wait(play, before)
        play.volume = 1.0

    duplex = miniaudio.DuplexStream(backends=NULL, buffersize_msec=5)

    def play_callback(outdata, frames, time_, status):
        outdata[:, 0] = 1

    def capture_callback(indata, frames, time_, status):
        indata.sum()

    def wire_callback(indata, outdata, frames, time_, status):
        outdata[:] = indata

    kept = []

    def keeping_callback(outdata, frames, time_, status):
        kept[:] = [outdata]  # a kept buffer is left to its holder: the next period gets a new one

    def numpy_capture_gen():
        while True:
            data = yield
            assert data.shape[1] == 2

    def device_callbacks():
        for dev, fn in ((play, play_callback), (cap, capture_callback), (duplex, wire_callback),
                        (play, keeping_callback)):
            before = dev.stats.callbacks
            dev.start(callback=fn)
            deadline = time.monotonic() + 10
            while dev.stats.callbacks < before + 2 and time.monotonic() < deadline:
                time.sleep(0.001)
            assert dev.stats.callbacks >= before + 2, "the NULL device did not call back"
            dev.stop()
        before = cap.stats.callbacks
        cap.start(numpy_capture_gen(), input_type="numpy")
        _start_stop_wait(cap, before)
    def short_gen(frames_total):
        pos = 0
        frames = yield b""
        while pos < frames_total:
            k = min(frames, frames_total - pos)
            pos += k
            frames = yield np.zeros((k, 2))  # float64: converted as write() converts

    def device_prefetch():
        # a feeder thread per run: stopped while it waits, a generator that returns (drained),
        # one that raises (callback_error), on capture too
        before = play.stats.callbacks
        play.start(_tone_gen(), prefetch_msec=20)
        deadline = time.monotonic() + 10
        while play.stats.callbacks == before and time.monotonic() < deadline:
            time.sleep(0.001)
        play.stop()
        play.start(short_gen(300), prefetch_msec=20)
        assert play.wait(10)
        play.start(failing_gen(), prefetch_msec=20)
        _expect(KeyError, play.wait, 10)
        cap.start(capture_gen(), prefetch_msec=20)
        cap.stop()

    def dsp():
        x = array.array("f", [0.25, -0.5] * 600)
        for proc in (miniaudio.LowPass(1000, 3, sample_rate=44100), miniaudio.HighPass(500, 5, sample_rate=44100),
                     miniaudio.BandPass(800, 4, sample_rate=44100), miniaudio.PeakingEQ(1000, 6, 1, sample_rate=44100),
                     miniaudio.Delay(0.01, 0.5, sample_rate=44100), miniaudio.Gain(-6, sample_rate=44100),
                     miniaudio.Pan(0.3, nchannels=2), miniaudio.Fade(0, 1, 0.01, sample_rate=44100),
                     miniaudio.Biquad(1, 0, 0, 1, 0, 0)):
            proc.process(x)
            proc.process(x.tobytes())
            proc.process(array.array("h", [1000, -1000] * 300))
            proc.reset()
            if hasattr(proc, "process_inplace"):
                proc.process_inplace(bytearray(16))
                proc._process_inplace(bytearray(16), 0, 0, bytes(16))  # process()'s one-pass path
                _expect(ValueError, proc._process_inplace, bytearray(16), 0, 0, bytes(8))
            _expect(ValueError, proc.process, b"\0\0\0")
            _expect(TypeError, proc.process, "str")
        g = miniaudio.Gain(0)
        g.db = -3
        g.process(sound)
        _expect(ValueError, setattr, g, "db", float("nan"))
        _expect(ValueError, miniaudio.LowPass, 30000, sample_rate=44100)
        _expect(ValueError, miniaudio.LowPass(1000).process, x)

    def stream_then():
        # processed streams: read to the end, sought, closed, dropped unclosed, played by a device,
        # in a chain, refused arguments (nothing kept by a refusal)
        lp, g = miniaudio.LowPass(1000, 4, sample_rate=44100), miniaudio.Gain(-6)
        t = miniaudio.stream_memory(wav).then(lp, g)
        assert _drain(t) > 0
        t.seek(0)
        t.send(300)
        t.close()
        miniaudio.stream_memory(wav, output_format=SF.FLOAT32).then(lp).send(100)  # dropped unclosed
        assert _drain(miniaudio.chain(miniaudio.stream_memory(wav).then(miniaudio.Gain(-1)),
                                      miniaudio.stream_memory(wav).then(miniaudio.Delay(0.01, 0.5)).then(
                                          miniaudio.Pan(0.2)), frames_to_read=4000)) > 0
        w = miniaudio.Waveform("sine", 440).then(miniaudio.HighPass(200, 3))
        w.send(2000)
        w.close()
        src = miniaudio.stream_memory(wav, nchannels=2, sample_rate=44100)
        src.seek(src.length - 300)  # a short run for the device below
        _expect(TypeError, src.then, lp, 42)
        _expect(ValueError, src.then, miniaudio.Gain(0, nchannels=1))
        held = src.then(g)
        _expect(ValueError, miniaudio.stream_memory(wav).then, g)
        _expect(RuntimeError, src.then, lp)
        play.start(held)
        play.wait(10)
        held.close()
        _expect(ValueError, miniaudio.stream_any(io.BytesIO(wav)).then, lp)

    def mixer_offline():
        # a mixer made and closed, voices played to their end, stopped, and left to the mixer
        with miniaudio.Mixer(sample_rate=8000, nchannels=2) as m:
            a = m.play(miniaudio.stream_memory(wav), volume=0.5, pan=0.2, start_at=5, stop_at=200)
            b = m.play(miniaudio.Waveform("sine", 440.0, 0.5, 8000, 1), fade_in=16, loop=True)
            m.render(100)
            b.stop(fade_out=20)
            m.play(miniaudio.stream_raw_pcm_memory(s16[:400], 1, 2))
            m.render(300)
            assert a.finished and b.finished
        _expect(RuntimeError, _mixer_twice)

    def _mixer_twice():
        with miniaudio.Mixer(sample_rate=8000, nchannels=1) as m:
            w = miniaudio.Waveform("sine", 440.0, 0.5, 8000, 1)
            m.play(w)
            m.play(w)

    def mixer_groups():
        # groups with processors made and closed (a parent closed with its child and their voices
        # playing), voices played into them, refused arguments, and a mixer closed with its groups
        with miniaudio.Mixer(sample_rate=8000, nchannels=2) as m:
            lp, gain = miniaudio.LowPass(1000), miniaudio.Gain(-6)
            bus = m.group(volume=0.5, pan=0.2, processors=[lp, miniaudio.Delay(0.01, decay=0.3)])
            sub = m.group(parent=bus, processors=[gain])
            m.play(miniaudio.stream_memory(wav), group=sub, stop_at=200)
            m.play(miniaudio.Waveform("sine", 440.0, 0.5, 8000, 1), group=bus)
            m.render(100)
            lp.cutoff = 500
            bus.volume = 0.7
            m.render(100)
            bus.close()
            _expect(ValueError, m.play, miniaudio.Waveform("sine", 440.0, 0.5, 8000, 1), group=sub)
            _expect(ValueError, m.group, processors=[gain, gain])
            _expect(TypeError, m.group, processors=[gain, 1])
            keep = m.group(processors=[lp, gain])
            _expect(ValueError, m.group, processors=[lp])
            m.play(miniaudio.Waveform("sine", 440.0, 0.5, 8000, 1), group=keep)
            m.render(50)
        assert keep.closed and not lp.attached

    def mixer_device():
        # play/stop cycles on a NULL device, and a mixer bound to it made and closed
        with miniaudio.Mixer(play) as m:
            for _ in range(3):
                v = m.play(miniaudio.Waveform("sine", 440.0, 0.2, 8000, 1))
                v.stop()
            m.play(miniaudio.Waveform("sine", 440.0, 0.2, 8000, 1), stop_at=m.time + 10)
            w = m.play(miniaudio.Waveform("sine", 440.0, 0.2, 8000, 1))
            w.seek(100)
            assert w.position == 100
        # refused plays give their source back; on_finished set after the end
        play.start(miniaudio.Waveform("sine", 440.0, 0.2, 8000, 1))
        with miniaudio.Mixer(play) as m:
            _expect(RuntimeError, m.play, miniaudio.Waveform("sine", 440.0, 0.2, 8000, 1))
            _expect(ValueError, m.play, m._stream)
        play.stop()
        with miniaudio.Mixer(sample_rate=8000, nchannels=1) as m:
            v = m.play(miniaudio.stream_memory(wav), stop_at=5)
            m.render(20)
            v.on_finished = lambda voice: None

    def _ramp(total):
        n = yield b""
        left = total
        while left > 0:
            k = min(n, left)
            n = yield array.array("f", [0.25]) * (2 * k)
            left -= k

    def _raising():
        yield b""
        yield b"\x00" * 8
        raise KeyError("leak-loop generator")

    def _not_audio():
        yield b""
        yield "not audio"

    def mixer_generators():
        # Python generators as voices: offline to their end, stopped, one raising (its error kept
        # by the voice), a chunk that is not samples; on the NULL device through the feeder thread
        with miniaudio.Mixer(sample_rate=8000, nchannels=2) as m:
            a = m.play(_ramp(300), start_at=3)
            b = m.play(_ramp(10000), prefetch_msec=20)
            c = m.play(_raising())
            d = m.play(_not_audio())
            m.render(200)
            b.stop()
            m.render(400)
            assert a.finished and b.finished and c.finished and d.finished
            assert isinstance(c.error, KeyError) and isinstance(d.error, TypeError)
        with miniaudio.Mixer(play) as m:
            v = m.play(_ramp(50), prefetch_msec=30)
            m.play(_ramp(10 ** 6)).stop()
            v.wait(5)
    def mixer_preload():
        # a short sound preloaded (from a file's bytes, a DecodedSoundFile, a stream) and played 16
        # times at once in one mixer and looping in another; dropped while they play; voices that
        # end by themselves, voices released by close(); its streams read and dropped; refused sources
        with miniaudio.Mixer(sample_rate=8000, nchannels=2) as m, miniaudio.Mixer(sample_rate=8000, nchannels=1) as m2:
            pad = m.preload(f32wav)
            for i in range(16):
                m.play(pad, volume=0.05, pan=-0.2, start_at=m.time + 1 + i * 3)
            m2.play(pad, loop=True, pitch=1.5)
            del pad
            m.render(pad_frames + 100)
            m2.render(100)
            assert m.voices == [] and len(m2.voices) == 1
        other = miniaudio.PreloadedSound(sound_f32, sample_rate=8000)
        other.stream(frames_to_read=50).send(100)
        miniaudio.chain(other.stream(), miniaudio.PreloadedSound(miniaudio.stream_raw_pcm_memory(s16[:400], 1, 2),
                                                                 sample_rate=8000).stream()).send(100)
        _expect(ValueError, miniaudio.PreloadedSound, miniaudio.Waveform("sine", 440.0, 0.5, 8000, 1))
        _expect(miniaudio.DecodeError, miniaudio.PreloadedSound, b"not audio" * 10)
        _expect(TypeError, miniaudio.PreloadedSound, 42)

    pad_frames = miniaudio.PreloadedSound(f32wav, sample_rate=8000).nframes

    def stream_then_converter():
        # converted streams: read to the end (drained), sought, closed, dropped unclosed, staged
        # among processors, played by a device with set_ratio() meanwhile, refused arguments
        conv = miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000)
        t = miniaudio.stream_memory(wav).then(conv)
        assert _drain(t) > 0
        t.seek(0)
        t.send(300)
        t.seek(1000)
        t.close()
        miniaudio.stream_memory(wav).then(conv).send(100)  # dropped unclosed: gives conv back
        staged = miniaudio.stream_memory(wav, output_format=SF.FLOAT32).then(
            miniaudio.Gain(-1), miniaudio.Converter(SF.FLOAT32, 2, 44100, SF.SIGNED16, 1, 22050),
            miniaudio.LowPass(3000))
        assert _drain(staged) > 0
        staged.close()
        src = miniaudio.stream_memory(wav)
        _expect(ValueError, src.then, miniaudio.Converter(SF.SIGNED16, 2, 48000, SF.FLOAT32, 2, 44100))
        _expect(TypeError, src.then, conv, 42)
        _expect(ValueError, src.then, miniaudio.Gain(-1), conv,
                miniaudio.LowPass(1000, sample_rate=44100))  # bound at 48000 after conv
        src.seek(src.length - 300)  # a short run for the device below
        played = src.then(conv)
        _expect(ValueError, miniaudio.stream_memory(wav).then, conv)
        _expect(RuntimeError, conv.process, b"\0" * 4)
        play.start(miniaudio.stream_memory(wav, nchannels=2, sample_rate=44100).then(
            miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.SIGNED16, 2, 44100, dynamic_rate=True)))
        play.stop()
        play.start(played)
        conv.set_ratio(1.25)
        play.wait(10)
        played.close()
        conv.set_rate(44100, 48000)
        conv.process(b"\0" * 400)
        conv.reset()

    def generators():
        w = miniaudio.Waveform("sine", 440.0, 0.5, 48000, 2, SF.FLOAT32, chunk_type="numpy")
        next(w)
        w.frequency, w.kind, w.amplitude = 880.0, "square", 0.25
        w.send(100)
        w.seek(10)
        p = miniaudio.PulseWave(duty_cycle=0.2, chunk_type="bytes")
        p.duty_cycle = 0.7
        next(p)
        n = miniaudio.Noise("brownian", seed=5)
        next(n)
        n.kind = "white"
        n.seek(0)
        _expect(ValueError, n.seek, 3)
        _expect(ValueError, miniaudio.Waveform, "sinus")
        _expect(ValueError, miniaudio.PulseWave, duty_cycle=2)
        w.close()
        _expect(ValueError, setattr, w, "frequency", 1.0)

    def push_io():
        # write() of every input kind, a timeout, a refused write, read() into new and given buffers
        dev = miniaudio.PlaybackDevice(SF.SIGNED16, 2, 48000, buffersize_msec=10, backends=NULL, ring_msec=20)
        try:
            dev.write(bytes(4 * 240))
            dev.write(np.zeros((240, 2), np.float64))
            dev.write(array.array("h", bytes(4 * 120)))
            _expect(TimeoutError, dev.write, np.zeros((4800, 2), np.int16), 0.001)
            _expect(ValueError, dev.write, b"\0" * 3)
            _expect(TypeError, dev.write, np.zeros(4, np.complex64))
            dev.stop()
        finally:
            dev.close()
        c = miniaudio.CaptureDevice(SF.FLOAT32, 1, 48000, buffersize_msec=10, backends=NULL)
        try:
            c.read(48)
            c.read(48, chunk_type="bytes")
            c.read(out=bytearray(4 * 48))
            _expect(TimeoutError, c.read, 48000, 0.001)
            _expect(ValueError, c.read, -1)
        finally:
            c.close()

    # asyncio (_async.py): one loop and two devices for the whole case, as a program keeps them; the
    # read and write lanes stay alive between calls.  Each call: reads on the loop and on the lane,
    # a cancelled read (its frames go to the next), chunks(), writes that wait, a cancelled write,
    # wait_async with a timeout, the errors.
    aloop = asyncio.new_event_loop()
    aplay = miniaudio.PlaybackDevice(SF.SIGNED16, 2, 48000, buffersize_msec=5, backends=NULL, ring_msec=10)
    acap = miniaudio.CaptureDevice(SF.FLOAT32, 1, 48000, buffersize_msec=5, backends=NULL)
    aclosed = miniaudio.CaptureDevice(backends=NULL)
    aclosed.close()

    async def device_async_calls():
        await acap.read_async(240)
        await acap.read_async(24, chunk_type="bytes")
        task = asyncio.ensure_future(acap.read_async(4800))
        await asyncio.sleep(0.002)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        async for _chunk in acap.chunks(48):
            break
        await aplay.write_async(np.zeros((960, 2), np.float32))
        task = asyncio.ensure_future(aplay.write_async(bytes(4 * 4800)))
        await asyncio.sleep(0.002)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        assert await aplay.wait_async(0.001) is False
        for coro, exc in ((acap.read_async(-1), ValueError), (aplay.write_async(b"\0" * 3), ValueError),
                          (aclosed.read_async(10), miniaudio.MiniaudioError),
                          (aclosed.wait_async(), miniaudio.MiniaudioError), (aplay.read_async(1), TypeError)):
            try:
                await coro
            except exc:
                pass
            else:
                raise AssertionError("no %s" % exc.__name__)

    def device_async():
        aloop.run_until_complete(device_async_calls())

    def pyaudio_streams():
        # miniaudio.pyaudio: open, write, read, a refused call, close; a callback stream to its end
        import miniaudio.pyaudio as pyaudio

        pa = pyaudio.PyAudio(backends=NULL)
        try:
            out = pa.open(48000, 2, pyaudio.paInt16, output=True, frames_per_buffer=240)
            out.write(bytes(4 * 240))
            _expect(OSError, out.read, 10)
            out.close()
            mic = pa.open(48000, 1, pyaudio.paInt8, input=True, frames_per_buffer=240)
            mic.read(48)
            _expect(ValueError, mic.read, -1)
            mic.close()
            calls = []
            cb = pa.open(48000, 2, pyaudio.paInt16, output=True, frames_per_buffer=240, stream_callback=lambda *a: (
                calls.append(1) or (bytes(4 * 240), pyaudio.paComplete if len(calls) == 2 else pyaudio.paContinue)))
            deadline = time.monotonic() + 10
            while cb.is_active() and time.monotonic() < deadline:
                time.sleep(0.001)
            cb.close()
            _expect(OSError, pa.get_device_info_by_index, 5)
        finally:
            pa.terminate()

    def failing_gen():
        yield b""
        raise KeyError("generator failed")

    def device_errors():
        _expect(ValueError, miniaudio.PlaybackDevice, backends=NULL, nchannels=0 - 1)
        _expect(TypeError, miniaudio.PlaybackDevice, backends=NULL, buffersize_msec="x")
        _expect(ValueError, miniaudio.PlaybackDevice, backends=NULL, device_id="no such device \u266a")
        _expect(miniaudio.MiniaudioError, closed.start, _tone_gen())
        _expect(TypeError, play.start, 42)
        _expect(ValueError, play.start, miniaudio.stream_raw_pcm_memory(bytes(8), 1, 2))  # raw PCM: channels differ
        play.start(failing_gen())
        _expect(KeyError, play.wait, 10)
        assert isinstance(play.callback_error, KeyError)

    def unraisable_ignored(hook_args):
        pass

    # Each case: (callable, default count, full count)
    def oneshot():
        # the one-call functions: play() of an array and of a file, rec() (also into a WAV file),
        # stop() and wait(); a bad call; each opens and closes the implicit stream's device
        miniaudio.default.backends = NULL
        miniaudio.default.latency = "low"
        try:
            miniaudio.play(np.zeros((480, 2), np.float32), 48000)
            miniaudio.play(wav, loop=True)
            miniaudio.stop()
            miniaudio.rec(240, 48000, channels=1, blocking=True)
            miniaudio.rec(240, 48000, channels=2, dtype="int16", out=out_wav)
            miniaudio.wait()
            _expect(ValueError, miniaudio.play, np.zeros(10, np.float32), 48000, device="speakers")
        finally:
            miniaudio.stop()
            miniaudio.default.reset()

    d, f, dd, fd = DEFAULT, FULL_COUNT, DEFAULT_DEVICE, FULL_DEVICE
    def sf_oneliners():
        # soundfile's one-liners: whole and partial reads (path, bytes, file object), resampled,
        # into out, blocks with overlap, info, writes of each subtype, refused calls
        miniaudio.read(wav, dtype="int16")
        miniaudio.read(io.BytesIO(wav), start=-50, frames=100, fill_value=0.0, always_2d=True)
        miniaudio.read(wav, samplerate=22050, stop=100)
        miniaudio.read(wav, out=np.zeros((64, miniaudio.info(wav).channels), np.float32))
        for _ in miniaudio.blocks(wav, blocksize=128, overlap=16, dtype="float32"):
            pass
        miniaudio.info(wav)
        for subtype in ("PCM_16", "PCM_24", "FLOAT", "PCM_U8"):
            miniaudio.write(io.BytesIO(), np.zeros((50, 2)), 8000, subtype=subtype, format="WAV")
        _expect(ValueError, miniaudio.read, wav, dtype="int8")
        _expect(miniaudio.DecodeError, miniaudio.read, b"junk" * 50)
        _expect(ValueError, miniaudio.write, io.BytesIO(), np.zeros(5), 8000, format="FLAC")

    def audiofile_read():
        # AudioFile (read side): every source kind, read/read_raw/seek, resampled and mono views,
        # StreamResampler, and the error paths (bad count, closed file, damaged data, a failing file object).
        for source in (p("mono_s16.wav"), ogg, io.BytesIO(mp3)):
            with miniaudio.AudioFile(source) as af:
                af.read(1000)
                af.seek(10)
                af.read_raw(100)
                af.resampled_to(8000, "Linear").read(500)
                af.with_channels(2).read(100)
                _expect(ValueError, af.read, -1)
        _expect(RuntimeError, af.read, 1)  # closed
        rs = miniaudio.StreamResampler(22050, 16000, 1)
        rs.process(np.zeros(1000, np.float32))
        rs.process()
        _expect(miniaudio.DecodeError, miniaudio.AudioFile, garbage)

        class Failing(io.BytesIO):
            def read(self, *args):
                raise OSError("failing")

        _expect(miniaudio.DecodeError, miniaudio.AudioFile, Failing(flac))

    cases = {
        "wav_read": (lambda: (miniaudio.wav_read_s16(wav), miniaudio.wav_read_s32(wav),
                              miniaudio.wav_read_f32(memoryview(f32wav))), d, f),
        "flac_read": (lambda: (miniaudio.flac_read_s16(flac), miniaudio.flac_read_s32(bytearray(flac)),
                               miniaudio.flac_read_f32(flac)), d // 2, f),
        "mp3_read": (lambda: (miniaudio.mp3_read_s16(mp3), miniaudio.mp3_read_f32(mp3)), d // 2, f),
        "vorbis_read": (lambda: miniaudio.vorbis_read(ogg), d // 2, f),
        "decode_resample": (lambda: miniaudio.decode(np.frombuffer(mp3, np.uint8), sample_rate=48000), d // 2, f),
        "read_file_functions": (lambda: (
            miniaudio.wav_read_file_s16(p("mono_s16.wav")), miniaudio.wav_read_file_s32(p("mono_s16.wav")),
            miniaudio.wav_read_file_f32(p("short_f32.wav")), miniaudio.flac_read_file_s16(p("mono.flac")),
            miniaudio.flac_read_file_s32(p("mono.flac")), miniaudio.flac_read_file_f32(p("mono.flac")),
            miniaudio.mp3_read_file_s16(p("mono.mp3")), miniaudio.mp3_read_file_f32(p("mono.mp3")),
            miniaudio.vorbis_read_file(p("mono.ogg"))), d // 6, f),
        "decode_file": (lambda: miniaudio.decode_file(p("mono.flac"), output_format=SF.FLOAT32, nchannels=2,
                                                      sample_rate=44100), d // 2, f),
        "read_file": (lambda: miniaudio.read_file(p("mono_s16.wav"), convert_to_16bit=True), d, f),
        # reads of 8 MiB or more of a WAV file run on two threads (a helper started and joined per read)
        "decode_file_two_threads": (lambda: (miniaudio.decode_file(big_wav), miniaudio.wav_read_file_f32(big_wav),
                                             miniaudio.decode_file(big_wav, SF.SIGNED32)), d // 20, f // 20),
        "file_info": (lambda: (miniaudio.get_file_info(p("tone.mp3")), miniaudio.wav_get_file_info(p("short_f32.wav")),
                               miniaudio.flac_get_file_info(p("tone_24.flac")),
                               miniaudio.mp3_get_file_info(p("mono.mp3")),
                               miniaudio.vorbis_get_file_info(p("tone.ogg"))), d // 2, f),
        "tags": (lambda: (miniaudio.read_tags(p("tone.mp3")), miniaudio.read_tags(flac),
                          miniaudio.read_tags(io.BytesIO(ogg)), miniaudio.wav_write_file(out_wav, sound, tags={
                              "title": "Tïtle", "comment": "x" * 300}), miniaudio.get_file_info(out_wav).tags,
                          _expect(miniaudio.DecodeError, miniaudio.read_tags, garbage),
                          _expect(ValueError, miniaudio.wav_write_file, out_wav, sound, tags={"x": "y"})), d // 2, f),
        "memory_info": (lambda: (miniaudio.wav_get_info(wav), miniaudio.flac_get_info(flac),
                                 miniaudio.mp3_get_info(mp3), miniaudio.vorbis_get_info(ogg)), d // 2, f),
        "as_numpy": (lambda: sound.as_numpy().sum(), d, f),
        "convert_sample_format": (lambda: (miniaudio.convert_sample_format(SF.SIGNED16, s16, SF.FLOAT32),
                                           miniaudio.convert_sample_format(SF.FLOAT32, sound_f32.samples, SF.SIGNED24,
                                                                           miniaudio.DitherMode.TRIANGLE)), d, f),
        "convert_frames": (lambda: miniaudio.convert_frames(SF.SIGNED16, 1, 22050, array.array("h", s16),
                                                            SF.FLOAT32, 2, 48000), d, f),
        "converter": (lambda: converter_ops(s16), d // 2, f),
        "audiofile_write": (audiofile_write, d // 2, f),
        "wav_write_file": (lambda: (miniaudio.wav_write_file(out_wav, sound),
                                    miniaudio.wav_write_file(out_wav, sound_f32)), d // 2, f),
        "misc": (lambda: (miniaudio.lib_version(), miniaudio.get_enabled_backends(),
                          miniaudio.is_backend_enabled(miniaudio.Backend.NULL), miniaudio.is_loopback_supported(
                              miniaudio.Backend.NULL), miniaudio.width_from_format(SF.SIGNED24)), d, f),
        "stream_file_ops": (stream_file_ops, d // 2, f),
        "stream_memory_ops": (stream_memory_ops, d // 2, f),
        "stream_any_ops": (stream_any_ops, d // 3, f),
        "stream_whole": (stream_whole, d // 4, f),
        "stream_loop": (stream_loop, d // 4, f),
        "stream_chain": (stream_chain, d // 4, f),
        "stream_playlist": (stream_playlist, d // 4, f),
        "stream_native_functions": (stream_native_functions, d // 4, f),
        "stream_wrappers": (stream_wrappers, d // 2, f),
        "decode_errors": (lambda: (_expect(miniaudio.DecodeError, miniaudio.decode, garbage),
                                   _expect(miniaudio.DecodeError, miniaudio.wav_read_s16, flac),
                                   _expect(miniaudio.DecodeError, miniaudio.flac_read_s16, wav),
                                   _expect(miniaudio.DecodeError, miniaudio.mp3_read_s16, garbage),
                                   _expect(miniaudio.DecodeError, miniaudio.vorbis_read, mp3),
                                   _expect(miniaudio.DecodeError, miniaudio.wav_get_info, ogg),
                                   _expect(miniaudio.DecodeError, miniaudio.decode, wav[:30])), d, f),
        # OutputTooLargeError up front (declared length) and while growing (a FLAC of unknown
        # length): the partial output array must not leak.
        "output_bound_errors": (lambda: (
            _expect(miniaudio.OutputTooLargeError, miniaudio.decode, wav, max_output_bytes=1000),
            _expect(miniaudio.OutputTooLargeError, miniaudio.decode_file, p("mono.ogg"), max_output_bytes=1000),
            _expect(miniaudio.OutputTooLargeError, miniaudio.flac_read_s16, unknown_length_flac,
                    max_output_bytes=200_000),
            _expect(miniaudio.OutputTooLargeError, miniaudio.decode, unknown_length_flac, max_output_bytes=200_000),
        ), d // 4, f),
        "file_errors": (lambda: (_expect(FileNotFoundError, miniaudio.read_file, missing),
                                 _expect(FileNotFoundError, miniaudio.decode_file, missing),
                                 _expect(FileNotFoundError, miniaudio.get_file_info, missing),
                                 _expect(OSError, miniaudio.wav_write_file, os.path.join(missing, "x.wav"), sound),
                                 _expect(miniaudio.DecodeError, miniaudio.flac_read_file_s16, p("mono.mp3")),
                                 _expect(ValueError, miniaudio.decode_file, p("mono.flac") + "\0")), d, f),
        "arg_errors": (lambda: (_expect(ValueError, miniaudio.decode, wav, sample_rate=0),
                                _expect(ValueError, miniaudio.decode, wav, nchannels=0),
                                _expect(TypeError, miniaudio.decode, "str"),
                                _expect(ValueError, miniaudio.decode, wav, output_format=99),
                                _expect(ValueError, miniaudio.convert_sample_format, SF.SIGNED16, b"\x00" * 3,
                                        SF.FLOAT32),
                                _expect(ValueError, miniaudio.convert_frames, SF.SIGNED16, 0, 44100, s16,
                                        SF.SIGNED16, 1, 44100),
                                _expect(TypeError, miniaudio.wav_write_file, out_wav, b"not a sound")), d, f),
        "stream_errors": (stream_errors, d // 3, f),
        "icecast_errors": (icecast_errors, d // 6, f),
        "device_enumeration": (device_enumeration, d, f),
        "device_open_close": (lambda: (_device_cycle(miniaudio.PlaybackDevice),
                                       _device_cycle(miniaudio.CaptureDevice, nchannels=1),
                                       _device_cycle(miniaudio.DuplexStream)), d, f),
        # backend settings: accepted ones (channel maps, per-backend options with strings) and
        # refused ones (after the context was opened: it is released), loopback refused on NULL
        "device_settings": (lambda: (_device_cycle(miniaudio.PlaybackDevice, output_format=SF.FLOAT32, no_clip=True,
                                                   no_pre_silence=True, channel_map=["FR", "FL"],
                                                   backend_options={"pulse": {"server": "nowhere \u266a"},
                                                                    "jack": {"client_name": "x"}}),
                                     _device_cycle(miniaudio.DuplexStream, capture_channel_map=["FL", "FR"]),
                                     _expect(ValueError, miniaudio.PlaybackDevice, backends=NULL, exclusive=True),
                                     _expect(ValueError, miniaudio.CaptureDevice, backends=NULL, stream_name="s"),
                                     _expect(ValueError, miniaudio.CaptureDevice, backends=NULL, loopback=True),
                                     _expect(ValueError, miniaudio.PlaybackDevice, backends=NULL,
                                             backend_options={"pulse": {"nope": 1}})), d, f),
        "device_start_stop": (device_start_stop, dd, fd),
        "device_volume_pause": (device_volume_pause, dd, fd),
        "device_watch_notify": (device_watch_notify, dd, fd),
        "device_errors": (device_errors, dd, fd),
        "device_callbacks": (device_callbacks, 2 * dd, fd),
        "device_prefetch": (device_prefetch, dd, fd),
        "stream_then": (stream_then, d // 4, f),
        "stream_then_converter": (stream_then_converter, d // 4, f),
        "generators": (generators, d // 2, f),
        "dsp": (dsp, d // 2, f),
        "mixer_offline": (mixer_offline, d // 2, f),
        "mixer_groups": (mixer_groups, d // 2, f),
        "mixer_device": (mixer_device, dd, fd),
        "mixer_generators": (mixer_generators, dd, fd),
        "mixer_preload": (mixer_preload, d // 4, f),
        "push_io": (push_io, dd, fd),
        "device_async": (device_async, dd, fd),
        "pyaudio_streams": (pyaudio_streams, 2 * dd, fd),
        "oneshot": (oneshot, 2 * dd, fd),
        "audiofile_read": (audiofile_read, d // 4, f),
        "sf_oneliners": (sf_oneliners, d // 4, f),
    }
    return cases, [play, cap, duplex, aplay, acap, aloop], unraisable_ignored


CASE_NAMES = [
    "wav_read", "flac_read", "mp3_read", "vorbis_read", "decode_resample", "read_file_functions", "decode_file",
    "read_file", "decode_file_two_threads", "file_info", "tags", "memory_info", "as_numpy", "convert_sample_format", "convert_frames", "converter",
    "wav_write_file", "audiofile_write", "misc", "stream_file_ops", "stream_memory_ops", "stream_any_ops", "stream_whole", "stream_loop", "stream_chain",
    "stream_playlist",
    "stream_native_functions", "stream_wrappers", "decode_errors", "output_bound_errors", "file_errors", "arg_errors",
    "stream_errors",
    "icecast_errors", "device_enumeration", "device_open_close", "device_settings", "device_start_stop", "device_volume_pause",
    "device_watch_notify",
    "device_errors",
    "device_callbacks", "device_prefetch", "generators", "dsp", "stream_then", "stream_then_converter",
    "mixer_offline", "mixer_groups", "mixer_device", "mixer_generators", "mixer_preload", "push_io", "device_async", "pyaudio_streams", "oneshot", "audiofile_read", "sf_oneliners",
]


@pytest.fixture(scope="module")
def cases(tmp_path_factory, http_server):
    table, devices, _ = make_cases(str(tmp_path_factory.mktemp("leak")), http_server)
    yield table
    for dev in devices:
        dev.close()


def count_for(default, full):
    if OVERRIDE:
        return OVERRIDE
    return full if FULL else default


def run(fn, n):
    for _ in range(n):
        fn()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RSS from /proc")
@pytest.mark.parametrize("name", CASE_NAMES)
def test_no_leak(name, cases, monkeypatch):
    assert set(cases) == set(CASE_NAMES)
    fn, default, full = cases[name]
    n = count_for(default, full)
    # Generator errors on the audio thread go to sys.unraisablehook on purpose (device_errors):
    # take them here, or pytest would collect every one of them.
    seen = {}  # exception type -> count (a dict, not a list: the record must not grow with the calls)
    monkeypatch.setattr(sys, "unraisablehook", lambda args: seen.__setitem__(args.exc_type,
                                                                              seen.get(args.exc_type, 0) + 1))
    warmup = max(5, min(200, n // 10))
    t0 = time.monotonic()
    tracemalloc.start()
    try:
        run(fn, warmup)
        seen.clear()
        gc.collect()
        traced0, rss0 = tracemalloc.get_traced_memory()[0], rss_bytes()
        run(fn, n)
        gc.collect()
        traced_growth = tracemalloc.get_traced_memory()[0] - traced0
        rss_growth = rss_bytes() - rss0
    finally:
        tracemalloc.stop()
    took = time.monotonic() - t0
    if name in ("device_errors", "device_prefetch"):
        assert seen == {KeyError: n}, seen
    elif name == "mixer_generators":
        assert seen == {KeyError: n, TypeError: n}, seen
    else:
        assert seen == {}, seen
    report = os.environ.get("MINIAUDIO_LEAKS_REPORT")
    if report:
        with open(report, "a") as f:
            f.write("%-24s %6d calls  traced %+8d B  RSS %+9d B  %6.1f s\n" % (name, n, traced_growth, rss_growth,
                                                                             took))
    assert traced_growth < TRACED_LIMIT, "%s: traced memory grew by %d bytes over %d calls" % (name, traced_growth, n)
    if os.environ.get("MINIAUDIO_UNDER_VALGRIND") != "1":  # (valgrind's own memory is in the RSS)
        assert rss_growth < RSS_LIMIT, "%s: RSS grew by %d bytes over %d calls" % (name, rss_growth, n)


def test_context_managers_keep_no_reference_to_none(sample_path):
    """A reference leaked on a shared object (None, True, False) costs no memory, so the loops above
    cannot see it; the debug interpreter found `with stream:` keeping one reference to None per
    block (stream __exit__ dropped close()'s result without releasing it).  On 3.12+ these objects
    are immortal and their counts do not move at all."""
    path = sample_path("mono.flac")
    singletons = (None, True, False)

    def blocks():
        with miniaudio.stream_file(path) as s:
            next(s)
        with miniaudio.stream_memory(_read("mono.mp3")) as s:
            pass
        with miniaudio.Devices(backends=NULL):
            pass
        with miniaudio.PlaybackDevice(backends=NULL):
            pass

    blocks()
    gc.collect()
    before = [sys.getrefcount(o) for o in singletons]
    for _ in range(1000):
        blocks()
    gc.collect()
    grown = [sys.getrefcount(o) - b for o, b in zip(singletons, before)]
    assert all(g < 100 for g in grown), dict(zip(("None", "True", "False"), grown))
