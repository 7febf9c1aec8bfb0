"""Devices on the NULL backend (docs/devices-api.rst): the 1.71 API surface, the generator protocol for
playback / capture / duplex with every chunk type, the GIL-free stream path, end of run, generator
errors, re-entrant calls, statistics, stress (close while the callback runs, 1,000 devices), leaks and
interpreter exit with devices running.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly (the default picks ALSA on these machines and fails).  Tests wait for a number of
callbacks or frames with a deadline, never for a fixed sleep; the only sleeps are for checks that
something does *not* happen.  Tests whose expected failure mode is a deadlock (calls from inside the
audio thread) run in a subprocess with a timeout, so a regression fails instead of hanging the run.
"""

import array
import gc
import inspect
import json
import os
import pickle
import queue
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import weakref

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

import helpers

NULL = [miniaudio.Backend.NULL]
WIDTH = {SF.UNSIGNED8: 1, SF.SIGNED16: 2, SF.SIGNED24: 3, SF.SIGNED32: 4, SF.FLOAT32: 4}
TYPECODE = {SF.UNSIGNED8: "B", SF.SIGNED16: "h", SF.SIGNED32: "i", SF.FLOAT32: "f"}
DTYPE = {SF.UNSIGNED8: np.uint8, SF.SIGNED16: np.int16, SF.SIGNED32: np.int32, SF.FLOAT32: np.float32}
STATS_FIELDS = ("callbacks", "frames", "late_callbacks", "padded_callbacks", "max_callback_seconds",
                "callback_seconds")
DEVICE_KEYS = {"name", "type", "id", "formats", "is_default"}
FORMAT_KEYS = {"format", "samplerate", "channels"}
DEADLINE = 5.0
# the miniaudio package directory the tests import, handed to subprocesses so they import the same build
PKG_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(miniaudio.__file__)))


# --- helpers -------------------------------------------------------------------------------------------

def wait_until(predicate, timeout=DEADLINE, interval=0.002):
    return helpers.wait_until(predicate, timeout, interval)


def n_threads():
    return len(os.listdir("/proc/self/task"))


def baseline_threads():
    """The thread count with the shared event thread running (one short run starts it)."""
    with miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10) as dev:
        dev.start(Feeder(limit=1).gen())
        assert dev.wait(DEADLINE)
    return n_threads()


def n_fds():
    return len(os.listdir("/proc/self/fd"))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_chunk(kind, fmt, nch, nframes):
    """nframes frames of a non-silent ramp in sample format fmt, as the given chunk type."""
    count = nframes * nch
    if fmt == SF.SIGNED24:
        raw = helpers.s24_bytes((np.arange(count) % 1000) * 100)
        assert kind in ("bytes", "bytearray", "memoryview")
        return {"bytes": raw, "bytearray": bytearray(raw), "memoryview": memoryview(raw)}[kind]
    ramp = np.arange(count) % 100
    if fmt == SF.FLOAT32:
        base = (ramp / 200.0).astype(np.float32)
    elif fmt == SF.UNSIGNED8:
        base = (ramp + 78).astype(np.uint8)
    else:
        base = (ramp * 100).astype(DTYPE[fmt])
    if kind == "bytes":
        return base.tobytes()
    if kind == "bytearray":
        return bytearray(base.tobytes())
    if kind == "memoryview":  # format 'B': raw bytes
        return memoryview(base.tobytes())
    if kind == "memoryview_typed":  # format 'h' / 'i' / 'f' / 'B'
        return memoryview(array.array(TYPECODE[fmt], base.tobytes()))
    if kind == "array":
        return array.array(TYPECODE[fmt], base.tobytes())
    if kind == "numpy1d":
        return base
    if kind == "numpy2d":
        return base.reshape(nframes, nch)
    if kind == "numpy_raw_bytes":  # a 1-D uint8 view of any format's bytes: taken as raw bytes
        return np.frombuffer(base.tobytes(), dtype=np.uint8)
    raise ValueError(kind)


class Feeder:
    """A playback generator that yields exactly the frames it is asked for (as chunk type `kind`) and
    records each request.  With `limit`, it returns when sent request number limit + 1 (which is
    recorded too), so `asks` lists every request the generator saw."""

    def __init__(self, fmt=SF.SIGNED16, nch=2, kind="bytes", limit=None):
        self.fmt, self.nch, self.kind, self.limit = fmt, nch, kind, limit
        self.asks = []
        self.bad_asks = []
        self.first = threading.Event()
        self.ended = threading.Event()

    def gen(self):
        n = yield b""  # left unprimed: start() primes it (the b"" is discarded)
        while True:
            if not (isinstance(n, int) and n > 0):
                self.bad_asks.append(n)
            self.asks.append(n)
            self.first.set()
            if self.limit is not None and len(self.asks) > self.limit:
                self.ended.set()
                return
            n = yield make_chunk(self.kind, self.fmt, self.nch, n)


class Finished:
    """on_finished / stop_callback recorder."""

    def __init__(self):
        self.calls = []  # ("stop_callback" | "on_finished", arg, thread name, daemon)
        self.event = threading.Event()

    def stop_callback(self):
        t = threading.current_thread()
        self.calls.append(("stop_callback", None, t.name, t.daemon))

    def on_finished(self, device):
        t = threading.current_thread()
        self.calls.append(("on_finished", device, t.name, t.daemon))
        self.event.set()

    def finished_with(self):
        return [c[1] for c in self.calls if c[0] == "on_finished"]


def check_accounting(stats, asks):
    """stats.callbacks / stats.frames against the requests the generator saw.  A callback the device ran
    without calling the generator (one already in flight when the run ended) is tolerated, at most
    two, and must be accounted with the period size."""
    assert asks, "the generator was never called"
    extra = stats.callbacks - len(asks)
    assert 0 <= extra <= 2, (stats, len(asks))
    if extra == 0:
        assert stats.frames == sum(asks), (stats, sum(asks))
    else:
        assert stats.frames - sum(asks) == extra * asks[-1], (stats, sum(asks), asks[-1])


@pytest.fixture
def devices():
    """make(cls, *args, **kw) -> a device on the NULL backend (buffersize_msec=10 unless given); every
    device made is closed at teardown (pending generator errors swallowed: the test asserted them)."""
    made = []

    def make(cls=miniaudio.PlaybackDevice, *args, **kw):
        kw.setdefault("backends", NULL)
        kw.setdefault("buffersize_msec", 10)
        dev = cls(*args, **kw)
        made.append(dev)
        return dev

    yield make
    for dev in made:
        try:
            dev.close()
        except Exception:
            pass


@pytest.fixture
def unraisable(monkeypatch):
    """Collects what reaches sys.unraisablehook (a list of (exc_value, object)).  Request it *before*
    `devices` in a test's arguments so the devices are closed before the hook is restored."""
    got = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: got.append((u.exc_value, u.object)))
    return got


def run_python(code, *args, timeout=20):
    env = dict(os.environ)
    env["PYTHONPATH"] = PKG_PARENT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONWARNINGS", None)
    try:
        return subprocess.run([sys.executable, "-c", textwrap.dedent(code)] + list(args), capture_output=True,
                              text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail("subprocess hung (killed after %ss); stdout=%r stderr=%r" % (timeout, e.stdout, e.stderr))


def assert_clean_stderr(stderr):
    for bad in ("Traceback", "Fatal Python error", "Exception ignored", "Segmentation", "Aborted"):
        assert bad not in stderr, stderr


# --- 1.71 API surface ----------------------------------------------------------------------------------

COMMON_TAIL = [("callback_periods", 0), ("backends", None),
               ("thread_prio", miniaudio.ThreadPriority.HIGHEST), ("app_name", "")]


@pytest.mark.parametrize("cls,expected", [
    ("PlaybackDevice", [("output_format", SF.SIGNED16), ("nchannels", 2), ("sample_rate", 44100),
                        ("buffersize_msec", 200), ("device_id", None)] + COMMON_TAIL),
    ("CaptureDevice", [("input_format", SF.SIGNED16), ("nchannels", 2), ("sample_rate", 44100),
                       ("buffersize_msec", 200), ("device_id", None)] + COMMON_TAIL),
    ("DuplexStream", [("playback_format", SF.SIGNED16), ("playback_channels", 2),
                      ("capture_format", SF.SIGNED16), ("capture_channels", 2), ("sample_rate", 44100),
                      ("buffersize_msec", 200), ("playback_device_id", None), ("capture_device_id", None)]
     + COMMON_TAIL),
])
def test_constructor_signature(cls, expected):
    params = list(inspect.signature(getattr(miniaudio, cls)).parameters.values())
    positional = [(p.name, p.default) for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == expected
    keyword_only = [(p.name, p.default) for p in params if p.kind == p.KEYWORD_ONLY]
    assert keyword_only == [("on_finished", None)]
    assert [p.name for p in params] == [n for n, _ in expected] + ["on_finished"]


def test_method_signatures():
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice, miniaudio.DuplexStream):
        assert list(inspect.signature(cls.start).parameters)[1:] in (["callback_generator"], ["generator"])
        assert list(inspect.signature(cls.stop).parameters) == ["self"]
        assert list(inspect.signature(cls.close).parameters) == ["self"]
        wait = inspect.signature(cls.wait).parameters
        assert list(wait)[1:] == ["timeout"] and wait["timeout"].default is None


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32],
                         ids=lambda f: f.name)
