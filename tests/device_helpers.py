"""Helpers shared by the device test files (tests/test_devices_*.py): constants, a playback generator
that records what it is asked for (Feeder), an on_finished recorder (Finished), chunk makers, the
stats accounting check, and a subprocess runner for tests whose failure mode is a hang.

Their fixtures (`devices`, `unraisable`) are in conftest.py."""

import array
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

import helpers

NULL = [miniaudio.Backend.NULL]
WIDTH, TYPECODE, DTYPE = helpers.WIDTH, helpers.TYPECODE, helpers.NP_DTYPE
STATS_FIELDS = ("callbacks", "frames", "late_callbacks", "padded_callbacks", "max_callback_seconds",
                "callback_seconds", "underflows", "overflows", "dropped_frames")
DEVICE_KEYS = {"name", "type", "id", "formats", "is_default"}
FORMAT_KEYS = {"format", "samplerate", "channels"}
DEADLINE = 5.0
# the miniaudio package directory the tests import, handed to subprocesses so they import the same build
PKG_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(miniaudio.__file__)))


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
