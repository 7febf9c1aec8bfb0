"""Callbacks in sounddevice's style: device.start(callback=fn), and capture/duplex generators sent numpy
arrays (start(gen, input_type="numpy")).

The NULL backend shows the protocol (call counts, frames, buffer shapes and types, time, status,
CallbackStop/CallbackAbort, errors); the private PulseAudio server (the `pulse_server` fixture) shows
the content: what a callback writes into outdata is what the null sink's monitor records.
"""

import array
import gc
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import helpers
import miniaudio
import miniaudio._callbacks as callbacks_module
from miniaudio import SampleFormat as SF

NULL = [miniaudio.Backend.NULL]
PULSE = [miniaudio.Backend.PULSEAUDIO]
FORMATS = [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32]
DTYPE = {SF.UNSIGNED8: np.uint8, SF.SIGNED16: np.int16, SF.SIGNED32: np.int32, SF.FLOAT32: np.float32}
TYPECODE = {SF.UNSIGNED8: "B", SF.SIGNED16: "h", SF.SIGNED32: "i", SF.FLOAT32: "f"}
WIDTH = {SF.UNSIGNED8: 1, SF.SIGNED16: 2, SF.SIGNED24: 3, SF.SIGNED32: 4, SF.FLOAT32: 4}
RATE = 48000
DEADLINE = 30.0


def wait_until(predicate, timeout=DEADLINE):
    return helpers.wait_until(predicate, timeout, 0.002)


def open_device(devices, kind, fmt=SF.FLOAT32, nch=2, **kw):
    kw.setdefault("sample_rate", RATE)
    if kind == "playback":
        return devices(miniaudio.PlaybackDevice, fmt, nch, **kw)
    if kind == "capture":
        return devices(miniaudio.CaptureDevice, fmt, nch, **kw)
    return devices(miniaudio.DuplexStream, fmt, nch, fmt, nch, **kw)


class Calls:
    """A callback for any device kind that records what it is given (copies, never the buffers)."""

    def __init__(self, kind, stop_after=None, fill=None):
        self.kind = kind
        self.stop_after = stop_after
        self.fill = fill
        self.records = []
        self.done = threading.Event()

    def __call__(self, *args):
        if self.kind == "duplex":
            indata, outdata, frames, t, status = args
        elif self.kind == "capture":
            (indata, frames, t, status), outdata = args, None
        else:
            (outdata, frames, t, status), indata = args, None
        rec = {"frames": frames, "time": t, "status": status, "monotonic": time.monotonic(),
               "thread": threading.get_ident()}
        for name, buf in (("in", indata), ("out", outdata)):
            if buf is not None:
                rec[name + "_type"] = type(buf)
                rec[name + "_shape"] = getattr(buf, "shape", None)
                rec[name + "_dtype"] = getattr(buf, "dtype", None)
                rec[name + "_format"] = getattr(buf, "format", None)
                rec[name + "_nbytes"] = buf.nbytes
                rec[name + "_first"] = bytes(memoryview(buf).cast("B")[:8]) if buf.nbytes else b""
        if self.fill is not None and outdata is not None:
            self.fill(outdata, len(self.records))
        self.records.append(rec)
        if self.stop_after is not None and len(self.records) >= self.stop_after:
            self.done.set()
            raise miniaudio.CallbackStop


