"""Loopback capture ("what you hear") and backend settings of the device classes.

On the private PulseAudio server of tests/pulse_server.py: another process (paplay) plays a tone to
a sink and CaptureDevice(loopback=True) records it through the same API (the sink's monitor), its
frequency checked with an FFT; stream names as `pactl list sink-inputs` shows them; a channel map
heard on the sink's monitor.  On the NULL backend: the settings that do not apply are refused with
a ValueError naming the backends they apply to, bad values name the argument.
"""

import os
import subprocess
import tempfile
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import Backend, DeviceType, SampleFormat as SF

PULSE = [Backend.PULSEAUDIO]
NULL = [Backend.NULL]
RATE = 48000


def peak_frequency(y):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1:k + 2] + 1e-30)
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * RATE / len(y)


def record_tone(dev, seconds=0.5, deadline=20.0):
    """Reads from a running loopback device until `seconds` of audible signal arrived; returns it
    (frames, 2) float32 (the silence before the player joined is dropped)."""
    want = int(seconds * RATE)
    got = []
    have = 0
    end = time.monotonic() + deadline
    while have < want:
        assert time.monotonic() < end, f"only {have} of {want} audible frames within {deadline} s"
        x = dev.read(2400, timeout=deadline, chunk_type="numpy")
        if got or np.abs(x).max() > 0.05:
            got.append(x)
            have += len(x)
    return np.concatenate(got)[:want]


def paplay(pa, freq, seconds, device=None, tmpdir=None):
    """A background paplay of a sine WAV to `device` (None: the server's default sink)."""
    import pulse_server as ps

    path = os.path.join(tmpdir, f"tone{int(freq)}.wav")
    with open(path, "wb") as f:
        f.write(ps.sine_wav_bytes(freq, seconds, RATE, 2, 0.5))
    cmd = ["paplay"] + ([f"--device={device}"] if device else []) + [path]
    return subprocess.Popen(cmd, env=pa.client_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc):
    proc.terminate()
    proc.wait(10)


# ---- loopback on PulseAudio --------------------------------------------------------------------


def test_loopback_records_what_another_process_plays_on_the_default_sink(pulse_server, tmp_path):
    player = paplay(pulse_server, 660.0, 20.0, tmpdir=str(tmp_path))
    try:
        with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True,
                                     buffersize_msec=20) as dev:
            assert dev.loopback is True
            assert dev.device_name == pulse_server_monitor_description()
            x = record_tone(dev)
    finally:
        stop(player)
    assert abs(peak_frequency(x[:, 0]) - 660.0) < 2.0
    assert abs(peak_frequency(x[:, 1]) - 660.0) < 2.0
    assert 0.3 < float(np.sqrt(np.mean(x * x))) < 0.4  # a 0.5-amplitude sine: 0.354 RMS


def pulse_server_monitor_description():
    import pulse_server as ps

    return ps.MONITOR_DESCRIPTION


def test_loopback_device_id_names_the_sink(pulse_server, tmp_path):
    index = pulse_server.load_null_sink("loopsink", "Loop Sink")
    try:
        player = paplay(pulse_server, 440.0, 20.0, device="loopsink", tmpdir=str(tmp_path))
        try:
            with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True, device_id="Loop Sink",
                                         buffersize_msec=20) as dev:
                assert dev.device_name == "Monitor of Loop Sink"
                x = record_tone(dev)
        finally:
            stop(player)
        assert abs(peak_frequency(x[:, 0]) - 440.0) < 2.0
        # a device dict of the playback list names the sink too
        sinks = [d for d in miniaudio.Devices(backends=PULSE).get_playbacks() if d["name"] == "Loop Sink"]
        with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True, device_id=sinks[0]) as dev:
            assert dev.device_name == "Monitor of Loop Sink"
        # and so does the monitor's own id (a DeviceId of the capture list)
        with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True,
                                     device_id=miniaudio.DeviceId("PulseAudio", b"loopsink.monitor")) as dev:
            assert dev.device_name == "Monitor of Loop Sink"
    finally:
        pulse_server.unload_module(index)


