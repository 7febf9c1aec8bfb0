"""miniaudio's device notifications (device.on_notification, device.notifications) and the device
watcher (miniaudio.watch_devices), on the NULL backend and on a real PulseAudio server
(tests/pulse_server.py): a suspended sink does not end a run, a killed server does, and null sinks
loaded and unloaded with pactl reach the watcher's callback.
"""

import os
import sys
import threading
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import Backend, SampleFormat as SF

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from device_helpers import NULL, wait_until  # noqa: E402

PULSE = [Backend.PULSEAUDIO]
RATE = 48000
DEADLINE = 10.0


def silence_generator(nchannels=2):
    """A float32 playback generator of silence, forever."""
    frames = yield b""
    while True:
        frames = yield np.zeros(frames * nchannels, dtype=np.float32)


def capture_generator():
    while True:
        yield


class Notes:
    """on_notification that records (kind, thread name); kinds() for the list."""

    def __init__(self):
        self.got = []

    def __call__(self, device, kind):
        self.got.append((device, kind, threading.current_thread().name))

    def kinds(self):
        return [kind for _, kind, _ in self.got]


# ---- NULL backend: what is recorded and how it is delivered --------------------------------------


def test_start_and_stop_are_recorded_and_delivered_on_the_event_thread():
    notes = Notes()
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=NULL) as dev:
        assert dev.notifications == [] and dev.on_notification is None
        dev.on_notification = notes
        before = time.monotonic()
        gen = silence_generator()
        next(gen)
        dev.start(gen)
        assert wait_until(lambda: dev.stats.callbacks >= 3)
        dev.stop()
        after = time.monotonic()
        assert wait_until(lambda: len(notes.got) == 2), notes.got
        assert notes.kinds() == ["started", "stopped"]
        assert all(d is dev and thread == "miniaudio-events" for d, _, thread in notes.got)
        recorded = dev.notifications
        assert [kind for _, kind in recorded] == ["started", "stopped"]
        # times are time.monotonic() values, in order, within the run
        assert before - 0.05 <= recorded[0][0] <= recorded[1][0] <= after + 0.05, (before, recorded, after)


def test_notifications_keep_the_last_256():
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=5, backends=NULL) as dev:
        for i in range(140):  # 280 notifications
            dev.start()
            dev.stop()
            if i % 8 == 0:
                dev.notifications  # takes them off the device's ring of 64
        recorded = dev.notifications
        assert len(recorded) == 256
        assert [kind for _, kind in recorded] == ["started", "stopped"] * 128
        assert [t for t, _ in recorded] == sorted(t for t, _ in recorded)


def test_a_raising_on_notification_is_reported_and_the_next_ones_still_come(unraisable):
    calls = []

    def on_notification(device, kind):
        calls.append(kind)
        if kind == "started":
            raise KeyError("boom")

    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=NULL) as dev:
        dev.on_notification = on_notification
        dev.start()
        dev.stop()
        assert wait_until(lambda: calls == ["started", "stopped"]), calls
    assert [(type(exc), obj) for exc, obj in unraisable] == [(KeyError, on_notification)]


@pytest.mark.parametrize("bad", [1, "x", b"f"])
def test_on_notification_must_be_callable(bad):
    with miniaudio.PlaybackDevice(backends=NULL) as dev:
        with pytest.raises(TypeError, match="on_notification must be callable or None"):
            dev.on_notification = bad
        dev.on_notification = None


# ---- PulseAudio: a suspended sink is no lost device; a killed server is -------------------------


def open_device(kind, pulse):
    if kind == "playback":
        # the default sink ("Null Output"): miniaudio asks PulseAudio not to move a stream opened on
        # a named device, and the test moves this one
        return miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=PULSE)
    return miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=PULSE,
                                   device_id="Monitor of Null Output")


def start(dev):
    if isinstance(dev, miniaudio.PlaybackDevice):
        gen = silence_generator()
        next(gen)
    else:
        gen = capture_generator()
        next(gen)
    dev.start(gen)


