"""A playback or duplex device's master volume (volume, volume_db) and its click-free pause/resume.

On the NULL backend: the API, how many frames the source is asked for around a pause (exactly the
fade's frames, then none), the statistics, the life cycle and a thread that toggles everything while
the device runs.  On a PulseAudio float32 null sink (the `pulse_server` fixture; a second sink in
float32 so that the monitor gives back the exact float samples played): every sample of every kind of
run (a Python generator, a stream pulled in C, write(), callback=, a DuplexStream) scaled exactly by
the volume, and a pause/resume whose recording holds the exact linear ramps, silence, and the source
continuing from the very next frame.

The signal: a float32 "frame counter", frame i = ((i + 1000) / 2**22, 0.5).  Channel 1 tells the
gain g each frame got (0.5 * g is exact); channel 0 then tells which frame it was and must be exactly
float32((i + 1000) / 2**22) * g.
"""
import math
import threading
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

import device_helpers as helpers

NULL = ["null"]
RATE = 48000
PERIOD = 480  # 10 ms periods on the NULL backend
DEADLINE = 30.0


def null_playback(fmt=SF.FLOAT32, **kw):
    return miniaudio.PlaybackDevice(fmt, 2, RATE, buffersize_msec=10, backends=NULL, **kw)


def counting_gen(asks):
    """A playback generator that records every frame count it is asked for and yields zeros."""
    frames = yield b""
    while True:
        asks.append(frames)
        frames = yield np.zeros((frames, 2), np.float32)


def settle(read, quiet=0.1, timeout=DEADLINE):
    """Waits until read() has not changed for `quiet` seconds; returns its value."""
    end = time.monotonic() + timeout
    value, since = read(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.01)
        now = read()
        if now != value:
            value, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return value
    raise AssertionError("still changing after %s s" % timeout)


# ---- NULL backend: the API -----------------------------------------------------------------------

def test_volume_attributes_round_trip_and_persist():
    with null_playback() as dev:
        assert (dev.volume, dev.volume_db, dev.paused) == (1.0, 0.0, False)
        dev.volume = 0.25
        assert dev.volume == 0.25 and dev.volume_db == pytest.approx(20 * math.log10(0.25))
        dev.volume_db = -6.0
        assert dev.volume == pytest.approx(10 ** (-6 / 20), rel=1e-12)
        dev.volume_db = -math.inf
        assert dev.volume == 0.0 and dev.volume_db == -math.inf
        dev.volume = 1
        dev.volume = 0.5
        dev.start(counting_gen([]))
        assert dev.volume == 0.5  # kept by a run, settable while it runs
        dev.volume = 0.75
        dev.stop()
        assert dev.volume == 0.75
    with miniaudio.DuplexStream(SF.FLOAT32, 2, SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=NULL) as duplex:
        duplex.volume_db = -3
        assert duplex.volume == pytest.approx(10 ** (-3 / 20))
    with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=NULL) as cap:
        assert not hasattr(cap, "volume") and not hasattr(cap, "pause")


def test_bad_volume_and_fade_values_change_nothing():
    with null_playback() as dev:
        dev.volume = 0.5
        for value, exc in ((float("nan"), ValueError), (-0.01, ValueError), (1.01, ValueError), ("1", TypeError),
                           (None, TypeError), (True, TypeError)):
            with pytest.raises(exc, match="volume"):
                dev.volume = value
        for value, exc in ((float("nan"), ValueError), (0.5, ValueError), ("0", TypeError)):
            with pytest.raises(exc, match="volume_db"):
                dev.volume_db = value
        assert dev.volume == 0.5
        dev.start(counting_gen([]))
        for value, exc in ((float("nan"), ValueError), (-0.01, ValueError), (float("inf"), ValueError),
                           ("0.1", TypeError), (None, TypeError)):
            with pytest.raises(exc, match="fade"):
                dev.pause(value)
            with pytest.raises(exc, match="fade"):
                dev.resume(fade=value)
        assert not dev.paused and dev.running
        dev.stop()