def test_playback_and_capture_attributes(devices, fmt):
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice):
        dev = devices(cls, fmt, 1, 48000, buffersize_msec=20, callback_periods=3,
                      thread_prio=miniaudio.ThreadPriority.NORMAL, app_name="pytest")
        assert dev.format is fmt
        assert dev.sample_width == WIDTH[fmt]
        assert dev.nchannels == 1
        assert dev.sample_rate == 48000
        assert dev.buffersize_msec == 20
        assert dev.backend == "Null"
        assert dev.running is False
        assert dev.callback_generator is None
        assert dev.stop_callback is None
        assert dev.on_finished is None
        assert dev.callback_error is None
        assert dev.closed is False
        assert dev.device_name is None or isinstance(dev.device_name, str)
        stats = dev.stats
        assert isinstance(stats, tuple) and stats._fields == STATS_FIELDS
        assert tuple(stats) == (0, 0, 0, 0, 0.0, 0.0)
        if hasattr(miniaudio, "DeviceStats"):
            assert isinstance(stats, miniaudio.DeviceStats)
        dev.close()
        assert dev.closed is True and dev.running is False


def test_settable_callbacks(devices):
    dev = devices()
    fin = Finished()
    dev.stop_callback = fin.stop_callback
    dev.on_finished = fin.on_finished
    assert dev.stop_callback == fin.stop_callback
    assert dev.on_finished == fin.on_finished
    dev.on_finished = None
    dev.stop_callback = None
    assert dev.on_finished is None and dev.stop_callback is None
    dev2 = devices(on_finished=fin.on_finished)
    assert dev2.on_finished == fin.on_finished


def test_duplex_attributes(devices):
    dev = devices(miniaudio.DuplexStream, SF.FLOAT32, 1, SF.SIGNED24, 2, 22050, buffersize_msec=15)
    assert dev.playback_format is SF.FLOAT32
    assert dev.capture_format is SF.SIGNED24
    assert dev.playback_channels == 1
    assert dev.capture_channels == 2
    assert dev.sample_width == 3  # the capture width, as 1.71
    assert dev.sample_rate == 22050
    assert dev.buffersize_msec == 15
    assert dev.backend == "Null"
    assert dev.running is False and dev.callback_generator is None and dev.closed is False
    assert tuple(dev.stats) == (0, 0, 0, 0, 0.0, 0.0)


def test_zero_channels_and_rate_mean_the_devices_own(devices):
    # the NULL backend's own format: miniaudio's defaults (2 channels, 48 kHz)
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice):
        dev = devices(cls, SF.SIGNED16, 0, 0)
        assert (dev.nchannels, dev.sample_rate) == (2, 48000)
    dev = devices(miniaudio.DuplexStream, SF.SIGNED16, 0, SF.SIGNED16, 0, 0)
    assert (dev.playback_channels, dev.capture_channels, dev.sample_rate) == (2, 2, 48000)


def test_context_manager_closes(devices):
    feeder = Feeder()
    with devices() as dev:
        dev.start(feeder.gen())
        assert feeder.first.wait(DEADLINE)
        assert dev.running
    assert dev.closed and not dev.running


# --- enumeration and DeviceId ----------------------------------------------------------------------------

@pytest.mark.parametrize("backends", [NULL, [14], ["null"], ["NULL"], ["Null"]], ids=str)
def test_devices_listing(backends):
    with miniaudio.Devices(backends=backends) as devs:
        assert devs.backend == "Null"
        playbacks, captures = devs.get_playbacks(), devs.get_captures()
    for items, name, dtype in ((playbacks, "NULL Playback Device", miniaudio.DeviceType.PLAYBACK),
                               (captures, "NULL Capture Device", miniaudio.DeviceType.CAPTURE)):
        assert isinstance(items, list) and len(items) == 1
        d = items[0]
        assert set(d) == DEVICE_KEYS
        assert d["name"] == name
        assert d["type"] is dtype
        assert d["is_default"] is True
        assert isinstance(d["id"], miniaudio.DeviceId)
        assert isinstance(d["formats"], list)
        for f in d["formats"]:
            assert set(f) == FORMAT_KEYS
            assert isinstance(f["format"], str) and isinstance(f["samplerate"], int)
            assert isinstance(f["channels"], int)


def test_devices_close_is_idempotent():
    devs = miniaudio.Devices(backends=NULL)
    assert devs.get_playbacks()
    devs.close()
    devs.close()
    with pytest.raises(miniaudio.MiniaudioError):
        devs.get_playbacks()


def test_device_id_value_semantics():
    with miniaudio.Devices(backends=NULL) as a, miniaudio.Devices(backends=NULL) as b:
        id1 = a.get_playbacks()[0]["id"]
        id2 = b.get_playbacks()[0]["id"]
    assert id1 == id2 and not (id1 != id2)
    assert hash(id1) == hash(id2)
    assert len({id1, id2}) == 1
    assert {id1: "x"}[id2] == "x"
    assert id1 != "0" and id1 != 0 and id1 != None  # noqa: E711
    assert isinstance(id1.backend, str) and id1.backend.lower() == "null"
    assert isinstance(id1.raw, bytes)
    assert str(id1) == "0"  # the NULL backend's device number
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(id1, protocol))
        assert type(back) is type(id1)
        assert back == id1 and hash(back) == hash(id1)
        assert back.raw == id1.raw and back.backend == id1.backend
    with pytest.raises((AttributeError, TypeError)):
        id1.raw = b"x"
    with pytest.raises((AttributeError, TypeError)):
        id1.backend = "JACK"


def test_open_by_id_dict_and_name(devices):
    with miniaudio.Devices(backends=NULL) as devs:
        pb, cap = devs.get_playbacks()[0], devs.get_captures()[0]
    for device_id in (pb, pb["id"], "NULL Playback Device", "null playback", "PLAYBACK"):
        dev = devices(device_id=device_id)
        assert dev.device_name == "NULL Playback Device"
        feeder = Feeder(limit=2)
        dev.start(feeder.gen())
        assert dev.wait(DEADLINE)
    for device_id in (cap, cap["id"], "null capture device", "Capture"):
        dev = devices(miniaudio.CaptureDevice, device_id=device_id)
        assert dev.device_name == "NULL Capture Device"
    dev = devices(miniaudio.DuplexStream, playback_device_id="null playback", capture_device_id=cap["id"])
    assert dev.running is False


@pytest.mark.parametrize("cls,arg,candidate", [
    ("PlaybackDevice", "device_id", "NULL Playback Device"),
    ("CaptureDevice", "device_id", "NULL Capture Device"),
    ("DuplexStream", "playback_device_id", "NULL Playback Device"),
    ("DuplexStream", "capture_device_id", "NULL Capture Device"),
])
def test_unknown_device_name_lists_candidates(cls, arg, candidate):
    with pytest.raises(ValueError) as e:
        getattr(miniaudio, cls)(backends=NULL, **{arg: "no such sound card"})
    assert candidate in str(e.value)
    assert "no such sound card" in str(e.value)


@pytest.mark.parametrize("bad", [42, 3.5, b"NULL Playback Device", ["NULL"], {"name": "x"}], ids=repr)
def test_bad_device_id_type(bad):
    with pytest.raises((TypeError, ValueError)) as e:
        miniaudio.PlaybackDevice(backends=NULL, device_id=bad)
    assert "device_id" in str(e.value)


# --- backends --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ["PlaybackDevice", "CaptureDevice", "DuplexStream", "Devices"])
def test_unavailable_backend_is_miniaudio_error(cls):
    # WASAPI / CoreAudio do not exist on Linux
    for backend in (miniaudio.Backend.WASAPI, miniaudio.Backend.COREAUDIO):
        with pytest.raises(miniaudio.MiniaudioError):
            getattr(miniaudio, cls)(backends=[backend])


@pytest.mark.parametrize("cls", ["PlaybackDevice", "CaptureDevice", "DuplexStream", "Devices"])
@pytest.mark.parametrize("bad", ["nosuchbackend", "", 99, -1], ids=repr)
def test_unknown_backend_is_value_error(cls, bad):
    with pytest.raises(ValueError) as e:
        getattr(miniaudio, cls)(backends=[bad])
    assert "backend" in str(e.value).lower()


def test_backend_list_fallback_order(devices):
    # NULL after an unavailable backend: the list is a preference order
    dev = devices(backends=[miniaudio.Backend.WASAPI, miniaudio.Backend.NULL])
    assert dev.backend == "Null"


# --- bad arguments ---------------------------------------------------------------------------------------

BAD_ARGS = [
    # (kwargs, exception, argument name expected in the message)
    ({"nchannels": -1}, ValueError, "nchannels"),
    ({"nchannels": 255}, ValueError, "nchannels"),
    ({"nchannels": 10 ** 6}, ValueError, "nchannels"),
    ({"nchannels": "2"}, TypeError, "nchannels"),
    ({"nchannels": 2.0}, TypeError, "nchannels"),
    ({"sample_rate": -1}, ValueError, "sample_rate"),
    ({"sample_rate": 10 ** 7}, ValueError, "sample_rate"),
    ({"sample_rate": 2 ** 40}, (ValueError, OverflowError), "sample_rate"),
    ({"sample_rate": "44100"}, TypeError, "sample_rate"),
    ({"sample_rate": 44100.5}, TypeError, "sample_rate"),
    ({"buffersize_msec": -1}, ValueError, "buffersize_msec"),
    ({"buffersize_msec": -200}, ValueError, "buffersize_msec"),
    ({"buffersize_msec": "10"}, TypeError, "buffersize_msec"),
    ({"buffersize_msec": 10 ** 6}, ValueError, "buffersize_msec"),
    ({"buffersize_msec": 2 ** 40}, (ValueError, OverflowError), "buffersize_msec"),
    ({"callback_periods": -1}, ValueError, "callback_periods"),
    ({"callback_periods": 2 ** 40}, (ValueError, OverflowError), "callback_periods"),
    ({"thread_prio": 99}, ValueError, "thread_prio"),
    ({"thread_prio": "high"}, TypeError, "thread_prio"),
]


