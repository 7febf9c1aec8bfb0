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


# ---- callbacks: start(callback=fn) -----------------------------------------------------------------

class CountingCallback:
    """A playback callback that counts its calls, spends `work` seconds in each (the GIL held: a
    pure-Python busy loop) and can run `action` (on the audio thread) at call number `at`."""

    def __init__(self, work=0.0, action=None, at=None):
        self.calls = 0
        self.work = work
        self.action = action
        self.at = at
        self.raised = []
        self.inside = threading.Event()

    def __call__(self, outdata, frames, time_info, status):
        self.calls += 1
        self.inside.set()
        end = time.perf_counter() + self.work
        while time.perf_counter() < end:
            pass
        outdata[:] = 0
        if self.action is not None and self.calls == self.at:
            try:
                self.action()
            except BaseException as exc:  # noqa: B902 - recorded for the test
                self.raised.append(exc)
                raise


@pytest.mark.parametrize("action", ["stop", "close"])
def test_stop_or_close_from_another_thread_while_the_callback_runs(action):
    """20 runs of a callback that holds the GIL for 3 ms of each 10 ms period; another thread stops
    (closes) the device while it is inside the callback: the call returns promptly, the callback is
    never called again after it returns, no error is raised or left pending."""
    for i in range(20):
        cb = CountingCallback(work=0.003)
        dev = playback()
        dev.start(callback=cb)

        def other():
            assert wait_until(lambda: cb.calls >= 2 + i % 3)
            took = timed(getattr(dev, action))
            return took, cb.calls

        ((kind, ((outcome, took), calls_at_return)),) = run_threads(other)
        assert kind == "ok" and outcome == ("ok", None), (kind, outcome)
        assert took < PROMPT, took
        time.sleep(0.03)
        assert cb.calls == calls_at_return  # nothing after stop()/close() returned
        assert not dev.running and dev.callback_error is None
        dev.close()


INSIDE_MESSAGES = {
    "stop": "stop() called from the device's own callback generator: it would wait for itself",
    "close": "close() called from the device's own callback generator: it would wait for itself",
    "wait": "wait() called from the device's own callback generator would wait forever",
    "start": "start() called from the device's own callback generator",
    "write": "write() called from the device's own callback would wait for itself",
}


@pytest.mark.parametrize("method", sorted(INSIDE_MESSAGES))
def test_device_methods_called_from_inside_the_callback_raise_runtime_error(unraisable, method):
    """stop()/close()/wait()/start()/write() from the device's own callback would wait for the audio
    thread itself: each raises RuntimeError inside the callback (never a deadlock); that error ends
    the run (the callback is not called again), is reported, and wait() raises it, once."""
    dev = playback()
    args = {"write": (np.zeros((48, 2), np.int16),)}.get(method, ())
    cb = CountingCallback(action=lambda: getattr(dev, method)(*args), at=3)
    dev.start(callback=cb)
    with pytest.raises(RuntimeError) as info:
        dev.wait(timeout=5)
    assert len(cb.raised) == 1 and info.value is cb.raised[0]
    assert str(info.value).startswith(INSIDE_MESSAGES[method]), str(info.value)
    time.sleep(0.03)
    assert cb.calls == 3 and not dev.running
    dev.close()  # raised once already: nothing left to raise
    assert [e for e, _ in unraisable] == [info.value]


@pytest.mark.parametrize("exc", [miniaudio.CallbackStop, miniaudio.CallbackAbort])
def test_callback_stop_or_abort_racing_with_stop_from_another_thread(unraisable, exc):
    """30 runs: the callback raises CallbackStop (CallbackAbort) at its 3rd call while another thread
    calls stop() a few milliseconds before or after: stop() returns quietly (neither is an error),
    wait() returns True, on_finished runs at most once per run, and the device starts again."""
    finished = []
    dev = playback(on_finished=finished.append)
    try:
        for i in range(30):
            calls = [0]

            def cb(outdata, frames, time_info, status):
                calls[0] += 1
                outdata[:] = 0
                if calls[0] == 3:
                    raise exc

            before = len(finished)
            dev.start(callback=cb)

            def stopper():
                assert wait_until(lambda: calls[0] >= 2)
                time.sleep((i % 6) * 0.003)
                dev.stop()

            (s,) = run_threads(stopper)
            assert s == ("ok", None), s
            assert dev.wait(timeout=5) is True
            assert not dev.running and dev.callback_error is None
            assert calls[0] <= 3
            time.sleep(0.02)
            assert len(finished) - before in (0, 1)
        dev.start(callback=lambda o, f, t, s: o.fill(0))
        assert wait_until(lambda: dev.stats.callbacks > 0)
        dev.stop()
    finally:
        dev.close()
    assert unraisable == []


