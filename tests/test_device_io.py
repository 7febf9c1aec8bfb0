"""Device push I/O: write(), read(), drain(), the ring buffers, underflow and overflow counts.

The content tests run on a real PulseAudio server (tests/pulse_server.py starts it): a writer
thread write()s a frame-counter signal to the null sink while the main thread read()s the sink's
monitor, so every frame is accounted for; the rest runs on the NULL backend.
"""
import array
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

import device_helpers as helpers

NULL = ["null"]


def null_playback(**kw):
    kw.setdefault("buffersize_msec", 10)
    return miniaudio.PlaybackDevice(SF.SIGNED16, 2, 48000, backends=NULL, **kw)


def null_capture(**kw):
    kw.setdefault("buffersize_msec", 10)
    return miniaudio.CaptureDevice(SF.SIGNED16, 2, 48000, backends=NULL, **kw)


# ---- NULL backend: the API -----------------------------------------------------------------------

def test_first_write_starts_the_device_and_drain_ends_the_run():
    finished = []
    with null_playback(on_finished=finished.append) as dev:
        assert not dev.running
        assert dev.write(np.zeros((4800, 2), np.int16)) is False  # 0.1 s
        assert dev.running and dev.callback_generator is None
        t0 = time.monotonic()
        assert dev.drain(timeout=10)
        took = time.monotonic() - t0
        assert not dev.running and finished == [dev]
        stats = dev.stats
    # 0.1 s queued (minus what had played already) plus one buffer of silence
    assert 0.03 < took < 2.0, took
    assert stats.frames >= 4800 and stats.underflows == 0


def test_start_without_a_generator_then_write_and_stop_drops_the_queue():
    with null_playback(ring_msec=1000) as dev:
        dev.start()
        assert dev.running
        free = dev.write_available
        assert 47000 <= free <= 48000
        dev.write(bytes(4 * 24000))  # 0.5 s of raw frames
        assert dev.write_available <= free - 24000 + 4800
        dev.stop()
        assert not dev.running
        assert dev.write_available == 48000  # stop() dropped what was queued
        dev.write(bytes(4 * 480))  # starts again
        assert dev.running


def test_write_accepts_every_numeric_type_and_shape():
    with null_playback(ring_msec=2000) as dev:
        n = 480
        for data in (bytes(4 * n), bytearray(4 * n), memoryview(bytes(4 * n)), array.array("h", [0] * 2 * n),
                     array.array("d", [0.0] * 2 * n), array.array("b", [0] * 2 * n),
                     np.zeros(2 * n, np.float64), np.zeros((n, 2), np.float32), np.zeros((n, 2), np.int32),
                     np.zeros((n, 2), np.uint8), np.zeros((n, 2), np.int64), np.zeros((n, 2), np.uint16),
                     np.zeros((n, 2), np.float16), np.zeros((2, n), np.int16).T, np.zeros((n, 4), np.int16)[:, ::2]):
            before = dev.write_available
            dev.write(data)
            assert dev.write_available <= before - n + 960  # what was queued, minus what played meanwhile
        dev.stop()


@pytest.mark.parametrize("data,exc,text", [
    (b"\0" * 3, ValueError, "whole number of 4-byte frames"),
    (np.zeros((10, 3), np.int16), ValueError, "(10, 3) array but the device has 2 channels"),
    (np.zeros((2, 10), np.int16), ValueError, "data.T"),
    (np.zeros(7, np.float32), ValueError, "7 samples, not a whole number of 2-channel frames"),
    (np.zeros((2, 2, 2), np.float32), ValueError, "1-D"),
    (np.zeros(4, np.complex64), TypeError, "complex"),
    (np.array([None] * 4, dtype=object), TypeError, "data"),
    (np.zeros(4, bool), TypeError, "booleans"),
    (np.zeros(4, ">i2"), TypeError, "byte order"),
    ("abcd", TypeError, "data must be"),
    (1234, TypeError, "data must be"),
    ([0, 0], TypeError, "data must be"),
])
def test_bad_data_is_refused_and_nothing_is_queued(data, exc, text):
    with null_playback() as dev:
        free = dev.write_available
        with pytest.raises(exc, match=None) as info:
            dev.write(data)
        assert text in str(info.value), info.value
        assert not dev.running and dev.write_available == free


