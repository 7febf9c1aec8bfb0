"""The mixer's reliability net: resources stay flat over many voices and mixers, every way a mixer,
its device or a voice can go away is safe, callbacks may re-enter the mixer, threads may play, stop
and close at once, and Voice.position / Voice.seek are exact against render().

Resources are measured in this process after a warm-up: Python memory (tracemalloc, which also
sees PyMem_Raw allocations), the process's resident memory (/proc/self/statm: miniaudio's own
allocations), threads (threading.active_count and /proc/self/task) and file descriptors
(/proc/self/fd).  Inputs are generated here: float32 WAV in memory and the package's waveforms.
"""

import gc
import os
import sys
import threading
import time
import tracemalloc
import weakref

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

np = pytest.importorskip("numpy")

from test_mixer import wav_f32, src  # noqa: E402  (the float32 WAV builder the mixer tests share)

linux_only = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads /proc/self")

RATE = 48000
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def ramp(n):
    """Frame j holds (j + 1) / 4096: the frame index is read back from the output."""
    return (np.arange(n, dtype=np.float32) + 1) / 4096


def frames_of(out):
    """The source frame indexes heard in a mono render of ramp() (-1: silence)."""
    return np.round(np.asarray(out, dtype=np.float64) * 4096).astype(np.int64) - 1


def sine(channels=1):
    return miniaudio.Waveform("sine", 440.0, 0.1, RATE, channels)


def null_device(**kw):
    kw.setdefault("buffersize_msec", 10)
    return miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, backends=["null"], **kw)


def usable(stream):
    """A stream is given back: Python can read it again (a claimed one raises RuntimeError)."""
    stream.seek(0)
    return len(next(stream)) > 0


# ---- resources flat ----------------------------------------------------------------------------


class Resources:
    """Process resources measured before and after a loop (after a warm-up run of it)."""

    def __init__(self):
        gc.collect()
        tracemalloc.start()
        self.py = tracemalloc.get_traced_memory()[0]
        self.rss = self._rss()
        self.fds = len(os.listdir("/proc/self/fd"))
        self.tasks = len(os.listdir("/proc/self/task"))
        self.threads = threading.active_count()

    @staticmethod
    def _rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE

    def check(self, what, py_max=256 << 10, rss_max=6 << 20):
        gc.collect()
        try:
            py = tracemalloc.get_traced_memory()[0] - self.py
        finally:
            tracemalloc.stop()
        got = {"python": py, "rss": self._rss() - self.rss, "fds": len(os.listdir("/proc/self/fd")) - self.fds,
               "tasks": len(os.listdir("/proc/self/task")) - self.tasks,
               "threads": threading.active_count() - self.threads}
        sys.stderr.write(f"{what}: {got}\n")
        assert got["python"] < py_max, (what, got)
        assert got["rss"] < rss_max, (what, got)
        assert got["fds"] <= 0 and got["tasks"] <= 0 and got["threads"] <= 0, (what, got)
        return got


SHORT = wav_f32(np.zeros(300, np.float32))


def offline_cycles(mixer, n):
    for i in range(n):
        source = (miniaudio.stream_memory(SHORT, output_format=SF.FLOAT32, nchannels=1, sample_rate=RATE)
                  if i % 2 else sine())
        voice = mixer.play(source, volume=0.5, pan=0.25, fade_in=8)
        mixer.render(64)
        voice.stop()
        mixer.render(16)
        assert voice.finished


@linux_only
def test_ten_thousand_play_stop_cycles_offline_stay_flat():
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as mixer:
        offline_cycles(mixer, 1000)  # warm-up: caches, free lists, the event thread
        before = Resources()
        offline_cycles(mixer, 10000)
        before.check("10000 offline play/stop cycles")
        assert mixer.voices == [] and mixer.time == 11000 * 80


def device_cycles(mixer, n):
    for i in range(n):
        voice = mixer.play(sine(), volume=0.5)
        if i % 3 == 0:
            voice.stop(fade_out=32)  # ends on the audio thread, released by the event thread
        else:
            voice.stop()  # released by the next mixer call
    for voice in mixer.voices:
        assert voice.wait(10)


@linux_only
def test_ten_thousand_play_stop_cycles_on_a_playing_device_stay_flat():
    device = null_device()
    try:
        with miniaudio.Mixer(device) as mixer:
            device_cycles(mixer, 1000)
            frames = device.stats.frames
            before = Resources()
            device_cycles(mixer, 10000)
            before.check("10000 play/stop cycles on a NULL device")
            assert device.running and device.stats.frames > frames  # the audio thread mixed meanwhile
            assert device.callback_error is None
    finally:
        device.close()