# ---- what the callback is given -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("kind", ["playback", "capture", "duplex"])
def test_buffers_per_format(devices, kind, fmt):
    """Every period calls the callback once with sounddevice's arguments: numpy (frames, channels) arrays
    of the device's dtype (SIGNED24: a memoryview of the bytes), outdata silent to begin with."""
    dev = open_device(devices, kind, fmt, 2)
    calls = Calls(kind, stop_after=6)
    dev.start(callback=calls)
    assert dev.callback_generator is None
    assert dev.wait(timeout=DEADLINE)
    assert dev.callback_error is None
    stats = dev.stats
    assert len(calls.records) == 6 == stats.callbacks
    assert sum(r["frames"] for r in calls.records) == stats.frames
    main = threading.get_ident()
    for r in calls.records:
        frames = r["frames"]
        assert frames == RATE // 100  # the NULL device's 10 ms period
        assert r["thread"] != main
        assert isinstance(r["status"], miniaudio.CallbackFlags)
        assert isinstance(r["time"], miniaudio.CallbackTime)
        for side in (["in"] if kind != "playback" else []) + (["out"] if kind != "capture" else []):
            assert r[side + "_nbytes"] == frames * 2 * WIDTH[fmt]
            if fmt == SF.SIGNED24:
                assert r[side + "_type"] is memoryview and r[side + "_format"] == "B"
            else:
                assert r[side + "_type"] is np.ndarray
                assert r[side + "_shape"] == (frames, 2)
                assert r[side + "_dtype"] == DTYPE[fmt]
        if kind != "capture":
            assert r["out_first"] == (b"\x80" if fmt == SF.UNSIGNED8 else b"\0") * 8  # starts silent
    if kind == "playback":
        assert stats.padded_callbacks == 0


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_memoryviews_without_numpy(devices, monkeypatch, fmt):
    """Without numpy the buffers are memoryviews of the sample type, 1-D interleaved, writable."""
    monkeypatch.setattr(callbacks_module, "_asarray", lambda: None)
    dev = open_device(devices, "duplex", fmt, 2)
    seen = []

    def callback(indata, outdata, frames, t, status):
        seen.append((type(indata), indata.format, indata.ndim, len(indata), outdata.format, outdata.readonly))
        if fmt != SF.SIGNED24:
            outdata[:] = array.array(TYPECODE[fmt], [1] * (frames * 2))
        if len(seen) == 3:
            raise miniaudio.CallbackStop

    dev.start(callback=callback)
    assert dev.wait(timeout=DEADLINE)
    frames = RATE // 100
    code = TYPECODE.get(fmt, "B")
    n = frames * 2 * (3 if fmt == SF.SIGNED24 else 1)
    assert seen == [(memoryview, code, 1, n, code, False)] * 3


def test_callback_stop_ends_after_the_period(devices):
    """CallbackStop: no more calls, the run ends by itself (on_finished, wait() True, no error)."""
    finished = []
    dev = open_device(devices, "playback", on_finished=finished.append)
    calls = Calls("playback", stop_after=4)
    dev.start(callback=calls)
    assert dev.wait(timeout=DEADLINE) is True
    assert finished == [dev]
    assert not dev.running and dev.callback_error is None
    time.sleep(0.05)
    assert len(calls.records) == 4 == dev.stats.callbacks
    dev.stop()  # nothing to raise


def _end_delay(devices, exc):
    """Seconds from the raise in the callback to on_finished, on a device with a long buffer."""
    ended = threading.Event()
    dev = open_device(devices, "playback", buffersize_msec=100, callback_periods=3,
                      on_finished=lambda d: ended.set())
    raised = []

    def callback(outdata, frames, t, status):
        outdata.fill(0.25)
        raised.append(time.monotonic())
        raise exc

    dev.start(callback=callback)
    assert ended.wait(DEADLINE)
    delay = time.monotonic() - raised[0]
    assert dev.wait(timeout=DEADLINE) and dev.callback_error is None
    assert len(raised) == 1 and dev.stats.callbacks == 1
    return delay


def test_callback_abort_ends_at_once(devices):
    """CallbackAbort ends the run without playing what the device holds; CallbackStop plays it first (the
    periods the backend buffers, plus one): 400 ms here."""
    abort = _end_delay(devices, miniaudio.CallbackAbort)
    stop = _end_delay(devices, miniaudio.CallbackStop())
    print("on_finished after CallbackAbort %.3f s, after CallbackStop %.3f s" % (abort, stop))
    assert stop >= 0.3
    assert abort < stop / 2