# ---- prefetch: start(gen, prefetch_msec=...) ---------------------------------------------------------

def feeder_threads():
    return [t for t in threading.enumerate() if t.name == "miniaudio-prefetch" and t.is_alive()]


class Gen:
    """A playback generator that records each request; `block` (an Event) makes its `block_at`-th
    step wait for that event (a generator blocked on a queue, a lock, the network)."""

    def __init__(self, block=None, block_at=None):
        self.asks = 0
        self.block, self.block_at = block, block_at
        self.blocked = threading.Event()
        self.left = threading.Event()

    def gen(self):
        n = yield b""
        while True:
            self.asks += 1
            if self.block is not None and self.asks == self.block_at:
                self.blocked.set()
                self.block.wait()
            n = yield bytes(n * 4)


@pytest.mark.parametrize("action", ["stop", "close", "restart"])
def test_stop_close_restart_racing_the_feeder(action):
    """15 prefetch runs, each stopped (closed, or stopped and started again with a new generator) by
    another thread after a varying delay: the call returns promptly, the old generator is never sent
    again after stop() returned, no feeder thread is left, and no error appears."""
    assert feeder_threads() == []
    dev = playback()
    try:
        for i in range(15):
            if dev.closed:
                dev = playback()
            g = Gen()
            dev.start(g.gen(), prefetch_msec=30 + 10 * (i % 3))

            def other():
                time.sleep((i % 5) * 0.004)
                took = timed(lambda: dev.stop() if action != "close" else dev.close())
                asks = g.asks
                if action == "restart":
                    dev.start(Gen().gen(), prefetch_msec=20)
                return took, asks

            ((kind, value),) = run_threads(other)
            assert kind == "ok", value
            (outcome, took), asks = value
            assert outcome == ("ok", None) and took < PROMPT, (outcome, took)
            time.sleep(0.03)
            assert g.asks == asks, "the generator was sent after stop() returned"
            if action == "restart":
                assert dev.running and len(feeder_threads()) == 1
                dev.stop()
            assert feeder_threads() == []
            assert dev.closed or dev.callback_error is None
    finally:
        dev.close()
    assert feeder_threads() == []


def test_a_blocked_generator_holds_stop_until_it_returns_then_is_never_sent_again():
    """The generator blocks in its 3rd step (as on an empty queue).  The device goes on playing what
    the ring holds, then silence (underflow), without the GIL.  stop() from one thread and close()
    from another, both while it blocks: both return once the generator has left (the documented
    contract: 'stop() and close() return once the thread has left the generator'), not before and
    not much after, and it is never sent again."""
    release = threading.Event()
    g = Gen(block=release, block_at=3)
    dev = playback()
    dev.start(g.gen(), prefetch_msec=30)
    assert g.blocked.wait(5)
    frames = dev.stats.frames
    assert wait_until(lambda: dev.stats.frames > frames + 4800)  # the audio thread goes on meanwhile
    released_at = []

    def releaser():
        time.sleep(0.5)
        released_at.append(time.monotonic())
        release.set()

    def stopper():
        dev.stop()
        return time.monotonic()

    def closer():
        time.sleep(0.05)
        dev.close()
        return time.monotonic()

    (r, s, c) = run_threads(releaser, stopper, closer)
    assert r[0] == s[0] == c[0] == "ok", (r, s, c)
    assert released_at[0] <= s[1] < released_at[0] + PROMPT, (s[1] - released_at[0])
    assert released_at[0] <= c[1] < released_at[0] + PROMPT, (c[1] - released_at[0])
    assert g.asks == 3 and dev.closed and feeder_threads() == []


