"""Device life cycle on the NULL backend: start / stop / close misuse, calls from the audio thread and
the event thread (in a subprocess: a regression would deadlock), and interpreter exit with devices
running.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import gc
import json
import os
import subprocess
import sys
import time
import weakref

import pytest

import miniaudio

from device_helpers import (
    DEADLINE, PKG_PARENT, wait_until, n_threads, baseline_threads, Feeder, run_python,
    assert_clean_stderr, NULL,
)


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