def test_loopback_unknown_sink_lists_the_sinks(pulse_server):
    with pytest.raises(ValueError, match="Null Output"):
        miniaudio.CaptureDevice(backends=PULSE, loopback=True, device_id="no such sink")


def test_loopback_on_a_backend_without_it_names_those_with_it():
    with pytest.raises(ValueError, match="loopback capture is available on the WASAPI and PulseAudio backends, "
                                         "not on Null"):
        miniaudio.CaptureDevice(backends=NULL, loopback=True)
    with pytest.raises(TypeError, match="loopback must be True or False"):
        miniaudio.CaptureDevice(backends=NULL, loopback=1)
    assert DeviceType.LOOPBACK.value == 4


# ---- backend settings on PulseAudio ------------------------------------------------------------


def pactl_names(pa, what):
    return [line.split("=", 1)[1].strip().strip('"') for line in pa.pactl("list", what).splitlines()
            if line.strip().startswith("media.name = ")]


def test_stream_name_is_what_pulseaudio_shows(pulse_server):
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, backends=PULSE, stream_name="Loop Test Playback") as dev:
        dev.start()
        assert "Loop Test Playback" in pactl_names(pulse_server, "sink-inputs")
    with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE,
                                 backend_options={"pulse": {"stream_name_capture": "Loop Test Capture"}}) as dev:
        dev.start()
        assert "Loop Test Capture" in pactl_names(pulse_server, "source-outputs")
    # the backend's own setting wins over stream_name; Backend members key the sections too
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, backends=PULSE, stream_name="general",
                                  backend_options={Backend.PULSEAUDIO: {"stream_name_playback": "own"}}) as dev:
        dev.start()
        names = pactl_names(pulse_server, "sink-inputs")
        assert "own" in names and "general" not in names


def test_channel_map_swaps_channels_on_the_sink(pulse_server):
    """A left-only tone played through channel_map=["FR", "FL"] is heard on the sink's right channel."""
    t = np.arange(RATE * 4) / RATE
    left_only = np.zeros((len(t), 2), np.float32)
    left_only[:, 0] = 0.5 * np.sin(2 * np.pi * 880.0 * t)
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, backends=PULSE, channel_map=["FR", "FL"]) as play:
        play.write(left_only[: RATE // 2])
        with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True, buffersize_msec=20) as rec:
            rec.start()
            play.write(left_only[RATE // 2:], timeout=20)
            x = record_tone(rec, 0.3)
    assert np.abs(x[:, 0]).max() < 0.01
    assert abs(peak_frequency(x[:, 1]) - 880.0) < 3.0


def test_general_settings_refused_where_they_do_not_apply(pulse_server):
    with pytest.raises(ValueError, match=r"exclusive applies to the backends WASAPI, .*ALSA.* only, not to "
                                         r"PulseAudio"):
        miniaudio.PlaybackDevice(backends=PULSE, exclusive=True)
    with pytest.raises(ValueError, match="stream_name applies to the backends PulseAudio only, not to Null"):
        miniaudio.CaptureDevice(backends=NULL, stream_name="x")


# ---- backend settings on NULL ------------------------------------------------------------------


def test_settings_that_apply_everywhere_open_on_null(devices):
    dev = devices(miniaudio.PlaybackDevice, SF.FLOAT32, 2, RATE, no_clip=True, no_pre_silence=True,
                  channel_map=["front_left", 3], performance_profile="conservative",
                  backend_options={"wasapi": {"usage": "pro_audio"}, "alsa": {"no_mmap": True}})
    dev.start((np.full((n, 2), 2.0, np.float32) for n in iter(lambda: 480, None)))
    time.sleep(0.1)
    dev.stop()
    assert dev.stats.frames > 0
    cap = devices(miniaudio.CaptureDevice, SF.SIGNED16, 1, RATE, channel_map=["mono"])
    assert cap.nchannels == 1
    duplex = devices(miniaudio.DuplexStream, playback_channel_map=["FL", "FR"], capture_channel_map=["FR", "FL"])
    assert duplex.playback_channels == 2


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(exclusive=True), ValueError, "exclusive applies to the backends .* only, not to Null"),
    (dict(exclusive=1), TypeError, "exclusive must be True or False"),
    (dict(no_clip=True), ValueError, "no_clip applies to output_format=SampleFormat.FLOAT32 only"),
    (dict(channel_map=["FL"]), ValueError, "channel_map has 1 positions but the device has 2 channels"),
    (dict(channel_map=["FL", "up"]), ValueError, "unknown channel position 'up'"),
    (dict(channel_map=["FL", 99]), ValueError, "channel positions are 0..51"),
    (dict(channel_map="FL"), TypeError, "channel_map must be a sequence"),
    (dict(performance_profile="fast"), ValueError, "performance_profile must be 'low_latency', 'conservative'"),
    (dict(stream_name=5), TypeError, "stream_name must be a str"),
    (dict(backend_options={"pulse": {"nope": 1}}), ValueError,
     "unknown backend option 'pulse.nope'; the settings are: pulse.stream_name_playback"),
    (dict(backend_options={"beos": {}}), ValueError, "unknown backend 'beos'"),
    (dict(backend_options={"pulse": 1}), TypeError, r"backend_options\['pulse'\] must be a dict"),
    (dict(backend_options=[]), TypeError, "backend_options must be a dict"),
    (dict(backend_options={"wasapi": {"usage": "loud"}}), ValueError,
     "wasapi.usage must be one of default, games, pro_audio, not 'loud'"),
    (dict(backend_options={"alsa": {"no_mmap": "yes"}}), TypeError, "alsa.no_mmap must be True or False"),
    (dict(backend_options={"pulse": {"server": ""}}), ValueError, "pulse.server must be 1 to 255 bytes"),
    (dict(backend_options={"pulse": {"server": "a\x00b"}}), ValueError, "pulse.server must be 1 to 255 bytes"),
    (dict(backend_options={"wasapi": {"loopback_process_id": -1}}), ValueError,
     "wasapi.loopback_process_id must be 0..4294967295"),
])
def test_bad_settings_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        miniaudio.PlaybackDevice(backends=NULL, **kwargs)


