"""Python generators as mixer voices (the prefetch path of a Mixer).

Offline, render() runs the generators itself before each block it mixes: the mix is checked
sample by sample against the chunks the generators yielded.  On a NULL-backend device a feeder
thread of the package runs them ahead of the audio thread: checked for completeness, underflows
(the queue running dry) under a busy main thread, errors, and the thread going away.
"""

import array
import gc
import sys
import threading
import time

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from test_mixer import RATE, src, stereo

np = pytest.importorskip("numpy")


def ramp_values(first, frames):
    return ((np.arange(first, first + frames) % 1000) / 1000.0 - 0.5).astype(np.float32)


def ramp_gen(total, channels=2, calls=None, dtype=np.float32):
    """Yields `total` frames of a ramp (frame i: (i % 1000) / 1000 - 0.5), as many as asked each time."""
    n = yield b""
    i = 0
    while i < total:
        if calls is not None:
            calls.append(n)
        k = min(n, total - i)
        x = ramp_values(i, k)
        chunk = np.repeat(x[:, None], channels, axis=1) if channels > 1 else x
        n = yield chunk.astype(dtype) if dtype != np.float32 else chunk
        i += k


def test_generator_voice_is_its_chunks_at_the_scheduled_frame():
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    calls = []
    voice = mixer.play(ramp_gen(20000, calls=calls), start_at=333, volume=0.5, pan=0.25)
    out = np.concatenate([mixer.render(n) for n in (100, 7000, 1, 20000)])
    expected = np.zeros((27101, 2), np.float32)
    expected[333:20333] = stereo(np.stack([ramp_values(0, 20000)] * 2, 1), pan=0.25, gain=0.5)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-6)
    assert voice.finished and voice.error is None and voice.underflows == 0
    assert set(calls[:-1]) == {RATE // 100}, "offline a generator is asked for 10 ms chunks"
    mixer.close()


def test_generator_voices_and_streams_sum():
    rng = np.random.default_rng(5)
    a = rng.uniform(-0.3, 0.3, (9000, 2)).astype(np.float32)
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    voices = [mixer.play(ramp_gen(6000 + 1000 * k), start_at=100 * k + 1, volume=0.1) for k in range(8)]
    voices.append(mixer.play(src(a), start_at=50))
    out = mixer.render(16000)
    expected = np.zeros((16000, 2), np.float32)
    for k in range(8):
        expected[100 * k + 1:100 * k + 6001 + 1000 * k] += stereo(np.stack([ramp_values(0, 6000 + 1000 * k)] * 2, 1),
                                                               gain=0.1)
    expected[50:9050] += a
    np.testing.assert_allclose(out, expected, rtol=0, atol=2e-6)
    assert all(v.finished for v in voices)
    mixer.close()


def test_int16_bytes_of_another_channel_count():
    """bytes are raw frames of sample_format; a mono generator is duplicated on both channels."""
    def gen():
        n = yield b""
        for _ in range(5):
            n = yield array.array("h", range(-n // 2, n - n // 2)).tobytes()
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    voice = mixer.play(gen(), sample_format=SF.SIGNED16, nchannels=1, start_at=1)
    out = mixer.render(3000)
    one = np.arange(-240, 240, dtype=np.float32) / 32768
    expected = np.zeros((3000, 2), np.float32)
    expected[1:2401] = np.stack([np.tile(one, 5)] * 2, 1)
    np.testing.assert_array_equal(out, expected)
    assert voice.finished
    mixer.close()


def test_a_short_chunk_is_followed_by_silence_up_to_the_frames_asked():
    def gen():
        n = yield b""
        n = yield np.full((n // 2, 2), 0.25, np.float32)  # half of what was asked
        yield np.full((n, 2), 0.5, np.float32)
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    mixer.play(gen(), start_at=1)
    out = mixer.render(1601)[1:, 0]
    np.testing.assert_array_equal(out[:240], 0.25)
    np.testing.assert_array_equal(out[240:480], 0.0)
    np.testing.assert_array_equal(out[480:960], 0.5)
    np.testing.assert_array_equal(out[960:], 0.0)
    mixer.close()


def test_pitch_two_plays_a_generator_in_half_the_time():
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    voice = mixer.play(ramp_gen(RATE), pitch=2.0, start_at=0)
    out = mixer.render(RATE)
    loud = np.nonzero(np.abs(out[:, 0]) > 1e-4)[0]
    assert voice.finished
    assert abs(loud[-1] - RATE // 2) <= 2, loud[-1]
    assert voice.underflows == 0
    mixer.close()


def test_a_generator_that_raises_ends_its_voice_and_the_mix_goes_on():
    reported = []
    old = sys.unraisablehook
    sys.unraisablehook = reported.append
    try:
        def bad():
            n = yield b""
            for _ in range(3):
                n = yield np.full((n, 2), 0.5, np.float32)
            raise KeyError("broken generator")
        mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
        voice = mixer.play(bad(), start_at=1)
        other = mixer.play(ramp_gen(4000), start_at=1)
        out = mixer.render(4801)[1:]
    finally:
        sys.unraisablehook = old
    np.testing.assert_allclose(out[:1440, 0], 0.5 + ramp_values(0, 1440), atol=1e-6)
    np.testing.assert_allclose(out[1440:4000, 0], ramp_values(1440, 2560), atol=1e-6)
    assert voice.finished and other.finished
    assert isinstance(voice.error, KeyError) and other.error is None
    assert [type(u.exc_value) for u in reported] == [KeyError]
    mixer.close()


def test_a_chunk_that_is_not_samples_ends_the_voice_with_the_error():
    def gen():
        yield b""
        yield "not audio"
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    old, sys.unraisablehook = sys.unraisablehook, lambda u: None
    try:
        voice = mixer.play(gen())
        mixer.render(1000)
    finally:
        sys.unraisablehook = old
    assert voice.finished and isinstance(voice.error, TypeError)
    mixer.close()


def test_bad_arguments_for_generators():
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    gen = ramp_gen(1000)
    with pytest.raises(ValueError, match="loop=True needs a source that can go back"):
        mixer.play(ramp_gen(1000), loop=True)
    with pytest.raises(TypeError, match="are for Python generators"):
        mixer.play(miniaudio.Waveform("sine"), sample_rate=44100)
    with pytest.raises(ValueError, match="prefetch_msec must be 1 to 60000 ms"):
        mixer.play(ramp_gen(1000), prefetch_msec=0)
    with pytest.raises(TypeError, match="prefetch_msec must be a number"):
        mixer.play(ramp_gen(1000), prefetch_msec="100")
    with pytest.raises(TypeError, match="nchannels must be an int"):
        mixer.play(ramp_gen(1000), nchannels=2.0)
    with pytest.raises(ValueError, match="nchannels"):
        mixer.play(ramp_gen(1000), nchannels=0)

    def empty():
        return
        yield
    with pytest.raises(ValueError, match="returned before its first yield"):
        mixer.play(empty())
    voice = mixer.play(gen)
    with pytest.raises(RuntimeError, match="already playing"):
        mixer.play(gen)
    with pytest.raises(ValueError, match="cannot seek a Python generator's voice"):
        voice.seek(0)
    assert mixer.voices == [voice]
    voice.stop()
    mixer.render(10)
    assert voice.finished
    mixer.close()
    with pytest.raises(ValueError, match="mixer is closed"):
        mixer.play(ramp_gen(10))


def test_a_stopped_generator_voice_lets_the_generator_play_again():
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    gen = ramp_gen(RATE)
    first = mixer.play(gen, start_at=0)
    mixer.render(1000)
    first.stop()
    mixer.render(10)
    assert first.finished
    second = mixer.play(gen, start_at=mixer.time + 10)
    out = mixer.render(2000)
    got = out[10:, 0]
    # the generator goes on from where it was (the frames the first voice had queued and not
    # played are dropped with it): a ramp again, not from its start
    steps = np.diff(got[:1000])
    assert np.all((np.abs(steps - 0.001) < 1e-4) | (np.abs(steps + 0.999) < 1e-4))
    assert got[0] != np.float32(-0.5)
    second.stop()
    mixer.close()


def test_a_generator_that_stops_its_own_voice():
    """Re-entrance: the generator calls voice.stop() from inside render()'s top-up."""
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
    box = []

    def gen():
        n = yield b""
        for i in range(100):
            if i == 3:
                box[0].stop()
            n = yield np.full((n, 2), 0.1, np.float32)
    box.append(mixer.play(gen(), start_at=0))
    mixer.render(9600)
    assert box[0].finished and box[0].error is None
    mixer.close()


def test_generator_voices_on_a_null_device_under_a_busy_main_thread(devices):
    """A feeder thread of the package runs the generators ahead: while the main thread runs a
    pure-Python busy loop, no queue runs dry and every frame is played."""
    with miniaudio.PlaybackDevice(backends=["null"], buffersize_msec=10) as dev:
        with miniaudio.Mixer(dev) as mixer:
            calls = []
            voices = [mixer.play(ramp_gen(RATE, calls=calls if k == 0 else None), prefetch_msec=200)
                      for k in range(4)]
            assert any(t.name == "miniaudio-mixer-feed" for t in threading.enumerate())
            end = time.monotonic() + 1.5
            while time.monotonic() < end:
                pass
            assert all(v.wait(timeout=10) for v in voices)
            assert [v.underflows for v in voices] == [0, 0, 0, 0]
            # every frame pulled: the last chunk padded to the frames asked (and perhaps the voice's
            # one frame of padding at the end, the engine's resampler latency)
            chunk = dev._period_frames()
            total = -(-RATE // chunk) * chunk
            assert all(v.position in (total, total + 1) for v in voices), [v.position for v in voices]
            assert set(calls) == {chunk}
            assert all(v.error is None for v in voices)
        assert wait_for(lambda: not any(t.name == "miniaudio-mixer-feed" for t in threading.enumerate()))


def test_an_exception_in_the_first_chunk_on_a_device_is_raised_by_play(devices):
    def bad():
        yield b""
        raise OSError("no data")
    with miniaudio.PlaybackDevice(backends=["null"], buffersize_msec=10) as dev, miniaudio.Mixer(dev) as mixer:
        gen = bad()
        with pytest.raises(OSError, match="no data"):
            mixer.play(gen)
        assert mixer.voices == []


def test_closing_the_mixer_ends_the_feeder_and_releases_generators(devices):
    released = []

    class Gen:
        """A generator-like object whose release is seen (its __del__)."""
        def __init__(self):
            self.n = 0

        def send(self, n):
            return np.zeros((n, 2), np.float32)

        def __del__(self):
            released.append(1)

    with miniaudio.PlaybackDevice(backends=["null"], buffersize_msec=10) as dev:
        mixer = miniaudio.Mixer(dev)
        voices = [mixer.play(Gen()) for _ in range(3)]
        time.sleep(0.2)
        assert all(not v.finished for v in voices)
        mixer.close()
        assert all(v.finished for v in voices)
        assert not any(t.name == "miniaudio-mixer-feed" for t in threading.enumerate())
        del voices
        gc.collect()
        assert released == [1, 1, 1]


def wait_for(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def endless_silence():
    n = yield b""
    while True:
        n = yield np.zeros((n, 2), np.float32)


def test_a_mixer_dropped_without_close_lets_its_feeder_thread_go(devices):
    with miniaudio.PlaybackDevice(backends=["null"], buffersize_msec=10) as dev:
        mixer = miniaudio.Mixer(dev)
        voice = mixer.play(endless_silence())
        assert wait_for(lambda: voice.position > 0)
        del mixer, voice
        gc.collect()
        assert wait_for(lambda: not any(t.name == "miniaudio-mixer-feed" for t in threading.enumerate()))


def test_generator_voices_played_and_stopped_from_threads_while_a_third_closes(devices):
    """Two threads play and stop generator voices while the device mixes and a third thread closes
    the mixer: only the documented errors, no hang, and every generator let go."""
    with miniaudio.PlaybackDevice(backends=["null"], buffersize_msec=10) as dev:
        mixer = miniaudio.Mixer(dev)
        errors, voices = [], []
        start = threading.Barrier(3)

        def player():
            start.wait()
            for _ in range(60):
                try:
                    v = mixer.play(endless_silence(), prefetch_msec=20)
                    voices.append(v)
                    time.sleep(0.001)
                    v.stop()
                except ValueError as exc:
                    if "closed" not in str(exc):
                        errors.append(exc)
                    return
                except BaseException as exc:
                    errors.append(exc)
                    return

        def closer():
            start.wait()
            time.sleep(0.05)
            mixer.close()

        threads = [threading.Thread(target=player) for _ in range(2)] + [threading.Thread(target=closer)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert not any(t.is_alive() for t in threads)
        assert errors == []
        assert mixer.closed and len(voices) > 0
        assert all(v.finished for v in voices)
        assert wait_for(lambda: not any(t.name == "miniaudio-mixer-feed" for t in threading.enumerate()))
        assert len(miniaudio._mixer_feed._playing) == 0


def test_a_generator_that_closes_the_mixer_during_render():
    """Re-entrance: render() runs the generator, which closes the mixer: render raises the closed
    mixer's ValueError (no deadlock on the render lock, no crash) and every voice is finished."""
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)

    def gen():
        n = yield b""
        for i in range(100):
            if i == 20:
                mixer.close()
            n = yield np.full((n, 2), 0.1, np.float32)
    voice = mixer.play(gen(), start_at=1)
    other = mixer.play(miniaudio.Waveform("sine"))
    with pytest.raises(ValueError, match="closed"):
        mixer.render(RATE)
    assert mixer.closed and voice.finished and other.finished