def test_pause_and_resume_need_a_running_device():
    with null_playback() as dev:
        for method in (dev.pause, dev.resume):
            with pytest.raises(miniaudio.MiniaudioError, match=r"needs a running device"):
                method()
        asks = []
        dev.start(counting_gen(asks))
        dev.pause(0)
        assert dev.paused
        dev.stop()  # works while paused
        assert not dev.paused
        with pytest.raises(miniaudio.MiniaudioError, match=r"pause\(\) needs a running device"):
            dev.pause()
        asks.clear()
        dev.start(counting_gen(asks))  # a new run starts unpaused
        assert not dev.paused
        assert helpers.wait_until(lambda: len(asks) >= 5)
        dev.stop()
    with pytest.raises(miniaudio.MiniaudioError, match="closed"):
        dev.pause()


@pytest.mark.parametrize("fade_frames", [0, 200, 700, 1000])
@pytest.mark.parametrize("kind", ["generator", "callback"])
def test_a_pause_pulls_exactly_the_fade_then_nothing(kind, fade_frames):
    """The source is asked for exactly the fade's frames after the pause (the last request cut
    short), then for nothing while paused; after resume() it is asked for whole periods again."""
    asks = []
    with null_playback() as dev:
        if kind == "generator":
            dev.start(counting_gen(asks))
        else:
            dev.start(callback=lambda outdata, frames, t, status: asks.append(frames))
        assert helpers.wait_until(lambda: len(asks) >= 3)
        dev.pause(fade_frames / RATE)
        n = settle(lambda: len(asks))
        assert dev.paused and dev.running
        before = list(asks)
        time.sleep(0.1)
        assert asks == before  # not called while paused
        # All whole periods, then the fade: min(period, what is left of it) per period.
        tail, left = [], fade_frames
        while left > 0:
            tail.append(min(PERIOD, left))
            left -= tail[-1]
        body = asks[:n - len(tail)]
        assert asks[n - len(tail):] == tail and set(body) == {PERIOD}, asks
        dev.resume(0.005)
        assert not dev.paused
        assert helpers.wait_until(lambda: len(asks) >= n + 5)
        assert set(asks[n:]) == {PERIOD}
        dev.stop()


def test_a_paused_stream_keeps_its_position():
    pcm = np.zeros((10 * RATE, 2), np.float32)
    stream = miniaudio.stream_raw_pcm_memory(pcm, 2, 4)
    with null_playback() as dev:
        dev.start(stream)
        assert helpers.wait_until(lambda: stream.position >= 3 * PERIOD)
        dev.pause(300 / RATE)
        pos = settle(lambda: stream.position)
        assert (pos - 300) % PERIOD == 0, pos
        time.sleep(0.1)
        assert stream.position == pos and dev.running
        dev.resume()
        assert helpers.wait_until(lambda: stream.position >= pos + 3 * PERIOD)
        dev.stop()


def test_paused_periods_are_neither_padded_nor_underflows():
    """A push run with nothing written pads every period and counts an underflow once fed; paused,
    its periods count as neither, and the ring keeps what was written."""
    with null_playback(ring_msec=200) as dev:
        dev.write(np.zeros((PERIOD, 2), np.float32))  # starts the run
        assert helpers.wait_until(lambda: dev.stats.padded_callbacks >= 2)
        dev.pause(0)
        time.sleep(0.05)
        dev.write(np.zeros((3 * PERIOD, 2), np.float32))
        free = dev.write_available
        stats = dev.stats
        assert helpers.wait_until(lambda: dev.stats.callbacks >= stats.callbacks + 10)
        now = dev.stats
        assert (now.padded_callbacks, now.underflows) == (stats.padded_callbacks, stats.underflows)
        assert dev.write_available == free  # not drained while paused
        assert not dev.drain(timeout=0.1)  # drain() waits for a resume
        dev.resume(0)
        assert dev.wait(timeout=DEADLINE)