def test_the_generator_stops_its_own_device_while_another_thread_stops_it_too():
    """The generator (on the feeder thread) calls stop() -- documented as allowed -- while the main
    thread calls stop() at about the same time: both return, no deadlock, no error."""
    dev = playback()
    try:
        for i in range(10):
            stopped = []

            def gen():
                n = yield b""
                k = 0
                while True:
                    k += 1
                    if k == 3:
                        stopped.append(timed(dev.stop))
                    n = yield bytes(n * 4)

            dev.start(gen(), prefetch_msec=20)
            (s,) = run_threads(lambda: (time.sleep((i % 4) * 0.003), dev.stop()))
            assert s[0] == "ok", s
            assert wait_until(lambda: feeder_threads() == [])
            assert not dev.running and dev.callback_error is None
            assert all(o == ("ok", None) for o, _ in stopped), stopped
    finally:
        dev.close()


# ---- Playlist: appends from several threads ------------------------------------------------------------

PL_FMT = dict(output_format=SF.SIGNED32, nchannels=1, sample_rate=8000)
APPENDERS, PER_THREAD = 4, 60


def ramp(start, n):
    """A raw PCM stream of n mono s32 frames holding start, start + 1, ..."""
    return miniaudio.stream_raw_pcm_memory(array.array("i", range(start, start + n)), 1, 4)


def member_plan(t):
    """Thread t's members: (first value, length); values are unique across threads."""
    return [(t * 10 ** 7 + k * 10 ** 4, 20 + (7 * k + 13 * t) % 70) for k in range(PER_THREAD)]


def appenders(playlist, made, barrier):
    def appender(t):
        def run():
            barrier.wait()
            for k, (start, n) in enumerate(member_plan(t)):
                m = ramp(start, n)
                made[(start, n)] = m
                playlist.append(m)
                if k % 7 == t:
                    time.sleep(0.0005)
        return run
    return [appender(t) for t in range(APPENDERS)]