@pytest.mark.parametrize("kw,exc,name", BAD_ARGS, ids=lambda x: repr(x) if isinstance(x, dict) else "")
def test_bad_arguments_playback_capture(kw, exc, name):
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice):
        with pytest.raises(exc) as e:
            cls(backends=NULL, **kw)
        assert name in str(e.value)


@pytest.mark.parametrize("cls,arg", [("PlaybackDevice", "output_format"), ("CaptureDevice", "input_format"),
                                     ("DuplexStream", "playback_format"), ("DuplexStream", "capture_format")])
def test_bad_formats(cls, arg):
    for bad, exc in ((99, ValueError), (-3, ValueError), ("s16", TypeError), (2.0, TypeError),
                     (miniaudio.DitherMode.NONE, (TypeError, ValueError))):
        with pytest.raises(exc) as e:
            getattr(miniaudio, cls)(backends=NULL, **{arg: bad})
        assert arg in str(e.value)


@pytest.mark.parametrize("arg,bad,exc", [("playback_channels", -1, ValueError), ("capture_channels", 1000, ValueError),
                                         ("capture_channels", "1", TypeError), ("sample_rate", -5, ValueError),
                                         ("buffersize_msec", -1, ValueError)])
def test_bad_duplex_arguments(arg, bad, exc):
    with pytest.raises(exc) as e:
        miniaudio.DuplexStream(backends=NULL, **{arg: bad})
    assert arg in str(e.value)


def test_zero_buffersize_means_the_backends_default(devices):
    """buffersize_msec=0 (as 1.71): miniaudio's default period; the device runs."""
    feeder = Feeder(limit=3)
    dev = devices(buffersize_msec=0)
    dev.start(feeder.gen())
    assert dev.wait(DEADLINE) and feeder.ended.is_set()
    assert all(n > 0 for n in feeder.asks)


def test_period_of_zero_frames_is_refused_or_works(devices):
    """sample_rate=1 with a 200 ms period gives a period of 0 frames: a clear ValueError when the
    device is made, or a device that really runs; never a device that is 'running' but silent forever."""
    try:
        dev = devices(sample_rate=1, buffersize_msec=200)
    except ValueError as e:
        assert "sample_rate" in str(e) or "buffersize_msec" in str(e)
        return
    feeder = Feeder()
    dev.start(feeder.gen())
    assert wait_until(lambda: len(feeder.asks) >= 1, timeout=3.0), \
        "device running with a 0-frame period: no callback ever (stats %s)" % (dev.stats,)


def test_device_id_of_another_backend_is_refused():
    """A DeviceId carries its backend: one from another backend cannot name a NULL device."""
    foreign = miniaudio.DeviceId("PulseAudio", b"alsa_output.pci-0000_00_1f.3.analog-stereo")
    with pytest.raises(ValueError) as e:
        miniaudio.PlaybackDevice(backends=NULL, device_id=foreign)
    assert "device_id" in str(e.value)
    with pytest.raises(ValueError):
        miniaudio.DuplexStream(backends=NULL, capture_device_id=foreign)


def test_int_enum_values_accepted(devices):
    dev = devices(miniaudio.PlaybackDevice, 5, 1, 22050, thread_prio=-2)
    assert dev.format is SF.FLOAT32 and dev.sample_width == 4


# --- playback: chunk types and exact frame counts --------------------------------------------------------

CHUNK_CASES = [
    (SF.SIGNED16, 2, "bytes"), (SF.SIGNED16, 2, "bytearray"), (SF.SIGNED16, 2, "memoryview"),
    (SF.SIGNED16, 2, "memoryview_typed"), (SF.SIGNED16, 2, "array"), (SF.SIGNED16, 2, "numpy1d"),
    (SF.SIGNED16, 2, "numpy2d"), (SF.SIGNED16, 2, "numpy_raw_bytes"), (SF.SIGNED16, 1, "numpy2d"),
    (SF.FLOAT32, 2, "numpy2d"), (SF.FLOAT32, 1, "array"), (SF.FLOAT32, 2, "numpy_raw_bytes"),
    (SF.SIGNED32, 2, "array"), (SF.SIGNED32, 3, "numpy1d"), (SF.UNSIGNED8, 2, "bytes"),
    (SF.UNSIGNED8, 2, "numpy2d"), (SF.SIGNED24, 2, "bytes"), (SF.SIGNED24, 1, "memoryview"),
]


@pytest.mark.parametrize("fmt,nch,kind", CHUNK_CASES, ids=lambda x: getattr(x, "name", str(x)))
def test_playback_chunk_types_and_frame_counts(devices, fmt, nch, kind):
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, fmt, nch, 44100, buffersize_msec=10, on_finished=fin.on_finished)
    dev.stop_callback = fin.stop_callback
    feeder = Feeder(fmt, nch, kind, limit=8)
    gen = feeder.gen()
    dev.start(gen)
    assert dev.callback_generator is gen
    assert dev.wait(DEADLINE) is True
    assert dev.running is False
    assert feeder.ended.is_set()
    assert not feeder.bad_asks, feeder.bad_asks
    assert len(feeder.asks) == 9
    # 10 ms at 44.1 kHz
    assert all(n == feeder.asks[0] for n in feeder.asks), feeder.asks
    assert 400 <= feeder.asks[0] <= 480
    check_accounting(dev.stats, feeder.asks)
    assert dev.callback_error is None
    assert fin.event.wait(DEADLINE)
    assert fin.finished_with() == [dev]
    assert dev.callback_generator is None  # 1.71 drops an exhausted generator


def test_playback_frames_match_over_a_longer_run(devices):
    """stop() rather than a natural end: callbacks / frames / padded agree with what the generator saw."""
    feeder = Feeder(SF.FLOAT32, 2, "numpy2d")
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.FLOAT32, 2, 48000, buffersize_msec=10, on_finished=fin.on_finished)
    t0 = time.monotonic()
    dev.start(feeder.gen())
    assert wait_until(lambda: len(feeder.asks) >= 30)
    dev.stop()
    elapsed = time.monotonic() - t0
    assert dev.running is False and dev.callback_generator is None
    seen = len(feeder.asks)
    stats = dev.stats
    check_accounting(stats, feeder.asks)
    assert stats.padded_callbacks == 0
    assert 0 <= stats.max_callback_seconds <= stats.callback_seconds <= elapsed
    # real-time paced: 30 periods of 10 ms take at least ~0.25 s
    assert elapsed >= 0.2
    assert dev.wait(0) is True
    time.sleep(0.05)  # nothing runs after stop(): the generator is not called again
    assert len(feeder.asks) == seen and dev.stats == stats
    assert fin.calls == []  # on_finished only for a run that ends by itself


def test_start_again_after_stop_and_after_finish(devices):
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    f1 = Feeder()
    dev.start(f1.gen())
    assert f1.first.wait(DEADLINE)
    dev.stop()
    before = dev.stats.callbacks
    f2 = Feeder(limit=3)
    dev.start(f2.gen())
    assert dev.wait(DEADLINE)
    assert f2.ended.is_set()
    assert fin.event.wait(DEADLINE) and fin.finished_with() == [dev]
    assert dev.stats.callbacks >= before + 4
    f3 = Feeder(limit=2)
    dev.start(f3.gen())
    assert dev.wait(DEADLINE) and f3.ended.is_set()
    assert wait_until(lambda: len(fin.finished_with()) == 2)
    assert dev.stats.callbacks >= before + 7
    assert dev.stats.frames >= sum(f1.asks) + sum(f2.asks) + sum(f3.asks)


def test_wait_timeout(devices):
    dev = devices()
    assert dev.wait() is True  # not running: at once
    assert dev.wait(0) is True
    dev.start(Feeder().gen())
    t0 = time.monotonic()
    assert dev.wait(0.1) is False
    assert time.monotonic() - t0 >= 0.09
    assert dev.running
    t0 = time.monotonic()
    assert dev.wait(0) is False
    assert time.monotonic() - t0 < 0.05
    dev.stop()
    assert dev.wait() is True
    assert dev.wait(0.5) is True


def test_wait_returns_after_stop_from_another_thread(devices):
    dev = devices()
    feeder = Feeder()
    dev.start(feeder.gen())
    assert feeder.first.wait(DEADLINE)
    t = threading.Timer(0.1, dev.stop)
    t.start()
    t0 = time.monotonic()
    assert dev.wait(DEADLINE) is True
    assert time.monotonic() - t0 < DEADLINE
    t.join()
    assert not dev.running


def test_end_callbacks_order_and_thread(devices):
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    running_seen = []

    def stop_callback():
        running_seen.append(dev.running)
        fin.stop_callback()

    dev.stop_callback = stop_callback
    dev.start(Feeder(limit=2).gen())
    assert dev.wait(DEADLINE)
    assert running_seen == [False]  # `running` is False before the end callbacks run
    # wait() returns after the end callbacks have run
    assert [c[0] for c in fin.calls] == ["stop_callback", "on_finished"]
    for _, _, name, daemon in fin.calls:
        assert name == "miniaudio-events" and daemon is True
    assert fin.calls[1][1] is dev


def test_generator_returns_at_once(devices):
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    sent = []

    def gen():
        n = yield b""
        sent.append(n)

    dev.start(gen())
    assert dev.wait(DEADLINE) is True
    assert dev.running is False
    assert fin.event.wait(DEADLINE) and fin.finished_with() == [dev]
    assert len(sent) == 1 and isinstance(sent[0], int) and sent[0] > 0
    assert dev.stats.callbacks >= 1
    assert dev.callback_error is None
    dev.stop()
    dev.close()


