"""Devices on the NULL backend: the 1.71 API surface (signatures, defaults, attributes), enumeration
and DeviceId, backend selection, and bad constructor and start() arguments.

The NULL backend is paced in real time by a timer and captures silence.  Every device here names its
backend explicitly.  Tests wait for a number of callbacks or frames with a deadline, never for a fixed
sleep; helpers and fixtures are in device_helpers.py and conftest.py.
"""

import inspect
import pickle

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import NULL, WIDTH, STATS_FIELDS, DEVICE_KEYS, FORMAT_KEYS, DEADLINE, wait_until, Feeder, Finished


# --- 1.71 API surface ----------------------------------------------------------------------------------

COMMON_TAIL = [("callback_periods", 0), ("backends", None),
               ("thread_prio", miniaudio.ThreadPriority.HIGHEST), ("app_name", "")]


@pytest.mark.parametrize("cls,expected", [
    ("PlaybackDevice", [("output_format", SF.SIGNED16), ("nchannels", 2), ("sample_rate", 44100),
                        ("buffersize_msec", 200), ("device_id", None)] + COMMON_TAIL),
    ("CaptureDevice", [("input_format", SF.SIGNED16), ("nchannels", 2), ("sample_rate", 44100),
                       ("buffersize_msec", 200), ("device_id", None)] + COMMON_TAIL),
    ("DuplexStream", [("playback_format", SF.SIGNED16), ("playback_channels", 2),
                      ("capture_format", SF.SIGNED16), ("capture_channels", 2), ("sample_rate", 44100),
                      ("buffersize_msec", 200), ("playback_device_id", None), ("capture_device_id", None)]
     + COMMON_TAIL),
])
def test_constructor_signature(cls, expected):
    params = list(inspect.signature(getattr(miniaudio, cls)).parameters.values())
    positional = [(p.name, p.default) for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == expected
    keyword_only = [(p.name, p.default) for p in params if p.kind == p.KEYWORD_ONLY]
    assert keyword_only[:3] == [("on_finished", None), ("ring_msec", None), ("latency", None)]
    # then the backend settings (docs/devices.rst, "Backend settings"), all off by default
    settings = {"PlaybackDevice": ["exclusive", "channel_map", "performance_profile", "no_clip", "no_pre_silence",
                                   "stream_name", "backend_options"],
                "CaptureDevice": ["loopback", "exclusive", "channel_map", "performance_profile", "stream_name",
                                  "backend_options"],
                "DuplexStream": ["exclusive", "playback_channel_map", "capture_channel_map", "performance_profile",
                                 "no_clip", "no_pre_silence", "stream_name", "backend_options"]}[cls]
    assert [name for name, _ in keyword_only[3:]] == settings
    assert all(default in (None, False) for _, default in keyword_only[3:])
    assert [p.name for p in params] == [n for n, _ in expected] + ["on_finished", "ring_msec", "latency"] + settings


def test_method_signatures():
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice, miniaudio.DuplexStream):
        # 1.71's positional parameter; new ones (prefetch_msec, ...) are keyword-only
        start = inspect.signature(cls.start).parameters
        assert [n for n, p in start.items() if p.kind is not p.KEYWORD_ONLY][1:] in (["callback_generator"], ["generator"])
        assert start["callback"].kind is inspect.Parameter.KEYWORD_ONLY and start["callback"].default is None
        assert start["input_type"].kind is inspect.Parameter.KEYWORD_ONLY and start["input_type"].default is None
        assert list(inspect.signature(cls.stop).parameters) == ["self"]
        assert list(inspect.signature(cls.close).parameters) == ["self"]
        wait = inspect.signature(cls.wait).parameters
        assert list(wait)[1:] == ["timeout"] and wait["timeout"].default is None


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32, SF.FLOAT32],
                         ids=lambda f: f.name)
