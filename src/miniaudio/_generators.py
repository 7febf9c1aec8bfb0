"""Signal generators: Waveform, PulseWave and Noise, streams of miniaudio's own generators.

The classes are the C types (miniaudio_c/gen.c): DecoderStreams of their own, pulled without the
GIL by a PlaybackDevice.  The enums name their kinds; a plain str ("sine") works as well.
"""

from enum import Enum

from . import _miniaudio as _ma

Waveform = _ma.Waveform
PulseWave = _ma.PulseWave
Noise = _ma.Noise


class WaveformType(str, Enum):
    """The kinds of :class:`Waveform` (a member equals its string: ``WaveformType.SINE == "sine"``)."""

    SINE = "sine"
    SQUARE = "square"
    TRIANGLE = "triangle"
    SAWTOOTH = "sawtooth"


class NoiseType(str, Enum):
    """The kinds of :class:`Noise`: white (flat), pink (-3 dB/octave), brownian (-6 dB/octave)."""

    WHITE = "white"
    PINK = "pink"
    BROWNIAN = "brownian"
