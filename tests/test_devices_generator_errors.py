"""Playback generators that misbehave (wrong chunks, exceptions, bad on_finished): each is a generator
error reported through the unraisable hook and kept on the device; other devices run on.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import array
import gc
import threading
import time
import weakref

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import (
    WIDTH, DEADLINE, wait_until, n_threads, baseline_threads, Feeder, Finished, run_python, NULL,
)


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
