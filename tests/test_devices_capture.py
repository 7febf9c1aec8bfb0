"""Capture and duplex devices on the NULL backend through the generator protocol.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import WIDTH, DEADLINE, wait_until, make_chunk, Finished, check_accounting


# --- capture and duplex ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32],
                         ids=lambda f: f.name)
@pytest.mark.parametrize("nch", [1, 2, 6])
def test_capture_receives_silence_in_device_format(devices, fmt, nch):
    fin = Finished()
    dev = devices(miniaudio.CaptureDevice, fmt, nch, 44100, buffersize_msec=10, on_finished=fin.on_finished)
    got = []

    def gen():
        while len(got) < 6:
            data = yield
            got.append((type(data), bytes(data)))

    dev.start(gen())
    assert dev.wait(DEADLINE)
    assert fin.event.wait(DEADLINE)
    assert len(got) == 6
    frame_bytes = nch * WIDTH[fmt]
    lengths = []
    for typ, data in got:
        assert typ is bytearray
        assert len(data) > 0 and len(data) % frame_bytes == 0
        lengths.append(len(data) // frame_bytes)
        # the NULL backend records silence (it zero-fills; 128 would be u8's midpoint)
        assert len(set(data)) == 1 and data[0] in ((0, 128) if fmt == SF.UNSIGNED8 else (0,))
    assert all(400 <= n <= 480 for n in lengths), lengths
    # the generator returns on its 6th call
    stats = dev.stats
    check_accounting(stats, lengths)
    assert stats.padded_callbacks == 0  # padding is a playback notion


def test_capture_generator_sees_fresh_bytearrays(devices):
    """Each callback gets its own bytearray (keeping one must not see it overwritten)."""
    dev = devices(miniaudio.CaptureDevice, SF.SIGNED16, 2, 44100)
    kept = []

    def gen():
        while len(kept) < 5:
            data = yield
            data[0:2] = b"\x7f\x7f"  # mutate our copy
            kept.append(data)

    dev.start(gen())
    assert dev.wait(DEADLINE)
    assert len({id(d) for d in kept}) == 5
    for d in kept:
        assert d[0:2] == b"\x7f\x7f" and set(d[2:]) == {0}


@pytest.mark.parametrize("pfmt,pch,cfmt,cch,kind", [
    (SF.SIGNED16, 2, SF.SIGNED16, 2, "bytes"),
    (SF.FLOAT32, 2, SF.SIGNED16, 1, "numpy2d"),
    (SF.SIGNED16, 1, SF.FLOAT32, 2, "array"),
    (SF.SIGNED24, 2, SF.SIGNED24, 2, "bytearray"),
    (SF.UNSIGNED8, 1, SF.SIGNED32, 1, "memoryview"),
])
def test_duplex(devices, pfmt, pch, cfmt, cch, kind):
    fin = Finished()
    dev = devices(miniaudio.DuplexStream, pfmt, pch, cfmt, cch, 44100, buffersize_msec=10,
                  on_finished=fin.on_finished)
    seen = []

    def gen():
        out = b""
        while len(seen) < 8:
            data = yield out
            assert type(data) is bytearray
            seen.append(bytes(data))
            out = make_chunk(kind, pfmt, pch, len(data) // (cch * WIDTH[cfmt]))

    dev.start(gen())
    assert dev.wait(DEADLINE)
    assert fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert len(seen) == 8
    frames = []
    for data in seen:
        assert len(data) > 0 and len(data) % (cch * WIDTH[cfmt]) == 0
        assert set(data) == {0}
        frames.append(len(data) // (cch * WIDTH[cfmt]))
    assert all(400 <= n <= 480 for n in frames), frames
    stats = dev.stats
    check_accounting(stats, frames)  # the generator returned on its 8th call
    # only the last call (nothing yielded) and callbacks after the end may count as padded
    assert stats.padded_callbacks <= 1 + stats.callbacks - len(frames)


def test_duplex_yield_too_much_is_an_error(unraisable, devices):
    dev = devices(miniaudio.DuplexStream, SF.SIGNED16, 2, SF.SIGNED16, 2, 44100)

    def gen():
        data = yield b""
        while True:
            data = yield bytes(len(data) + 4)  # one frame too many

    dev.start(gen())
    assert wait_until(lambda: dev.callback_error is not None)
    assert isinstance(dev.callback_error, miniaudio.MiniaudioError)
    assert "exceeds maximum" in str(dev.callback_error)
    with pytest.raises(miniaudio.MiniaudioError, match="exceeds maximum"):
        dev.wait(DEADLINE)
    assert [type(e) for e, _ in unraisable] == [miniaudio.MiniaudioError]


def test_non_contiguous_numpy_chunks_play(unraisable, devices):
    """1.71 played any numpy array (it copied with .tobytes()): a (frames, channels) array in Fortran
    order, e.g. np.vstack([left, right]).T, and a strided 1-D slice are still numpy arrays of the device's
    sample type and play as their C-order values."""
    for make in (lambda n: np.vstack([np.zeros(n, np.int16), np.ones(n, np.int16)]).T,
                 lambda n: np.zeros(n * 4, np.int16)[::2]):
        fin = Finished()
        dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, on_finished=fin.on_finished)
        asks = []

        def gen():
            n = yield b""
            while len(asks) < 5:
                asks.append(n)
                n = yield make(n)

        dev.start(gen())
        assert dev.wait(DEADLINE)
        assert dev.callback_error is None, repr(dev.callback_error)
        assert len(asks) == 5
        assert dev.stats.padded_callbacks <= dev.stats.callbacks - 5
    assert unraisable == []