def test_generator_exhausted_at_priming_is_clean(devices):
    """A generator that returns before its first yield: start() either reports it or the run ends at
    once; never a crash, hang or SystemError."""
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)

    def gen():
        return
        yield  # noqa

    try:
        dev.start(gen())
    except Exception as e:
        assert not isinstance(e, SystemError)
    assert dev.wait(DEADLINE) is True
    assert dev.running is False
    dev.close()


def test_generator_raising_at_priming_propagates_from_start(devices):
    dev = devices()

    def gen():
        raise ZeroDivisionError("at priming")
        yield  # noqa

    with pytest.raises(ZeroDivisionError, match="at priming"):
        dev.start(gen())
    assert dev.running is False
    feeder = Feeder(limit=2)
    dev.start(feeder.gen())
    assert dev.wait(DEADLINE) and feeder.ended.is_set()


def test_primed_and_unprimed_generators(devices):
    """1.71 callers prime with next(); unprimed generators are primed by start(): both get ints."""
    for prime in (False, True):
        got = []

        def gen():
            first = yield b"priming item (discarded)"
            got.append(first)
            while len(got) < 4:
                got.append((yield bytes(first * 4)))

        g = gen()
        if prime:
            assert next(g) == b"priming item (discarded)"
        dev = devices()
        dev.start(g)
        assert dev.wait(DEADLINE)
        assert len(got) == 4 and all(isinstance(n, int) and n > 0 for n in got), got
        assert dev.callback_error is None


def test_object_with_send_method(devices):
    class Tone:
        def __init__(self):
            self.asks = []

        def send(self, n):
            self.asks.append(n)
            if len(self.asks) > 5:
                raise StopIteration
            return array.array("h", [1000, -1000]) * n

    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    tone = Tone()
    dev.start(tone)
    assert dev.wait(DEADLINE)
    assert fin.event.wait(DEADLINE)
    assert len(tone.asks) == 6
    check_accounting(dev.stats, tone.asks)


@pytest.mark.parametrize("bad", [42, None, "abc", [b"\0" * 4], lambda n: b"", iter([b"\0"]), object()],
                         ids=lambda x: type(x).__name__)
def test_start_requires_a_generator(devices, bad):
    dev = devices()
    with pytest.raises(TypeError):
        dev.start(bad)
    assert dev.running is False and dev.callback_generator is None
    feeder = Feeder(limit=1)
    dev.start(feeder.gen())  # still usable
    assert dev.wait(DEADLINE)


# --- capture and duplex ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32],
                         ids=lambda f: f.name)
