"""Devices under stress on the NULL backend: close while the callback runs, many devices, and leak
loops.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import gc
import queue
import threading
import time
import tracemalloc


import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import NULL, DEADLINE, wait_until, n_threads, baseline_threads, n_fds, rss_bytes, Feeder


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