def test_playback_and_capture_attributes(devices, fmt):
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice):
        dev = devices(cls, fmt, 1, 48000, buffersize_msec=20, callback_periods=3,
                      thread_prio=miniaudio.ThreadPriority.NORMAL, app_name="pytest")
        assert dev.format is fmt
        assert dev.sample_width == WIDTH[fmt]
        assert dev.nchannels == 1
        assert dev.sample_rate == 48000
        assert dev.buffersize_msec == 20
        assert dev.backend == "Null"
        assert dev.running is False
        assert dev.callback_generator is None
        assert dev.stop_callback is None
        assert dev.on_finished is None
        assert dev.callback_error is None
        assert dev.closed is False
        assert dev.device_name is None or isinstance(dev.device_name, str)
        stats = dev.stats
        assert isinstance(stats, tuple) and stats._fields == STATS_FIELDS
        assert tuple(stats) == (0, 0, 0, 0, 0.0, 0.0, 0, 0, 0)
        if hasattr(miniaudio, "DeviceStats"):
            assert isinstance(stats, miniaudio.DeviceStats)
        dev.close()
        assert dev.closed is True and dev.running is False


def test_settable_callbacks(devices):
    dev = devices()
    fin = Finished()
    dev.stop_callback = fin.stop_callback
    dev.on_finished = fin.on_finished
    assert dev.stop_callback == fin.stop_callback
    assert dev.on_finished == fin.on_finished
    dev.on_finished = None
    dev.stop_callback = None
    assert dev.on_finished is None and dev.stop_callback is None
    dev2 = devices(on_finished=fin.on_finished)
    assert dev2.on_finished == fin.on_finished


def test_duplex_attributes(devices):
    dev = devices(miniaudio.DuplexStream, SF.FLOAT32, 1, SF.SIGNED24, 2, 22050, buffersize_msec=15)
    assert dev.playback_format is SF.FLOAT32
    assert dev.capture_format is SF.SIGNED24
    assert dev.playback_channels == 1
    assert dev.capture_channels == 2
    assert dev.sample_width == 3  # the capture width, as 1.71
    assert dev.sample_rate == 22050
    assert dev.buffersize_msec == 15
    assert dev.backend == "Null"
    assert dev.running is False and dev.callback_generator is None and dev.closed is False
    assert tuple(dev.stats) == (0, 0, 0, 0, 0.0, 0.0, 0, 0, 0)


def test_zero_channels_and_rate_mean_the_devices_own(devices):
    # the NULL backend's own format: miniaudio's defaults (2 channels, 48 kHz)
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice):
        dev = devices(cls, SF.SIGNED16, 0, 0)
        assert (dev.nchannels, dev.sample_rate) == (2, 48000)
    dev = devices(miniaudio.DuplexStream, SF.SIGNED16, 0, SF.SIGNED16, 0, 0)
    assert (dev.playback_channels, dev.capture_channels, dev.sample_rate) == (2, 2, 48000)


def test_context_manager_closes(devices):
    feeder = Feeder()
    with devices() as dev:
        dev.start(feeder.gen())
        assert feeder.first.wait(DEADLINE)
        assert dev.running
    assert dev.closed and not dev.running


# --- enumeration and DeviceId ----------------------------------------------------------------------------

@pytest.mark.parametrize("backends", [NULL, [14], ["null"], ["NULL"], ["Null"]], ids=str)
def test_devices_listing(backends):
    with miniaudio.Devices(backends=backends) as devs:
        assert devs.backend == "Null"
        playbacks, captures = devs.get_playbacks(), devs.get_captures()
    for items, name, dtype in ((playbacks, "NULL Playback Device", miniaudio.DeviceType.PLAYBACK),
                               (captures, "NULL Capture Device", miniaudio.DeviceType.CAPTURE)):
        assert isinstance(items, list) and len(items) == 1
        d = items[0]
        assert set(d) == DEVICE_KEYS
        assert d["name"] == name
        assert d["type"] is dtype
        assert d["is_default"] is True
        assert isinstance(d["id"], miniaudio.DeviceId)
        assert isinstance(d["formats"], list)
        for f in d["formats"]:
            assert set(f) == FORMAT_KEYS
            assert isinstance(f["format"], str) and isinstance(f["samplerate"], int)
            assert isinstance(f["channels"], int)


def test_devices_close_is_idempotent():
    devs = miniaudio.Devices(backends=NULL)
    assert devs.get_playbacks()
    devs.close()
    devs.close()
    with pytest.raises(miniaudio.MiniaudioError):
        devs.get_playbacks()