def make_mixers(n, device):
    for i in range(n):
        mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)  # offline, closed
        mixer.play(sine())
        mixer.render(32)
        mixer.close()
        dropped = miniaudio.Mixer(sample_rate=RATE, nchannels=1)  # never closed: collected
        dropped.play(sine(), loop=True)
        dropped.render(32)
        del dropped
        with miniaudio.Mixer(device) as bound:  # on the device, every 10th plays (a start/stop: 10 ms)
            if i % 10 == 0:
                bound.play(sine())


@linux_only
def test_a_thousand_mixers_made_and_closed_stay_flat():
    device = null_device()
    try:
        make_mixers(100, device)
        before = Resources()
        make_mixers(1000, device)
        before.check("1000 offline + 1000 dropped + 1000 device mixers")
        assert not device.running
    finally:
        device.close()


# ---- a mixer, its device and its voices going away ---------------------------------------------


def test_close_while_voices_play_on_a_running_device():
    called = []
    sources = [sine(2) for _ in range(16)]
    with null_device() as device:
        mixer = miniaudio.Mixer(device)
        voices = [mixer.play(s, volume=0.05) for s in sources]
        for v in voices:
            v.on_finished = called.append
        deadline = time.monotonic() + 10
        while device.stats.frames < 2000 and time.monotonic() < deadline:
            time.sleep(0.005)
        mixer.close()
        assert mixer.closed and not device.running and not device.closed
        assert all(v.finished and v.wait(0) for v in voices)
        assert all(usable(s) for s in sources)
        time.sleep(0.05)
        assert called == []  # documented: close() does not call on_finished
        device.start(sources[0])  # the device is free for something else
        device.stop()


def test_device_closed_under_a_mixer():
    """The device is closed while the mixer plays on it: play() says so (and gives the source back),
    the voices that were playing stay unfinished until the mixer is closed, close() works."""
    kept = sine()
    device = null_device()
    mixer = miniaudio.Mixer(device)
    playing = mixer.play(kept)
    device.close()
    wave = sine()
    with pytest.raises(ValueError, match="device is closed"):
        mixer.play(wave)
    assert usable(wave)  # the old code kept it claimed by a voice nobody could reach
    assert mixer.voices == [playing] and not playing.finished
    assert playing.wait(0.01) is False
    with pytest.raises(RuntimeError, match="offline"):
        mixer.render(10)
    mixer.close()
    assert playing.finished and usable(kept)


def test_play_on_a_device_busy_with_something_else_gives_the_source_back(devices):
    device = devices(miniaudio.PlaybackDevice, output_format=SF.FLOAT32, nchannels=2, sample_rate=RATE)
    device.start(sine(2))
    with miniaudio.Mixer(device) as mixer:
        wave = sine()
        with pytest.raises(RuntimeError, match="playing something else"):
            mixer.play(wave)
        assert mixer.voices == [] and usable(wave)
    device.stop()


def test_a_mixer_collected_without_close_while_its_device_plays():
    sources = [sine() for _ in range(4)]
    device = null_device()
    try:
        mixer = miniaudio.Mixer(device)
        for s in sources:
            mixer.play(s)
        ref = weakref.ref(mixer)
        time.sleep(0.03)
        del mixer
        gc.collect()
        assert ref() is None
        assert all(usable(s) for s in sources)  # the voices went with the mixer
        frames = device.stats.frames
        deadline = time.monotonic() + 10
        while device.stats.frames <= frames and time.monotonic() < deadline:
            time.sleep(0.005)
        assert device.running and device.stats.frames > frames  # it goes on playing the empty mix
        assert device.callback_error is None
        device.stop()
        device.start(sources[0])
        device.stop()
    finally:
        device.close()


def test_a_voice_kept_after_its_mixer_is_closed_and_dropped():
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=1)
    voice = mixer.play(src(ramp(1000)), volume=0.5, pan=0.5, pitch=1.0)
    mixer.render(101)
    mixer.close()
    del mixer
    gc.collect()
    assert voice.finished and voice.error is None and not voice.paused
    assert (voice.volume, voice.pan, voice.pitch) == (0.5, 0.5, 1.0)
    assert voice.position == 100
    assert voice.mixer.closed
    voice.stop()  # a no-op once finished
    voice.stop(fade_out=10)
    assert voice.wait(0) is True
    for call in (lambda: voice.seek(0), voice.pause, voice.resume):
        with pytest.raises(ValueError, match="finished"):
            call()


