"""Device statistics (DeviceStats) on the NULL backend.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import time


import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import wait_until, check_accounting


# --- statistics ------------------------------------------------------------------------------------------

def test_late_callbacks_counted(devices):
    """A generator that sleeps 2.5 periods in some callbacks: those are late, the others are not."""
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    slow_at = {3, 6, 9}
    asks, durations = [], []

    def gen():
        n = yield b""
        while True:
            t = time.perf_counter()
            asks.append(n)
            if len(asks) in slow_at:
                time.sleep(0.025)
            out = bytes(n * 4)
            durations.append(time.perf_counter() - t)
            n = yield out

    t0 = time.monotonic()
    dev.start(gen())
    assert wait_until(lambda: len(asks) >= 14)
    dev.stop()
    elapsed = time.monotonic() - t0
    stats = dev.stats
    check_accounting(stats, asks)
    period = asks[0] / 44100
    slow_seen = sum(1 for d in durations if d > period)
    assert slow_seen >= 3
    assert slow_seen <= stats.late_callbacks <= slow_seen + 2, (stats, durations)
    assert stats.max_callback_seconds >= 0.025
    assert stats.callback_seconds >= 3 * 0.025
    assert stats.max_callback_seconds <= stats.callback_seconds <= elapsed
    assert stats.padded_callbacks == 0


def test_stats_grow_consistently_while_running(devices):
    dev = devices(miniaudio.CaptureDevice, SF.SIGNED16, 1, 16000, buffersize_msec=10)
    sizes = []

    def gen():
        while True:
            sizes.append(len((yield)) // 2)

    dev.start(gen())
    snapshots = []
    for want in (5, 10, 20):
        assert wait_until(lambda: dev.stats.callbacks >= want)
        snapshots.append(dev.stats)
    dev.stop()
    final = dev.stats
    for a, b in zip(snapshots + [final], (snapshots + [final])[1:]):
        assert b.callbacks >= a.callbacks and b.frames >= a.frames
        assert b.callback_seconds >= a.callback_seconds
        assert b.max_callback_seconds >= a.max_callback_seconds
    check_accounting(final, sizes)
    assert all(n == 160 for n in sizes), sizes  # 10 ms at 16 kHz
    assert final.late_callbacks <= 2
