"""Devices on JACK: a private jackd with the dummy driver (tests/jack_server.py), backends=[Backend.JACK].

JACK calls back on a thread of its own (an asynchronous backend), and JACK 2 starts a new process
thread on each jack_activate (device start) and cancels it in jack_deactivate (device stop).  So
the Python thread state a generator runs with cannot be kept from run to run, and stop() cannot
wait for the audio thread's "stopped" notification as on synchronous backends.  What is checked
here is what a user relies on: the generator or stream plays; once stop() returned the generator
is never called again; stop() from the generator raises RuntimeError; hundreds of start/stop
cycles leave no Python thread state, OS thread or memory behind; every callback runs with the
thread's own PyGILState state (so extensions that call PyGILState_Ensure inside the generator find
it); capture delivers the dummy driver's silence.  stop() latency is measured by
benchmarks/bench_stop.py, never asserted.

Skips only when jackd is not installed; with MINIAUDIO_REQUIRE_JACK=1 (CI) that is a failure.
"""

import gc
import io
import os
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import wave

import pytest

import helpers
from helpers import os_threads, rss_bytes, thread_states
import miniaudio
from miniaudio import Backend, SampleFormat as SF

import jack_server as js

JACK = [Backend.JACK]
RATE = 48000
CHANNELS = 2
FRAME_BYTES = 2 * CHANNELS
PERIOD = 256  # jackd's period: 5.3 ms at 48 kHz
DEADLINE = 30.0



@pytest.fixture(scope="module")
def jack():
    """A private jackd for this module; os.environ points JACK clients at it meanwhile."""
    from conftest import require_or_skip, server_environment
    require_or_skip(js.jack_available(), "MINIAUDIO_REQUIRE_JACK")
    with js.JackServer(rate=RATE, period=PERIOD) as server, server_environment(server):
        yield server


class Recorder:
    """A playback generator factory that records its calls, whether one came after stop(), the
    audio threads it ran on and whether each call ran with its thread's PyGILState state."""

    def __init__(self):
        self.calls = 0
        self.stopped = False
        self.after_stop = 0
        self.threads = set()
        self.not_gilstate = 0

    def generator(self):
        frames = yield b""
        while True:
            self.calls += 1
            self.threads.add(threading.get_ident())
            if not helpers.gil_state_check():
                self.not_gilstate += 1
            if self.stopped:
                self.after_stop += 1
            frames = yield b"\0" * (frames * FRAME_BYTES)


def open_playback(buffersize_msec=10, **kw):
    return miniaudio.PlaybackDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=buffersize_msec, backends=JACK,
                                    app_name="matest", **kw)


def play_and_stop(dev, rec, callbacks=3):
    rec.stopped = False
    before = rec.calls
    dev.start(rec.generator())
    assert helpers.wait_until(lambda: rec.calls >= before + callbacks, timeout=DEADLINE), "no callbacks"
    dev.stop()
    rec.stopped = True


def silent_wav(seconds):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"\0" * (int(RATE * seconds) * FRAME_BYTES))
    return buf.getvalue()


def our_connections(jack):
    """{our port: [system ports]} of the client "matest" (jack_lsp -c)."""
    return {port: peers for port, peers in jack.connections().items() if port.startswith("matest")}


