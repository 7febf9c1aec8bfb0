"""Signal generators (Waveform, PulseWave, Noise) and devices playing sources of another format.

The generators are streams over miniaudio's own ma_waveform / ma_pulsewave / ma_noise (the source
layer, miniaudio_c/pull.c and gen.c).  Checked here: exact samples against the definitions, phase
continuity when a parameter changes, seeded noise reproducible and its spectrum's slope, bad
arguments, parameters set from another thread while a device plays, a device converting a source
of another format, and on a real server (PulseAudio null sink) a 1 kHz Waveform heard cleanly for
10 s at 10 ms periods while the main thread holds the GIL.
"""

import math
import sys
import threading
import time

import numpy as np
import pytest

import helpers
import miniaudio
from miniaudio import SampleFormat as SF

NULL = [miniaudio.Backend.NULL]


def take(gen, frames):
    return np.concatenate([np.asarray(gen.send(frames)).reshape(-1, gen.nchannels)])


def times(n0, n, frequency, rate):
    """ma_waveform's clock: the phase in cycles, advanced by frequency / rate per frame."""
    t = np.empty(n)
    acc = n0
    step = 1.0 / (rate / frequency)
    for i in range(n):
        t[i] = acc
        acc += step
    return t


@pytest.mark.parametrize("frequency,rate", [(440.0, 44100), (1000.0, 48000), (1234.5, 22050), (19999.0, 96000)])
@pytest.mark.parametrize("amplitude", [1.0, 0.25])
def test_sine_is_the_formula_within_float32_rounding(frequency, rate, amplitude):
    w = miniaudio.Waveform("sine", frequency, amplitude, rate, 2, SF.FLOAT32, chunk_type="numpy")
    x = np.concatenate([next(w) for _ in range(10)])
    n = np.arange(len(x))
    want = amplitude * np.sin(2 * np.pi * frequency * n / rate)
    assert x.shape == (10 * 1024, 2) and x.dtype == np.float32
    assert np.array_equal(x[:, 0], x[:, 1])
    # float32 rounding of values up to 1: 6e-8; the phase accumulated in double over 10k frames adds < 1e-9
    assert np.abs(x[:, 0] - want).max() < 2e-7


def frac(t):
    return t - np.floor(t)


@pytest.mark.parametrize("kind", ["square", "triangle", "sawtooth"])
def test_square_triangle_sawtooth_match_their_definitions(kind):
    frequency, rate, amp = 441.3, 44100, 0.5
    w = miniaudio.Waveform(kind, frequency, amp, rate, 1, SF.FLOAT32)
    x = np.array(w.send(20000), dtype=np.float64)
    f = frac(times(0.0, 20000, frequency, rate))
    want = {"square": np.where(f < 0.5, amp, -amp),
            "triangle": amp * (2 * np.abs(2 * (f - 0.5)) - 1),
            "sawtooth": amp * 2 * (f - 0.5)}[kind]
    assert np.abs(x - want).max() < 1e-6
    if kind == "square":
        assert set(np.unique(x)) == {-amp, amp}


def test_pulse_wave_duty_cycle():
    p = miniaudio.PulseWave(frequency=100.0, duty_cycle=0.25, amplitude=0.5, sample_rate=8000, nchannels=1,
                            output_format=SF.FLOAT32)
    x = np.array(p.send(8000))
    period = x[:80]
    assert list(period[:20]) == [0.5] * 20 and list(period[20:]) == [-0.5] * 60
    # every sample as the definition has it on miniaudio's clock (the phase accumulated frame by
    # frame, so a period boundary can fall a rounding error either side of an integer)
    assert np.array_equal(x, np.where(frac(times(0.0, 8000, 100.0, 8000)) < 0.25, 0.5, -0.5).astype(np.float32))
    assert abs(np.mean(x > 0) - 0.25) < 0.002
    p.duty_cycle = 0.5
    assert p.duty_cycle == 0.5
    y = np.array(p.send(80))
    assert list(y) == [0.5] * 40 + [-0.5] * 40


def test_frequency_change_keeps_the_phase():
    rate = 48000
    w = miniaudio.Waveform("sine", 1000.0, 1.0, rate, 1, SF.FLOAT32)
    a = np.array(w.send(1000))
    w.frequency = 1500.0
    assert w.frequency == 1500.0
    b = np.array(w.send(1000))
    t = times(0.0, 1000, 1000.0, rate)
    t2 = times(t[-1] + 1000.0 / rate, 1000, 1500.0, rate)
    assert np.abs(a - np.sin(2 * np.pi * t)).max() < 2e-7
    assert np.abs(b - np.sin(2 * np.pi * t2)).max() < 2e-7
    # no jump: the step across the change is no larger than the steps around it
    assert abs(b[0] - a[-1]) <= 2 * np.pi * 1500 / rate