def test_read_types_out_and_frames():
    with null_capture() as dev:
        x = dev.read(480)
        assert isinstance(x, np.ndarray) and x.shape == (480, 2) and x.dtype == np.int16
        assert dev.running
        b = dev.read(100, chunk_type="bytes")
        assert isinstance(b, bytes) and len(b) == 400
        a = dev.read(100, chunk_type="array")
        assert isinstance(a, array.array) and a.typecode == "h" and len(a) == 200
        out = np.full((300, 2), 7, np.int16)
        assert dev.read(out=out) is out and not (out == 7).any()  # NULL records silence
        ba = bytearray(40)
        assert dev.read(out=ba) is ba
        out = np.full((300, 2), 7, np.int16)
        dev.read(100, out=out)
        assert not (out[:100] == 7).any() and (out[100:] == 7).all()
        assert len(dev.read(0)) == 0


@pytest.mark.parametrize("kw,exc,text", [
    (dict(frames=-1), ValueError, "frames must be >= 0"),
    (dict(frames=1.5), TypeError, "frames must be an int"),
    (dict(frames=10, timeout=-1), ValueError, "timeout"),
    (dict(frames=10, timeout=float("nan")), ValueError, "timeout"),
    (dict(frames=10, timeout="1"), TypeError, "timeout"),
    (dict(frames=10, chunk_type="list"), ValueError, "chunk_type"),
    (dict(frames=10, out=np.zeros((10, 2), np.float32)), TypeError, "SIGNED16"),
    (dict(frames=10, out=np.zeros((10, 3), np.int16)), ValueError, "channels"),
    (dict(frames=20, out=np.zeros((10, 2), np.int16)), ValueError, "holds 10 frames"),
    (dict(frames=10, out=b"\0" * 40), TypeError, "writable"),
    (dict(frames=10, out=np.zeros((10, 2), np.int16), chunk_type="array"), ValueError, "not both"),
    (dict(), TypeError, "needs frames"),
])
def test_bad_read_arguments(kw, exc, text):
    with null_capture() as dev:
        with pytest.raises(exc) as info:
            dev.read(**kw)
        assert text in str(info.value), info.value
        assert not dev.running


def test_wrong_side_closed_and_generator_running():
    with null_capture() as cap:
        with pytest.raises(TypeError, match="records"):
            cap.write(b"\0" * 4)
        assert cap.write_available == 0
    with null_playback() as play:
        with pytest.raises(TypeError, match="plays"):
            play.read(10)
        assert play.read_available == 0

        def gen():
            while True:
                n = yield
                yield b"\0" * 4 * (n or 1)

        play.start(gen())
        with pytest.raises(RuntimeError, match="generator or stream plays"):
            play.write(b"\0" * 4)
        play.stop()
        play.write(b"\0" * 4)  # usable once the generator is stopped
    with pytest.raises(miniaudio.MiniaudioError, match="closed"):
        play.write(b"\0" * 4)
    with pytest.raises(miniaudio.MiniaudioError, match="closed"):
        cap.read(1)
    with pytest.raises(miniaudio.MiniaudioError, match="closed"):
        play.write_available


def test_ring_msec_arguments():
    for bad, exc in ((0, ValueError), (-5, ValueError), (10 ** 9, ValueError), ("100", TypeError),
                     (True, TypeError), (float("nan"), ValueError)):
        with pytest.raises(exc, match="ring_msec"):
            null_playback(ring_msec=bad)
    with null_playback(ring_msec=250) as dev:
        assert dev.write_available == 12000