@pytest.mark.parametrize("nch", [1, 2, 6])
def test_capture_receives_silence_in_device_format(devices, fmt, nch):
    fin = Finished()
    dev = devices(miniaudio.CaptureDevice, fmt, nch, 44100, buffersize_msec=10, on_finished=fin.on_finished)
    got = []

    def gen():
        while len(got) < 6:
            data = yield
            got.append((type(data), bytes(data)))

    dev.start(gen())
    assert dev.wait(DEADLINE)
    assert fin.event.wait(DEADLINE)
    assert len(got) == 6
    frame_bytes = nch * WIDTH[fmt]
    lengths = []
    for typ, data in got:
        assert typ is bytearray
        assert len(data) > 0 and len(data) % frame_bytes == 0
        lengths.append(len(data) // frame_bytes)
        # the NULL backend records silence (it zero-fills; 128 would be u8's midpoint)
        assert len(set(data)) == 1 and data[0] in ((0, 128) if fmt == SF.UNSIGNED8 else (0,))
    assert all(400 <= n <= 480 for n in lengths), lengths
    # the generator returns on its 6th call
    stats = dev.stats
    check_accounting(stats, lengths)
    assert stats.padded_callbacks == 0  # padding is a playback notion


def test_capture_generator_sees_fresh_bytearrays(devices):
    """Each callback gets its own bytearray (keeping one must not see it overwritten)."""
    dev = devices(miniaudio.CaptureDevice, SF.SIGNED16, 2, 44100)
    kept = []

    def gen():
        while len(kept) < 5:
            data = yield
            data[0:2] = b"\x7f\x7f"  # mutate our copy
            kept.append(data)

    dev.start(gen())
    assert dev.wait(DEADLINE)
    assert len({id(d) for d in kept}) == 5
    for d in kept:
        assert d[0:2] == b"\x7f\x7f" and set(d[2:]) == {0}


@pytest.mark.parametrize("pfmt,pch,cfmt,cch,kind", [
    (SF.SIGNED16, 2, SF.SIGNED16, 2, "bytes"),
    (SF.FLOAT32, 2, SF.SIGNED16, 1, "numpy2d"),
    (SF.SIGNED16, 1, SF.FLOAT32, 2, "array"),
    (SF.SIGNED24, 2, SF.SIGNED24, 2, "bytearray"),
    (SF.UNSIGNED8, 1, SF.SIGNED32, 1, "memoryview"),
])
def test_duplex(devices, pfmt, pch, cfmt, cch, kind):
    fin = Finished()
    dev = devices(miniaudio.DuplexStream, pfmt, pch, cfmt, cch, 44100, buffersize_msec=10,
                  on_finished=fin.on_finished)
    seen = []

    def gen():
        out = b""
        while len(seen) < 8:
            data = yield out
            assert type(data) is bytearray
            seen.append(bytes(data))
            out = make_chunk(kind, pfmt, pch, len(data) // (cch * WIDTH[cfmt]))

    dev.start(gen())
    assert dev.wait(DEADLINE)
    assert fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert len(seen) == 8
    frames = []
    for data in seen:
        assert len(data) > 0 and len(data) % (cch * WIDTH[cfmt]) == 0
        assert set(data) == {0}
        frames.append(len(data) // (cch * WIDTH[cfmt]))
    assert all(400 <= n <= 480 for n in frames), frames
    stats = dev.stats
    check_accounting(stats, frames)  # the generator returned on its 8th call
    # only the last call (nothing yielded) and callbacks after the end may count as padded
    assert stats.padded_callbacks <= 1 + stats.callbacks - len(frames)


def test_duplex_yield_too_much_is_an_error(unraisable, devices):
    dev = devices(miniaudio.DuplexStream, SF.SIGNED16, 2, SF.SIGNED16, 2, 44100)

    def gen():
        data = yield b""
        while True:
            data = yield bytes(len(data) + 4)  # one frame too many

    dev.start(gen())
    assert wait_until(lambda: dev.callback_error is not None)
    assert isinstance(dev.callback_error, miniaudio.MiniaudioError)
    assert "exceeds maximum" in str(dev.callback_error)
    with pytest.raises(miniaudio.MiniaudioError, match="exceeds maximum"):
        dev.wait(DEADLINE)
    assert [type(e) for e, _ in unraisable] == [miniaudio.MiniaudioError]


def test_non_contiguous_numpy_chunks_play(unraisable, devices):
    """1.71 played any numpy array (it copied with .tobytes()): a (frames, channels) array in Fortran
    order, e.g. np.vstack([left, right]).T, and a strided 1-D slice are still numpy arrays of the device's
    sample type and play as their C-order values."""
    for make in (lambda n: np.vstack([np.zeros(n, np.int16), np.ones(n, np.int16)]).T,
                 lambda n: np.zeros(n * 4, np.int16)[::2]):
        fin = Finished()
        dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, on_finished=fin.on_finished)
        asks = []

        def gen():
            n = yield b""
            while len(asks) < 5:
                asks.append(n)
                n = yield make(n)

        dev.start(gen())
        assert dev.wait(DEADLINE)
        assert dev.callback_error is None, repr(dev.callback_error)
        assert len(asks) == 5
        assert dev.stats.padded_callbacks <= dev.stats.callbacks - 5
    assert unraisable == []


# --- playback: short chunks, padding ---------------------------------------------------------------------

def test_short_none_and_empty_chunks_are_padded(devices):
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    pattern = ["full", "half", "none", "empty", "full", "one", "full", "empty_array", "half"]
    asks = []

    def gen():
        n = yield b""
        while True:
            asks.append(n)
            what = pattern[(len(asks) - 1) % len(pattern)]
            if what == "full":
                out = bytes(n * 4)
            elif what == "half":
                out = bytes((n // 2) * 4)
            elif what == "one":
                out = array.array("h", [5, 5])
            elif what == "none":
                out = None
            elif what == "empty":
                out = b""
            else:
                out = array.array("h")
            n = yield out

    dev.start(gen())
    assert wait_until(lambda: len(asks) >= 2 * len(pattern))
    dev.stop()
    stats = dev.stats
    check_accounting(stats, asks)
    short = sum(1 for i in range(len(asks)) if pattern[i % len(pattern)] != "full")
    extra = stats.callbacks - len(asks)
    assert short <= stats.padded_callbacks <= short + extra, (stats, short)
    assert dev.callback_error is None


# --- playback: wrong chunks are generator errors ---------------------------------------------------------

BAD_CHUNKS = [
    # (device format, channels, make(n) -> chunk, expected exception, message fragment or None)
    (SF.FLOAT32, 2, lambda n: np.zeros((n, 2), np.float64), TypeError, None),
    (SF.FLOAT32, 2, lambda n: np.zeros(n * 2, np.int16), TypeError, None),
    (SF.FLOAT32, 2, lambda n: array.array("h", bytes(n * 4)), TypeError, None),
    (SF.SIGNED16, 2, lambda n: array.array("f", bytes(n * 8)), TypeError, None),
    (SF.SIGNED16, 2, lambda n: np.zeros(n * 2, np.int32), TypeError, None),
    (SF.SIGNED32, 1, lambda n: np.zeros(n, np.float32), TypeError, None),
    (SF.SIGNED16, 2, lambda n: 42, TypeError, None),
    (SF.SIGNED16, 2, lambda n: "not audio", TypeError, None),
    (SF.SIGNED16, 2, lambda n: [0] * (n * 2), TypeError, None),
    (SF.SIGNED16, 2, lambda n: bytes(n * 4 - 1), ValueError, None),  # partial frame
    (SF.SIGNED16, 2, lambda n: bytes(3), ValueError, None),
    (SF.SIGNED16, 2, lambda n: array.array("h", [0] * (n * 2 - 1)), ValueError, None),
    (SF.SIGNED24, 2, lambda n: bytes(n * 6 - 2), ValueError, None),
    (SF.SIGNED16, 2, lambda n: np.zeros((n, 3), np.int16), ValueError, None),  # 2-D, wrong channels
    (SF.SIGNED16, 1, lambda n: np.zeros((n, 2), np.int16), ValueError, None),
    (SF.SIGNED16, 2, lambda n: bytes(n * 4 + 4), miniaudio.MiniaudioError, "exceeds maximum"),
    (SF.SIGNED16, 2, lambda n: np.zeros((n + 1, 2), np.int16), miniaudio.MiniaudioError, "exceeds maximum"),
    (SF.FLOAT32, 1, lambda n: np.zeros(n * 100, np.float32), miniaudio.MiniaudioError, "exceeds maximum"),
]


@pytest.mark.parametrize("fmt,nch,make,exc,fragment", BAD_CHUNKS,
                         ids=["f64_to_f32", "i16_to_f32", "array_h_to_f32", "array_f_to_s16", "i32_to_s16",
                              "f32_to_s32", "int", "str", "list", "partial_frame", "three_bytes",
                              "odd_samples", "partial_s24", "2d_3ch", "2d_2ch_mono", "one_frame_too_many",
                              "2d_one_too_many", "far_too_many"])
def test_wrong_chunk_is_a_generator_error(unraisable, devices, fmt, nch, make, exc, fragment):
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, fmt, nch, 44100, on_finished=fin.on_finished)
    calls = []

    def gen():
        n = yield b""
        while True:
            calls.append(n)
            n = yield (make(n) if len(calls) == 3 else bytes(n * nch * WIDTH[fmt]))

    dev.start(gen())
    assert fin.event.wait(DEADLINE), "on_finished not called after a generator error"
    assert fin.finished_with() == [dev]
    assert dev.running is False
    err = dev.callback_error
    assert type(err) is exc, repr(err)
    if fragment:
        assert fragment in str(err)
    assert len(unraisable) == 1 and unraisable[0][0] is err
    assert len(calls) == 3
    time.sleep(0.05)  # the generator is not called again
    assert len(calls) == 3
    with pytest.raises(exc) as e:
        dev.wait(DEADLINE)
    assert e.value is err
    dev.stop()  # raised once only
    dev.close()
    assert len(unraisable) == 1


@pytest.mark.parametrize("method", ["stop", "close", "wait"])
@pytest.mark.parametrize("cls", ["PlaybackDevice", "CaptureDevice", "DuplexStream"])
def test_generator_exception_reraised_once(unraisable, devices, method, cls):
    fin = Finished()
    dev = devices(getattr(miniaudio, cls), on_finished=fin.on_finished)
    boom = KeyError("boom from the generator")
    calls = []

    def gen():
        data = yield b""
        while True:
            calls.append(data)
            if len(calls) == 4:
                raise boom
            data = yield (bytes(data * 4) if isinstance(data, int) else bytes(len(data)))

    dev.start(gen())
    assert fin.event.wait(DEADLINE)
    assert dev.running is False
    assert dev.callback_error is boom
    assert len(unraisable) == 1 and unraisable[0][0] is boom
    with pytest.raises(KeyError) as e:
        getattr(dev, method)()
    assert e.value is boom
    # once: none of the three raises it again
    dev.wait(0)
    dev.stop()
    dev.close()
    assert dev.closed
    assert len(calls) == 4


def test_generator_error_then_restart(unraisable, devices):
    dev = devices()

    def bad():
        yield b""
        raise ValueError("first run fails")

    dev.start(bad())
    assert wait_until(lambda: dev.callback_error is not None)
    with pytest.raises(ValueError, match="first run fails"):
        dev.stop()
    feeder = Feeder(limit=3)
    dev.start(feeder.gen())
    assert dev.wait(DEADLINE) is True and feeder.ended.is_set()
    assert len(unraisable) == 1


def test_base_exception_from_generator_does_not_escape_the_audio_thread(unraisable, devices):
    """A KeyboardInterrupt/SystemExit raised in the generator is a generator error like any other
    (it must not kill the audio thread or the interpreter)."""
    excs = [KeyboardInterrupt("ki"), SystemExit(3)]
    for exc in excs:
        fin = Finished()
        dev = devices(on_finished=fin.on_finished)

        def gen():
            yield b""
            raise exc

        dev.start(gen())
        assert fin.event.wait(DEADLINE)
        assert dev.callback_error is exc
        with pytest.raises(type(exc)):
            dev.close()
    assert len(unraisable) == 2
    assert unraisable[0][0] is excs[0] and unraisable[1][0] is excs[1]


def test_event_callbacks_that_raise_are_reported_and_the_event_thread_survives(monkeypatch, unraisable, devices):
    """stop_callback / on_finished raising: reported to sys.unraisablehook; on_finished still runs after a
    failing stop_callback; wait() returns True (the callback's error is not the generator's); the shared
    event thread goes on serving other devices."""
    thread_errors = []  # an exception that escapes the event thread would kill it: caught here, asserted below
    monkeypatch.setattr(threading, "excepthook", lambda a: thread_errors.append((a.thread.name, a.exc_value)))
    oops1, oops2 = LookupError("stop_callback failed"), ArithmeticError("on_finished failed")
    calls = []

    def stop_cb():
        calls.append("stop_callback")
        raise oops1

    def on_fin(d):
        calls.append("on_finished")
        raise oops2

    dev = devices(on_finished=on_fin)
    dev.stop_callback = stop_cb
    dev.start(Feeder(limit=2).gen())
    assert dev.wait(DEADLINE) is True
    assert thread_errors == []
    assert calls == ["stop_callback", "on_finished"]
    assert [e for e, _ in unraisable] == [oops1, oops2]
    assert dev.callback_error is None
    dev.stop()
    # the event thread is alive: another device's on_finished runs
    fin = Finished()
    other = devices(on_finished=fin.on_finished)
    other.start(Feeder(limit=1).gen())
    assert fin.event.wait(DEADLINE)
    assert other.wait(DEADLINE) is True


ISOLATION_SCRIPT = r"""
import threading, time, miniaudio
NULL = [miniaudio.Backend.NULL]
threading.excepthook = lambda a: print("THREAD-DIED", a.thread.name, repr(a.exc_value), flush=True)
def gen(limit):
    n = yield b""
    for i in range(limit):
        n = yield bytes(n * 4)
def bad_on_finished(d):
    raise LookupError("a bug in the user's on_finished")
b_done = threading.Event()
a = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10, on_finished=bad_on_finished)
b = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10, on_finished=lambda d: b_done.set())
b.start(gen(30))  # ends by itself about 0.3 s later
a.start(gen(2))   # ends at once; its on_finished raises
print("B-FINISHED", b_done.wait(5), flush=True)
print("B-WAIT", b.wait(5), flush=True)
b.start(gen(2))
print("B-RESTARTED", b.wait(5), flush=True)
a.close(); b.close()
"""


def test_a_failing_on_finished_does_not_break_other_devices():
    """The event thread is shared: one device's failing on_finished must not cost another device its
    end-of-run handling (on_finished, wait(), a later start()).  In a subprocess: the failure mode is a hang."""
    r = run_python(ISOLATION_SCRIPT, timeout=15)
    assert "THREAD-DIED" not in r.stdout, r.stdout
    assert "B-FINISHED True" in r.stdout, r.stdout
    assert "B-WAIT True" in r.stdout, r.stdout
    assert "B-RESTARTED True" in r.stdout, r.stdout
    assert r.returncode == 0, r.stderr
    assert "a bug in the user's on_finished" in r.stderr  # reported, through sys.unraisablehook


def test_restart_from_on_finished(devices):
    """on_finished may start the device again (a simple loop player)."""
    runs = []

    def on_finished(d):
        runs.append(d.stats.callbacks)
        if len(runs) < 3:
            d.start(Feeder(limit=2).gen())

    dev = devices(on_finished=on_finished)
    dev.start(Feeder(limit=2).gen())
    assert wait_until(lambda: len(runs) == 3)
    assert dev.wait(DEADLINE) is True
    assert not dev.running
    assert runs[0] < runs[1] < runs[2]


def test_other_devices_may_be_controlled_from_a_generator(devices):
    """Only a device's *own* generator is refused stop()/close(): another device can be closed there."""
    victim = devices()
    vf = Feeder()
    victim.start(vf.gen())
    assert vf.first.wait(DEADLINE)
    result = []

    def gen():
        n = yield b""
        try:
            victim.close()
            result.append(("closed", victim.closed))
        except BaseException as e:
            result.append(("error", e))
        while True:
            n = yield bytes(n * 4)

    dev = devices()
    dev.start(gen())
    assert wait_until(lambda: result)
    assert result == [("closed", True)]
    assert not victim.running
    dev.stop()


def test_last_reference_dropped_on_the_audio_thread(devices):
    """The generator drops the only reference to its own device: the device is closed off the audio
    thread and freed; no crash, no hang, no leaked thread."""
    base = baseline_threads()
    holder = [miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10)]
    ref = weakref.ref(holder[0])
    dropped = threading.Event()

    def gen():
        n = yield b""
        n = yield bytes(n * 4)
        holder.clear()
        gc.collect()
        dropped.set()
        while True:
            n = yield bytes(n * 4)

    holder[0].start(gen())
    assert dropped.wait(DEADLINE)

    def freed():
        gc.collect()
        return ref() is None

    assert wait_until(freed)
    assert wait_until(lambda: n_threads() <= base)


def test_concurrent_start_stop_wait_from_threads(unraisable, devices):
    """Four threads start / stop / wait / read one device at random for a second: no crash, no deadlock,
    only the documented 'already started' error, and the device ends in a consistent state."""
    import random

    dev = devices(buffersize_msec=5)
    stop_at = time.monotonic() + 1.0
    problems = []
    counts = {"start": 0, "stop": 0, "already": 0}
    lock = threading.Lock()

    def worker(seed):
        rnd = random.Random(seed)
        while time.monotonic() < stop_at:
            op = rnd.choice(("start", "start", "stop", "wait", "stats"))
            try:
                if op == "start":
                    dev.start(Feeder(limit=rnd.choice((None, 1, 5))).gen())
                    with lock:
                        counts["start"] += 1
                elif op == "stop":
                    dev.stop()
                    with lock:
                        counts["stop"] += 1
                elif op == "wait":
                    dev.wait(0.01)
                else:
                    dev.stats, dev.running, dev.callback_generator
            except miniaudio.MiniaudioError as e:
                if "already started" in str(e):
                    with lock:
                        counts["already"] += 1
                else:
                    problems.append(e)
            except BaseException as e:
                problems.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "deadlock"
    assert problems == []
    assert counts["start"] > 10 and counts["stop"] > 10
    dev.stop()
    assert not dev.running and dev.wait(DEADLINE) is True
    feeder = Feeder(limit=2)
    dev.start(feeder.gen())
    assert dev.wait(DEADLINE) and feeder.ended.is_set()
    dev.close()
    assert unraisable == []


# --- start / stop / close misuse -------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ["PlaybackDevice", "CaptureDevice", "DuplexStream"])
def test_start_twice(devices, cls):
    dev = devices(getattr(miniaudio, cls))

    def gen():
        data = yield b""
        while True:
            data = yield (bytes(data * 4) if isinstance(data, int) else bytes(len(data)))

    g1 = gen()
    dev.start(g1)
    with pytest.raises(miniaudio.MiniaudioError, match="can't start an already started device"):
        dev.start(gen())
    assert dev.running and dev.callback_generator is g1
    n = dev.stats.callbacks
    assert wait_until(lambda: dev.stats.callbacks >= n + 3)  # the first run goes on
    dev.stop()


@pytest.mark.parametrize("cls", ["PlaybackDevice", "CaptureDevice", "DuplexStream"])
def test_lifecycle_noops_and_closed_errors(devices, cls):
    dev = devices(getattr(miniaudio, cls))
    dev.stop()  # before start: no-op
    dev.stop()
    assert dev.wait() is True
    dev.close()
    dev.close()  # twice: no-op
    assert dev.closed and not dev.running
    with pytest.raises(miniaudio.MiniaudioError):
        dev.start(Feeder().gen())
    assert not dev.running
    assert dev.wait(0) is True


def test_close_while_running_then_start_is_error(devices):
    dev = devices()
    feeder = Feeder()
    dev.start(feeder.gen())
    assert feeder.first.wait(DEADLINE)
    dev.close()
    assert dev.closed and not dev.running and dev.callback_generator is None
    seen = len(feeder.asks)
    time.sleep(0.05)
    assert len(feeder.asks) == seen
    with pytest.raises(miniaudio.MiniaudioError):
        dev.start(Feeder().gen())


def test_unreachable_devices_are_collected():
    """A device in a reference cycle (its callbacks refer to it) is freed by the GC."""
    base_threads = baseline_threads()
    refs = []
    for i in range(5):
        dev = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10)
        dev.on_finished = lambda d, dev=dev: dev.stats
        dev.stop_callback = lambda dev=dev: dev.running
        if i % 2:
            dev.start(Feeder(limit=2).gen())
            assert dev.wait(DEADLINE)
        refs.append(weakref.ref(dev))
        del dev

    def collected():
        gc.collect()
        return all(r() is None for r in refs)

    assert wait_until(collected)
    assert wait_until(lambda: n_threads() <= base_threads)


# --- GIL-free playback of the package's own streams ------------------------------------------------------

def _stream(kind, sample_path, sample_bytes, name, fmt, nch, rate, frames_to_read=1024):
    if kind == "file":
        return miniaudio.stream_file(sample_path(name), fmt, nch, rate, frames_to_read)
    if kind == "memory":
        return miniaudio.stream_memory(sample_bytes(name), fmt, nch, rate, frames_to_read)
    if kind == "raw":
        pcm = miniaudio.decode_file(sample_path(name), fmt, nch, rate).samples
        return miniaudio.stream_raw_pcm_memory(pcm, nch, WIDTH[fmt], frames_to_read)
    raise ValueError(kind)


STREAM_CASES = [
    # kind, file, format, channels, rate, buffersize_msec
    ("file", "tone_s16.wav", SF.SIGNED16, 2, 44100, 10),
    ("memory", "short_f32.wav", SF.FLOAT32, 2, 44100, 15),
    ("raw", "short_s32.wav", SF.SIGNED32, 2, 44100, 15),
    ("file", "tone.mp3", SF.SIGNED16, 1, 44100, 20),
    ("memory", "mono.flac", SF.FLOAT32, 1, 22050, 10),
]


@pytest.mark.parametrize("kind,name,fmt,nch,rate,msec", STREAM_CASES,
                         ids=lambda x: getattr(x, "name", str(x)))
def test_stream_plays_to_the_end(devices, sample_path, sample_bytes, kind, name, fmt, nch, rate, msec):
    total = miniaudio.decode_file(sample_path(name), fmt, nch, rate).num_frames
    stream = _stream(kind, sample_path, sample_bytes, name, fmt, nch, rate)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, fmt, nch, rate, buffersize_msec=msec, on_finished=fin.on_finished)
    dev.stop_callback = fin.stop_callback
    t0 = time.monotonic()
    dev.start(stream)
    assert dev.callback_generator is stream
    assert dev.running
    assert dev.wait(DEADLINE + total / rate) is True
    elapsed = time.monotonic() - t0
    assert dev.running is False
    assert fin.event.wait(DEADLINE)
    assert fin.finished_with() == [dev]
    assert [c[0] for c in fin.calls] == ["stop_callback", "on_finished"]
    assert dev.callback_error is None
    stats = dev.stats
    period = stats.frames // stats.callbacks
    # every frame of the stream was delivered, plus the padding of the last period(s)
    assert total <= stats.frames <= total + 3 * period, (stats, total)
    if total % period:
        assert stats.padded_callbacks >= 1
    assert stats.padded_callbacks <= 3
    if hasattr(stream, "position"):
        assert stream.position == total
    # real-time paced: a stream of total/rate seconds takes about that long
    assert elapsed >= 0.8 * total / rate
    # the stream is free again after the run, and at its end
    with pytest.raises(StopIteration):
        stream.send(100)


