"""Playback on the NULL backend through the generator protocol: every chunk type and sample format with
exact frame counts, end of run, short chunks and padding.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import array
import threading
import time

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import DEADLINE, wait_until, Feeder, Finished, check_accounting


# --- playback: chunk types and exact frame counts --------------------------------------------------------

CHUNK_CASES = [
    (SF.SIGNED16, 2, "bytes"), (SF.SIGNED16, 2, "bytearray"), (SF.SIGNED16, 2, "memoryview"),
    (SF.SIGNED16, 2, "memoryview_typed"), (SF.SIGNED16, 2, "array"), (SF.SIGNED16, 2, "numpy1d"),
    (SF.SIGNED16, 2, "numpy2d"), (SF.SIGNED16, 2, "numpy_raw_bytes"), (SF.SIGNED16, 1, "numpy2d"),
    (SF.FLOAT32, 2, "numpy2d"), (SF.FLOAT32, 1, "array"), (SF.FLOAT32, 2, "numpy_raw_bytes"),
    (SF.SIGNED32, 2, "array"), (SF.SIGNED32, 3, "numpy1d"), (SF.UNSIGNED8, 2, "bytes"),
    (SF.UNSIGNED8, 2, "numpy2d"), (SF.SIGNED24, 2, "bytes"), (SF.SIGNED24, 1, "memoryview"),
]


@pytest.mark.parametrize("fmt,nch,kind", CHUNK_CASES, ids=lambda x: getattr(x, "name", str(x)))
def test_playback_chunk_types_and_frame_counts(devices, fmt, nch, kind):
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, fmt, nch, 44100, buffersize_msec=10, on_finished=fin.on_finished)
    dev.stop_callback = fin.stop_callback
    feeder = Feeder(fmt, nch, kind, limit=8)
    gen = feeder.gen()
    dev.start(gen)
    assert dev.callback_generator is gen
    assert dev.wait(DEADLINE) is True
    assert dev.running is False
    assert feeder.ended.is_set()
    assert not feeder.bad_asks, feeder.bad_asks
    assert len(feeder.asks) == 9
    # 10 ms at 44.1 kHz
    assert all(n == feeder.asks[0] for n in feeder.asks), feeder.asks
    assert 400 <= feeder.asks[0] <= 480
    check_accounting(dev.stats, feeder.asks)
    assert dev.callback_error is None
    assert fin.event.wait(DEADLINE)
    assert fin.finished_with() == [dev]
    assert dev.callback_generator is None  # 1.71 drops an exhausted generator


def test_playback_frames_match_over_a_longer_run(devices):
    """stop() rather than a natural end: callbacks / frames / padded agree with what the generator saw."""
    feeder = Feeder(SF.FLOAT32, 2, "numpy2d")
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.FLOAT32, 2, 48000, buffersize_msec=10, on_finished=fin.on_finished)
    t0 = time.monotonic()
    dev.start(feeder.gen())
    assert wait_until(lambda: len(feeder.asks) >= 30)
    dev.stop()
    elapsed = time.monotonic() - t0
    assert dev.running is False and dev.callback_generator is None
    seen = len(feeder.asks)
    stats = dev.stats
    check_accounting(stats, feeder.asks)
    assert stats.padded_callbacks == 0
    assert 0 <= stats.max_callback_seconds <= stats.callback_seconds <= elapsed
    # real-time paced: 30 periods of 10 ms take at least ~0.25 s
    assert elapsed >= 0.2
    assert dev.wait(0) is True
    time.sleep(0.05)  # nothing runs after stop(): the generator is not called again
    assert len(feeder.asks) == seen and dev.stats == stats
    assert fin.calls == []  # on_finished only for a run that ends by itself


def test_start_again_after_stop_and_after_finish(devices):
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    f1 = Feeder()
    dev.start(f1.gen())
    assert f1.first.wait(DEADLINE)
    dev.stop()
    before = dev.stats.callbacks
    f2 = Feeder(limit=3)
    dev.start(f2.gen())
    assert dev.wait(DEADLINE)
    assert f2.ended.is_set()
    assert fin.event.wait(DEADLINE) and fin.finished_with() == [dev]
    assert dev.stats.callbacks >= before + 4
    f3 = Feeder(limit=2)
    dev.start(f3.gen())
    assert dev.wait(DEADLINE) and f3.ended.is_set()
    assert wait_until(lambda: len(fin.finished_with()) == 2)
    assert dev.stats.callbacks >= before + 7
    assert dev.stats.frames >= sum(f1.asks) + sum(f2.asks) + sum(f3.asks)


def test_wait_timeout(devices):
    dev = devices()
    assert dev.wait() is True  # not running: at once
    assert dev.wait(0) is True
    dev.start(Feeder().gen())
    t0 = time.monotonic()
    assert dev.wait(0.1) is False
    assert time.monotonic() - t0 >= 0.09
    assert dev.running
    t0 = time.monotonic()
    assert dev.wait(0) is False
    assert time.monotonic() - t0 < 0.05
    dev.stop()
    assert dev.wait() is True
    assert dev.wait(0.5) is True


def test_wait_returns_after_stop_from_another_thread(devices):
    dev = devices()
    feeder = Feeder()
    dev.start(feeder.gen())
    assert feeder.first.wait(DEADLINE)
    t = threading.Timer(0.1, dev.stop)
    t.start()
    t0 = time.monotonic()
    assert dev.wait(DEADLINE) is True
    assert time.monotonic() - t0 < DEADLINE
    t.join()
    assert not dev.running


def test_end_callbacks_order_and_thread(devices):
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    running_seen = []

    def stop_callback():
        running_seen.append(dev.running)
        fin.stop_callback()

    dev.stop_callback = stop_callback
    dev.start(Feeder(limit=2).gen())
    assert dev.wait(DEADLINE)
    assert running_seen == [False]  # `running` is False before the end callbacks run
    # wait() returns after the end callbacks have run
    assert [c[0] for c in fin.calls] == ["stop_callback", "on_finished"]
    for _, _, name, daemon in fin.calls:
        assert name == "miniaudio-events" and daemon is True
    assert fin.calls[1][1] is dev


def test_generator_returns_at_once(devices):
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    sent = []

    def gen():
        n = yield b""
        sent.append(n)

    dev.start(gen())
    assert dev.wait(DEADLINE) is True
    assert dev.running is False
    assert fin.event.wait(DEADLINE) and fin.finished_with() == [dev]
    assert len(sent) == 1 and isinstance(sent[0], int) and sent[0] > 0
    assert dev.stats.callbacks >= 1
    assert dev.callback_error is None
    dev.stop()
    dev.close()


def test_generator_exhausted_at_priming_is_clean(devices):
    """A generator that returns before its first yield: start() either reports it or the run ends at
    once; never a crash, hang or SystemError."""
    fin = Finished()
    dev = devices(on_finished=fin.on_finished)

    def gen():
        return
        yield  # noqa

    try:
        dev.start(gen())
    except Exception as e:
        assert not isinstance(e, SystemError)
    assert dev.wait(DEADLINE) is True
    assert dev.running is False
    dev.close()


def test_generator_raising_at_priming_propagates_from_start(devices):
    dev = devices()

    def gen():
        raise ZeroDivisionError("at priming")
        yield  # noqa

    with pytest.raises(ZeroDivisionError, match="at priming"):
        dev.start(gen())
    assert dev.running is False
    feeder = Feeder(limit=2)
    dev.start(feeder.gen())
    assert dev.wait(DEADLINE) and feeder.ended.is_set()


def test_primed_and_unprimed_generators(devices):
    """1.71 callers prime with next(); unprimed generators are primed by start(): both get ints."""
    for prime in (False, True):
        got = []

        def gen():
            first = yield b"priming item (discarded)"
            got.append(first)
            while len(got) < 4:
                got.append((yield bytes(first * 4)))

        g = gen()
        if prime:
            assert next(g) == b"priming item (discarded)"
        dev = devices()
        dev.start(g)
        assert dev.wait(DEADLINE)
        assert len(got) == 4 and all(isinstance(n, int) and n > 0 for n in got), got
        assert dev.callback_error is None


def test_object_with_send_method(devices):
    class Tone:
        def __init__(self):
            self.asks = []

        def send(self, n):
            self.asks.append(n)
            if len(self.asks) > 5:
                raise StopIteration
            return array.array("h", [1000, -1000]) * n

    fin = Finished()
    dev = devices(on_finished=fin.on_finished)
    tone = Tone()
    dev.start(tone)
    assert dev.wait(DEADLINE)
    assert fin.event.wait(DEADLINE)
    assert len(tone.asks) == 6
    check_accounting(dev.stats, tone.asks)


@pytest.mark.parametrize("bad", [42, "abc", [b"\0" * 4], lambda n: b"", iter([b"\0"]), object()],
                         ids=lambda x: type(x).__name__)
def test_start_requires_a_generator(devices, bad):
    dev = devices()
    with pytest.raises(TypeError):
        dev.start(bad)
    assert dev.running is False and dev.callback_generator is None
    feeder = Feeder(limit=1)
    dev.start(feeder.gen())  # still usable
    assert dev.wait(DEADLINE)


# --- playback: short chunks, padding ---------------------------------------------------------------------

def test_short_none_and_empty_chunks_are_padded(devices):
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    pattern = ["full", "half", "none", "empty", "full", "one", "full", "empty_array", "half"]
    asks = []

    def gen():
        n = yield b""
        while True:
            asks.append(n)
            what = pattern[(len(asks) - 1) % len(pattern)]
            if what == "full":
                out = bytes(n * 4)
            elif what == "half":
                out = bytes((n // 2) * 4)
            elif what == "one":
                out = array.array("h", [5, 5])
            elif what == "none":
                out = None
            elif what == "empty":
                out = b""
            else:
                out = array.array("h")
            n = yield out

    dev.start(gen())
    assert wait_until(lambda: len(asks) >= 2 * len(pattern))
    dev.stop()
    stats = dev.stats
    check_accounting(stats, asks)
    short = sum(1 for i in range(len(asks)) if pattern[i % len(pattern)] != "full")
    extra = stats.callbacks - len(asks)
    assert short <= stats.padded_callbacks <= short + extra, (stats, short)
    assert dev.callback_error is None
