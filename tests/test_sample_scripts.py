"""The runnable sample scripts in samples/, run as a user runs them (python samples/x.py ...).

On the NULL backend: each script ends with exit code 0 and says what it did, and what it writes is
right (record_wav's WAV has the requested frames, rate and channels; convert_file's WAV decodes to
what decode_file gives).  On the private PulseAudio server (the pulse_server fixture): what
play_file, play_numpy and play_ffmpeg play arrives on the null sink's monitor at the right
frequencies (FFT), and record_wav records a tone played into the sink.  play_radio plays a station
of the private Icecast server (the icecast_server fixture).
"""

import os
import re
import subprocess
import sys
import threading
import wave

import numpy as np
import pytest

import miniaudio
import pulse_server as ps
import signals

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "samples")
TIMEOUT = 60  # seconds for one script: generous, the CI machine may be busy
F32 = miniaudio.SampleFormat.FLOAT32


def script(name):
    return os.path.join(SAMPLES, name)


def run(name, *args, ok=True):
    """Run samples/`name` with `args`; returns its stdout (or the CompletedProcess if not ok)."""
    result = subprocess.run([sys.executable, script(name), *map(str, args)], capture_output=True, text=True,
                            timeout=TIMEOUT, cwd=ROOT)
    if not ok:
        return result
    assert result.returncode == 0, f"{name} {args} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
    return result.stdout


def null(*args):
    return [*args, "--backend", "null"]


def write_wav(path, freqs, seconds, rate=48000):
    """A 16-bit WAV with one sine per channel (amplitude 0.5)."""
    t = np.arange(round(seconds * rate)) / rate
    x = np.stack([0.5 * np.sin(2 * np.pi * f * t) for f in freqs], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(freqs))
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.round(x * 32767).astype("<i2").tobytes())


def ffmpeg_encode(src, dst):
    """Encode `src` to Opus (libopus, or ffmpeg's own opus encoder) or, failing both, AAC."""
    encoders = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    names = {line.split()[1] for line in encoders.splitlines() if len(line.split()) > 1}
    if "libopus" in names:
        codec = ["-c:a", "libopus", "-b:a", "96k"]
    elif "opus" in names:
        codec = ["-c:a", "opus", "-strict", "-2", "-b:a", "96k"]
    else:
        codec = ["-c:a", "aac", "-b:a", "128k"]
        dst = os.path.splitext(dst)[0] + ".m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(src), *codec, str(dst)], check=True,
                   timeout=TIMEOUT)
    return dst


@pytest.fixture(scope="module")
def ffmpeg():
    import shutil

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (Debian package ffmpeg)")


# ---------------------------------------------------------------------------------------------
# the NULL backend
# ---------------------------------------------------------------------------------------------


def test_play_file_to_the_end():
    out = run("play_file.py", *null(script("tone.ogg")))
    assert "VORBIS, 2 ch, 44100 Hz, 1.00 s" in out
    assert "finished: played 44100 frames (1.00 s)" in out, out


def test_play_file_for_a_duration():
    out = run("play_file.py", *null(script("tone_16.flac"), "--duration", "0.2"))
    assert "stopped after 0.2 s" in out and "finished" not in out, out


@pytest.mark.parametrize("mode", [[], ["--callbacks"]], ids=["position", "stream_with_callbacks"])
def test_play_progress(mode):
    out = run("play_progress.py", *null(script("tone_16.flac"), "--interval", "0.1", *mode))
    reports = [float(s) for s in re.findall(r"^\s*([\d.]+) s / 1\.00 s$", out, re.M)]
    assert len(reports) >= 2 and reports == sorted(reports), out
    # position: frames decoded, exactly all at the end; progress_callback: the frames asked for
    assert reports[-1] == 1.0 if not mode else abs(reports[-1] - 1.0) < 0.25, out
    assert "finished" in out and out.rstrip().endswith("44100 frames of 44100 decoded"), out
    assert ("end of stream" in out) == bool(mode), out


@pytest.mark.parametrize("fmt, width", [("s16", 2), ("s32", 4)])
def test_record_wav(tmp_path, fmt, width):
    path = tmp_path / "rec.wav"
    out = run("record_wav.py", *null(path, "--seconds", "0.5", "--rate", "22050", "--channels", "1",
                                     "--format", fmt))
    assert f"wrote 11025 frames (0.50 s) to {path}" in out
    with wave.open(str(path), "rb") as w:
        assert (w.getnframes(), w.getframerate(), w.getnchannels(), w.getsampwidth()) == (11025, 22050, 1, width)
        assert w.readframes(11025) == bytes(11025 * width)  # the NULL backend records silence


