"""The ``miniaudio`` command's vocabulary (program name, exit codes, sample format and dither
names, CliError) and its argument parsing: an argparse parser with one-line errors and the
converters of the option values.  The commands are in _cli.py."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Callable, Dict, NoReturn

import miniaudio
from miniaudio import Backend, DitherMode, SampleFormat

from . import _miniaudio as _ma

PROG = "miniaudio"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

FORMATS: Dict[str, SampleFormat] = {
    "u8": SampleFormat.UNSIGNED8,
    "s16": SampleFormat.SIGNED16,
    "s24": SampleFormat.SIGNED24,
    "s32": SampleFormat.SIGNED32,
    "f32": SampleFormat.FLOAT32,
}
FORMAT_NAMES: Dict[SampleFormat, str] = {fmt: name for name, fmt in FORMATS.items()}
DITHERS: Dict[str, DitherMode] = {mode.name.lower(): mode for mode in DitherMode}


class CliError(Exception):
    """A failure to report as one line (exit code 1)."""


# ---- argument parsing ----------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``miniaudio: error: <message> (see 'miniaudio play --help')``."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{PROG}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(EXIT_USAGE)


def _backend_arg(text: str) -> Backend:
    name = text.strip().lower()
    enabled = sorted(b.name.lower() for b in miniaudio.get_enabled_backends() if b is not Backend.CUSTOM)
    member = next((b for b in Backend if b.name.lower() == name), None)
    if member is None:
        raise argparse.ArgumentTypeError(f"unknown backend {text!r} (this build has: {', '.join(enabled)})")
    if member.name.lower() not in enabled:
        raise argparse.ArgumentTypeError(f"backend {text!r} is not available in this build "
                                         f"(this build has: {', '.join(enabled)})")
    return member


def _int_arg(what: str, low: int, high: int) -> Callable[[str], int]:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be {low}..{high}, not {value}")
        return value

    return convert


def _seconds_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"seconds must be a finite number >= 0, not {text!r}")
    return value


def _volume_arg(text: str) -> float:
    """A linear gain ("0.5", "2") or decibels ("-6dB", "+3 dB", "-inf dB")."""
    spec = text.strip()
    is_db = spec.lower().endswith("db")
    number = spec[:-2].strip() if is_db else spec
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"volume must be a linear factor like 0.5 or decibels like -6dB, "
                                         f"not {text!r}") from None
    if is_db:
        if math.isnan(value) or value > 60:
            raise argparse.ArgumentTypeError(f"volume must be at most +60dB, not {text!r}")
        return 10.0 ** (value / 20.0) if value != -math.inf else 0.0
    if not math.isfinite(value) or not 0 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"a linear volume must be 0..1000, not {text!r}")
    return value


def _format_arg(text: str) -> SampleFormat:
    try:
        return FORMATS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"unknown sample format {text!r} (choose from: "
                                         f"{', '.join(FORMATS)})") from None


def _dither_arg(text: str) -> DitherMode:
    try:
        return DITHERS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"unknown dither mode {text!r} (choose from: "
                                         f"{', '.join(DITHERS)})") from None


_rate_arg = _int_arg("sample rate", 1, _ma.MAX_SAMPLE_RATE)
_channels_arg = _int_arg("channel count", 1, _ma.MAX_CHANNELS)
_buffersize_arg = _int_arg("buffer size", 0, 10000)