def test_kind_and_amplitude_change_while_reading():
    w = miniaudio.Waveform(miniaudio.WaveformType.SINE, 100.0, 1.0, 8000, 1, SF.FLOAT32)
    w.send(10)
    w.kind = "square"
    w.amplitude = 0.5
    assert w.kind == "square" == miniaudio.WaveformType.SQUARE and w.amplitude == 0.5
    assert set(np.unique(np.array(w.send(200)))) == {-0.5, 0.5}


def test_seek_goes_to_that_frames_phase():
    w = miniaudio.Waveform("sine", 700.0, 1.0, 44100, 1, SF.FLOAT32)
    x = np.array(w.send(5000))
    assert w.seek(1234) == 1234 and w.position == 1234
    assert np.abs(np.array(w.send(100)) - x[1234:1334]).max() < 1e-6
    assert w.length is None


@pytest.mark.parametrize("fmt,typecode", [(SF.SIGNED16, "h"), (SF.SIGNED32, "i"), (SF.UNSIGNED8, "B"), (SF.FLOAT32, "f")])
def test_every_output_format(fmt, typecode):
    w = miniaudio.Waveform("square", 10.0, 1.0, 1000, 2, fmt)
    c = next(w)
    assert c.typecode == typecode and len(c) == 2 * 1024 and w.sample_format is fmt
    top = {SF.SIGNED16: 32767, SF.SIGNED32: 2147483647, SF.UNSIGNED8: 255, SF.FLOAT32: 1.0}[fmt]
    assert c[0] == c[1] == top
    b = miniaudio.Waveform("square", 10.0, 1.0, 1000, 2, fmt, chunk_type="bytes")
    assert bytes(next(b)) == bytes(c)


def test_noise_with_a_seed_is_reproducible():
    a = miniaudio.Noise("white", 0.5, seed=42, nchannels=1, output_format=SF.FLOAT32)
    b = miniaudio.Noise("white", 0.5, seed=42, nchannels=1, output_format=SF.FLOAT32)
    c = miniaudio.Noise("white", 0.5, seed=43, nchannels=1, output_format=SF.FLOAT32)
    x, y, z = (np.array(g.send(4096)) for g in (a, b, c))
    assert np.array_equal(x, y) and not np.array_equal(x, z)
    assert np.abs(x).max() <= 0.5 and np.abs(x).max() > 0.45 and a.seed == 42
    for kind in ("pink", "brownian"):
        p = miniaudio.Noise(kind, 0.5, seed=7, nchannels=1, output_format=SF.FLOAT32)
        first = np.array(p.send(3000))
        assert p.seek(0) == 0
        assert np.array_equal(np.array(p.send(3000)), first), kind