@pytest.mark.parametrize("kind", ["file", "memory", "raw"])
def test_stream_is_busy_while_the_device_plays_it(devices, sample_path, sample_bytes, kind):
    stream = _stream(kind, sample_path, sample_bytes, "tone_s16.wav", SF.SIGNED16, 2, 44100)
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    dev.start(stream)
    assert wait_until(lambda: dev.stats.callbacks >= 3)
    with pytest.raises(RuntimeError):
        stream.send(100)
    with pytest.raises(RuntimeError):
        next(stream)
    if hasattr(stream, "seek"):
        with pytest.raises(RuntimeError):
            stream.seek(0)
    if hasattr(stream, "position"):
        p1 = stream.position
        assert wait_until(lambda: stream.position >= p1 + 2000)  # readable, and advancing
    assert dev.running
    dev.stop()
    # stopped: the stream is the caller's again, and continues where the device left it
    if hasattr(stream, "position"):
        pos = stream.position
        assert 0 < pos < 44100
        chunk = stream.send(10)
        assert memoryview(chunk).nbytes == 40 and stream.position == pos + 10
        if hasattr(stream, "seek"):
            assert stream.seek(0) == 0
    else:
        assert memoryview(stream.send(10)).nbytes == 40


def test_stream_busy_in_another_device(devices, sample_path):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"))
    d1 = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    d2 = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    d1.start(stream)
    with pytest.raises(RuntimeError):
        d2.start(stream)
    assert not d2.running
    d1.stop()


@pytest.mark.parametrize("kind", ["file", "memory", "raw"])
def test_stream_plays_while_python_holds_the_gil(devices, sample_path, sample_bytes, kind):
    """The audio thread pulls a package stream in C: frames keep flowing while this thread holds the GIL
    (a huge switch interval and a pure-Python spin never let another Python thread run)."""
    stream = _stream(kind, sample_path, sample_bytes, "tone_s16.wav", SF.SIGNED16, 2, 44100)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10, on_finished=fin.on_finished)
    dev.start(stream)
    assert wait_until(lambda: dev.stats.callbacks >= 2)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t0 = time.monotonic()
        f0 = dev.stats.frames
        p0 = getattr(stream, "position", None)
        while time.monotonic() - t0 < 0.4:
            pass
        f1 = dev.stats.frames
        p1 = getattr(stream, "position", None)
    finally:
        sys.setswitchinterval(old)
    assert f1 - f0 >= 0.2 * 44100, (f0, f1)  # real time would be ~17,640 frames
    if p0 is not None:
        assert p1 - p0 >= 0.2 * 44100, (p0, p1)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    if p0 is not None:
        assert stream.position == 44100