def test_device_id_value_semantics():
    with miniaudio.Devices(backends=NULL) as a, miniaudio.Devices(backends=NULL) as b:
        id1 = a.get_playbacks()[0]["id"]
        id2 = b.get_playbacks()[0]["id"]
    assert id1 == id2 and not (id1 != id2)
    assert hash(id1) == hash(id2)
    assert len({id1, id2}) == 1
    assert {id1: "x"}[id2] == "x"
    assert id1 != "0" and id1 != 0 and id1 != None  # noqa: E711
    assert isinstance(id1.backend, str) and id1.backend.lower() == "null"
    assert isinstance(id1.raw, bytes)
    assert str(id1) == "0"  # the NULL backend's device number
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(id1, protocol))
        assert type(back) is type(id1)
        assert back == id1 and hash(back) == hash(id1)
        assert back.raw == id1.raw and back.backend == id1.backend
    with pytest.raises((AttributeError, TypeError)):
        id1.raw = b"x"
    with pytest.raises((AttributeError, TypeError)):
        id1.backend = "JACK"


def test_open_by_id_dict_and_name(devices):
    with miniaudio.Devices(backends=NULL) as devs:
        pb, cap = devs.get_playbacks()[0], devs.get_captures()[0]
    for device_id in (pb, pb["id"], "NULL Playback Device", "null playback", "PLAYBACK"):
        dev = devices(device_id=device_id)
        assert dev.device_name == "NULL Playback Device"
        feeder = Feeder(limit=2)
        dev.start(feeder.gen())
        assert dev.wait(DEADLINE)
    for device_id in (cap, cap["id"], "null capture device", "Capture"):
        dev = devices(miniaudio.CaptureDevice, device_id=device_id)
        assert dev.device_name == "NULL Capture Device"
    dev = devices(miniaudio.DuplexStream, playback_device_id="null playback", capture_device_id=cap["id"])
    assert dev.running is False


@pytest.mark.parametrize("cls,arg,candidate", [
    ("PlaybackDevice", "device_id", "NULL Playback Device"),
    ("CaptureDevice", "device_id", "NULL Capture Device"),
    ("DuplexStream", "playback_device_id", "NULL Playback Device"),
    ("DuplexStream", "capture_device_id", "NULL Capture Device"),
])
def test_unknown_device_name_lists_candidates(cls, arg, candidate):
    with pytest.raises(ValueError) as e:
        getattr(miniaudio, cls)(backends=NULL, **{arg: "no such sound card"})
    assert candidate in str(e.value)
    assert "no such sound card" in str(e.value)


@pytest.mark.parametrize("bad", [42, 3.5, b"NULL Playback Device", ["NULL"], {"name": "x"}], ids=repr)
def test_bad_device_id_type(bad):
    with pytest.raises((TypeError, ValueError)) as e:
        miniaudio.PlaybackDevice(backends=NULL, device_id=bad)
    assert "device_id" in str(e.value)


# --- backends --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ["PlaybackDevice", "CaptureDevice", "DuplexStream", "Devices"])
def test_unavailable_backend_is_miniaudio_error(cls):
    # WASAPI / CoreAudio do not exist on Linux
    for backend in (miniaudio.Backend.WASAPI, miniaudio.Backend.COREAUDIO):
        with pytest.raises(miniaudio.MiniaudioError):
            getattr(miniaudio, cls)(backends=[backend])


@pytest.mark.parametrize("cls", ["PlaybackDevice", "CaptureDevice", "DuplexStream", "Devices"])
@pytest.mark.parametrize("bad", ["nosuchbackend", "", 99, -1], ids=repr)
def test_unknown_backend_is_value_error(cls, bad):
    with pytest.raises(ValueError) as e:
        getattr(miniaudio, cls)(backends=[bad])
    assert "backend" in str(e.value).lower()


def test_backend_list_fallback_order(devices):
    # NULL after an unavailable backend: the list is a preference order
    dev = devices(backends=[miniaudio.Backend.WASAPI, miniaudio.Backend.NULL])
    assert dev.backend == "Null"


# --- bad arguments ---------------------------------------------------------------------------------------

