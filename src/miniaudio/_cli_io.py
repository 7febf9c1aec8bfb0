"""What the ``miniaudio`` command's commands share for output and input: one-line errors, times,
bars and levels, the status line redrawn on a terminal, audio file information, the --device
lookup, and the incremental WAV writer.  The commands are in _cli.py."""

from __future__ import annotations

import array
import math
import os
import shutil
import struct
import sys
import time
from typing import IO, Any, Dict, List, Optional

import miniaudio
from miniaudio import Backend, SampleFormat

from ._cli_args import FORMAT_NAMES, PROG, CliError
from ._enumeration import match_device

REDRAW_SECONDS = 0.1  # how often a progress bar or meter is redrawn on a terminal
WAV_MAX_DATA = 0xFFFFFFFF - 64  # a RIFF file's sizes are 32-bit


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


class WavWriter:
    """Writes a WAV file incrementally: PCM (format tag 1) for integer samples, IEEE float (tag 3,
    with a fact chunk) for FLOAT32, the layout miniaudio's own wav_write_file() uses.  The header's
    sizes are patched by update_header() and close(), so a file cut short (the recorder killed)
    still holds everything up to the last update."""

    def __init__(self, path: str, sample_format: SampleFormat, nchannels: int, sample_rate: int) -> None:
        width = miniaudio.width_from_format(sample_format)
        self.frame_bytes = width * nchannels
        self.frames = 0
        self._data_bytes = 0
        is_float = sample_format is SampleFormat.FLOAT32
        fmt = struct.pack("<HHIIHH", 3 if is_float else 1, nchannels, sample_rate, sample_rate * self.frame_bytes,
                          self.frame_bytes, width * 8)
        header = bytearray(b"RIFF\0\0\0\0WAVE")
        if is_float:
            fmt += struct.pack("<H", 0)  # cbSize: non-PCM formats have an 18-byte fmt chunk
        header += b"fmt " + struct.pack("<I", len(fmt)) + fmt
        self._fact_offset: Optional[int] = None
        if is_float:
            header += b"fact" + struct.pack("<I", 4)
            self._fact_offset = len(header)
            header += b"\0\0\0\0"
        header += b"data"
        self._data_size_offset = len(header)
        header += b"\0\0\0\0"
        self._header_bytes = len(header)
        self._file: Optional[IO[bytes]] = open(path, "wb")
        try:
            self._file.write(header)
            self.update_header()
        except BaseException:
            self._file.close()
            raise

    def write(self, data: Any) -> None:
        """Append whole frames (any bytes-like object)."""
        assert self._file is not None
        view = memoryview(data).cast("B")
        if view.nbytes % self.frame_bytes:
            raise ValueError("a partial frame cannot be written")
        if self._data_bytes + view.nbytes > WAV_MAX_DATA:
            raise CliError("the WAV file would exceed 4 GiB, the limit of the format")
        self._file.write(view)
        self._data_bytes += view.nbytes
        self.frames += view.nbytes // self.frame_bytes

    def update_header(self) -> None:
        assert self._file is not None
        end = self._file.tell()
        pad = self._data_bytes & 1
        self._file.seek(4)
        self._file.write(struct.pack("<I", self._header_bytes - 8 + self._data_bytes + pad))
        if self._fact_offset is not None:
            self._file.seek(self._fact_offset)
            self._file.write(struct.pack("<I", self.frames))
        self._file.seek(self._data_size_offset)
        self._file.write(struct.pack("<I", self._data_bytes))
        self._file.seek(end)
        self._file.flush()

    def close(self) -> None:
        if self._file is None:
            return
        try:
            if self._data_bytes & 1:
                self._file.write(b"\0")  # chunks are word-aligned
                self._file.seek(-1, os.SEEK_CUR)
            self.update_header()
        finally:
            self._file.close()
            self._file = None


def _peak(data: Any, sample_format: SampleFormat) -> float:
    """The largest absolute sample value of raw PCM, in full-scale units."""
    if not len(data):
        return 0.0
    if sample_format is not SampleFormat.FLOAT32:
        data = miniaudio.convert_sample_format(sample_format, data, SampleFormat.FLOAT32)
    samples = array.array("f")
    samples.frombytes(data)
    return max(max(samples), -min(samples))
