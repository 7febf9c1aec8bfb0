"""What the ``miniaudio`` command's commands share for output and input: one-line errors, times,
bars and levels, the status line redrawn on a terminal, audio file information and the
--device lookup.  The commands are in _cli.py."""

from __future__ import annotations

import array
import math
import os
import shutil
import sys
import time
from typing import IO, Any, Dict, List, Optional

import miniaudio
from miniaudio import Backend, SampleFormat

from ._cli_args import FORMAT_NAMES, PROG, CliError
from ._enumeration import match_device

REDRAW_SECONDS = 0.1  # how often a progress bar or meter is redrawn on a terminal


# ---- output helpers ------------------------------------------------------------------------------


def _err(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.stderr.flush()


def _describe(exc: BaseException) -> str:
    """One line for an exception a user can cause (a missing file, a bad device, undecodable data)."""
    if isinstance(exc, OSError) and exc.strerror:
        name = exc.filename
        if name is not None:
            return f"{os.fsdecode(name)}: {exc.strerror}"
        return exc.strerror
    text = " ".join(str(exc).split()) or type(exc).__name__
    if text.startswith(("device_id: ", "backends: ")):
        text = text.split(": ", 1)[1]
    return text


def _hms(seconds: float) -> str:
    """1:02.3 or 1:02:03.4 (tenths of a second)."""
    tenths = int(round(max(seconds, 0.0) * 10))
    minutes, tenth_seconds = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    sec = f"{tenth_seconds // 10:02d}.{tenth_seconds % 10}"
    return f"{hours}:{minutes:02d}:{sec}" if hours else f"{minutes}:{sec}"


def _bar(fraction: float, width: int) -> str:
    filled = int(round(min(max(fraction, 0.0), 1.0) * width))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _db(peak: float) -> float:
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def _format_desc(fmt: SampleFormat) -> str:
    return FORMAT_NAMES.get(fmt, fmt.name)


class _StatusLine:
    """One line redrawn in place with '\\r' (only used when the stream is a terminal)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._shown = 0
        self._next = 0.0
        self.width = max(shutil.get_terminal_size((80, 24)).columns - 1, 20)

    def due(self) -> bool:
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + REDRAW_SECONDS
        return True

    def show(self, text: str) -> None:
        text = text[:self.width]
        self._stream.write("\r" + text + " " * max(self._shown - len(text), 0))
        self._stream.flush()
        self._shown = len(text)

    def end(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()
            self._shown = 0


def _bar_width(status: _StatusLine, reserved: int) -> int:
    return max(min(status.width - reserved, 40), 10)


# ---- files and devices ---------------------------------------------------------------------------


def _file_info(path: str) -> miniaudio.SoundFileInfo:
    try:
        return miniaudio.get_file_info(path)
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory") from None
    except (OSError, miniaudio.MiniaudioError) as exc:
        raise CliError(_describe(exc)) from None


def _backends(backend: Optional[Backend]) -> Optional[List[Backend]]:
    return None if backend is None else [backend]


def _device_line(index: int, dev: Dict[str, Any]) -> str:
    ident = str(dev["id"])
    extra = f"  [{ident}]" if ident and ident != dev["name"] and not ident.lstrip("-").isdigit() else ""
    return f"{index:3d} {'*' if dev['is_default'] else ' '} {dev['name']}{extra}"


def _find_device(spec: Optional[str], backend: Optional[Backend], capture: bool) -> Optional[miniaudio.DeviceId]:
    """The device a --device argument names: its number in the 'devices' list, its name or id, or a
    unique case-insensitive part of its name or id."""
    if spec is None:
        return None
    kind = "capture" if capture else "playback"
    with miniaudio.Devices(_backends(backend)) as devices:
        found = devices.get_captures() if capture else devices.get_playbacks()
    listing = "; ".join(f"{i}: {d['name']}" + (f" [{d['id']}]" if not str(d["id"]).lstrip("-").isdigit() else "")
                        for i, d in enumerate(found)) or "none"
    if spec.strip().isdigit():
        index = int(spec)
        if index < len(found):
            return found[index]["id"]  # type: ignore[no-any-return]
        raise CliError(f"there is no {kind} device number {index} (the {kind} devices are: {listing})")
    match, hits = match_device(spec, [(d["name"], str(d["id"])) for d in found])
    if match is not None:
        return found[match]["id"]  # type: ignore[no-any-return]
    if hits:
        names = ", ".join(repr(found[i]["name"]) for i in hits)
        raise CliError(f"the {kind} device name {spec!r} is ambiguous: it matches {names}")
    raise CliError(f"no {kind} device matches {spec!r} (the {kind} devices are: {listing})")


def _peak(data: Any, sample_format: SampleFormat) -> float:
    """The largest absolute sample value of raw PCM, in full-scale units."""
    if not len(data):
        return 0.0
    if sample_format is not SampleFormat.FLOAT32:
        data = miniaudio.convert_sample_format(sample_format, data, SampleFormat.FLOAT32)
    samples = array.array("f")
    samples.frombytes(data)
    return max(max(samples), -min(samples))
