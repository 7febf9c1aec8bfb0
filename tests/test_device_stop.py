"""stop() and restart of a running device: what stop() guarantees when it returns, restart, long
stop/start loops, and interpreter exit while a device runs or was just stopped.

stop() of a device running a Python generator used to wait for the audio thread's next callback
to retire the Python thread state it runs the generator with (up to two periods); it is now retired
in miniaudio's "stopped" notification, which ma_device_stop waits for (callback.c).  Timing is
measured by benchmarks/bench_stop.py; the only bound here is a very generous one (a 2 s period on
PulseAudio must not make stop() wait for the next period).
"""

import array
import gc
import os
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc

import pytest

import helpers
from helpers import os_threads, rss_bytes, thread_states
import miniaudio
from miniaudio import Backend, SampleFormat as SF

NULL = [Backend.NULL]
PULSE = [Backend.PULSEAUDIO]
RATE = 48000
CHANNELS = 2
FRAME_BYTES = 2 * CHANNELS
DEADLINE = 30.0



def counting_silence(calls):
    """A generator function playing silence that counts its periods in calls[0]."""
    def gen():
        frames = yield b""
        while True:
            calls[0] += 1
            frames = yield b"\0" * (frames * FRAME_BYTES)
    return gen


class Recorder:
    """A playback generator factory that records every call and whether it came after stop()."""

    def __init__(self):
        self.calls = 0
        self.stopped = False
        self.after_stop = 0
        self.threads = set()

    def generator(self):
        frames = yield b""
        while True:
            self.calls += 1
            self.threads.add(threading.get_ident())
            if self.stopped:
                self.after_stop += 1
            frames = yield b"\0" * (frames * FRAME_BYTES)


def _play_and_stop(dev, rec, callbacks=3):
    rec.stopped = False
    before = rec.calls
    dev.start(rec.generator())
    assert helpers.wait_until(lambda: rec.calls >= before + callbacks, timeout=DEADLINE), "no callbacks"
    dev.stop()
    rec.stopped = True


def _check_quiet_after_stop(dev, rec, periods):
    """After stop() returned: no call of the generator for `periods` periods, and the audio thread's
    Python thread state is gone already."""
    calls = rec.calls
    time.sleep(periods * dev.buffersize_msec / 1000.0)
    assert rec.calls == calls and rec.after_stop == 0
    assert not dev.running and dev.callback_generator is None


@pytest.mark.parametrize("buffersize_msec", [10, 50])
def test_no_python_callback_after_stop_null(buffersize_msec):
    rec = Recorder()
    with miniaudio.PlaybackDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=buffersize_msec,
                                  backends=NULL) as dev:
        _play_and_stop(dev, rec)  # the first start() also starts the package's event thread
        for _ in range(3):
            base = thread_states()
            rec.stopped = False
            before = rec.calls
            dev.start(rec.generator())
            assert helpers.wait_until(lambda: rec.calls >= before + 3, timeout=DEADLINE)
            assert thread_states() == base + 1  # the audio thread's, while it plays
            dev.stop()
            assert thread_states() == base  # retired before stop() returned
            rec.stopped = True
            _check_quiet_after_stop(dev, rec, 4)


@pytest.mark.parametrize("kind", ["capture", "duplex"])
def test_capture_and_duplex_stop_retire_the_thread_state(kind):
    calls = [0]
    stopped = [False]
    late = [0]

    def gen():
        data = yield b""
        while True:
            calls[0] += 1
            if stopped[0]:
                late[0] += 1
            data = yield (bytes(len(data)) if kind == "duplex" else None)

    cls = miniaudio.CaptureDevice if kind == "capture" else miniaudio.DuplexStream
    with cls(sample_rate=RATE, buffersize_msec=10, backends=NULL) as dev:
        for i in range(4):
            base = thread_states()
            stopped[0] = False
            before = calls[0]
            g = gen()
            next(g)
            dev.start(g)
            assert helpers.wait_until(lambda: calls[0] >= before + 3, timeout=DEADLINE)
            dev.stop()
            if i > 0:  # the first start() also starts the package's event thread
                assert thread_states() == base
            stopped[0] = True
            n = calls[0]
            time.sleep(0.05)
            assert calls[0] == n and late[0] == 0


def test_restart_plays_again_null():
    rec = Recorder()
    with miniaudio.PlaybackDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=10, backends=NULL) as dev:
        _play_and_stop(dev, rec)
        first = rec.calls
        rec.stopped = False
        _play_and_stop(dev, rec)  # a new generator
        assert rec.calls >= first + 3
        # The package's own stream (pulled in C), then a generator again, on the same device.
        stream = miniaudio.stream_raw_pcm_memory(b"\0" * (RATE * FRAME_BYTES), CHANNELS, 2)
        frames0 = dev.stats.frames
        dev.start(stream)
        assert helpers.wait_until(lambda: dev.stats.frames > frames0 + 3 * 480, timeout=DEADLINE)
        dev.stop()
        rec.stopped = False
        _play_and_stop(dev, rec)
        assert rec.after_stop == 0


