"""The pictures and sound examples of docs/dsp.rst: the figures show what the processors measure
(docs/figures/dsp_figures.py runs them; its data is checked here against the designs), every
filter has a plot and every processor a sound example, the examples write the files their
players name and sound as the text says, and an HTML build with matplotlib holds every figure
and every WAV file.

The data and the sound examples need only numpy; the HTML build needs Sphinx, furo and
matplotlib (the [test] extra) and is skipped without them.
"""

import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import miniaudio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
sys.path.insert(0, os.path.join(DOCS, "figures"))

import dsp_figures  # noqa: E402

PAGE = os.path.join(DOCS, "dsp.rst")
PROCESSORS = ["Biquad", "LowPass", "HighPass", "BandPass", "Notch", "PeakingEQ", "LowShelf", "HighShelf",
              "Delay", "Gain", "Pan", "Fade"]
FIGURES = ["lowpass", "highpass", "bandpass", "notch", "peaking", "lowshelf", "highshelf", "biquad", "gain",
           "fades", "delays", "pan"]


def page_text():
    with open(PAGE, encoding="utf-8") as f:
        return f.read()


def sound_blocks(text):
    """The code of the ``.. testcode:: sounds`` blocks, in page order."""
    blocks = []
    for m in re.finditer(r"^\.\. testcode:: sounds\n\n((?:   .*\n|\n)+)", text, re.M):
        lines = [line[3:] for line in m.group(1).splitlines()]
        blocks.append("\n".join(lines).strip("\n") + "\n")
    return blocks


# ---- the figures' data ---------------------------------------------------------------------------

def db_at(proc, freq):
    f, db = dsp_figures.frequency_response(proc)
    return float(np.interp(freq, f, db))


def test_every_filter_figure_is_the_measured_design():
    """Butterworth low/high-pass: -3.01 dB at the cutoff and 6 dB per octave per order far from it;
    band-pass -3 dB per section at the centre; notch deep at its frequency; peaking and shelves
    reach gain_db (the shelves half of it at their frequency); the DC blockers block DC."""
    filters = dict(dsp_figures.measure_filters())
    assert sorted(filters) == sorted(FIGURES[:8])
    for (label, lp), (_, hp) in zip(filters["lowpass"], filters["highpass"]):
        order = lp.order
        assert db_at(lp, 1000) == pytest.approx(-3.0103, abs=0.02), label
        assert db_at(hp, 1000) == pytest.approx(-3.0103, abs=0.02), label
        assert db_at(lp, 100) == pytest.approx(0, abs=0.05), label
        # two octaves below the cutoff, a high-pass is down about 12 dB per order
        assert db_at(hp, 250) == pytest.approx(-12.0 * order, abs=0.6 * order + 0.3), label
    for label, bp in filters["bandpass"]:
        assert db_at(bp, 1000) == pytest.approx(-3.0103 * bp.order / 2, abs=0.03), label
    for label, notch in filters["notch"]:
        assert db_at(notch, 1000) < -40, label
        if notch.q >= 2:
            assert db_at(notch, 100) > -0.5, label
    for label, peak in filters["peaking"]:
        assert db_at(peak, 1000) == pytest.approx(peak.gain_db, abs=0.05), label
        assert db_at(peak, 20) == pytest.approx(0, abs=0.05), label
    for label, shelf in filters["lowshelf"]:
        assert db_at(shelf, 20) == pytest.approx(shelf.gain_db, abs=0.1), label
        assert db_at(shelf, 300) == pytest.approx(shelf.gain_db / 2, abs=0.05), label
    for label, shelf in filters["highshelf"]:
        assert db_at(shelf, 20000) == pytest.approx(shelf.gain_db, abs=0.15), label
        assert db_at(shelf, 3000) == pytest.approx(shelf.gain_db / 2, abs=0.05), label
    for label, dc in filters["biquad"]:
        h = dsp_figures.impulse_response(dc, 1 << 18)
        assert abs(h.sum()) < 1e-3, label  # the response at DC
        assert db_at(dc, 10000) == pytest.approx(0, abs=0.3), label


