"""Devices on a real sound server: a private PulseAudio daemon with a null sink (the `pulse_server`
fixture, tests/pulse_server.py).  Everything here uses backends=[Backend.PULSEAUDIO].

What the null sink can show: whatever is played into the sink "test" ("Null Output") comes back,
bit for bit at the sink's 48 kHz, from its monitor source "test.monitor" ("Monitor of Null Output").
So a capture on the monitor checks a playback: the tone's frequency (FFT), level (RMS), continuity
(no run of silence, and a 1 kHz tone at 48 kHz repeats exactly every 48 frames, so a lost or repeated
chunk breaks the period) and, with a "frame counter" signal recorded by a separate parec process,
exactly which frames arrived.  Nothing here measures latency.  PulseAudio itself drops the first
12-17 ms of a stream that joins the running sink (pacat too), so the start of a recording is not
checked to the frame.  Monitor captures are started after the playback (a capture started first
stalls both for about 2 s), and every test waits for frames with a deadline, never a sleep.
"""

import gc
import io
import os
import pickle
import subprocess
import sys
import threading
import time
import wave

import numpy as np
import pytest

import helpers
import miniaudio
from miniaudio import Backend, DeviceType, SampleFormat as SF

import pulse_server as ps

PULSE = [Backend.PULSEAUDIO]
RATE = 48000
CHANNELS = 2
FREQ = 1000.0
AMP = 0.5
EXPECTED_RMS = AMP / np.sqrt(2)  # 0.35355
PERIOD = int(RATE / FREQ)  # 48 frames: the tone repeats exactly

SINK = "test"
MONITOR = "test.monitor"
SINK_DESC = ps.SINK_DESCRIPTION  # "Null Output" (measured: pactl list sinks)
MONITOR_DESC = ps.MONITOR_DESCRIPTION  # "Monitor of Null Output"

DEADLINE = 30.0  # seconds to wait for frames; generous, the 2-core CI machine may be busy
THRESHOLD = 0.05  # "tone present": above 10 % of the tone's amplitude
SILENT = 0.01  # "near-zero" (1 % of full scale)
# A 0.5-amplitude 1 kHz sine at 48 kHz is below SILENT for at most one sample around each zero
# crossing (the phase steps 0.13 rad per sample, |0.5 sin| < 0.01 needs |phase| < 0.02).
MAX_SILENT_RUN = 3


def _is_pulse(dev_or_name):
    return "pulse" in str(dev_or_name).lower()


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def wait_until(predicate, timeout=DEADLINE, interval=0.002):
    return helpers.wait_until(predicate, timeout, interval)


def sine_block(start, frames, dtype=np.float32):
    """(frames, CHANNELS) of the test tone from absolute frame `start`, float32 or int16."""
    t = np.arange(start, start + frames, dtype=np.float64)
    x = AMP * np.sin(2.0 * np.pi * FREQ * t / RATE)
    if dtype == np.int16:
        x = np.round(x * 32767.0)
    return np.repeat(x.astype(dtype)[:, None], CHANNELS, axis=1)


def tone_generator(kind, dtype=np.float32, total_frames=None, counter=None):
    """Playback generator (1.71 style: yields b"" first) of the tone, exactly as many frames as asked;
    `kind` "numpy" yields (frames, channels) arrays, "bytes" interleaved bytes.  Ends after
    total_frames when given (the last chunk short).  counter: a dict counting calls and frames."""
    pos = 0
    frames = yield b""
    while total_frames is None or pos < total_frames:
        n = frames if total_frames is None else min(frames, total_frames - pos)
        block = sine_block(pos, n, dtype)
        pos += n
        if counter is not None:
            counter["calls"] = counter.get("calls", 0) + 1
            counter["frames"] = counter.get("frames", 0) + n
        frames = yield (block if kind == "numpy" else block.tobytes())