@pytest.mark.parametrize("kind", ["playback", "capture"])
def test_suspended_and_resumed_sink_does_not_end_the_run(pulse_server, kind, unraisable):
    notes = Notes()
    finished = []
    with open_device(kind, pulse_server) as dev:
        dev.on_notification = notes
        dev.on_finished = finished.append
        start(dev)
        assert wait_until(lambda: dev.stats.callbacks >= 20, DEADLINE), dev.stats
        assert wait_until(lambda: notes.kinds() == ["started"]), notes.kinds()
        try:
            pulse_server.pactl("suspend-sink", pulse_server.sink_name, "1")
            # measured: PulseAudio tells the stream within ~10 ms; miniaudio posts it as "stopped"
            assert wait_until(lambda: notes.kinds() == ["started", "stopped"], DEADLINE), notes.kinds()
            time.sleep(0.2)
            assert dev.running and not finished
        finally:
            pulse_server.pactl("suspend-sink", pulse_server.sink_name, "0")
        assert wait_until(lambda: notes.kinds() == ["started", "stopped", "started"], DEADLINE), notes.kinds()
        callbacks = dev.stats.callbacks
        assert wait_until(lambda: dev.stats.callbacks >= callbacks + 20, DEADLINE), "no callbacks after resume"
        assert dev.running and not finished
        rerouted = []
        if kind == "playback":
            # moved to another sink, then moved back by the server when that sink goes: "rerouted"
            # twice (measured), and the run plays on
            module = pulse_server.load_null_sink("elsewhere", "Elsewhere")
            try:
                listed = pulse_server.pactl("list", "short", "sink-inputs")
                inputs = [line.split("\t")[0] for line in listed.splitlines()]
                assert len(inputs) == 1, inputs
                pulse_server.pactl("move-sink-input", inputs[0], "elsewhere")
                assert wait_until(lambda: notes.kinds()[3:] == ["rerouted"], DEADLINE), notes.kinds()
            finally:
                pulse_server.unload_module(module)
            assert wait_until(lambda: notes.kinds()[3:] == ["rerouted", "rerouted"], DEADLINE), notes.kinds()
            callbacks = dev.stats.callbacks
            assert wait_until(lambda: dev.stats.callbacks >= callbacks + 20, DEADLINE), "no callbacks after move"
            rerouted = ["rerouted", "rerouted"]
        assert dev.running and not finished
        dev.stop()  # raises nothing: the run had no error
    assert unraisable == []
    assert [k for _, k in dev.notifications] == ["started", "stopped", "started"] + rerouted + ["stopped"]


def test_unloaded_sink_ends_a_run_on_it_as_device_lost(pulse_server, unraisable):
    """A device opened on a named sink is not moved when the sink goes (an unplugged headset): the
    server kills its stream, and the run ends as a lost device."""
    notes = Notes()
    module = pulse_server.load_null_sink("headset", "Headset")
    try:
        dev = miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=PULSE, device_id="Headset")
        with dev:
            dev.on_notification = notes
            start(dev)
            assert wait_until(lambda: dev.stats.callbacks >= 20, DEADLINE), dev.stats
            pulse_server.unload_module(module)
            module = None
            with pytest.raises(miniaudio.MiniaudioError, match="stopped by itself"):
                dev.wait(timeout=DEADLINE)
            assert notes.kinds() == ["started", "stopped"]
    finally:
        if module is not None:
            pulse_server.unload_module(module)
    assert [type(exc) for exc, _ in unraisable] == [miniaudio.MiniaudioError]


@pytest.fixture
def private_pulse(monkeypatch):
    """A PulseAudio daemon of this test's own (it gets killed), the environment pointing at it."""
    import pulse_server as ps

    reason = ps.pulse_available()
    if reason is not None:
        if os.environ.get("MINIAUDIO_REQUIRE_PULSE") == "1":
            pytest.fail("MINIAUDIO_REQUIRE_PULSE=1 but " + reason, pytrace=False)
        pytest.skip(reason)
    with ps.PulseServer(sink_name="mortal") as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.mark.parametrize("kind", ["playback", "capture"])
def test_killed_server_ends_the_run_as_device_lost(private_pulse, kind, unraisable):
    notes = Notes()
    finished = []
    if kind == "playback":
        dev = miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=PULSE)
    else:
        dev = miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=PULSE,
                                      device_id="Monitor of Null Output")
    with dev:
        dev.on_notification = notes
        dev.on_finished = finished.append
        start(dev)
        assert wait_until(lambda: dev.stats.callbacks >= 20, DEADLINE), dev.stats
        private_pulse._proc.kill()  # SIGKILL: the server goes away without a word
        killed = time.monotonic()
        with pytest.raises(miniaudio.MiniaudioError, match="stopped by itself"):
            dev.wait(timeout=DEADLINE)
        took = time.monotonic() - killed
        assert took < 2.0, took  # measured: about 10 ms
        assert not dev.running and finished == [dev]
        assert notes.kinds() == ["started", "stopped"]
    assert [type(exc) for exc, _ in unraisable] == [miniaudio.MiniaudioError]


@pytest.fixture
def private_jack(monkeypatch):
    """A jackd of this test's own (it gets killed), the environment pointing at it."""
    import jack_server as js

    reason = js.jack_available()
    if reason is not None:
        if os.environ.get("MINIAUDIO_REQUIRE_JACK") == "1":
            pytest.fail("MINIAUDIO_REQUIRE_JACK=1 but " + reason, pytrace=False)
        pytest.skip(reason)
    with js.JackServer(rate=RATE, period=256) as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        yield server


