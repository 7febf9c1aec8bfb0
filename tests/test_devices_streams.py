"""The package's own streams (stream_file, stream_memory, ...) played GIL-free on a NULL-backend device:
exact content, formats, end of run.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import sys
import time

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import WIDTH, DEADLINE, wait_until, Feeder, Finished


# --- GIL-free playback of the package's own streams ------------------------------------------------------

def _stream(kind, sample_path, sample_bytes, name, fmt, nch, rate, frames_to_read=1024):
    if kind == "file":
        return miniaudio.stream_file(sample_path(name), fmt, nch, rate, frames_to_read)
    if kind == "memory":
        return miniaudio.stream_memory(sample_bytes(name), fmt, nch, rate, frames_to_read)
    if kind == "raw":
        pcm = miniaudio.decode_file(sample_path(name), fmt, nch, rate).samples
        return miniaudio.stream_raw_pcm_memory(pcm, nch, WIDTH[fmt], frames_to_read)
    raise ValueError(kind)


STREAM_CASES = [
    # kind, file, format, channels, rate, buffersize_msec
    ("file", "tone_s16.wav", SF.SIGNED16, 2, 44100, 10),
    ("memory", "short_f32.wav", SF.FLOAT32, 2, 44100, 15),
    ("raw", "short_s32.wav", SF.SIGNED32, 2, 44100, 15),
    ("file", "tone.mp3", SF.SIGNED16, 1, 44100, 20),
    ("memory", "mono.flac", SF.FLOAT32, 1, 22050, 10),
]


@pytest.mark.parametrize("kind,name,fmt,nch,rate,msec", STREAM_CASES,
                         ids=lambda x: getattr(x, "name", str(x)))
def test_stream_plays_to_the_end(devices, sample_path, sample_bytes, kind, name, fmt, nch, rate, msec):
    total = miniaudio.decode_file(sample_path(name), fmt, nch, rate).num_frames
    stream = _stream(kind, sample_path, sample_bytes, name, fmt, nch, rate)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, fmt, nch, rate, buffersize_msec=msec, on_finished=fin.on_finished)
    dev.stop_callback = fin.stop_callback
    t0 = time.monotonic()
    dev.start(stream)
    assert dev.callback_generator is stream
    assert dev.running
    assert dev.wait(DEADLINE + total / rate) is True
    elapsed = time.monotonic() - t0
    assert dev.running is False
    assert fin.event.wait(DEADLINE)
    assert fin.finished_with() == [dev]
    assert [c[0] for c in fin.calls] == ["stop_callback", "on_finished"]
    assert dev.callback_error is None
    stats = dev.stats
    period = stats.frames // stats.callbacks
    # every frame of the stream was delivered, plus the padding of the last period(s)
    assert total <= stats.frames <= total + 3 * period, (stats, total)
    if total % period:
        assert stats.padded_callbacks >= 1
    assert stats.padded_callbacks <= 3
    if hasattr(stream, "position"):
        assert stream.position == total
    # real-time paced: a stream of total/rate seconds takes about that long
    assert elapsed >= 0.8 * total / rate
    # the stream is free again after the run, and at its end
    with pytest.raises(StopIteration):
        stream.send(100)


@pytest.mark.parametrize("kind", ["file", "memory", "raw"])
def test_stream_is_busy_while_the_device_plays_it(devices, sample_path, sample_bytes, kind):
    stream = _stream(kind, sample_path, sample_bytes, "tone_s16.wav", SF.SIGNED16, 2, 44100)
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    dev.start(stream)
    assert wait_until(lambda: dev.stats.callbacks >= 3)
    with pytest.raises(RuntimeError):
        stream.send(100)
    with pytest.raises(RuntimeError):
        next(stream)
    if hasattr(stream, "seek"):
        with pytest.raises(RuntimeError):
            stream.seek(0)
    if hasattr(stream, "position"):
        p1 = stream.position
        assert wait_until(lambda: stream.position >= p1 + 2000)  # readable, and advancing
    assert dev.running
    dev.stop()
    # stopped: the stream is the caller's again, and continues where the device left it
    if hasattr(stream, "position"):
        pos = stream.position
        assert 0 < pos < 44100
        chunk = stream.send(10)
        assert memoryview(chunk).nbytes == 40 and stream.position == pos + 10
        if hasattr(stream, "seek"):
            assert stream.seek(0) == 0
    else:
        assert memoryview(stream.send(10)).nbytes == 40


def test_stream_busy_in_another_device(devices, sample_path):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"))
    d1 = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    d2 = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    d1.start(stream)
    with pytest.raises(RuntimeError):
        d2.start(stream)
    assert not d2.running
    d1.stop()


@pytest.mark.parametrize("kind", ["file", "memory", "raw"])
def test_stream_plays_while_python_holds_the_gil(devices, sample_path, sample_bytes, kind):
    """The audio thread pulls a package stream in C: frames keep flowing while this thread holds the GIL
    (a huge switch interval and a pure-Python spin never let another Python thread run)."""
    stream = _stream(kind, sample_path, sample_bytes, "tone_s16.wav", SF.SIGNED16, 2, 44100)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10, on_finished=fin.on_finished)
    dev.start(stream)
    assert wait_until(lambda: dev.stats.callbacks >= 2)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t0 = time.monotonic()
        f0 = dev.stats.frames
        p0 = getattr(stream, "position", None)
        while time.monotonic() - t0 < 0.4:
            pass
        f1 = dev.stats.frames
        p1 = getattr(stream, "position", None)
    finally:
        sys.setswitchinterval(old)
    assert f1 - f0 >= 0.2 * 44100, (f0, f1)  # real time would be ~17,640 frames
    if p0 is not None:
        assert p1 - p0 >= 0.2 * 44100, (p0, p1)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    if p0 is not None:
        assert stream.position == 44100


def test_python_generator_needs_the_gil(devices):
    """The control for the test above: a Python generator cannot run while this thread holds the GIL,
    so the measurement technique is sound."""
    feeder = Feeder()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    dev.start(feeder.gen())
    assert wait_until(lambda: len(feeder.asks) >= 2)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.05:  # lets through a thread that was already waiting (old interval)
            pass
        a0 = len(feeder.asks)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.3:
            pass
        a1 = len(feeder.asks)
    finally:
        sys.setswitchinterval(old)
    assert a1 - a0 <= 1
    # and it catches up / goes on afterwards
    assert wait_until(lambda: len(feeder.asks) >= a1 + 3)
    dev.stop()


def test_raw_stream_channel_or_width_mismatch_is_value_error(devices, sample_path):
    pcm = miniaudio.decode_file(sample_path("short_s32.wav"), SF.SIGNED16, 2, 44100).samples
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    with pytest.raises(ValueError):
        dev.start(miniaudio.stream_raw_pcm_memory(pcm.tobytes(), 1, 2))
    with pytest.raises(ValueError):
        dev.start(miniaudio.stream_raw_pcm_memory(pcm.tobytes(), 1, 4))
    assert not dev.running
    dev.start(miniaudio.stream_raw_pcm_memory(pcm, 2, 2))
    assert dev.wait(DEADLINE)


def test_stream_with_callbacks_wrapper_plays(devices, sample_path):
    """stream_with_callbacks wraps a package stream in a Python generator: the Python path, with its
    end_callback and progress reports."""
    progress, ended = [], []
    inner = miniaudio.stream_file(sample_path("short_s24.wav"), SF.SIGNED16, 2, 44100)
    wrapped = miniaudio.stream_with_callbacks(inner, progress.append, None, lambda: ended.append(1))
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=20, on_finished=fin.on_finished)
    dev.start(wrapped)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    assert ended == [1]
    assert inner.position == 22050
    assert dev.stats.frames >= 22050


def test_stream_busy_close_is_refused_and_playback_goes_on(devices, sample_path):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"))
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100)
    dev.start(stream)
    assert wait_until(lambda: stream.position > 0)
    with pytest.raises(RuntimeError):
        stream.close()
    assert not stream.closed
    p = stream.position
    assert wait_until(lambda: stream.position > p + 1000)
    dev.stop()
    stream.close()
    assert stream.closed


def test_seeked_stream_plays_the_rest(devices, sample_path):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"), seek_frame=33075)
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, buffersize_msec=10)
    t0 = time.monotonic()
    dev.start(stream)
    assert dev.wait(DEADLINE)
    assert stream.position == 44100
    assert 11025 <= dev.stats.frames <= 11025 + 3 * 441
    assert time.monotonic() - t0 < 0.8  # a quarter of the file, not all of it


def test_exhausted_or_closed_stream(devices, sample_path):
    """A stream already at its end either is refused by start() (ValueError) or ends the run at once;
    a closed stream is refused.  Never a hang or a device left running."""
    stream = miniaudio.stream_file(sample_path("short_u8.wav"))
    for _ in stream:
        pass
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, 44100, on_finished=fin.on_finished)
    try:
        dev.start(stream)
    except ValueError:
        pass
    else:
        assert fin.event.wait(DEADLINE)
    assert dev.wait(DEADLINE) and not dev.running
    closed = miniaudio.stream_file(sample_path("short_u8.wav"))
    closed.close()
    with pytest.raises((ValueError, RuntimeError)):
        dev.start(closed)
    assert not dev.running


@pytest.mark.parametrize("func,name,nch,rate", [("wav_stream_file", "tone_s16.wav", 2, 44100),
                                                ("flac_stream_file", "mono.flac", 1, 22050),
                                                ("mp3_stream_file", "tone.mp3", 2, 44100),
                                                ("vorbis_stream_file", "mono.ogg", 1, 22050)])
def test_per_format_stream_functions_play(devices, sample_path, func, name, nch, rate):
    """The *_stream_file functions stream s16 at the file's own channels and rate: they play on a device
    of that format, and on one that differs (converted on the audio thread), to the end."""
    total = miniaudio.decode_file(sample_path(name), SF.SIGNED16, nch, rate).num_frames
    other = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 3 - nch, rate)
    converted = getattr(miniaudio, func)(sample_path(name))
    other.start(converted)
    assert other.wait(DEADLINE) and converted.position == converted.length == total
    stream = getattr(miniaudio, func)(sample_path(name))
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, nch, rate, buffersize_msec=20, on_finished=fin.on_finished)
    dev.start(stream)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert total <= dev.stats.frames <= total + 3 * (rate // 50)


def test_stream_any_over_a_python_source_plays(devices, sample_bytes):
    """stream_any reads through Python (a file object): played through the Python path, to the end."""
    import io

    stream = miniaudio.stream_any(io.BytesIO(sample_bytes("short_f32.wav")), output_format=SF.FLOAT32)
    fin = Finished()
    dev = devices(miniaudio.PlaybackDevice, SF.FLOAT32, 2, 44100, buffersize_msec=20, on_finished=fin.on_finished)
    dev.start(stream)
    assert dev.wait(DEADLINE) and fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert 22050 <= dev.stats.frames <= 22050 + 3 * 882


@pytest.mark.parametrize("cls", ["CaptureDevice", "DuplexStream"])
def test_package_stream_cannot_feed_capture_or_duplex(devices, sample_path, cls):
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"))
    dev = devices(getattr(miniaudio, cls))
    with pytest.raises(TypeError):
        dev.start(stream)
    assert not dev.running
    assert len(stream.send(5)) == 10  # not taken
