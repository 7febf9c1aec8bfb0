"""The ``miniaudio`` command (``python -m miniaudio``): devices, info, play, record, convert.

Every failure is reported as one line on stderr, ``miniaudio: error: <message>``, never a traceback.
Exit codes: 0 success, 1 a file, device or conversion failed, 2 bad command line, 130 interrupted
(Ctrl-C).  Progress bars and level meters are redrawn in place (``\\r``) only when stdout is a
terminal; otherwise the commands print plain lines.  See docs/cli.rst.
"""

from __future__ import annotations

import argparse
import array
import collections
import contextlib
import math
import os
import shutil
import signal
import struct
import sys
import threading
import time
from typing import IO, Any, Callable, Deque, Dict, Generator, Iterator, List, NoReturn, Optional, Sequence

import miniaudio
from miniaudio import Backend, DitherMode, SampleFormat

from . import _miniaudio as _ma
from ._enumeration import match_device

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
METER_FLOOR_DB = -60.0  # the left end of the level meter
REDRAW_SECONDS = 0.1  # how often a progress bar or meter is redrawn on a terminal
WAV_MAX_DATA = 0xFFFFFFFF - 64  # a RIFF file's sizes are 32-bit


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

EPILOG = """\
exit codes: 0 success, 1 a file or device failed, 2 bad command line, 130 interrupted (Ctrl-C)"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Audio devices, file information, playback, recording and conversion with miniaudio "
                    f"{miniaudio.lib_version()} (WAV, FLAC, MP3 and Ogg Vorbis files).",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {miniaudio.__version__} (miniaudio {miniaudio.lib_version()})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, description: str, func: Callable[[argparse.Namespace], int]) -> _Parser:
        sub: _Parser = commands.add_parser(name, help=help, description=description, epilog=EPILOG)
        sub.set_defaults(func=func)
        return sub

    def backend_option(sub: _Parser) -> None:
        sub.add_argument("--backend", "-b", type=_backend_arg, metavar="B",
                         help="audio backend (null, pulseaudio, alsa, jack, ...; case-insensitive); "
                              "default: the first that works")

    def device_option(sub: _Parser, kind: str) -> None:
        sub.add_argument("--device", "-d", metavar="NAME",
                         help=f"{kind} device: its number or (part of) its name or id, as listed by "
                              f"'{PROG} devices'; default: the backend's default device")

    def buffersize_option(sub: _Parser) -> None:
        sub.add_argument("--buffersize-msec", type=_buffersize_arg, default=200, metavar="MS",
                         help="device buffer size in milliseconds (0: the backend's default; default: 200)")

    sub = command("devices", "list the audio devices",
                  "List the playback and capture devices of the audio backend; '*' marks the default device.",
                  cmd_devices)
    backend_option(sub)

    sub = command("info", "show the format, channels, sample rate and length of audio files",
                  "Show the format, channels, sample rate, sample format, duration and frame count of each "
                  "FILE.  A file that cannot be read gets an error line; the others are still shown, and "
                  "the exit code is 1.", cmd_info)
    sub.add_argument("files", nargs="+", metavar="FILE", help="a WAV, FLAC, MP3 or Ogg Vorbis file")

    sub = command("play", "play an audio file",
                  "Play FILE on a playback device.  On a terminal a progress bar shows the position; "
                  "otherwise one line is printed when playback starts and one when it ends.  Ctrl-C stops "
                  "playback (exit code 130).", cmd_play)
    sub.add_argument("file", metavar="FILE", help="a WAV, FLAC, MP3 or Ogg Vorbis file")
    device_option(sub, "playback")
    backend_option(sub)
    sub.add_argument("--start", "-s", type=_seconds_arg, default=0.0, metavar="SECONDS",
                     help="start this many seconds into the file (default: 0)")
    sub.add_argument("--duration", "-t", type=_seconds_arg, metavar="SECONDS",
                     help="stop after playing this many seconds (default: to the end of the file)")
    sub.add_argument("--volume", "-v", type=_volume_arg, default=1.0, metavar="V",
                     help="gain: a linear factor (0.5 = half the amplitude, 2 = double; values that "
                          "exceed full scale clip) or decibels with a dB suffix (-6dB, +3dB); default: 1")
    buffersize_option(sub)

    sub = command("record", "record from a capture device into a WAV file",
                  "Record from a capture device into the WAV file OUT.  On a terminal a level meter shows "
                  "the peak level in dBFS; otherwise one line per second is printed.  Without --seconds, "
                  "recording goes on until Ctrl-C; the WAV file is complete either way (exit code 130 "
                  "after Ctrl-C).", cmd_record)
    sub.add_argument("out", metavar="OUT.wav", help="the WAV file to write (replaced if it exists)")
    sub.add_argument("--seconds", "-n", type=_seconds_arg, metavar="N",
                     help="record this many seconds, then stop (default: until Ctrl-C)")
    device_option(sub, "capture")
    backend_option(sub)
    sub.add_argument("--rate", "-r", type=_rate_arg, default=44100, metavar="R",
                     help="sample rate in Hz (default: 44100)")
    sub.add_argument("--channels", "-c", type=_channels_arg, default=2, metavar="C",
                     help="number of channels (default: 2)")
    sub.add_argument("--format", "-f", type=_format_arg, default=SampleFormat.SIGNED16, metavar="FMT",
                     help="sample format: u8, s16, s24, s32 or f32 (32-bit float) (default: s16)")
    buffersize_option(sub)

    sub = command("convert", "convert an audio file to a WAV file",
                  "Decode IN (WAV, FLAC, MP3 or Ogg Vorbis) and write it as the WAV file OUT, converting "
                  "the sample rate, channel count and sample format when asked (each defaults to the "
                  "input's).  On a terminal a progress bar shows how far it is.  An incomplete OUT is "
                  "removed on failure or Ctrl-C.", cmd_convert)
    sub.add_argument("input", metavar="IN", help="a WAV, FLAC, MP3 or Ogg Vorbis file")
    sub.add_argument("out", metavar="OUT.wav", help="the WAV file to write (replaced if it exists)")
    sub.add_argument("--rate", "-r", type=_rate_arg, metavar="R", help="sample rate in Hz")
    sub.add_argument("--channels", "-c", type=_channels_arg, metavar="C", help="number of channels")
    sub.add_argument("--format", "-f", type=_format_arg, metavar="FMT",
                     help="sample format: u8, s16, s24, s32 or f32 (32-bit float)")
    sub.add_argument("--dither", type=_dither_arg, default=DitherMode.NONE, metavar="MODE",
                     help="dither when reducing the sample format: none, rectangle or triangle (default: none)")
    return parser


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


# ---- the commands --------------------------------------------------------------------------------


def cmd_devices(args: argparse.Namespace) -> int:
    with miniaudio.Devices(_backends(args.backend)) as devices:
        backend = devices.backend
        playbacks = devices.get_playbacks()
        captures = devices.get_captures()
    print(f"Backend: {backend}")
    for title, found in (("Playback devices", playbacks), ("Capture devices", captures)):
        print(f"{title}:")
        if not found:
            print("    (none)")
        for index, dev in enumerate(found):
            formats = []
            for f in dev["formats"]:
                if f["samplerate"] or f["channels"] or f["format"] != "Unknown":
                    parts = [f["format"]] if f["format"] != "Unknown" else []
                    parts += [f"{f['channels']} ch"] if f["channels"] else []
                    parts += [f"{f['samplerate']} Hz"] if f["samplerate"] else []
                    formats.append(", ".join(parts))
            formats = list(dict.fromkeys(formats))
            line = _device_line(index, dev)
            if formats:
                shown = "; ".join(formats[:3]) + (f"; ... ({len(formats)} formats)" if len(formats) > 3 else "")
                line += f"  ({shown})"
            print(line)
    print("(* = default device)")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    status = EXIT_OK
    first = True
    for path in args.files:
        try:
            info = _file_info(path)
        except CliError as exc:
            sys.stdout.flush()
            _err(str(exc))
            status = EXIT_FAILED
            continue
        if not first:
            print()
        first = False
        print(path)
        print(f"  format:        {info.file_format.name}")
        print(f"  channels:      {info.nchannels}")
        print(f"  sample rate:   {info.sample_rate} Hz")
        print(f"  sample format: {_format_desc(info.sample_format)} ({info.sample_format_name})")
        print(f"  duration:      {_hms(info.duration)} ({info.duration:.3f} s)")
        print(f"  frames:        {info.num_frames}")
        sys.stdout.flush()
    return status


def _shaped(stream: miniaudio.DecoderStream, nchannels: int, volume: float,
            limit: Optional[int]) -> Generator["array.array[float]", int, None]:
    """Playback generator over `stream` (FLOAT32 chunks) that scales by `volume` and stops after
    `limit` frames.  Used instead of the stream itself, which plays without the GIL, only when a
    volume or a duration is asked for."""
    remaining = limit
    frames = yield array.array("f")
    while True:
        wanted = frames if remaining is None else min(frames, remaining)
        if wanted <= 0:
            return
        try:
            chunk = stream.send(wanted)
        except StopIteration:
            return
        if not len(chunk):
            return
        if volume != 1.0:
            chunk = array.array("f", map(volume.__mul__, chunk))
        if remaining is not None:
            remaining -= len(chunk) // nchannels
        frames = yield chunk


def cmd_play(args: argparse.Namespace) -> int:
    path: str = args.file
    info = _file_info(path)
    rate, nchannels, total = info.sample_rate, info.nchannels, info.num_frames
    start = int(round(args.start * rate))
    if start and total and start >= total:
        raise CliError(f"--start {args.start:g} is at or beyond the end of {path} ({info.duration:.3f} s)")
    end = total if total else None
    if args.duration is not None:
        limited = start + int(round(args.duration * rate))
        end = limited if end is None else min(end, limited)
    device_id = _find_device(args.device, args.backend, capture=False)
    try:
        stream = miniaudio.stream_file(path, SampleFormat.FLOAT32, nchannels, rate, seek_frame=start)
    except (OSError, miniaudio.MiniaudioError) as exc:
        raise CliError(_describe(exc)) from None
    tty = sys.stdout.isatty()
    with stream:
        if args.volume == 1.0 and args.duration is None:
            source: Any = stream  # decoded in C on the audio thread, without the GIL
        else:
            source = _shaped(stream, nchannels, args.volume, None if end is None else end - start)
        device = miniaudio.PlaybackDevice(SampleFormat.FLOAT32, nchannels, rate,
                                          buffersize_msec=args.buffersize_msec, device_id=device_id,
                                          backends=_backends(args.backend), app_name=PROG)
        with device:
            volume = f", volume {args.volume:g} ({_db(args.volume):+.1f} dB)" if args.volume != 1.0 else ""
            status = _StatusLine(sys.stdout)
            began = time.monotonic()
            try:
                print(f"Playing {path} ({info.file_format.name}, {nchannels} ch, {rate} Hz, {_hms(info.duration)}) "
                      f"from {_hms(start / rate)} on {device.device_name!r} ({device.backend}){volume}", flush=True)
                device.start(source)
                while not device.wait(REDRAW_SECONDS if tty else 0.5):
                    if tty and status.due():
                        # The stream runs ahead of what is heard by the device's buffer: show the
                        # wall-clock position, never past what has been decoded.
                        heard = min(stream.position, start + (time.monotonic() - began) * rate)
                        text = f"  {_hms(heard / rate)}"
                        if end:
                            width = _bar_width(status, 30)
                            text += f" / {_hms(end / rate)}  {_bar(heard / end, width)}" \
                                    f" {100.0 * heard / end:3.0f}%"
                        status.show(text)
                if tty and end:
                    status.show(f"  {_hms(end / rate)} / {_hms(end / rate)}  "
                                f"{_bar(1.0, _bar_width(status, 30))} 100%")
            except KeyboardInterrupt:
                status.end()
                heard = min(stream.position, start + (time.monotonic() - began) * rate)
                print(f"Stopped playing {path} at {_hms(heard / rate)}", flush=True)
                raise
            finally:
                status.end()
    played = (stream.position if end is None else end) - start
    print(f"Finished playing {path}: {_hms(played / rate)} played", flush=True)
    return EXIT_OK


def cmd_record(args: argparse.Namespace) -> int:
    device_id = _find_device(args.device, args.backend, capture=True)
    chunks: Deque[bytes] = collections.deque()
    arrived = threading.Event()

    def capture() -> miniaudio.CaptureCallbackGeneratorType:
        while True:
            data = yield
            chunks.append(bytes(data))
            arrived.set()

    fmt: SampleFormat = args.format
    tty = sys.stdout.isatty()
    device = miniaudio.CaptureDevice(fmt, args.channels, args.rate, buffersize_msec=args.buffersize_msec,
                                     device_id=device_id, backends=_backends(args.backend), app_name=PROG)
    with device:
        nchannels, rate = device.nchannels, device.sample_rate
        limit = None if args.seconds is None else int(round(args.seconds * rate))
        try:
            writer = WavWriter(args.out, fmt, nchannels, rate)
        except OSError as exc:
            raise CliError(_describe(exc)) from None
        peak_all = 0.0
        peak_now = 0.0
        next_line = rate  # plain output: one line per second of audio
        status = _StatusLine(sys.stdout)

        def take() -> None:
            """Writes what the audio thread has handed over (up to the --seconds limit)."""
            nonlocal peak_all, peak_now, next_line
            while chunks and (limit is None or writer.frames < limit):
                data = chunks.popleft()
                if limit is not None:
                    data = data[:(limit - writer.frames) * writer.frame_bytes]
                writer.write(data)
                peak = _peak(data, fmt)
                peak_all, peak_now = max(peak_all, peak), max(peak_now, peak)
                if not tty and writer.frames >= next_line:
                    print(f"  {_hms(writer.frames / rate)}  peak {_db(peak_now):6.1f} dBFS", flush=True)
                    next_line += rate
                    peak_now = 0.0

        try:
            seconds = "until Ctrl-C" if limit is None else f"{args.seconds:g} s"
            print(f"Recording {seconds} from {device.device_name!r} ({device.backend}) to {args.out} "
                  f"({_format_desc(fmt)}, {nchannels} ch, {rate} Hz)", flush=True)
            device.start(capture())
            shown = 0  # frames when the meter was last drawn
            synced = time.monotonic()  # when the header was last brought up to date
            while limit is None or writer.frames < limit:
                arrived.wait(REDRAW_SECONDS)
                arrived.clear()
                take()
                # The device hands over a buffer at a time: redraw only when something new arrived.
                if tty and writer.frames > shown and status.due():
                    db = _db(peak_now)
                    width = _bar_width(status, 32)
                    fraction = (db - METER_FLOOR_DB) / -METER_FLOOR_DB
                    clip = " CLIP" if peak_all >= 1.0 else ""
                    status.show(f"  {_hms(writer.frames / rate)}  {_bar(fraction, width)} {db:6.1f} dBFS{clip}")
                    peak_now = 0.0
                    shown = writer.frames
                if time.monotonic() - synced >= 1.0:
                    writer.update_header()  # a recorder killed later still leaves a readable file
                    synced = time.monotonic()
                if not device.running:
                    device.wait()  # raises the error that ended the run, if any
                    raise CliError("the capture device stopped")
        finally:
            with _sigint_ignored():  # a second Ctrl-C must not cut the file short
                try:
                    device.stop()
                    take()
                finally:
                    writer.close()
                    status.end()
                    print(f"Recorded {_hms(writer.frames / rate)} ({writer.frames} frames) to {args.out}, "
                          f"peak {_db(peak_all):.1f} dBFS", flush=True)
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    info = _file_info(args.input)
    fmt: SampleFormat = args.format or info.sample_format
    if fmt is SampleFormat.UNKNOWN:
        fmt = SampleFormat.SIGNED16
    nchannels: int = args.channels or info.nchannels
    rate: int = args.rate or info.sample_rate
    try:
        if os.path.samefile(args.input, args.out):
            raise CliError(f"{args.out}: the output file is the input file")
    except OSError:
        pass  # OUT does not exist yet
    total = int(math.ceil(info.num_frames * rate / info.sample_rate)) if info.sample_rate else 0
    try:
        stream = miniaudio.stream_file(args.input, fmt, nchannels, rate, frames_to_read=max(rate // 4, 1024),
                                       dither=args.dither, chunk_type="bytes")
    except (OSError, miniaudio.MiniaudioError) as exc:
        raise CliError(_describe(exc)) from None
    tty = sys.stdout.isatty()
    status = _StatusLine(sys.stdout)
    with stream:
        try:
            writer = WavWriter(args.out, fmt, nchannels, rate)
        except OSError as exc:
            raise CliError(_describe(exc)) from None
        done = False

        def draw(frames: int) -> None:
            fraction = min(frames / total, 1.0)
            status.show(f"  {_hms(frames / rate)} / {_hms(total / rate)}  "
                        f"{_bar(fraction, _bar_width(status, 30))} {100.0 * fraction:3.0f}%")

        try:
            for chunk in stream:
                writer.write(chunk)
                if tty and total and status.due():
                    draw(writer.frames)
            if tty and total:
                draw(max(writer.frames, total))
            writer.close()
            done = True
        except (OSError, miniaudio.MiniaudioError) as exc:
            raise CliError(_describe(exc)) from None
        finally:
            status.end()
            if not done:
                writer.close()
                try:
                    os.remove(args.out)
                except OSError:
                    pass
    print(f"Converted {args.input} to {args.out}: {_format_desc(fmt)}, {nchannels} ch, {rate} Hz, "
          f"{writer.frames} frames ({_hms(writer.frames / rate)})", flush=True)
    return EXIT_OK


# ---- the entry point -----------------------------------------------------------------------------


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ctrl-C is ignored inside (only possible on the main thread, the usual place of a CLI)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _join_volume(argv: Sequence[str]) -> List[str]:
    """'--volume -6dB' -> '--volume=-6dB': argparse would take '-6dB' for an option."""
    out: List[str] = []
    args = iter(argv)
    for arg in args:
        if arg in ("--volume", "-v"):
            value = next(args, None)
            if value is None:
                out.append(arg)
            elif value.startswith("-") and value[1:2] in set("0123456789.i"):
                out.append("--volume=" + value)
            else:
                out += [arg, value]
        elif arg == "--":
            out.append(arg)
            out += args
        else:
            out.append(arg)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line `argv` (default: sys.argv[1:]) and returns the exit code."""
    parser = build_parser()
    argv = _join_volume(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return int(args.func(args))
    except KeyboardInterrupt:
        sys.stdout.flush()
        sys.stderr.write(f"{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    except BrokenPipeError:
        # stdout was closed by the reader (e.g. `miniaudio devices | head -1`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except CliError as exc:
        _err(str(exc))
        return EXIT_FAILED
    except (OSError, ValueError, TypeError, miniaudio.MiniaudioError) as exc:
        _err(_describe(exc))
        return EXIT_FAILED
    except Exception as exc:  # a bug: still one line, with the exception's type
        _err(f"{type(exc).__name__}: {_describe(exc)}")
        return EXIT_FAILED
