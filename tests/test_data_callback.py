"""`device._data_callback`, 1.71's private per-period method, as real programs use it: wrapped per
instance (or overridden in a subclass) to count the callbacks.  The wrapper must be called once
per period, as (device, output, input, framecount), and the original it wraps must still run the
generator.  The package's own streams keep their GIL-free path unless the attribute is replaced.
"""

import threading
import warnings

import pytest

import helpers
import miniaudio
from miniaudio import Backend, SampleFormat as SF

NULL = [Backend.NULL]
RATE = 48000
DEADLINE = 30.0


def _open(kind, **kw):
    if kind == "playback":
        return miniaudio.PlaybackDevice(SF.SIGNED16, 2, RATE, buffersize_msec=10, backends=NULL, **kw)
    if kind == "capture":
        return miniaudio.CaptureDevice(SF.SIGNED16, 2, RATE, buffersize_msec=10, backends=NULL, **kw)
    return miniaudio.DuplexStream(SF.SIGNED16, 2, SF.SIGNED16, 2, RATE, buffersize_msec=10, backends=NULL, **kw)


class Gen:
    """A generator for any device kind that records what it was sent."""

    def __init__(self, kind):
        self.kind = kind
        self.sent = []

    def __call__(self):
        got = yield b""
        while True:
            self.sent.append(got)
            if self.kind == "capture":
                got = yield None
            elif self.kind == "duplex":
                got = yield bytes(len(got))  # as many frames as were recorded
            else:
                got = yield b"\x01\x00" * 2 * got  # exactly the frames asked for


def _wrap(dev):
    calls = []
    w = dev._data_callback
    with pytest.warns(DeprecationWarning, match="_data_callback is private"):
        dev._data_callback = lambda *a: (calls.append((threading.get_ident(),) + a), w(*a))[1]
    return calls


@pytest.mark.parametrize("kind", ["playback", "capture", "duplex"])
def test_wrapper_is_called_once_per_period(kind):
    g = Gen(kind)
    with _open(kind) as dev:
        calls = _wrap(dev)
        stats0 = dev.stats
        dev.start(g())
        assert helpers.wait_until(lambda: len(calls) >= 5, timeout=DEADLINE)
        dev.stop()
        stats = dev.stats
        served = stats.callbacks - stats0.callbacks
        # Once per period: every callback went through the wrapper, and the original it wraps
        # sent the generator exactly one step per callback.
        assert len(calls) == served == len(g.sent)
        for (tid, device, output, inp, framecount), sent in zip(calls, g.sent):
            assert tid != threading.get_ident()  # the audio thread
            assert device is dev and output is None and inp is None
            assert isinstance(framecount, int) and framecount > 0
            if kind == "playback":
                assert sent == framecount
            else:
                assert isinstance(sent, bytearray) and len(sent) == framecount * 4
        if kind != "capture":
            assert stats.padded_callbacks == stats0.padded_callbacks  # the chunks were played, whole


def test_original_is_a_bound_method_with_the_171_signature():
    with _open("playback") as dev:
        original = dev._data_callback
        assert original.__self__ is dev
        # Outside the device's own callback there is no period to serve.
        with pytest.raises(RuntimeError, match="own callback"):
            original(dev, None, None, 480)
        with pytest.raises(TypeError):
            original(dev, None, None)


def test_replacing_after_start_and_restoring():
    g = Gen("playback")
    with _open("playback") as dev:
        dev.start(g())
        assert helpers.wait_until(lambda: len(g.sent) >= 2, timeout=DEADLINE)
        calls = _wrap(dev)  # while running: from the next period on
        assert helpers.wait_until(lambda: len(calls) >= 3, timeout=DEADLINE)
        with pytest.warns(DeprecationWarning):
            del dev._data_callback  # back to the default
        n = len(calls)
        sent = len(g.sent)
        assert helpers.wait_until(lambda: len(g.sent) >= sent + 3, timeout=DEADLINE)
        dev.stop()
        assert len(calls) <= n + 1  # at most the period that was running when it was deleted
        assert dev._data_callback.__self__ is dev


def test_subclass_override_with_super():
    class Counting(miniaudio.PlaybackDevice):
        count = 0

        def _data_callback(self, device, output, input, framecount):
            self.count += 1
            super()._data_callback(device, output, input, framecount)

    g = Gen("playback")
    with Counting(SF.SIGNED16, 2, RATE, buffersize_msec=10, backends=NULL) as dev:
        with pytest.warns(DeprecationWarning, match="_data_callback is private"):
            dev.start(g())
        assert helpers.wait_until(lambda: dev.count >= 5, timeout=DEADLINE)
        dev.stop()
        assert dev.count == len(g.sent) and g.sent[0] > 0


def test_wrapper_error_ends_the_run_and_is_raised():
    g = Gen("playback")
    with _open("playback") as dev:
        w = dev._data_callback

        def bad(*a):
            if len(g.sent) >= 3:
                raise KeyError("from the wrapper")
            w(*a)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            dev._data_callback = bad
        with _Unraisable():
            dev.start(g())
            with pytest.raises(KeyError, match="from the wrapper"):
                dev.wait(timeout=DEADLINE)  # the run ended; the error is raised once
        assert isinstance(dev.callback_error, KeyError) and not dev.running
        assert len(g.sent) == 3  # no generator step after the failing period


class _Unraisable:
    """Swallows the unraisable report of the audio thread (the test checks the stored error)."""

    def __enter__(self):
        import sys
        self.saved = sys.unraisablehook
        sys.unraisablehook = lambda u: None

    def __exit__(self, *exc):
        import sys
        sys.unraisablehook = self.saved


def _tone_stream():
    return miniaudio.stream_raw_pcm_memory(b"\x01\x00" * 2 * RATE * 5, 2, 2)


def test_package_stream_stays_gil_free_unless_replaced():
    with _open("playback") as dev:
        stream = _tone_stream()
        dev.start(stream)
        assert helpers.wait_until(lambda: dev.stats.callbacks >= 3, timeout=DEADLINE)
        with pytest.raises(RuntimeError):
            next(stream)  # claimed: pulled in C on the audio thread
        dev.stop()

        calls = _wrap(dev)
        stream = _tone_stream()
        c0 = dev.stats.callbacks
        dev.start(stream)
        assert helpers.wait_until(lambda: len(calls) >= 5, timeout=DEADLINE)
        dev.stop()
        assert len(calls) == dev.stats.callbacks - c0
        frames = sum(c[4] for c in calls)
        assert stream.position == frames  # the wrapped original drove the stream, period by period


def test_wrapped_device_is_collected():
    """device -> wrapper -> bound original -> device is a cycle: the collector frees it and closes
    the device."""
    import gc
    import weakref

    g = Gen("playback")
    dev = _open("playback")
    calls = _wrap(dev)
    dev.start(g())
    assert helpers.wait_until(lambda: len(calls) >= 2, timeout=DEADLINE)
    dev.stop()
    ref = weakref.ref(dev)
    del dev, calls[:]  # the recorded calls hold the device too
    gc.collect()
    assert ref() is None
