"""The one-call functions at the top level: miniaudio.play(), rec(), playrec(), wait(), stop(),
get_status(), get_stream() and miniaudio.default, with sounddevice's semantics and this package's
additions (files, encoded bytes, file objects and the package's streams for play(); a WAV path for
rec(); no numpy needed for array.array).  What is played is checked on the PulseAudio null sink's
monitor (frequency, level, which channel); what is recorded, against what pacat plays.
"""

import array
import io
import os
import subprocess
import sys
import time
import wave

import numpy as np
import pytest

import miniaudio
from miniaudio import _oneshot
import pulse_server as ps
from test_devices_pulse import DEADLINE, RATE, analyse, wait_until
from test_sounddevice_compat import SRC, Parec, Tone, loud_part


@pytest.fixture
def null():
    miniaudio.default.reset()
    miniaudio.default.backends = ["null"]
    yield miniaudio.default
    miniaudio.stop()
    miniaudio.default.reset()


@pytest.fixture
def pulse(pulse_server):
    miniaudio.default.reset()
    miniaudio.default.backends = ["pulseaudio"]
    import miniaudio.sounddevice as sd
    sd._initialize()
    yield pulse_server
    miniaudio.stop()
    miniaudio.default.reset()
    sd._initialize()


def tone(freq, seconds, amplitude=0.5, rate=RATE, dtype=np.float32):
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(dtype)