@pytest.mark.parametrize("buffersize_msec", [5, 50])
def test_generator_is_never_called_after_stop(jack, buffersize_msec):
    rec = Recorder()
    with open_playback(buffersize_msec) as dev:
        assert dev.backend == "JACK"
        for _ in range(3):
            play_and_stop(dev, rec)
            calls = rec.calls
            assert not dev.running and dev.callback_generator is None
            # Several periods of the device and of the server: nothing calls the generator.
            time.sleep(max(4 * buffersize_msec, 10 * PERIOD * 1000 // RATE) / 1000.0)
            assert rec.calls == calls and rec.after_stop == 0
        assert rec.not_gilstate == 0


def test_generator_plays_through_the_server(jack):
    """While it runs the device is a JACK client whose ports feed the system playback ports, and the
    generator is called at the device's rate; after stop() the client is no longer active."""
    rec = Recorder()
    with open_playback(10) as dev:
        rec.stopped = False
        dev.start(rec.generator())
        assert helpers.wait_until(lambda: rec.calls >= 30, timeout=DEADLINE)
        conns = our_connections(jack)
        assert sorted(conns) == ["matest:playback0", "matest:playback1"], conns
        assert sorted(p for peers in conns.values() for p in peers) == ["system:playback_1", "system:playback_2"]
        stats = dev.stats
        dev.stop()
        rec.stopped = True
        assert stats.frames >= 30 * RATE // 100
        assert rec.after_stop == 0 and rec.not_gilstate == 0


def test_package_stream_plays_and_stops(jack):
    wav = silent_wav(30)
    with open_playback(10) as dev:
        for _ in range(3):
            dev.start(miniaudio.stream_memory(wav, SF.SIGNED16, CHANNELS, RATE))
            assert helpers.wait_until(lambda: dev.stats.callbacks >= 10, timeout=DEADLINE)
            dev.stop()
            stats = dev.stats
            assert not dev.running and dev.callback_generator is None
            time.sleep(10 * PERIOD / RATE)
            assert dev.stats == stats  # not called back after stop()
            assert stats.padded_callbacks == 0


def test_stop_from_the_generator_raises(jack):
    """stop() called on the audio thread would wait for itself: RuntimeError, as on other backends."""
    seen = []

    with open_playback(10) as dev:
        def gen():
            frames = yield b""
            while True:
                if not seen:
                    try:
                        dev.stop()
                    except RuntimeError as e:
                        seen.append(e)
                    except BaseException as e:  # pragma: no cover - reported by the assertion below
                        seen.append(e)
                frames = yield b"\0" * (frames * FRAME_BYTES)

        g = gen()
        next(g)
        dev.start(g)
        assert helpers.wait_until(lambda: seen, timeout=DEADLINE)
        assert dev.running
        dev.stop()
    assert isinstance(seen[0], RuntimeError) and "own callback generator" in str(seen[0]), seen


def test_start_stop_cycles_leave_nothing_behind(jack):
    """150 start/stop cycles of a Python generator (each called back, so each creates and retires
    the audio thread's thread state, on a new JACK process thread each time): Python thread states,
    OS threads and memory stay flat, and every call ran with its thread's PyGILState state."""
    n = int(os.environ.get("MINIAUDIO_JACK_CYCLES", "150"))
    rec = Recorder()
    with open_playback(5) as dev:
        for _ in range(20):  # warm-up
            play_and_stop(dev, rec, callbacks=2)
        gc.collect()
        tstates, threads = thread_states(), os_threads()
        tracemalloc.start()
        traced0 = tracemalloc.get_traced_memory()[0]
        rss0 = rss_bytes()
        for _ in range(n):
            play_and_stop(dev, rec, callbacks=2)
            assert thread_states() == tstates
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - traced0
        tracemalloc.stop()
        rss_grown = rss_bytes() - rss0
        assert thread_states() == tstates
        assert os_threads() == threads
        assert rec.after_stop == 0
        assert rec.not_gilstate == 0, "%d of %d calls ran without the thread's PyGILState state" % (
            rec.not_gilstate, rec.calls)
        assert traced < 100 * 1024, "traced memory grew by %d bytes over %d cycles" % (traced, n)
        assert rss_grown < 2 * 1024 * 1024, "RSS grew by %d bytes over %d cycles" % (rss_grown, n)


def test_capture_delivers_the_dummy_drivers_silence(jack):
    frames = [0]
    chunks = []

    def gen():
        while True:
            data = yield
            frames[0] += len(data) // FRAME_BYTES
            chunks.append(bytes(data))

    with miniaudio.CaptureDevice(SF.SIGNED16, CHANNELS, RATE, buffersize_msec=10, backends=JACK,
                                 app_name="matest") as dev:
        assert dev.backend == "JACK"
        g = gen()
        next(g)
        dev.start(g)
        assert helpers.wait_until(lambda: frames[0] >= RATE // 4, timeout=DEADLINE)
        conns = our_connections(jack)
        dev.stop()
        got = frames[0]
        time.sleep(10 * PERIOD / RATE)
        assert frames[0] == got
    assert sorted(conns) == ["matest:capture0", "matest:capture1"], conns
    assert sorted(p for peers in conns.values() for p in peers) == ["system:capture_1", "system:capture_2"]
    data = b"".join(chunks)
    assert len(data) == got * FRAME_BYTES and got >= RATE // 4
    assert data == b"\0" * len(data)


EXIT_SCRIPT = textwrap.dedent("""
    import sys, time
    import miniaudio
    how = sys.argv[1]
    calls = [0]
    def gen():
        frames = yield b""
        while True:
            calls[0] += 1
            frames = yield b"\\0" * (frames * 4)
    dev = miniaudio.PlaybackDevice(miniaudio.SampleFormat.SIGNED16, 2, 48000, buffersize_msec=5,
                                   backends=[miniaudio.Backend.JACK])
    for _ in range(2 if how == "restarted" else 1):
        g = gen()
        next(g)
        before = calls[0]
        dev.start(g)
        deadline = time.monotonic() + 30
        while calls[0] <= before and time.monotonic() < deadline:
            time.sleep(0.001)
        assert calls[0] > before, "no callback"
        if how != "running":
            dev.stop()
    print("exiting", flush=True)
""")


@pytest.mark.parametrize("how", ["running", "stopped", "restarted"])
def test_exit_while_running_or_just_stopped(jack, how):
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, how], capture_output=True, text=True,
                              timeout=60, env=jack.client_env())
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "exiting" in proc.stdout
        assert "Fatal" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-3000:]


