"""Deterministic test signals shared by ``make_samples.py`` and the test suite.

Every sample file in this directory is derived from one of the SIGNALS below.
The tests regenerate the reference PCM with these same functions, so lossless
decodes can be compared sample-for-sample without any hidden data.

Only numpy is used here (never the package under test).
"""

from typing import Any, Dict, Tuple

import numpy as np
import numpy.typing as npt

# name -> (sample_rate, per-channel frequencies in Hz, amplitude, number of frames)
SIGNALS: Dict[str, Tuple[int, Tuple[float, ...], float, int]] = {
    # stereo: left 440 Hz, right 660 Hz, 1.0 s
    "tone": (44100, (440.0, 660.0), 0.5, 44100),
    # same tone, 0.5 s (used for the wide PCM formats, to keep the repo small)
    "short": (44100, (440.0, 660.0), 0.5, 22050),
    # mono 330 Hz at 22050 Hz, 1.0 s
    "mono": (22050, (330.0,), 0.6, 22050),
}


def float_signal(name: str) -> "npt.NDArray[np.float64]":
    """The ideal signal as float64, shape (frames, channels), values in [-1, 1]."""
    rate, freqs, amp, nframes = SIGNALS[name]
    t = np.arange(nframes, dtype=np.float64) / rate
    cols = [amp * np.sin(2.0 * np.pi * f * t) for f in freqs]
    return np.stack(cols, axis=1)


# --- quantisation used when writing the sample files -----------------------
# (round-half-to-even from numpy; the amplitudes never reach full scale)

def quantize(x: "npt.ArrayLike", fmt: str) -> "npt.NDArray[Any]":
    """Quantise a float signal to the integer/float representation stored in a file.

    fmt is one of "u8", "s16", "s24", "s32", "f32".  s24 is returned as int32
    values in the 24-bit range.
    """
    x = np.asarray(x, dtype=np.float64)
    if fmt == "u8":
        return (np.round(x * 127.0) + 128).astype(np.uint8)
    if fmt == "s16":
        return np.round(x * 32767.0).astype(np.int16)
    if fmt == "s24":
        return np.round(x * 8388607.0).astype(np.int32)
    if fmt == "s32":
        return np.round(x * 2147483647.0).astype(np.int32)
    if fmt == "f32":
        return x.astype(np.float32)
    raise ValueError("unknown format %r" % (fmt,))


def reference(name: str, fmt: str) -> "npt.NDArray[Any]":
    """Reference PCM (frames, channels) for signal `name` stored as `fmt`."""
    return quantize(float_signal(name), fmt)


def reference_s32_from_s24(name: str) -> "npt.NDArray[np.int32]":
    """What a lossless 24-bit source looks like when read as s32 (value << 8)."""
    return reference(name, "s24").astype(np.int32) << 8


# --- small analysis helpers used by the tests -------------------------------

def peak_frequency(x: "npt.ArrayLike", rate: float) -> float:
    """Estimate the dominant frequency of a 1-D signal (Hann window + parabolic
    interpolation of the FFT magnitude peak)."""
    a = np.asarray(x, dtype=np.float64)
    a = a - a.mean()
    n = len(a)
    win = np.hanning(n)
    spec = np.abs(np.fft.rfft(a * win))
    k = int(np.argmax(spec[1:])) + 1
    if 1 <= k < len(spec) - 1:
        a, b, c = np.log(spec[k - 1] + 1e-30), np.log(spec[k] + 1e-30), np.log(spec[k + 1] + 1e-30)
        denom = a - 2 * b + c
        delta = 0.5 * (a - c) / denom if denom != 0 else 0.0
    else:
        delta = 0.0
    return (k + delta) * rate / n


def rms(x: "npt.ArrayLike") -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x)))