def test_no_pre_silence_keeps_stopped_and_generator_periods_silent(devices):
    """With no_pre_silence the package clears what it does not write: a generator's short chunk is
    padded with silence (checked through a capture-free path: the device's own padded count)."""
    dev = devices(miniaudio.PlaybackDevice, SF.SIGNED16, 2, RATE, no_pre_silence=True)

    def short():
        yield b""
        yield b"\x01\x00" * 20

    dev.start(short())
    assert dev.wait(5)
    assert dev.stats.padded_callbacks >= 1


def test_loopback_follows_the_default_sink(pulse_server, tmp_path):
    """With device_id=None the loopback records the sink that is the default when it opens."""
    index = pulse_server.load_null_sink("othersink", "Other Sink")
    try:
        pulse_server.pactl("set-default-sink", "othersink")
        player = paplay(pulse_server, 550.0, 20.0, tmpdir=str(tmp_path))  # to the default: othersink
        try:
            with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True,
                                         buffersize_msec=20) as dev:
                assert dev.device_name == "Monitor of Other Sink"
                x = record_tone(dev)
        finally:
            stop(player)
        assert abs(peak_frequency(x[:, 0]) - 550.0) < 2.0
    finally:
        pulse_server.pactl("set-default-sink", pulse_server.sink_name)
        pulse_server.unload_module(index)