def test_a_mixer_cannot_play_its_own_stream():
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        with pytest.raises(ValueError, match="own stream"):
            mixer.play(mixer._stream)
        assert mixer.render(10).shape == (10, 1)  # the old code claimed it: render() then failed


# ---- callbacks that re-enter the mixer -----------------------------------------------------------


def test_on_finished_plays_the_next_voice_stops_itself_and_closes():
    """A chain of voices, each started by the previous one's on_finished (with stop() on the voice
    that ended, a no-op), the last one closing the mixer from its on_finished."""
    order, errors, done = [], [], threading.Event()
    with null_device() as device:
        mixer = miniaudio.Mixer(device)

        def next_voice(voice):
            try:
                voice.stop()
                order.append(voice.position)
                if len(order) < 20:
                    mixer.play(src(np.full(100 + len(order), 0.1, np.float32))).on_finished = next_voice
                else:
                    mixer.close()
                    with pytest.raises(ValueError, match="closed"):
                        mixer.play(sine())
                    done.set()
            except BaseException as exc:  # pragma: no cover - shown by the assertion
                errors.append(exc)
                done.set()

        mixer.play(src(np.full(100, 0.1, np.float32))).on_finished = next_voice
        assert done.wait(20), order
        assert errors == []
        assert order == [100 + i for i in range(20)]  # every voice played to its end, in turn
        assert mixer.closed and not device.running


def test_on_finished_set_after_the_voice_ended_is_called_once():
    """A sound shorter than a device period ends before play() returns; the old code then never
    called an on_finished set on the returned voice."""
    calls, done = [], threading.Event()
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(src(np.full(10, 0.1, np.float32)))
        mixer.render(100)
        assert voice.finished
        voice.on_finished = lambda v: (calls.append(threading.current_thread().name), done.set())
        assert done.wait(10)
        mixer.render(100)
        voice.on_finished = voice.on_finished  # set again: still once
        time.sleep(0.05)
        assert calls == ["miniaudio-events"]
        closed = mixer.play(sine())
    closed.on_finished = calls.append  # ended by close(): never called
    time.sleep(0.05)
    assert calls == ["miniaudio-events"]


def test_on_finished_closes_an_offline_mixer_with_voices_still_playing():
    done = threading.Event()
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        long = mixer.play(sine())
        short = mixer.play(src(np.full(50, 0.1, np.float32)))
        short.on_finished = lambda v: (mixer.close(), done.set())
        mixer.render(100)
        assert done.wait(10)
        assert mixer.closed and long.finished and long.wait(0)


def test_resume_of_a_voice_whose_source_ended_does_not_play_it_again():
    """On a device the event thread releases a voice a moment after its source ended; a resume()
    meanwhile made miniaudio seek the source back to frame 0 (on the calling thread, under the
    reader) and play it again.  Here the mix is read by the stream directly, without the release
    that render() does, and the release lock is held, to hold that moment."""
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(src(ramp(100)))
        with mixer._reap_lock:  # the event thread's release waits
            mixer._stream.send(300)  # the source ends
            assert not voice.finished
            voice.pause()
            voice.resume()
        out = mixer.render(300)[:, 0]
        assert not out.any()  # the old code played frames 0..99 again
        assert voice.finished and voice.position == 100


# ---- position and seek are exact ---------------------------------------------------------------


@pytest.mark.parametrize("start_at", [None, 500])
def test_position_is_the_next_frame_to_be_mixed(start_at):
    """Voice.position equals the number of source frames in the output so far (at pitch 1), for
    renders of any size; the old code counted the engine's read-ahead (blocks of 512 frames)."""
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(src(ramp(3000)), start_at=start_at)
        heard = []
        for n in [100, 1, 77, 300, 1000, 5, 255, 513, 2000]:
            heard.append(frames_of(mixer.render(n)[:, 0]))
            got = np.concatenate(heard)
            played = got[got >= 0]
            assert voice.position == len(played), (n, voice.position, len(played))
            np.testing.assert_array_equal(played, np.arange(len(played)))
        assert voice.finished and voice.position == 3000


def test_position_with_pitch_is_within_a_frame():
    for pitch in (0.5, 2.0, 1.37):
        with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
            voice = mixer.play(src(ramp(20000)), pitch=pitch)
            for n in (100, 400, 300, 1000):
                out = frames_of(mixer.render(n)[:, 0])
                assert abs(voice.position - (out[-1] + 1)) <= 1, (pitch, voice.position, out[-1])


def test_position_of_a_looping_voice_wraps():
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(src(ramp(300)), loop=True)
        total = 0
        for n in (100, 250, 400, 1, 333):
            out = frames_of(mixer.render(n)[:, 0])
            total += n
            assert voice.position == (out[-1] + 1) % 300, (total, voice.position, out[-1])