def test_a_paused_duplex_stream_does_not_call_its_generator():
    asks = []

    def gen():
        data = yield b""
        while True:
            asks.append(len(data))
            data = yield bytes(len(data))

    with miniaudio.DuplexStream(SF.FLOAT32, 2, SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=NULL) as dev:
        g = gen()
        next(g)
        dev.start(g)
        assert helpers.wait_until(lambda: len(asks) >= 3)
        dev.pause(100 / RATE)
        n = settle(lambda: len(asks))
        assert asks[n - 1] == 100 * 8  # the fade's 100 frames of input, 8 bytes each
        time.sleep(0.05)
        assert len(asks) == n
        dev.resume()
        assert helpers.wait_until(lambda: len(asks) >= n + 3)
        dev.stop()


@pytest.mark.parametrize("source", ["generator", "stream", "write"])
def test_a_thread_toggling_pause_resume_and_volume(source):
    """One thread pauses, resumes and changes the volume as fast as it can while the device plays
    (and the main thread does too); the device keeps running and ends cleanly."""
    errors, stop = [], threading.Event()
    dev = null_playback()

    def toggler(seed):
        rng = np.random.default_rng(seed)
        try:
            while not stop.is_set():
                what = rng.integers(4)
                fade = float(rng.choice([0.0, 0.0001, 0.003, 0.02]))
                if what == 0:
                    dev.pause(fade)
                elif what == 1:
                    dev.resume(fade)
                elif what == 2:
                    dev.volume = float(rng.random())
                else:
                    dev.volume_db = -float(rng.random() * 40)
                time.sleep(float(rng.random()) * 0.002)
        except BaseException as exc:  # reported below
            errors.append(exc)

    try:
        if source == "generator":
            dev.start(counting_gen([]))
        elif source == "stream":
            dev.start(miniaudio.Waveform("sine", 440, 0.5, RATE, 2, output_format=SF.FLOAT32))
        else:
            dev.write(np.zeros((PERIOD, 2), np.float32))  # starts the push run
        threads = [threading.Thread(target=toggler, args=(seed,)) for seed in (1, 2)]
        for t in threads:
            t.start()
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            if source == "write":
                try:
                    dev.write(np.zeros((PERIOD, 2), np.float32), timeout=0.05)
                except TimeoutError:
                    pass  # paused: the ring is full
            else:
                time.sleep(0.01)
        stop.set()
        for t in threads:
            t.join()
        assert not errors, errors
        assert dev.running
        dev.resume(0)
        stats = dev.stats
        assert stats.callbacks > 50
        dev.stop()
        assert not dev.running and not dev.paused and dev.callback_error is None
    finally:
        stop.set()
        dev.close()
    assert dev.closed


# ---- exact samples on a PulseAudio float32 null sink -------------------------------------------

F32_SINK = "devx_f32"
F32_DESC = "DevX Float Out"
F32_MONITOR = "Monitor of " + F32_DESC
TOTAL = RATE  # one second of the counter


def counter_f32(frames):
    i = np.arange(frames)
    return np.stack([((i + 1000) / 2.0 ** 22), np.full(frames, 0.5)], axis=1).astype(np.float32)


@pytest.fixture(scope="module")
def f32_sink(pulse_server):
    module = int(pulse_server.pactl("load-module", "module-null-sink", "sink_name=%s" % F32_SINK,
                                    "sink_properties='device.description=\"%s\"'" % F32_DESC, "rate=%d" % RATE,
                                    "channels=2", "format=float32le").strip())
    try:
        yield F32_DESC
    finally:
        pulse_server.unload_module(module)


class Glitch(Exception):
    """The server inserted silence where we played none (a loaded machine: see
    test_devices_pulse.assert_every_frame_once_in_order); the run is tried again."""