def check_per_thread_order(first_values):
    """first_values: the members' first values in the order they were played; each thread's members
    appear once each and in the order that thread appended them."""
    assert len(first_values) == len(set(first_values)) == APPENDERS * PER_THREAD
    for t in range(APPENDERS):
        mine = [v for v in first_values if v // 10 ** 7 == t]
        assert mine == [s for s, _ in member_plan(t)], "thread %d's members out of order" % t


def test_appends_from_four_threads_while_a_reader_pulls_are_each_heard_once_in_order():
    """Four threads append 60 members each (frame-counter ramps, unique values) while this thread
    reads with next(): the output is the members' frames, each member whole and contiguous, every
    member once, each thread's in its own order."""
    playlist = miniaudio.Playlist(**PL_FMT, frames_to_read=97)
    made, barrier = {}, threading.Barrier(APPENDERS)
    out = []
    done = threading.Event()

    def closer():
        for t in workers:
            t.join(JOIN)
        playlist.close_input()
        done.set()

    fns = appenders(playlist, made, barrier)
    workers = [threading.Thread(target=fn, daemon=True) for fn in fns]
    for t in workers:
        t.start()
    closing = threading.Thread(target=closer, daemon=True)
    closing.start()
    deadline = time.monotonic() + JOIN
    for piece in playlist:
        out.extend(piece)
        assert time.monotonic() < deadline, "the reader never saw the end"
    closing.join(JOIN)
    assert done.is_set()
    x = np.array(out, dtype=np.int64)
    assert x.size == sum(n for t in range(APPENDERS) for _, n in member_plan(t))
    starts = np.nonzero(np.diff(x, prepend=x[0] - 2) != 1)[0]  # where a member begins
    firsts = x[starts].tolist()
    lengths = np.diff(np.append(starts, x.size)).tolist()
    check_per_thread_order(firsts)
    assert all(made[(f, n)] is not None for f, n in zip(firsts, lengths))  # each member whole
    assert playlist.ended_count == APPENDERS * PER_THREAD
    playlist.close()


def test_appends_from_four_threads_while_a_device_plays_are_each_played_once_in_order():
    """The same on a NULL device: on_source_end tells every member once, each thread's members in its
    own order, and each member was played to its end."""
    told = []
    playlist = miniaudio.Playlist(**PL_FMT, on_source_end=lambda i, s: told.append((i, s)))
    made, barrier = {}, threading.Barrier(APPENDERS)
    dev = miniaudio.PlaybackDevice(SF.SIGNED32, 1, 8000, backends=NULL, buffersize_msec=10)
    try:
        dev.start(playlist)
        results = run_threads(*appenders(playlist, made, barrier))
        assert all(r == ("ok", None) for r in results), results
        playlist.close_input()
        assert dev.wait(timeout=JOIN) is True
        assert dev.callback_error is None
    finally:
        dev.close()
    assert [i for i, _ in told] == list(range(APPENDERS * PER_THREAD))
    by_id = {id(m): key for key, m in made.items()}
    firsts = [by_id[id(s)][0] for _, s in told]
    check_per_thread_order(firsts)
    assert all(m.position == n for (start, n), m in made.items())  # every member played to its end
    playlist.close()


def test_close_input_and_close_while_threads_append():
    """Threads append in a loop while close_input() and then close() are called: each append either
    succeeds or raises ValueError naming the reason; no crash; close() gives every member back
    (readable by Python again)."""
    for closing in ("close_input", "close"):
        playlist = miniaudio.Playlist(**PL_FMT)
        made = []
        errors = []
        stop = threading.Event()

        def appender():
            k = 0
            while True:
                if k % 20 == 19:
                    time.sleep(0.001)
                if k >= 1000:  # enough: wait for the close, then one more append (refused)
                    stop.wait(JOIN)
                m = ramp(k * 100, 50)
                try:
                    playlist.append(m)
                    made.append(m)
                except ValueError as exc:
                    errors.append(str(exc))
                    return
                k += 1

        def reader():
            try:
                while not stop.is_set():
                    next(playlist)
                    time.sleep(0.0001)  # let the closer in now and then
            except (StopIteration, ValueError):
                return

        def closer():
            time.sleep(0.1)
            if closing == "close_input":
                playlist.close_input()
            busy = 0
            try:
                while True:  # a stream is used by one thread at a time: the reader's next() may hold it
                    try:
                        playlist.close()
                        break
                    except RuntimeError as exc:
                        assert str(exc) == "cannot close a stream while another thread decodes from it"
                        busy += 1
                        assert busy < 5000
                        time.sleep(0.0005)
            finally:
                stop.set()

        results = run_threads(appender, appender, reader, closer)
        assert all(r[0] == "ok" for r in results), results
        assert len(errors) == 2
        assert set(errors) <= {"append() after close_input(): the playlist takes no more sources",
                               "append() on a closed playlist"}, errors
        assert made
        for m in made:  # given back: Python can read each one again
            m.seek(0)
            assert np.array_equal(np.frombuffer(bytes(m.send(50)), np.int32)[:1], [m_start(m)])


def m_start(m):
    m.seek(0)
    first = np.frombuffer(bytes(m.send(1)), np.int32)[0]
    m.seek(0)
    return first


# ---- the drop-in modules ---------------------------------------------------------------------------

@pytest.fixture
def null_default():
    miniaudio.default.reset()
    miniaudio.default.backends = ["null"]
    yield miniaudio.default
    miniaudio.stop()
    miniaudio.default.reset()


def running_devices():
    """The devices still playing (without a garbage collection, which would close unreachable ones)."""
    from miniaudio import _events
    return [d for d in list(_events._live) if d.running]


def test_play_rec_stop_wait_from_four_threads_on_the_implicit_device(null_default):
    """Four threads call play(loop=True) / rec() / stop() / wait() / get_status() at once, 12 times
    each, on the implicit device (sounddevice's semantics: a new call stops the previous one): no
    crash, no deadlock, no exception; after a last stop() nothing plays any more -- no stream of an
    earlier call was left running where stop() cannot reach it -- and wait() returns."""
    assert running_devices() == []
    tone = (0.1 * np.sin(np.arange(4800) / 10)).astype(np.float32)
    barrier = threading.Barrier(4)

    def worker(t):
        def run():
            barrier.wait()
            for k in range(12):
                what = (t + k) % 4
                if what == 0:
                    miniaudio.play(tone, 48000, loop=True)
                elif what == 1:
                    miniaudio.rec(2400, 48000, channels=1)
                elif what == 2:
                    miniaudio.stop()
                else:
                    miniaudio.play(tone, 48000)
                    miniaudio.get_status()
                    miniaudio.wait()
        return run

    results = run_threads(*[worker(t) for t in range(4)], timeout=20)
    assert all(r == ("ok", None) for r in results), results
    miniaudio.stop()
    assert wait_until(lambda: running_devices() == [], 2.0), running_devices()
    t0 = time.monotonic()
    assert miniaudio.wait() is None or True
    assert time.monotonic() - t0 < PROMPT


def test_two_threads_calling_play_at_once_leave_one_stream_playing(null_default):
    """play(loop=True) from two threads at the same moment, 15 times: afterwards one stream plays (the
    last call's), and stop() stops everything -- no stream of the other call is left playing out of
    stop()'s reach until the garbage collector happens to close it."""
    tone = (0.1 * np.sin(np.arange(4800) / 10)).astype(np.float32)
    import gc
    gc.disable()
    try:
        for i in range(15):
            barrier = threading.Barrier(2)

            def player():
                barrier.wait()
                miniaudio.play(tone, 48000, loop=True)

            results = run_threads(player, player)
            assert results == [("ok", None)] * 2, results
            playing = running_devices()
            assert len(playing) == 1 and playing[0] is miniaudio.get_stream()._device, (i, playing)
            miniaudio.stop()
            assert running_devices() == []
    finally:
        gc.enable()


@pytest.mark.parametrize("action", ["abort", "close"])
@pytest.mark.parametrize("kind", ["OutputStream", "Stream", "RawOutputStream"])
def test_sounddevice_stream_write_against_abort_or_close_from_another_thread(null_default, kind, action):
    """miniaudio.sounddevice: a write() of 2 s blocked in one thread, abort()/close() in another: the
    write ends promptly with PortAudioError (sounddevice's type, code -9983 'Stream is stopped'),
    never a hang, and the stream's state is what the call says."""
    import miniaudio.sounddevice as sd
    stream = getattr(sd, kind)(samplerate=RATE, channels=2, dtype="int16", blocksize=480)
    stream.start()
    data = np.zeros((2 * RATE, 2), np.int16)
    if kind.startswith("Raw"):
        data = data.tobytes()

    def writer():
        return timed(lambda: stream.write(data))

    def other():
        assert wait_until(lambda: stream.write_available < 480 and stream.active)
        getattr(stream, action)()

    (w, o) = run_threads(writer, other)
    assert o == ("ok", None), o
    (kind_, exc), took = w[1]
    assert kind_ == "raised" and type(exc) is sd.PortAudioError, exc
    assert exc.args[1] == -9983 and str(exc).startswith("Stream is stopped: the device stopped during write()")
    assert took < 2.0, took
    assert stream.stopped and (stream.closed if action == "close" else not stream.closed)
    stream.close()


@pytest.mark.parametrize("action", ["abort", "stop", "close"])
def test_sounddevice_input_stream_read_against_abort_stop_close(null_default, action):
    import miniaudio.sounddevice as sd
    stream = sd.InputStream(samplerate=RATE, channels=2, dtype="int16", blocksize=480)
    stream.start()

    def reader():
        return timed(lambda: stream.read(2 * RATE))

    def other():
        assert wait_until(lambda: stream.active and stream.read_available > 0)
        time.sleep(0.05)
        getattr(stream, action)()

    (r, o) = run_threads(reader, other)
    assert o == ("ok", None), o
    (kind_, exc), took = r[1]
    assert kind_ == "raised" and type(exc) is sd.PortAudioError, exc
    assert exc.args[1] == -9983 and "the device stopped during read()" in str(exc)
    assert took < 2.0, took
    stream.close()


def test_sounddevice_two_threads_writing_one_stream(null_default):
    """Two threads write() to one OutputStream: while one is inside write(), the other's write() is
    refused with RuntimeError at once; neither hangs; the frames of the one inside are all queued."""
    import miniaudio.sounddevice as sd
    with sd.OutputStream(samplerate=RATE, channels=2, dtype="int16", blocksize=480) as stream:
        inside = threading.Event()
        done = threading.Event()
        refusals = []

        def first():
            inside.set()
            try:
                return stream.write(np.zeros((RATE // 2, 2), np.int16))
            finally:
                done.set()

        def second():
            inside.wait(JOIN)
            assert wait_until(lambda: stream.write_available < 480)
            while not done.is_set():
                try:
                    stream.write(np.ones((48, 2), np.int16))
                    refusals.append("written")
                except RuntimeError as exc:
                    refusals.append(str(exc))
                time.sleep(0.002)

        (f, s) = run_threads(first, second)
        assert f[0] == "ok" and f[1] in (False, True), f
        assert s == ("ok", None), s
    assert refusals and set(refusals[:-1]) == {"write() is already running on this device in another thread"}


@pytest.mark.parametrize("action", ["stop_stream", "close", "terminate"])
def test_pyaudio_read_and_write_against_stop_close_terminate(action):
    """miniaudio.pyaudio: a write() of 1 s and a read() of 2 s, each blocked in a thread, while another
    thread calls stop_stream()/close() on them or terminate() on the PyAudio object: nothing hangs
    or crashes; the write ends (stop_stream()/close() first let what was written play, as
    PortAudio's Pa_StopStream), the read raises OSError, and the streams end up stopped."""
    import miniaudio.pyaudio as pyaudio
    pa = pyaudio.PyAudio(backends=["null"])
    out = pa.open(rate=RATE, channels=2, format=pyaudio.paInt16, output=True, frames_per_buffer=480)
    inp = pa.open(rate=RATE, channels=2, format=pyaudio.paInt16, input=True, frames_per_buffer=480)

    def writer():
        return timed(lambda: out.write(bytes(4 * RATE)))

    def reader():
        return timed(lambda: inp.read(2 * RATE))

    def other():
        assert wait_until(lambda: out.get_write_available() < 480 and inp.get_read_available() > 0)
        time.sleep(0.05)
        if action == "terminate":
            pa.terminate()
        else:
            getattr(inp, action)()
            getattr(out, action)()

    (w, r, o) = run_threads(writer, reader, other, timeout=15)
    assert o == ("ok", None), o
    (wk, wv), wtook = w[1]
    (rk, rv), rtook = r[1]
    assert wk in ("ok", "raised") and (wk == "ok" or isinstance(wv, OSError)), (wk, wv)
    assert rk == "raised" and isinstance(rv, OSError), (rk, rv)
    assert rv.args[0] == pyaudio.paStreamIsStopped and "Stream is stopped" in rv.args[1], rv.args  # as PortAudio
    assert wtook < 5 and rtook < 5, (wtook, rtook)
    if action == "stop_stream":
        assert out.is_stopped() and inp.is_stopped()
    else:  # closed (by close() or terminate()): PyAudio's "Stream not open"
        with pytest.raises(OSError, match="Stream not open"):
            out.is_active()
    if action != "terminate":
        pa.terminate()


def test_a_looping_chain_stopped_from_another_thread_resumes_exactly_where_it_stopped():
    """chain(..., loop=True) of three ramps (1,103 frames a pass) played by a NULL device at 8 kHz;
    another thread stop()s it at varying moments, often across a wrap: stop() is prompt, and then
    Python reads on from the chain exactly at the frame after the last one played (its position
    modulo the pass), across the wrap too: no frame lost or repeated by the audio thread's loop."""
    sizes = [500, 3, 600]
    total = sum(sizes)
    members, start = [], 0
    for n in sizes:
        members.append(miniaudio.stream_raw_pcm_memory(array.array("i", range(start, start + n)), 1, 4))
        start += n
    c = miniaudio.chain(*members, output_format=SF.SIGNED32, sample_rate=8000, frames_to_read=250, loop=True)
    dev = miniaudio.PlaybackDevice(SF.SIGNED32, 1, 8000, backends=NULL, buffersize_msec=10)
    try:
        for i in range(10):
            dev.start(c)

            def stopper():
                at = c.loops_done + 1
                assert wait_until(lambda: dev.stats.frames > 0)
                time.sleep(0.02 + (i % 5) * 0.013)
                dev.stop()
                return at

            (s,) = run_threads(stopper)
            assert s[0] == "ok", s
            pos = c.position
            got = np.frombuffer(bytes(c.send(2 * total)), np.int32)  # Python may read it again
            expected = (np.arange(pos, pos + 2 * total) % total).astype(np.int32)
            assert np.array_equal(got, expected), (i, pos, got[:5], expected[:5])
    finally:
        dev.close()
    c.close()


def test_a_second_writer_never_gets_frames_into_the_first_writers_on_a_real_server(pulse_server):
    """On the PulseAudio null sink: one thread write()s 1.5 s of a frame-counter signal in one call
    while a second thread keeps trying to write a marker (-20000, never in the counter) into the same
    device; the monitor, read back meanwhile, holds every counter frame once and in order and not
    one marker frame."""
    import test_devices_pulse as tdp

    total = 3 * tdp.RATE // 2
    pcm = tdp.counter_pcm(total)
    marker = np.full((96, 2), -20000, np.int16)
    refused, written = [], []
    with tdp.open_playback(fmt=SF.SIGNED16, buffersize_msec=10) as play, \
            tdp.open_capture(fmt=SF.SIGNED16, buffersize_msec=50) as rec:
        got = [rec.read(tdp.RATE // 10)]
        inside, done = threading.Event(), threading.Event()

        def first():
            inside.set()
            try:
                play.write(pcm)
                play.drain(timeout=tdp.DEADLINE)
            finally:
                done.set()

        def second():
            inside.wait(JOIN)
            assert wait_until(lambda: play.running)
            t_end = time.monotonic() + 1.0  # well inside the 1.5 s write()
            while time.monotonic() < t_end and not done.is_set():
                try:
                    play.write(marker)
                    written.append(1)
                except RuntimeError as exc:
                    refused.append(str(exc))
                time.sleep(0.003)

        threads = [threading.Thread(target=f, daemon=True) for f in (first, second)]
        for t in threads:
            t.start()
        while not done.is_set():
            got.append(rec.read(tdp.RATE // 50, timeout=tdp.DEADLINE))
        got.append(rec.read(tdp.RATE // 4, timeout=tdp.DEADLINE))
        for t in threads:
            t.join(JOIN)
            assert not t.is_alive()
    x = np.concatenate(got)
    assert written == [] and len(refused) > 50, (len(written), len(refused))
    assert set(refused) == {"write() is already running on this device in another thread"}
    assert not np.any(x[:, 0] == -20000), "marker frames reached the server"
    tdp.assert_every_frame_once_in_order(x, total)


def test_wait_from_three_threads_at_once_returns_in_each(null_default):
    """play() of 0.3 s, then wait() from three threads at once (each closes the stream when done):
    each returns (None: no underflow on NULL) once playback ended, none raises, none hangs."""
    tone = (0.1 * np.sin(np.arange(RATE * 3 // 10) / 10)).astype(np.float32)
    miniaudio.play(tone, RATE)
    t0 = time.monotonic()
    results = run_threads(*[lambda: (miniaudio.wait(), time.monotonic() - t0)] * 3)
    assert all(kind == "ok" for kind, _ in results), results
    for _, (flags, took) in results:
        assert flags is None and 0.2 < took < 3.0, (flags, took)
    assert running_devices() == []


def test_duplex_writer_and_reader_threads_closed_by_a_third():
    """A DuplexStream used the usual way (one thread write()s, another read()s) while a third closes
    it: both calls end promptly with MiniaudioError (stopped during write()/read()), nothing hangs."""
    for i in range(5):
        dev = miniaudio.DuplexStream(SF.SIGNED16, 2, SF.SIGNED16, 2, RATE, backends=NULL, buffersize_msec=10,
                                     ring_msec=50)

        def writer():
            while True:
                dev.write(np.zeros((480, 2), np.int16), timeout=5)

        def reader():
            while True:
                dev.read(480, timeout=5)

        def closer():
            assert wait_until(lambda: dev.running and dev.stats.frames > 4800)
            time.sleep(0.01 * i)
            dev.close()
            return time.monotonic()

        (w, r, c) = run_threads(writer, reader, closer)
        assert c[0] == "ok", c
        for kind, exc in (w, r):
            assert kind == "raised" and isinstance(exc, miniaudio.MiniaudioError), exc
            assert ("stopped during" in str(exc)) or ("closed" in str(exc)), exc


def test_calls_racing_with_close_say_closed():
    """Threads that keep calling write_available / write() while the main thread closes the device:
    once close() has begun, they get "the device is closed" (or a write() ended by the stop), never
    "the device is not open" (which is for a device whose opening failed)."""
    seen = set()
    for i in range(20):
        dev = playback()
        dev.start()
        go = threading.Event()

        def poller():
            go.set()
            while True:
                try:
                    dev.write_available
                    dev.write(np.zeros((48, 2), np.int16), timeout=1)
                except miniaudio.MiniaudioError as exc:
                    seen.add(str(exc).split(":")[0])
                    if dev.closed:
                        return

        t = threading.Thread(target=poller, daemon=True)
        t.start()
        go.wait(JOIN)
        time.sleep(0.005 * (i % 4))
        dev.close()
        t.join(JOIN)
        assert not t.is_alive()
    assert seen <= {"the device is closed", "cannot start a closed device", "the device stopped during write()"}, seen