SLOW_GENERATOR_SCRIPT = textwrap.dedent("""
    import threading, time
    import miniaudio
    dev = miniaudio.PlaybackDevice(miniaudio.SampleFormat.SIGNED16, 2, 48000, buffersize_msec=5,
                                   backends=[miniaudio.Backend.JACK])
    inside = threading.Event()
    calls, done = [0], [0]
    def gen():
        frames = yield b""
        while True:
            calls[0] += 1
            inside.set()
            time.sleep(0.03)  # several JACK periods, the GIL released
            done[0] += 1
            frames = yield b"\\0" * (frames * 4)
    for _ in range(5):
        inside.clear()
        g = gen()
        next(g)
        dev.start(g)
        assert inside.wait(30), "no callback"
        dev.stop()  # while the generator sleeps
        assert calls[0] == done[0], (calls, done)
        n = calls[0]
        time.sleep(0.05)
        assert calls[0] == n
    dev.close()
    print("stopped", calls[0], flush=True)
""")


def test_stop_while_the_generator_blocks(jack):
    """stop() while the generator is inside a call that releases the GIL for several periods: the
    call finishes, stop() returns, and nothing is called afterwards.  (JACK 2 cancels the process
    thread right after the server's next cycle: a callback still running then would be cut off, and
    stop() would wait for it for ever.  Run in a child process so that a hang is a failure.)"""
    proc = subprocess.run([sys.executable, "-c", SLOW_GENERATOR_SCRIPT], capture_output=True, text=True,
                          timeout=30, env=jack.client_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["stopped", "5"], proc.stdout


def test_duplex_stream_stops_and_leaves_nothing_behind(jack):
    """A DuplexStream passing the dummy driver's (silent) capture through: after each stop() the
    generator is not called again and no thread state is left."""
    calls = [0]
    bad = []

    def gen():
        data = yield b""
        while True:
            calls[0] += 1
            if bytes(data) != b"\0" * len(data) or not helpers.gil_state_check():
                bad.append(len(data))
            data = yield data

    with miniaudio.DuplexStream(sample_rate=RATE, buffersize_msec=10, backends=JACK, app_name="matest") as dev:
        tstates = None
        for _ in range(20):
            g = gen()
            next(g)
            before = calls[0]
            dev.start(g)
            assert helpers.wait_until(lambda: calls[0] >= before + 3, timeout=DEADLINE)
            dev.stop()
            n = calls[0]
            tstates = thread_states() if tstates is None else tstates
            assert thread_states() == tstates
            time.sleep(4 * PERIOD / RATE)
            assert calls[0] == n
    assert bad == []