@pytest.mark.parametrize("kind", ["playback", "capture", "duplex"])
def test_exception_is_reraised_by_wait(unraisable, devices, kind):
    """Any other exception: reported to sys.unraisablehook (naming the callback), kept, raised by wait();
    the callback is not called again."""
    dev = open_device(devices, kind)
    count = []

    def callback(*args):
        count.append(1)
        if len(count) == 3:
            raise KeyError("callback failed")

    dev.start(callback=callback)
    with pytest.raises(KeyError, match="callback failed"):
        dev.wait(timeout=DEADLINE)
    assert not dev.running
    assert len(count) == 3 == dev.stats.callbacks
    assert [(type(e), o) for e, o in unraisable] == [(KeyError, callback)]
    dev.stop()  # raised once only
    assert isinstance(dev.callback_error, KeyError)


def test_kept_buffers_stay_valid(devices):
    """Arrays kept after the call (without copying) are not miniaudio's period memory: they stay
    valid, keep their content, and writing into them later changes nothing."""
    dev = open_device(devices, "duplex", SF.SIGNED16, 2)
    kept = []

    def callback(indata, outdata, frames, t, status):
        outdata[:] = len(kept) + 1
        kept.append((indata, outdata, outdata[:, 1]))
        if len(kept) == 5:
            raise miniaudio.CallbackStop

    dev.start(callback=callback)
    assert dev.wait(timeout=DEADLINE)
    dev.close()
    gc.collect()
    for i, (indata, outdata, column) in enumerate(kept):
        assert (outdata == i + 1).all() and (column == i + 1).all()
        assert not indata.any()  # the NULL device records silence
        outdata[:] = -1
        indata[:] = -1
    for a, b in zip(kept, kept[1:]):
        assert not np.shares_memory(a[1], b[1]) and not np.shares_memory(a[0], b[0])


def test_buffers_in_a_traceback_stay_valid(unraisable, devices):
    """The exception's traceback holds outdata (a local of the callback); after the run it can be written
    to safely."""
    dev = open_device(devices, "playback")

    def callback(outdata, frames, t, status):
        outdata.fill(0.5)
        raise ValueError("with outdata in the frame")

    dev.start(callback=callback)
    with pytest.raises(ValueError) as info:
        dev.wait(timeout=DEADLINE)
    dev.close()
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    outdata = tb.tb_frame.f_locals["outdata"]
    assert (outdata == 0.5).all()
    outdata[:] = 1.0
    assert (outdata == 1.0).all()


def test_buffers_reused_when_not_kept(devices):
    """A callback that keeps nothing gets the same memory every period (nothing is allocated per period
    but the arrays themselves)."""
    dev = open_device(devices, "playback")
    addresses = []

    def callback(outdata, frames, t, status):
        addresses.append(outdata.__array_interface__["data"][0])
        if len(addresses) == 5:
            raise miniaudio.CallbackStop

    dev.start(callback=callback)
    assert dev.wait(timeout=DEADLINE)
    assert len(set(addresses)) == 1


# ---- status and time ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["playback", "capture", "duplex"])
def test_status_flags_after_a_late_callback(devices, kind):
    """A callback that takes longer than its period: the next call's status says so (output_underflow
    for a device that plays, input_overflow for one that records); bool(status) is True then."""
    dev = open_device(devices, kind)
    statuses = []

    def callback(*args):
        statuses.append(args[-1])
        if len(statuses) == 3:
            time.sleep(0.03)  # 3 periods
        if len(statuses) == 6:
            raise miniaudio.CallbackStop

    dev.start(callback=callback)
    assert dev.wait(timeout=DEADLINE)
    late = statuses[3]
    assert bool(late) is True
    assert late.output_underflow is (kind != "capture")
    assert late.input_overflow is (kind != "playback")
    assert not late.input_underflow and not late.output_overflow and not late.priming_output
    assert bool(statuses[0]) is False  # nothing came before the first
    flagged = sum(bool(s) for s in statuses)
    assert 1 <= flagged <= dev.stats.late_callbacks
    text = str(late)
    assert ("output underflow" in text) is (kind != "capture") and ("input overflow" in text) is (kind != "playback")
    assert repr(statuses[0]) == "<miniaudio.CallbackFlags: no flags set>"