def test_record_wav_float(tmp_path):
    path = tmp_path / "rec.wav"
    run("record_wav.py", *null(path, "--seconds", "0.25", "--format", "f32"))
    info = miniaudio.get_file_info(str(path))
    assert (info.num_frames, info.sample_rate, info.nchannels, info.sample_format) == (11025, 44100, 2, F32)


def test_duplex():
    out = run("duplex.py", *null("--duration", "0.3", "--gain", "0.5"))
    frames = int(re.search(r"passed (\d+) frames through in (\d+) callbacks", out).group(1))
    assert frames > 0, out


def test_list_devices():
    out = run("list_devices.py", *null("--formats"))
    assert "using backend: Null" in out
    assert "NULL Playback Device (default)" in out and "NULL Capture Device (default)" in out, out
    assert "null" in out.splitlines()[0]  # the backends compiled in


@pytest.mark.parametrize("source, args, fmt, nchannels, rate", [
    ("tone.mp3", ["--rate", "22050", "--channels", "1", "--format", "f32"], F32, 1, 22050),
    ("tone.ogg", [], miniaudio.SampleFormat.SIGNED16, 2, 44100),
    ("mono.flac", ["--channels", "2", "--format", "s32"], miniaudio.SampleFormat.SIGNED32, 2, 22050),
])
def test_convert_file(tmp_path, source, args, fmt, nchannels, rate):
    path = tmp_path / "out.wav"
    out = run("convert_file.py", script(source), path, *args)
    expected = miniaudio.decode_file(script(source), fmt, nchannels, rate)
    assert f"{nchannels} ch, {rate} Hz, {fmt.name}, {expected.num_frames} frames" in out, out
    converted = miniaudio.decode_file(str(path), fmt, nchannels, rate)
    assert converted.samples == expected.samples


def test_play_numpy():
    out = run("play_numpy.py", *null("--duration", "0.5", "--rate", "48000"))
    assert "playing 440, 554.37, 659.25 Hz for 0.5 s" in out and "played 24000 frames" in out, out


def test_play_ffmpeg(tmp_path, ffmpeg):
    encoded = ffmpeg_encode(script("tone_s16.wav"), tmp_path / "tone.opus")
    out = run("play_ffmpeg.py", *null(encoded))
    assert out.rstrip().endswith("finished"), out
    failed = run("play_ffmpeg.py", *null(tmp_path / "missing.opus"), ok=False)
    assert failed.returncode != 0 and "ffmpeg failed" in failed.stderr, failed


# ---------------------------------------------------------------------------------------------
# PulseAudio: what is played arrives on the null sink's monitor
# ---------------------------------------------------------------------------------------------

PULSE = ["--backend", "pulseaudio", "--device", ps.SINK_DESCRIPTION]
RATE = 48000


def tone_part(pcm, channels=2, threshold=0.05):
    """The (frames, channels) float recording between its first and last loud frame, 20 ms trimmed."""
    x = np.frombuffer(pcm, dtype=np.float32).reshape(-1, channels)
    loud = np.nonzero(np.abs(x).max(axis=1) > threshold)[0]
    assert loud.size, "nothing but silence recorded"
    trim = RATE // 50
    return x[loud[0] + trim:loud[-1] + 1 - trim]