def test_python_generator_needs_the_gil(devices):
    """The control for the test above: a Python generator cannot run while this thread holds the GIL,
    so the measurement technique is sound."""
    feeder = Feeder()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    dev.start(feeder.gen())
    assert wait_until(lambda: len(feeder.asks) >= 2)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.05:  # lets through a thread that was already waiting (old interval)
            pass
        a0 = len(feeder.asks)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.3:
            pass
        a1 = len(feeder.asks)
    finally:
        sys.setswitchinterval(old)
    assert a1 - a0 <= 1
    # and it catches up / goes on afterwards
    assert wait_until(lambda: len(feeder.asks) >= a1 + 3)
    dev.stop()


def test_raw_stream_channel_or_width_mismatch_is_value_error(devices, sample_path):
    pcm = miniaudio.decode_file(sample_path("short_s32.wav"), SF.SIGNED16, 2, 44100).samples
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    with pytest.raises(ValueError):
        dev.start(miniaudio.stream_raw_pcm_memory(pcm.tobytes(), 1, 2))
    with pytest.raises(ValueError):
        dev.start(miniaudio.stream_raw_pcm_memory(pcm.tobytes(), 1, 4))
    assert not dev.running
    dev.start(miniaudio.stream_raw_pcm_memory(pcm, 2, 2))
    assert dev.wait(DEADLINE)


def test_stream_with_callbacks_wrapper_plays(devices, sample_path):
    """stream_with_callbacks wraps a package stream in a Python generator: the Python path, with its
    end_callback and progress reports."""
    progress, ended = [], []
    inner = miniaudio.stream_file(sample_path("short_s24.wav"), SF.SIGNED16, 2, 44100)
    wrapped = miniaudio.stream_with_callbacks(inner, progress.append, None, lambda: ended.append(1))
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=20, on_finished=fin.on_finished)
    dev.start(wrapped)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    assert ended == [1]
    assert inner.position == 22050
    assert dev.stats.frames >= 22050


def test_stream_busy_close_is_refused_and_playback_goes_on(devices, sample_path):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"))
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    dev.start(stream)
    assert wait_until(lambda: stream.position > 0)
    with pytest.raises(RuntimeError):
        stream.close()
    assert not stream.closed
    p = stream.position
    assert wait_until(lambda: stream.position > p + 1000)
    dev.stop()
    stream.close()
    assert stream.closed


def test_seeked_stream_plays_the_rest(devices, sample_path):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"), seek_frame=33075)
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    t0 = time.monotonic()
    dev.start(stream)
    assert dev.wait(DEADLINE)
    assert stream.position == 44100
    assert 11025 <= dev.stats.frames <= 11025 + 3 * 441
    assert time.monotonic() - t0 < 0.8  # a quarter of the file, not all of it


def test_exhausted_or_closed_stream(devices, sample_path):
    """A stream already at its end either is refused by start() (ValueError) or ends the run at once;
    a closed stream is refused.  Never a hang or a device left running."""
    stream = miniaudio.stream_file(sample_path("short_u8.wav"))
    for _ in stream:
        pass
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, on_finished=fin.on_finished)
    try:
        dev.start(stream)
    except ValueError:
        pass
    else:
        assert fin.event.wait(DEADLINE)
    assert dev.wait(DEADLINE) and not dev.running
    closed = miniaudio.stream_file(sample_path("short_u8.wav"))
    closed.close()
    with pytest.raises((ValueError, RuntimeError)):
        dev.start(closed)
    assert not dev.running


@pytest.mark.parametrize("func,name,nch,rate", [("wav_stream_file", "tone_s16.wav", 2, 44100),
                                                ("flac_stream_file", "mono.flac", 1, 22050),
                                                ("mp3_stream_file", "tone.mp3", 2, 44100),
                                                ("vorbis_stream_file", "mono.ogg", 1, 22050)])
def test_per_format_stream_functions_play(devices, sample_path, func, name, nch, rate):
    """The *_stream_file functions stream s16 at the file's own channels and rate: they play on a device
    of that format, and on one that differs (converted on the audio thread), to the end."""
    total = miniaudio.decode_file(sample_path(name), SF.SIGNED16, nch, rate).num_frames
    other = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 3 - nch, rate)
    converted = getattr(miniaudio, func)(sample_path(name))
    other.start(converted)
    assert other.wait(DEADLINE) and converted.position == converted.length == total
    stream = getattr(miniaudio, func)(sample_path(name))
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, nch, rate, buffersize_msec=20, on_finished=fin.on_finished)
    dev.start(stream)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert total <= dev.stats.frames <= total + 3 * (rate // 50)


def test_stream_any_over_a_python_source_plays(devices, sample_bytes):
    """stream_any reads through Python (a file object): played through the Python path, to the end."""
    import io

    stream = miniaudio.stream_any(io.BytesIO(sample_bytes("short_f32.wav")), output_format=SF.FLOAT32)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.FLOAT32, 2, 44100, buffersize_msec=20, on_finished=fin.on_finished)
    dev.start(stream)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert 22050 <= dev.stats.frames <= 22050 + 3 * 882


@pytest.mark.parametrize("cls", ["CaptureDevice", "DuplexStream"])
def test_package_stream_cannot_feed_capture_or_duplex(devices, sample_path, cls):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"))
    dev = devices(getattr(miniaudio, cls))
    with pytest.raises(TypeError):
        dev.start(stream)
    assert not dev.running
    assert len(stream.send(5)) == 10  # not taken


# --- calls from the audio thread / the event thread (subprocess: a regression would deadlock) --------------

REENTRANT_SCRIPT = r"""
import json, sys, threading, miniaudio
from miniaudio import SampleFormat as SF
kind = sys.argv[1]
NULL = [miniaudio.Backend.NULL]
res = {}
done = threading.Event()

def attempt(name, fn):
    try:
        r = fn()
    except BaseException as e:
        res[name] = [type(e).__name__, str(e)]
    else:
        res[name] = ["returned", repr(r)]

def other():
    n = yield b""
    while True:
        n = yield b""

if kind == "on_finished":
    def on_finished(d):
        attempt("wait_timeout", lambda: d.wait(2.0))
        if res["wait_timeout"][0] == "RuntimeError":
            attempt("wait", d.wait)
        res["running"] = d.running
        done.set()
    dev = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10, on_finished=on_finished)
    def gen():
        n = yield b""
        n = yield bytes(n * 4)
    dev.start(gen())
    res["done"] = done.wait(10)
    attempt("main_wait", lambda: dev.wait(10))
else:
    cls = {"playback": miniaudio.PlaybackDevice, "capture": miniaudio.CaptureDevice,
           "duplex": miniaudio.DuplexStream}[kind]
    dev = cls(backends=NULL, buffersize_msec=10)
    def gen():
        data = yield b""
        attempt("wait_timeout", lambda: dev.wait(1.0))
        attempt("wait", dev.wait)
        attempt("stop", dev.stop)
        attempt("close", dev.close)
        attempt("start", lambda: dev.start(other()))
        res["running_inside"] = dev.running
        res["closed_inside"] = dev.closed
        done.set()
        while True:
            data = yield (bytes(data * 4) if isinstance(data, int) else bytes(len(data)))
    dev.start(gen())
    res["done"] = done.wait(10)
    n = dev.stats.callbacks
    res["goes_on"] = any(dev.stats.callbacks >= n + 3 or threading.Event().wait(0.01) for _ in range(500))
    res["callback_error"] = repr(dev.callback_error)
    attempt("main_stop", dev.stop)
    res["running_after"] = dev.running
attempt("main_close", dev.close)
print("RESULT " + json.dumps(res))
"""


@pytest.mark.parametrize("kind", ["playback", "capture", "duplex"])
def test_device_calls_from_its_own_generator_raise_runtime_error(kind):
    r = run_python(REENTRANT_SCRIPT, kind)
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r.stderr)
    res = json.loads(r.stdout.split("RESULT ", 1)[1])
    assert res["done"] is True
    for name in ("wait_timeout", "wait", "stop", "close", "start"):
        assert res[name][0] == "RuntimeError", (name, res[name])
    assert res["running_inside"] is True and res["closed_inside"] is False
    assert res["goes_on"] is True  # the refused calls did not stop the device
    assert res["callback_error"] == "None"
    assert res["main_stop"][0] == "returned" and res["running_after"] is False
    assert res["main_close"][0] == "returned"


def test_wait_from_on_finished_raises_runtime_error():
    r = run_python(REENTRANT_SCRIPT, "on_finished")
    assert r.returncode == 0, r.stderr
    assert_clean_stderr(r.stderr)
    res = json.loads(r.stdout.split("RESULT ", 1)[1])
    assert res["done"] is True
    assert res["wait_timeout"][0] == "RuntimeError", res
    assert res["wait"][0] == "RuntimeError", res
    assert res["running"] is False
    assert res["main_wait"] == ["returned", "True"]
    assert res["main_close"][0] == "returned"


# --- statistics ------------------------------------------------------------------------------------------