def test_callback_flags_collect():
    """sounddevice's idiom: errors |= status collects the flags of many periods."""
    errors = miniaudio.CallbackFlags()
    assert not errors
    errors |= miniaudio.CallbackFlags(4)
    errors |= miniaudio.CallbackFlags(2)
    assert errors.output_underflow and errors.input_overflow and not errors.input_underflow
    assert str(errors) == "input overflow, output underflow"
    with pytest.raises(TypeError):
        errors |= 4


@pytest.mark.parametrize("kind", ["playback", "capture", "duplex"])
def test_time_fields(devices, kind):
    """time: currentTime on time.monotonic()'s clock and increasing; outputBufferDacTime = currentTime +
    the playback latency; inputBufferAdcTime before currentTime by the capture latency; 0.0 for a side
    the device does not have."""
    dev = open_device(devices, kind)
    calls = Calls(kind, stop_after=8)
    dev.start(callback=calls)
    assert dev.wait(timeout=DEADLINE)
    cap_latency, play_latency = dev._latency
    previous = 0.0
    for r in calls.records:
        t = r["time"]
        assert tuple(t) == (t.currentTime, t.inputBufferAdcTime, t.outputBufferDacTime)
        assert previous < t.currentTime <= r["monotonic"]
        if sys.platform.startswith("linux"):
            assert r["monotonic"] - t.currentTime < 0.5
        previous = t.currentTime
        if kind == "capture":
            assert t.outputBufferDacTime == 0.0
        else:
            assert t.outputBufferDacTime >= t.currentTime
            assert t.outputBufferDacTime - t.currentTime == pytest.approx(play_latency, abs=1e-6)
        if kind == "playback":
            assert t.inputBufferAdcTime == 0.0
        else:
            assert t.inputBufferAdcTime < t.currentTime
            assert t.currentTime - t.inputBufferAdcTime == pytest.approx(max(cap_latency, r["frames"] / RATE),
                                                                         abs=1e-6)


# ---- the arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["playback", "capture", "duplex"])
def test_generator_and_callback_refused(devices, kind):
    dev = open_device(devices, kind)

    def gen():
        while True:
            yield b""

    with pytest.raises(TypeError, match="callback_generator.*callback"):
        dev.start(gen(), callback=lambda *a: None)
    with pytest.raises(TypeError, match="callback must be callable"):
        dev.start(callback=42)
    assert not dev.running
    dev.start()  # a push run still starts without either
    assert dev.running
    dev.stop()


def test_restart_after_callback_run(devices):
    """A device runs a callback, then a generator, then a callback again."""
    dev = open_device(devices, "playback", SF.SIGNED16, 2)
    for _ in range(2):
        calls = Calls("playback", stop_after=2)
        dev.start(callback=calls)
        assert dev.wait(timeout=DEADLINE)

        def gen():
            frames = yield b""
            for _ in range(2):
                frames = yield b"\0" * (4 * frames)

        dev.start(gen())
        assert dev.wait(timeout=DEADLINE)
        assert dev.callback_error is None