def test_stop_start_loop_stays_flat_null():
    """1,000 stop/start cycles of a Python generator (each one called back at least once, so each
    creates and retires the audio thread's thread state): memory, OS threads and Python thread
    states stay flat."""
    n = int(os.environ.get("MINIAUDIO_STOP_CYCLES", "1000"))
    calls = [0]
    gen = counting_silence(calls)

    with miniaudio.PlaybackDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=1, backends=NULL) as dev:
        def cycle():
            before = calls[0]
            g = gen()
            next(g)
            dev.start(g)
            assert helpers.wait_until(lambda: calls[0] > before, timeout=DEADLINE, interval=0.0005)
            dev.stop()

        for _ in range(50):  # warm-up
            cycle()
        gc.collect()
        tstates, threads = thread_states(), os_threads()
        tracemalloc.start()
        snap0 = tracemalloc.get_traced_memory()[0]
        rss0 = rss_bytes()
        for _ in range(n):
            cycle()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - snap0
        tracemalloc.stop()
        rss_grown = rss_bytes() - rss0
        assert thread_states() == tstates
        assert os_threads() == threads
        assert grown < 100 * 1024, "traced memory grew by %d bytes over %d cycles" % (grown, n)
        if os.environ.get("MINIAUDIO_UNDER_VALGRIND") != "1":
            assert rss_grown < 2 * 1024 * 1024, "RSS grew by %d bytes over %d cycles" % (rss_grown, n)


# ---- interpreter exit --------------------------------------------------------------------------

EXIT_SCRIPT = textwrap.dedent("""
    import sys, time
    import miniaudio
    backend = {"null": miniaudio.Backend.NULL, "pulse": miniaudio.Backend.PULSEAUDIO}[sys.argv[1]]
    how = sys.argv[2]
    calls = [0]
    def gen():
        frames = yield b""
        while True:
            calls[0] += 1
            frames = yield b"\\0" * (frames * 4)
    devs = []
    for buf in (5, 50):
        dev = miniaudio.PlaybackDevice(miniaudio.SampleFormat.SIGNED16, 2, 48000, buffersize_msec=buf,
                                       backends=[backend])
        devs.append(dev)
        g = gen()
        next(g)
        before = calls[0]
        dev.start(g)
        deadline = time.monotonic() + 30
        while calls[0] <= before and time.monotonic() < deadline:
            time.sleep(0.001)
        assert calls[0] > before, "no callback"
        if how in ("stopped", "restarted"):
            dev.stop()
        if how == "restarted":
            g = gen()
            next(g)
            dev.start(g)
            dev.stop()
            g = gen()
            next(g)
            dev.start(g)
    print("exiting", flush=True)
    if how == "sys.exit":
        sys.exit(0)
""")


def _run_exit_script(backend, how, env=None):
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, backend, how], capture_output=True, text=True,
                              timeout=60, env=env)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "exiting" in proc.stdout
        assert "Fatal" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-3000:]


@pytest.mark.parametrize("how", ["running", "stopped", "restarted", "sys.exit"])
def test_exit_while_running_or_just_stopped_null(how):
    _run_exit_script("null", how)


# ---- PulseAudio (the private daemon of tests/pulse_server.py) ----------------------------------


def test_no_python_callback_after_stop_pulse(pulse_server):
    rec = Recorder()
    for buf in (10, 50, 200):
        with miniaudio.PlaybackDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=buf, backends=PULSE) as dev:
            assert "pulse" in dev.backend.lower()
            _play_and_stop(dev, rec)
            for _ in range(2):
                base = thread_states()
                rec.stopped = False
                _play_and_stop(dev, rec)
                assert thread_states() == base
                _check_quiet_after_stop(dev, rec, 3)


def test_stop_does_not_wait_for_the_next_period_pulse(pulse_server):
    """A 2 s period: stop() used to wait for the next callback (up to 2 s) to retire the audio
    thread's thread state.  A very generous bound: well under one period."""
    rec = Recorder()
    with miniaudio.PlaybackDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=2000, backends=PULSE) as dev:
        for i in range(3):
            base = thread_states()
            rec.stopped = False
            before = rec.calls
            dev.start(rec.generator())
            assert helpers.wait_until(lambda: rec.calls > before, timeout=DEADLINE)
            t0 = time.monotonic()
            dev.stop()
            took = time.monotonic() - t0
            rec.stopped = True
            if i > 0:  # the first start() also starts the package's event thread
                assert thread_states() == base
            assert took < 0.5, "stop() took %.3f s with 2 s periods" % took


def test_restart_and_cycles_pulse(pulse_server):
    calls = [0]
    gen = counting_silence(calls)

    with miniaudio.PlaybackDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=10, backends=PULSE) as dev:
        tstates = None
        for i in range(100):
            before = calls[0]
            g = gen()
            next(g)
            dev.start(g)
            assert helpers.wait_until(lambda: calls[0] > before, timeout=DEADLINE, interval=0.0005)
            dev.stop()
            if i == 10:
                tstates, threads = thread_states(), os_threads()
        assert thread_states() == tstates and os_threads() == threads


@pytest.mark.parametrize("how", ["running", "stopped", "restarted"])
def test_exit_while_running_or_just_stopped_pulse(pulse_server, how):
    _run_exit_script("pulse", how, env=pulse_server.client_env())