def test_killed_jack_server_ends_the_run_as_device_lost(private_jack, unraisable):
    notes = Notes()
    finished = []
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, buffersize_msec=10, backends=[Backend.JACK]) as dev:
        dev.on_notification = notes
        dev.on_finished = finished.append
        start(dev)
        assert wait_until(lambda: dev.stats.callbacks >= 20, DEADLINE), dev.stats
        private_jack._proc.kill()
        killed = time.monotonic()
        with pytest.raises(miniaudio.MiniaudioError, match="stopped by itself"):
            dev.wait(timeout=DEADLINE)
        assert time.monotonic() - killed < 2.0
        assert not dev.running and finished == [dev]
        assert notes.kinds() == ["started", "stopped"]
    assert [type(exc) for exc, _ in unraisable] == [miniaudio.MiniaudioError]


# ---- watch_devices ------------------------------------------------------------------------------


class Events:
    def __init__(self, raise_first=False):
        self.got = []
        self.raise_first = raise_first
        self.lock = threading.Lock()

    def __call__(self, event, device):
        with self.lock:
            self.got.append((event, device["type"], device["name"], threading.current_thread().name))
        if self.raise_first and len(self.got) == 1:
            raise ValueError("first callback")

    def seen(self):
        with self.lock:
            return [(e, t.name, n) for e, t, n, _ in self.got]


def test_watch_devices_added_default_removed(pulse_server, unraisable):
    events = Events(raise_first=True)
    module = None
    with miniaudio.watch_devices(events, interval=0.1, backends=PULSE) as watcher:
        assert sorted(d["name"] for d in watcher.devices) == ["Monitor of Null Output", "Null Output"]
        assert events.seen() == []  # the devices already there are not "added"
        try:
            module = pulse_server.load_null_sink("watched", "Watched Sink")
            added = [("added", "PLAYBACK", "Watched Sink"), ("added", "CAPTURE", "Monitor of Watched Sink")]
            assert wait_until(lambda: events.seen() == added, DEADLINE), events.seen()
            pulse_server.pactl("set-default-sink", "watched")
            default = [("default", "PLAYBACK", "Watched Sink"), ("default", "CAPTURE", "Monitor of Watched Sink")]
            assert wait_until(lambda: events.seen() == added + default, DEADLINE), events.seen()
            pulse_server.pactl("set-default-sink", pulse_server.sink_name)
            back = [("default", "PLAYBACK", "Null Output"), ("default", "CAPTURE", "Monitor of Null Output")]
            assert wait_until(lambda: events.seen() == added + default + back, DEADLINE), events.seen()
            pulse_server.unload_module(module)
            module = None
            removed = [("removed", "PLAYBACK", "Watched Sink"), ("removed", "CAPTURE", "Monitor of Watched Sink")]
            assert wait_until(lambda: events.seen() == added + default + back + removed, DEADLINE), events.seen()
        finally:
            if module is not None:
                pulse_server.unload_module(module)
            pulse_server.pactl("set-default-sink", pulse_server.sink_name)
        thread_names = {name for _, _, _, name in events.got}
        assert thread_names == {"miniaudio-watch"}
        # the device dicts are the ones Devices gives
        with miniaudio.Devices(backends=PULSE) as devices:
            assert [d for d in watcher.devices if d["type"] is miniaudio.DeviceType.PLAYBACK] == devices.get_playbacks()
    assert watcher.closed and not watcher._thread.is_alive()
    # the first callback raised: reported, and the watcher kept going (every event above came)
    assert [(type(exc), obj) for exc, obj in unraisable] == [(ValueError, events)]


def test_watcher_close_stops_its_thread_and_is_idempotent():
    before = threading.active_count()
    watcher = miniaudio.watch_devices(lambda event, device: None, interval=0.05, backends=NULL)
    assert threading.active_count() == before + 1
    assert [d["name"] for d in watcher.devices] == ["NULL Playback Device", "NULL Capture Device"]
    time.sleep(0.2)
    watcher.close()
    watcher.close()
    assert watcher.closed and threading.active_count() == before
    assert "closed" in repr(watcher)


def test_watcher_closed_from_its_own_callback():
    """close() inside the callback (on the watcher's own thread) ends the thread instead of waiting
    for itself.  The NULL backend's list never changes: the poll is made to see one more device."""
    done = threading.Event()

    def callback(event, device):
        watcher.close()
        done.set()

    watcher = miniaudio.watch_devices(callback, interval=0.05, backends=NULL)
    extra = dict(watcher.devices[0], id=miniaudio.DeviceId("Null", b"extra"), name="extra")
    real_poll = watcher._poll_once
    watcher._poll_once = lambda: real_poll() + [extra]
    assert done.wait(DEADLINE)
    watcher._thread.join(DEADLINE)
    assert watcher.closed and not watcher._thread.is_alive()
