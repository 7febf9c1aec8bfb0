"""The mixer on a real PulseAudio server (the null sink of tests/pulse_server.py): 32 voices at once
(decoded FLAC, MP3 and WAV files, the package's Waveforms and a Python generator through the
mixer's prefetch path) for 10 s while the main thread hogs the GIL.  The monitor recording (parec, a
separate process) must hold every tone in every 50 ms window, and neither the device nor any voice
may have run dry.
"""

import shutil
import subprocess
import time

import pytest

import helpers
import miniaudio
from miniaudio import SampleFormat as SF

np = pytest.importorskip("numpy")

RATE = 48000
SECONDS = 10.0
FREQS = [400 + 100 * k for k in range(32)]  # multiples of the 20 Hz bins of a 50 ms window
WINDOW = RATE // 20
GAIN = 0.02  # each tone's amplitude in the mix: 32 of them stay under full scale


def encode_tone(tmp_path, freq, ext, codec_args):
    """An 11 s sine file made by ffmpeg (its sine source: amplitude 1/8)."""
    path = tmp_path / ("tone%d.%s" % (freq, ext))
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=%d:sample_rate=%d:duration=%g" % (freq, RATE, SECONDS + 1), "-ac", "1"]
                   + codec_args + [str(path)], check=True, timeout=60)
    return path


def sine_generator(freq, amp):
    n = yield b""
    i = 0
    while True:
        t = np.arange(i, i + n) / RATE
        n2 = yield (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        i += n
        n = n2


def tone_levels(y):
    """Each tone's FFT magnitude (Hann window) in each 50 ms window of the mono signal y: (windows, 32)."""
    frames = len(y) // WINDOW * WINDOW
    w = y[:frames].reshape(-1, WINDOW) * np.hanning(WINDOW)
    spectrum = np.abs(np.fft.rfft(w, axis=1))
    return spectrum[:, [f * WINDOW // RATE for f in FREQS]]


def busy(seconds):
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:  # pure Python: holds the GIL but for the switch interval
        n += sum(i * i for i in range(1000))
    return n


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg to encode the files")
def test_32_voices_under_a_gil_hog_on_pulseaudio(pulse_server, tmp_path):
    import test_devices_pulse as tdp

    files = ([encode_tone(tmp_path, f, "flac", []) for f in FREQS[:4]] +
             [encode_tone(tmp_path, f, "mp3", ["-b:a", "192k"]) for f in FREQS[4:7]] +
             [encode_tone(tmp_path, f, "wav", []) for f in FREQS[7:10]])
    with tdp.open_playback(fmt=SF.SIGNED16, buffersize_msec=20) as playback:
        rec = tdp.MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        try:
            rec.wait_frames(RATE // 10)
            with miniaudio.Mixer(playback) as mixer:
                voices = [mixer.play(miniaudio.stream_file(str(p), output_format=SF.FLOAT32), volume=GAIN * 8)
                          for p in files]
                voices += [mixer.play(miniaudio.Waveform("sine", f, GAIN, RATE, 1, SF.FLOAT32))
                           for f in FREQS[10:31]]
                voices.append(mixer.play(sine_generator(FREQS[31], GAIN), nchannels=1, prefetch_msec=100))
                assert len(voices) == 32
                busy(SECONDS)
                finished_early = [v for v in voices if v.finished]
                underflows = [v.underflows for v in voices]
                errors = [v.error for v in voices if v.error is not None]
                stats = playback.stats
                mixer.close()
            rec.wait_frames(RATE // 4)
        finally:
            x = rec.stop()
    assert finished_early == [] and errors == [], (finished_early, errors)
    assert underflows == [0] * 32, underflows
    print("32 voices under a GIL hog: %r" % (stats,))
    assert stats.underflows == 0 and stats.padded_callbacks == 0, stats
    y = x[:, 0].astype(np.float32) / 32768
    loud = np.nonzero(np.abs(y) > 0.05)[0]
    assert loud.size, "nothing was recorded"
    y = y[loud[0] + RATE // 2:loud[-1] - RATE // 2]  # the steady part
    assert len(y) >= (SECONDS - 2) * RATE, len(y)
    levels = tone_levels(y)
    # Windows the server left silent (its own 10 ms timing starved on a loaded machine: measured in
    # the other GIL-hog tests, never ours) are told apart: every tone is gone in them at once.
    # The mix of 32 tones is never near zero for 1 ms; a silence of the server is.
    runs = helpers.silent_runs(np.abs(y[:len(levels) * WINDOW]) < 1e-3, RATE // 1000)
    gap_frames = sum(b - a for a, b in runs)
    assert gap_frames <= RATE // 4, "%d ms of server silence: %r" % (gap_frames * 1000 // RATE, runs[:10])
    server_silent = np.zeros(len(levels), bool)
    for a, b in runs:
        server_silent[a // WINDOW:(b - 1) // WINDOW + 1] = True
    heard = levels[~server_silent]
    reference = np.median(heard, axis=0)
    expected = GAIN * WINDOW / 4  # a sine of amplitude GAIN under a Hann window
    # every tone at its level (the MP3s' within their codec's error)
    assert np.all(np.abs(reference / expected - 1) < 0.1), dict(zip(FREQS, np.round(reference / expected, 3)))
    weak = np.argwhere(heard < 0.5 * reference)
    assert weak.size == 0, "tones missing from windows: %r" % [(int(w), FREQS[t]) for w, t in weak[:10]]
    print("every tone in all %d windows (%d server-silent); levels %.3f..%.3f of expected"
          % (len(levels), server_silent.sum(), (reference / expected).min(), (reference / expected).max()))
