"""The figures of docs/dsp.rst, drawn when the documentation is built.

Every curve is measured: the package's own processors run on an impulse (filters, delay), on
constant signals (gain, fade, pan), and the filters' responses are the FFT of what comes out,
in dB against a logarithmic frequency axis.  Nothing here is a formula of the designs, so the
pictures show what the code does.

The ``.. plot::`` directive (matplotlib's plot_directive, see docs/conf.py) runs this file and
calls one of the drawing functions below by name; ``measure_*`` compute the data and need only
numpy (tests/test_docs_dsp.py checks them without matplotlib).
"""

import numpy as np

import miniaudio

RATE = 48000
NFFT = 1 << 15  # 0.68 s of impulse response at 48 kHz: every filter drawn here has died out by then


# ---- measurements (numpy only) -------------------------------------------------------------------

def impulse_response(proc, n=NFFT):
    """What `proc` (mono, RATE) makes of a unit impulse followed by n - 1 zeros, as float64."""
    x = np.zeros(n, np.float32)
    x[0] = 1.0
    return proc.process(x).astype(np.float64)


def frequency_response(proc, n=NFFT):
    """(frequencies in Hz, magnitude in dB) of `proc`, from the FFT of its impulse response; the DC
    bin is left out (a log axis cannot show it)."""
    spectrum = np.fft.rfft(impulse_response(proc, n))
    freqs = np.fft.rfftfreq(n, 1.0 / RATE)
    return freqs[1:], 20 * np.log10(np.maximum(np.abs(spectrum[1:]), 1e-12))


def measure_filters():
    """{plot name: [(label, processor), ...]}: the filters and parameter values that are drawn."""
    M = miniaudio
    kw = dict(sample_rate=RATE)
    return {
        "lowpass": [("order %d" % o, M.LowPass(1000, order=o, **kw)) for o in (1, 2, 4, 8)],
        "highpass": [("order %d" % o, M.HighPass(1000, order=o, **kw)) for o in (1, 2, 4, 8)],
        "bandpass": [("order %d" % o, M.BandPass(1000, order=o, **kw)) for o in (2, 4, 8)],
        "notch": [("q = %g" % q, M.Notch(1000, q, **kw)) for q in (0.5, 2, 8)],
        "peaking": ([("gain_db = %+g, q = 1" % g, M.PeakingEQ(1000, g, 1.0, **kw)) for g in (-12, -6, 6, 12)]
                    + [("gain_db = +12, q = 4", M.PeakingEQ(1000, 12, 4.0, **kw))]),
        "lowshelf": [("gain_db = %+g" % g, M.LowShelf(300, g, **kw)) for g in (-12, -6, 6, 12)]
                    + [("gain_db = +12, slope = 0.5", M.LowShelf(300, 12, 0.5, **kw))],
        "highshelf": [("gain_db = %+g" % g, M.HighShelf(3000, g, **kw)) for g in (-12, -6, 6, 12)]
                     + [("gain_db = +12, slope = 0.5", M.HighShelf(3000, 12, 0.5, **kw))],
        # a DC blocker: y[n] = x[n] - x[n-1] + 0.995 y[n-1]
        "biquad": [("Biquad(1, -1, 0, 1, -0.995, 0)", M.Biquad(1, -1, 0, 1, -0.995, 0, **kw)),
                   ("Biquad(1, -1, 0, 1, -0.95, 0)", M.Biquad(1, -1, 0, 1, -0.95, 0, **kw))],
    }


def measure_gain():
    """(time in ms, linear gain): a Gain fed ones in 10 ms chunks, its db set to -12 after 20 ms
    and back to 0 after 60 ms (smoothing 8 ms, the default)."""
    gain = miniaudio.Gain(0.0, sample_rate=RATE)
    chunk = RATE // 100
    out = []
    for i in range(10):
        if i == 2:
            gain.db = -12.0
        if i == 6:
            gain.db = 0.0
        out.append(gain.process(np.ones(chunk, np.float32)))
    y = np.concatenate(out).astype(np.float64)
    return np.arange(len(y)) * 1000.0 / RATE, y


def measure_fades():
    """[(label, time in s, volume)]: fades fed ones for 1.5 s."""
    cases = [("Fade(0, 1, 1.0): fade in", miniaudio.Fade(0.0, 1.0, 1.0, sample_rate=RATE)),
             ("Fade(1, 0, 0.5): fade out", miniaudio.Fade(1.0, 0.0, 0.5, sample_rate=RATE)),
             ("Fade(1, 0.25, 1.0)", miniaudio.Fade(1.0, 0.25, 1.0, sample_rate=RATE))]
    n = int(1.5 * RATE)
    return [(label, np.arange(n) / RATE, fade.process(np.ones(n, np.float32)).astype(np.float64))
            for label, fade in cases]


