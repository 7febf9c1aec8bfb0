"""write() and read() on JACK (a private jackd with the dummy driver, tests/jack_server.py).

JACK calls back on a thread of its own, so the push path runs there.  A playback client's ports
are connected to a capture client's ports with jack_connect, so what one device write()s, the
other read()s: a frame-counter signal (int16, written to FLOAT32 devices: exact both ways) proves
every frame arrives once and in order.
"""
import subprocess
import threading
import time

import numpy as np

import miniaudio
from miniaudio import SampleFormat as SF

from test_devices_jack import CHANNELS, DEADLINE, JACK, PERIOD, RATE, jack  # noqa: F401 (the fixture)
import test_devices_pulse as tdp


def _connect(jack, source, dest):
    subprocess.run(["jack_connect", source, dest], check=True, env=dict(__import__("os").environ, **jack.env),
                   capture_output=True, timeout=10)


def _xruns(jack, since, clients):
    """The periods jackd reports lost since log offset `since` ("JackEngine::XRun: client = <name>
    was not finished": that client missed its cycle, whose period of audio is lost to it)."""
    with open(jack.log_path, "rb") as f:
        f.seek(since)
        text = f.read().decode("utf-8", "replace")
    return sum(text.count("JackEngine::XRun: client = %s " % c) for c in clients)


def test_write_on_one_client_is_read_on_another(jack):  # noqa: F811 (the fixture)
    total = 2 * RATE
    log_start = __import__("os").path.getsize(jack.log_path)
    pcm = tdp.counter_pcm(total)
    got, errors = [], []
    with miniaudio.PlaybackDevice(SF.FLOAT32, CHANNELS, RATE, buffersize_msec=10, backends=JACK,
                                  app_name="matest-out") as out, \
            miniaudio.CaptureDevice(SF.FLOAT32, CHANNELS, RATE, buffersize_msec=10, backends=JACK,
                                    app_name="matest-in", ring_msec=2000) as inp:
        got.append(inp.read(RATE // 10))  # the capture client runs (and has its ports) first
        out.start()  # registers the playback ports
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and not any(p.startswith("matest-out:") for p in jack.ports()):
            time.sleep(0.02)
        for i in range(CHANNELS):
            _connect(jack, "matest-out:playback%d" % i, "matest-in:capture%d" % i)

        def writer():
            try:
                for start in range(0, total, 480):
                    out.write(pcm[start:start + 480])
                out.drain(timeout=DEADLINE)
            except BaseException as exc:
                errors.append(exc)

        t = threading.Thread(target=writer)
        t.start()
        while t.is_alive():
            got.append(inp.read(RATE // 50, timeout=DEADLINE))
        got.append(inp.read(RATE // 5, timeout=DEADLINE))
        t.join()
        stats, cap_stats = out.stats, inp.stats
    assert not errors, errors
    assert stats.underflows == 0 and cap_stats.overflows == 0, (stats, cap_stats)
    # int16 -> float32 is exact (x / 32768) and JACK carries floats: back to the int16 counter
    x = np.round(np.concatenate(got) * 32768).astype(np.int16)
    # A client that misses JACK's cycle on the loaded machine loses that period, and jackd says so
    # in its log (measured under three busy processes: skips of exactly 256 frames, one XRun line
    # per lost period).  So whole periods may be missing, no more of them than jackd reported;
    # any other skip, or a frame repeated, fails.
    loud = np.nonzero(x[:, 0] >= 4000)[0]
    y = x[loud].astype(np.int64)
    frame = (y[:, 1] - 4000) // 2000 * 40000 + 2 * (y[:, 0] - 4000) + (y[:, 1] - 4000) % 2000 // 1000
    step = np.diff(frame) - 1
    xruns = _xruns(jack, log_start, ("matest-in", "matest-out"))
    assert (step >= 0).all(), "frames repeated after %r" % [int(frame[i]) for i in np.nonzero(step < 0)[0][:5]]
    assert (step % PERIOD == 0).all(), "a skip of other than whole periods: %r" % sorted(set(step[step > 0].tolist()))
    assert step.sum() // PERIOD <= xruns, "%d periods missing, jackd reported %d xruns" % (step.sum() // PERIOD, xruns)
    if xruns == 0:
        tdp.assert_every_frame_once_in_order(x, total, max_inserted=RATE // 20)
    else:
        assert frame[0] < tdp.JOIN_SKIP and frame[-1] == total - 1, (int(frame[0]), int(frame[-1]))