def test_write_timeout_says_how_much_was_queued():
    with null_playback(ring_msec=100) as dev:
        data = np.zeros((48000, 2), np.int16)  # 1 s into a 0.1 s ring
        t0 = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            dev.write(data, timeout=0.2)
        took = time.monotonic() - t0
        assert 0.15 < took < 2.0
        # the ring's 0.1 s plus what played during 0.2 s (the first buffer is a prebuffer)
        assert 4800 <= info.value.frames < 48000, info.value.frames
        assert "%d frames queued" % info.value.frames in str(info.value)


def test_read_timeout_gives_the_frames_read():
    with null_capture() as dev:
        with pytest.raises(TimeoutError) as info:
            dev.read(48000, timeout=0.2)
        e = info.value
        assert 0 < e.frames < 48000 and e.data.shape == (e.frames, 2)
        assert "%d of 48000 frames" % e.frames in str(e)


def test_stop_from_another_thread_ends_a_blocked_write():
    with null_playback(ring_msec=100) as dev:
        threading.Timer(0.3, dev.stop).start()
        t0 = time.monotonic()
        with pytest.raises(miniaudio.MiniaudioError, match="stopped during write"):
            dev.write(np.zeros((480000, 2), np.int16))
        assert time.monotonic() - t0 < 3.0


def test_close_from_another_thread_ends_a_blocked_read():
    dev = null_capture()
    timer = threading.Timer(0.3, dev.close)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(miniaudio.MiniaudioError):
        dev.read(480000)
    assert time.monotonic() - t0 < 3.0
    timer.join()
    assert dev.closed


def test_a_second_writer_thread_is_refused():
    with null_playback(ring_msec=100) as dev:
        errors = []

        def second():
            time.sleep(0.1)
            try:
                dev.write(b"\0" * 4)
            except RuntimeError as exc:
                errors.append(str(exc))

        t = threading.Thread(target=second)
        t.start()
        dev.write(np.zeros((24000, 2), np.int16))  # 0.5 s through a 0.1 s ring
        t.join()
        assert errors and "another thread" in errors[0]


def test_overflow_is_counted_and_memory_stays_bounded():
    with null_capture(ring_msec=100) as dev:
        dev.read(480)
        assert dev.overflowed is False
        rss = helpers.rss_bytes()
        time.sleep(1.0)  # the reader stops reading: 0.9 s cannot fit
        stats = dev.stats
        assert stats.overflows > 0 and stats.dropped_frames >= 48000 * 0.6, stats
        assert helpers.rss_bytes() - rss < 2 * 1024 * 1024
        assert dev.read_available <= 4800
        dev.read(480)
        assert dev.overflowed is True
        dev.read(480)
        assert dev.overflowed is False  # reading in time again


def test_underflow_is_counted_once_per_dry_spell_and_reported_by_the_next_write():
    with null_playback(ring_msec=200) as dev:
        assert dev.write(np.zeros((4800, 2), np.int16)) is False
        time.sleep(0.5)  # the writer is late: the ring runs dry
        assert dev.stats.underflows == 1
        assert dev.write(np.zeros((480, 2), np.int16)) is True
        assert dev.write(np.zeros((480, 2), np.int16)) is False
        time.sleep(0.3)
        assert dev.stats.underflows == 2


def test_duplex_write_and_read():
    with miniaudio.DuplexStream(SF.FLOAT32, 1, SF.SIGNED16, 2, 48000, buffersize_msec=10, backends=NULL) as dev:
        assert dev.write(np.zeros(960, np.float64)) is False
        x = dev.read(960)
        assert x.shape == (960, 2) and x.dtype == np.int16
        assert isinstance(dev.latency, tuple) and len(dev.latency) == 2
        dev.stop()


@pytest.mark.parametrize("latency,period_msec,total", [("low", 10, 0.03), ("high", 100, 0.3), (0.06, 20, 0.06),
                                                       (0.3, 100, 0.3)])