# ---- numpy input for generators ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED32, SF.FLOAT32], ids=lambda f: f.name)
def test_capture_generator_gets_numpy(devices, fmt):
    """start(gen, input_type="numpy"): the generator is sent (frames, channels) arrays of the device's
    dtype; ones it keeps stay its own (not overwritten by later periods)."""
    dev = open_device(devices, "capture", fmt, 2)
    got = []

    def gen():
        while True:
            data = yield
            got.append(data)
            if len(got) == 5:
                return

    g = gen()
    dev.start(g, input_type="numpy")
    assert dev.callback_generator is g
    assert dev.wait(timeout=DEADLINE)
    assert dev.callback_error is None
    assert len(got) == 5 == dev.stats.callbacks
    for data in got:
        assert isinstance(data, np.ndarray) and data.shape == (RATE // 100, 2) and data.dtype == DTYPE[fmt]
        assert (data == data.flat[0]).all()  # the NULL device records a constant
    data = got[0]
    data[:] = 7  # the generator's own
    assert all(not np.shares_memory(a, b) for a, b in zip(got, got[1:]))
    assert (got[1] != 7).all()


def test_duplex_generator_gets_numpy_and_plays_what_it_yields(devices):
    dev = open_device(devices, "duplex", SF.SIGNED16, 2)
    got = []

    def gen():
        out = None
        while len(got) < 5:
            data = yield out
            got.append(data)
            out = data + 1  # the same shape and dtype: played as it is

    dev.start(gen(), input_type="numpy")
    assert dev.wait(timeout=DEADLINE)
    assert dev.callback_error is None
    assert [d.shape for d in got] == [(RATE // 100, 2)] * 5
    assert dev.stats.padded_callbacks == 1  # only the period of the return


def test_bytearray_stays_the_default(devices):
    dev = open_device(devices, "capture", SF.SIGNED16, 2)
    got = []

    def gen():
        for _ in range(2):
            got.append((yield))

    dev.start(gen(), input_type="bytearray")
    assert dev.wait(timeout=DEADLINE)
    dev.start(gen())
    assert dev.wait(timeout=DEADLINE)
    assert len(got) == 4 and {type(d) for d in got} == {bytearray}


def test_input_type_refused(devices):
    def gen():
        while True:
            yield

    cap = open_device(devices, "capture", SF.SIGNED16)
    with pytest.raises(ValueError, match="input_type"):
        cap.start(gen(), input_type="numpy-ish")
    with pytest.raises(ValueError, match="input_type"):
        cap.start(callback=lambda *a: None, input_type="numpy")
    with pytest.raises(ValueError, match="input_type"):
        cap.start(input_type="numpy")
    s24 = open_device(devices, "capture", SF.SIGNED24)
    with pytest.raises(ValueError, match="24-bit"):
        s24.start(gen(), input_type="numpy")
    play = open_device(devices, "playback")
    for value in ("numpy", "bytearray"):
        with pytest.raises(ValueError, match="input_type"):
            play.start(gen(), input_type=value)
    assert not cap.running and not s24.running


# ---- on a real server: what the callback writes is heard ---------------------------------------

FREQ = 1000.0
AMP = 0.5


def tone(start, frames):
    t = np.arange(start, start + frames, dtype=np.float64)
    x = (AMP * np.sin(2.0 * np.pi * FREQ * t / RATE)).astype(np.float32)
    return np.repeat(x[:, None], 2, axis=1)


def counter(frames):
    """A frame-counter signal (16-bit stereo, frame i encodes i, never below 4000)."""
    i = np.arange(frames)
    return np.stack([4000 + (i % 40000) // 2, 4000 + 1000 * (i % 2) + 2000 * (i // 40000)], axis=1).astype("<i2")


def counter_frames(x):
    loud = np.nonzero(x[:, 0] >= 4000)[0]
    assert loud.size, "nothing of the counter signal was recorded"
    y = x[loud[0]:loud[-1] + 1].astype(np.int64)
    return (y[:, 1] - 4000) // 2000 * 40000 + 2 * (y[:, 0] - 4000) + (y[:, 1] - 4000) % 2000 // 1000


class Parec:
    """parec recording a monitor (s16le stereo) into a file."""

    def __init__(self, pulse_server, path, monitor="test.monitor"):
        self.path = str(path)
        self.file = open(self.path, "wb")
        self.proc = subprocess.Popen(["parec", "--raw", "--device=" + monitor, "--format=s16le", "--rate=%d" % RATE,
                                      "--channels=2", "--latency-msec=20"], stdout=self.file,
                                     stderr=subprocess.PIPE, env=pulse_server.client_env())

    def frames(self):
        import os
        return os.path.getsize(self.path) // 4

    def wait_frames(self, more):
        target = self.frames() + more
        assert wait_until(lambda: self.frames() >= target or self.proc.poll() is not None), \
            "parec: %d of %d frames" % (self.frames(), target)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()
        self.file.close()
        return np.fromfile(self.path, dtype="<i2").reshape(-1, 2)


def counter_player(stop_at, exc):
    """A playback callback playing the counter signal; the call whose period reaches `stop_at` fills its
    outdata, then raises `exc`.  .raised_at: the first frame of that period."""
    pcm = counter(stop_at + RATE)

    class Player:
        pos = 0
        raised_at = None

        def __call__(self, outdata, frames, t, status):
            outdata[:] = pcm[self.pos:self.pos + frames]
            start, self.pos = self.pos, self.pos + frames
            if self.pos >= stop_at:
                self.raised_at = start
                raise exc

    return Player()


@pytest.mark.parametrize("how", ["stop", "abort"])
def test_stop_plays_the_last_period_abort_does_not(pulse_server, tmp_path, how):
    """CallbackStop: every frame the callback wrote, its last period included, is heard before the run
    ends.  CallbackAbort: the period of the raise is not heard."""
    exc = miniaudio.CallbackStop if how == "stop" else miniaudio.CallbackAbort
    player = counter_player(RATE // 2, exc)
    with miniaudio.PlaybackDevice(SF.SIGNED16, 2, RATE, buffersize_msec=20, device_id="Null Output",
                                  backends=PULSE) as dev:
        rec = Parec(pulse_server, tmp_path / "monitor.s16")
        try:
            rec.wait_frames(RATE // 10)
            dev.start(callback=player)
            assert dev.wait(timeout=DEADLINE)
            assert dev.callback_error is None
            rec.wait_frames(RATE // 2)
        finally:
            x = rec.stop()
    got = counter_frames(x)
    print("%s: frames %d..%d arrived; the raise came in the period from frame %d to %d"
          % (how, got[0], got[-1], player.raised_at, player.pos - 1))
    assert (np.diff(got) == 1).all(), "a gap in the frames"
    if how == "stop":
        assert got[-1] == player.pos - 1
    else:
        assert got[-1] < player.raised_at


def test_duplex_callback_passthrough(pulse_server, tmp_path):
    """wire.py: a duplex callback copying indata to outdata.  A PlaybackDevice callback plays a 1 kHz tone
    into "Null Output"; the duplex stream records its monitor and plays into a second null sink; the
    second sink's monitor must carry the tone at its level.  (The second sink only ever hears the
    duplex's output: without the copy it would be silent.)"""
    module = pulse_server.load_null_sink("wire_out", "Wire Out")
    try:
        class Tone:
            pos = 0

            def __call__(self, outdata, frames, t, status):
                outdata[:] = tone(self.pos, frames)
                self.pos += frames

        wired = []

        def wire(indata, outdata, frames, t, status):
            outdata[:] = indata
            wired.append(frames)

        with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=20, device_id="Null Output",
                                      backends=PULSE) as player, \
                miniaudio.DuplexStream(SF.FLOAT32, 2, SF.FLOAT32, 2, RATE, buffersize_msec=20,
                                       playback_device_id="Wire Out", capture_device_id="Monitor of Null Output",
                                       backends=PULSE) as duplex:
            player.start(callback=Tone())
            duplex.start(callback=wire)
            rec = Parec(pulse_server, tmp_path / "wire.s16", monitor="wire_out.monitor")
            try:
                rec.wait_frames(2 * RATE)
            finally:
                x = rec.stop()
            duplex.stop()
            player.stop()
            stats = duplex.stats
    finally:
        pulse_server.unload_module(module)
    assert stats.callbacks == len(wired) > 0
    y = x[:, 0].astype(np.float64) / 32768.0
    loud = np.nonzero(np.abs(y) > 0.05)[0]
    assert loud.size > RATE // 2, "the second sink heard no tone: %d loud frames" % loud.size
    w = y[loud[0] + RATE // 4:loud[-1]]  # after the duplex ring's start-up
    assert len(w) >= RATE // 2
    spectrum = np.abs(np.fft.rfft(w * np.hanning(len(w))))
    freq = (int(np.argmax(spectrum[1:])) + 1) * RATE / len(w)
    rms = float(np.sqrt(np.mean(w * w)))
    print("through the duplex callback: %.1f Hz, RMS %.4f over %d frames; %r" % (freq, rms, len(w), stats))
    assert abs(freq - FREQ) < 5.0
    assert abs(rms - AMP / np.sqrt(2)) < 0.05 * AMP / np.sqrt(2)
    assert np.allclose(x[:, 0], x[:, 1])