BAD_ARGS = [
    # (kwargs, exception, argument name expected in the message)
    ({"nchannels": -1}, ValueError, "nchannels"),
    ({"nchannels": 255}, ValueError, "nchannels"),
    ({"nchannels": 10 ** 6}, ValueError, "nchannels"),
    ({"nchannels": "2"}, TypeError, "nchannels"),
    ({"nchannels": 2.0}, TypeError, "nchannels"),
    ({"sample_rate": -1}, ValueError, "sample_rate"),
    ({"sample_rate": 10 ** 7}, ValueError, "sample_rate"),
    ({"sample_rate": 2 ** 40}, (ValueError, OverflowError), "sample_rate"),
    ({"sample_rate": "44100"}, TypeError, "sample_rate"),
    ({"sample_rate": 44100.5}, TypeError, "sample_rate"),
    ({"buffersize_msec": -1}, ValueError, "buffersize_msec"),
    ({"buffersize_msec": -200}, ValueError, "buffersize_msec"),
    ({"buffersize_msec": "10"}, TypeError, "buffersize_msec"),
    ({"buffersize_msec": 10 ** 6}, ValueError, "buffersize_msec"),
    ({"buffersize_msec": 2 ** 40}, (ValueError, OverflowError), "buffersize_msec"),
    ({"callback_periods": -1}, ValueError, "callback_periods"),
    ({"callback_periods": 2 ** 40}, (ValueError, OverflowError), "callback_periods"),
    ({"thread_prio": 99}, ValueError, "thread_prio"),
    ({"thread_prio": "high"}, TypeError, "thread_prio"),
]


@pytest.mark.parametrize("kw,exc,name", BAD_ARGS, ids=lambda x: repr(x) if isinstance(x, dict) else "")
def test_bad_arguments_playback_capture(kw, exc, name):
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice):
        with pytest.raises(exc) as e:
            cls(backends=NULL, **kw)
        assert name in str(e.value)


@pytest.mark.parametrize("cls,arg", [("PlaybackDevice", "output_format"), ("CaptureDevice", "input_format"),
                                     ("DuplexStream", "playback_format"), ("DuplexStream", "capture_format")])
def test_bad_formats(cls, arg):
    for bad, exc in ((99, ValueError), (-3, ValueError), ("s16", TypeError), (2.0, TypeError),
                     (miniaudio.DitherMode.NONE, (TypeError, ValueError))):
        with pytest.raises(exc) as e:
            getattr(miniaudio, cls)(backends=NULL, **{arg: bad})
        assert arg in str(e.value)


@pytest.mark.parametrize("arg,bad,exc", [("playback_channels", -1, ValueError), ("capture_channels", 1000, ValueError),
                                         ("capture_channels", "1", TypeError), ("sample_rate", -5, ValueError),
                                         ("buffersize_msec", -1, ValueError)])
def test_bad_duplex_arguments(arg, bad, exc):
    with pytest.raises(exc) as e:
        miniaudio.DuplexStream(backends=NULL, **{arg: bad})
    assert arg in str(e.value)


def test_zero_buffersize_means_the_backends_default(devices):
    """buffersize_msec=0 (as 1.71): miniaudio's default period; the device runs."""
    feeder = Feeder(limit=3)
    dev = devices(buffersize_msec=0)
    dev.start(feeder.gen())
    assert dev.wait(DEADLINE) and feeder.ended.is_set()
    assert all(n > 0 for n in feeder.asks)


def test_period_of_zero_frames_is_refused_or_works(devices):
    """sample_rate=1 with a 200 ms period gives a period of 0 frames: a clear ValueError when the
    device is made, or a device that really runs; never a device that is 'running' but silent forever."""
    try:
        dev = devices(sample_rate=1, buffersize_msec=200)
    except ValueError as e:
        assert "sample_rate" in str(e) or "buffersize_msec" in str(e)
        return
    feeder = Feeder()
    dev.start(feeder.gen())
    assert wait_until(lambda: len(feeder.asks) >= 1, timeout=3.0), \
        "device running with a 0-frame period: no callback ever (stats %s)" % (dev.stats,)


def test_device_id_of_another_backend_is_refused():
    """A DeviceId carries its backend: one from another backend cannot name a NULL device."""
    foreign = miniaudio.DeviceId("PulseAudio", b"alsa_output.pci-0000_00_1f.3.analog-stereo")
    with pytest.raises(ValueError) as e:
        miniaudio.PlaybackDevice(backends=NULL, device_id=foreign)
    assert "device_id" in str(e.value)
    with pytest.raises(ValueError):
        miniaudio.DuplexStream(backends=NULL, capture_device_id=foreign)


def test_int_enum_values_accepted(devices):
    dev = devices(miniaudio.PlaybackDevice, 5, 1, 22050, thread_prio=-2)
    assert dev.format is SF.FLOAT32 and dev.sample_width == 4