def test_late_callbacks_counted(devices):
    """A generator that sleeps 2.5 periods in some callbacks: those are late, the others are not."""
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    slow_at = {3, 6, 9}
    asks, durations = [], []

    def gen():
        n = yield b""
        while True:
            t = time.perf_counter()
            asks.append(n)
            if len(asks) in slow_at:
                time.sleep(0.025)
            out = bytes(n * 4)
            durations.append(time.perf_counter() - t)
            n = yield out

    t0 = time.monotonic()
    dev.start(gen())
    assert wait_until(lambda: len(asks) >= 14)
    dev.stop()
    elapsed = time.monotonic() - t0
    stats = dev.stats
    check_accounting(stats, asks)
    period = asks[0] / 44100
    slow_seen = sum(1 for d in durations if d > period)
    assert slow_seen >= 3
    assert slow_seen <= stats.late_callbacks <= slow_seen + 2, (stats, durations)
    assert stats.max_callback_seconds >= 0.025
    assert stats.callback_seconds >= 3 * 0.025
    assert stats.max_callback_seconds <= stats.callback_seconds <= elapsed
    assert stats.padded_callbacks == 0


def test_stats_grow_consistently_while_running(devices):
    dev = devices(miniaudio.CaptureDevice, SF.SIGNED16, 1, 16000, buffersize_msec=10)
    sizes = []

    def gen():
        while True:
            sizes.append(len((yield)) // 2)

    dev.start(gen())
    snapshots = []
    for want in (5, 10, 20):
        assert wait_until(lambda: dev.stats.callbacks >= want)
        snapshots.append(dev.stats)
    dev.stop()
    final = dev.stats
    for a, b in zip(snapshots + [final], (snapshots + [final])[1:]):
        assert b.callbacks >= a.callbacks and b.frames >= a.frames
        assert b.callback_seconds >= a.callback_seconds
        assert b.max_callback_seconds >= a.max_callback_seconds
    check_accounting(final, sizes)
    assert all(n == 160 for n in sizes), sizes  # 10 ms at 16 kHz
    assert final.late_callbacks <= 2


# --- stress: close while the callback runs, many devices ---------------------------------------------------

def test_close_from_another_thread_while_the_callback_runs_1000_times():
    base_threads = baseline_threads()
    jobs, results = queue.Queue(), queue.Queue()

    def closer():
        while True:
            dev = jobs.get()
            if dev is None:
                return
            t = time.perf_counter()
            try:
                dev.close()
                results.put((None, time.perf_counter() - t))
            except BaseException as e:  # reported to the main thread
                results.put((e, 0))

    worker = threading.Thread(target=closer, name="closer")
    worker.start()
    after_close = []
    slowest = 0.0
    t_start = time.monotonic()
    try:
        for i in range(1000):
            calls = [0]
            inside = threading.Event()
            variant = i % 4

            def gen(calls=calls, inside=inside, variant=variant):
                n = yield b""
                while True:
                    calls[0] += 1
                    inside.set()
                    if variant == 0:
                        time.sleep(0.001)  # closed while the generator sleeps (GIL released)
                    elif variant == 1:
                        sum(range(3000))  # closed while the generator computes (GIL held)
                    n = yield bytes(n * 4)

            dev = miniaudio.PlaybackDevice(SF.SIGNED16, 2, 44100, buffersize_msec=5, backends=NULL)
            dev.start(gen())
            assert inside.wait(DEADLINE), i
            if variant == 3:
                assert wait_until(lambda: calls[0] >= 2), i
            jobs.put(dev)
            err, took = results.get(timeout=30)
            assert err is None, (i, err)
            slowest = max(slowest, took)
            assert dev.closed and not dev.running, i
            after_close.append((calls, calls[0]))
    finally:
        jobs.put(None)
        worker.join(30)
    assert not worker.is_alive()
    time.sleep(0.02)
    # nothing called a generator after its device's close() returned
    assert all(c[0] == n for c, n in after_close)
    assert slowest < 2.0
    assert time.monotonic() - t_start < 60
    assert wait_until(lambda: n_threads() <= base_threads), (n_threads(), base_threads)


def test_create_and_close_1000_devices():
    """1.71 leaked each device's context and failed near device #60; each device here owns its context
    and releases it."""
    kinds = [lambda: miniaudio.PlaybackDevice(backends=NULL),
             lambda: miniaudio.CaptureDevice(SF.FLOAT32, 1, 48000, backends=NULL),
             lambda: miniaudio.DuplexStream(backends=NULL)]
    for i in range(60):  # warm-up (allocator arenas, the event thread, lazily loaded things)
        kinds[i % 3]().close()
    gc.collect()
    fds, threads, rss = n_fds(), n_threads(), rss_bytes()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1000):
            dev = kinds[i % 3]()
            assert dev.backend == "Null"
            dev.close()
        del dev
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 100 * 1024, grown
    assert n_fds() <= fds
    assert wait_until(lambda: n_threads() <= threads), (n_threads(), threads)
    assert rss_bytes() - rss < 8 * 1024 * 1024, rss_bytes() - rss


def test_many_devices_open_at_once(devices):
    opened = [devices(miniaudio.PlaybackDevice if i % 2 else miniaudio.CaptureDevice) for i in range(40)]
    feeders = []
    for dev in opened[:10]:
        f = Feeder(limit=3) if isinstance(dev, miniaudio.PlaybackDevice) else None
        if f:
            feeders.append(f)
            dev.start(f.gen())
    for f in feeders:
        assert f.ended.wait(DEADLINE)
    for dev in opened:
        dev.close()
        assert dev.closed


# --- leaks -----------------------------------------------------------------------------------------------

def test_start_stop_cycles_do_not_leak(unraisable, devices):
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=5)
    cap = devices(miniaudio.CaptureDevice, SF.SIGNED16, 2, 44100, buffersize_msec=5)
    errors = [0]

    def one_cycle(i):
        feeder = Feeder(kind=("bytes", "numpy2d", "array")[i % 3])
        dev.start(feeder.gen())
        assert feeder.first.wait(DEADLINE)
        dev.stop()
        got = threading.Event()

        def rec():
            while True:
                yield
                got.set()

        cap.start(rec())
        assert got.wait(DEADLINE)
        cap.stop()
        if i % 10 == 0:  # an error run: unraisable hook, stored exception, re-raise
            def bad():
                yield b""
                raise ValueError("x" * 100)

            dev.start(bad())
            assert wait_until(lambda: dev.callback_error is not None)
            try:
                dev.wait(DEADLINE)
            except ValueError:
                errors[0] += 1

    for i in range(40):
        one_cycle(i)
    unraisable.clear()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(200):
            one_cycle(i)
        unraisable.clear()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert errors[0] == 24
    assert grown < 100 * 1024, grown


# --- interpreter exit with devices running ---------------------------------------------------------------

EXIT_SCRIPT = r"""
import sys, threading, time, miniaudio
from miniaudio import SampleFormat as SF
variant, sample = sys.argv[1], sys.argv[2]
NULL = [miniaudio.Backend.NULL]
count = [0]
inside = threading.Event()

def silence():
    n = yield b""
    while True:
        count[0] += 1
        n = yield bytes(n * 4)

if variant == "running":
    # several kinds at once, none closed: a playback, a capture, a duplex, a GIL-free stream, and a device
    # only reachable through a reference cycle
    p = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10)
    p.start(silence())
    c = miniaudio.CaptureDevice(backends=NULL, buffersize_msec=10)
    def rec():
        while True:
            yield
    c.start(rec())
    d = miniaudio.DuplexStream(backends=NULL, buffersize_msec=10)
    def dup():
        data = yield b""
        while True:
            data = yield bytes(data)
    d.start(dup())
    s = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10)
    s.start(miniaudio.stream_file(sample))
    def make_cycle():
        dev = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10)
        def gen():
            n = yield b""
            while True:
                dev.stats
                n = yield bytes(n * 4)
        dev.start(gen())
    make_cycle()
    while count[0] < 3 or p.stats.callbacks < 3:
        time.sleep(0.001)
elif variant == "mid_callback":
    p = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=10)
    def slow():
        n = yield b""
        while True:
            inside.set()
            time.sleep(0.05)
            t = time.perf_counter()
            while time.perf_counter() - t < 0.01:
                pass
            n = yield bytes(n * 4)
    p.start(slow())
    inside.wait(10)
elif variant == "on_finished":
    # the run ends by itself right about when the interpreter exits
    def on_finished(dev):
        sys.stdout.write("FINISHED\n")
    p = miniaudio.PlaybackDevice(backends=NULL, buffersize_msec=5, on_finished=on_finished)
    p.stop_callback = lambda: None
    def short():
        n = yield b""
        for i in range(3):
            count[0] += 1
            n = yield bytes(n * 4)
    p.start(short())
    while count[0] < 2:
        time.sleep(0.0005)
print("EXITING", flush=True)
"""


@pytest.mark.parametrize("variant", ["running", "mid_callback", "on_finished"])
def test_interpreter_exit_with_devices_running(sample_path, variant):
    procs = []
    env = dict(os.environ)
    env["PYTHONPATH"] = PKG_PARENT + os.pathsep + env.get("PYTHONPATH", "")
    args = [sys.executable, "-c", EXIT_SCRIPT, variant, sample_path("tone_s16.wav")]
    outcomes = []
    pending = list(range(20))
    while pending or procs:
        while pending and len(procs) < 4:
            pending.pop()
            procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                          env=env))
        p = procs.pop(0)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            for q in procs:
                q.kill()
                q.communicate()
            pytest.fail("exit hung with a %s device; stderr=%r" % (variant, err))
        outcomes.append((p.returncode, out, err))
    for code, out, err in outcomes:
        assert code == 0, (code, err)
        assert "EXITING" in out
        assert_clean_stderr(err)