def test_latency_setting_picks_the_profile_and_period(latency, period_msec, total):
    with miniaudio.PlaybackDevice(SF.SIGNED16, 2, 44100, backends=NULL, latency=latency) as dev:
        assert dev._info["period_frames"] == 44100 * period_msec // 1000
        assert dev.latency == pytest.approx(total, abs=0.001)


def test_latency_is_the_backends_buffer():
    with null_playback() as dev:
        assert 0.005 < dev.latency < 1.0
        assert isinstance(dev.latency, float)


# A child of a shell job started in the background inherits SIGINT ignored, and Python then installs
# no KeyboardInterrupt handler: the children run as a terminal would start them (Python's own
# handler), however the test run was started.  (No preexec_fn: pytest's process may run threads.)
SIGINT_AS_IN_A_TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"


# ---- Ctrl-C ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", ["write", "read"])
def test_ctrl_c_interrupts_a_blocked_call(call):
    """SIGINT to a process blocked in write() (read()): KeyboardInterrupt in the main thread, the
    device closes cleanly, and the exit status is Python's own for an unhandled KeyboardInterrupt."""
    code = textwrap.dedent("""
        import sys, time, miniaudio
        from miniaudio import SampleFormat as SF
        kind = sys.argv[1]
        if kind == "write":
            dev = miniaudio.PlaybackDevice(SF.SIGNED16, 2, 48000, buffersize_msec=10, backends=["null"], ring_msec=100)
            dev.write(b"\\0" * 4 * 480)
        else:
            dev = miniaudio.CaptureDevice(SF.SIGNED16, 2, 48000, buffersize_msec=10, backends=["null"])
        print("ready", flush=True)
        try:
            if kind == "write":
                dev.write(bytes(4 * 48000 * 60))
            else:
                dev.read(48000 * 60)
        except KeyboardInterrupt:
            print("interrupted", dev.running, flush=True)
            dev.close()
            print("closed", dev.closed, flush=True)
            raise
    """)
    proc = subprocess.Popen([sys.executable, "-c", SIGINT_AS_IN_A_TERMINAL + code, call], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert out.split() == ["interrupted", "True", "closed", "True"], (out, err)
    assert "KeyboardInterrupt" in err
    ref = subprocess.Popen([sys.executable, "-c", SIGINT_AS_IN_A_TERMINAL +
                            "import time; print('ready', flush=True); time.sleep(60)"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert ref.stdout.readline().strip() == "ready"
    ref.send_signal(signal.SIGINT)
    ref.communicate(timeout=20)
    assert proc.returncode == ref.returncode != 0


# ---- on a real server -----------------------------------------------------------------------------

def _write_and_record(pulse_server, pcm_source, total, chunk, fmt=SF.SIGNED16, sleep_at=None):
    """A writer thread write()s `total` frames from pcm_source(start, n) in `chunk`-frame pieces to the
    null sink; the main thread read()s the monitor meanwhile.  Returns (int16 recording, playback stats,
    the write() results)."""
    import test_devices_pulse as tdp

    results, errors = [], []
    with tdp.open_playback(fmt=fmt, buffersize_msec=10) as playback, \
            tdp.open_capture(fmt=SF.SIGNED16, buffersize_msec=50) as capture:
        got = [capture.read(tdp.RATE // 10)]  # the monitor runs before the writer starts

        def writer():
            try:
                for start in range(0, total, chunk):
                    if sleep_at is not None and start == sleep_at:
                        time.sleep(0.5)
                    results.append(playback.write(pcm_source(start, min(chunk, total - start))))
                playback.drain(timeout=tdp.DEADLINE)
            except BaseException as exc:  # reported below
                errors.append(exc)

        t = threading.Thread(target=writer)
        t.start()
        while t.is_alive():
            got.append(capture.read(tdp.RATE // 50, timeout=tdp.DEADLINE))
        got.append(capture.read(tdp.RATE // 4, timeout=tdp.DEADLINE))
        t.join()
        stats = playback.stats
        cap_stats = capture.stats
    assert not errors, errors
    assert cap_stats.overflows == 0, cap_stats
    return np.concatenate(got), stats, results


def test_write_in_10ms_chunks_for_10s_arrives_whole_and_in_order(pulse_server):
    """A frame-counter signal written in 10 ms chunks for 10 s, read back from the monitor with
    read(): every frame once, in order, after the server's own join latency."""
    import test_devices_pulse as tdp

    total = 10 * tdp.RATE
    pcm = tdp.counter_pcm(total)
    x, stats, results = _write_and_record(pulse_server, lambda s, n: pcm[s:s + n], total, tdp.RATE // 100)
    assert stats.underflows == 0 and not any(results), stats
    tdp.assert_every_frame_once_in_order(x, total)


@pytest.mark.parametrize("dtype", ["float64", "int32", "uint16", "bytes"])
def test_write_converts_each_input_type_exactly(pulse_server, dtype):
    """The counter signal handed over as float64 ((v + 0.5) / 32767: miniaudio's f32 -> s16 scaling),
    int32 (v << 16), uint16 (offset binary) or raw bytes arrives as the same 16-bit frames."""
    import test_devices_pulse as tdp

    total = tdp.RATE
    pcm = tdp.counter_pcm(total)
    as_type = {
        "float64": lambda p: (p.astype(np.float64) + 0.5) / 32767,
        "int32": lambda p: p.astype(np.int32) << 16,
        "uint16": lambda p: (p.astype(np.int32) + 32768).astype(np.uint16),
        "bytes": lambda p: p.tobytes(),
    }[dtype]
    x, stats, _ = _write_and_record(pulse_server, lambda s, n: as_type(pcm[s:s + n]), total, tdp.RATE // 100)
    tdp.assert_every_frame_once_in_order(x, total)


def test_a_late_writer_underflows_then_playback_resumes_cleanly(pulse_server):
    """The writer sleeps 0.5 s halfway: the next write() reports the underflow, stats count one, and
    the recording holds the first half, silence, then the second half, every frame once."""
    import test_devices_pulse as tdp

    total = 2 * tdp.RATE
    pcm = tdp.counter_pcm(total)
    chunk = tdp.RATE // 100
    x, stats, results = _write_and_record(pulse_server, lambda s, n: pcm[s:s + n], total, chunk, sleep_at=tdp.RATE)
    assert stats.underflows == 1, stats
    assert results.index(True) == tdp.RATE // chunk and results.count(True) == 1
    # every frame once and in order, with the silence of the late writer (about 0.5 s, less the
    # 0.1 s the ring held) between the halves
    inserted = tdp.assert_every_frame_once_in_order(x, total, max_inserted=tdp.RATE)
    assert inserted > 0.3 * tdp.RATE, inserted


def test_a_1khz_tone_written_as_float64_has_the_exact_frequency_and_level(pulse_server):
    import test_devices_pulse as tdp

    total = 3 * tdp.RATE
    t = np.arange(total) / tdp.RATE
    tone = tdp.AMP * np.sin(2 * np.pi * tdp.FREQ * t)
    stereo = np.stack([tone, tone], axis=1)
    x, stats, _ = _write_and_record(pulse_server, lambda s, n: stereo[s:s + n], total, tdp.RATE // 100)
    y = x.astype(np.float32) / 32768
    w = tdp.tone_window(y)
    assert len(w) >= int(0.9 * total)
    # The loaded server may insert a silence and skip as much (see assert_every_frame_once_in_order):
    # measure the longest stretch between such silences, at least 1 s of the 3.
    quiet = np.abs(w[:, 0]) < 1e-3
    runs = np.flatnonzero(np.convolve(quiet, np.ones(8, int), "valid") == 8)  # 8+ near-zero frames
    cuts = [0] + [int(i) for i in runs] + [len(w)]
    a, b = max(zip(cuts, cuts[1:]), key=lambda ab: ab[1] - ab[0])
    assert b - a >= tdp.RATE, "no 1 s stretch without a server silence: %r" % cuts[:20]
    r = tdp.analyse(w[a + 16:b - 16, 0])
    assert r["period_error"] < 0.01, r
    assert abs(r["freq"] - tdp.FREQ) < 0.05, r
    assert abs(r["rms"] - tdp.EXPECTED_RMS) < 0.02 * tdp.EXPECTED_RMS, r
    assert stats.underflows == 0, stats
    assert r["silent_run"] <= tdp.RATE // 20, r  # the server's own timing: see assert_every_frame_once_in_order


# ---- life cycle -----------------------------------------------------------------------------------

@pytest.mark.parametrize("call", ["write", "read"])
def test_interpreter_exit_with_a_thread_blocked_in_write_or_read(call):
    """A daemon thread blocked in write() (read()) when the main thread ends: the exit handler closes
    the device and the exit is prompt, with exit status 0 and no crash."""
    code = textwrap.dedent("""
        import sys, threading, time, miniaudio
        from miniaudio import SampleFormat as SF
        if sys.argv[1] == "write":
            dev = miniaudio.PlaybackDevice(SF.SIGNED16, 2, 48000, buffersize_msec=10, backends=["null"], ring_msec=50)
            work = lambda: dev.write(bytes(4 * 48000 * 60))
        else:
            dev = miniaudio.CaptureDevice(SF.SIGNED16, 2, 48000, buffersize_msec=10, backends=["null"])
            work = lambda: dev.read(48000 * 60)
        threading.Thread(target=work, daemon=True).start()
        deadline = time.monotonic() + 10  # the first write()/read() starts the device
        while not dev.running and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        print("exiting", dev.running, flush=True)
    """)
    t0 = time.monotonic()
    result = helpers.run_python(code, call, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["exiting", "True"]
    # the blocked daemon thread waits on quietly until the process ends: no traceback at exit
    helpers.assert_clean_stderr(result.stderr)
    assert result.stderr == ""

    assert time.monotonic() - t0 < 20


def test_many_devices_writing_from_threads_then_closed_while_blocked():
    """Eight devices, each written by its own thread through a small ring, closed from the main
    thread while the writers are blocked: every writer ends with MiniaudioError, nothing hangs."""
    devs = [null_playback(ring_msec=20) for _ in range(8)]
    outcomes = []

    def writer(dev):
        try:
            for _ in range(1000):
                dev.write(np.zeros((480, 2), np.float32))
            outcomes.append("done")
        except miniaudio.MiniaudioError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=writer, args=(d,)) for d in devs]
    for t in threads:
        t.start()
    time.sleep(0.5)
    for d in devs:
        d.close()
    for t in threads:
        t.join(10)
        assert not t.is_alive()
    assert outcomes == ["MiniaudioError"] * 8


def test_pulseaudio_holds_all_the_periods_of_the_device(pulse_server):
    """Patch 0056: at 10 ms periods the server keeps the device's whole buffer of our audio (its
    "Buffer Latency" 20-25 ms), not the one period miniaudio asked for (7.5 ms
    measured without the patch), so a process one period late does not make the server run dry."""
    import re

    import test_devices_pulse as tdp

    with tdp.open_playback(fmt=SF.SIGNED16, buffersize_msec=10) as dev:
        dev.start(miniaudio.Waveform("sine", 440.0, 0.1, tdp.RATE, tdp.CHANNELS, SF.SIGNED16))
        time.sleep(0.5)  # the buffer fills up to its target once the stream runs
        usec = None
        for _ in range(10):  # the most the server held, over half a second
            m = re.search(r"Buffer Latency: (\d+) usec", pulse_server.pactl("list", "sink-inputs"))
            if m:
                usec = max(usec or 0, int(m.group(1)))
            time.sleep(0.05)
        latency = dev.latency
        dev.stop()
    assert usec is not None, "no sink input with a buffer latency"
    assert 0.015 <= latency <= 0.04, latency
    assert usec >= 15000, "the server holds only %d us of the device's %.0f ms" % (usec, latency * 1000)