def slope_db_per_octave(x, rate):
    """The fitted slope of the power spectrum (Welch, Hann, 8192-point segments) over 50 Hz-10 kHz."""
    seg = 8192
    win = np.hanning(seg)
    segs = [x[i:i + seg] * win for i in range(0, len(x) - seg, seg // 2)]
    power = np.mean([np.abs(np.fft.rfft(s)) ** 2 for s in segs], axis=0)
    freqs = np.fft.rfftfreq(seg, 1.0 / rate)
    band = (freqs >= 50) & (freqs <= 10000)
    # equal weight per octave: average in log-spaced bins
    edges = np.geomspace(50, 10000, 25)
    centres, levels = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = band & (freqs >= lo) & (freqs < hi)
        centres.append(np.log2(np.sqrt(lo * hi)))
        levels.append(10 * np.log10(power[sel].mean()))
    return np.polyfit(centres, levels, 1)[0]


@pytest.mark.parametrize("kind,slope", [("white", 0.0), ("pink", -3.0), ("brownian", -6.0)])
def test_noise_spectrum_slope(kind, slope):
    rate = 44100
    n = miniaudio.Noise(kind, 0.5, seed=1, sample_rate=rate, nchannels=1, output_format=SF.FLOAT32)
    x = np.array(n.send(rate * 20), dtype=np.float64)
    got = slope_db_per_octave(x, rate)
    print(f"{kind}: {got:.2f} dB/octave")
    assert abs(got - slope) <= 0.5, got


def test_noise_kind_changes_between_reads():
    n = miniaudio.Noise("white", 0.5, seed=3, nchannels=1, output_format=SF.FLOAT32)
    n.send(100)
    n.kind = miniaudio.NoiseType.BROWNIAN
    assert n.kind == "brownian"
    x = np.array(n.send(44100), dtype=np.float64)
    assert slope_db_per_octave(np.concatenate([x] * 4), 44100) < -4


BAD = [
    (lambda: miniaudio.Waveform("sine", 0), ValueError, "frequency must be > 0 Hz, not 0"),
    (lambda: miniaudio.Waveform("sine", -5.0), ValueError, "frequency must be > 0 Hz, not -5.0"),
    (lambda: miniaudio.Waveform("sine", float("inf")), ValueError, "frequency must be a finite number"),
    (lambda: miniaudio.Waveform("sine", "440"), TypeError, "frequency must be a number, not str"),
    (lambda: miniaudio.Waveform("sine", 440, float("nan")), ValueError, "amplitude must be a finite number, not nan"),
    (lambda: miniaudio.Waveform("sine", 440, -1), ValueError, "amplitude must be >= 0"),
    (lambda: miniaudio.Waveform("sinus"), ValueError, "kind must be one of sine, square, triangle, sawtooth, not 'sinus'"),
    (lambda: miniaudio.Waveform(0), TypeError, "kind must be a str"),
    (lambda: miniaudio.Noise("purple"), ValueError, "kind must be one of white, pink, brownian, not 'purple'"),
    (lambda: miniaudio.Noise(seed=2 ** 40), ValueError, "seed must fit in 32 bits"),
    (lambda: miniaudio.PulseWave(duty_cycle=0), ValueError, "duty_cycle must be between 0 and 1"),
    (lambda: miniaudio.PulseWave(duty_cycle=1.5), ValueError, "duty_cycle must be between 0 and 1"),
    (lambda: miniaudio.Waveform(sample_rate=0), ValueError, "sample_rate"),
    (lambda: miniaudio.Waveform(nchannels=0), ValueError, "nchannels"),
    (lambda: miniaudio.Waveform(output_format=SF.SIGNED24), ValueError, "SIGNED24 cannot be held in an array.array"),
    (lambda: miniaudio.Waveform(chunk_type="list"), ValueError, "chunk_type must be one of array, bytes, numpy"),
    (lambda: miniaudio.Waveform(frames_to_read=0), ValueError, "frames_to_read must be at least 1"),
]


@pytest.mark.parametrize("make,exc,message", BAD)
def test_bad_arguments(make, exc, message):
    with pytest.raises(exc, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        make()


def test_closed_generator_and_bad_settings():
    w = miniaudio.Waveform()
    with pytest.raises(ValueError, match="frequency must be > 0 Hz"):
        w.frequency = 0
    with pytest.raises(AttributeError):
        del w.frequency
    assert w.frequency == 440.0
    w.close()
    for name, value in (("frequency", 100.0), ("amplitude", 0.1), ("kind", "square")):
        with pytest.raises(ValueError, match="the generator is closed"):
            setattr(w, name, value)
    with pytest.raises(StopIteration):
        next(w)
    n = miniaudio.Noise()
    with pytest.raises(ValueError, match="can only seek to frame 0"):
        n.seek(10)


def test_plays_gil_free_on_a_device_of_another_format_and_takes_settings_from_a_thread():
    """A FLOAT32 mono 48 kHz sine on a SIGNED16 stereo 44.1 kHz device: the device converts on the
    audio thread; a thread changes the frequency 2,000 times while it plays."""
    w = miniaudio.Waveform("sine", 440.0, 0.5, 48000, 1, SF.FLOAT32)
    with miniaudio.PlaybackDevice(SF.SIGNED16, 2, 44100, buffersize_msec=10, backends=NULL) as dev:
        dev.start(w)
        stop = threading.Event()

        def twiddle():
            i = 0
            while not stop.is_set() and i < 2000:
                w.frequency = 200.0 + i % 800
                w.amplitude = 0.1 + (i % 5) / 10
                i += 1

        t = threading.Thread(target=twiddle)
        t.start()
        assert helpers.wait_until(lambda: dev.stats.frames >= 44100 // 2)
        stop.set()
        t.join()
        with pytest.raises(RuntimeError):
            w.send(10)  # the device has it
        dev.stop()
        stats = dev.stats
    assert stats.padded_callbacks == 0 and stats.frames >= 44100 // 2
    # the stream counted its own 48 kHz frames: about 48000/44100 of what the device played
    assert w.position >= stats.frames * 48000 // 44100
    w.seek(0)
    assert len(w.send(10)) == 10


@pytest.mark.parametrize("stream_args", [(SF.SIGNED16, 2, 44100), (SF.FLOAT32, 1, 22050), (SF.SIGNED32, 2, 48000)])
def test_a_stream_of_another_format_plays_to_its_end(sample_path, stream_args):
    """A file stream whose format, channels or rate differ from the device's is converted on the
    audio thread (it used to be refused with ValueError) and plays to its end."""
    stream = miniaudio.stream_file(sample_path("tone_s16.wav"), *stream_args)
    with miniaudio.PlaybackDevice(SF.FLOAT32, 2, 44100, buffersize_msec=10, backends=NULL) as dev:
        dev.start(stream)
        assert dev.wait(timeout=30)
        stats = dev.stats
    assert stream.position == stream.length > 0
    want = stream.length * 44100 // stream_args[2]
    assert stats.frames >= want - 64


# ---- on a real server -------------------------------------------------------------------------

def test_waveform_under_a_gil_hog_on_pulseaudio(pulse_server, tmp_path):
    """10 s of a 1 kHz sine at 10 ms periods while the main thread holds the GIL in 1 s stretches:
    the monitor recording (parec, a separate process) is the exact tone with no dropout of ours.

    A control tells our dropouts from the server's: pacat, another process with the same 10 ms
    latency and no GIL to wait for, plays a 3 kHz tone on the right channel only, so the left
    channel is ours alone and right - left is the control alone.  A gap in ours that the control
    does not share is a dropout of ours and fails; one they share is the server or the machine
    standing still for both (measured on the 2-core machine: none under CPU load alone; beside a
    whole test suite in another process, gaps of 11 ms to 0.7 s in 5 of 92 runs, with
    ThreadPriority.REALTIME too, while no callback of ours was slow or padded)."""
    import subprocess

    import test_devices_pulse as tdp

    seconds = 10.0
    control = (0.25 * np.sin(2 * np.pi * 3000 * np.arange(int((seconds + 4) * tdp.RATE)) / tdp.RATE) * 32767)
    control_path = tmp_path / "control.s16"
    control.astype("<i2").tofile(str(control_path))
    w = miniaudio.Waveform("sine", tdp.FREQ, tdp.AMP, tdp.RATE, tdp.CHANNELS, SF.SIGNED16)
    with tdp.open_playback(fmt=SF.SIGNED16, buffersize_msec=10) as playback:
        rec = tdp.MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        pacat = None
        try:
            rec.wait_frames(tdp.RATE // 10)
            pacat = subprocess.Popen(["pacat", "--playback", "--raw", "--device=" + tdp.SINK,
                                      "--rate=%d" % tdp.RATE, "--channels=1", "--channel-map=front-right",
                                      "--format=s16le", "--latency-msec=10", str(control_path)],
                                     env=pulse_server.client_env(), stderr=subprocess.PIPE)
            rec.wait_frames(tdp.RATE // 2)  # the control plays before ours starts
            switch = sys.getswitchinterval()
            sys.setswitchinterval(1.0)
            try:
                playback.start(w)
                end = time.monotonic() + seconds
                while time.monotonic() < end:  # holds the GIL for up to 1 s at a time
                    pass
            finally:
                sys.setswitchinterval(switch)
            playback.stop()
            rec.wait_frames(tdp.RATE // 4)
            assert pacat.poll() is None, "the control ended before ours: %r" % pacat.stderr.read()
        finally:
            if pacat is not None:
                pacat.kill()
                pacat.wait()
                pacat.stderr.close()
            x = rec.stop()
        stats = playback.stats
    y = x.astype(np.float32) / 32768
    loud = np.nonzero(np.abs(y[:, 0]) > tdp.THRESHOLD)[0]
    assert loud.size, "no tone of ours in the recording"
    trim = int(0.02 * tdp.RATE)
    ours, ctl = y[loud[0] + trim:loud[-1] + 1 - trim, 0], (y[:, 1] - y[:, 0])[loud[0] + trim:loud[-1] + 1 - trim]
    assert len(ours) >= int(0.9 * seconds * tdp.RATE), len(ours)
    r = tdp.analyse(ours)
    gaps, control_gaps = (helpers.silent_runs(np.abs(z) < tdp.SILENT, tdp.MAX_SILENT_RUN + 1) for z in (ours, ctl))
    print("Waveform under a GIL hog: %r, %r; gaps of ours %r, of the control %r" % (r, stats, gaps, control_gaps))
    assert abs(r["freq"] - tdp.FREQ) < 0.05, r
    heard = np.abs(ours) > 1e-3  # the level of what was heard, a shared silence aside
    assert abs(np.sqrt(np.mean(ours[heard].astype(np.float64) ** 2)) - tdp.EXPECTED_RMS) < 0.05 * tdp.EXPECTED_RMS, r
    # a callback that waited for the GIL would leave up to the hog's 1 s of silence in ours alone
    slack = tdp.RATE // 100  # the two streams' 10 ms buffers need not run dry in the same frame
    ours_alone = [(a, e) for a, e in gaps if not any(b < e + slack and a < f + slack for b, f in control_gaps)]
    assert not ours_alone, "dropouts of ours that the control did not have: %r (control: %r)" % (
        ours_alone, control_gaps)
    # a callback that waited for the GIL would take up to the hog's 1 s (and the recording would
    # show the gap); a loaded 2-core machine can preempt one for a period or two, so "late" (over
    # one period) is not asserted to be 0
    assert stats.padded_callbacks == 0 and stats.max_callback_seconds < 0.5, stats