class Recorder:
    """A capture (or duplex) generator that keeps what it is sent.  `tone_start` is the first frame
    above THRESHOLD; `enough` is set once `want` frames have arrived from there on."""

    def __init__(self, want, fmt=SF.FLOAT32, nchannels=CHANNELS, passthrough=False):
        self.want = want
        self.dtype = np.float32 if fmt == SF.FLOAT32 else np.int16
        self.scale = 1.0 if fmt == SF.FLOAT32 else 1.0 / 32768.0
        self.nchannels = nchannels
        self.passthrough = passthrough
        self.chunks = []
        self.calls = 0
        self.frames = 0
        self.tone_start = None
        self.enough = threading.Event()
        self.types = set()

    def generator(self):
        out = b""
        while True:
            data = yield out
            self.calls += 1
            self.types.add(type(data).__name__)
            block = np.frombuffer(bytes(data), dtype=self.dtype).reshape(-1, self.nchannels)
            self.chunks.append(block)
            if self.tone_start is None:
                above = np.nonzero(np.abs(block[:, 0] * self.scale) > THRESHOLD)[0]
                if above.size:
                    self.tone_start = self.frames + int(above[0])
            self.frames += len(block)
            if self.tone_start is not None and self.frames - self.tone_start >= self.want:
                self.enough.set()
            out = data if self.passthrough else None

    def signal(self):
        if not self.chunks:
            return np.zeros((0, self.nchannels))
        return np.concatenate(self.chunks).astype(np.float64) * self.scale

    def describe(self):
        return "%d callbacks, %d frames, tone from frame %s" % (self.calls, self.frames, self.tone_start)


def tone_window(x, trim=int(0.02 * RATE)):
    """The part of the (frames, channels) recording between its first and last tone sample, minus
    `trim` frames at both ends."""
    loud = np.nonzero(np.abs(x[:, 0]) > THRESHOLD)[0]
    assert loud.size, "no tone in the recording (max level %.4f)" % (np.abs(x).max() if x.size else 0)
    return x[loud[0] + trim:loud[-1] + 1 - trim]


def longest_silent_run(y):
    return max((b - a for a, b in helpers.silent_runs(np.abs(y) < SILENT, 1)), default=0)


def analyse(y):
    """Dominant frequency (FFT with a Hann window and parabolic peak interpolation), RMS, longest
    near-zero run and the largest deviation from 48-frame periodicity of a mono float signal."""
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1:k + 2] + 1e-30)
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return {
        "freq": (k + offset) * RATE / len(y),
        "rms": float(np.sqrt(np.mean(y * y))),
        "silent_run": longest_silent_run(y),
        "period_error": float(np.abs(y[PERIOD:] - y[:-PERIOD]).max()),
        "frames": len(y),
    }


