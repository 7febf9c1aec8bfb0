"""Threads against the device APIs: push I/O (write/read/drain), callbacks, prefetch, playlists and
the drop-in modules (top-level play()/rec(), miniaudio.sounddevice, miniaudio.pyaudio), each used from
several threads at once.

What is hunted: crashes, deadlocks, frames lost or duplicated, and the wrong exception.  Every test
runs on the NULL backend (one on the PulseAudio null sink, where what is heard must be checked), ends
in a few seconds, and has a watchdog: thread joins with a timeout fail the test, and faulthandler
dumps every thread's stack and ends the run if a call never returns (so CI fails instead of hanging).
"""

import array
import faulthandler
import threading
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

NULL = ["null"]
RATE = 48000
JOIN = 10.0       # seconds a thread may take before the test fails as a deadlock
WATCHDOG = 60.0   # seconds before faulthandler dumps the stacks and ends the process
PROMPT = 1.5      # seconds within which a blocked call must notice a stop()/close() (its wait slice is 50 ms)


@pytest.fixture(autouse=True)
def watchdog():
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def run_threads(*targets, timeout=JOIN):
    """Starts one thread per target, joins them all (failing on a thread still alive after
    `timeout`), and returns what each returned or the exception it raised."""
    results = [None] * len(targets)

    def wrap(i, fn):
        try:
            results[i] = ("ok", fn())
        except BaseException as exc:  # noqa: B902 - reported to the test
            results[i] = ("raised", exc)

    threads = [threading.Thread(target=wrap, args=(i, fn), daemon=True) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    assert not alive, "deadlock: threads %s did not finish in %s s" % (alive, timeout)
    return results


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return predicate()


def playback(**kw):
    kw.setdefault("buffersize_msec", 10)
    kw.setdefault("ring_msec", 100)
    return miniaudio.PlaybackDevice(SF.SIGNED16, 2, RATE, backends=NULL, **kw)


def capture(**kw):
    kw.setdefault("buffersize_msec", 10)
    kw.setdefault("ring_msec", 100)
    return miniaudio.CaptureDevice(SF.SIGNED16, 2, RATE, backends=NULL, **kw)


def timed(fn):
    """fn() -> (outcome, seconds) where outcome is ("ok", value) or ("raised", exception)."""
    t0 = time.monotonic()
    try:
        out = ("ok", fn())
    except BaseException as exc:  # noqa: B902
        out = ("raised", exc)
    return out, time.monotonic() - t0


def blocked_in_write(dev):
    """The ring is full and the device plays: a write() of more than the ring waits."""
    return dev.running and dev.write_available < 480 and dev.stats.frames > 0


# ---- push I/O: write() ------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["stop", "close"])
def test_a_blocked_write_ends_promptly_when_another_thread_stops_or_closes(action):
    """write() of 2 s through a 100 ms ring, timeout 10 s: stop()/close() from another thread ends it
    within a wait slice with MiniaudioError saying how much was queued, never TimeoutError, never a
    hang; afterwards the device is usable (stop) or refuses with the closed-device error (close)."""
    dev = playback()
    data = np.zeros((2 * RATE, 2), np.int16)
    ring = dev.write_available

    def writer():
        return timed(lambda: dev.write(data, timeout=10))

    def other():
        assert wait_until(lambda: blocked_in_write(dev))
        t0 = time.monotonic()
        getattr(dev, action)()
        return t0

    (w, (o_kind, acted_at)) = run_threads(writer, other)
    assert o_kind == "ok", acted_at
    (kind, exc), took = w[1]
    assert kind == "raised" and type(exc) is miniaudio.MiniaudioError, (kind, exc)
    msg = str(exc)
    assert msg.startswith("the device stopped during write(): ") and msg.endswith(" frames were queued, the rest not")
    queued = int(msg.split(": ")[1].split()[0])
    assert ring <= queued < 2 * RATE, (queued, ring)
    if action == "stop":
        assert not dev.running and dev.write_available == ring  # stop() dropped the queue
        assert dev.write(np.zeros((480, 2), np.int16)) in (False, True)  # and the device plays again
        assert dev.running
        dev.close()
    else:
        assert dev.closed
        with pytest.raises(miniaudio.MiniaudioError, match="closed"):
            dev.write(np.zeros((480, 2), np.int16))


def test_a_write_blocked_with_a_timeout_is_ended_by_close_not_by_the_timeout():
    """A write() waiting with timeout=5 while another thread closes the device returns at the close
    (MiniaudioError), not 5 s later with TimeoutError."""
    dev = playback()
    closer = threading.Timer(0.3, dev.close)
    closer.start()
    (kind, exc), took = timed(lambda: dev.write(np.zeros((5 * RATE, 2), np.int16), timeout=5))
    closer.join(JOIN)
    assert kind == "raised" and type(exc) is miniaudio.MiniaudioError, exc
    assert "stopped during write()" in str(exc)
    assert took < 0.3 + PROMPT, took


def test_stop_and_start_from_another_thread_during_a_write_is_reported():
    """stop() drops what write() queued; if another thread starts the device again at once, the
    waiting write() must still report the stop (MiniaudioError) rather than go on writing the rest
    of its data into the new run and return as if every frame had been queued (the head of the data
    silently lost)."""
    dev = playback()
    outcomes = []
    try:
        for _ in range(5):
            def writer():
                return dev.write(np.zeros((RATE, 2), np.int16), timeout=10)

            def restarter():
                assert wait_until(lambda: blocked_in_write(dev))
                dev.stop()
                dev.start()

            (w, r) = run_threads(writer, restarter)
            assert r[0] == "ok", r
            outcomes.append((w[0], type(w[1]).__name__, str(w[1])[:35]))
            dev.stop()
    finally:
        dev.close()
    assert outcomes == [("raised", "MiniaudioError", "the device stopped during write(): ")] * 5


def test_a_second_writer_is_refused_with_the_documented_error_every_time():
    """While one thread is inside write(), every write() of a second thread raises RuntimeError
    ("already running ... in another thread") at once, and the first write() completes with all its
    frames (returns, no error); then the second thread can write."""
    dev = playback()
    first_done = threading.Event()
    refusals = []

    def first():
        try:
            return dev.write(np.zeros((RATE // 2, 2), np.int16), timeout=10)  # 0.5 s through a 0.1 s ring
        finally:
            first_done.set()

    def second():
        assert wait_until(lambda: blocked_in_write(dev))
        for _ in range(200):
            if first_done.is_set():
                break
            before = time.monotonic()
            try:
                dev.write(np.full((48, 2), 7, np.int16))
                refusals.append("written")
            except RuntimeError as exc:
                refusals.append(str(exc))
            assert time.monotonic() - before < 0.5  # refused at once, not after a wait
            time.sleep(0.001)
        first_done.wait(JOIN)
        return dev.write(np.zeros((48, 2), np.int16))

    with dev:
        (f, s) = run_threads(first, second)
        assert f[0] == "ok" and f[1] in (False, True), f
        assert s[0] == "ok", s
    # a write() that began after the first returned may have been queued; none while it ran
    assert refusals and set(refusals[:-1]) == {"write() is already running on this device in another thread"}, \
        set(refusals)
    assert refusals[-1] in ("written", "write() is already running on this device in another thread")


def test_two_readers_the_second_is_refused_and_the_first_gets_all_its_frames():
    dev = capture()
    first_done = threading.Event()
    refusals = []

    def first():
        try:
            return dev.read(RATE // 2, timeout=10)
        finally:
            first_done.set()

    def second():
        assert wait_until(lambda: dev.running and dev.stats.frames > 0)
        while not first_done.is_set():
            try:
                dev.read(48, timeout=0)
                refusals.append("read")
            except RuntimeError as exc:
                refusals.append(str(exc))
            except TimeoutError:
                refusals.append("timeout")
            time.sleep(0.002)

    with dev:
        (f, s) = run_threads(first, second)
    assert f[0] == "ok" and f[1].shape == (RATE // 2, 2), f
    assert s[0] == "ok", s
    assert refusals and set(refusals[:-1]) == {"read() is already running on this device in another thread"}, \
        set(refusals)


@pytest.mark.parametrize("action", ["stop", "close"])
def test_a_blocked_read_ends_promptly_when_another_thread_stops_or_closes(action):
    dev = capture()

    def reader():
        return timed(lambda: dev.read(5 * RATE, timeout=10))

    def other():
        assert wait_until(lambda: dev.running and dev.stats.frames > 2000)
        time.sleep(0.05)
        getattr(dev, action)()
        return time.monotonic()

    (r, o) = run_threads(reader, other)
    assert o[0] == "ok", o
    (kind, exc), took = r[1]
    assert kind == "raised" and type(exc) is miniaudio.MiniaudioError, exc
    msg = str(exc)
    assert msg.startswith("the device stopped during read(): ") and msg.endswith(" of %d frames were read" % (5 * RATE))
    assert took < 0.2 + PROMPT + 5, took
    if action == "stop":
        assert dev.read(480, timeout=5).shape == (480, 2)  # a later read() starts it again
    dev.close()
    with pytest.raises(miniaudio.MiniaudioError, match="closed"):
        dev.read(480)


def test_stop_and_start_from_another_thread_during_a_read_is_reported():
    """As for write(): a read() that waited across a stop() and a new start() must not return frames
    from two runs spliced together as if nothing happened."""
    dev = capture()
    outcomes = []
    try:
        for _ in range(5):
            def reader():
                return dev.read(RATE, timeout=10)

            def restarter():
                assert wait_until(lambda: dev.running and dev.stats.frames > 4800)
                dev.stop()
                dev.start()

            (r, s) = run_threads(reader, restarter)
            assert s[0] == "ok", s
            outcomes.append((r[0], type(r[1]).__name__, str(r[1])[:34]))
            dev.stop()
    finally:
        dev.close()
    assert outcomes == [("raised", "MiniaudioError", "the device stopped during read(): ")] * 5


def test_writer_against_stop_start_drain_close_hammering():
    """A writer thread writes 10 ms chunks in a loop while another thread stops, starts, drains and
    finally closes the device at random: every write() either returns a bool or raises one of the
    documented exceptions with its documented message; nothing hangs or crashes."""
    import random

    rnd = random.Random(1234)
    dev = playback(ring_msec=30)
    seen = {}
    stop_flag = threading.Event()
    expected = ("the device stopped during write(): ", "write() while drain() waits for the end of the run",
                "cannot start a closed device", "device is closed")

    def writer():
        chunk = np.zeros((480, 2), np.int16)
        while not stop_flag.is_set():
            try:
                r = dev.write(chunk, timeout=2)
                assert r in (True, False)
                seen["ok"] = seen.get("ok", 0) + 1
            except (miniaudio.MiniaudioError, RuntimeError) as exc:
                msg = str(exc)
                assert any(m in msg for m in expected), repr(exc)
                key = type(exc).__name__ + ":" + msg[:30]
                seen[key] = seen.get(key, 0) + 1
                if dev.closed:
                    return

    def hammer():
        t_end = time.monotonic() + 1.5
        while time.monotonic() < t_end:
            what = rnd.choice(["stop", "start", "drain", "sleep"])
            try:
                if what == "stop":
                    dev.stop()
                elif what == "start":
                    dev.start()
                elif what == "drain":
                    assert dev.drain(timeout=2) in (True, False)
                else:
                    time.sleep(0.01)
            except miniaudio.MiniaudioError as exc:
                assert "already started" in str(exc), exc
        dev.close()
        stop_flag.set()

    (w, h) = run_threads(writer, hammer)
    assert h[0] == "ok", h
    assert w[0] == "ok", w
    assert seen.get("ok", 0) > 10, seen