def decode(rec):
    """(positions of the non-silent frames, their gains, their frame numbers) of a recording; every
    non-silent sample must be exactly a counter sample times its gain."""
    loud = np.nonzero(rec[:, 1] != 0)[0]
    assert loud.size, "nothing recorded"
    y = rec[loud]
    g = (y[:, 1] * np.float32(2)).astype(np.float32)  # exact: 0.5 * g was played
    idx = np.rint(y[:, 0].astype(np.float64) / g * 2.0 ** 22).astype(np.int64) - 1000
    expected = ((idx + 1000) / 2.0 ** 22).astype(np.float32) * g
    bad = np.nonzero(expected != y[:, 0])[0]
    assert bad.size == 0, "samples not exactly counter x gain at %r" % [(int(loud[b]), float(y[b, 0]), float(g[b]))
                                                                        for b in bad[:5]]
    return loud, g, idx


def check_continuous(loud, idx, allowed_gap=None):
    """Every frame once and in order; silence only at `allowed_gap` (an index into loud)."""
    steps = np.diff(idx)
    bad = np.nonzero(steps != 1)[0]
    gaps = np.nonzero(np.diff(loud) != 1)[0]
    other_gaps = [int(k) for k in gaps if k != allowed_gap]
    if other_gaps:
        raise Glitch("silence inside the signal after frames %r" % [int(idx[k]) for k in other_gaps[:5]])
    assert bad.size == 0, "frames lost or repeated after %r" % [(int(idx[k]), int(idx[k + 1])) for k in bad[:5]]