def test_capture_channel_map_swaps_channels(pulse_server):
    """A left-only tone on the sink, recorded by a loopback capture with channel_map=["FR", "FL"]:
    it arrives on the capture's second channel.  (PulseAudio opens its streams with the client's
    channel count, so a one-channel map reaches the server as mono: selection needs the map's
    positions to be the device's own, as here.)"""
    t = np.arange(RATE * 4) / RATE
    left_only = np.zeros((len(t), 2), np.float32)
    left_only[:, 0] = 0.5 * np.sin(2 * np.pi * 770.0 * t)
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, backends=PULSE) as play:
        play.write(left_only[: RATE // 2])
        with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True, buffersize_msec=20,
                                     channel_map=["front_right", "front_left"]) as rec:
            rec.start()
            play.write(left_only[RATE // 2:], timeout=20)
            x = record_tone(rec, 0.3)
    assert np.abs(x[:, 0]).max() < 0.01
    assert abs(peak_frequency(x[:, 1]) - 770.0) < 3.0


def test_pulse_server_option_reaches_the_backend(pulse_server):
    """backend_options pulse.server: the server named is the one connected to (a socket that does not
    exist: PulseAudio cannot be opened; the right one: it can)."""
    with pytest.raises(miniaudio.MiniaudioError):
        miniaudio.PlaybackDevice(backends=PULSE, backend_options={"pulse": {"server": "unix:/nonexistent/socket"}})
    server = pulse_server.env["PULSE_SERVER"]
    with miniaudio.PlaybackDevice(backends=PULSE, backend_options={"pulse": {"server": server}}) as dev:
        assert dev.backend == "PulseAudio"


def test_no_pre_silence_plays_silence_after_a_generator_ends(pulse_server):
    """With no_pre_silence miniaudio leaves the output buffer as it was: the package clears it where
    it does not write (after the generator ended, while the end drains), so the sink hears silence
    after the one-second tone, not the tone's last period again: the audible span recorded is at
    most the tone's length (PulseAudio drops 12-17 ms at the start of a stream, never adds)."""
    t = np.arange(RATE) / RATE
    tone = np.repeat((0.5 * np.sin(2 * np.pi * 1000.0 * t)).astype(np.float32)[:, None], 2, axis=1)

    def gen():
        pos = 0
        frames = yield b""
        while pos < len(tone):
            chunk = tone[pos:pos + frames]
            pos += len(chunk)
            frames = yield chunk

    # the channel map makes miniaudio convert through its own buffer, which keeps the last period
    # when nobody clears it
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, backends=PULSE, buffersize_msec=10, no_pre_silence=True,
                                  channel_map=["FR", "FL"]) as play:
        with miniaudio.CaptureDevice(SF.FLOAT32, 2, RATE, backends=PULSE, loopback=True, buffersize_msec=10,
                                     ring_msec=5000) as rec:
            rec.start()
            play.start(gen())
            assert play.wait(20)
            x = rec.read(int(RATE * 1.5), timeout=20, chunk_type="numpy")
    audible = np.nonzero(np.abs(x[:, 0]) > 0.05)[0]
    assert len(audible) > RATE // 2
    span = audible[-1] - audible[0] + 1
    assert RATE - 1000 < span <= RATE


# ---- JACK (a private jackd with the dummy driver, as tests/test_devices_jack.py) -----------------


@pytest.fixture(scope="module")
def jack():
    import jack_server as js

    from conftest import require_or_skip, server_environment
    require_or_skip(js.jack_available(), "MINIAUDIO_REQUIRE_JACK")
    with js.JackServer(rate=RATE, period=256) as server, server_environment(server):
        yield server


JACK = [Backend.JACK]


def test_jack_client_name_and_refused_settings(jack):
    # backend_options jack.client_name names the JACK client (it wins over app_name)
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, RATE, backends=JACK, app_name="app",
                                  backend_options={"jack": {"client_name": "loopclient"}}) as dev:
        dev.start()
        ports = jack.ports()
        assert any(p.startswith("loopclient:") for p in ports), ports
        assert not any(p.startswith("app:") for p in ports)
    # one channel on the right port: JACK opens one channel per physical port
    with miniaudio.PlaybackDevice(SF.FLOAT32, 1, RATE, backends=JACK, channel_map=["FR"]) as dev:
        assert dev.nchannels == 1
    with pytest.raises(ValueError, match="loopback capture is available on the WASAPI and PulseAudio backends, "
                                         "not on JACK"):
        miniaudio.CaptureDevice(backends=JACK, loopback=True)
    with pytest.raises(ValueError, match="exclusive applies to the backends .* only, not to JACK"):
        miniaudio.CaptureDevice(backends=JACK, exclusive=True)
    with pytest.raises(ValueError, match="stream_name applies to the backends PulseAudio only, not to JACK"):
        miniaudio.DuplexStream(backends=JACK, stream_name="x")