def peaks(x, count, rate=RATE):
    """The `count` strongest spectral peaks of a 1-D signal, in Hz, lowest first."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    local = np.nonzero((spectrum[1:-1] > spectrum[:-2]) & (spectrum[1:-1] >= spectrum[2:]))[0] + 1
    strongest = local[np.argsort(spectrum[local])[-count:]]
    return sorted(k * rate / len(x) for k in strongest)


def play_and_record(pulse_server, name, *args, seconds=1.0):
    """Start samples/`name` playing into the null sink, record `seconds` of its monitor once the
    script says it plays, let the script finish; returns (stdout, recorded float32 stereo bytes)."""
    proc = subprocess.Popen([sys.executable, script(name), *map(str, args), *PULSE], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        first = proc.stdout.readline()
        while first and not first.startswith("playing"):
            first = proc.stdout.readline()
        assert first, "the script ended before it played: " + proc.stderr.read()
        pcm = pulse_server.record_with_parec(seconds)
        rest, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    return first + rest, pcm


def test_play_file_on_pulse(pulse_server, tmp_path):
    path = tmp_path / "tone.wav"
    write_wav(path, (440.0, 660.0), seconds=2.0)
    out, pcm = play_and_record(pulse_server, "play_file.py", path)
    assert "on PulseAudio: Null Output" in out and "finished: played 96000 frames" in out, out
    x = tone_part(pcm)
    assert len(x) > RATE // 2, f"only {len(x)} frames of tone recorded"
    for channel, freq in enumerate((440.0, 660.0)):  # left and right, not swapped
        assert abs(signals.peak_frequency(x[:, channel], RATE) - freq) < 2.0


def test_play_numpy_on_pulse(pulse_server):
    freqs = (300.0, 500.0, 1200.0)
    out, pcm = play_and_record(pulse_server, "play_numpy.py", "--freqs", *freqs, "--duration", 2)
    assert "played 96000 frames" in out, out
    x = tone_part(pcm)
    assert len(x) > RATE // 2, f"only {len(x)} frames of the chord recorded"
    found = peaks(x[:, 0].astype(np.float64), 3)
    assert np.allclose(found, freqs, atol=4.0), found
    assert np.array_equal(x[:, 0], x[:, 1])  # the same chord on both channels


def test_play_ffmpeg_on_pulse(pulse_server, tmp_path, ffmpeg):
    path = tmp_path / "tone.wav"
    write_wav(path, (440.0, 660.0), seconds=2.0, rate=44100)
    encoded = ffmpeg_encode(path, tmp_path / "tone.opus")
    out, pcm = play_and_record(pulse_server, "play_ffmpeg.py", encoded)
    assert out.rstrip().endswith("finished"), out
    x = tone_part(pcm)
    assert len(x) > RATE // 2, f"only {len(x)} frames of tone recorded"
    for channel, freq in enumerate((440.0, 660.0)):
        assert abs(signals.peak_frequency(x[:, channel], RATE) - freq) < 2.0


def test_record_wav_on_pulse(pulse_server, tmp_path):
    """pacat plays a 1 kHz tone into the sink; record_wav records the monitor."""
    tone = ps.sine_pcm(freq=1000.0, seconds=8.0)
    pacat = pulse_server.start_pacat()

    def feed():
        try:
            pacat.stdin.write(tone)
            pacat.stdin.close()
        except OSError:  # pacat killed at the end of the test
            pass

    threading.Thread(target=feed, daemon=True).start()
    try:
        # Record once the tone arrives (the sink's first client waits about 2 s before it moves).
        tone_part(pulse_server.record_with_parec(0.1))
        path = tmp_path / "rec.wav"
        out = run("record_wav.py", path, "--backend", "pulseaudio", "--device", ps.MONITOR_DESCRIPTION,
                  "--seconds", "1", "--rate", RATE, "--format", "f32")
    finally:
        pacat.kill()
        pacat.wait()
    assert f"from PulseAudio: {ps.MONITOR_DESCRIPTION}" in out and "wrote 48000 frames" in out, out
    sound = miniaudio.decode_file(str(path), F32, 2, RATE)
    x = tone_part(sound.samples.tobytes())
    assert len(x) > RATE // 2, f"only {len(x)} frames of tone recorded"
    assert abs(signals.peak_frequency(x[:, 0], RATE) - 1000.0) < 2.0
    assert abs(signals.rms(x[:, 0]) - 0.5 / np.sqrt(2)) < 0.02


# ---------------------------------------------------------------------------------------------
# Icecast
# ---------------------------------------------------------------------------------------------


def test_play_radio(icecast_server):
    mount = "/sample-script.ogg"
    source = icecast_server.start_ogg_source(mount, name="Sample Script Radio", genre="Tones")
    try:
        out = run("play_radio.py", *null(icecast_server.url(mount), "--duration", "3"))
    finally:
        source.kill()
    assert "station: Sample Script Radio (Tones), VORBIS" in out, out
    seconds = float(re.search(r"played ([\d.]+) s of audio", out).group(1))
    assert seconds >= 1.0, out