def assert_clean_tone(x, what, min_frames=RATE // 2, dropped=0):
    """The recording x (frames, channels) holds the 1 kHz, 0.5-amplitude tone on every channel,
    without dropouts, for at least min_frames.  `dropped`: frames the device says it dropped (its
    stats), which make a discontinuity in the tone; only then is one accepted."""
    w = tone_window(x)
    assert len(w) >= min_frames, "%s: only %d tone frames" % (what, len(w))
    for ch in range(w.shape[1]):
        r = analyse(w[:, ch])
        desc = "%s, channel %d: %r" % (what, ch, r)
        assert abs(r["freq"] - FREQ) < 3.0, desc
        assert abs(r["rms"] - EXPECTED_RMS) < 0.05 * EXPECTED_RMS, desc
        assert r["silent_run"] <= MAX_SILENT_RUN, "dropout: " + desc
        # 16-bit quantisation on the way is 3e-5; a lost, repeated or zeroed chunk is > 0.1
        assert r["period_error"] < 0.01 or dropped, "discontinuity: " + desc
    r = analyse(w[:, 0])
    print("%s: %.3f Hz, RMS %.4f, longest near-zero run %d, period error %.2g, %d frames"
          % (what, r["freq"], r["rms"], r["silent_run"], r["period_error"], r["frames"]))
    return r


def open_playback(fmt=SF.FLOAT32, device_id=SINK_DESC, **kw):
    return miniaudio.PlaybackDevice(output_format=fmt, nchannels=CHANNELS, sample_rate=RATE,
                                    device_id=device_id, backends=PULSE, **kw)


def open_capture(fmt=SF.FLOAT32, device_id=MONITOR_DESC, **kw):
    return miniaudio.CaptureDevice(input_format=fmt, nchannels=CHANNELS, sample_rate=RATE,
                                   device_id=device_id, backends=PULSE, **kw)


def enumerate_pulse(backends=PULSE):
    with miniaudio.Devices(backends=backends) as devices:
        return devices.backend, devices.get_playbacks(), devices.get_captures()


def by_name(devices, name):
    found = [d for d in devices if d["name"] == name]
    assert len(found) == 1, "%r not (once) in %r" % (name, [d["name"] for d in devices])
    return found[0]


def loopback(pulse_server, start_playback, playback, want=RATE):
    """Start the playback (first, see the module docstring), then record the monitor until `want`
    frames of tone arrived.  Returns the recording."""
    rec = Recorder(want)
    start_playback()
    with open_capture() as capture:
        assert capture.backend == "PulseAudio"
        assert capture.device_name == MONITOR_DESC
        gen = rec.generator()
        next(gen)
        capture.start(gen)
        ok = rec.enough.wait(DEADLINE)
        capture.stop()
        assert ok, "capture: %s within %.0f s; playback stats %r, running %r" % (
            rec.describe(), DEADLINE, playback.stats, playback.running)
        assert capture.stats.callbacks == rec.calls
        assert capture.stats.frames == rec.frames
    assert rec.types == {"bytearray"}
    return rec.signal()


# ---------------------------------------------------------------------------------------------
# enumeration and device selection
# ---------------------------------------------------------------------------------------------


def test_enumeration_lists_null_sink_and_monitor(pulse_server):
    backend, playbacks, captures = enumerate_pulse()
    assert backend == "PulseAudio"
    sink = by_name(playbacks, SINK_DESC)
    monitor = by_name(captures, MONITOR_DESC)
    assert sink["type"] is DeviceType.PLAYBACK
    assert monitor["type"] is DeviceType.CAPTURE
    assert set(sink) >= {"name", "type", "id", "formats", "is_default"}
    # the only sink is the server's default sink, its monitor the default source (pactl info)
    info = pulse_server.pactl("info")
    assert "Default Sink: %s" % SINK in info and "Default Source: %s" % MONITOR in info
    assert sink["is_default"] is True
    assert monitor["is_default"] is True
    # the null sink runs s16le 2ch 48000 Hz (pactl list short sinks)
    assert dict((name, spec) for name, spec, _ in pulse_server.sinks())[SINK] == "s16le 2ch 48000Hz"
    native = {"format": "16-bit Signed Integer", "samplerate": 48000, "channels": 2}
    assert native in sink["formats"], sink["formats"]
    assert native in monitor["formats"], monitor["formats"]
    for d in playbacks + captures:
        for f in d["formats"]:
            assert set(f) == {"format", "samplerate", "channels"}


def test_device_ids_are_values(pulse_server):
    _, playbacks, captures = enumerate_pulse()
    sink_id = by_name(playbacks, SINK_DESC)["id"]
    monitor_id = by_name(captures, MONITOR_DESC)["id"]
    assert isinstance(sink_id, miniaudio.DeviceId)
    assert str(sink_id) == SINK  # the PulseAudio sink/source name
    assert str(monitor_id) == MONITOR
    assert _is_pulse(sink_id.backend) and sink_id.backend == monitor_id.backend
    assert isinstance(sink_id.raw, bytes) and sink_id.raw
    assert sink_id != monitor_id
    # a second enumeration (another context) gives equal, equally hashed ids
    _, playbacks2, captures2 = enumerate_pulse(backends=["PulseAudio"])
    sink_id2 = by_name(playbacks2, SINK_DESC)["id"]
    assert sink_id2 == sink_id and hash(sink_id2) == hash(sink_id)
    assert sink_id2 is not sink_id
    assert {sink_id, sink_id2, monitor_id} == {sink_id, monitor_id}
    table = {sink_id: "sink", monitor_id: "monitor"}
    assert table[sink_id2] == "sink"
    for dev_id in (sink_id, monitor_id):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            copy = pickle.loads(pickle.dumps(dev_id, protocol))
            assert copy == dev_id and hash(copy) == hash(dev_id)
            assert copy.raw == dev_id.raw and copy.backend == dev_id.backend and str(copy) == str(dev_id)
    with pytest.raises((AttributeError, TypeError)):
        sink_id.raw = b"x"
    # an id, the enumeration dict and the pickled id all open the same device
    for choice in (sink_id, by_name(playbacks, SINK_DESC), pickle.loads(pickle.dumps(sink_id))):
        with open_playback(device_id=choice) as dev:
            assert dev.device_name == SINK_DESC
            assert dev.backend == "PulseAudio"


@pytest.mark.parametrize("name", ["Null Output", "null output", "NULL", "ull outp"])
def test_playback_by_name_substring(pulse_server, name):
    with open_playback(device_id=name) as dev:
        assert dev.device_name == SINK_DESC


@pytest.mark.parametrize("name", ["Monitor of Null Output", "monitor", "MONITOR OF NULL", "null output"])
def test_capture_by_name_substring(pulse_server, name):
    with open_capture(device_id=name) as dev:
        assert dev.device_name == MONITOR_DESC


def test_unknown_name_lists_candidates(pulse_server):
    with pytest.raises(ValueError) as info:
        open_playback(device_id="no such device")
    assert SINK_DESC in str(info.value) and "no such device" in str(info.value)
    with pytest.raises(ValueError) as info:
        open_capture(device_id="no such device")
    assert MONITOR_DESC in str(info.value)
    with pytest.raises(ValueError) as info:
        miniaudio.DuplexStream(sample_rate=RATE, playback_device_id=SINK_DESC, capture_device_id="nowhere",
                               backends=PULSE)
    assert MONITOR_DESC in str(info.value)


def test_ambiguous_name_and_exact_match(pulse_server):
    module = pulse_server.load_null_sink("second", "Null Output Two")
    try:
        _, playbacks, captures = enumerate_pulse()
        by_name(playbacks, "Null Output Two")
        # an exact name wins over a longer name containing it
        with open_playback(device_id="Null Output") as dev:
            assert dev.device_name == SINK_DESC
        with open_playback(device_id="null output two") as dev:
            assert dev.device_name == "Null Output Two"
        with open_capture(device_id="Monitor of Null Output") as dev:
            assert dev.device_name == MONITOR_DESC
        # a substring of both -> ValueError naming both
        with pytest.raises(ValueError) as info:
            open_playback(device_id="null out")
        assert SINK_DESC in str(info.value) and "Null Output Two" in str(info.value)
        with pytest.raises(ValueError) as info:
            open_capture(device_id="monitor")
        assert MONITOR_DESC in str(info.value) and "Monitor of Null Output Two" in str(info.value)
    finally:
        pulse_server.unload_module(module)


def test_app_name_reaches_the_server(pulse_server):
    with open_playback(app_name="ma-pytest-app") as dev:
        assert "ma-pytest-app" in pulse_server.clients()
        dev.start(tone_generator("bytes"))
        assert wait_until(lambda: dev.stats.callbacks > 0)
        dev.stop()
    # closing the device (and its own context) disconnects it
    assert wait_until(lambda: "ma-pytest-app" not in pulse_server.clients(), timeout=10)


# ---------------------------------------------------------------------------------------------
# loopback through the monitor
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,fmt", [("numpy", SF.FLOAT32), ("bytes", SF.FLOAT32), ("numpy", SF.SIGNED16)])
def test_loopback_python_generator(pulse_server, kind, fmt):
    counter = {}
    with open_playback(fmt=fmt) as playback:
        assert playback.device_name == SINK_DESC
        assert (playback.format, playback.nchannels, playback.sample_rate) == (fmt, CHANNELS, RATE)
        dtype = np.float32 if fmt == SF.FLOAT32 else np.int16
        x = loopback(pulse_server, lambda: playback.start(tone_generator(kind, dtype, counter=counter)),
                     playback)
        assert playback.running
        playback.stop()
        assert not playback.running and playback.callback_error is None
        stats = playback.stats
    r = assert_clean_tone(x, "%s %s generator" % (kind, fmt.name))
    assert stats.callbacks == counter["calls"] and stats.frames == counter["frames"]
    assert stats.padded_callbacks == 0  # the generator always gave every frame asked for
    assert counter["frames"] >= r["frames"]


@pytest.mark.parametrize("source", ["stream_memory", "stream_raw_pcm_memory"])
def test_loopback_own_stream(pulse_server, source):
    seconds = 8.0  # longer than capture start-up plus one recorded second
    if source == "stream_memory":
        wav = ps.sine_wav_bytes(FREQ, seconds, RATE, CHANNELS, AMP)
        stream = miniaudio.stream_memory(wav, output_format=SF.SIGNED16, nchannels=CHANNELS, sample_rate=RATE)
    else:
        pcm = ps.sine_pcm(FREQ, seconds, RATE, CHANNELS, AMP, "s16le")
        stream = miniaudio.stream_raw_pcm_memory(pcm, CHANNELS, 2)
    with open_playback(fmt=SF.SIGNED16) as playback:
        x = loopback(pulse_server, lambda: playback.start(stream), playback)
        playback.stop()
        assert playback.callback_error is None
        stats = playback.stats
    assert_clean_tone(x, source)
    assert stats.callbacks > 0 and stats.frames > 0


# A "frame counter" signal for exact frame accounting: 16-bit stereo whose frame i encodes i
# (channel 0: 4000 + (i % 40000) // 2, channel 1: 4000 + 1000 * (i % 2) + 2000 * (i // 40000)), never
# below 4000 (0.12 of full scale) so it cannot be mistaken for silence.  The null sink passes it
# through bit for bit, so a recording of the monitor tells exactly which frames arrived, in which order.
def counter_pcm(frames):
    i = np.arange(frames)
    ch0 = 4000 + (i % 40000) // 2
    ch1 = 4000 + 1000 * (i % 2) + 2000 * (i // 40000)
    return np.stack([ch0, ch1], axis=1).astype("<i2")


def counter_wav(frames):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(counter_pcm(frames).tobytes())
    return buf.getvalue()


def counter_frames(x):
    """The frame numbers in a recording (int16 (frames, 2)) of counter_pcm, from its first to its last
    non-silent frame."""
    loud = np.nonzero(x[:, 0] >= 4000)[0]
    assert loud.size, "nothing of the counter signal was recorded"
    y = x[loud[0]:loud[-1] + 1].astype(np.int64)
    return (y[:, 1] - 4000) // 2000 * 40000 + 2 * (y[:, 0] - 4000) + (y[:, 1] - 4000) % 2000 // 1000


def assert_every_frame_once_in_order(x, total, max_inserted=None):
    """The counter frames in recording `x` run from 0 (or the few frames the server drops as a stream
    joins) to total - 1, in order, never repeated.  Returns the frames of silence inside the signal.

    A loaded 2-core machine can starve the server's 10 ms timing: PulseAudio then plays silence for
    the stream and, keeping time, drops as many of the frames that arrive late (measured with three
    busy processes: the same skips in parec's recording and in ours, each after a silence at least as
    long, while our ring never ran dry).  So a skip is accepted only right after a silence at least
    as long as the skip, and all such silence stays under `max_inserted` frames (default 50 ms): a
    frame lost or repeated by us (no silence before it, or a backward step) always fails."""
    loud = np.nonzero(x[:, 0] >= 4000)[0]
    assert loud.size, "nothing of the counter signal was recorded"
    y = x[loud].astype(np.int64)
    got = (y[:, 1] - 4000) // 2000 * 40000 + 2 * (y[:, 0] - 4000) + (y[:, 1] - 4000) % 2000 // 1000
    step = np.diff(got) - 1  # frames skipped between consecutive loud frames
    silence = np.diff(loud) - 1  # frames of silence between them
    bad = np.nonzero((step < 0) | (step > silence))[0]
    assert bad.size == 0, "frames lost or repeated after %r" % [(int(got[g]), int(got[g + 1])) for g in bad[:5]]
    assert got[0] < JOIN_SKIP, "the first %d frames are missing" % got[0]
    assert got[-1] == total - 1, "the recording ends at frame %d of %d" % (got[-1], total)
    inserted = int(silence.sum())
    limit = RATE // 10 if max_inserted is None else max_inserted
    assert inserted <= limit, "%d frames of silence inside the signal (%d skipped by the server)" % (
        inserted, int(step.sum()))
    return inserted


# PulseAudio itself drops the first 12-17 ms of a stream that joins the running null sink while its
# monitor is recorded (measured: pacat loses 600 frames, our devices 567-804); allow 50 ms.
JOIN_SKIP = RATE // 20


class MonitorRecorder:
    """parec recording the null sink's monitor (s16le stereo) into a file: a separate process, so the
    recording needs neither our devices nor the GIL."""

    def __init__(self, pulse_server, path):
        self.path = str(path)
        self.file = open(self.path, "wb")
        self.proc = subprocess.Popen(["parec", "--raw", "--device=" + MONITOR, "--format=s16le",
                                      "--rate=%d" % RATE, "--channels=%d" % CHANNELS, "--latency-msec=20"],
                                     stdout=self.file, stderr=subprocess.PIPE, env=pulse_server.client_env())

    def frames(self):
        return os.path.getsize(self.path) // (2 * CHANNELS)

    def wait_frames(self, more, timeout=DEADLINE):
        target = self.frames() + more
        assert wait_until(lambda: self.frames() >= target or self.proc.poll() is not None, timeout), \
            "parec: %d of %d frames" % (self.frames(), target)
        assert self.proc.poll() is None, self.proc.stderr.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()
        self.file.close()
        return np.fromfile(self.path, dtype="<i2").reshape(-1, CHANNELS)


def test_own_stream_plays_without_the_gil(pulse_server, tmp_path):
    """The package's own stream is pulled in C on the audio thread: while the main thread holds the
    GIL in 1 s stretches (switch interval 1 s, a pure-Python busy loop) every frame still arrives, in
    order.  (A Python generator in the same situation loses hundreds of milliseconds.)"""
    seconds = 3.0
    frames = int(seconds * RATE)
    wav = counter_wav(frames)
    with open_playback(fmt=SF.SIGNED16, buffersize_msec=100) as playback:
        rec = MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        try:
            # parec's first bytes come after about 2 s (the idle null sink's latency): wait for them
            rec.wait_frames(RATE // 10)
            stream = miniaudio.stream_memory(wav, output_format=SF.SIGNED16, nchannels=CHANNELS, sample_rate=RATE)
            switch = sys.getswitchinterval()
            sys.setswitchinterval(1.0)
            try:
                playback.start(stream)
                end = time.monotonic() + seconds + 0.5
                while time.monotonic() < end:  # holds the GIL for up to 1 s at a time
                    pass
            finally:
                sys.setswitchinterval(switch)
            assert playback.wait(timeout=DEADLINE)
            rec.wait_frames(RATE // 4)
        finally:
            x = rec.stop()
        stats = playback.stats
    got = counter_frames(x)
    print("under the GIL hog: frames %d..%d of %d arrived, %r" % (got[0], got[-1], frames, stats))
    gaps = np.nonzero(np.diff(got) != 1)[0]
    assert gaps.size == 0, "discontinuities after frames %r" % [(int(got[g]), int(got[g + 1])) for g in gaps[:10]]
    assert got[0] < JOIN_SKIP, "the first %d frames are missing" % got[0]
    assert got[-1] >= frames - int(0.3 * RATE), "only frames %d..%d of %d arrived" % (got[0], got[-1], frames)
    assert stats.frames >= frames
    assert stats.late_callbacks == 0, stats


@pytest.mark.parametrize("source", ["stream_memory", "generator"])
def test_finished_playback_is_heard_to_the_end(pulse_server, tmp_path, source):
    """When a stream or generator ends, the device stops by itself and wait() returns: by then every
    frame the generator gave must have been played (not dropped from the device's buffer)."""
    frames = RATE  # 1 s
    with open_playback(fmt=SF.SIGNED16) as playback:  # the default 200 ms buffer
        rec = MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        try:
            rec.wait_frames(RATE // 10)
            if source == "stream_memory":
                gen = miniaudio.stream_memory(counter_wav(frames), output_format=SF.SIGNED16, nchannels=CHANNELS,
                                              sample_rate=RATE)
            else:
                pcm = counter_pcm(frames)

                def counter_generator():
                    pos = 0
                    wanted = yield b""
                    while pos < frames:
                        chunk = pcm[pos:pos + wanted]
                        pos += len(chunk)
                        wanted = yield chunk
                gen = counter_generator()
            t0 = time.monotonic()
            playback.start(gen)
            assert playback.wait(timeout=DEADLINE)
            elapsed = time.monotonic() - t0
            rec.wait_frames(RATE // 2)
        finally:
            x = rec.stop()
        stats = playback.stats
    got = counter_frames(x)
    print("%s: frames %d..%d of %d arrived; wait() after %.3f s" % (source, got[0], got[-1], frames, elapsed))
    gaps = np.nonzero(np.diff(got) != 1)[0]
    assert gaps.size == 0, "discontinuities after frames %r" % [(int(got[g]), int(got[g + 1])) for g in gaps[:10]]
    assert got[0] < JOIN_SKIP, "the first %d frames are missing" % got[0]
    assert got[-1] == frames - 1, (
        "the last %d frames (%.0f ms) were never played: the recording ends at frame %d of %d; wait() "
        "returned after %.3f s for %.3f s of audio; stats %r" % (
            frames - 1 - got[-1], 1000.0 * (frames - 1 - got[-1]) / RATE, got[-1], frames, elapsed,
            frames / RATE, stats))


# ---------------------------------------------------------------------------------------------
# duplex
# ---------------------------------------------------------------------------------------------


def test_duplex_passthrough(pulse_server):
    """A tone player on "Null Output"; a DuplexStream capturing its monitor and passing the input
    through to a second null sink ("Duplex Out"); a CaptureDevice on that sink's monitor.  The tone
    must come out of the duplex.  (Passing through to the same null sink it captures from would feed
    its own output back into its input, an unbounded loop; the second sink keeps the chain open.)"""
    module = pulse_server.load_null_sink("duplex_out", "Duplex Out")
    try:
        passthrough = Recorder(RATE, passthrough=True)
        out_rec = Recorder(RATE)
        with open_playback() as player, miniaudio.DuplexStream(
            playback_format=SF.FLOAT32, playback_channels=CHANNELS, capture_format=SF.FLOAT32,
            capture_channels=CHANNELS, sample_rate=RATE, playback_device_id="Duplex Out",
            capture_device_id=MONITOR_DESC, backends=PULSE, buffersize_msec=50,
        ) as duplex, open_capture(device_id="Monitor of Duplex Out") as capture:
            assert duplex.backend == "PulseAudio"
            assert (duplex.playback_format, duplex.capture_format) == (SF.FLOAT32, SF.FLOAT32)
            assert (duplex.playback_channels, duplex.capture_channels) == (CHANNELS, CHANNELS)
            # the order matters for the null sink: each capture starts after its sink plays
            player.start(tone_generator("numpy"))
            gen = passthrough.generator()
            next(gen)
            duplex.start(gen)
            gen2 = out_rec.generator()
            next(gen2)
            capture.start(gen2)
            ok_in = passthrough.enough.wait(DEADLINE)
            ok_out = out_rec.enough.wait(DEADLINE)
            capture.stop()
            duplex.stop()
            player.stop()
            assert ok_in, "duplex input: " + passthrough.describe()
            assert ok_out, "duplex output: %s (duplex input: %s, stats %r)" % (
                out_rec.describe(), passthrough.describe(), duplex.stats)
            stats = duplex.stats
    finally:
        pulse_server.unload_module(module)
    assert passthrough.types == {"bytearray"}
    assert stats.callbacks == passthrough.calls > 0
    assert stats.frames == passthrough.frames
    assert stats.padded_callbacks == 0  # it always gave back exactly the frames it was sent
    # what the duplex received is the tone ...  (a callback late by more than the duplex ring's five
    # periods, on the loaded CI machine, drops input: counted, see the test below; seen once in CI)
    if stats.dropped_frames:
        print("the duplex dropped %d input frames: %r" % (stats.dropped_frames, stats))
    assert_clean_tone(passthrough.signal(), "duplex input", dropped=stats.dropped_frames)
    # ... and what it played came back from the second sink's monitor.  Only after its start-up:
    # miniaudio's duplex mode joins two PulseAudio streams with a ring buffer that begins empty.
    x = out_rec.signal()
    start = out_rec.tone_start + RATE // 4
    assert_clean_tone(x[start:], "duplex output", dropped=stats.dropped_frames)


def test_duplex_counts_the_input_it_drops(pulse_server):
    """A duplex device on PulseAudio hands its input to its playback side through a ring of five
    capture periods; a callback late by more than that loses input frames.  They are counted in
    stats.overflows and stats.dropped_frames: exactly the frames missing from the input that came
    after the late callback (a frame counter played GIL-free on "Null Output", recorded by the
    duplex from its monitor)."""
    module = pulse_server.load_null_sink("duplex_drop", "Duplex Drop")
    chunks, before = [], []
    done = threading.Event()

    def late_once():
        data = yield b""
        while True:
            chunks.append(np.frombuffer(bytes(data), dtype="<i2").reshape(-1, CHANNELS))
            if len(chunks) == 40:
                before.append(duplex.stats)  # the capture side waits while this callback runs
                time.sleep(0.4)  # far longer than the ring's five 10 ms periods
            if len(chunks) == 200:
                done.set()
            data = yield None

    try:
        with open_playback(fmt=SF.SIGNED16, buffersize_msec=30) as player, miniaudio.DuplexStream(
            playback_format=SF.SIGNED16, playback_channels=CHANNELS, capture_format=SF.SIGNED16,
            capture_channels=CHANNELS, sample_rate=RATE, playback_device_id="Duplex Drop",
            capture_device_id=MONITOR_DESC, backends=PULSE, buffersize_msec=30,
        ) as duplex:
            player.start(miniaudio.stream_memory(counter_wav(20 * RATE), output_format=SF.SIGNED16,
                                                 nchannels=CHANNELS, sample_rate=RATE))
            gen = late_once()
            next(gen)
            duplex.start(gen)
            assert done.wait(DEADLINE), duplex.stats
            duplex.stop()
            assert player.running, "the counter ended before the duplex stopped"
            stats = duplex.stats
        closed = duplex.stats
    finally:
        pulse_server.unload_module(module)
    x = np.concatenate(chunks[40:])  # everything after the late callback
    loud = np.nonzero(x[:, 0] >= 4000)[0]
    assert loud.size == len(x), "silence in the input after the counter began"
    y = x.astype(np.int64)
    got = (y[:, 1] - 4000) // 2000 * 40000 + 2 * (y[:, 0] - 4000) + (y[:, 1] - 4000) % 2000 // 1000
    step = np.diff(got) - 1
    assert (step >= 0).all(), "frames repeated or out of order"
    lost = stats.dropped_frames - before[0].dropped_frames
    print("lost in the input: %d frames in %d places; %r" % (step.sum(), np.count_nonzero(step), stats))
    assert stats.overflows > before[0].overflows and lost > RATE // 4, (before[0], stats)
    assert step.sum() == lost, (int(step.sum()), before[0], stats)
    assert (closed.overflows, closed.dropped_frames) == (stats.overflows, stats.dropped_frames)


# ---------------------------------------------------------------------------------------------
# lifecycle on the real server
# ---------------------------------------------------------------------------------------------


def test_start_stop_cycles(pulse_server):
    t0 = time.monotonic()
    with open_playback(fmt=SF.SIGNED16) as dev:
        for i in range(200):
            before = dev.stats.callbacks
            dev.start(tone_generator("bytes", np.int16))
            assert dev.running
            # each start really runs: wait for a callback of this run
            assert wait_until(lambda: dev.stats.callbacks > before, timeout=10), "cycle %d: %r" % (i, dev.stats)
            dev.stop()
            assert not dev.running
            assert dev.wait(timeout=1) is True
        assert dev.callback_error is None
    print("200 start/stop cycles in %.2f s" % (time.monotonic() - t0))


def test_create_close_many(pulse_server):
    baseline = len(pulse_server.clients())
    t0 = time.monotonic()
    for i in range(100):
        dev = open_playback(fmt=SF.SIGNED16) if i % 2 else open_capture(fmt=SF.SIGNED16)
        if i % 10 == 0:
            dev.start(tone_generator("bytes", np.int16) if i % 2 else Recorder(1).generator())
            assert wait_until(lambda: dev.stats.callbacks > 0, timeout=10), "device %d: %r" % (i, dev.stats)
        dev.close()
        assert dev.closed
    for i in range(100):
        with miniaudio.Devices(backends=PULSE) as devices:
            assert devices.get_playbacks()
    del dev
    gc.collect()
    print("100 devices and 100 enumerations in %.2f s" % (time.monotonic() - t0))
    # every context disconnected: PulseAudio's native protocol allows 64 clients, so a leaked
    # connection per device would also have failed above
    assert wait_until(lambda: len(pulse_server.clients()) <= baseline, timeout=10), pulse_server.clients()


@pytest.mark.parametrize("source", ["generator", "stream"])
def test_finished_run_wait_and_on_finished(pulse_server, source):
    frames = RATE // 4
    events = []
    done = threading.Event()

    def on_finished(dev):
        events.append(("on_finished", dev, threading.current_thread().name))
        done.set()

    with open_playback(fmt=SF.SIGNED16, on_finished=on_finished) as dev:
        dev.stop_callback = lambda: events.append(("stop_callback",))
        if source == "generator":
            gen = tone_generator("bytes", np.int16, total_frames=frames)  # not primed: start() does it
        else:
            gen = miniaudio.stream_memory(ps.sine_wav_bytes(FREQ, frames / RATE, RATE, CHANNELS, AMP),
                                          output_format=SF.SIGNED16, nchannels=CHANNELS, sample_rate=RATE)
        t0 = time.monotonic()
        dev.start(gen)
        assert dev.wait(timeout=DEADLINE) is True
        elapsed = time.monotonic() - t0
        assert done.wait(DEADLINE)
        assert not dev.running
        assert dev.callback_error is None
        assert [e[0] for e in events] == ["stop_callback", "on_finished"]
        assert events[1][1] is dev and events[1][2] == "miniaudio-events"
        assert dev.stats.frames >= frames
        assert dev.wait(timeout=0) is True  # not running: at once
        # a device that finished can be started again; stop() is not an ending "by itself"
        done.clear()
        del events[:]
        dev.start(tone_generator("bytes", np.int16))
        assert wait_until(lambda: dev.stats.frames > frames)
        dev.stop()
        assert dev.wait(timeout=5) is True
    assert not done.is_set(), "on_finished after stop()"
    assert events in ([], [("stop_callback",)]), events
    print("%s of %.2f s finished after %.3f s" % (source, frames / RATE, elapsed))