def measure_delays():
    """[(label, time in s, impulse response)] of a plain delay and two echoes."""
    cases = [("Delay(0.1): plain delay", miniaudio.Delay(0.1, sample_rate=RATE)),
             ("Delay(0.1, decay=0.6)", miniaudio.Delay(0.1, decay=0.6, sample_rate=RATE)),
             ("Delay(0.15, decay=0.4, wet=0.8)", miniaudio.Delay(0.15, decay=0.4, wet=0.8, sample_rate=RATE))]
    n = int(0.8 * RATE)
    return [(label, np.arange(n) / RATE, impulse_response(delay, n)) for label, delay in cases]


def measure_pan(mode):
    """(pan values, gain of the left output, gain of the right output) for a signal of 1.0 on both
    channels, one frame per pan value, in `mode` ('balance' or 'pan')."""
    pans = np.linspace(-1.0, 1.0, 81)
    left, right = [], []
    for p in pans:
        frame = miniaudio.Pan(float(p), mode=mode, sample_rate=RATE, nchannels=2).process(
            np.ones((1, 2), np.float32))
        left.append(float(frame[0, 0]))
        right.append(float(frame[0, 1]))
    return pans, np.array(left), np.array(right)


# ---- drawing (called by the plot directive) ------------------------------------------------------

TITLES = {
    "lowpass": "LowPass(1000, order=...)",
    "highpass": "HighPass(1000, order=...)",
    "bandpass": "BandPass(1000, order=...)",
    "notch": "Notch(1000, q)",
    "peaking": "PeakingEQ(1000, gain_db, q)",
    "lowshelf": "LowShelf(300, gain_db, slope=1)",
    "highshelf": "HighShelf(3000, gain_db, slope=1)",
    "biquad": "Biquad: a DC blocker",
}
FLOORS = {"lowpass": -100, "highpass": -100, "bandpass": -100, "notch": -60, "biquad": -40}


def _figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.3), layout="constrained")
    ax.grid(True, which="both", alpha=0.3)
    return fig, ax


def _response_plot(name):
    fig, ax = _figure()
    for label, proc in measure_filters()[name]:
        f, db = frequency_response(proc)
        ax.semilogx(f, db, label=label)
    ax.set_xlim(10, RATE / 2)
    low = FLOORS.get(name)
    if low is not None:
        ax.set_ylim(low, 6)
    else:
        ax.set_ylim(-15, 15)
    ax.set_xlabel("frequency (Hz), at %d Hz" % RATE)
    ax.set_ylabel("gain (dB)")
    ax.set_title(TITLES[name])
    ax.legend(fontsize="small", loc="lower left" if name in ("lowpass", "notch") else "best")


def lowpass():
    _response_plot("lowpass")


def highpass():
    _response_plot("highpass")


def bandpass():
    _response_plot("bandpass")


def notch():
    _response_plot("notch")


def peaking():
    _response_plot("peaking")


def lowshelf():
    _response_plot("lowshelf")


def highshelf():
    _response_plot("highshelf")


def biquad():
    _response_plot("biquad")


def gain():
    fig, ax = _figure()
    t, y = measure_gain()
    ax.plot(t, y)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("linear gain")
    ax.set_ylim(0, 1.1)
    ax.set_title("Gain: db = 0, then -12 at 20 ms, 0 at 60 ms (8 ms ramps)")


def fades():
    fig, ax = _figure()
    for label, t, y in measure_fades():
        ax.plot(t, y, label=label)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("volume")
    ax.set_ylim(-0.05, 1.1)
    ax.set_title("Fade(start, end, seconds)")
    ax.legend(fontsize="small")


def delays():
    fig, axes = _figure()
    fig.clear()
    cases = measure_delays()
    axes = fig.subplots(1, len(cases), sharex=True, sharey=True)
    for ax, (label, t, y) in zip(axes, cases):
        nz = np.nonzero(np.abs(y) > 1e-6)[0]
        ax.vlines(t[nz], 0, y[nz])
        ax.plot(t[nz], y[nz], "o", markersize=3)
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.set_title(label, fontsize="small")
        ax.set_xlabel("time (s)")
        ax.grid(True, alpha=0.3)
    axes[0].set_xlim(-0.03, 0.8)
    axes[0].set_ylabel("impulse response")


def pan():
    fig, axes = _figure()
    fig.clear()
    axes = fig.subplots(1, 2, sharey=True)
    for ax, mode in zip(axes, ("balance", "pan")):
        p, left, right = measure_pan(mode)
        ax.plot(p, left, label="left out")
        ax.plot(p, right, "--", label="right out")
        ax.set_title('Pan(pan, mode="%s"), input 1.0 on both' % mode, fontsize="small")
        ax.set_xlabel("pan")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    axes[0].set_ylabel("output")