def play_and_record(kind, during, volume_db=None):
    """Plays the counter through a run of `kind` to the float32 sink while a CaptureDevice records the
    sink's monitor; `during(device)` runs 0.25 s into the run.  Returns the recording (float32
    (frames, 2)) and the device's stats."""
    pcm = counter_f32(TOTAL)
    got, stop, errors = [], threading.Event(), []
    pos = [0]

    def take(n):
        chunk = pcm[pos[0]:pos[0] + n]
        pos[0] += len(chunk)
        return chunk

    if kind == "duplex":
        dev = miniaudio.DuplexStream(SF.FLOAT32, 2, SF.FLOAT32, 2, RATE, buffersize_msec=10,
                                     playback_device_id=F32_DESC, capture_device_id="Monitor of Null Output",
                                     backends=[miniaudio.Backend.PULSEAUDIO])
    else:
        dev = miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, device_id=F32_DESC,
                                       backends=[miniaudio.Backend.PULSEAUDIO])
    cap = miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, device_id=F32_MONITOR,
                                  backends=[miniaudio.Backend.PULSEAUDIO])

    def recorder():
        try:
            while not stop.is_set():
                got.append(np.asarray(cap.read(PERIOD, timeout=DEADLINE)).reshape(-1, 2))
        except BaseException as exc:  # reported below
            errors.append(exc)

    def writer():
        try:
            for s in range(0, TOTAL, PERIOD):
                dev.write(pcm[s:s + PERIOD], timeout=DEADLINE)
            dev.drain(timeout=DEADLINE)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def gen():
        n = yield b""
        while pos[0] < TOTAL:
            n = yield take(n if isinstance(n, int) else len(n) // 8)

    def callback(outdata, frames, t, status):
        chunk = take(frames)
        outdata[:len(chunk)] = chunk
        outdata[len(chunk):] = 0
        if pos[0] >= TOTAL:
            raise miniaudio.CallbackStop

    try:
        with dev, cap:
            if volume_db is not None:
                dev.volume_db = volume_db
            cap.read(PERIOD)  # the monitor runs before the signal starts
            rec = threading.Thread(target=recorder)
            rec.start()
            threads = [rec]
            if kind in ("generator", "duplex"):
                dev.start(gen())
            elif kind == "stream":
                dev.start(miniaudio.stream_raw_pcm_memory(pcm, 2, 4))
            elif kind == "callback":
                dev.start(callback=callback)
            else:
                threads.append(threading.Thread(target=writer))
                threads[-1].start()
            time.sleep(0.25)
            during(dev)
            assert dev.wait(timeout=DEADLINE)
            for t in threads[1:]:
                t.join()
            time.sleep(0.3)  # the rest through the server
            stop.set()
            rec.join()
            stats = dev.stats
    finally:
        stop.set()
    assert not errors, errors
    return np.concatenate(got), stats


def with_retries(attempt, tries=3):
    for n in range(tries):
        try:
            return attempt()
        except Glitch:
            if n == tries - 1:
                raise


KINDS = ["generator", "stream", "write", "callback", "duplex"]


@pytest.mark.parametrize("kind", KINDS)
def test_volume_set_while_playing_halves_every_sample_exactly(f32_sink, kind):
    """Full level, then volume = 0.5 while the run goes on: every frame of the counter once, in
    order, each sample exactly its value (then exactly half of it), one switch at a period boundary."""

    def attempt():
        rec, _ = play_and_record(kind, lambda dev: setattr(dev, "volume", 0.5))
        loud, g, idx = decode(rec)
        check_continuous(loud, idx)
        assert set(np.unique(g)) == {np.float32(0.5), np.float32(1.0)}, np.unique(g)
        switch = int(np.argmax(g != 1))
        assert np.all(g[:switch] == 1) and np.all(g[switch:] == np.float32(0.5))
        assert idx[-1] == TOTAL - 1 and switch > 0

    with_retries(attempt)


@pytest.mark.parametrize("kind", ["generator", "stream", "duplex"])
def test_volume_db_set_before_start_halves_every_sample_exactly(f32_sink, kind):
    def attempt():
        rec, _ = play_and_record(kind, lambda dev: None, volume_db=20 * math.log10(0.5))
        loud, g, idx = decode(rec)
        check_continuous(loud, idx)
        assert np.all(g == np.float32(0.5)) and idx[-1] == TOTAL - 1

    with_retries(attempt)


FADE = 600  # frames: more than one 480-frame period


@pytest.mark.parametrize("kind", KINDS)
def test_pause_and_resume_ramp_exactly_and_lose_no_frame(f32_sink, kind):
    """pause(fade) then resume(fade) 0.3 s later: the recording holds the full-level counter, the
    fade out (frames times F/(F+1) ... 1/(F+1)), silence, the fade in (1/(F+1) ... F/(F+1)) starting
    at the very next frame, then full level to the last frame: no frame lost or repeated."""

    def during(dev):
        dev.pause(FADE / RATE)
        time.sleep(0.3)
        assert dev.paused
        dev.resume(FADE / RATE)

    def attempt():
        rec, stats = play_and_record(kind, during)
        loud, g, idx = decode(rec)
        a = int(np.argmax(g != 1))
        assert a > 0, "no fade found"
        den = FADE + 1
        down = (np.arange(FADE, 0, -1) / den).astype(np.float32)
        up = (np.arange(1, FADE + 1) / den).astype(np.float32)
        if len(g) < a + 2 * FADE or np.any(np.diff(loud[a:a + 2 * FADE]) != 1) and \
                np.count_nonzero(np.diff(loud[a:a + 2 * FADE]) != 1) != 1:
            raise Glitch("the ramps are cut by silence")
        assert np.array_equal(g[a:a + FADE], down), g[a:a + FADE]
        assert np.array_equal(g[a + FADE:a + 2 * FADE], up), g[a + FADE:a + 2 * FADE]
        assert np.all(g[:a] == 1) and np.all(g[a + 2 * FADE:] == 1)
        pause_gap = a + FADE - 1  # the silence is between the ramps
        silence = int(loud[pause_gap + 1] - loud[pause_gap] - 1)
        assert 0.15 * RATE < silence < 0.6 * RATE, silence
        check_continuous(loud, idx, allowed_gap=pause_gap)
        assert idx[-1] == TOTAL - 1
        if kind == "write":
            assert stats.underflows == 0, stats

    with_retries(attempt)