def test_gain_fade_delay_and_pan_figures_follow_the_laws():
    t, y = dsp_figures.measure_gain()
    rate = dsp_figures.RATE
    low = 10 ** (-12 / 20)
    ramp = int(0.008 * rate)
    assert np.allclose(y[:2 * rate // 100], 1.0)
    assert y[2 * rate // 100 + ramp] == pytest.approx(low, rel=1e-5)
    assert np.all(np.diff(y[2 * rate // 100:2 * rate // 100 + ramp]) < 0)  # a ramp, not a step
    assert np.allclose(y[6 * rate // 100 + ramp:], 1.0)

    for label, t, vol in dsp_figures.measure_fades():
        fade = re.match(r"Fade\(([\d.]+), ([\d.]+), ([\d.]+)\)", label)
        start, end, seconds = map(float, fade.groups())
        n = round(seconds * rate)
        i = np.arange(len(vol))
        expected = start + (end - start) * np.minimum(i, n) / n
        assert np.allclose(vol, expected, atol=1e-6), label

    for label, t, h in dsp_figures.measure_delays():
        delay = float(re.match(r"Delay\(([\d.]+)", label).group(1))
        taps = np.nonzero(np.abs(h) > 1e-6)[0]
        step = round(delay * rate)
        if "decay" not in label:
            assert list(taps) == [step], label
            continue
        decay = float(re.search(r"decay=([\d.]+)", label).group(1))
        wet = float(re.search(r"wet=([\d.]+)", label).group(1)) if "wet" in label else 1.0
        assert list(taps) == list(range(0, len(h), step))[:len(taps)], label
        assert np.allclose(h[taps], wet * decay ** np.arange(len(taps)), rtol=1e-5), label

    p, left, right = dsp_figures.measure_pan("balance")
    assert np.allclose(left, np.where(p > 0, 1 - p, 1), atol=1e-6)
    assert np.allclose(right, np.where(p < 0, 1 + p, 1), atol=1e-6)
    p, left, right = dsp_figures.measure_pan("pan")
    assert np.allclose(left, 1 - p, atol=1e-6)
    assert np.allclose(right, 1 + p, atol=1e-6)


# ---- the page ------------------------------------------------------------------------------------

def test_the_page_has_every_figure_and_a_sound_example_per_processor():
    text = page_text()
    plotted = re.findall(r"^\.\. plot:: figures/dsp_figures\.py (\w+)$", text, re.M)
    assert sorted(plotted) == sorted(FIGURES)
    for name in FIGURES:
        assert callable(getattr(dsp_figures, name)), name
    code = "".join(sound_blocks(text))
    for name in PROCESSORS:
        assert "miniaudio.%s(" % name in code, "no sound example for " + name


def spectrum_energy(samples, rate, low, high):
    x = np.asarray(samples, np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    power = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / rate)
    return float(power[(f >= low) & (f < high)].sum())


def test_the_sound_examples_write_what_they_say(tmp_path, monkeypatch):
    """The page's sound examples, run as the docs build runs them: every file a player names is
    written, and each sounds as the text says (measured on the files read back)."""
    text = page_text()
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__sound_examples__"}
    for i, code in enumerate(sound_blocks(text)):
        exec(compile(code, "<dsp.rst sound example %d>" % (i + 1), "exec"), namespace)
    wanted = re.findall(r"^\.\. sound:: (\S+)$", text, re.M)
    assert len(wanted) >= len(PROCESSORS)
    sounds = {}
    for name in wanted:
        sound = miniaudio.wav_read_file_s16(str(tmp_path / name))
        assert sound.sample_rate == 22050 and sound.num_frames == 44100, name
        x = np.frombuffer(sound.samples, np.int16).reshape(-1, sound.nchannels).astype(np.float64) / 32768
        assert np.abs(x).max() < 0.999, name + " clips"
        sounds[name[:-4]] = x
    rate = 22050
    orig = sounds["original"]

    def ratio_db(name, low, high):
        return 10 * math.log10(spectrum_energy(sounds[name], rate, low, high)
                               / spectrum_energy(orig, rate, low, high))

    assert ratio_db("lowpass", 3000, 11025) < -40 and ratio_db("lowpass", 50, 200) > -1
    assert ratio_db("highpass", 50, 200) < -40 and ratio_db("highpass", 5000, 11025) > -1
    assert ratio_db("bandpass", 50, 200) < -15 and ratio_db("bandpass", 5000, 11025) < -15
    assert ratio_db("notch", 435, 445) < -20 and ratio_db("notch", 50, 200) > -1
    assert ratio_db("peaking", 1900, 2100) == pytest.approx(12, abs=1)
    assert ratio_db("lowshelf", 50, 120) == pytest.approx(9, abs=1)
    assert ratio_db("highshelf", 6000, 11025) == pytest.approx(-18, abs=1)
    # the hand-made biquad is LowPass(1000) (within a rounding step: Q 0.7071 vs 1 / sqrt(2))
    same = miniaudio.LowPass(1000, sample_rate=rate).process((orig * 32768).astype(np.int16))
    assert np.abs(sounds["biquad"] - same.astype(np.float64).reshape(-1, 1) / 32768).max() <= 2 / 32768
    assert np.allclose(sounds["gain"], np.round(orig * 32768 * 10 ** (-12 / 20)) / 32768, atol=1.5 / 32768)
    assert np.sqrt(np.mean(sounds["fade"][-2205:] ** 2)) < 0.1 * np.sqrt(np.mean(orig[-2205:] ** 2))
    step = sounds["gain-step"]
    assert np.sqrt(np.mean(step[rate:] ** 2)) / np.sqrt(np.mean(step[:rate] ** 2)) == pytest.approx(4, rel=0.1)
    # the echo: 0.25 s after a pluck's start (t = 0.5 s) the delay line's copy of it arrives
    d = sounds["delay"][:, 0]
    assert np.abs(d[int(0.75 * rate):int(0.76 * rate)]).max() > 0.1
    pan = sounds["pan"]
    # the first chunk all on the left, the last all on the right (both halves added) once its
    # 256-frame ramp from the chunk before has passed
    tenth, ramp = rate // 10, 256
    assert np.abs(pan[:tenth, 1]).max() == 0 and np.allclose(pan[:tenth, 0], orig[:tenth, 0], atol=2 / 32768)
    last = slice(len(pan) - tenth + ramp, None)
    assert np.abs(pan[last, 0]).max() == 0 and np.allclose(pan[last, 1], orig[last, 0], atol=2 / 32768)


def test_the_html_build_holds_every_figure_and_sound(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("furo")
    pytest.importorskip("matplotlib")
    out = tmp_path / "html"
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-d",
           str(tmp_path / "doctrees"), DOCS, str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (out / "dsp.html").read_text(encoding="utf-8")
    for name in FIGURES:
        image = out / "_images" / ("dsp_figures_%s.png" % name)
        assert image.is_file() and image.stat().st_size > 5000, name
        assert "_images/dsp_figures_%s.png" % name in html, name
    assert "this build had no matplotlib" not in html
    for name in re.findall(r"^\.\. sound:: (\S+)$", page_text(), re.M):
        path = out / "_sounds" / name
        assert path.is_file() and miniaudio.get_file_info(str(path)).num_frames == 44100, name
        assert '<audio controls preload="none" src="_sounds/%s">' % name in html, name