def record_play(pulse_server, tmp_path, start, min_loud=RATE // 2):
    """Start parec on the monitor, run start(), wait for `min_loud` loud frames, stop everything."""
    rec = Parec(pulse_server, tmp_path / "mon.f32")
    try:
        rec.wait_frames(RATE // 10)
        start()
        rec.wait_loud(min_loud)
    finally:
        miniaudio.stop()
        x = rec.stop()
    return x


def test_play_array_with_mapping_on_the_second_channel(pulse, tmp_path):
    """A mono float64 array (played as float32) with mapping=[2]: the right channel carries the
    1 kHz tone at its level, the left one is silent."""
    data = tone(1000, 1.5, dtype=np.float64)
    x = record_play(pulse, tmp_path, lambda: miniaudio.play(data, RATE, mapping=[2], device="Null Output"))
    y = loud_part(x)
    assert np.abs(y[:, 0]).max() < 0.01
    a = analyse(y[:, 1])
    assert abs(a["freq"] - 1000) < 1 and abs(a["rms"] - 0.5 / np.sqrt(2)) < 0.01, a
    assert isinstance(miniaudio.get_stream(), miniaudio.sounddevice.OutputStream)


@pytest.mark.parametrize("kind", ["path", "bytes", "file object"])
def test_play_file(pulse, tmp_path, kind):
    """A WAV file as a path, its bytes or a file object, decoded on the audio thread: the monitor
    hears its 700 Hz at its level; blocking=True returns when it has played."""
    wav = ps.sine_wav_bytes(freq=700.0, seconds=1.0, rate=44100, channels=1, amplitude=0.4)
    path = tmp_path / "tone.wav"
    path.write_bytes(wav)
    data = {"path": str(path), "bytes": wav, "file object": io.BytesIO(wav)}[kind]
    t0 = []
    x = record_play(pulse, tmp_path, lambda: (t0.append(time.monotonic()),
                                              miniaudio.play(data, blocking=True, device="null output")),
                    min_loud=RATE // 2)
    assert miniaudio.get_stream().samplerate == 44100.0  # the file's own rate
    y = loud_part(x)
    for ch in range(2):  # mono, heard on both channels
        a = analyse(y[:, ch])
        assert abs(a["freq"] - 700) < 1 and abs(a["rms"] - 0.4 / np.sqrt(2)) < 0.01, a


def test_play_package_source_and_stop(pulse, tmp_path):
    """A Waveform (an endless source of the package) plays until stop()."""
    source = miniaudio.Waveform("sine", frequency=440.0, amplitude=0.3, sample_rate=RATE, nchannels=2)
    x = record_play(pulse, tmp_path, lambda: miniaudio.play(source))
    stream = miniaudio.get_stream()
    assert stream.closed
    a = analyse(loud_part(x)[:, 0])
    assert abs(a["freq"] - 440) < 1 and abs(a["rms"] - 0.3 / np.sqrt(2)) < 0.01, a


def test_play_loop_until_stop(pulse, tmp_path):
    """loop=True plays a 0.1 s array over and over: a second of tone, then stop()."""
    data = tone(1000, 0.1, amplitude=0.5)
    x = record_play(pulse, tmp_path, lambda: miniaudio.play(data, RATE, loop=True), min_loud=RATE)
    assert miniaudio.wait() is None  # stopped already: returns at once
    a = analyse(loud_part(x)[:, 0])
    assert abs(a["freq"] - 1000) < 1, a


def test_rec_from_the_monitor_and_to_a_wav_file(pulse, tmp_path):
    """rec() returns an array filled as it records; with out=<WAV path> the file gets the frames."""
    player = Tone(pulse, 30)
    try:
        time.sleep(0.2)
        y = miniaudio.rec(RATE, RATE, channels=2, device="Monitor of Null", blocking=True)
        assert y.shape == (RATE, 2) and y.dtype == np.float32
        path = tmp_path / "rec.wav"
        z = miniaudio.rec(RATE // 2, RATE, channels=1, dtype="int16", out=path, device="Monitor of Null")
        status = miniaudio.wait()
    finally:
        player.stop()
    assert status is None or isinstance(status, miniaudio.CallbackFlags)
    a = analyse(loud_part(y)[:, 1])
    assert abs(a["freq"] - 1000) < 1 and abs(a["rms"] - 0.5 / np.sqrt(2)) < 0.02, a
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, RATE, RATE // 2)
        pcm = np.frombuffer(w.readframes(RATE // 2), "<i2")
    assert np.array_equal(pcm, z[:, 0])  # the file holds what the array holds


def test_playrec_on_the_null_sink(pulse):
    """playrec: plays into the null sink while recording its monitor; the recording has the tone."""
    data = tone(1000, 2.0, amplitude=0.5)
    y = miniaudio.playrec(data, RATE, channels=2, blocking=True, device=("Monitor of Null", "Null Output"))
    assert y.shape == (len(data), 2) and y.dtype == np.float32
    a = analyse(loud_part(y)[:, 0])
    assert abs(a["freq"] - 1000) < 1, a


# ---- NULL backend --------------------------------------------------------------------------------

def test_a_new_call_stops_the_previous_one(null):
    miniaudio.play(tone(1000, 10.0), RATE)
    first = miniaudio.get_stream()
    assert first.active
    miniaudio.play(tone(500, 10.0), RATE)
    assert first.closed and not first.active
    assert miniaudio.get_stream() is not first and miniaudio.get_stream().active
    rec = miniaudio.rec(RATE, RATE, channels=1)
    assert miniaudio.get_stream().channels == 1 and not miniaudio.get_stream().closed
    miniaudio.stop()
    assert miniaudio.get_stream().closed
    assert rec.shape == (RATE, 1)


def test_blocking_play_and_rec_timing(null):
    t0 = time.monotonic()
    miniaudio.play(np.zeros((RATE // 4, 2), np.int16), RATE, blocking=True)
    assert time.monotonic() - t0 >= 0.2
    assert isinstance(miniaudio.get_status(), miniaudio.CallbackFlags)
    out = np.full((RATE // 4, 2), 7, np.int16)
    assert miniaudio.rec(out=out, samplerate=RATE, blocking=True) is out
    assert not (out == 7).any()  # every frame was written (the NULL backend records silence)
    mapped = miniaudio.rec(1000, RATE, mapping=[2], blocking=True)
    assert mapped.shape == (1000, 1)


def test_rec_stopped_early_writes_what_was_recorded(null, tmp_path):
    path = tmp_path / "short.wav"
    miniaudio.rec(10 * RATE, RATE, channels=2, out=str(path))
    assert wait_until(lambda: _oneshot._last.frame >= RATE // 10, DEADLINE)
    miniaudio.stop()
    info = miniaudio.get_file_info(str(path))  # a float WAV (format tag 3)
    assert (info.nchannels, info.sample_rate, info.sample_format) == (2, RATE, miniaudio.SampleFormat.FLOAT32)
    assert RATE // 10 <= info.num_frames < 10 * RATE
    assert info.num_frames == _oneshot._last.frame  # every frame recorded, no more


def test_status_and_stream_before_any_call(monkeypatch):
    monkeypatch.setattr(_oneshot, "_last", None)
    with pytest.raises(RuntimeError, match="not called yet"):
        miniaudio.get_status()
    with pytest.raises(RuntimeError, match="not called yet"):
        miniaudio.get_stream()
    assert miniaudio.wait() is None and miniaudio.stop() is None


def test_bad_wav_path_fails_at_once(null, tmp_path):
    with pytest.raises(OSError):
        miniaudio.rec(100, RATE, channels=1, out=str(tmp_path / "no" / "such" / "dir.wav"))


def test_bad_play_input(null):
    with pytest.raises(TypeError, match="Unsupported data type"):
        miniaudio.play(object())
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.play(b"not an audio file")
    with pytest.raises(ValueError, match="mapping"):
        miniaudio.play(miniaudio.Waveform(), mapping=[1])
    with pytest.raises(TypeError, match="loop"):
        miniaudio.play(np.zeros(10, np.float32), RATE, loop="yes")


NO_NUMPY = r'''
import sys
sys.modules["numpy"] = None  # numpy "not installed"
import array, miniaudio
miniaudio.default.backends = ["null"]
pcm = array.array("h", [1000, -1000] * 2400)  # mono int16
miniaudio.play(pcm, 48000, mapping=[1, 2], blocking=True)
print(type(miniaudio.get_stream()).__name__)
y = miniaudio.rec(4800, 48000, channels=2, dtype="int16", blocking=True)
print(type(y).__name__, y.typecode, len(y))
z = miniaudio.rec(480, 48000, mapping=[2], dtype="float64", blocking=True)
print(z.typecode, len(z))
'''


def test_without_numpy():
    """array.array input plays and rec() returns array.array when numpy cannot be imported."""
    env = dict(os.environ, PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", NO_NUMPY], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["RawOutputStream", "array", "h", "9600", "d", "480"]