def test_position_of_a_stream_started_mid_way_and_stopped():
    stream = src(ramp(1000))
    stream.seek(200)
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(stream, stop_at=301)
        assert voice.position == 200
        out = frames_of(mixer.render(1000)[:, 0])
        assert voice.finished
        played = out[out >= 0]
        np.testing.assert_array_equal(played, np.arange(200, 200 + len(played)))
        assert voice.position == 200 + len(played) == 500


def test_seek_plays_the_sought_frame_next_without_stale_frames():
    """After seek(500) the mix goes on from frame 500 (after the one frame of silence that any voice
    started at once has); the old code played up to 512 frames read ahead before the seek, then
    500.. (some frames twice)."""
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(src(ramp(1000)), start_at=1)
        first = frames_of(mixer.render(101)[:, 0])
        np.testing.assert_array_equal(first[1:], np.arange(100))
        voice.seek(500)
        assert voice.position == 500  # at once, before the reader applies it
        after = frames_of(mixer.render(600)[:, 0])
        assert after[0] == -1
        np.testing.assert_array_equal(after[1:501], np.arange(500, 1000))
        assert not (after[501:] >= 0).any()
        assert voice.finished and voice.position == 1000


def test_seek_back_repeatedly_while_rendering():
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(src(ramp(5000)))
        for target in (4000, 10, 2500, 0, 4999):
            mixer.render(37)
            voice.seek(target)
            out = frames_of(mixer.render(50)[:, 0])
            played = out[out >= 0]
            np.testing.assert_array_equal(played, np.arange(target, min(target + len(played), 5000)))
            assert voice.finished or voice.position == target + len(played)


# ---- threads -----------------------------------------------------------------------------------


def test_threads_play_and_stop_while_a_third_closes_the_mixer_on_a_mixing_device():
    """Two threads play voices (and stop some), a third closes the mixer while a NULL device mixes:
    the only errors are the documented ValueError of a closed mixer; nothing hangs; every source is
    given back."""
    for _ in range(5):
        sources, errors, started = [], [], threading.Event()
        device = null_device()
        mixer = miniaudio.Mixer(device)

        def player():
            try:
                for i in range(400):
                    w = sine()
                    sources.append(w)
                    try:
                        v = mixer.play(w, stop_at=mixer.time + 100)
                    except ValueError as exc:
                        assert "closed" in str(exc)
                        return
                    started.set()
                    v.volume = 0.5
                    if i % 2:
                        v.stop()
            except BaseException as exc:  # pragma: no cover
                errors.append(exc)

        def closer():
            try:
                started.wait(10)
                time.sleep(0.01)
                mixer.close()
            except BaseException as exc:  # pragma: no cover
                errors.append(exc)

        threads = [threading.Thread(target=f) for f in (player, player, closer)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        try:
            assert not any(t.is_alive() for t in threads), "a thread hangs"
            assert errors == [], errors
            assert mixer.closed and mixer.voices == [] and not device.running
            assert all(usable(w) for w in sources)
        finally:
            device.close()


def test_close_while_another_thread_renders():
    """close() on one thread while another renders (the GIL released in the engine): the old code
    freed the engine under the render (a crash); now close() waits for the render in progress and
    the render thread then gets the closed mixer's ValueError."""
    for _ in range(20):
        mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=2)
        sources = [sine(2) for _ in range(16)]
        for s in sources:
            mixer.play(s)
        errors, rendering = [], threading.Event()

        def render():
            try:
                while True:
                    rendering.set()
                    mixer.render(48000)
            except ValueError as exc:
                errors.append(exc)

        t = threading.Thread(target=render)
        t.start()
        rendering.wait(10)
        mixer.close()
        t.join(20)
        assert not t.is_alive()
        assert len(errors) == 1 and "closed" in str(errors[0])
        assert all(usable(s) for s in sources)


def test_voices_stopped_from_threads_while_an_offline_mixer_renders():
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as mixer:
        stop, errors = threading.Event(), []

        def player():
            try:
                while not stop.is_set():
                    v = mixer.play(sine(), pan=-0.3)
                    v.pitch = 1.5
                    v.stop(fade_out=10)
            except BaseException as exc:  # pragma: no cover
                errors.append(exc)

        t = threading.Thread(target=player)
        t.start()
        try:
            for _ in range(200):
                out = mixer.render(512)
                assert out.shape == (512, 2) and np.isfinite(out).all()
        finally:
            stop.set()
            t.join(20)
        assert errors == [] and not t.is_alive()
        mixer.render(64)
        assert mixer.voices == []
